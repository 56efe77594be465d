/* otel.c - span traces (OTLP JSON, Jaeger JSON) converted: the spans a
 * reader collected (otel_impl.h) become runs of ops, waits and links,
 * handed out as a dump's records. See import/README.md "OpenTelemetry and
 * Jaeger".
 *
 * Converting. Copies of one span (a live exporter writes a span when it
 * starts, as it goes and when it ends) are merged: the last copy that has
 * an end is kept, else the last copy. Each trace id is a run (or the file
 * is one, WCP_READ_ONE_RUN); a run's ops are numbered 1, 2, ... in order of
 * start (ties: file order), times rebased to its earliest span start, in
 * ns exactly. Parents, wait targets and link targets are looked up by
 * (trace id, span id). What cannot be found, and what the trace says it
 * dropped, makes the run incomplete: refused with what is missing, or kept
 * with runs.incomplete set (WCP_READ_ALLOW_INCOMPLETE), which every
 * analysis reports (run_summary.warning). A cycle of parents is refused.
 */
#define _GNU_SOURCE
#include "otel_impl.h"

#include "errpos.h"
#include "grow.h"
#include "hash.h"
#include "json.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const uint8_t wcp_otel_hex_plus1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

static int oerr(otel *o, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int oerr(otel *o, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (line > 0)
        wcp_errpos_vprint(o->r->err, sizeof o->r->err, o->r->path, line, 0, "", fmt, ap);
    else { /* of the whole file */
        int n = snprintf(o->r->err, sizeof o->r->err, "%s: ", o->r->path);
        if (n > 0 && (size_t)n < sizeof o->r->err)
            vsnprintf(o->r->err + n, sizeof o->r->err - (size_t)n, fmt, ap);
    }
    va_end(ap);
    return -1;
}

static int oom(otel *o)
{
    return oerr(o, 0, "out of memory");
}

/* ---- reading, for the span readers (otel_impl.h) */

#define DOC_MAX ((size_t)1 << 30)     /* one top-level object (a line, or the whole file) */
#define STRING_MAX ((size_t)64 << 10) /* a kept string */
#define DEPTH_MAX 512

int wcp_otel_err(otel *x, long line, uint64_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vprint(x->r->err, sizeof x->r->err, x->r->path, line, col, "", fmt, ap);
    va_end(ap);
    return -1;
}

int wcp_otel_oom(otel *x)
{
    return wcp_otel_err(x, x->line, 0, "out of memory");
}

int wcp_otel_json_err(otel *x)
{
    return wcp_otel_err(x, x->jerr.line, x->jerr.column, "%s", x->jerr.text);
}

/* ---- the file, one top-level object at a time */

static int fill(otel *x)
{
    int k = wcp_reader_fill(x->r, DOC_MAX);
    if (k == WCP_FILL_FULL)
        return wcp_otel_err(x, x->line, 0, "a single %s is larger than %zu MiB", x->doc_what,
                            DOC_MAX >> 20);
    if (k == WCP_FILL_NOMEM)
        return wcp_otel_oom(x);
    if (k == WCP_FILL_ERROR)
        return wcp_otel_err(x, x->line, 0, "read error: %s", strerror(errno));
    return k;
}

static void cursor(otel *x, wcp_json *j)
{
    wcp_reader *r = x->r;
    j->p = r->buf + r->pos;
    j->end = r->buf + r->len;
    j->last = r->eof;
    j->flags = 0;
    j->max_depth = DEPTH_MAX;
    j->err = &x->jerr;
    j->buf = r->buf;
    j->base = r->base;
    j->line = x->line;
    j->line_off = x->line_off;
    wcp_json_reset(j);
}

static void commit(otel *x, const wcp_json *j)
{
    x->r->pos = (size_t)(j->p - x->r->buf);
    x->line = j->line;
    x->line_off = j->line_off;
}

/* Skips blanks; the next byte, -1 at the end of the file, -2 on an error. */
static int peek(otel *x)
{
    wcp_reader *r = x->r;
    for (;;) {
        wcp_json j;
        cursor(x, &j);
        int rc = wcp_json_ws(&j);
        commit(x, &j);
        if (rc == 0)
            return (unsigned char)r->buf[r->pos];
        int k = fill(x);
        if (k <= 0)
            return k < 0 ? -2 : -1;
    }
}

/* A sub-cursor over the whole value v (read with wcp_json_skip() by j). */
void wcp_otel_sub(const wcp_json *j, const wcp_json_tok *v, wcp_json *s)
{
    *s = *j;
    s->p = v->p;
    s->end = v->p + v->n;
    s->last = true;
    s->line = v->line;
    s->line_off = wcp_json_pos(j, v->p) - (v->col - 1);
    wcp_json_reset(s);
}

int wcp_otel_open(otel *o, const wcp_json *j, const wcp_json_tok *v, wcp_json *s,
                  wcp_json_tok *open)
{
    wcp_otel_sub(j, v, s);
    return wcp_json_next(s, open) ? wcp_otel_json_err(o) : 0;
}

/* ---- values */

int wcp_otel_str(otel *x, const wcp_json_tok *v, const char **s, size_t *n)
{
    if (!v->esc) {
        *s = v->p;
        *n = v->n;
        return 0;
    }
    if (!wcp_grow((void **)&x->scratch, &x->scap, v->n + 1, 1))
        return wcp_otel_oom(x);
    *n = wcp_json_decode(v->p, v->n, x->scratch);
    *s = x->scratch;
    return 0;
}

int wcp_otel_want(otel *x, const wcp_json_tok *v, int type, const char *key, const char *what)
{
    if (v->type == type)
        return 0;
    return wcp_otel_err(x, v->line, v->col, "\"%s\": expected %s, got %s", key, what,
                        wcp_json_type_name(v->type));
}

int wcp_otel_intern(otel *x, const char *s, size_t n, uint32_t *out)
{
    return wcp_strtab_intern(&x->st, s, n, out) < 0 ? wcp_otel_oom(x) : 0;
}

static uint64_t trace_hash(uint64_t hi, uint64_t lo)
{
    return wcp_mix64(hi ^ wcp_mix64(lo));
}

static uint64_t trace_hash_of(const void *ctx, size_t k)
{
    const otel_trace *t = &((const otel_trace *)ctx)[k];
    return trace_hash(t->hi, t->lo);
}

int wcp_otel_trace(otel *x, uint64_t hi, uint64_t lo, uint32_t *out)
{
    if (2 * (x->ntraces + 1) > x->tr_mask) { /* (re)build the index, twice as large */
        size_t cap = x->tr_mask ? 2 * (x->tr_mask + 1) : 64;
        uint32_t *slot = wcp_hash_slots(cap, 0, x->ntraces, trace_hash_of, x->traces);
        if (!slot)
            return wcp_otel_oom(x);
        free(x->tr_slot);
        x->tr_slot = slot;
        x->tr_mask = cap - 1;
    }
    for (size_t h = (size_t)trace_hash(hi, lo);; h++) {
        uint32_t *at = &x->tr_slot[h & x->tr_mask];
        if (*at && x->traces[*at - 1].hi == hi && x->traces[*at - 1].lo == lo) {
            *out = *at - 1;
            return 0;
        }
        if (!*at) {
            if (x->ntraces >= UINT32_MAX - 1)
                return wcp_otel_err(x, x->line, 0, "more than %u trace ids", UINT32_MAX - 1);
            if (!wcp_grow((void **)&x->traces, &x->trcap, x->ntraces + 1, sizeof *x->traces))
                return wcp_otel_oom(x);
            x->traces[x->ntraces] = (otel_trace){hi, lo};
            *at = (uint32_t)x->ntraces + 1;
            *out = (uint32_t)x->ntraces++;
            return 0;
        }
    }
}

int wcp_otel_intern_tok(otel *x, const wcp_json_tok *v, const char *key, uint32_t *out)
{
    if (wcp_otel_want(x, v, WCP_JSON_STRING, key, "a string") < 0)
        return -1;
    const char *s;
    size_t n;
    if (wcp_otel_str(x, v, &s, &n) < 0)
        return -1;
    if (n > STRING_MAX)
        return wcp_otel_err(x, v->line, v->col, "\"%s\": a string of %zu bytes (at most %zu KiB)",
                            key, n, STRING_MAX >> 10);
    return wcp_otel_intern(x, s, n, out);
}

/* A 64-bit integer: a number or a decimal string (OTLP JSON), at least 0
 * and below max. */
int wcp_otel_uint(otel *x, const wcp_json_tok *v, const char *key, int64_t max, int64_t *out)
{
    const char *p = v->p, *end = v->p + v->n;
    bool ok = (v->type == WCP_JSON_NUMBER || (v->type == WCP_JSON_STRING && !v->esc)) && p < end;
    uint64_t k = 0;
    for (; ok && p < end; p++) {
        if (*p < '0' || *p > '9' || k > (uint64_t)INT64_MAX / 10) {
            ok = false;
            break;
        }
        k = k * 10 + (uint64_t)(*p - '0');
    }
    if (!ok || k >= (uint64_t)max)
        return wcp_otel_err(
            x, v->line, v->col,
            "\"%s\": expected an integer from 0 below %lld (a number or a decimal string), "
            "got %s%.*s%s",
            key, (long long)max, v->type == WCP_JSON_STRING ? "\"" : "",
            (int)(v->n > 40 ? 40 : v->n), v->p, v->type == WCP_JSON_STRING ? "\"" : "");
    *out = (int64_t)k;
    return 0;
}

/* Skips a byte order mark at the start of the file. */
static void skip_bom(otel *x)
{
    wcp_reader *r = x->r;
    while (r->len - r->pos < 3 && fill(x) > 0)
        ;
    if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3) == 0)
        r->pos += 3;
}

