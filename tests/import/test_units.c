/* test_units.c - unit tests of the scanner, the reader, the graph and the
 * quantiles the resolve phase stores (base/quantiles.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dump.h"
#include "graph.h"
#include "guess.h"
#include "jscan.h"
#include "load.h"
#include "quantiles.h"
#include "store.h"

/* ---- the self-time and target guesser */

static wcp_event op_ev(int64_t id, int64_t p, int64_t s, int64_t d)
{
    return (wcp_event){.type = WCP_EV_OP, .id = id, .p = p, .s = s, .d = d, .k = {"call", 4}};
}

static wcp_event wait_ev(int64_t p, int64_t t, int64_t s, int64_t d, uint32_t ident,
                         const char *reason)
{
    return (wcp_event){.type = WCP_EV_WAIT,
                       .p = p,
                       .t = t,
                       .s = s,
                       .d = d,
                       .i = ident,
                       .rs = {reason, strlen(reason)}};
}

/* seen, then ready at once (a reader without its thread) */
static int64_t guess_now(wcp_guess *g, wcp_event e)
{
    wcp_guess_seen(g, &e);
    return wcp_guess_ready(g, &e);
}

static void test_guess_self_time(void **s)
{
    (void)s;
    wcp_guess *g = wcp_guess_new(1000);
    assert_non_null(g);
    /* op 1 [0, 100): children [10, 30) and [20, 40), a wait [50, 60), a child
     * [90, 120) clipped to 100: self 100 - 30 - 10 - 10 = 50 */
    assert_int_equal(guess_now(g, op_ev(2, 1, 10, 30)), 20);
    assert_int_equal(guess_now(g, op_ev(3, 1, 20, 40)), 20);
    assert_int_equal(guess_now(g, wait_ev(1, 0, 50, 60, 0, "lock")), 0);
    assert_int_equal(guess_now(g, op_ev(4, 1, 90, 120)), 30);
    assert_int_equal(guess_now(g, op_ev(1, 0, 0, 100)), 50);
    /* what came for op 1 is forgotten once it came: a second op 1 is whole */
    assert_int_equal(guess_now(g, op_ev(1, 0, 0, 100)), 100);
    /* a child seen after its parent but before the parent is ready counts */
    wcp_event parent = op_ev(7, 0, 0, 10), child = op_ev(8, 7, 2, 5);
    wcp_guess_seen(g, &parent);
    wcp_guess_seen(g, &child);
    assert_int_equal(wcp_guess_ready(g, &parent), 7);
    assert_int_equal(wcp_guess_ready(g, &child), 3);
    /* a self-parent is no child of itself */
    assert_int_equal(guess_now(g, op_ev(9, 9, 0, 10)), 10);
    wcp_guess_free(g);
}

static void test_guess_forgets_when_full(void **s)
{
    (void)s;
    wcp_guess *g = wcp_guess_new(2);
    guess_now(g, op_ev(2, 1, 0, 10));
    guess_now(g, op_ev(3, 1, 10, 20));
    guess_now(g, op_ev(4, 1, 20, 25)); /* the third: the first two are forgotten */
    assert_int_equal(guess_now(g, op_ev(1, 0, 0, 100)), 95);
    wcp_guess_free(g);
}

static void test_guess_exec_target(void **s)
{
    (void)s;
    wcp_guess *g = wcp_guess_new(1000);
    wcp_event e1 = op_ev(10, 0, 0, 50), e2 = op_ev(11, 0, 0, 80), e3 = op_ev(12, 0, 0, 80);
    e1.k = e2.k = e3.k = (wcp_str){"exec", 4};
    e1.i = e2.i = e3.i = 5;
    guess_now(g, e1);
    assert_int_equal(guess_now(g, wait_ev(1, 0, 0, 1, 5, "exec")), 10);
    guess_now(g, e3);
    guess_now(g, e2); /* as long as 12, lower id: 11 */
    assert_int_equal(guess_now(g, wait_ev(1, 0, 0, 1, 5, "exec")), 11);
    assert_int_equal(guess_now(g, wait_ev(1, 33, 0, 1, 5, "exec")), 33); /* a recorded 't' */
    assert_int_equal(guess_now(g, wait_ev(1, 0, 0, 1, 6, "exec")), 0);   /* no exec with ident 6 */
    assert_int_equal(guess_now(g, wait_ev(1, 0, 0, 1, 5, "lock")), 0);   /* not an exec wait */
    wcp_guess_free(g);
}

/* ---- jscan */

enum { A, B, NSLOT };
static int key_ab(const char *k, size_t n)
{
    if (n == 1 && k[0] == 'a')
        return A;
    if (n == 1 && k[0] == 'b')
        return B;
    return -1;
}

