/* chrome.h - Chrome trace event JSON (the Trace Event Format) read as wcprof events.
 *
 * A Chrome trace (the array form `[ev, ev, ...]`, whose closing `]` may be
 * missing, or the object form `{"traceEvents": [...], ...}`, with its keys in
 * any order) is read through the reader's calls (source.h): the header
 * (one string table for the whole trace), the open ops and the events, so
 * wcp_load_dump() stores it with the same code as a wcprof dump: one run and
 * one dump per file. The file is streamed in chunks and never held in memory;
 * what is kept is a compact record per slice (48 bytes) and flow event.
 *
 * What becomes what (import/README.md has the whole story):
 *   X, B/E         an op: name -> class, cat -> kind ("slice" when there is
 *                  none), args.detail or else args.name -> ident; the parent is
 *                  the enclosing slice of the same (pid, tid); op ids follow
 *                  the slices' starts; B/E are matched
 *                  per (pid, tid) in time order; a B never ended is an open op
 *                  ending at the trace's last timestamp; an E without a B is
 *                  counted and skipped; ts and dur are microseconds, stored as
 *                  nanoseconds rounded to the nearest, rebased so that the
 *                  earliest slice starts at 0.
 *   s/t/f, bind_id a flow: each hop from slice A to slice B is a link (kind
 *                  "flow") and either makes B a child of A (B starts a thread's
 *                  top-level slice, inside A: spawned and joined) or a
 *                  zero-length wait of B on A (reason "flow") where it arrives.
 *   M              thread_name / process_name name the threads in dumps.extra.
 *   anything else  counted per phase in dumps.extra and reported.
 * A file's run is identified by its content hash (runs.epoch_unix_nano =
 * minus a 62-bit hash), so loading the same file again adds nothing.
 *
 * Two files: chrome.c reads (the file, each event, values) into records,
 * chrome_nest.c turns them into ops, waits and links and hands them out.
 */
#ifndef WCP_CHROME_H
#define WCP_CHROME_H

#include "source.h"

/* The Chrome trace's row in the table of formats (source.c): "chrome",
 * recognised by a first '[' (sure) or '{' (unless another format takes it). */
extern const wcp_format wcp_format_chrome;

#endif
