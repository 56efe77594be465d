/* source.h - reading a trace: the reader, the records every format is read
 * as, the interface a format's reader implements, and the one table of formats.
 *
 * Every input format is read as a wcprof dump is (docs/spec/dump-format.md):
 * a header (run, counts, one string table), the ops still open, then events
 * (ops, waits, links) whose strings are indexes into that table. The
 * loader (load.h) stores those records and knows no format. The wcprof dump
 * is the reader's own (dump.c); another format plugs in a wcp_source that
 * hands out the same records (chrome.c), and has one row in the table of
 * formats (source.c): its name, how its first bytes are recognised, how a
 * reader is made to read it, and what to tell people about an import.
 *
 * Typical use:
 *   wcp_reader r;
 *   if (wcp_source_open(&r, path, WCP_FORMAT_AUTO) < 0 || wcp_reader_header(&r, on_string, ctx) < 0 ||
 *       wcp_reader_open_ops(&r, on_open, ctx) < 0) -> fail with r.err
 *   wcp_reader_start_thread(&r);                         optional: parse on a second thread (pipe.c)
 *   while ((rc = wcp_reader_next(&r, &ev)) > 0) ... ;   rc < 0 -> fail with r.err
 *   wcp_reader_close(&r);
 * Every failure is one message in r->err: "file:line: reason" (errpos.h).
 */
#ifndef WCP_SOURCE_H
#define WCP_SOURCE_H

#include "hash.h"
#include "jscan.h"
#include "wcp_sqlite.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct wcp_str {
    const char *p; /* bytes (not NUL-terminated); valid until the next read */
    size_t n;
} wcp_str;

/* Are the bytes of s exactly the C string lit? */
static inline bool wcp_str_is(wcp_str s, const char *lit)
{
    size_t n = strlen(lit);
    return s.n == n && memcmp(s.p, lit, n) == 0;
}

/* ---- the records */

enum { WCP_EV_OP = 1, WCP_EV_WAIT, WCP_EV_LINK, WCP_EV_OTHER };

typedef struct wcp_event {
    int type;            /* WCP_EV_* from 'e' (an unknown 'e' is WCP_EV_OTHER) */
    wcp_str e;           /* the 'e' value */
    wcp_str k, w, o;     /* op kind, work type, outcome ("" when absent) */
    wcp_str rs, lk;      /* wait reason, link kind */
    int64_t id, p, t, r; /* op id, parent/waiter/from op, target op, result id (0: absent);
                          * uint64 in the dump, kept as their bit pattern (db/README.md) */
    int64_t s, d;        /* start and end; d >= s (clamped, see clamped) */
    int64_t th;          /* 'th': recording thread (valid when has_th) */
    uint32_t c, i, cl;   /* dump-local string indexes: class, ident, client */
    uint32_t m;          /* op: string index of its metadata ('m'), 0: none */
    bool has_th;
    bool clamped;  /* the event had d < s and was given d = s */
    wcp_str extra; /* keys this reader does not know, as a JSON object ("" when none) */
    wcp_str line;  /* the whole line (a dump's; "" from other formats) */
    int64_t aux;   /* what the reader's hook said of it (0 without a hook) */
} wcp_event;

/* Work done per event by the thread that parses the input (see
 * wcp_reader_set_hook()). */
typedef struct wcp_event_hook {
    void (*seen)(void *ctx, const wcp_event *ev); /* as each event is parsed */
    int64_t (*ready)(void *ctx,
                     const wcp_event *ev); /* as it is handed over: the result goes to ev->aux */
    void *ctx;
} wcp_event_hook;

typedef struct wcp_open_op {
    int64_t id, parent, start, th;
    bool has_th;
    wcp_str kind, work_type;
    uint32_t c, i, cl, m; /* string indexes: class, ident, client, metadata (meta_id) */
    wcp_str extra;
} wcp_open_op;

