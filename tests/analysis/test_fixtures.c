/* test_fixtures.c - the reference fixtures (tests/fixtures) through the
 * analyses extension: every analysis number of NAME.expected.json.
 *
 *   test_analysis_fixtures INGEST FIXTURES_DIR NAME WORK_DIR
 *
 * NAME.dump is loaded by the wcprof-ingest program INGEST into WORK_DIR/NAME.db
 * (as a user would), the extension is registered on it with
 * wcprof_register_extension(), and each cmocka test checks one analysis:
 *
 *   summary        replay_summary: baseline_ns, makespan_ns, cycles_broken,
 *                  fallback_anchors
 *   whatif_rank    default factors and threshold: exactly the class keys of
 *                  whatif_saved_ns, each with exactly its factors, every saving
 *   whatif         the same savings one by one through whatif('KEY=F'), whose
 *                  baseline_ns is the baseline
 *   blocking_chain op ids in order
 *   dead_air       [start, end] pairs in order
 *   critical_path  segments in time order, disjoint, dur = end - start, and
 *                  their lengths add up to the baseline makespan
 *   breakdown      every op's op_breakdown adds up to its duration, none is
 *                  negative, and its self is the op's self_ns (§7.1);
 *                  class_breakdown's classes and roots add up to the run's
 *
 * (The numbers ingest materialises are tests/import/test_fixtures.c's.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wcprof_ext.h"

static const char *ingest, *dir, *name, *work;

struct fixture {
    sqlite3 *db;  /* the ingested database, extension registered */
    json_t *want; /* NAME.expected.json */
};

/* Runs INGEST -q -o DB DUMP; returns its exit status, or -1 when it could not
 * be run or did not exit normally. */
static int run_ingest(const char *db, const char *dump)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        const char *argv[] = {ingest, "-q", "-o", db, dump, NULL};
        execv(ingest, (char *const *)argv);
        fprintf(stderr, "cannot run %s: %s\n", ingest, strerror(errno));
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static int setup(void **state)
{
    static struct fixture fx;
    char path[4096], db[4096];
    json_error_t je;

    snprintf(path, sizeof path, "%s/%s.expected.json", dir, name);
    fx.want = json_load_file(path, 0, &je);
    if (!fx.want) {
        fprintf(stderr, "%s:%d: %s\n", path, je.line, je.text);
        return -1;
    }
    if (mkdir(work, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "%s: %s\n", work, strerror(errno));
        return -1;
    }
    snprintf(db, sizeof db, "%s/%s.db", work, name);
    remove(db);
    snprintf(path, sizeof path, "%s/%s.dump", dir, name);
    int status = run_ingest(db, path);
    if (status != 0) {
        fprintf(stderr, "%s -q -o %s %s: exit status %d\n", ingest, db, path, status);
        return -1;
    }
    if (sqlite3_open_v2(db, &fx.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", db, sqlite3_errmsg(fx.db));
        return -1;
    }
    if (wcprof_register_extension(fx.db) != SQLITE_OK) {
        fprintf(stderr, "wcprof_register_extension: %s\n", sqlite3_errmsg(fx.db));
        return -1;
    }
    *state = &fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    sqlite3_close(fx->db);
    json_decref(fx->want);
    return 0;
}

/* Prepares SQL, binding ARG (if not NULL) to ?1; fails the test on error. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    return st;
}

/* Steps ST; returns 1 for a row, 0 at the end; fails the test on error. */
static int step(sqlite3 *db, sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    if (rc != SQLITE_DONE)
        fail_msg("%s: %s", sqlite3_sql(st), sqlite3_errmsg(db));
    return 0;
}

static json_int_t want_int(const json_t *want, const char *key)
{
    json_t *v = json_object_get(want, key);
    if (!json_is_integer(v))
        fail_msg("%s.expected.json: no integer %s", name, key);
    return json_integer_value(v);
}

static void check_summary(void **state)
{
    struct fixture *fx = *state;
    static const char *const cols[] = {"baseline_ns", "makespan_ns", "cycles_broken",
                                       "fallback_anchors"};
    sqlite3_stmt *st = prepare(fx->db,
                               "SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors"
                               " FROM replay_summary",
                               NULL);
    if (!step(fx->db, st))
        fail_msg("%s: replay_summary returned no row", name);
    for (int k = 0; k < 4; k++) {
        int64_t got = sqlite3_column_int64(st, k);
        json_int_t exp = want_int(fx->want, cols[k]);
        if (got != exp)
            fail_msg("%s: replay_summary.%s = %lld, expected %lld", name, cols[k], (long long)got,
                     (long long)exp);
    }
    if (step(fx->db, st))
        fail_msg("%s: replay_summary returned more than one row", name);
    sqlite3_finalize(st);
}

/* The key of FACTORS (an object "0" / "0.5" / "0.9" -> saving) whose number is
 * F, or NULL. */
static const char *factor_key(json_t *factors, double f)
{
    const char *key;
    json_t *v;
    json_object_foreach(factors, key, v)
    {
        if (fabs(strtod(key, NULL) - f) < 1e-9)
            return key;
    }
    return NULL;
}

static void check_whatif_rank(void **state)
{
    struct fixture *fx = *state;
    json_t *saved = json_object_get(fx->want, "whatif_saved_ns");
    json_t *seen = json_object(); /* class key -> {factor key: true} */
    sqlite3_stmt *st = prepare(fx->db,
                               "SELECT class_key, factor, saved_ns FROM whatif_rank"
                               " ORDER BY class_key, factor",
                               NULL);
    while (step(fx->db, st)) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        double f = sqlite3_column_double(st, 1);
        int64_t got = sqlite3_column_int64(st, 2);
        json_t *factors = json_object_get(saved, key);
        if (!factors)
            fail_msg("%s: whatif_rank ranks %s, which expected.json does not", name, key);
        const char *fk = factor_key(factors, f);
        if (!fk)
            fail_msg("%s: whatif_rank has %s at factor %g, which expected.json does not", name, key,
                     f);
        json_t *s = json_object_get(seen, key);
        if (!s)
            json_object_set_new(seen, key, s = json_object());
        if (json_object_get(s, fk))
            fail_msg("%s: whatif_rank has %s at factor %s twice", name, key, fk);
        json_object_set_new(s, fk, json_true());
        json_int_t exp = json_integer_value(json_object_get(factors, fk));
        if (got != exp)
            fail_msg("%s: whatif_rank saved_ns of %s at %s = %lld, expected %lld", name, key, fk,
                     (long long)got, (long long)exp);
    }
    sqlite3_finalize(st);

    const char *key;
    json_t *factors;
    json_object_foreach(saved, key, factors)
    {
        json_t *s = json_object_get(seen, key);
        if (!s)
            fail_msg("%s: whatif_rank does not rank %s", name, key);
        if (json_object_size(s) != json_object_size(factors))
            fail_msg("%s: whatif_rank has %zu factors for %s, expected %zu", name,
                     json_object_size(s), key, json_object_size(factors));
    }
    assert_int_equal(json_object_size(seen), json_object_size(saved));
    json_decref(seen);
}

