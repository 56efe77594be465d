/* dump.h - reading wcprof dumps (spec/dump-format.md): lines, header, events.
 *
 * The reader streams a dump line by line; it holds one line at a time (the
 * header line, with the string table, is the largest). It checks everything
 * the format says a reader must refuse and reports the first problem as
 * "file:line: reason" in r->err. Events are returned with their string-table
 * indexes unresolved (the caller maps them); enum strings (kind, outcome, ...)
 * are returned as text, unknown values included.
 *
 * Typical use:
 *   wcp_reader r;
 *   if (wcp_reader_open(&r, path) < 0 || wcp_reader_header(&r, on_string, ctx) < 0 ||
 *       wcp_reader_open_ops(&r, on_open, ctx) < 0) -> fail with r.err
 *   wcp_reader_start_thread(&r);                         optional: parse on a second thread
 *   while ((rc = wcp_reader_next(&r, &ev)) > 0) ... ;   rc < 0 -> fail with r.err
 *   wcp_reader_close(&r);
 */
#ifndef WCP_DUMP_H
#define WCP_DUMP_H

#include "jscan.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wcp_str {
    const char *p;     /* bytes (not NUL-terminated); valid until the next read */
    size_t n;
} wcp_str;

/* Are the bytes of s exactly the C string lit? */
static inline bool wcp_str_is(wcp_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

enum { WCP_EV_OP = 1, WCP_EV_WAIT, WCP_EV_LINK, WCP_EV_OTHER };

typedef struct wcp_event {
    int type;          /* WCP_EV_* from 'e' (an unknown 'e' is WCP_EV_OTHER) */
    wcp_str e;         /* the 'e' value */
    wcp_str k, w, o;   /* op kind, work type, outcome ("" when absent) */
    wcp_str rs, lk;    /* wait reason, link kind */
    int64_t id, p, t, r; /* op id, parent/waiter/from op, target op, result id (0: absent) */
    int64_t s, d;      /* start and end; d >= s (clamped, see clamped) */
    int64_t th;        /* 'th': recording thread (valid when has_th) */
    uint32_t c, i, cl; /* dump-local string indexes: class, ident, client */
    bool has_th;
    bool clamped;      /* the event had d < s and was given d = s */
    wcp_str extra;     /* keys this reader does not know, as a JSON object ("" when none) */
    wcp_str line;      /* the whole line */
    int64_t aux;       /* what the reader's hook said of it (0 without a hook) */
} wcp_event;

/* Work done per event by the thread that parses the dump (see
 * wcp_reader_set_hook()). */
typedef struct wcp_event_hook {
    void (*seen)(void *ctx, const wcp_event *ev);     /* as each event is parsed */
    int64_t (*ready)(void *ctx, const wcp_event *ev); /* as it is handed over: the result goes to ev->aux */
    void *ctx;
} wcp_event_hook;

typedef struct wcp_open_op {
    int64_t id, parent, start, th;
    bool has_th;
    wcp_str kind, work_type;
    uint32_t c, i, cl;
    wcp_str extra;
} wcp_open_op;

typedef struct wcp_header {
    int64_t schema_version, epoch, dumped, dropped, event_count;
    size_t n_strings;  /* entries in the string table (at least 1: "") */
    wcp_str misuse;    /* the 'misuse' object text, "" when absent */
    wcp_str extra;     /* unknown header keys as a JSON object text, "" when none */
} wcp_header;

enum { WCP_FORMAT_AUTO = 0, WCP_FORMAT_WCPROF, WCP_FORMAT_CHROME }; /* see chrome.h */

struct wcp_source;
typedef struct wcp_pipe wcp_pipe;

typedef struct wcp_reader {
    const char *path;  /* as given; "-" is standard input */
    int fd;
    char *buf;         /* read buffer; holds at least the current line */
    size_t cap, pos, len; /* allocated, start of unread data, end of data */
    bool eof;          /* read() returned 0 */
    long line;         /* number of the line last returned (1 = header) */
    uint64_t bytes;    /* bytes consumed so far (for progress) */
    jscan js;          /* scanner state and scratch */
    wcp_header hdr;    /* valid after wcp_reader_header() */
    wcp_str strings_raw, open_ops_raw; /* spans of the header's arrays */
    int64_t events;    /* event lines returned so far */
    void *jroot;       /* json_t of the last line parsed by the jansson fallback */
    wcp_pipe *pipe;    /* the parsing thread, after wcp_reader_start_thread() */
    wcp_event_hook hook; /* see wcp_reader_set_hook() */
    char err[768];     /* "file:line: reason" after a failure */
    const struct wcp_source *src; /* another format read through these calls (chrome.h), or NULL */
    void *src_state;   /* that reader's state */
} wcp_reader;

/* Opens path ("-": standard input). Returns 0, or -1 with r->err set. */
int wcp_reader_open(wcp_reader *r, const char *path);

/* Reads and checks the header line; calls on_string(ctx, index, bytes, len)
 * for each entry of the string table in order. A non-zero return from
 * on_string stops the read (its return value is returned; r->err is the
 * caller's to set). Returns 0 or -1 with r->err set. */
typedef int (*wcp_string_fn)(void *ctx, size_t index, const char *s, size_t n);
int wcp_reader_header(wcp_reader *r, wcp_string_fn on_string, void *ctx);

/* Which key of the header line k[0..n) is (raw bytes): its index (0 is
 * "schema_version"), or -1 for a key the header does not have. Also how a
 * wcprof dump is told from a Chrome trace (chrome.c). */
int wcp_header_key(const char *k, size_t n);

/* Calls on_open for each entry of the header's open_ops (after the header). */
typedef int (*wcp_open_fn)(void *ctx, const wcp_open_op *op);
int wcp_reader_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx);

