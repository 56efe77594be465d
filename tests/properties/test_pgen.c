/*
 * test_pgen.c - the property tests' own graph generator makes what pgen.h
 * says it makes, as ingest sees it. Without this, a property that holds
 * "on every generated graph" could hold on graphs that never exercise it.
 *
 *   test_pgen            (ctest: prop.generator)
 *
 * Needs only the ingest library, so it runs before the analyses exist.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pdb.h"
#include "pgen.h"

enum { NSYNC = 200, NOVERLAP = 200 };

static int64_t q_int(sqlite3 *db, const char *what, const char *sql, int64_t run)
{
    char err[512];
    sqlite3_stmt *st = pdb_prepare(db, err, sizeof err, sql, (long long)run);
    if (!st)
        fail_msg("%s: %s", what, err);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: no row: %s", what, sqlite3_errmsg(db));
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static sqlite3 *ingest_graph(const pg_graph *g, const char *name, uint64_t seed, int64_t *run)
{
    char dump[600], dbp[600], err[1024];
    snprintf(dump, sizeof dump, "%s/%s-%llu.dump", pdb_scratch, name, (unsigned long long)seed);
    snprintf(dbp, sizeof dbp, "%s/%s-%llu.db", pdb_scratch, name, (unsigned long long)seed);
    if (pg_write(g, dump, seed) != 0)
        fail_msg("%s seed %llu: cannot write %s", name, (unsigned long long)seed, dump);
    const char *dumps[] = {dump};
    sqlite3 *db = pdb_ingest(dbp, dumps, 1, run, err, sizeof err);
    if (!db)
        fail_msg("%s seed %llu: ingest of %s failed: %s", name, (unsigned long long)seed, dump,
                 err);
    return db;
}

static void forget(const char *name, uint64_t seed)
{
    char p[600];
    snprintf(p, sizeof p, "%s/%s-%llu.dump", pdb_scratch, name, (unsigned long long)seed);
    unlink(p);
    snprintf(p, sizeof p, "%s/%s-%llu.db", pdb_scratch, name, (unsigned long long)seed);
    unlink(p);
}

/* Sync graphs: ingest's self times tile the makespan exactly (§2), so every
 * op's interval really is cut into self gaps and children. */
static void test_sync_tiles(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= NSYNC; seed++) {
        pg_graph g;
        pg_init(&g);
        pg_gen_sync(&g, seed, 1 + seed % 60);
        int64_t run;
        sqlite3 *db = ingest_graph(&g, "sync", seed, &run);
        int64_t ops = q_int(db, "ops", "SELECT ops FROM runs WHERE id = %lld", run);
        int64_t mk = q_int(db, "makespan", "SELECT makespan_ns FROM runs WHERE id = %lld", run);
        int64_t self = q_int(db, "self", "SELECT sum(self_ns) FROM ops WHERE run_id = %lld", run);
        int64_t warn = q_int(db, "warnings", "SELECT warnings FROM runs WHERE id = %lld", run);
        int64_t roots = q_int(db, "roots", "SELECT roots FROM runs WHERE id = %lld", run);
        int64_t idle = pg_sync_idle(&g);
        if (ops != (int64_t)g.nops)
            fail_msg("sync seed %llu: %lld ops ingested, %zu generated", (unsigned long long)seed,
                     (long long)ops, g.nops);
        if (mk != pg_sync_makespan(&g))
            fail_msg("sync seed %llu: makespan %lld, generated %lld", (unsigned long long)seed,
                     (long long)mk, (long long)pg_sync_makespan(&g));
        if (self + idle != mk)
            fail_msg("sync seed %llu: self %lld + idle %lld != makespan %lld",
                     (unsigned long long)seed, (long long)self, (long long)idle, (long long)mk);
        if (warn != 0)
            fail_msg("sync seed %llu: %lld warnings", (unsigned long long)seed, (long long)warn);
        int64_t nroots = 0;
        for (size_t i = 0; i < g.nops; i++)
            nroots += g.ops[i].parent == 0;
        if (roots != nroots)
            fail_msg("sync seed %llu: %lld roots, %lld generated", (unsigned long long)seed,
                     (long long)roots, (long long)nroots);
        sqlite3_close(db);
        forget("sync", seed);
        pg_free(&g);
    }
    pdb_passed = 1;
}

/* Overlap graphs: they ingest, and over all seeds they hold every feature
 * pgen.h promises (counted by ingest, not by the generator). */
