/* fuzz_load.c - fuzz target for the whole-dump reader and the loader
 * (import/dump.c, import/load.c): header, string table, open_ops, ops,
 * waits, links, other events, over any number of lines.
 *
 * Each input is a whole dump, loaded (as a wcprof dump, serially) into a
 * fresh in-memory database. It must never crash, leak or hang. A refused
 * dump must say why and leave the database as it was (empty). An accepted
 * one must agree with itself: the run's and the dump's counts equal the
 * rows stored, every stored parent and wait target is an op of the run,
 * loading it into another database with the run's graph read back rather
 * than built from the ops as inserted (wcp_load_opts.read_back) stores the
 * same rows, and loading the same dump again changes nothing ("already
 * loaded").
 * Seeds: the dumps of tests/import/good, bad, tests/fixtures and the
 * analysis cases (tests/CMakeLists.txt gathers them).
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_load
 *   build-fuzz/tests/import/fuzz_load -max_total_time=600 -max_len=8192 \
 *       build-fuzz/tests/import/fuzz_load-seeds
 */
#define _GNU_SOURCE /* memfd_create (fuzz.h) */
#include "fingerprint.h"
#include "fuzz.h"
#include "source.h"

/* Rows of every table: what a refused load must leave as it was. */
#define ROWS_SQL                                                                                   \
    "SELECT (SELECT count(*) FROM runs) || ',' || (SELECT count(*) FROM dumps) || ',' ||"          \
    " (SELECT count(*) FROM ops) || ',' || (SELECT count(*) FROM waits) || ',' ||"                 \
    " (SELECT count(*) FROM links) || ',' || (SELECT count(*) FROM other_events) || ',' ||"        \
    " (SELECT count(*) FROM strings) || ',' || (SELECT total(self_ns) FROM ops)"

static char *rows(sqlite3 *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, ROWS_SQL, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        abort();
    char *s = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return s;
}

/* Each query must give 0 on an accepted load: a count of disagreements. */
static const char *const invariants[] = {
    "SELECT count(*) FROM runs r WHERE r.ops <> (SELECT count(*) FROM ops WHERE run_id = r.id)",
    "SELECT count(*) FROM runs r WHERE r.waits <> (SELECT count(*) FROM waits WHERE run_id = r.id)",
    "SELECT count(*) FROM runs r WHERE r.links <> (SELECT count(*) FROM links WHERE run_id = r.id)",
    "SELECT count(*) FROM runs r WHERE r.dumps <> (SELECT count(*) FROM dumps WHERE run_id = r.id)",
    "SELECT count(*) FROM runs r WHERE r.roots <>"
    " (SELECT count(*) FROM ops WHERE run_id = r.id AND parent_id IS NULL)",
    "SELECT count(*) FROM dumps d WHERE d.ops_added <> (SELECT count(*) FROM ops WHERE dump_id = d.id)",
    "SELECT count(*) FROM dumps d WHERE d.waits_added <>"
    " (SELECT count(*) FROM waits WHERE dump_id = d.id)",
    "SELECT count(*) FROM dumps d WHERE d.links_added <>"
    " (SELECT count(*) FROM links WHERE dump_id = d.id)",
    "SELECT count(*) FROM dumps d WHERE d.other_added <>"
    " (SELECT count(*) FROM other_events WHERE dump_id = d.id)",
    "SELECT count(*) FROM ops o WHERE o.parent_id IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM ops p WHERE p.run_id = o.run_id AND p.id = o.parent_id)",
    "SELECT count(*) FROM waits w WHERE w.target_id IS NOT NULL AND NOT EXISTS"
    " (SELECT 1 FROM ops p WHERE p.run_id = w.run_id AND p.id = w.target_id)",
    "SELECT count(*) FROM ops WHERE end_ns < start_ns OR self_ns < 0 OR self_ns > end_ns - start_ns",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16)
        return 0;
    int fd;
    char path[64], err[1024] = "";
    fuzz_file(data, size, &fd, path, sizeof path);
    sqlite3 *db = fuzz_db(NULL);
    char *before = rows(db);
    /* the indexes updated row by row, or (odd sizes) as a first load does */
    wcp_load_opts o = {.serial = true,
                       .format = WCP_FORMAT_WCPROF,
                       .indexes = size & 1 ? WCP_INDEXES_AUTO : WCP_INDEXES_UPDATE};
    wcp_load_stats st;
    if (wcp_load_dump(db, path, &o, &st, err, sizeof err) != 0) {
        char *after = rows(db);
        FUZZ_CHECK(err[0], "a refusal without a reason");
        FUZZ_CHECK(strcmp(before, after) == 0, "refused (%s), but the rows went from %s to %s", err,
                   before, after);
        free(after);
    } else {
        FUZZ_CHECK(!st.already_loaded && st.new_run, "a first load into an empty database");
        for (size_t k = 0; k < sizeof invariants / sizeof *invariants; k++) {
            int64_t bad = fuzz_int(db, invariants[k]);
            FUZZ_CHECK(bad == 0, "%lld rows break: %s", (long long)bad, invariants[k]);
        }
        char q[128];
        snprintf(q, sizeof q, "SELECT event_count FROM dumps WHERE id = %lld",
                 (long long)st.dump_id);
        FUZZ_CHECK(fuzz_int(db, q) == st.events, "dumps.event_count is not the events read");
        sqlite3 *back = fuzz_db(NULL);
        wcp_load_opts ob = o;
        ob.read_back = true;
        wcp_load_stats sb;
        FUZZ_CHECK(wcp_load_dump(back, path, &ob, &sb, err, sizeof err) == 0,
                   "accepted, but refused with the graph read back: %s", err);
        FUZZ_CHECK(fingerprint(back) == fingerprint(db),
                   "other rows with the graph read back than built from the ops as inserted");
        fuzz_close(back);
        char *once = rows(db);
        wcp_load_stats again;
        FUZZ_CHECK(wcp_load_dump(db, path, &o, &again, err, sizeof err) == 0,
                   "accepted once, refused the second time: %s", err);
        FUZZ_CHECK(again.already_loaded && again.dump_id == st.dump_id,
                   "the same dump again is not \"already loaded\"");
        char *twice = rows(db);
        FUZZ_CHECK(strcmp(once, twice) == 0, "the same dump again changed the rows: %s to %s", once,
                   twice);
        free(once);
        free(twice);
    }
    free(before);
    fuzz_close(db);
    close(fd);
    return 0;
}

FUZZ_MAIN("fuzz_load")
