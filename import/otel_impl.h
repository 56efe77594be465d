/* otel_impl.h - span traces (OpenTelemetry's OTLP JSON, Jaeger's JSON) as
 * records: what a span reader (otlp.c) fills, and what otel.c turns into
 * runs of ops, waits and links and hands out as a dump's records. See
 * import/README.md "OpenTelemetry and Jaeger" for the mapping. */
#ifndef WCP_OTEL_IMPL_H
#define WCP_OTEL_IMPL_H

#include "errpos.h"
#include "json.h"
#include "source.h"
#include "strtab.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define OTEL_TS_MAX ((int64_t)1 << 62) /* unix ns (and their differences) stay below it */

enum {
    SP_ERROR = 1,       /* status error: outcome "error" */
    SP_OK = 2,          /* status ok: outcome "ok" */
    SP_ENDED = 4,       /* has an end time (else an open span) */
    SP_ENGINE = 8,      /* wcprof.engine_span = true */
    SP_WPARENT = 16,    /* parent from wcprof.parent */
    SP_NO_ID = 32,      /* an empty span id: no one can refer to it */
    SP_SESSION = 64,    /* the wcprof.session_complete span, with its span count */
    SP_DROPPED_A = 128, /* droppedAttributesCount > 0 */
};

/* A span as kept until the whole file is read (the conversion needs every
 * span first: ops are numbered by start and times rebased to the earliest):
 * 112 bytes, ids as integers, strings and trace ids as indexes. */
typedef struct otel_span {
    uint64_t id, parent;   /* span ids; parent 0: none (wcprof.parent when SP_WPARENT) */
    int64_t start, end;    /* unix ns; end valid with SP_ENDED */
    int64_t session_count; /* with SP_SESSION */
    int64_t dropped_links; /* droppedLinksCount */
    long line;             /* where it starts in the file, for messages */
    uint32_t trace;        /* its trace id: o->traces[trace] */
    uint32_t name, kind, work, ident, client, meta; /* string indexes (0: none) */
    uint32_t link0, nlinks;                         /* its links: links[link0 .. +nlinks) */
    /* conversion (otel.c); its place in the file (order) is its index */
    uint32_t run;   /* index into runs */
    uint32_t op;    /* op id in its run; 0: a duplicate copy, dropped */
    uint32_t pop;   /* the parent's op id, 0: none */
    uint16_t flags; /* SP_* */
} otel_span;

typedef struct otel_link {
    uint64_t id;    /* the linked span */
    uint32_t trace; /* its trace id: o->traces[trace] */
    bool wait;      /* dagger.io/link.purpose = wait */
    bool has_ws, has_we;
    uint8_t out;            /* conversion: what it becomes: 0 nothing, OUT_WAIT, OUT_LINK */
    int64_t ws, we;         /* wcprof.wait.start_unix_ns / end_unix_ns */
    uint32_t reason, ident; /* wcprof.wait.reason, wcprof.wait.ident */
    uint32_t purpose;       /* dagger.io/link.purpose (string index, 0: none) */
    uint32_t top;           /* conversion: the linked span's op id, 0: none (a wait on ident) */
} otel_link;

typedef struct otel_trace {
    uint64_t hi, lo;
} otel_trace;

enum { OUT_WAIT = 1, OUT_LINK = 2 };

typedef struct otel_run {
    uint64_t tr_hi, tr_lo; /* its trace id (with one run for the file: the lowest) */
    int64_t epoch, last;   /* earliest span start, latest time seen (unix ns) */
    uint32_t first, count; /* its spans in `order` */
    int64_t waits, links, open;
    char *incomplete; /* what is missing ('; '-joined), NULL: nothing known */
    char *extra;      /* dumps.extra */
} otel_run;

typedef struct otel {
    wcp_reader *r;
    /* reading: r->pos is at line `line`, which starts at line_off */
    long line;
    uint64_t line_off;
    wcp_errpos jerr; /* the tokenizer's last failure */
    char *scratch;   /* decoded strings */
    size_t scap;
    const char *doc_what; /* "a TracesData object": what a top-level value is */
    const char *format;   /* "otlp", "jaeger" */
    const char *unit;     /* "span" */
    wcp_strtab st;        /* every string handed out */
    otel_trace *traces;   /* every trace id read ([0]: none, all zeros) */
    size_t ntraces, trcap;
    uint32_t *tr_slot; /* their index: an open-addressing table of index + 1 */
    size_t tr_mask;
    otel_span *sp;
    size_t nsp, spcap;
    otel_link *lk;
    size_t nlk, lkcap;
    /* notes */
    int64_t base64_ids, empty_ids, docs, dups, links_outside, lost_link_attrs;
    /* conversion */
    otel_run *runs;
    size_t nruns;
    uint32_t *order;                  /* span indexes, per run in op order */
    size_t cur;                       /* the run being handed out */
    size_t out_i;                     /* next span of the run (in order) */
    uint32_t out_l;                   /* next link of that span */
    bool out_op;                      /* its op was handed out */
    uint32_t kind_str[6], engine_str; /* see wcp_otel_init() */
} otel;