/* At the next top-level object: 1, 0 at the end of the file, -1. */
static int next_doc(otel *x)
{
    wcp_reader *r = x->r;
    int c = peek(x);
    if (c == -2)
        return -1;
    if (c == -1)
        return 0;
    if (c != '{')
        return wcp_otel_err(x, x->line, r->base + r->pos - x->line_off + 1,
                            "expected %s ('{'), one a line or one in the file", x->doc_what);
    return 1;
}

/* The whole object at r->pos into the buffer: j the cursor that read it
 * (after it), v the object. 0, or -1. */
static int whole_doc(otel *x, wcp_json *j, wcp_json_tok *v)
{
    for (;;) {
        cursor(x, j);
        int rc = wcp_json_next(j, v);
        if (!rc)
            rc = wcp_json_skip(j, v);
        if (rc < 0)
            return wcp_otel_json_err(x);
        if (rc == 0)
            return 0;
        int k = fill(x);
        if (k < 0)
            return -1;
        if (k == 0)
            return wcp_otel_err(x, x->line, 0, "the file ends inside %s (a truncated line?)",
                                x->doc_what);
    }
}

/* The top-level objects from r->pos to the end of the file (or of the
 * piece), each read in one pass if it can be (see otel_impl.h); stops, -1,
 * between two of them once *stop is set. 0, or -1. */
static int read_docs(otel *x, wcp_otel_stream_fn read_doc, const atomic_bool *stop)
{
    wcp_reader *r = x->r;
    int at;
    while ((at = next_doc(x)) > 0) {
        if (stop && atomic_load_explicit(stop, memory_order_relaxed))
            return -1;
        /* one object a line (JSON Lines, or one document on one line, as
         * Jaeger's query API writes it): have its line in the buffer, so
         * that it is read in one pass (a newline is never inside a JSON
         * string). The buffer holds no more than the two-pass read would
         * (the object whole); a read that fails is met again below */
        for (size_t looked = 0;
             !r->eof && !memchr(r->buf + r->pos + looked, '\n', r->len - r->pos - looked);) {
            looked = r->len - r->pos; /* wcp_reader_fill() moves it to the front */
            if (wcp_reader_fill(r, DOC_MAX) <= 0)
                break;
        }
        size_t nsp = x->nsp, nlk = x->nlk;
        int64_t base64_ids = x->base64_ids, empty_ids = x->empty_ids;
        wcp_json j;
        wcp_json_tok v;
        cursor(x, &j);
        if (wcp_json_next(&j, &v) == 0 && v.type == WCP_JSON_OBJECT && read_doc(x, &j, &v) == 0) {
            x->docs++;
            commit(x, &j);
            continue;
        }
        /* past the buffer, or refused: the object again, whole first */
        x->nsp = nsp;
        x->nlk = nlk;
        x->base64_ids = base64_ids;
        x->empty_ids = empty_ids;
        if (whole_doc(x, &j, &v) < 0)
            return -1;
        x->docs++;
        wcp_json s;
        wcp_json_tok open;
        if (wcp_otel_open(x, &j, &v, &s, &open) < 0 || read_doc(x, &s, &open) < 0)
            return -1;
        commit(x, &j);
    }
    return at < 0 ? -1 : 0;
}

int wcp_otel_read_docs_in_place(otel *x, wcp_otel_stream_fn read_doc, const char *what)
{
    x->doc_what = what;
    skip_bom(x);
    if (read_docs(x, read_doc, NULL) < 0)
        return -1;
    if (x->docs == 0)
        return wcp_otel_err(x, 1, 0, "empty file: expected %s", what);
    return 0;
}