static void scan(const char *text, int want_rc, jv *v, jv *extra, jscan *js)
{
    jscan_init(js);
    assert_int_equal(jscan_object(js, text, strlen(text), key_ab, v, NSLOT, extra), want_rc);
}

static void test_scan_plain(void **s)
{
    (void)s;
    jscan js;
    jv v[NSLOT], x;
    scan("{\"a\":-42,\"b\":\"hello\"}", 0, v, &x, &js);
    assert_int_equal(v[A].type, JV_INT);
    assert_int_equal(v[A].i, -42);
    assert_int_equal(v[B].type, JV_STR);
    assert_int_equal(v[B].n, 5);
    assert_memory_equal(v[B].s, "hello", 5);
    assert_int_equal(x.type, JV_ABSENT);
    jscan_free(&js);
}

static void test_scan_escapes_and_unknown(void **s)
{
    (void)s;
    jscan js;
    jv v[NSLOT], x;
    scan(" { \"b\" : \"caf\\u00e9\\n\" , \"zz\" : [1, {\"q\": null}], \"a\": 1e3 } ", 0, v, &x,
         &js);
    assert_int_equal(v[B].type, JV_STR);
    assert_int_equal(v[B].n, 6);
    assert_memory_equal(v[B].s, "caf\xc3\xa9\n", 6);
    assert_int_equal(v[A].type, JV_OTHER); /* a real, not an integer */
    assert_int_equal(x.type, JV_OTHER);
    assert_int_equal(x.n, strlen("{\"zz\" : [1, {\"q\": null}]}"));
    assert_memory_equal(x.s, "{\"zz\" : [1, {\"q\": null}]}", x.n);
    jscan_free(&js);
}

/* A repeated key, known or not (and however it is escaped), is refused
 * with its column (the spec: malformed). */
static void test_scan_repeated_key_refused(void **s)
{
    (void)s;
    jscan js;
    jv v[NSLOT], x;
    scan("{\"a\":1,\"a\":2}", -1, v, &x, &js);
    assert_non_null(strstr(js.err.text, "repeated key \"a\""));
    assert_int_equal(js.err.column, 8);
    jscan_free(&js);
    scan("{\"a\":1,\"\\u0061\":2}", -1, v, &x, &js);
    jscan_free(&js);
    scan("{\"z\":1,\"b\":2,\"z\":3}", -1, v, &x, &js);
    assert_non_null(strstr(js.err.text, "repeated key"));
    jscan_free(&js);
    scan("{\"z\":1,\"y\":2}", 0, v, &x, &js);
    jscan_free(&js);
}

static void test_scan_refusals(void **s)
{
    (void)s;
    static const char *const bad[] = {"",
                                      "{",
                                      "{\"a\":}",
                                      "{\"a\":1,}",
                                      "{\"a\":01}",
                                      "{\"a\":1} x",
                                      "{\"a\":\"\\x\"}",
                                      "{\"a\":tru}",
                                      "{a:1}",
                                      "{\"a\":\"\x01\"}",
                                      "{\"a\":99999999999999999999}"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        jscan js;
        jv v[NSLOT], x;
        jscan_init(&js);
        if (jscan_object(&js, bad[k], strlen(bad[k]), key_ab, v, NSLOT, &x) != -1)
            fail_msg("accepted: %s", bad[k]);
        assert_true(js.err.text[0] != 0);
        jscan_free(&js);
    }
}

/* ---- reader */