/* Reads the next event. Returns 1 with *ev filled (valid until the next call),
 * 0 at the end of a complete dump (exactly event_count events), or -1 with
 * r->err set. */
int wcp_reader_next(wcp_reader *r, wcp_event *ev);

/* Has the parsing thread call hook->seen for every event as it is parsed
 * and hook->ready (whose result goes to ev->aux) as it is handed over, both
 * in dump order. Without wcp_reader_start_thread(), ready follows seen at
 * once; with it, the thread hands a batch over only once the next one is
 * parsed, so ready() has seen at least the next 2048 events. Both run on the
 * parsing thread: they must only touch what they alone use. Set it before
 * the first event. Either function may be NULL. */
void wcp_reader_set_hook(wcp_reader *r, const wcp_event_hook *hook);

/* After the header (and open_ops, if wanted): parse the event lines on a
 * second thread, which hands them over in batches through a bounded queue
 * (a few thousand events, so memory does not grow with the dump).
 * wcp_reader_next() then returns the same events, errors, r->line and
 * r->bytes as without it; an event stays valid until the next call, as
 * before. Returns 0, or -1 when no thread
 * could be started (nothing changed: the reader goes on parsing on the
 * calling thread). Like a read, it ends the life of the header's strings.
 * wcp_reader_close() stops the thread. */
int wcp_reader_start_thread(wcp_reader *r);

/* Parses one event line with jansson alone (the reference path the scanner is
 * fuzzed against). Same results and errors as the scanner path. */
int wcp_reader_parse_event_jansson(wcp_reader *r, char *line, size_t n, wcp_event *ev);
int wcp_reader_parse_event(wcp_reader *r, char *line, size_t n, wcp_event *ev);

void wcp_reader_close(wcp_reader *r);

/* A reader of another trace format, converting it to the events above: when
 * r->src is set, wcp_reader_header(), _open_ops(), _next() and _close() call
 * it instead of reading a dump (same contracts). See chrome.h. */
typedef struct wcp_source {
    int (*header)(wcp_reader *r, wcp_string_fn on_string, void *ctx);
    int (*open_ops)(wcp_reader *r, wcp_open_fn on_open, void *ctx);
    int (*next)(wcp_reader *r, wcp_event *ev);
    void (*close)(wcp_reader *r);  /* frees src_state; the reader's own close follows */
} wcp_source;

#endif