/* ---- reading a file of JSON Lines in pieces, on several threads
 *
 * A file of many lines is cut, at line ends, into one piece a core; each
 * piece is read by a reader of its own (its own file descriptor, buffer,
 * strings, trace ids, spans and links) on a thread of its own, from its
 * first byte as if the file began there (no byte order mark skipped but
 * the file's first), to its last. Then the pieces are put together in
 * file order: strings and trace ids interned again (so they come in the
 * order of first appearance in the file, as a reading from start to end
 * gives them), spans and links appended, their lines counted on from the
 * lines of the pieces before.
 *
 * That is what a reading from start to end gives whenever every piece is
 * read without a fault: the first piece is read exactly as the start of
 * the file is, and when it ends at the end of an object, the next begins
 * where a reading from start to end would look for the next object, with
 * nothing carried over but the tables (merged) and counts (added). An
 * object that runs over a cut (a document written over many lines) makes
 * the piece before it end inside it: a fault. At any fault (bad input, an
 * object over a cut, no memory, a file that changed or grew) the pieces are
 * dropped and the file is read from start to end on the calling thread,
 * which finds the same fault and says what it is, so a message never
 * depends on the cuts. */

size_t wcp_otel_piece_min = WCP_OTEL_PIECE_MIN;
int wcp_otel_pieces_max;
long wcp_otel_read_in_pieces;

#define PIECES_MAX 16
#define CUT_LOOK ((size_t)64 << 10) /* bytes read at a time looking for a line's end */

typedef struct piece {
    wcp_reader r;            /* its reader, whose src_state is its otel */
    uint64_t told;           /* its bytes up to this offset are counted in *read */
    _Atomic uint64_t *read;  /* bytes read by every piece */
    const wcp_reader *whole; /* the file's reader, whose on_read the first piece calls */
    wcp_otel_stream_fn read_doc;
    const char *what;
    bool first;        /* the file's first piece */
    bool thread;       /* read on a thread of its own (joined) */
    atomic_bool *stop; /* set by a piece at fault: the others stop */
    int rc;
    pthread_t th;
} piece;

/* A piece's reader has read the file up to offset `bytes`: what it read
 * since is added to what all have read, which the first piece (on the
 * calling thread) tells the file's reader's on_read. */
static void piece_read(void *ctx, uint64_t bytes)
{
    piece *p = ctx;
    uint64_t now = bytes - p->told; /* told starts at the piece's first byte */
    p->told = bytes;
    uint64_t all = atomic_fetch_add_explicit(p->read, now, memory_order_relaxed) + now;
    if (p->first && p->whole->on_read)
        p->whole->on_read(p->whole->on_read_ctx, all);
}

static void *read_piece(void *arg)
{
    piece *p = arg;
    otel *o = p->r.src_state;
    o->doc_what = p->what;
    if (p->first)
        skip_bom(o);
    p->rc = read_docs(o, p->read_doc, p->stop);
    if (p->rc < 0)
        atomic_store_explicit(p->stop, true, memory_order_relaxed);
    return NULL;
}

/* Where the pieces start: at[0] = 0, at[k] just after the first line end
 * at or after size * k / n (and after at[k-1]), at[n] = size. Returns how
 * many pieces there are (fewer than n when the lines are too long). */
static size_t cut(int fd, uint64_t size, size_t n, uint64_t *at)
{
    char buf[CUT_LOOK];
    size_t got = 1;
    at[0] = 0;
    for (size_t k = 1; k < n; k++) {
        uint64_t from = size / n * k;
        if (from < at[got - 1])
            from = at[got - 1];
        uint64_t nl = size;
        while (from < size && nl == size) {
            ssize_t m = pread(fd, buf, sizeof buf, (off_t)from);
            if (m <= 0)
                return 1;
            const char *p = memchr(buf, '\n', (size_t)m);
            if (p)
                nl = from + (uint64_t)(p - buf);
            from += (uint64_t)m;
        }
        if (nl + 1 >= size)
            break;
        at[got++] = nl + 1;
    }
    at[got] = size;
    return got;
}

/* Spans [from, to) of a piece copied into place, their strings, trace
 * ids, links and lines renumbered: half of a merge, on either thread. */
typedef struct span_copy {
    otel_span *dst;
    const otel_span *src;
    size_t from, to;
    const uint32_t *smap, *tmap;
    uint32_t link0;
    long line0;
} span_copy;

static void *copy_spans(void *arg)
{
    const span_copy *c = arg;
    /* present in one call, not a page fault a page (fresh memory, as the
     * array grew: half its cost when each thread does its half) */
    wcp_prefault(c->dst, c->from * sizeof *c->dst, c->to * sizeof *c->dst);
    for (size_t k = c->from; k < c->to; k++) {
        otel_span s = c->src[k];
        s.trace = c->tmap[s.trace];
        s.name = c->smap[s.name];
        s.kind = c->smap[s.kind];
        s.work = c->smap[s.work];
        s.ident = c->smap[s.ident];
        s.client = c->smap[s.client];
        s.meta = c->smap[s.meta];
        s.link0 += c->link0;
        s.line += c->line0;
        c->dst[k] = s;
    }
    return NULL;
}

/* Piece o's tables and records added to x's (the pieces before it), in
 * file order: line0 lines came before it. 0, or -1 out of memory. */
static int merge_piece(otel *x, const otel *o, long line0)
{
    uint32_t *smap = malloc((o->st.n ? o->st.n : 1) * sizeof *smap);
    uint32_t *tmap = malloc((o->ntraces ? o->ntraces : 1) * sizeof *tmap);
    int rc = -1;
    if (!smap || !tmap)
        goto out;
    for (size_t k = 0; k < o->st.n; k++) {
        size_t n;
        const char *s = wcp_strtab_get(&o->st, (uint32_t)k, &n);
        if (wcp_otel_intern(x, s, n, &smap[k]) < 0)
            goto out;
    }
    for (size_t k = 0; k < o->ntraces; k++)
        if (wcp_otel_trace(x, o->traces[k].hi, o->traces[k].lo, &tmap[k]) < 0)
            goto out;
    if (!wcp_grow((void **)&x->lk, &x->lkcap, x->nlk + o->nlk, sizeof *x->lk) ||
        !wcp_grow((void **)&x->sp, &x->spcap, x->nsp + o->nsp, sizeof *x->sp))
        goto out;
    wcp_prefault(x->lk, x->nlk * sizeof *x->lk, (x->nlk + o->nlk) * sizeof *x->lk);
    size_t link0 = x->nlk;
    for (size_t k = 0; k < o->nlk; k++) {
        otel_link l = o->lk[k];
        l.trace = tmap[l.trace];
        l.reason = smap[l.reason];
        l.ident = smap[l.ident];
        l.purpose = smap[l.purpose];
        x->lk[x->nlk++] = l;
    }
    /* the spans in two halves, the second on a thread of its own */
    span_copy c[2];
    for (int h = 0; h < 2; h++)
        c[h] = (span_copy){x->sp + x->nsp, o->sp, h ? o->nsp / 2 : 0, h ? o->nsp : o->nsp / 2,
                           smap,           tmap,  (uint32_t)link0,    line0};
    pthread_t th;
    bool helper = o->nsp >= 1024 && pthread_create(&th, NULL, copy_spans, &c[1]) == 0;
    copy_spans(&c[0]);
    if (helper)
        pthread_join(th, NULL);
    else
        copy_spans(&c[1]);
    x->nsp += o->nsp;
    x->base64_ids += o->base64_ids;
    x->empty_ids += o->empty_ids;
    x->docs += o->docs;
    rc = 0;
out:
    free(smap);
    free(tmap);
    return rc;
}