static char *write_tmp(const char *text)
{
    char *path = strdup("/tmp/wcprof-unit-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static int count_strings(void *ctx, size_t i, const char *s, size_t n)
{
    (void)s;
    (void)n;
    *(size_t *)ctx = i + 1;
    return 0;
}

static void test_reader_events(void **s)
{
    (void)s;
    char *path = write_tmp(
        "{\"schema_version\":1,\"event_count\":2,\"strings\":[\"\",\"x\"],\"epoch_unix_nano\":5}\n"
        "{\"e\":\"op\",\"k\":\"call\",\"id\":7,\"p\":3,\"c\":1,\"s\":10,\"d\":4,\"th\":9}\n"
        "{\"e\":\"wait\",\"rs\":\"lock\",\"p\":7,\"i\":1,\"s\":11,\"d\":12}\n");
    wcp_reader r;
    size_t ns = 0;
    assert_int_equal(wcp_reader_open(&r, path), 0);
    assert_int_equal(wcp_reader_header(&r, count_strings, &ns), 0);
    assert_int_equal(ns, 2);
    assert_int_equal(r.hdr.epoch, 5);
    wcp_event e;
    assert_int_equal(wcp_reader_next(&r, &e), 1);
    assert_int_equal(e.type, WCP_EV_OP);
    assert_int_equal(e.id, 7);
    assert_int_equal(e.p, 3);
    assert_int_equal(e.d, 10); /* d < s: clamped */
    assert_true(e.clamped);
    assert_true(e.has_th);
    assert_int_equal(e.th, 9);
    assert_int_equal(wcp_reader_next(&r, &e), 1);
    assert_int_equal(e.type, WCP_EV_WAIT);
    assert_int_equal(e.i, 1);
    assert_int_equal(wcp_reader_next(&r, &e), 0);
    wcp_reader_close(&r);
    unlink(path);
    free(path);
}

static void test_reader_count_mismatch(void **s)
{
    (void)s;
    char *path = write_tmp("{\"schema_version\":1,\"event_count\":2,\"strings\":[\"\"]}\n"
                           "{\"e\":\"op\",\"id\":1,\"s\":0,\"d\":1}\n");
    wcp_reader r;
    wcp_event e;
    assert_int_equal(wcp_reader_open(&r, path), 0);
    assert_int_equal(wcp_reader_header(&r, NULL, NULL), 0);
    assert_int_equal(wcp_reader_next(&r, &e), 1);
    assert_int_equal(wcp_reader_next(&r, &e), -1);
    assert_non_null(strstr(r.err, ":3: truncated dump"));
    wcp_reader_close(&r);
    unlink(path);
    free(path);
}

/* ---- graph */

static sqlite3 *load_text(const char *text)
{
    sqlite3 *db;
    char err[512];
    assert_int_equal(wcp_db_open(":memory:", WCP_DB_CREATE, &db, err, sizeof err), 0);
    char *path = write_tmp(text);
    wcp_load_stats st;
    if (wcp_load_dump(db, path, NULL, &st, err, sizeof err) != 0)
        fail_msg("%s", err);
    unlink(path);
    free(path);
    return db;
}

static void test_graph_structure(void **s)
{
    (void)s;
    sqlite3 *db =
        load_text("{\"schema_version\":1,\"event_count\":7,\"strings\":[\"\",\"e1\",\"cl\"]}\n"
                  "{\"e\":\"op\",\"id\":30,\"p\":10,\"s\":50,\"d\":60}\n"
                  "{\"e\":\"op\",\"id\":20,\"p\":10,\"s\":50,\"d\":70}\n"
                  "{\"e\":\"op\",\"id\":10,\"s\":0,\"d\":100}\n"
                  "{\"e\":\"op\",\"k\":\"exec\",\"id\":40,\"i\":1,\"s\":5,\"d\":9}\n"
                  "{\"e\":\"wait\",\"rs\":\"exec\",\"p\":10,\"i\":1,\"s\":20,\"d\":30}\n"
                  "{\"e\":\"wait\",\"rs\":\"lock\",\"p\":10,\"i\":2,\"s\":20,\"d\":25}\n"
                  "{\"e\":\"wait\",\"rs\":\"lock\",\"p\":99,\"i\":2,\"s\":1,\"d\":2}\n");
    wcp_graph g;
    char err[256];
    assert_int_equal(wcp_graph_build(db, 1, WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS, &g, err, sizeof err),
                     0);
    assert_int_equal(g.n_ops, 4);
    assert_int_equal(g.id[0], 10); /* ops in id order */
    assert_int_equal(g.n_roots, 2);
    assert_int_equal(g.id[g.root[0]], 10); /* roots by (start, id) */
    assert_int_equal(g.id[g.root[1]], 40);
    int32_t p = wcp_graph_find(&g, 10);
    assert_int_equal(g.child_off[p + 1] - g.child_off[p], 2);
    assert_int_equal(g.id[g.child[g.child_off[p]]], 20); /* equal starts: lower id first */
    assert_int_equal(g.n_orphan_waits, 1);
    assert_int_equal(g.wait_off[p + 1] - g.wait_off[p], 2);
    const wcp_graph_wait *w = &g.waits[g.wait_off[p]];
    assert_int_equal(g.id[w[0].target], 40); /* exec ident resolved; dump order kept */
    assert_int_equal(w[1].target, -1);       /* a named resource */
    /* self of 10: [0,100] minus [20,30] and [50,70] = 70 */
    wcp_span spans[] = {{20, 30, false}, {20, 25, false}};
    assert_int_equal(wcp_graph_self(&g, (uint32_t)p, spans, 2), 70);
    assert_int_equal(g.self_ns[p], 70); /* as materialised */
    wcp_graph_free(&g);
    sqlite3_close(db);
}

static void test_graph_empty_run(void **s)
{
    (void)s;
    sqlite3 *db = load_text("{\"schema_version\":1,\"event_count\":0,\"strings\":[]}\n");
    wcp_graph g;
    char err[256];
    assert_int_equal(wcp_graph_build(db, 1, WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS, &g, err, sizeof err),
                     0);
    assert_int_equal(g.n_ops, 0);
    assert_int_equal(g.n_roots, 0);
    wcp_graph_free(&g);
    sqlite3_close(db);
}

/* ---- the database file */

static int64_t page_size(sqlite3 *db)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* A new database gets 16 KiB pages; one made with another page size (an
 * older wcprof-ingest, or VACUUMed) keeps it and still takes dumps. */
static void test_db_page_size(void **s)
{
    (void)s;
    char dir[] = "/tmp/wcprof-test-XXXXXX", path[64], err[512];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    sqlite3 *db;
    assert_int_equal(wcp_db_open(path, WCP_DB_CREATE, &db, err, sizeof err), 0);
    assert_int_equal(page_size(db), 16384);
    assert_int_equal(sqlite3_exec(db, "PRAGMA page_size = 4096; VACUUM", NULL, NULL, NULL),
                     SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(wcp_db_open(path, WCP_DB_CREATE, &db, err, sizeof err), 0);
    assert_int_equal(page_size(db), 4096);
    char *dump = write_tmp("{\"schema_version\":1,\"event_count\":1,\"strings\":[\"\"]}\n"
                           "{\"e\":\"op\",\"id\":1,\"s\":0,\"d\":5}\n");
    wcp_load_stats st;
    if (wcp_load_dump(db, dump, NULL, &st, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(st.ops_added, 1);
    assert_int_equal(page_size(db), 4096);
    sqlite3_close(db);
    unlink(dump);
    free(dump);
    unlink(path);
    rmdir(dir);
}

static int by_value(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* wcp_quantiles_of selects; the values are those of a sort: lists of every
 * length to 300 and some long ones, of every shape (random over a wide and
 * a narrow range, sorted, reversed, all equal, organ pipe, two values) */
static void test_quantiles_as_sorted(void **s)
{
    (void)s;
    srand(7);
    int64_t *v = malloc(200000 * sizeof *v), *w = malloc(200000 * sizeof *w);
    assert_non_null(v);
    assert_non_null(w);
    size_t lists = 0;
    for (size_t n = 1; n <= 200000; n = n < 300 ? n + 1 : n * 3) {
        for (int shape = 0; shape < 7; shape++, lists++) {
            for (size_t i = 0; i < n; i++) {
                int64_t r = (int64_t)rand() << 20 ^ rand();
                v[i] = shape == 0   ? r - ((int64_t)RAND_MAX << 19)
                       : shape == 1 ? r % 5
                       : shape == 2 ? (int64_t)i
                       : shape == 3 ? (int64_t)(n - i)
                       : shape == 4 ? 42
                       : shape == 5 ? (int64_t)(i < n / 2 ? i : n - i)
                                    : (int64_t)(i % 2) * INT64_MAX;
            }
            memcpy(w, v, n * sizeof *v);
            qsort(w, n, sizeof *w, by_value);
            wcp_quantiles q = wcp_quantiles_of(v, n);
            if (q.p50 != w[n / 2] || q.p95 != w[(size_t)((uint64_t)n * 95 / 100)] ||
                q.max != w[n - 1])
                fail_msg("n %zu shape %d: %lld %lld %lld, sorted: %lld %lld %lld", n, shape,
                         (long long)q.p50, (long long)q.p95, (long long)q.max, (long long)w[n / 2],
                         (long long)w[(size_t)((uint64_t)n * 95 / 100)], (long long)w[n - 1]);
            qsort(v, n, sizeof *v, by_value); /* a reordering, nothing lost */
            assert_memory_equal(v, w, n * sizeof *v);
        }
    }
    assert_true(lists > 2000);
    free(v);
    free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_guess_self_time),
        cmocka_unit_test(test_guess_forgets_when_full),
        cmocka_unit_test(test_guess_exec_target),
        cmocka_unit_test(test_scan_plain),
        cmocka_unit_test(test_scan_escapes_and_unknown),
        cmocka_unit_test(test_scan_repeated_key_refused),
        cmocka_unit_test(test_scan_refusals),
        cmocka_unit_test(test_reader_events),
        cmocka_unit_test(test_reader_count_mismatch),
        cmocka_unit_test(test_graph_structure),
        cmocka_unit_test(test_graph_empty_run),
        cmocka_unit_test(test_db_page_size),
        cmocka_unit_test(test_quantiles_as_sorted),
    };
    return cmocka_run_group_tests_name("ingest units", tests, NULL, NULL);
}