typedef struct wcp_header {
    int64_t schema_version, epoch, dumped, dropped, event_count;
    size_t n_strings;    /* entries in the string table (at least 1: "") */
    wcp_str misuse;      /* the 'misuse' object text, "" when absent */
    wcp_str extra;       /* unknown header keys as a JSON object text, "" when none (an
                        * import's: what its conversion did, with "format": its name) */
    wcp_str incomplete;  /* an import loaded with WCP_READ_ALLOW_INCOMPLETE: what is missing
                          * from it ("" when nothing known; runs.incomplete) */
    bool waits_inferred; /* an import without wait edges: dependencies inferred from nesting
                          * alone (runs.waits_inferred) */
} wcp_header;

/* How an import is read (wcp_reader.flags, set before wcp_reader_header()). */
enum {
    WCP_READ_ONE_RUN = 1,          /* a file of several traces is one run (default: one each) */
    WCP_READ_ALLOW_INCOMPLETE = 2, /* an incomplete trace is loaded (with a warning), not refused */
};

/* ---- the reader */

struct wcp_source;
typedef struct wcp_pipe wcp_pipe;

typedef struct wcp_reader {
    const char *path; /* as given; "-" is standard input, named "<stdin>" */
    int fd;
    char *buf;            /* read buffer; holds at least the current line or token */
    size_t cap, pos, len; /* allocated, start of unread data, end of data */
    bool eof;             /* read() returned 0 */
    long line;            /* number of the line last returned (1 = header) */
    uint64_t bytes;       /* bytes consumed so far (for progress) */
    uint64_t base;   /* readers of chunks (wcp_reader_fill()): position of buf[0] in the file */
    uint64_t limit;  /* a reader of a piece (wcp_reader_open_piece()): where its
                      * piece ends in the file, read as the file's end; 0: none */
    wcp_hasher hash; /* readers of chunks: the content hash of what was read */
    bool no_hash;    /* a reader that needs no content hash: wcp_reader_fill() skips it */
    /* Called by wcp_reader_fill() after each read, with the bytes of the
     * file read so far, on the thread that reads (readers of chunks: how
     * far a format that reads the whole file before its header has got) */
    void (*on_read)(void *ctx, uint64_t bytes);
    void *on_read_ctx;
    wcp_header hdr;      /* valid after wcp_reader_header() */
    int64_t events;      /* events returned so far */
    wcp_pipe *pipe;      /* the parsing thread, after wcp_reader_start_thread() */
    bool more_runs;      /* another run follows this one (a source with next_run sets it) */
    wcp_event_hook hook; /* see wcp_reader_set_hook() */
    char err[768];       /* "file:line: reason" after a failure */
    unsigned flags;      /* WCP_READ_* */
    const struct wcp_source *src; /* another format's reader, or NULL: a wcprof dump (dump.c) */
    void *src_state;              /* that reader's state */
    /* the wcprof dump reader's (dump.c) */
    jscan js;                          /* scanner state and scratch */
    wcp_str strings_raw, open_ops_raw; /* spans of the header's arrays */
    void *jroot;                       /* json_t of the last line parsed by the jansson fallback */
    wcp_str cur_line; /* the line being checked (an event's, or the header's): for columns */
} wcp_reader;

/* Opens path ("-": standard input) to be read as a wcprof dump (see
 * wcp_source_open() for the others). Returns 0, or -1 with r->err set
 * (close the reader either way). */
int wcp_reader_open(wcp_reader *r, const char *path);

/* Reads and checks the header; calls on_string(ctx, index, bytes, len) for
 * each entry of the string table in order. A non-zero return from
 * on_string stops the read (its return value is returned; r->err is the
 * caller's to set). Returns 0 or -1 with r->err set. */
typedef int (*wcp_string_fn)(void *ctx, size_t index, const char *s, size_t n);
int wcp_reader_header(wcp_reader *r, wcp_string_fn on_string, void *ctx);