int wcp_otel_read_pieces(otel *x, wcp_otel_stream_fn read_doc, const char *what,
                         int (*open)(wcp_reader *r))
{
    wcp_reader *r = x->r;
    struct stat sb;
    if (r->fd <= 0 || fstat(r->fd, &sb) < 0 || !S_ISREG(sb.st_mode) || x->nsp || x->docs ||
        !wcp_otel_piece_min)
        return 0;
    cpu_set_t cpus; /* the cores this process may run on (taskset, a container's cpuset) */
    long most = wcp_otel_pieces_max                             ? wcp_otel_pieces_max
                : sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? CPU_COUNT(&cpus)
                                                                : sysconf(_SC_NPROCESSORS_ONLN);
    uint64_t size = (uint64_t)sb.st_size;
    size_t n = (size_t)(size / wcp_otel_piece_min);
    if (most > PIECES_MAX)
        most = PIECES_MAX;
    if ((long)n > most)
        n = (size_t)most;
    if (n < 2)
        return 0;
    uint64_t at[PIECES_MAX + 1];
    n = cut(r->fd, size, n, at);
    if (n < 2)
        return 0;
    piece p[PIECES_MAX];
    memset(p, 0, sizeof p);
    atomic_bool stop = false;
    _Atomic uint64_t read = 0;
    size_t made = 0;
    for (; made < n; made++) {
        piece *q = &p[made];
        *q = (piece){.read_doc = read_doc,
                     .what = what,
                     .first = made == 0,
                     .stop = &stop,
                     .told = at[made],
                     .read = &read,
                     .whole = r};
        if (wcp_reader_open_piece(&q->r, r, at[made], at[made + 1]) < 0)
            break;
        q->r.flags = r->flags;
        q->r.on_read = piece_read;
        q->r.on_read_ctx = q;
        if (open(&q->r) < 0)
            break;
        ((otel *)q->r.src_state)->line_off = at[made];
    }
    bool ok = made == n;
    if (made < n)
        wcp_reader_close(&p[made].r); /* the one that failed to open */
    for (size_t k = 1; ok && k < n; k++)
        p[k].thread = pthread_create(&p[k].th, NULL, read_piece, &p[k]) == 0;
    if (ok)
        read_piece(&p[0]);
    for (size_t k = 1; ok && k < n; k++) {
        if (p[k].thread)
            pthread_join(p[k].th, NULL);
        else
            read_piece(&p[k]); /* no thread for it: read here */
    }
    for (size_t k = 0; ok && k < n; k++)
        ok = p[k].rc == 0;
    /* a file still being written (an exporter appending): read to its end */
    ok = ok && fstat(r->fd, &sb) == 0 && (uint64_t)sb.st_size == size;
    /* into the first piece's tables (made as x's were), then they become x's */
    otel *all = ok ? p[0].r.src_state : NULL;
    long lines = ok ? all->line - 1 : 0;
    for (size_t k = 1; ok && k < n; k++) {
        otel *o = p[k].r.src_state;
        ok = merge_piece(all, o, lines) == 0;
        lines += o->line - 1;
        wcp_reader_close(&p[k].r); /* its records now copied: memory holds one piece more */
    }
    ok = ok && all->docs > 0; /* an empty file: said as such from start to end */
    if (ok) {
        otel t = *x; /* x's tables (as made, nothing read) go with the piece, freed */
#define TAKE(f) (x->f = all->f, all->f = t.f)
        TAKE(st), TAKE(traces), TAKE(ntraces), TAKE(trcap), TAKE(tr_slot), TAKE(tr_mask);
        TAKE(sp), TAKE(nsp), TAKE(spcap), TAKE(lk), TAKE(nlk), TAKE(lkcap);
        TAKE(docs), TAKE(base64_ids), TAKE(empty_ids);
#undef TAKE
        x->line = 1 + lines;
        r->bytes = size;
        wcp_otel_read_in_pieces++;
    }
    for (size_t k = 0; k < made; k++)
        wcp_reader_close(&p[k].r);
    return ok; /* else x as it was: the file is read from start to end */
}

/* After a WCP_JSON_MORE: j goes back to saved (where the value it was
 * reading began) and the buffer is filled, keeping everything from there.
 * 0, or -1 (the file ends first: truncated). */
static int refill_from(otel *x, wcp_json *j, const wcp_json *saved)
{
    wcp_reader *r = x->r;
    *j = *saved;
    r->pos = (size_t)(j->p - r->buf);
    int k = fill(x);
    if (k < 0)
        return -1;
    if (k == 0) { /* told at the file's last line */
        long line = j->line;
        for (const char *p = r->buf + r->pos; (p = memchr(p, '\n', (size_t)(r->buf + r->len - p)));
             p++)
            line += p + 1 < r->buf + r->len;
        return wcp_otel_err(x, line, 0, "the file ends inside %s (a truncated line?)", x->doc_what);
    }
    wcp_json_text(j, r->buf, r->pos, r->len, r->base);
    j->last = r->eof;
    return 0;
}

int wcp_otel_stream_doc(otel *x, wcp_json *j, const char *what)
{
    x->doc_what = what;
    if (x->docs == 0)
        skip_bom(x);
    else
        commit(x, j); /* the previous object is done */
    int at = next_doc(x);
    if (at <= 0) {
        if (at == 0 && x->docs == 0)
            return wcp_otel_err(x, 1, 0, "empty file: expected %s", what);
        return at;
    }
    wcp_json_tok open;
    cursor(x, j);
    if (wcp_json_next(j, &open)) /* '{', at hand (next_doc) */
        return wcp_otel_json_err(x);
    x->docs++;
    return 1;
}

/* The next member (k not NULL: its key in *k) or element of the container
 * j is in, its value v whole in the buffer unless open says to stop after
 * its first token (a member whose key is `enter` and whose value is an
 * object or an array; an element when !whole). 0, or -1. */
