/* test_paths.c - the loader's fast paths change nothing in the database.
 *
 *   test_paths WCPROF_GEN WORK_DIR
 *
 * The same dumps (generated: one with open ops and orphan waits, one in
 * reverse order so that most self-time guesses are wrong, and successive
 * dumps of one run, flushed and not) are loaded with every combination of
 * the parsing thread (on / off), the secondary indexes (updated row by row
 * / rebuilt) and a new run's graph (from the ops as inserted / read back),
 * and the databases must hold exactly the same rows and indexes.
 * A dump refused deep inside (many batches after the first) leaves the
 * database as it was, indexes included, on every path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fingerprint.h"
#include "load.h"
#include "store.h"

static const char *gen, *work;

static void path_of(char *out, size_t n, const char *name)
{
    snprintf(out, n, "%s/%s", work, name);
}

static void run_gen(const char *args, const char *name)
{
    char out[1024], cmd[3072];
    path_of(out, sizeof out, name);
    snprintf(cmd, sizeof cmd, "'%s' %s -o '%s'", gen, args, out);
    if (system(cmd) != 0)
        fail_msg("cannot run: %s", cmd);
}

/* Writes DST: SRC's header, then SRC's event lines in reverse order. */
static void reverse_events(const char *src, const char *dst)
{
    char a[1024], b[1024];
    path_of(a, sizeof a, src);
    path_of(b, sizeof b, dst);
    FILE *in = fopen(a, "r"), *out = fopen(b, "w");
    assert_non_null(in);
    assert_non_null(out);
    char *line = NULL, **lines = NULL;
    size_t cap = 0, n = 0, max = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, in)) > 0) {
        if (n == max) {
            max = max ? max * 2 : 1024;
            lines = realloc(lines, max * sizeof *lines);
            assert_non_null(lines);
        }
        lines[n++] = strdup(line);
    }
    assert_true(n > 1);
    fputs(lines[0], out);
    for (size_t k = n - 1; k >= 1; k--)
        fputs(lines[k], out);
    for (size_t k = 0; k < n; k++)
        free(lines[k]);
    free(lines);
    free(line);
    fclose(in);
    fclose(out);
}

static int64_t query_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static sqlite3 *fresh_db(const char *name)
{
    char path[1024], err[1024];
    path_of(path, sizeof path, name);
    unlink(path);
    sqlite3 *db;
    if (wcp_db_open(path, WCP_DB_CREATE | WCP_DB_ONE_THREAD, &db, err, sizeof err) != 0)
        fail_msg("%s", err);
    return db;
}

static void load(sqlite3 *db, const char *name, const wcp_load_opts *o, wcp_load_stats *st)
{
    char path[1024], err[1024];
    path_of(path, sizeof path, name);
    if (wcp_load_dump(db, path, o, st, err, sizeof err) != 0)
        fail_msg("%s: %s", name, err);
}

static const wcp_load_opts paths[] = {
    {.serial = true, .indexes = WCP_INDEXES_UPDATE},
    {.serial = true, .indexes = WCP_INDEXES_REBUILD},
    {.serial = false, .indexes = WCP_INDEXES_UPDATE},
    {.serial = false, .indexes = WCP_INDEXES_REBUILD},
    {.serial = false, .read_back = true}, /* a new run's graph read back, not as inserted */
    {0}, /* the defaults: a thread, indexes rebuilt when the database is small */
};
#define N_PATHS (sizeof paths / sizeof paths[0])

static int setup(void **state)
{
    (void)state;
    run_gen("-n 30000 -s 3 --open 3 --orphans 20", "one.dump");
    reverse_events("one.dump", "reversed.dump");
    run_gen("-n 12000 -s 4 --dumps 3 --open 2", "flushed.dump");
    run_gen("-n 12000 -s 5 --dumps 3 --no-flush --open 2", "unflushed.dump");
    return 0;
}

static void test_same_rows_on_every_path(void **state)
{
    (void)state;
    static const char *const dumps[] = {"one.dump",         "reversed.dump",    "flushed.dump.1",
                                        "flushed.dump.2",   "flushed.dump.3",   "unflushed.dump.1",
                                        "unflushed.dump.2", "unflushed.dump.3", "one.dump"};
    uint64_t want = 0;
    for (size_t p = 0; p < N_PATHS; p++) {
        sqlite3 *db = fresh_db("paths.db");
        for (size_t d = 0; d < sizeof dumps / sizeof dumps[0]; d++) {
            wcp_load_stats st;
            wcp_load_opts o = paths[p];
            o.new_run = d == 1; /* the reversed copy: a run of its own */
            load(db, dumps[d], &o, &st);
            if (o.indexes != WCP_INDEXES_AUTO)
                assert_int_equal(st.indexes_rebuilt, o.indexes == WCP_INDEXES_REBUILD);
            else if (d == 0)
                assert_true(st.indexes_rebuilt); /* a first dump */
        }
        assert_int_equal(query_int(db,
                                   "SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND "
                                   "name IN ('ops_children', 'ops_class', 'ops_start', "
                                   "'waits_target', 'links_ident')"),
                         5);
        assert_int_equal(query_int(db, "SELECT count(*) FROM runs"), 4);
        assert_true(query_int(db, "SELECT sum(ops) FROM runs") > 30000);
        uint64_t h = fingerprint(db);
        if (p == 0)
            want = h;
        else if (h != want)
            fail_msg("path %zu (serial %d, indexes %d) gives other rows than path 0", p,
                     paths[p].serial, (int)paths[p].indexes);
        sqlite3_close(db);
    }
}

/* Line 25001 of one.dump (event 25000) made bad: far past the first batches. */
static void test_refused_deep_inside_changes_nothing(void **state)
{
    (void)state;
    char a[1024], b[1024];
    path_of(a, sizeof a, "one.dump");
    path_of(b, sizeof b, "bad-deep.dump");
    FILE *in = fopen(a, "r"), *out = fopen(b, "w");
    assert_non_null(in);
    assert_non_null(out);
    char *line = NULL;
    size_t cap = 0;
    for (long n = 1; getline(&line, &cap, in) > 0; n++)
        fputs(n == 25001 ? "{\"e\":\"op\",\"id\":\"seven\",\"s\":1,\"d\":2}\n" : line, out);
    free(line);
    fclose(in);
    fclose(out);

    for (size_t p = 0; p < N_PATHS; p++) {
        sqlite3 *db = fresh_db("bad.db");
        wcp_load_stats st;
        load(db, "flushed.dump.1", NULL, &st);
        uint64_t before = fingerprint(db);
        char err[1024];
        assert_int_equal(wcp_load_dump(db, b, &paths[p], &st, err, sizeof err), -1);
        if (!strstr(err, "bad-deep.dump:25001: \"id\": expected an integer, got a string"))
            fail_msg("path %zu: unexpected error: %s", p, err);
        assert_true(fingerprint(db) == before);
        sqlite3_close(db);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_paths WCPROF_GEN WORK_DIR\n");
        return 2;
    }
    gen = argv[1];
    work = argv[2];
    mkdir(work, 0777); /* may exist */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_rows_on_every_path),
        cmocka_unit_test(test_refused_deep_inside_changes_nothing),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
