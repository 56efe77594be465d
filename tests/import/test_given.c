/* test_given.c - the resolve phase's graph built from the ops a load
 * inserted (graph.h's wcp_graph_build_ops) is the graph read back from the
 * database, and a load that builds it so stores the same rows.
 *
 *   test_given FILE...
 *
 * Each FILE (a dump, a Chrome, OTLP or Jaeger trace: the tests' inputs) is
 * loaded alone into two new databases, once with the graph read back
 * (wcp_load_opts.read_back) and once from the ops as inserted: the two
 * databases must hold the same rows. Then, for each run of it, the ops are
 * put back as a load stores them (parent_id the recorded parent,
 * reparented 0), read into a wcp_graph_ops in id order, reversed and
 * shuffled, and the graph built from them must equal, array by array, the
 * graph wcp_graph_build() reads, for each set of flags. A file that is
 * refused alone (one of a series) is tried with --allow-incomplete, then
 * skipped, and said so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fingerprint.h"
#include "graph.h"
#include "load.h"
#include "source.h"
#include "store.h"

static int n_files;
static char **files;

static sqlite3 *fresh_db(void)
{
    sqlite3 *db;
    char err[512];
    if (wcp_db_open(":memory:", WCP_DB_CREATE, &db, err, sizeof err) != 0)
        fail_msg("%s", err);
    return db;
}

/* Loads path into a new database; NULL when it is refused both plainly
 * and with --allow-incomplete. */
static sqlite3 *load(const char *path, bool read_back)
{
    static const unsigned flags[] = {0, WCP_READ_ALLOW_INCOMPLETE};
    for (size_t k = 0; k < 2; k++) {
        sqlite3 *db = fresh_db();
        wcp_load_opts o = {.read_back = read_back, .read_flags = flags[k]};
        wcp_load_stats st;
        char err[1024];
        if (wcp_load_dump(db, path, &o, &st, err, sizeof err) == 0)
            return db;
        sqlite3_close(db);
    }
    return NULL;
}