/* Calls on_open for each op open when the trace was taken (after the
 * header); a non-zero return stops and is returned. Returns 0 or -1 with
 * r->err set. */
typedef int (*wcp_open_fn)(void *ctx, const wcp_open_op *op);
int wcp_reader_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx);

/* Reads the next event. Returns 1 with *ev filled (valid until the next call),
 * 0 at the end of a complete trace (for a dump: exactly event_count events),
 * or -1 with r->err set. */
int wcp_reader_next(wcp_reader *r, wcp_event *ev);

/* Has the parsing thread call hook->seen for every event as it is parsed
 * and hook->ready (whose result goes to ev->aux) as it is handed over, both
 * in order. Without wcp_reader_start_thread(), ready follows seen at
 * once; with it, the thread hands a batch over only once the next one is
 * parsed, so ready() has seen at least the next 2048 events. Both run on the
 * parsing thread: they must only touch what they alone use. Set it before
 * the first event. Either function may be NULL. */
void wcp_reader_set_hook(wcp_reader *r, const wcp_event_hook *hook);

/* After the header (and open ops, if wanted): parse the events on a
 * second thread, of any format, which hands them over in batches through a
 * bounded queue (a few thousand events, so memory does not grow with the
 * input). wcp_reader_next() then returns the same events, errors, r->line
 * and r->bytes as without it; an event stays valid until the next call, as
 * before. Returns 0, or -1 when no thread could be started (nothing
 * changed: the reader goes on parsing on the calling thread). Like a read,
 * it ends the life of the header's strings. wcp_reader_close() stops the
 * thread. See pipe.c. */
int wcp_reader_start_thread(wcp_reader *r);

/* Stops the thread, closes the file, frees everything. Can't fail. */
void wcp_reader_close(wcp_reader *r);

/* ---- another format's reader */

/* What a reader of another format implements, converting it to the records
 * above: when r->src is set, wcp_reader_header(), _open_ops(), _next() and
 * _close() call it instead of reading a dump (same contracts). */
typedef struct wcp_source {
    int (*header)(wcp_reader *r, wcp_string_fn on_string, void *ctx);
    int (*open_ops)(wcp_reader *r, wcp_open_fn on_open, void *ctx);
    int (*next)(wcp_reader *r, wcp_event *ev);
    void (*close)(wcp_reader *r);   /* frees src_state; the reader's own close follows */
    int (*next_run)(wcp_reader *r); /* NULL: one run a file; else after next() returned 0:
                                     * 1 with r->hdr set for the file's next run (same string
                                     * table; open ops and events follow), 0 when none */
} wcp_source;

/* After wcp_reader_next() returned 0: 1 when the file holds another run
 * (r->hdr is its header; its open ops and events follow, read as the
 * first run's were), 0 when not, -1 with r->err. Only the last run (not
 * r->more_runs) may be handed to a parsing thread, which takes the source
 * with it. */
int wcp_reader_next_run(wcp_reader *r);

/* For readers of formats read in chunks rather than lines: more of the file
 * into r->buf. The unread bytes r->buf[r->pos, r->len) move to the front
 * first (r->base counts the bytes moved out); a full buffer doubles, up to
 * max bytes; then it reads until the buffer is full (or wcp_read_max bytes),
 * adding what it read to r->hash, and sets r->bytes. The bytes the reader
 * held when its format was opened are the format's to hash. Returns 1 when
 * bytes were added, 0 at the end of the file, or one of: */
enum {
    WCP_FILL_ERROR = -1, /* a read error (errno says which) */
    WCP_FILL_FULL = -2,  /* the buffer is full at max bytes */
    WCP_FILL_NOMEM = -3
};
int wcp_reader_fill(wcp_reader *r, size_t max);

/* For readers of a file in pieces, one reader a piece: opens r to read
 * the bytes [start, end) of the file `of` reads (a regular file, opened
 * again by its path and checked to be the same file), as wcp_reader_fill()
 * brings them in: r->base is start, and the file ends at end for it. 0,
 * or -1 with r->err set (close r either way). */