static void check_whatif(void **state)
{
    struct fixture *fx = *state;
    json_int_t baseline = want_int(fx->want, "baseline_ns");
    const char *key, *fk;
    json_t *factors, *v;
    json_object_foreach(json_object_get(fx->want, "whatif_saved_ns"), key, factors)
    {
        json_object_foreach(factors, fk, v)
        {
            char spec[512];
            snprintf(spec, sizeof spec, "%s=%s", key, fk);
            sqlite3_stmt *st =
                prepare(fx->db, "SELECT baseline_ns, saved_ns FROM whatif(?1)", spec);
            if (!step(fx->db, st))
                fail_msg("%s: whatif('%s') returned no row", name, spec);
            int64_t b = sqlite3_column_int64(st, 0), got = sqlite3_column_int64(st, 1);
            sqlite3_finalize(st);
            if (b != baseline)
                fail_msg("%s: whatif('%s').baseline_ns = %lld, expected %lld", name, spec,
                         (long long)b, (long long)baseline);
            if (got != json_integer_value(v))
                fail_msg("%s: whatif('%s').saved_ns = %lld, expected %lld", name, spec,
                         (long long)got, (long long)json_integer_value(v));
        }
    }
}

static void check_blocking_chain(void **state)
{
    struct fixture *fx = *state;
    json_t *want = json_object_get(fx->want, "blocking_chain");
    sqlite3_stmt *st = prepare(fx->db, "SELECT op_id FROM blocking_chain ORDER BY seq", NULL);
    size_t n = 0;
    while (step(fx->db, st)) {
        int64_t got = sqlite3_column_int64(st, 0);
        if (n >= json_array_size(want))
            fail_msg("%s: blocking_chain has more than %zu ops (op %lld next)", name,
                     json_array_size(want), (long long)got);
        json_int_t exp = json_integer_value(json_array_get(want, n));
        if (got != exp)
            fail_msg("%s: blocking_chain[%zu] = op %lld, expected op %lld", name, n, (long long)got,
                     (long long)exp);
        n++;
    }
    sqlite3_finalize(st);
    if (n != json_array_size(want))
        fail_msg("%s: blocking_chain has %zu ops, expected %zu", name, n, json_array_size(want));
}