#define SAME(a, n)                                                                                 \
    do {                                                                                           \
        if ((x->a == NULL) != (y->a == NULL) ||                                                    \
            (x->a && memcmp(x->a, y->a, (size_t)(n) * sizeof *x->a) != 0))                         \
            fail_msg("%s: run %lld: %s differs (%s)", path, (long long)x->run_id, #a, how);        \
    } while (0)
#define SAME_N(a)                                                                                  \
    do {                                                                                           \
        if (x->a != y->a)                                                                          \
            fail_msg("%s: run %lld: %s %lld against %lld (%s)", path, (long long)x->run_id, #a,    \
                     (long long)x->a, (long long)y->a, how);                                       \
    } while (0)

static void same_graph(const char *path, const char *how, const wcp_graph *x, const wcp_graph *y)
{
    SAME_N(n_ops);
    SAME_N(has_threads);
    SAME_N(n_roots);
    SAME_N(n_reparented);
    SAME_N(n_parent_cycles);
    SAME_N(n_exec);
    SAME_N(exec_str);
    SAME_N(n_holds);
    SAME_N(hold_str);
    SAME_N(n_waits);
    SAME_N(n_orphan_waits);
    SAME_N(n_order_waits);
    uint32_t n = x->n_ops;
    SAME(id, n);
    SAME(start, n);
    SAME(end, n);
    SAME(parent, n);
    SAME(flags, n);
    SAME(thread, n);
    SAME(child_off, n + 1);
    SAME(child, x->child_off[n]); /* the rest of its room is unused */
    SAME(root, x->n_roots);
    SAME(exec_ident, x->n_exec);
    SAME(exec_op, x->n_exec);
    SAME(hold_res, x->n_holds);
    SAME(hold_op, x->n_holds);
    SAME(hold_mode, x->n_holds);
    SAME(kind, n);
    SAME(class_id, n);
    SAME(ident, n);
    SAME(client, n);
    SAME(outcome, n);
    SAME(work_type, n);
    SAME(self_ns, n);
    SAME(wait_off, x->wait_off ? n + 1 : 0);
    for (uint32_t k = 0; k < x->n_waits; k++) {
        const wcp_graph_wait *a = &x->waits[k], *b = &y->waits[k];
        if (a->start != b->start || a->end != b->end || a->waiter != b->waiter ||
            a->target != b->target || a->reason != b->reason || a->ident != b->ident ||
            a->by != b->by)
            fail_msg("%s: run %lld: wait %u differs (%s)", path, (long long)x->run_id, k, how);
    }
}

/* The run's ops as a load stores them, in the order order says (0: by id,
 * 1: reversed, 2: shuffled). */
static void read_ops(sqlite3 *db, int64_t run, int order, wcp_graph_ops *o)
{
    sqlite3_stmt *st;
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "SELECT id, start_ns, end_ns, recorded_parent_id, coalesce(thread_id, 0), "
            "self_ns, kind, class_id, ident_id, client_id, outcome, work_type, is_open "
            "FROM ops WHERE run_id = ?1 ORDER BY id",
            -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, run);
    while (sqlite3_step(st) == SQLITE_ROW) {
        wcp_graph_op op = {
            .id = sqlite3_column_int64(st, 0),
            .start = sqlite3_column_int64(st, 1),
            .end = sqlite3_column_int64(st, 2),
            .recorded_parent = sqlite3_column_int64(st, 3),
            .thread = sqlite3_column_int64(st, 4),
            .self_ns = sqlite3_column_int64(st, 5),
            .kind = (uint32_t)sqlite3_column_int64(st, 6),
            .class_id = (uint32_t)sqlite3_column_int64(st, 7),
            .ident = (uint32_t)sqlite3_column_int64(st, 8),
            .client = (uint32_t)sqlite3_column_int64(st, 9),
            .outcome = (uint32_t)sqlite3_column_int64(st, 10),
            .work_type = (uint32_t)sqlite3_column_int64(st, 11),
            .open = sqlite3_column_int(st, 12) != 0,
        };
        assert_true(wcp_graph_ops_add(o, &op, 4));
    }
    sqlite3_finalize(st);
    /* rows [0, n) of every array moved as one: by index through a copy */
    size_t n = o->n;
    if (order == 0 || n < 2)
        return;
    size_t *perm = malloc(n * sizeof *perm);
    assert_non_null(perm);
    for (size_t k = 0; k < n; k++)
        perm[k] = order == 1 ? n - 1 - k : k;
    if (order == 2) {
        uint64_t r = 88172645463325252ull;
        for (size_t k = n - 1; k > 0; k--) {
            r ^= r << 13;
            r ^= r >> 7;
            r ^= r << 17;
            size_t j = (size_t)(r % (k + 1)), t = perm[k];
            perm[k] = perm[j];
            perm[j] = t;
        }
    }
    wcp_graph_ops p = {0};
    for (size_t k = 0; k < n; k++) {
        size_t i = perm[k];
        wcp_graph_op op = {o->id[i],       o->start[i],   o->end[i],     o->recorded_parent[i],
                           o->thread[i],   o->self_ns[i], o->kind[i],    o->class_id[i],
                           o->ident[i],    o->client[i],  o->outcome[i], o->work_type[i],
                           o->open[i] != 0};
        assert_true(wcp_graph_ops_add(&p, &op, n));
    }
    free(perm);
    wcp_graph_ops_free(o);
    *o = p;
}