int wcp_reader_open_piece(wcp_reader *r, const wcp_reader *of, uint64_t start, uint64_t end);

/* Do the first n bytes at p start as an SQLite database's file does? */
bool wcp_sqlite_magic(const char *p, size_t n);

/* For tests: when non-zero, the most bytes one read() asks for while
 * telling the formats apart and in wcp_reader_fill(), so that a file
 * arrives in pieces that cut tokens anywhere. 0 (the default) reads as much
 * as the buffer holds. */
extern size_t wcp_read_max;

/* ---- the formats */

/* How sure a format's sniff is that a file's first bytes are its format. */
enum {
    WCP_SNIFF_MORE = -1, /* can't tell yet: read more */
    WCP_SNIFF_NO = 0,
    WCP_SNIFF_MAYBE = 1, /* it could be (it takes what no other format takes) */
    WCP_SNIFF_YES = 2
};

/* For sniffs: the index in [p, p+n) of the first byte after a UTF-8 byte
 * order mark and blanks, or -1 when there is none yet (the answer is then
 * WCP_SNIFF_MORE, or WCP_SNIFF_NO at the end of the file). */
long wcp_sniff_skip(const char *p, size_t n);

/* For sniffs: WCP_SNIFF_YES when the first bytes are '{' and the key
 * `quoted` (written with its quotes, as "\"data\""), after a byte order mark
 * and blanks; MORE when they could still be; else NO. */
int wcp_sniff_first_key(const char *p, size_t n, bool eof, const char *quoted);

/* One row of the table of formats (source.c), defined in the format's file
 * as `const wcp_format wcp_format_NAME`. */
typedef struct wcp_format {
    const char *name;   /* --format NAME; "format" in the dumps.extra of its imports */
    const char *detect; /* for --help: what --format auto reads as this format ("a file
                         * that starts with ..., as a ..."); NULL for the wcprof dump */
    int (*sniff)(const char *p, size_t n, bool eof); /* WCP_SNIFF_* for the file's first bytes
                         * [p, p+n) (all of the file when eof); never MORE when eof */
    int (*open)(wcp_reader *r); /* makes r, just opened, its first bytes in r->buf, read
                         * this format (sets r->src): 0, or -1 with r->err set; NULL: a dump */
    char *(*notes)(json_t *extra, const char *prefix); /* lines "PREFIX: note: ...\n" on
                         * what an import left out or guessed, from its dumps.extra: a new
                         * string, or NULL when there is nothing to say; NULL: never any */
} wcp_format;

/* Format ids: 0 tells the format from the first bytes; a row is 1 + its
 * index in the table, whose first two rows are these. */
enum { WCP_FORMAT_AUTO = 0, WCP_FORMAT_WCPROF, WCP_FORMAT_CHROME };

/* Opens path ("-": standard input) like wcp_reader_open() and makes the
 * reader read its format: the one given, or with WCP_FORMAT_AUTO the one
 * whose sniff is sure of the first bytes (up to 4 KiB are read for that),
 * else the one that could take them, else the wcprof dump (whose reader
 * then says what is wrong). Returns 0, or -1 with r->err set (close the
 * reader either way). */
int wcp_source_open(wcp_reader *r, const char *path, int format);

/* "auto" -> WCP_FORMAT_AUTO, a row's name -> its id; -1 for anything else. */
int wcp_format_from_name(const char *name);

/* The row of id (1 .. wcp_format_count()), or NULL. */
const wcp_format *wcp_format_get(int id);
int wcp_format_count(void);

/* What the import of dump dump_id (a row of dumps) left out or guessed, as
 * its format's notes say it (see wcp_format.notes), each line starting
 * with prefix. A new string (free() it), or NULL when the dump is not an
 * import or there is nothing to say. */
char *wcp_source_notes(sqlite3 *db, int64_t dump_id, const char *prefix);

#endif
