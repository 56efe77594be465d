/* test_fixtures.c - the reference fixtures (tests/fixtures): every number of
 * NAME.expected.json that ingest materialises must come out of the database.
 *
 *   test_fixtures FIXTURES_DIR NAME
 *
 * Checked: ops, roots, open_ops, orphan_waits, reparented_ops, dropped_events,
 * makespan_ns, self_ns_by_op, and per class key: count, outcomes, total wall,
 * total/p50/p95/max self, duplicate executions. (The replay numbers are the
 * analyses' tests.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "load.h"
#include "store.h"

static const char *dir, *name;

static int64_t query_int(sqlite3 *db, const char *sql, const char *arg)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void check_fixture(void **state)
{
    (void)state;
    char path[4096], err[1024];
    snprintf(path, sizeof path, "%s/%s.expected.json", dir, name);
    json_error_t je;
    json_t *want = json_load_file(path, 0, &je);
    if (!want)
        fail_msg("%s: %s", path, je.text);

    sqlite3 *db;
    assert_int_equal(wcp_db_open(":memory:", WCP_DB_CREATE, &db, err, sizeof err), 0);
    snprintf(path, sizeof path, "%s/%s.dump", dir, name);
    wcp_load_stats st;
    if (wcp_load_dump(db, path, NULL, &st, err, sizeof err) != 0)
        fail_msg("%s", err);

    static const char *const facts[] = {"ops",          "roots",          "open_ops",
                                        "orphan_waits", "reparented_ops", "dropped_events",
                                        "makespan_ns"};
    for (size_t k = 0; k < sizeof facts / sizeof facts[0]; k++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT %s FROM runs", facts[k]);
        int64_t got = query_int(db, sql, NULL);
        json_int_t exp = json_integer_value(json_object_get(want, facts[k]));
        if (got != exp)
            fail_msg("%s: %s = %lld, expected %lld", name, facts[k], (long long)got,
                     (long long)exp);
    }

    const char *key;
    json_t *v;
    json_object_foreach(json_object_get(want, "self_ns_by_op"), key, v)
    {
        int64_t got = query_int(db, "SELECT self_ns FROM ops WHERE id = ?1", key);
        if (got != json_integer_value(v))
            fail_msg("%s: self_ns of op %s = %lld, expected %lld", name, key, (long long)got,
                     (long long)json_integer_value(v));
    }

    json_t *classes = json_object_get(want, "classes");
    assert_int_equal(query_int(db, "SELECT count(*) FROM class_stats", NULL),
                     json_object_size(classes));
    json_object_foreach(classes, key, v)
    {
        static const char *const cols[] = {"count",        "dup_executed", "max_self_ns",
                                           "p50_self_ns",  "p95_self_ns",  "total_self_ns",
                                           "total_wall_ns"};
        for (size_t k = 0; k < sizeof cols / sizeof cols[0]; k++) {
            char sql[256];
            snprintf(sql, sizeof sql, "SELECT %s FROM class_stats WHERE class_key = ?1", cols[k]);
            int64_t got = query_int(db, sql, key);
            if (got != json_integer_value(json_object_get(v, cols[k])))
                fail_msg("%s: %s.%s = %lld, expected %lld", name, key, cols[k], (long long)got,
                         (long long)json_integer_value(json_object_get(v, cols[k])));
        }
        sqlite3_stmt *q;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT outcomes FROM class_stats WHERE class_key = ?1",
                                            -1, &q, NULL),
                         SQLITE_OK);
        sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        json_t *got = json_loads((const char *)sqlite3_column_text(q, 0), 0, &je);
        sqlite3_finalize(q);
        if (!json_equal(got, json_object_get(v, "outcomes")))
            fail_msg("%s: %s outcomes differ", name, key);
        json_decref(got);
    }
    sqlite3_close(db);
    json_decref(want);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_fixtures FIXTURES_DIR NAME\n");
        return 2;
    }
    dir = argv[1];
    name = argv[2];
    const struct CMUnitTest tests[] = {cmocka_unit_test(check_fixture)};
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