static void test_same_graph_both_ways(void **state)
{
    (void)state;
    static const unsigned flag_sets[] = {0, WCP_GRAPH_ATTRS, WCP_GRAPH_STORED | WCP_GRAPH_ATTRS,
                                         WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS,
                                         WCP_GRAPH_STORED | WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS};
    int loaded = 0;
    for (int f = 0; f < n_files; f++) {
        const char *path = files[f];
        sqlite3 *back = load(path, true), *given = load(path, false);
        if (!back) {
            assert_null(given);
            print_message("skipped (refused alone): %s\n", path);
            continue;
        }
        assert_non_null(given);
        loaded++;
        if (fingerprint(back) != fingerprint(given))
            fail_msg("%s: the databases differ (graph read back / given)", path);
        sqlite3_close(given);
        /* the ops as a load stores them, before the resolve phase */
        assert_int_equal(sqlite3_exec(back,
                                      "UPDATE ops SET parent_id = CASE WHEN recorded_parent_id "
                                      "IN (0, id) THEN NULL ELSE recorded_parent_id END, "
                                      "reparented = 0",
                                      NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_stmt *runs;
        assert_int_equal(
            sqlite3_prepare_v2(back, "SELECT id FROM runs ORDER BY id", -1, &runs, NULL),
            SQLITE_OK);
        while (sqlite3_step(runs) == SQLITE_ROW) {
            int64_t run = sqlite3_column_int64(runs, 0);
            for (size_t fs = 0; fs < sizeof flag_sets / sizeof flag_sets[0]; fs++)
                for (int order = 0; order < 3; order++) {
                    wcp_graph a, b;
                    wcp_graph_ops o = {0};
                    char err[512], how[64];
                    snprintf(how, sizeof how, "flags %u, order %d", flag_sets[fs], order);
                    read_ops(back, run, order, &o);
                    if (wcp_graph_build(back, run, flag_sets[fs], &a, err, sizeof err) != 0)
                        fail_msg("%s: %s", path, err);
                    if (wcp_graph_build_ops(back, run, flag_sets[fs], &o, &b, err, sizeof err) != 0)
                        fail_msg("%s: %s", path, err);
                    assert_int_equal(o.n, 0); /* consumed */
                    same_graph(path, how, &a, &b);
                    wcp_graph_free(&a);
                    wcp_graph_free(&b);
                }
        }
        sqlite3_finalize(runs);
        sqlite3_close(back);
    }
    print_message("%d of %d files loaded and compared\n", loaded, n_files);
    assert_true(loaded > n_files / 2);
}

/* An op id given twice is refused, and the ops are consumed all the same. */
static void test_id_twice_refused(void **state)
{
    (void)state;
    sqlite3 *db = fresh_db();
    wcp_graph_ops o = {0};
    int64_t ids[] = {5, 3, 9, 3};
    for (size_t k = 0; k < 4; k++)
        assert_true(wcp_graph_ops_add(&o, &(wcp_graph_op){.id = ids[k], .end = 1}, 0));
    wcp_graph g;
    char err[256];
    assert_int_equal(wcp_graph_build_ops(db, 1, WCP_GRAPH_ATTRS, &o, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "op id given twice"));
    assert_int_equal(o.n, 0);
    assert_null(o.id);
    /* far apart (the sort, not the slots): the same */
    int64_t far[] = {INT64_MIN, 7, INT64_MAX, 7};
    for (size_t k = 0; k < 4; k++)
        assert_true(wcp_graph_ops_add(&o, &(wcp_graph_op){.id = far[k], .end = 1}, 0));
    assert_int_equal(wcp_graph_build_ops(db, 1, WCP_GRAPH_ATTRS, &o, &g, err, sizeof err), -1);
    assert_non_null(strstr(err, "op id given twice"));
    sqlite3_close(db);
}

/* Ids far apart and above 2^63 (negative as int64) come out in uint64
 * order, with every attribute moved along with its id. */
static void test_uint64_order(void **state)
{
    (void)state;
    sqlite3 *db = fresh_db();
    wcp_graph_ops o = {0};
    int64_t ids[] = {-1, 42, INT64_MIN, 7, INT64_MAX};
    for (size_t k = 0; k < 5; k++)
        assert_true(wcp_graph_ops_add(
            &o, &(wcp_graph_op){.id = ids[k], .start = (int64_t)k, .end = 10, .kind = (uint32_t)k},
            0));
    wcp_graph g;
    char err[256];
    assert_int_equal(wcp_graph_build_ops(db, 1, WCP_GRAPH_ATTRS, &o, &g, err, sizeof err), 0);
    int64_t want[] = {7, 42, INT64_MAX, INT64_MIN, -1};
    uint32_t kind[] = {3, 1, 4, 2, 0};
    assert_int_equal(g.n_ops, 5);
    for (size_t k = 0; k < 5; k++) {
        assert_true(g.id[k] == want[k]);
        assert_int_equal(g.kind[k], kind[k]);
        assert_int_equal(g.start[k], kind[k]); /* start was the row's place, as kind */
    }
    assert_int_equal(g.n_roots, 5);
    wcp_graph_free(&g);
    sqlite3_close(db);
}

int main(int argc, char **argv)
{
    n_files = argc - 1;
    files = argv + 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_graph_both_ways),
        cmocka_unit_test(test_id_twice_refused),
        cmocka_unit_test(test_uint64_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