static int stream_next(otel *x, wcp_json *j, wcp_json_tok *k, const char *enter, bool whole,
                       wcp_json_tok *v)
{
    for (;;) {
        wcp_json saved = *j;
        int rc = k ? wcp_json_member(j, k, v) : wcp_json_next(j, v);
        if (!rc) {
            bool end = k ? k->type != WCP_JSON_KEY : v->type == WCP_JSON_END;
            bool open = k ? enter && wcp_otel_is_key(k, enter) &&
                                (v->type == WCP_JSON_OBJECT || v->type == WCP_JSON_ARRAY)
                          : !whole;
            if (!end && !open)
                rc = wcp_json_skip(j, v);
        }
        if (rc < 0)
            return wcp_otel_json_err(x);
        if (rc == 0)
            return 0;
        if (refill_from(x, j, &saved) < 0)
            return -1;
    }
}

int wcp_otel_stream_member(otel *x, wcp_json *j, const char *enter, wcp_json_tok *k,
                           wcp_json_tok *v)
{
    return stream_next(x, j, k, enter, true, v);
}

int wcp_otel_stream_elem(otel *x, wcp_json *j, bool whole, wcp_json_tok *v)
{
    return stream_next(x, j, NULL, NULL, whole, v);
}

int wcp_otel_init(otel *o, wcp_reader *r, const char *format, const wcp_source *src)
{
    static const char *const kinds[6] = {"internal", "internal", "server",
                                         "client",   "producer", "consumer"};
    o->r = r;
    o->format = format;
    o->line = 1;
    r->no_hash = true; /* a span trace's run is named by its trace id and first start */
    r->src = src;
    r->src_state = o;
    uint32_t zero;
    int bad = wcp_strtab_intern(&o->st, "", 0, &zero);
    for (int k = 0; k < 6; k++)
        bad |= wcp_strtab_intern(&o->st, kinds[k], strlen(kinds[k]), &o->kind_str[k]);
    bad |= wcp_strtab_intern(&o->st, "engine", 6, &o->engine_str);
    uint32_t none;
    if (bad || wcp_otel_trace(o, 0, 0, &none) < 0) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    return 0;
}

/* ---- ordering and lookup */

/* An open-addressing table of spans by (trace, span id): slots of a span
 * index + 1 (0: empty), probed linearly. */
typedef struct idmap {
    uint32_t *slot;
    size_t mask;
} idmap;

static int idmap_init(idmap *m, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    m->mask = cap - 1;
    m->slot = calloc(cap, sizeof *m->slot);
    if (m->slot) /* probed all over: every page is written (grow.h) */
        wcp_prefault(m->slot, 0, cap * sizeof *m->slot);
    return m->slot ? 0 : -1;
}

/* The slot of span (trace, id): an empty one if no span in the table has it. */
static uint32_t *idmap_at(const idmap *m, const otel_span *sp, uint32_t trace, uint64_t id)
{
    for (size_t h = (size_t)wcp_mix64(id ^ wcp_mix64(trace)) & m->mask;; h = (h + 1) & m->mask) {
        uint32_t e = m->slot[h];
        if (!e || (sp[e - 1].id == id && sp[e - 1].trace == trace))
            return &m->slot[h];
    }
}

/* The kept span with (trace, id), or -1. */
static long find(const otel *o, const idmap *m, uint32_t trace, uint64_t id)
{
    return (long)*idmap_at(m, o->sp, trace, id) - 1;
}

/* A span's place in its run's order: (run, start, file order). */
typedef struct order_key {
    int64_t start;
    uint32_t run, k;
} order_key;