static void check_dead_air(void **state)
{
    struct fixture *fx = *state;
    json_t *want = json_object_get(fx->want, "dead_air");
    sqlite3_stmt *st =
        prepare(fx->db, "SELECT start_ns, end_ns FROM dead_air ORDER BY start_ns", NULL);
    size_t n = 0;
    while (step(fx->db, st)) {
        int64_t s = sqlite3_column_int64(st, 0), e = sqlite3_column_int64(st, 1);
        if (n >= json_array_size(want))
            fail_msg("%s: dead_air has more than %zu gaps ([%lld, %lld] next)", name,
                     json_array_size(want), (long long)s, (long long)e);
        json_t *gap = json_array_get(want, n);
        json_int_t es = json_integer_value(json_array_get(gap, 0)),
                   ee = json_integer_value(json_array_get(gap, 1));
        if (s != es || e != ee)
            fail_msg("%s: dead_air[%zu] = [%lld, %lld], expected [%lld, %lld]", name, n,
                     (long long)s, (long long)e, (long long)es, (long long)ee);
        n++;
    }
    sqlite3_finalize(st);
    if (n != json_array_size(want))
        fail_msg("%s: dead_air has %zu gaps, expected %zu", name, n, json_array_size(want));
}

static void check_critical_path(void **state)
{
    struct fixture *fx = *state;
    json_int_t baseline = want_int(fx->want, "baseline_ns");
    sqlite3_stmt *st = prepare(
        fx->db, "SELECT seq, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq", NULL);
    int64_t sum = 0, prev_end = INT64_MIN;
    while (step(fx->db, st)) {
        int64_t seq = sqlite3_column_int64(st, 0), s = sqlite3_column_int64(st, 1);
        int64_t e = sqlite3_column_int64(st, 2), d = sqlite3_column_int64(st, 3);
        if (d != e - s)
            fail_msg("%s: critical_path segment %lld: dur_ns %lld != end_ns - start_ns = %lld",
                     name, (long long)seq, (long long)d, (long long)(e - s));
        if (d < 0)
            fail_msg("%s: critical_path segment %lld has a negative length", name, (long long)seq);
        if (s < prev_end)
            fail_msg(
                "%s: critical_path segment %lld starts at %lld, before the previous one ends (%lld)",
                name, (long long)seq, (long long)s, (long long)prev_end);
        prev_end = e;
        sum += d;
    }
    sqlite3_finalize(st);
    if (sum != baseline)
        fail_msg("%s: critical_path segments add up to %lld, the baseline makespan is %lld", name,
                 (long long)sum, (long long)baseline);
}

static void check_breakdown(void **state)
{
    struct fixture *fx = *state;
    sqlite3_stmt *st = prepare(fx->db,
                               "SELECT o.id, o.end_ns - o.start_ns, o.self_ns,"
                               " (SELECT sum(dur_ns) FROM op_breakdown(o.id)),"
                               " (SELECT min(dur_ns) FROM op_breakdown(o.id)),"
                               " (SELECT dur_ns FROM op_breakdown(o.id) WHERE state = 'self')"
                               " FROM ops o WHERE o.run_id = (SELECT max(id) FROM runs)",
                               NULL);
    int64_t n = 0, total = 0;
    while (step(fx->db, st)) {
        int64_t id = sqlite3_column_int64(st, 0), dur = sqlite3_column_int64(st, 1);
        int64_t self = sqlite3_column_int64(st, 2), sum = sqlite3_column_int64(st, 3);
        int64_t min = sqlite3_column_int64(st, 4), bself = sqlite3_column_int64(st, 5);
        if (sum != dur || min < 0 || bself != self)
            fail_msg("%s: op %lld: op_breakdown adds up to %lld (duration %lld), least part %lld, "
                     "self %lld (self_ns %lld)",
                     name, (long long)id, (long long)sum, (long long)dur, (long long)min,
                     (long long)bself, (long long)self);
        n++;
        total += dur;
    }
    sqlite3_finalize(st);
    if (n == 0)
        fail_msg("%s: no ops", name);
    for (int k = 0; k < 2; k++) {
        st = prepare(fx->db, "SELECT sum(total_ns) FROM class_breakdown WHERE scope = ?1",
                     k ? "root" : "class");
        int64_t sum = step(fx->db, st) ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        if (sum != total)
            fail_msg("%s: class_breakdown's %s rows add up to %lld, the ops' durations to %lld",
                     name, k ? "root" : "class", (long long)sum, (long long)total);
    }
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: test_analysis_fixtures INGEST FIXTURES_DIR NAME WORK_DIR\n");
        return 2;
    }
    ingest = argv[1];
    dir = argv[2];
    name = argv[3];
    work = argv[4];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(check_summary),   cmocka_unit_test(check_whatif_rank),
        cmocka_unit_test(check_whatif),    cmocka_unit_test(check_blocking_chain),
        cmocka_unit_test(check_dead_air),  cmocka_unit_test(check_critical_path),
        cmocka_unit_test(check_breakdown),
    };
    return cmocka_run_group_tests_name(name, tests, setup, teardown);
}