static void test_overlap_features(void **state)
{
    (void)state;
    int64_t open = 0, orphans = 0, reparented = 0, clamped = 0, unknown_parent = 0, cycles = 0,
            exec_by_ident = 0, unresolved = 0, child_after = 0, child_before = 0, overlap_roots = 0,
            abandoned = 0, self_waits = 0;
    for (uint64_t seed = 1; seed <= NOVERLAP; seed++) {
        pg_graph g;
        pg_init(&g);
        pg_gen_overlap(&g, seed, 2 + seed * 7 % 300);
        int64_t run;
        sqlite3 *db = ingest_graph(&g, "overlap", seed, &run);
        int64_t ops = q_int(db, "ops", "SELECT ops FROM runs WHERE id = %lld", run);
        int64_t nopen = 0;
        for (size_t i = 0; i < g.nops; i++)
            nopen += g.ops[i].open;
        if (ops != (int64_t)g.nops)
            fail_msg("overlap seed %llu: %lld ops ingested, %zu generated",
                     (unsigned long long)seed, (long long)ops, g.nops);
        if (q_int(db, "open", "SELECT open_ops FROM runs WHERE id = %lld", run) != nopen)
            fail_msg("overlap seed %llu: open ops differ", (unsigned long long)seed);
        if (q_int(db, "waits", "SELECT waits FROM runs WHERE id = %lld", run) != (int64_t)g.nwaits)
            fail_msg("overlap seed %llu: waits differ", (unsigned long long)seed);
        open += nopen;
        orphans += q_int(db, "orphans", "SELECT orphan_waits FROM runs WHERE id = %lld", run);
        reparented += q_int(db, "rep", "SELECT reparented_ops FROM runs WHERE id = %lld", run);
        clamped += q_int(db, "warnings", "SELECT warnings FROM runs WHERE id = %lld", run);
        unknown_parent += q_int(db, "unknown parent",
                                "SELECT count(*) FROM ops WHERE run_id = %lld AND parent_id IS NULL"
                                " AND recorded_parent_id != 0",
                                run);
        /* a wait on an ancestor: the replay meets a cycle */
        cycles += q_int(db, "cycles",
                        "WITH RECURSIVE r(id) AS (SELECT %lld), up(id, anc) AS ("
                        "  SELECT o.id, o.parent_id FROM ops o, r WHERE o.run_id = r.id"
                        "    AND o.parent_id IS NOT NULL"
                        "  UNION SELECT up.id, o.parent_id FROM up, r JOIN ops o"
                        "    ON o.run_id = r.id AND o.id = up.anc WHERE o.parent_id IS NOT NULL)"
                        " SELECT count(*) FROM waits w, r JOIN up ON up.id = w.waiter_id"
                        "   AND up.anc = w.target_id WHERE w.run_id = r.id",
                        run);
        exec_by_ident += q_int(db, "exec ident",
                               "SELECT count(*) FROM waits WHERE run_id = %lld"
                               " AND recorded_target_id = 0 AND target_id IS NOT NULL",
                               run);
        unresolved += q_int(db, "unresolved",
                            "SELECT count(*) FROM waits WHERE run_id = %lld"
                            " AND recorded_target_id != 0 AND target_id IS NULL",
                            run);
        child_after += q_int(db, "child after",
                             "SELECT count(*) FROM ops c JOIN ops p ON p.run_id = c.run_id"
                             " AND p.id = c.parent_id WHERE c.run_id = %lld"
                             " AND c.end_ns > p.end_ns",
                             run);
        child_before += q_int(db, "child before",
                              "SELECT count(*) FROM ops c JOIN ops p ON p.run_id = c.run_id AND"
                              " p.id = c.parent_id WHERE c.run_id = %lld"
                              " AND c.start_ns < p.start_ns",
                              run);
        overlap_roots += q_int(db, "overlapping roots",
                               "SELECT count(*) FROM ops a JOIN ops b ON b.run_id = a.run_id"
                               " AND b.parent_id IS NULL AND a.id != b.id"
                               " AND b.start_ns > a.start_ns AND b.start_ns < a.end_ns"
                               " WHERE a.run_id = %lld AND a.parent_id IS NULL",
                               run);
        abandoned += q_int(db, "abandoned",
                           "SELECT count(*) FROM waits w JOIN ops t ON t.run_id = w.run_id"
                           " AND t.id = w.target_id WHERE w.run_id = %lld"
                           " AND w.end_ns < t.end_ns - 1000000 AND w.target_id != w.waiter_id",
                           run);
        self_waits += q_int(db, "self waits",
                            "SELECT count(*) FROM waits WHERE run_id = %lld"
                            " AND target_id = waiter_id",
                            run);
        sqlite3_close(db);
        forget("overlap", seed);
        pg_free(&g);
    }
    printf("over %d overlap graphs: open %lld, orphan waits %lld, reparented %lld, d<s %lld, "
           "unknown parents %lld, waits on ancestors %lld, exec waits by ident %lld, "
           "unknown targets %lld, children ending late %lld, starting early %lld, "
           "overlapping roots %lld, abandoned waits %lld, self waits %lld\n",
           NOVERLAP, (long long)open, (long long)orphans, (long long)reparented, (long long)clamped,
           (long long)unknown_parent, (long long)cycles, (long long)exec_by_ident,
           (long long)unresolved, (long long)child_after, (long long)child_before,
           (long long)overlap_roots, (long long)abandoned, (long long)self_waits);
    assert_true(open > 0 && orphans > 0 && reparented > 0 && clamped > 0 && unknown_parent > 0);
    assert_true(cycles > 0 && exec_by_ident > 0 && unresolved > 0 && child_after > 0);
    assert_true(child_before > 0 && overlap_roots > 0 && abandoned > 0 && self_waits > 0);
    pdb_passed = 1;
}

/* The same seed writes the same bytes. */
static void test_deterministic(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        char a[600], b[600];
        snprintf(a, sizeof a, "%s/a.dump", pdb_scratch);
        snprintf(b, sizeof b, "%s/b.dump", pdb_scratch);
        for (int k = 0; k < 2; k++) {
            pg_graph g;
            pg_init(&g);
            if (seed % 2)
                pg_gen_sync(&g, seed, 50);
            else
                pg_gen_overlap(&g, seed, 200);
            assert_int_equal(pg_write(&g, k ? b : a, seed), 0);
            pg_free(&g);
        }
        FILE *fa = fopen(a, "rb"), *fb = fopen(b, "rb");
        assert_non_null(fa);
        assert_non_null(fb);
        int ca, cb;
        do {
            ca = fgetc(fa);
            cb = fgetc(fb);
        } while (ca == cb && ca != EOF);
        fclose(fa);
        fclose(fb);
        if (ca != cb)
            fail_msg("seed %llu: two dumps of one seed differ", (unsigned long long)seed);
        unlink(a);
        unlink(b);
    }
    pdb_passed = 1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sync_tiles, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_overlap_features, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_deterministic, pdb_setup, pdb_teardown),
    };
    return cmocka_run_group_tests_name("prop.generator", tests, NULL, NULL);
}
