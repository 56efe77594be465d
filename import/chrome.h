/* chrome.h - Chrome trace event JSON (the Trace Event Format) read as wcprof events.
 *
 * A Chrome trace (the array form `[ev, ev, ...]`, whose closing `]` may be
 * missing, or the object form `{"traceEvents": [...], ...}`, with its keys in
 * any order) is read through the dump reader's calls (dump.h): the header
 * (one string table for the whole trace), the open ops and the events, so
 * wcp_load_dump() stores it with the same code as a wcprof dump: one run and
 * one dump per file. The file is streamed in chunks and never held in memory;
 * what is kept is a compact record per slice (48 bytes) and flow event.
 *
 * What becomes what (ingest/README.md has the whole story):
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
 */
#ifndef WCP_CHROME_H
#define WCP_CHROME_H

#include "dump.h"
#include "wcp_sqlite.h"

/* Opens path ("-": standard input) like wcp_reader_open() and picks its
 * format: WCP_FORMAT_WCPROF and WCP_FORMAT_CHROME say which; WCP_FORMAT_AUTO
 * looks at the first non-blank bytes: '[' is a Chrome trace, '{' too unless
 * its first key is one of a wcprof dump header's keys; anything else is read
 * as a wcprof dump (whose reader then says what is wrong). Returns 0, or -1
 * with r->err set (close the reader either way). */
int wcp_source_open(wcp_reader *r, const char *path, int format);

/* For tests: when non-zero, the most bytes one read() asks for, so that the
 * file arrives in pieces that cut events anywhere. 0 (the default) reads
 * as much as the buffer holds. */
extern size_t wcp_chrome_read_max;

/* "auto", "wcprof", "chrome" -> WCP_FORMAT_*; -1 for anything else. */
int wcp_format_from_name(const char *name);

/* What an imported dump's conversion left out or guessed (ignored phases,
 * E without B, B never ended, unbound flows, ...), read back from
 * dumps.extra, as lines "PREFIX: note: ...\n". Returns a new string (free()
 * it), or NULL when the dump is not an import or there is nothing to say. */
char *wcp_chrome_notes(sqlite3 *db, int64_t dump_id, const char *prefix);

#endif