static int by_start(const void *a, const void *b)
{
    const order_key *x = a, *y = b;
    if (x->run != y->run)
        return x->run < y->run ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

static unsigned bits_of(uint64_t x)
{
    return x ? 64 - (unsigned)__builtin_clzll(x) : 0;
}

/* by_start's order of ord[0..na) (na >= 2) by an LSD radix sort of one
 * 64-bit key an entry: the run, the start less the earliest, the file
 * order k, each in the bits its range needs (distinct keys: k is), 11 bits
 * a pass; the span indexes into out. ord's own memory holds the keys and
 * the sort's second buffer (16 bytes an entry). false, and nothing done,
 * when the key needs more than 64 bits: qsort then. (The conversion of
 * the 260K-span bench file: 79 ms with qsort, 66 with this.) */
static bool radix_order(order_key *ord, size_t na, size_t nruns, uint32_t *out)
{
    int64_t lo = ord[0].start, hi = lo;
    uint32_t kmax = 0;
    for (size_t k = 0; k < na; k++) {
        lo = ord[k].start < lo ? ord[k].start : lo;
        hi = ord[k].start > hi ? ord[k].start : hi;
        kmax = ord[k].k > kmax ? ord[k].k : kmax;
    }
    unsigned bt = bits_of((uint64_t)hi - (uint64_t)lo), br = bits_of(nruns - 1), bk = bits_of(kmax);
    if (bt + br + bk > 64)
        return false;
    uint64_t *a = (uint64_t *)ord, *b = a + na;
    for (size_t k = 0; k < na; k++) { /* a[k] lies in ord[k / 2], already read */
        order_key x = ord[k];
        uint64_t key = (uint64_t)(x.start - lo) << bk | x.k;
        if (br)
            key |= (uint64_t)x.run << (bt + bk);
        a[k] = key;
    }
    static const unsigned digit = 11;
    size_t count[1u << 11];
    for (unsigned shift = 0; shift < bt + br + bk; shift += digit) {
        memset(count, 0, sizeof count);
        for (size_t k = 0; k < na; k++)
            count[a[k] >> shift & ((1u << digit) - 1)]++;
        if (count[a[0] >> shift & ((1u << digit) - 1)] == na)
            continue; /* one digit for all: nothing to move */
        for (size_t d = 0, at = 0; d < (1u << digit); d++) {
            size_t c = count[d];
            count[d] = at;
            at += c;
        }
        for (size_t k = 0; k < na; k++)
            b[count[a[k] >> shift & ((1u << digit) - 1)]++] = a[k];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    uint64_t kmask = bk == 64 ? UINT64_MAX : ((uint64_t)1 << bk) - 1;
    for (size_t k = 0; k < na; k++)
        out[k] = (uint32_t)(a[k] & kmask);
    return true;
}

static void hex_id(char *out, uint64_t hi, uint64_t lo, bool trace)
{
    if (trace)
        sprintf(out, "%016llx%016llx", (unsigned long long)hi, (unsigned long long)lo);
    else
        sprintf(out, "%016llx", (unsigned long long)lo);
}

/* ---- what is missing, per run */

typedef struct missing {
    int64_t orphans, wait_targets, wait_times, dropped_links, dropped_attrs, engine_spans;
    int64_t session_count;
    bool has_session;
    char orphan_eg[80], wait_eg[80];
} missing;

static char *describe_missing(const missing *m)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    const char *sep = "";
#define PART(...)                                                                                  \
    do {                                                                                           \
        fputs(sep, f);                                                                             \
        fprintf(f, __VA_ARGS__);                                                                   \
        sep = "; ";                                                                                \
    } while (0)
    if (m->orphans)
        PART("%lld spans' parents are not in the file (%s)", (long long)m->orphans, m->orphan_eg);
    if (m->wait_targets)
        PART("%lld wait links to spans that are not in the trace (%s)", (long long)m->wait_targets,
             m->wait_eg);
    if (m->wait_times)
        PART("%lld wait links without wcprof.wait.start_unix_ns and end_unix_ns",
             (long long)m->wait_times);
    if (m->dropped_links)
        PART("%lld links dropped by the exporter (droppedLinksCount)", (long long)m->dropped_links);
    if (m->dropped_attrs)
        PART("%lld spans lost attributes (droppedAttributesCount)", (long long)m->dropped_attrs);
    if (m->has_session && m->session_count != m->engine_spans)
        PART("wcprof.session_span_count says %lld engine spans, %lld are here (wcprof.engine_span)",
             (long long)m->session_count, (long long)m->engine_spans);
#undef PART
    fclose(f);
    if (!len) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* ---- converting */

static int run_extra(otel *o, otel_run *run, size_t ntraces)
{
    char tid[40];
    hex_id(tid, run->tr_hi, run->tr_lo, true);
    json_t *x = json_object();
    if (!x)
        return oom(o);
    json_object_set_new(x, "format", json_string(o->format));
    if (ntraces == 1 || !(o->r->flags & WCP_READ_ONE_RUN))
        json_object_set_new(x, "trace_id", json_string(tid));
    json_object_set_new(x, "traces_in_file", json_integer((json_int_t)ntraces));
    json_object_set_new(x, "one_run", json_boolean(o->r->flags & WCP_READ_ONE_RUN));
    json_object_set_new(x, "spans", json_integer(run->count));
    json_object_set_new(x, "open_spans", json_integer(run->open));
    json_object_set_new(x, "waits", json_integer(run->waits));
    json_object_set_new(x, "links", json_integer(run->links));
    json_object_set_new(x, "origin_unix_nano", json_integer(run->epoch));
    json_object_set_new(x, "duplicates", json_integer(o->dups));
    json_object_set_new(x, "base64_ids", json_integer(o->base64_ids));
    json_object_set_new(x, "empty_ids", json_integer(o->empty_ids));
    json_object_set_new(x, "links_outside", json_integer(o->links_outside));
    if (o->lost_link_attrs)
        json_object_set_new(x, "link_attributes_lost", json_true());
    if (run->incomplete)
        json_object_set_new(x, "incomplete", json_string(run->incomplete));
    run->extra = json_dumps(x, JSON_COMPACT);
    json_decref(x);
    return run->extra ? 0 : oom(o);
}

static void set_header(otel *o)
{
    otel_run *run = &o->runs[o->cur];
    wcp_reader *r = o->r;
    int64_t events = 0;
    for (uint32_t k = 0; k < run->count; k++) {
        const otel_span *s = &o->sp[o->order[run->first + k]];
        events += (s->flags & SP_ENDED) != 0;
    }
    r->hdr = (wcp_header){.schema_version = 0,
                          .epoch = run->epoch,
                          .dumped = run->last,
                          .dropped = 0,
                          .event_count = events + run->waits + run->links,
                          .n_strings = o->st.n};
    r->hdr.extra = (wcp_str){run->extra, strlen(run->extra)};
    if (run->incomplete)
        r->hdr.incomplete = (wcp_str){run->incomplete, strlen(run->incomplete)};
    r->hdr.waits_inferred = run->waits == 0;
    r->more_runs = o->cur + 1 < o->nruns;
    r->line = 0;
    o->out_i = 0;
    o->out_l = 0;
    o->out_op = false;
}

int wcp_otel_finish(otel *o, wcp_string_fn on_string, void *ctx)
{
    wcp_reader *r = o->r;
    size_t n = o->nsp;
    if (n == 0)
        return oerr(o, 0, "no spans in the file (an empty %s trace)", o->format);
    o->order = malloc(n * sizeof *o->order);
    idmap keys = {0};
    if (!o->order || idmap_init(&keys, n) < 0)
        return oom(o);
    wcp_prefault(o->order, 0, n * sizeof *o->order); /* all of it written (grow.h) */
    /* copies of one span merged: the last with an end, else the last (in
     * file order: a copy replaces the one kept unless only that one has an
     * end); a span without an id is never a copy. keys: the kept spans with
     * an id */
    for (size_t k = 0; k < n; k++) {
        otel_span *s = &o->sp[k];
        s->op = 1;
        if (s->flags & SP_NO_ID)
            continue;
        uint32_t *at = idmap_at(&keys, o->sp, s->trace, s->id);
        if (*at) {
            otel_span *kept = &o->sp[*at - 1];
            o->dups++;
            if ((s->flags & SP_ENDED) || !(kept->flags & SP_ENDED))
                kept->op = 0;
            else {
                s->op = 0;
                continue;
            }
        }
        *at = (uint32_t)k + 1;
    }
    /* runs: one per trace id in order of first appearance (or one, named
     * by the lowest trace id) */
    size_t ntraces = 0;
    bool one = (r->flags & WCP_READ_ONE_RUN) != 0;
    {
        order_key *ord = malloc(n * sizeof *ord);
        uint32_t *run_of = malloc(o->ntraces * sizeof *run_of); /* a trace's run, +1 */
        if (!ord || !run_of) {
            free(ord);
            free(run_of);
            free(keys.slot);
            return oom(o);
        }
        memset(run_of, 0, o->ntraces * sizeof *run_of);
        wcp_prefault(ord, 0, n * sizeof *ord); /* all of it written but for copies (grow.h) */
        uint32_t min = 0;
        size_t na = 0;
        for (size_t k = 0; k < n; k++) {
            otel_span *s = &o->sp[k];
            if (!s->op)
                continue;
            if (!run_of[s->trace]) {
                run_of[s->trace] = (uint32_t)++ntraces;
                const otel_trace *t = &o->traces[s->trace], *m = &o->traces[min];
                if (ntraces == 1 || t->hi < m->hi || (t->hi == m->hi && t->lo < m->lo))
                    min = s->trace;
            }
            s->run = one ? 0 : run_of[s->trace] - 1;
            ord[na++] = (order_key){s->start, s->run, (uint32_t)k};
        }
        free(run_of);
        o->nruns = one ? 1 : ntraces;
        o->runs = calloc(o->nruns, sizeof *o->runs);
        if (!o->runs) {
            free(ord);
            free(keys.slot);
            return oom(o);
        }
        for (size_t k = 0; k < na; k++) {
            const otel_span *s = &o->sp[ord[k].k];
            otel_run *run = &o->runs[s->run];
            if (!run->count++) {
                run->tr_hi = o->traces[one ? min : s->trace].hi;
                run->tr_lo = o->traces[one ? min : s->trace].lo;
            }
        }
        /* the order: per run, by start (ties: file order) */
        bool sorted = true;
        for (size_t k = 1; k < na && sorted; k++)
            sorted = by_start(&ord[k - 1], &ord[k]) < 0;
        if (sorted || !radix_order(ord, na, o->nruns, o->order)) {
            if (!sorted)
                qsort(ord, na, sizeof *ord, by_start);
            for (size_t k = 0; k < na; k++)
                o->order[k] = ord[k].k;
        }
        free(ord);
        uint32_t at = 0;
        for (size_t k = 0; k < o->nruns; k++) {
            o->runs[k].first = at;
            at += o->runs[k].count;
        }
    }
    /* op ids, epochs */
    for (size_t k = 0; k < o->nruns; k++) {
        otel_run *run = &o->runs[k];
        for (uint32_t i = 0; i < run->count; i++) {
            otel_span *s = &o->sp[o->order[run->first + i]];
            s->op = i + 1;
            if (i == 0)
                run->epoch = run->last = s->start;
            if (s->start > run->last)
                run->last = s->start;
            if ((s->flags & SP_ENDED) && s->end > run->last)
                run->last = s->end;
            run->open += !(s->flags & SP_ENDED);
        }
    }
    /* parents, links, completeness */
    missing *ms = calloc(o->nruns, sizeof *ms);
    if (!ms) {
        free(keys.slot);
        return oom(o);
    }
    int rc = -1;
    for (size_t k = 0; k < o->nruns; k++) {
        otel_run *run = &o->runs[k];
        missing *m = &ms[k];
        for (uint32_t i = 0; i < run->count; i++) {
            otel_span *s = &o->sp[o->order[run->first + i]];
            s->pop = 0;
            if (s->parent) {
                long p = find(o, &keys, s->trace, s->parent);
                if (p >= 0 && (uint32_t)p != o->order[run->first + i])
                    s->pop = o->sp[p].op;
                else if (p < 0) {
                    if (!m->orphans)
                        snprintf(m->orphan_eg, sizeof m->orphan_eg, "span %016llx's parent %016llx",
                                 (unsigned long long)s->id, (unsigned long long)s->parent);
                    m->orphans++;
                }
            }
            m->dropped_links += s->dropped_links;
            m->dropped_attrs += (s->flags & SP_DROPPED_A) != 0;
            m->engine_spans += (s->flags & SP_ENGINE) != 0;
            if (s->flags & SP_SESSION) {
                m->has_session = true;
                m->session_count = s->session_count;
            }
            for (uint32_t l = 0; l < s->nlinks; l++) {
                otel_link *lk = &o->lk[s->link0 + l];
                long t = lk->id ? find(o, &keys, lk->trace, lk->id) : -1;
                bool here = t >= 0 && o->sp[t].run == s->run;
                lk->out = 0;
                lk->top = here ? o->sp[t].op : 0;
                if (lk->wait) {
                    if (!here && !lk->ident) {
                        if (!m->wait_targets)
                            snprintf(m->wait_eg, sizeof m->wait_eg, "span %016llx waits on %016llx",
                                     (unsigned long long)s->id, (unsigned long long)lk->id);
                        m->wait_targets++;
                    } else if (!lk->has_ws || !lk->has_we)
                        m->wait_times++;
                    else {
                        lk->out = OUT_WAIT;
                        run->waits++;
                        if (lk->ws > run->last)
                            run->last = lk->ws;
                        if (lk->we > run->last)
                            run->last = lk->we;
                    }
                } else if (here) {
                    lk->out = OUT_LINK;
                    run->links++;
                } else
                    o->links_outside++;
            }
        }
        /* wait times before the run's first span would make negative times */
        for (uint32_t i = 0; i < run->count; i++) {
            const otel_span *s = &o->sp[o->order[run->first + i]];
            for (uint32_t l = 0; l < s->nlinks; l++) {
                const otel_link *lk = &o->lk[s->link0 + l];
                if (lk->out == OUT_WAIT && (lk->ws < run->epoch || lk->we < run->epoch)) {
                    rc = oerr(o, s->line,
                              "span %016llx: a wait link's wcprof.wait.start_unix_ns or "
                              "end_unix_ns is before the trace's first span starts",
                              (unsigned long long)s->id);
                    goto out;
                }
            }
        }
        run->incomplete = describe_missing(m);
    }
    /* cycles of parents: refused (a trace's structure must be a forest) */
    {
        uint8_t *state = calloc(n, 1);
        if (!state) {
            rc = oom(o);
            goto out;
        }
        for (size_t k = 0; k < o->nruns; k++) {
            const otel_run *run = &o->runs[k];
            for (uint32_t i = 0; i < run->count; i++) {
                uint32_t at = o->order[run->first + i];
                uint32_t walk = at;
                /* follow parents marking 1; a 1 met again is a cycle */
                while (state[walk] == 0) {
                    state[walk] = 1;
                    const otel_span *s = &o->sp[walk];
                    if (!s->pop)
                        break;
                    walk = o->order[run->first + s->pop - 1];
                }
                if (state[walk] == 1 && o->sp[walk].pop) {
                    const otel_span *s = &o->sp[walk];
                    free(state);
                    rc = oerr(o, s->line,
                              "span %016llx: its parents lead back to it (a cycle%s): a trace's "
                              "parents must form a tree",
                              (unsigned long long)s->id,
                              s->flags & SP_WPARENT ? " through wcprof.parent" : "");
                    goto out;
                }
                for (walk = at; state[walk] == 1;) {
                    state[walk] = 2;
                    const otel_span *s = &o->sp[walk];
                    if (!s->pop)
                        break;
                    walk = o->order[run->first + s->pop - 1];
                }
            }
        }
        free(state);
    }
    /* incomplete runs: refused, unless allowed */
    for (size_t k = 0; k < o->nruns; k++) {
        otel_run *run = &o->runs[k];
        if (run->incomplete && !(r->flags & WCP_READ_ALLOW_INCOMPLETE)) {
            char tid[40];
            hex_id(tid, run->tr_hi, run->tr_lo, true);
            rc = oerr(o, 0,
                      "incomplete trace %s: %s; refused (--allow-incomplete loads it, and every "
                      "analysis then warns that its numbers are incomplete)",
                      tid, run->incomplete);
            goto out;
        }
        if (run_extra(o, run, ntraces) < 0)
            goto out;
    }
    o->cur = 0;
    set_header(o);
    for (size_t k = 0; k < o->st.n; k++) {
        size_t len;
        const char *s = wcp_strtab_get(&o->st, (uint32_t)k, &len);
        int c = on_string(ctx, k, s, len);
        if (c) {
            rc = c;
            goto out;
        }
    }
    rc = 0;
out:
    free(ms);
    free(keys.slot);
    return rc;
}

/* ---- handing out */

static wcp_str str_at(const otel *o, uint32_t k)
{
    size_t n;
    const char *p = wcp_strtab_get(&o->st, k, &n);
    return (wcp_str){p, n};
}

int wcp_otel_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx)
{
    otel *o = r->src_state;
    const otel_run *run = &o->runs[o->cur];
    for (uint32_t i = 0; i < run->count; i++) {
        const otel_span *s = &o->sp[o->order[run->first + i]];
        if (s->flags & SP_ENDED)
            continue;
        wcp_open_op op = {.id = s->op,
                          .parent = s->pop,
                          .start = s->start - run->epoch,
                          .kind = str_at(o, s->kind),
                          .work_type = str_at(o, s->work),
                          .c = s->name,
                          .i = s->ident,
                          .cl = s->client,
                          .m = s->meta,
                          .extra = {"", 0}};
        int rc = on_open(ctx, &op);
        if (rc)
            return rc;
    }
    return 0;
}

int wcp_otel_next(wcp_reader *r, wcp_event *ev)
{
    otel *o = r->src_state;
    const otel_run *run = &o->runs[o->cur];
    while (o->out_i < run->count) {
        const otel_span *s = &o->sp[o->order[run->first + o->out_i]];
        memset(ev, 0, sizeof *ev);
        ev->extra = ev->line = ev->k = ev->w = ev->o = ev->rs = ev->lk = (wcp_str){"", 0};
        if (!o->out_op) {
            o->out_op = true;
            if (!(s->flags & SP_ENDED))
                continue;
            ev->type = WCP_EV_OP;
            ev->e = (wcp_str){"op", 2};
            ev->id = s->op;
            ev->p = s->pop;
            ev->k = str_at(o, s->kind);
            ev->w = str_at(o, s->work);
            ev->o = s->flags & SP_ERROR ? (wcp_str){"error", 5}
                    : s->flags & SP_OK  ? (wcp_str){"ok", 2}
                                        : (wcp_str){"", 0};
            ev->c = s->name;
            ev->i = s->ident;
            ev->cl = s->client;
            ev->m = s->meta;
            ev->s = s->start - run->epoch;
            ev->d = s->end - run->epoch;
            if (ev->d < ev->s) {
                ev->d = ev->s;
                ev->clamped = true;
            }
            return 1;
        }
        if (o->out_l < s->nlinks) {
            const otel_link *lk = &o->lk[s->link0 + o->out_l++];
            if (lk->out == OUT_WAIT) {
                ev->type = WCP_EV_WAIT;
                ev->e = (wcp_str){"wait", 4};
                ev->rs = str_at(o, lk->reason);
                ev->p = s->op;
                ev->t = lk->top;
                ev->i = lk->top ? 0 : lk->ident;
                ev->s = lk->ws - run->epoch;
                ev->d = lk->we - run->epoch;
                if (ev->d < ev->s) {
                    ev->d = ev->s;
                    ev->clamped = true;
                }
                return 1;
            }
            if (lk->out == OUT_LINK) {
                ev->type = WCP_EV_LINK;
                ev->e = (wcp_str){"link", 4};
                ev->lk = lk->purpose ? str_at(o, lk->purpose) : (wcp_str){"otel_link", 9};
                ev->p = s->op;
                ev->t = lk->top;
                ev->s = ev->d = s->start - run->epoch;
                return 1;
            }
            continue;
        }
        o->out_i++;
        o->out_l = 0;
        o->out_op = false;
    }
    return 0;
}

int wcp_otel_next_run(wcp_reader *r)
{
    otel *o = r->src_state;
    if (o->cur + 1 >= o->nruns)
        return 0;
    o->cur++;
    set_header(o);
    return 1;
}

void wcp_otel_release(otel *o)
{
    for (size_t k = 0; k < o->nruns; k++) {
        free(o->runs[k].incomplete);
        free(o->runs[k].extra);
    }
    free(o->runs);
    free(o->order);
    free(o->sp);
    free(o->lk);
    free(o->scratch);
    free(o->traces);
    free(o->tr_slot);
    wcp_strtab_free(&o->st);
}

/* ---- notes for people, from dumps.extra */

static json_int_t jint(json_t *x, const char *key)
{
    return json_integer_value(json_object_get(x, key));
}

char *wcp_otel_notes(json_t *x, const char *prefix)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return NULL;
    const char *fmt = json_string_value(json_object_get(x, "format"));
    const char *tid = json_string_value(json_object_get(x, "trace_id"));
    json_int_t traces = jint(x, "traces_in_file");
    if (traces > 1)
        fprintf(f, "%s: note: %lld traces in the file: %s\n", prefix, (long long)traces,
                json_is_true(json_object_get(x, "one_run")) ? "loaded as one run (--one-run)"
                                                            : "one run each");
    if (tid && traces > 1 && !json_is_true(json_object_get(x, "one_run")))
        fprintf(f, "%s: note: this run is trace %s\n", prefix, tid);
    if (jint(x, "duplicates"))
        fprintf(f,
                "%s: note: %lld copies of spans exported more than once were merged (the ended "
                "copy kept)\n",
                prefix, (long long)jint(x, "duplicates"));
    if (jint(x, "open_spans"))
        fprintf(f, "%s: note: %lld spans never ended: open ops, ending at the trace's last time\n",
                prefix, (long long)jint(x, "open_spans"));
    if (jint(x, "base64_ids"))
        fprintf(f, "%s: note: %lld ids were base64, not hex (read as base64)\n", prefix,
                (long long)jint(x, "base64_ids"));
    if (jint(x, "empty_ids"))
        fprintf(f, "%s: note: %lld empty ids (spans no one can refer to; links to nothing)\n",
                prefix, (long long)jint(x, "empty_ids"));
    if (jint(x, "links_outside"))
        fprintf(f, "%s: note: %lld links to spans outside the run were not kept\n", prefix,
                (long long)jint(x, "links_outside"));
    if (jint(x, "waits") == 0)
        fprintf(f,
                "%s: note: no wait edges: inferred from nesting alone (each op waits only for its "
                "children)%s\n",
                prefix,
                json_is_true(json_object_get(x, "link_attributes_lost"))
                    ? "; Jaeger keeps no link attributes, so wait links cannot survive it"
                    : "");
    const char *inc = json_string_value(json_object_get(x, "incomplete"));
    if (inc)
        fprintf(f, "%s: WARNING: incomplete trace loaded (--allow-incomplete): %s\n", prefix, inc);
    (void)fmt;
    fclose(f);
    if (!len) {
        free(buf);
        return NULL;
    }
    return buf;
}