/* ---- reading (otel.c): a file of top-level JSON objects (JSON Lines, or
 * one document), each read in one pass, in place, by the format's reader.
 *
 * read_doc gets a cursor j that has just read the object's '{' (open) and
 * reads the rest of it with j itself, as far as the buffer goes (with
 * wcp_otel_next_member(), wcp_otel_next_elem(), wcp_otel_skip()). When
 * read_doc fails, whether j ran out of text (WCP_JSON_MORE, the object
 * longer than the buffer) or the object is refused, the spans, links and
 * counts it added are taken back and the object is read the two-pass way
 * (whole into the buffer first, checked by the JSON tokenizer, then
 * read_doc with a cursor over just the object; the strings it interned are
 * interned again in the same order), so that a refusal is the same
 * whatever the buffer held. A format's own state that read_doc adds to
 * must be rebuilt by read_doc (Jaeger's per-trace processes are). 0, or -1
 * with r->err. */
typedef int (*wcp_otel_stream_fn)(otel *o, wcp_json *j, const wcp_json_tok *open);
int wcp_otel_read_docs_in_place(otel *o, wcp_otel_stream_fn read_doc, const char *what);

/* The same file read in pieces on several threads, when it is a regular
 * file of at least two pieces of wcp_otel_piece_min bytes cut at line
 * ends (JSON Lines), one piece a core (at most wcp_otel_pieces_max when
 * set): each piece has a reader of its own, made by open (the format's
 * wcp_format.open), and the pieces' records are put together in file
 * order, as read_docs_in_place() would have read them (see otel.c). 1
 * when read so; 0 when not tried, or at any fault (bad input, an object
 * over a cut, no memory), with o as it was: read it with
 * wcp_otel_read_docs_in_place(), which says what is wrong. Never -1. */
int wcp_otel_read_pieces(otel *o, wcp_otel_stream_fn read_doc, const char *what,
                         int (*open)(wcp_reader *r));
#define WCP_OTEL_PIECE_MIN ((size_t)4 << 20)
extern size_t wcp_otel_piece_min;    /* WCP_OTEL_PIECE_MIN; tests lower it; 0: never in pieces */
extern int wcp_otel_pieces_max;      /* 0: the cores this process may use (at most 16) */
extern long wcp_otel_read_in_pieces; /* files read so (for tests) */

/* Reading a document piece by piece (Jaeger's one object holding every
 * trace): a cursor j goes through the file's structure, bringing into the
 * buffer whole only what the reader keeps pointers into (a span, a small
 * member), so that memory holds one such piece, never the document. Each
 * call may move the buffer: tokens of an earlier call are then gone.
 *
 * The next top-level object (what: what it is, for errors): 1 with j after
 * its '{', 0 at the end of the file, -1. An empty file is refused. */
int wcp_otel_stream_doc(otel *o, wcp_json *j, const char *what);
/* The next member of the object j is in: 0 with its key k (k->type END at
 * the object's end) and its value v whole in the buffer, or, when the key
 * is `enter` (NULL: none) and the value an object or an array, v its first
 * token only and j inside it. -1. */
int wcp_otel_stream_member(otel *o, wcp_json *j, const char *enter, wcp_json_tok *k,
                           wcp_json_tok *v);
/* The next element of the array j is in: 0 with v (END at the array's end)
 * whole in the buffer, or with whole false its first token only and j
 * inside it. -1. */
int wcp_otel_stream_elem(otel *o, wcp_json *j, bool whole, wcp_json_tok *v);

