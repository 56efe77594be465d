/* fingerprint.h - a hash of a wcprof database's rows, for tests that load
 * the same input two ways and want the same database (test_paths.c,
 * test_given.c, fuzz_load.c). */
#ifndef WCP_TEST_FINGERPRINT_H
#define WCP_TEST_FINGERPRINT_H

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A hash of every row of every table (dumps without their ingestion time)
 * and of the index definitions. */
static inline uint64_t fingerprint(sqlite3 *db)
{
    static const char *const queries[] = {
        "SELECT * FROM strings ORDER BY id",
        "SELECT * FROM runs ORDER BY id",
        ("SELECT id, run_id, source, schema_version, epoch_unix_nano, dumped_unix_nano, "
         "dropped_events, event_count, open_ops, ops_added, ops_completed, waits_added, links_added, "
         "other_added, warnings, misuse, extra FROM dumps ORDER BY id"),
        "SELECT * FROM ops ORDER BY run_id, id",
        ("SELECT * FROM waits ORDER BY run_id, waiter_id, start_ns, end_ns, recorded_target_id, "
         "ident_id, reason, dup"),
        "SELECT * FROM links ORDER BY run_id, from_id, at_ns, kind, target_id, ident_id, result_id, dup",
        "SELECT * FROM other_events ORDER BY run_id, json, dup",
        "SELECT * FROM class_stats_data ORDER BY 1, 2, 3",
        "SELECT name, tbl_name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name",
    };
    uint64_t h = 1469598103934665603ull;
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(db, queries[q], -1, &st, NULL) != SQLITE_OK)
            abort(); /* not a wcprof database */
        while (sqlite3_step(st) == SQLITE_ROW)
            for (int c = 0; c < sqlite3_column_count(st); c++) {
                const unsigned char *t = sqlite3_column_text(st, c);
                const char *s = t ? (const char *)t : "\x01NULL";
                for (size_t k = 0; k <= strlen(s); k++)
                    h = (h ^ (unsigned char)s[k]) * 1099511628211ull;
            }
        sqlite3_finalize(st);
    }
    return h;
}

#endif
