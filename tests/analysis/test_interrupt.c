/*
 * test_interrupt.c - every analysis over a whole run stops when
 * interrupted (sqlite3_interrupt(), the shell's Ctrl-C), at each of its
 * polls, and leaves nothing half done (model/stop.h).
 *
 *   test_interrupt PATH-TO-wcprof-gen
 *
 * On a generated run of some 45K ops (every loop over the ops polls every
 * 4096 of them, so each polls several times), with wcp_stop_test on (each
 * poll probes, and the probe numbered K interrupts): per function, its
 * rows uninterrupted and its number of probes P, which must be at least 1
 * for a function over the whole run (a function that never polls cannot
 * be stopped); then interrupted at probes 1, 2, P / 2 and P, each must fail
 * with SQLITE_INTERRUPT, and the next uninterrupted call must give the same
 * rows (no model, cache or index left half built). Deterministic: it
 * counts polls, not time, so a loaded machine does not change it. The
 * functions that replay on the job pool's threads (whatif_rank,
 * whatif_rank_meta) poll on the connection's thread as many times as it
 * takes passes, which the threads share out: they are interrupted at
 * probe 1, which comes on every run (before the first pass).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb.h"
#include "stop.h"
#include "wcprof_ext.h"

static const char *gen_path;
static char db_path[600];

#define SUMMARY "SELECT * FROM replay_summary"
#define RELATED                                                                                    \
    "SELECT op_id, depth, tie, via_id FROM related_ops((SELECT min(id) FROM ops"                   \
    " WHERE parent_id IS NULL), 1000)" /* the whole run, 61 steps deep */

typedef struct fn {
    const char *name, *sql;
    const char *warm; /* run first, uninterrupted (NULL: nothing) */
    bool fresh;       /* on a connection of its own (an empty model cache) */
    bool threads;     /* replays on the job pool */
} fn;

static const fn fns[] = {
    {"model build", SUMMARY, NULL, true, false},
    {"related_ops' index", RELATED, SUMMARY, true, false},
    {"related_ops", RELATED, RELATED, false, false},
    {"class_breakdown", "SELECT * FROM class_breakdown", SUMMARY, false, false},
    {"parallelism", "SELECT * FROM parallelism", SUMMARY, false, false},
    {"utilization", "SELECT * FROM utilization", SUMMARY, false, false},
    {"utilization (slices)", "SELECT * FROM utilization(NULL, 20)", SUMMARY, false, false},
    {"mmu", "SELECT * FROM mmu", SUMMARY, false, false},
    {"mud", "SELECT * FROM mud(1000000)", SUMMARY, false, false},
    {"worst_windows", "SELECT * FROM worst_windows(1000000, 20)", SUMMARY, false, false},
    {"resource_stats", "SELECT * FROM resource_stats", SUMMARY, false, false},
    {"critical_path", "SELECT * FROM critical_path", SUMMARY, false, false},
    {"replay_drift", "SELECT * FROM replay_drift", SUMMARY, false, false},
    {"tasks", "SELECT * FROM tasks", SUMMARY, false, false},
    {"whatif_rank", "SELECT * FROM whatif_rank()", SUMMARY, false, true},
    {"whatif_rank (rank <= 3)", "SELECT * FROM whatif_rank() WHERE rank <= 3", SUMMARY, false,
     true},
    {"whatif_rank_meta", "SELECT * FROM whatif_rank_meta()", SUMMARY, false, true},
};

/* On a run with a lock, whose replays are §6 rule 8's discrete-event ones:
 * the model's, a what-if's (compiled for it), the resources' and the
 * ranking's. */
static const fn lock_fns[] = {
    {"model build (locks)", SUMMARY, NULL, true, false},
    {"whatif (locks)", "SELECT * FROM whatif('call:task=0.5')", SUMMARY, false, false},
    {"critical_path (locks)", "SELECT * FROM critical_path('hold:L=0')", SUMMARY, false, false},
    {"resource_stats (locks)", "SELECT * FROM resource_stats", SUMMARY, false, false},
    {"whatif_rank (locks)", "SELECT * FROM whatif_rank()", SUMMARY, false, true},
};

static sqlite3 *open_db(void)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(wcprof_register_extension(db), SQLITE_OK);
    return db;
}

/* Runs sql to its end; its rows as text into *rows (sqlite3_free). The
 * statement's last code: SQLITE_DONE, or the failure's. */
static int run(sqlite3 *db, const char *sql, char **rows)
{
    sqlite3_stmt *st;
    sqlite3_str *s = sqlite3_str_new(NULL);
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                sqlite3_str_appendf(s, "%s%c", t ? (const char *)t : "NULL",
                                    c + 1 < sqlite3_column_count(st) ? '\t' : '\n');
            }
        sqlite3_finalize(st);
    }
    *rows = sqlite3_str_finish(s);
    return rc;
}

/* The connection function f runs on (db, or a fresh one), warmed. */
static sqlite3 *prepare(const fn *f, sqlite3 *db)
{
    sqlite3 *on = f->fresh ? open_db() : db;
    char *rows;
    wcp_stop_test = (wcp_stop_testing){false, 0, 0};
    if (f->warm) {
        if (run(on, f->warm, &rows) != SQLITE_DONE)
            fail_msg("%s: %s", f->warm, sqlite3_errmsg(on));
        sqlite3_free(rows);
    }
    return on;
}

/* One probe count K: the call interrupted there fails with SQLITE_INTERRUPT,
 * and the next call on the same connection gives want. */
