/* stop.h - interruption: how long work in C learns that sqlite3_interrupt()
 * was called on its connection, and stops within 100 ms.
 *
 * sqlite3_interrupt() (the shell's Ctrl-C, Python's con.interrupt()) stops
 * SQLite's own loops, not ours. So long work polls: wcp_stop_poll steps a
 * tiny statement (SELECT 1) on the connection at most every
 * WCP_STOP_EVERY_NS; it fails with SQLITE_INTERRUPT once sqlite3_interrupt
 * was called while the outer statement runs (SQLite 3.40 has no
 * sqlite3_is_interrupted), and stopped is then set for good. Threads other
 * than the connection's read stopped (wcp_stopped): the job pool's workers
 * stop at their next pass.
 *
 * Where it is polled: between the model's build steps and inside the tape
 * compiler (model.c, replay.c), between the job pool's passes and inside
 * each (whatif.c, wcp_tape_eval_lanes), every so many ops, events or steps
 * of the loops over a whole run (util.c, breakdown.c, related.c,
 * resources.c), every WCP_PUT_POLL cells of a function's rows
 * (sqlext/tvf.c) and every WCP_OUT_POLL writes of an export
 * (export/export.c); the callers (sqlext/tvf.c, sqlext/fn_export.c) turn a
 * stop into SQLITE_INTERRUPT. tests/analysis/test_interrupt.c interrupts
 * each at its polls, one after another (wcp_stop_test).
 */
#ifndef WCP_STOP_H
#define WCP_STOP_H

#include "wcp_sqlite.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define WCP_STOP_EVERY_NS 5000000 /* 5 ms: Ctrl-C takes effect well within 100 ms */

typedef struct wcp_stop {
    sqlite3 *db;           /* the connection polled; NULL: never stops */
    sqlite3_stmt *probe;   /* SELECT 1 on db, prepared at the first poll */
    int64_t next_ns;       /* CLOCK_MONOTONIC time of the next probe */
    _Atomic(bool) stopped; /* interrupted: stop at the next check */
} wcp_stop;

/* Starts s on db (NULL: a stop that never stops). */
void wcp_stop_init(wcp_stop *s, sqlite3 *db);
/* Frees what s holds. */
void wcp_stop_finish(wcp_stop *s);
/* Whether the work should stop: from the connection's thread only (it may
 * step the probe). s NULL: never. Cheap: a clock read, a probe every 5 ms. */
bool wcp_stop_poll(wcp_stop *s);
/* The throttle of a long loop that counts k up by one each time round:
 * wcp_stop_poll(s) when k is a multiple of every (k = 0 included), else
 * false without a look at the clock. s NULL: never. */
static inline bool wcp_stop_every(wcp_stop *s, uint64_t k, uint64_t every)
{
    return s && k % every == 0 && wcp_stop_poll(s);
}
/* Whether s was found interrupted: from any thread. s NULL: never. */
bool wcp_stopped(wcp_stop *s);
/* wcp_stop_poll without the wait: probes now (after a failure, to tell an
 * interruption that SQLite's own loops met from an error). */
bool wcp_stop_check(wcp_stop *s);

/* For tests: with wcp_stop_test.on, every poll probes (no 5 ms wait) and
 * counts in .probes; the probe numbered .interrupt_at (1: the first; 0:
 * none) first calls sqlite3_interrupt() on its connection, as Ctrl-C
 * would. So a test stops a function at each of its polls in turn, whatever
 * the machine's speed. Not for threads other than the connection's. */
typedef struct wcp_stop_testing {
    bool on;
    uint64_t probes, interrupt_at;
} wcp_stop_testing;
extern wcp_stop_testing wcp_stop_test;

/* What a function that polls returns when stopped (besides 0 and -1). */
#define WCP_INTERRUPTED (-2)

#endif
