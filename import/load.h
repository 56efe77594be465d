/* load.h - loading a dump into a wcprof database, one transaction per dump.
 *
 * wcp_load_dump() streams a dump into the database: the dump's run is the
 * run with the same epoch_unix_nano (a new one when there is none), events
 * already present (a dump repeated, or taken without flushing) are not added
 * again, an op that was open and is now completed becomes the completed op.
 * Then the run's resolved parents, wait targets and self times (spec §1-2)
 * are recomputed and the run's summary columns updated. Either all of this
 * happens or, on any error, none of it: the database is left as it was.
 */
#ifndef WCP_LOAD_H
#define WCP_LOAD_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct wcp_load_stats {
    int64_t run_id, dump_id; /* the (last) run and dump loaded */
    int64_t first_run_id;    /* the first run loaded (a file of several: an OTLP file's traces) */
    int64_t runs;            /* runs loaded into: 1, or one per trace of an OTLP file */
    bool new_run;            /* the dump started a run (one of them, for several) */
    int64_t events;          /* event lines read */
    int64_t ops_added, ops_completed, waits_added, links_added, other_added;
    int64_t warnings;      /* d < s clamped, duplicate op ids within the dump */
    int64_t parent_cycles; /* the run's parent cycles, each broken at one op (analysis.md §1.7) */
    int64_t dropped_events;
    uint64_t bytes;       /* bytes read */
    bool indexes_rebuilt; /* the secondary indexes were dropped and built again (see opts) */
    bool already_loaded;  /* the same dump was loaded before (dump_id): nothing changed */
} wcp_load_stats;

/* Called now and then during a load with what has been read so far: as
 * "scanning" while a format that reads the whole file before handing out
 * its first event (Chrome, OTLP, Jaeger) reads it, with st->bytes read of
 * event_count = the file's size in bytes (0: not known, a pipe); then as
 * "reading" every 65536 events (event_count: the header's count), and as
 * "resolving" once a run's events are read. */
typedef void (*wcp_progress_fn)(void *ctx, const char *phase, const wcp_load_stats *st,
                                int64_t event_count);

/* How the secondary indexes of ops, waits and links are kept up to date. */
typedef enum wcp_index_mode {
    WCP_INDEXES_AUTO = 0, /* rebuild when the dump has more than twice as many events as the
                            * database has rows (always for a first dump) */
    WCP_INDEXES_UPDATE,   /* row by row, as the rows go in */
    WCP_INDEXES_REBUILD,  /* dropped at the start of the transaction, created again at its end */
} wcp_index_mode;

typedef struct wcp_load_opts {
    bool new_run; /* start a new run even if one has this dump's epoch */
    int format;   /* a format id (source.h): 0 = by the file's first bytes */
    wcp_progress_fn progress;
    void *progress_ctx;
    wcp_index_mode indexes;
    bool serial;         /* parse on the calling thread (default: a second thread parses) */
    unsigned read_flags; /* WCP_READ_* (source.h): --one-run, --allow-incomplete */
    bool read_back;      /* resolve a run this load made from its ops read back from the
                          * database, as a run loaded into before is (default: from the ops
                          * as they were inserted; the same rows) */
} wcp_load_opts;

/* Loads the dump at path ("-": standard input) into db; another format's
 * trace (a Chrome trace, ...) is converted on the way (source.h), one run
 * and one dump per file. Returns 0 with *st filled, or -1 with
 * "file:line: reason" (or a database error) in err, the database unchanged. */
int wcp_load_dump(sqlite3 *db, const char *path, const wcp_load_opts *opts, wcp_load_stats *st,
                  char *err, size_t errlen);

#endif