/* "file:line: reason (column C)" into r->err; returns -1. */
int wcp_otel_err(otel *o, long line, uint64_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int wcp_otel_oom(otel *o);
int wcp_otel_json_err(otel *o); /* the tokenizer's failure (o->jerr) */

/* Reading in place: the cursor s has just read the '{' or '[' of the
 * container it goes through; these read its members or elements until its
 * end. When the buffer ends first they fail as on bad input (-1, r->err
 * not set), and wcp_otel_read_docs_in_place() reads the object again whole. */
static inline int wcp_otel_in_place_err(otel *o, int rc)
{
    return rc < 0 ? wcp_otel_json_err(o) : -1; /* else WCP_JSON_MORE */
}

/* The next element of the array s is in: 1 with its first token, 0 at the end, -1. */
static inline int wcp_otel_next_elem(otel *o, wcp_json *s, wcp_json_tok *item)
{
    int rc = wcp_json_next(s, item);
    return rc ? wcp_otel_in_place_err(o, rc) : item->type != WCP_JSON_END;
}

/* The next member of the object s is in: 1 with its key and its value's
 * first token, 0 at its end, -1. */
static inline int wcp_otel_next_member(otel *o, wcp_json *s, wcp_json_tok *k, wcp_json_tok *v)
{
    int rc = wcp_json_member(s, k, v);
    return rc ? wcp_otel_in_place_err(o, rc) : k->type == WCP_JSON_KEY;
}

/* The rest of a value whose first token is v (an object or an array: all
 * of it, v then whole; anything else: nothing to read). */
static inline int wcp_otel_skip(otel *o, wcp_json *s, wcp_json_tok *v)
{
    int rc = wcp_json_skip(s, v);
    return rc ? wcp_otel_in_place_err(o, rc) : 0;
}
/* A sub-cursor s over the whole value v, which j read with wcp_json_skip(). */
void wcp_otel_sub(const wcp_json *j, const wcp_json_tok *v, wcp_json *s);
/* The same, its first token read into *open: the cursor a reader reads a
 * whole object or array with. 0, or -1. */
int wcp_otel_open(otel *o, const wcp_json *j, const wcp_json_tok *v, wcp_json *s,
                  wcp_json_tok *open);
/* The decoded bytes of string token v (valid until the next call). */
int wcp_otel_str(otel *o, const wcp_json_tok *v, const char **s, size_t *n);
/* -1 with "KEY: expected WHAT, got ..." unless v is of type. */
int wcp_otel_want(otel *o, const wcp_json_tok *v, int type, const char *key, const char *what);
int wcp_otel_intern(otel *o, const char *s, size_t n, uint32_t *out);
/* A trace id's index in o->traces (added when new). */
int wcp_otel_trace(otel *o, uint64_t hi, uint64_t lo, uint32_t *out);
/* A string value interned (at most 64 KiB). */
int wcp_otel_intern_tok(otel *o, const wcp_json_tok *v, const char *key, uint32_t *out);
/* A number or a decimal string: an integer in [0, max). */
int wcp_otel_uint(otel *o, const wcp_json_tok *v, const char *key, int64_t max, int64_t *out);
/* Is the key (or string) token k exactly lit (unescaped)? */
static inline bool wcp_otel_is_key(const wcp_json_tok *k, const char *lit)
{
    return !k->esc && k->n == strlen(lit) && memcmp(k->p, lit, k->n) == 0;
}

/* Each byte's value as a hex digit (any case) plus one; 0: not a digit. */
extern const uint8_t wcp_otel_hex_plus1[256];

/* c's value as a hex digit, or -1 (as unsigned: all ones, so that a loop
 * can OR the digits' values to learn, with no branch, whether one was
 * not a digit). */
static inline int wcp_otel_hexval(char c)
{
    return (int)wcp_otel_hex_plus1[(unsigned char)c] - 1;
}

/* Makes o read r in format (its name), r->src being src: the string
 * table's "", the span kinds (kind_str[0..5] for OTLP's kind numbers) and
 * "engine" interned. 0, or -1 with r->err. */
int wcp_otel_init(otel *o, wcp_reader *r, const char *format, const wcp_source *src);

/* Converts the spans read into runs (one per trace id, or one for the
 * file with WCP_READ_ONE_RUN): duplicates merged, parents and links
 * resolved, op ids given, completeness checked (refused unless
 * WCP_READ_ALLOW_INCOMPLETE). Then sets r->hdr for the first run and
 * hands the string table to on_string. 0, or -1 with r->err set. */
int wcp_otel_finish(otel *o, wcp_string_fn on_string, void *ctx);

/* The wcp_source calls after wcp_otel_finish(): open ops, next, next run. */
int wcp_otel_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx);
int wcp_otel_next(wcp_reader *r, wcp_event *ev);
int wcp_otel_next_run(wcp_reader *r);

/* Frees what o holds (not o). */
void wcp_otel_release(otel *o);

/* The notes on an import (wcp_format.notes), from its dumps.extra. */
char *wcp_otel_notes(json_t *extra, const char *prefix);

#endif