static void interrupt_at(const fn *f, uint64_t k, const char *want, sqlite3 *db)
{
    const char *sql = f->sql;
    sqlite3 *on = prepare(f, db);
    char *rows;
    wcp_stop_test = (wcp_stop_testing){true, 0, k};
    int rc = run(on, sql, &rows);
    uint64_t probes = wcp_stop_test.probes;
    wcp_stop_test.interrupt_at = 0;
    sqlite3_free(rows);
    if (rc != SQLITE_INTERRUPT)
        fail_msg("%s interrupted at probe %llu of %llu: got %d (%s), not SQLITE_INTERRUPT", f->name,
                 (unsigned long long)k, (unsigned long long)probes, rc, sqlite3_errstr(rc));
    rc = run(on, sql, &rows); /* again, uninterrupted: whole, the same */
    if (rc != SQLITE_DONE || strcmp(rows, want) != 0)
        fail_msg("%s after an interruption at probe %llu: %s, and %s rows", f->name,
                 (unsigned long long)k, sqlite3_errstr(rc),
                 strcmp(rows, want) ? "other" : "the same");
    sqlite3_free(rows);
    if (on != db)
        sqlite3_close(on);
}

/* Each function of list (n of them) on db_path: its probes counted
 * uninterrupted, then interrupted at probes 1, 2, P / 2 and P. */
static void each_poll(const fn *list, size_t n)
{
    sqlite3 *db = open_db();
    for (size_t i = 0; i < n; i++) {
        const fn *f = &list[i];
        sqlite3 *on = prepare(f, db); /* the model (and all else) first: the probes are f's */
        char *want;
        wcp_stop_test = (wcp_stop_testing){true, 0, 0};
        int rc = run(on, f->sql, &want);
        uint64_t p = wcp_stop_test.probes;
        wcp_stop_test.on = false;
        if (on != db)
            sqlite3_close(on);
        if (rc != SQLITE_DONE)
            fail_msg("%s: %s", f->name, sqlite3_errstr(rc));
        print_message("%-24s %6llu probes\n", f->name, (unsigned long long)p);
        if (p == 0)
            fail_msg("%s never polled: nothing could stop it", f->name);
        uint64_t ks[] = {1, 2, p / 2, p};
        for (size_t j = 0; j < (f->threads ? 1 : 4); j++)
            if (ks[j] >= 1 && ks[j] <= p && (j == 0 || ks[j] != ks[j - 1]))
                interrupt_at(f, ks[j], want, db);
        sqlite3_free(want);
    }
    sqlite3_close(db);
    wcp_stop_test = (wcp_stop_testing){false, 0, 0};
}

static void ingest(const char *dump)
{
    char err[1024];
    const char *dumps[] = {dump};
    sqlite3 *db = pdb_ingest(db_path, dumps, 1, NULL, err, sizeof err);
    if (!db)
        fail_msg("%s", err);
    sqlite3_close(db);
}

static void test_each_poll(void **state)
{
    (void)state;
    char dump[600];
    snprintf(dump, sizeof dump, "%s/run.dump", pdb_scratch);
    snprintf(db_path, sizeof db_path, "%s/run.db", pdb_scratch);
    char *argv[] = {(char *)gen_path, "-n", "60000", "-s", "3", "--meta", "5", "-o", dump, NULL};
    assert_int_equal(pdb_spawn(argv), 0);
    ingest(dump);
    each_poll(fns, sizeof fns / sizeof fns[0]);
    pdb_passed = 1;
}

/* A pool of 4 worker threads running 2500 tasks each, in rounds of 200 us,
 * each task holding lock L for 30 us, the holds of a round one after
 * another: 20001 ops, a run with a lock. */
static void test_each_poll_locks(void **state)
{
    (void)state;
    char dump[600];
    snprintf(dump, sizeof dump, "%s/locks.dump", pdb_scratch);
    snprintf(db_path, sizeof db_path, "%s/locks.db", pdb_scratch);
    FILE *f = fopen(dump, "w");
    assert_non_null(f);
    enum { WORKERS = 4, ROUNDS = 2500, ROUND_NS = 200000 };
    fprintf(f,
            "{\"schema_version\":1,\"epoch_unix_nano\":0,\"dumped_unix_nano\":%d,"
            "\"dropped_events\":0,\"event_count\":%d,\"strings\":[\"\",\"s\",\"task\",\"L\"]}\n",
            ROUNDS * ROUND_NS, 1 + 2 * WORKERS * ROUNDS);
    fprintf(f,
            "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":0,\"d\":%d,"
            "\"th\":100}\n",
            ROUNDS * ROUND_NS);
    int id = 2;
    for (int r = 0; r < ROUNDS; r++)
        for (int w = 0; w < WORKERS; w++, id += 2) {
            int t = r * ROUND_NS, h = t + 10000 + w * 40000;
            fprintf(f,
                    "{\"e\":\"op\",\"k\":\"hold\",\"id\":%d,\"p\":%d,\"c\":3,\"s\":%d,"
                    "\"d\":%d,\"th\":%d}\n",
                    id + 1, id, h, h + 30000, w + 1);
            fprintf(f,
                    "{\"e\":\"op\",\"k\":\"call\",\"id\":%d,\"p\":1,\"c\":2,\"s\":%d,"
                    "\"d\":%d,\"th\":%d}\n",
                    id, t, t + ROUND_NS, w + 1);
        }
    assert_int_equal(fclose(f), 0);
    ingest(dump);
    each_poll(lock_fns, sizeof lock_fns / sizeof lock_fns[0]);
    pdb_passed = 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_interrupt PATH-TO-wcprof-gen\n");
        return 2;
    }
    gen_path = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_poll, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_each_poll_locks, pdb_setup, pdb_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
