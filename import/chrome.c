/* chrome.c - Chrome trace event JSON (the Trace Event Format) read as wcprof events.
 * See chrome.h for the contract and ingest/README.md for the conversion rules.
 *
 * Reading. The file comes in chunks into the reader's buffer (r->buf). The
 * top level ('[' events ']' or '{' "key": value, ... '}') is parsed at
 * r->pos token by token, so the values of keys other than traceEvents (a
 * systrace string can be hundreds of MB) stream through without being held.
 * Each event object is parsed in place; when the buffer ends inside it, more
 * is read (the buffer grows to at most EVENT_MAX) and the event is parsed
 * again from its start. Everything is validated as strictly as jansson does
 * (UTF-8, escapes, surrogates, no \u0000, no trailing garbage); the only
 * leniencies are the format's own: the array form may end without its ']'
 * and with a comma after its last event.
 *
 * Converting. Reading keeps one record per slice (X, B), end (E) and flow
 * event, and interns names, categories and idents into one string table.
 * At the end of the file, per (pid, tid): B and E are matched in time order,
 * then the slices are sorted by (start, longest first, file order) and a
 * stack gives each its enclosing slice; then the flows are bound to slices
 * and followed from hop to hop. The result is handed out through the dump
 * reader's calls (dump.h): header (the string table), open ops (B never
 * ended), events (ops, then waits, then links).
 */
#define _GNU_SOURCE
#include "chrome.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVENT_MAX ((size_t)64 << 20)  /* one event object, or one top-level token */
#define STRING_MAX ((size_t)64 << 10) /* a kept string: name, category, ident, pid/tid, flow id */
#define DEPTH_MAX 512                 /* nesting of arrays and objects */
#define META_MAX 4096                 /* a top-level value kept in dumps.extra "meta" */
#define TS_MAX ((int64_t)1 << 62)     /* |time| in ns: differences never overflow */
#define DEFAULT_KIND "slice"          /* the kind of an event without "cat" */

size_t wcp_chrome_read_max;

/* ---- small helpers */

/* Makes room for n more elements in *p (elements of size bytes, *cap
 * allocated, *len used). Returns 0 or -1 out of memory (*p unchanged). */
static int reserve(void *pp, size_t *cap, size_t len, size_t n, size_t size)
{
    void **p = pp;
    if (len + n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 256;
    while (c < len + n)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return -1;
    *p = q;
    *cap = c;
    return 0;
}

static uint64_t mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* Folds the whole 8-byte words of [p, p+n) into h (n a multiple of 8). */
static uint64_t hash_words(const unsigned char *p, size_t n, uint64_t h)
{
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    return h;
}

/* h folded with the bytes [p, p+n) and their count, finished. */
static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    size_t whole = n & ~(size_t)7;
    h = hash_words(p, whole, h);
    uint64_t w = 0;
    memcpy(&w, (const unsigned char *)p + whole, n - whole);
    return mix64((h ^ w ^ n) * 0x9e3779b97f4a7c15ull);
}

/* An open-addressing table of cap slots (a power of 2) holding index + 1 of
 * entries first..n-1 of something, placed by hash_of(ctx, k); NULL out of
 * memory. */
static uint32_t *build_slots(size_t cap, size_t first, size_t n, uint64_t (*hash_of)(const void *, size_t),
                             const void *ctx)
{
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return NULL;
    for (size_t k = first; k < n; k++) {
        size_t h = hash_of(ctx, k) & (cap - 1);
        while (slot[h])
            h = (h + 1) & (cap - 1);
        slot[h] = (uint32_t)k + 1;
    }
    return slot;
}

/* ---- the string table: index -> bytes, bytes -> index; index 0 is "" */

typedef struct strtab {
    char *arena;          /* the bytes of every string, one after the other */
    size_t alen, acap;
    size_t *off;          /* string k is arena[off[k], off[k] + len[k]) */
    uint32_t *len;
    size_t n, ncap;
    uint32_t *slot;       /* open addressing: index + 1, 0 empty */
    size_t scap;
} strtab;

static void strtab_free(strtab *t)
{
    free(t->arena);
    free(t->off);
    free(t->len);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static const char *strtab_get(const strtab *t, uint32_t k, size_t *n)
{
    *n = t->len[k];
    return t->arena + t->off[k];
}

static uint64_t strtab_hash(const void *ctx, size_t k)
{
    const strtab *t = ctx;
    return hash_bytes(t->arena + t->off[k], t->len[k], 0);
}

/* The index of [s, s+n), added when new. Returns 0 or -1 out of memory. */
static int strtab_intern(strtab *t, const char *s, size_t n, uint32_t *out)
{
    if (t->n == 0) {                       /* index 0: "" */
        if (reserve(&t->off, &t->ncap, 0, 1, sizeof *t->off) ||
            !(t->len = realloc(t->len, t->ncap * sizeof *t->len)))
            return -1;
        t->off[0] = 0;
        t->len[0] = 0;
        t->n = 1;
    }
    if (n == 0) {
        *out = 0;
        return 0;
    }
    if ((t->n + 1) * 2 > t->scap) {
        size_t cap = t->scap ? t->scap * 2 : 1024;
        uint32_t *ns = build_slots(cap, 1, t->n, strtab_hash, t);
        if (!ns)
            return -1;
        free(t->slot);
        t->slot = ns;
        t->scap = cap;
    }
    size_t h = hash_bytes(s, n, 0) & (t->scap - 1);
    for (; t->slot[h]; h = (h + 1) & (t->scap - 1)) {
        uint32_t k = t->slot[h] - 1;
        if (t->len[k] == n && memcmp(t->arena + t->off[k], s, n) == 0) {
            *out = k;
            return 0;
        }
    }
    if (t->n >= UINT32_MAX - 1)
        return -1;
    size_t oldcap = t->ncap;
    if (reserve(&t->arena, &t->acap, t->alen, n, 1) || reserve(&t->off, &t->ncap, t->n, 1, sizeof *t->off))
        return -1;
    if (t->ncap != oldcap) {
        uint32_t *l = realloc(t->len, t->ncap * sizeof *l);
        if (!l)
            return -1;
        t->len = l;
    }
    memcpy(t->arena + t->alen, s, n);
    t->off[t->n] = t->alen;
    t->len[t->n] = (uint32_t)n;
    t->alen += n;
    t->slot[h] = (uint32_t)t->n + 1;
    *out = (uint32_t)t->n++;
    return 0;
}

/* ---- what reading keeps */

enum { SL_B = 1, SL_OPEN = 2, SL_CLAMPED = 4, SL_FLOW_PARENT = 8 };

typedef struct slice {
    int64_t start, end;   /* ns, as in the file (rebased when handed out) */
    uint32_t thread;      /* index into threads */
    uint32_t name, cat, ident; /* string indexes */
    uint32_t seq;         /* the event's index in traceEvents */
    int32_t parent;       /* slice index, -1: none */
    uint32_t flags;       /* SL_* */
} slice;                  /* its op id: 1 + its rank by (start, seq), see number_ops() */

typedef struct bend {     /* an E event */
    int64_t ts;
    uint32_t thread, seq;
} bend;

typedef struct flow {     /* one flow event (v1 s/t/f, or a slice's v2 flow_in/flow_out) */
    int64_t ts;           /* where it is: v1 its ts, v2 its slice's start */
    uint32_t key;         /* the flow's identity (index into fkeys) */
    uint32_t seq, thread, name;
    int32_t slice;        /* the slice it binds to (v2 known at once, v1 bound later); -1 none */
    uint8_t ph;           /* 's' start, 't' step, 'f' finish */
    uint8_t next;         /* v1 'f' without "bp":"e": binds to the next slice that starts */
    uint8_t order;        /* at one ts: a v2 slice's flow_in (0) before its flow_out (1) */
} flow;

typedef struct hop {      /* a flow from one slice to another */
    int64_t at_from, at_to;
    int32_t from, to;
    uint32_t name, seq;
    bool wait;            /* also a wait of `to` on `from` (else `to` became from's child) */
} hop;

typedef struct thread {
    int64_t pid, tid;     /* the values, or string indexes when pid_str / tid_str */
    bool pid_str, tid_str;
    uint32_t name;        /* thread_name metadata (string index), 0: none */
    int64_t thread_id;    /* ops.thread_id: the tid, or -1, -2, ... for string tids */
    uint32_t first, count; /* its slices in `order` */
} thread;

typedef struct process {
    int64_t pid;
    bool pid_str;
    uint32_t name;
} process;

typedef struct phase_count {
    char ph[16];
    int64_t n;
} phase_count;

typedef struct chrome {
    wcp_reader *r;
    /* reading */
    uint64_t base;        /* file offset of r->buf[0] */
    long line;            /* line of r->buf[r->pos] */
    uint64_t line_off;    /* file offset where that line starts */
    uint64_t hash;        /* content hash of what was read so far ... */
    unsigned char carry[8]; /* ... with the bytes not yet a whole word */
    unsigned ncarry;
    uint64_t total;       /* bytes read */
    int64_t event;        /* 1-based index of the event being read (0: none) */
    uint64_t event_col;   /* the column where it starts */
    char *scratch;        /* decoded strings */
    size_t scap;
    /* what was read */
    strtab st;            /* names, categories, idents, pid/tid strings */
    strtab fkeys;         /* flow identities */
    slice *sl;
    size_t nsl, slcap;
    bend *ends;
    size_t nends, endcap;
    flow *fl;
    size_t nfl, flcap;
    hop *hops;
    size_t nhops, hopcap;
    thread *th;
    size_t nth, thcap;
    uint32_t *thslot;     /* (pid, tid) -> thread index + 1 */
    size_t thscap;
    process *pr;
    size_t npr, prcap;
    phase_count *ign;     /* ignored events per phase */
    size_t nign, igncap;
    int64_t string_tids;
    int64_t events, clang_totals, unmatched_ends, open_slices, negative_durs, misnested;
    int64_t flow_events, flow_no_id, flow_unbound, flow_unfinished, flow_orphans, flow_self,
        spawns, flow_waits;
    bool have_ts;
    int64_t last_ts;      /* the latest time of any event */
    json_t *meta;         /* small top-level values other than traceEvents */
    json_t *meta_skipped; /* names of the larger ones */
    /* handing out */
    uint32_t *order;      /* slice indexes grouped by thread, each group by (start, -end, seq) */
    uint32_t *by_id;      /* slice index of op id k + 1 */
    uint32_t *id_of;      /* op id - 1 of a slice */
    int64_t origin;       /* subtracted from every time */
    uint32_t kind_default;
    char *extra;          /* dumps.extra */
    size_t out_i;         /* next slice, then wait, then link to hand out */
    int out_stage;
} chrome;

/* ---- errors: "file:line: [event N: ]reason (column C)" */

static int verr(chrome *ch, long line, uint64_t col, const char *fmt, va_list ap)
{
    wcp_reader *r = ch->r;
    int o = ch->event ? snprintf(r->err, sizeof r->err, "%s:%ld: event %lld: ", r->path, line,
                                 (long long)ch->event)
                      : snprintf(r->err, sizeof r->err, "%s:%ld: ", r->path, line);
    if (o < 0 || (size_t)o >= sizeof r->err)
        return -1;
    int m = vsnprintf(r->err + o, sizeof r->err - (size_t)o, fmt, ap);
    if (col && m >= 0 && (size_t)(o + m) < sizeof r->err)
        snprintf(r->err + o + m, sizeof r->err - (size_t)(o + m), " (column %llu)", (unsigned long long)col);
    return -1;
}

static int cerr(chrome *ch, long line, uint64_t col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(ch, line, col, fmt, ap);
    va_end(ap);
    return -1;
}

static int oom(chrome *ch)
{
    return cerr(ch, ch->line, 0, "out of memory");
}

/* ---- reading the file */

static void hash_update(chrome *ch, const unsigned char *p, size_t n)
{
    ch->total += n;
    while (n && ch->ncarry) {
        ch->carry[ch->ncarry++] = *p++;
        n--;
        if (ch->ncarry == 8) {
            ch->hash = hash_words(ch->carry, 8, ch->hash);
            ch->ncarry = 0;
        }
    }
    if (!n)
        return;                        /* all of it went to the carry */
    size_t whole = n & ~(size_t)7;
    ch->hash = hash_words(p, whole, ch->hash);
    memcpy(ch->carry, p + whole, n - whole);
    ch->ncarry = (unsigned)(n - whole);
}

/* Reads more of the file into r->buf, first moving the unread bytes
 * r->buf[r->pos, r->len) to the start. Returns 1 when bytes were added,
 * 0 at the end of the file, -1 on a read error (r->err set). */
static int fill(chrome *ch)
{
    wcp_reader *r = ch->r;
    if (r->eof)
        return 0;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        ch->base += r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= EVENT_MAX)
            return cerr(ch, ch->line, 0, "a single event or value is larger than %zu MiB", EVENT_MAX >> 20);
        char *b = realloc(r->buf, r->cap * 2);
        if (!b)
            return oom(ch);
        r->buf = b;
        r->cap *= 2;
    }
    size_t got = 0;
    while (r->len < r->cap && !(wcp_chrome_read_max && got)) {
        size_t want = r->cap - r->len;
        if (wcp_chrome_read_max && want > wcp_chrome_read_max)
            want = wcp_chrome_read_max;
        ssize_t k = read(r->fd, r->buf + r->len, want);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return cerr(ch, ch->line, 0, "read error: %s", strerror(errno));
        }
        if (k == 0) {
            r->eof = true;
            break;
        }
        hash_update(ch, (unsigned char *)r->buf + r->len, (size_t)k);
        r->len += (size_t)k;
        got += (size_t)k;
    }
    r->bytes = ch->base + r->len;
    return got > 0;
}

/* ---- the JSON scanner: one text in the buffer, with "need more" */

typedef struct cur {
    const char *p, *end;  /* position, end of the buffered text */
    const char *buf;      /* r->buf: p's file offset is base + (p - buf) */
    long line;            /* line of p */
    uint64_t line_off;    /* file offset where that line starts */
    chrome *ch;
} cur;

/* Scanner results: 0 done, 1 the buffer ended first (read more and retry),
 * -1 invalid (error set). */
#define NEED 1

static uint64_t col_of(const cur *c, const char *at)
{
    return c->ch->base + (uint64_t)(at - c->buf) - c->line_off + 1;
}

static int fail(const cur *c, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(c->ch, c->line, col_of(c, at), fmt, ap);
    va_end(ap);
    return -1;
}

static int ws(cur *c)
{
    for (; c->p < c->end; c->p++) {
        char ch = *c->p;
        if (ch == '\n') {
            c->line++;
            c->line_off = c->ch->base + (uint64_t)(c->p - c->buf) + 1;
        } else if (ch != ' ' && ch != '\t' && ch != '\r')
            return 0;
    }
    return NEED;
}

/* bytes a string may hold as they are: printable ASCII but '"' and '\\' */
static const unsigned char plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),                                 /* 0x00..0x1f */
    1, 1, 0, 1, 1, 1, 1, 1,                                     /* 0x20..0x27: '"' */
    R8(1), R8(1), R8(1), R8(1), R8(1), R8(1),                   /* 0x28..0x57 */
    1, 1, 1, 1, 0, 1, 1, 1,                                     /* 0x58..0x5f: '\\' */
    R8(1), R8(1), R8(1), R8(1),                                 /* 0x60..0x7f */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int d = p[k] >= '0' && p[k] <= '9' ? p[k] - '0'
              : p[k] >= 'a' && p[k] <= 'f' ? p[k] - 'a' + 10
              : p[k] >= 'A' && p[k] <= 'F' ? p[k] - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Length of the UTF-8 sequence at p (1 < n <= 4), 0 if cut by end, -1 invalid. */
static int utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned b = p[0];
    int n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : -1;
    if (n < 0)
        return -1;
    for (int k = 1; k < n; k++) {
        if (p + k >= end)
            return 0;
        if ((p[k] & 0xc0) != 0x80)
            return -1;
    }
    if ((b == 0xe0 && p[1] < 0xa0) || (b == 0xed && p[1] >= 0xa0) || (b == 0xf0 && p[1] < 0x90) ||
        (b == 0xf4 && p[1] >= 0x90))
        return -1;    /* overlong, a surrogate, or past U+10FFFF */
    return n;
}

/* Scans string contents from c->p (after the opening quote). Returns 0 with
 * c->p after the closing quote (*esc set if there were escapes), NEED with
 * c->p where the scan can resume (never inside an escape or a UTF-8
 * sequence), or -1. */
static int scan_chars(cur *c, bool *esc)
{
    const unsigned char *p = (const unsigned char *)c->p, *end = (const unsigned char *)c->end;
    for (;;) {
        while (p < end && plain[*p])
            p++;
        if (p >= end)
            break;
        if (*p == '"') {
            c->p = (const char *)p + 1;
            return 0;
        }
        if (*p == '\\') {
            if (end - p < 2)
                break;
            *esc = true;
            if (strchr("\"\\/bfnrt", p[1]) && p[1]) {
                p += 2;
                continue;
            }
            if (p[1] != 'u')
                return fail(c, (const char *)p, "invalid escape in a string");
            if (end - p < 6)
                break;
            int u = hex4(p + 2);
            if (u < 0)
                return fail(c, (const char *)p, "invalid \\u escape in a string");
            if (u == 0)
                return fail(c, (const char *)p, "\\u0000 is not supported in strings");
            if (u >= 0xdc00 && u <= 0xdfff)
                return fail(c, (const char *)p, "invalid Unicode escape: a lone low surrogate");
            if (u >= 0xd800 && u <= 0xdbff) {
                if ((end - p > 6 && p[6] != '\\') || (end - p > 7 && p[7] != 'u'))
                    return fail(c, (const char *)p, "invalid Unicode escape: a high surrogate alone");
                if (end - p < 12)
                    break;
                int lo = hex4(p + 8);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail(c, (const char *)p, "invalid Unicode escape: a high surrogate alone");
                p += 12;
                continue;
            }
            p += 6;
            continue;
        }
        if (*p < 0x20)
            return fail(c, (const char *)p, "control character in a string (it must be escaped)");
        int n = utf8_seq(p, end);
        if (n == 0)
            break;
        if (n < 0)
            return fail(c, (const char *)p, "invalid UTF-8 in a string");
        p += n;
    }
    c->p = (const char *)p;
    return NEED;
}

/* Decodes validated string contents [s, s+n) with escapes into out (n bytes
 * suffice); returns the decoded length. */
static size_t decode(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + n;
    char *o = out;
    while (p < end) {
        if (*p != '\\') {
            *o++ = (char)*p++;
            continue;
        }
        unsigned e = p[1];
        if (e != 'u') {
            *o++ = e == 'b' ? '\b' : e == 'f' ? '\f' : e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : (char)e;
            p += 2;
            continue;
        }
        uint32_t u = (uint32_t)hex4(p + 2);
        p += 6;
        if (u >= 0xd800 && u <= 0xdbff) {
            u = 0x10000 + ((u - 0xd800) << 10) + ((uint32_t)hex4(p + 2) - 0xdc00);
            p += 6;
        }
        if (u < 0x80)
            *o++ = (char)u;
        else if (u < 0x800) {
            *o++ = (char)(0xc0 | u >> 6);
            *o++ = (char)(0x80 | (u & 0x3f));
        } else if (u < 0x10000) {
            *o++ = (char)(0xe0 | u >> 12);
            *o++ = (char)(0x80 | ((u >> 6) & 0x3f));
            *o++ = (char)(0x80 | (u & 0x3f));
        } else {
            *o++ = (char)(0xf0 | u >> 18);
            *o++ = (char)(0x80 | ((u >> 12) & 0x3f));
            *o++ = (char)(0x80 | ((u >> 6) & 0x3f));
            *o++ = (char)(0x80 | (u & 0x3f));
        }
    }
    return (size_t)(o - out);
}

static bool is_digit(char ch) { return ch >= '0' && ch <= '9'; }

/* A number at c->p (JSON grammar). NEED when it may continue past the buffer. */
static int scan_number(cur *c)
{
    const char *p = c->p, *end = c->end;
    if (*p == '-')
        p++;
    if (p >= end)
        return NEED;
    if (*p == '0')
        p++;
    else if (is_digit(*p))
        while (p < end && is_digit(*p))
            p++;
    else
        return fail(c, c->p, "invalid number");
    if (p < end && *p == '.') {
        const char *d = ++p;
        while (p < end && is_digit(*p))
            p++;
        if (p < end && p == d)
            return fail(c, c->p, "invalid number: no digit after '.'");
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        const char *d = p;
        while (p < end && is_digit(*p))
            p++;
        if (p < end && p == d)
            return fail(c, c->p, "invalid number: no digit in the exponent");
    }
    if (p >= end)
        return NEED;
    c->p = p;
    return 0;
}

enum { J_ABSENT, J_STR, J_NUM, J_TRUE, J_FALSE, J_NULL, J_OBJ, J_ARR };

typedef struct jval {
    uint8_t t;            /* J_* */
    bool esc;             /* J_STR: has escapes (decode before use) */
    const char *p;        /* J_STR: the contents between the quotes; else the token */
    size_t n;
    long line;            /* where the value is */
    uint64_t col;
} jval;

static const char *type_name(const jval *v)
{
    static const char *const names[] = {"nothing", "a string", "a number", "a boolean", "a boolean",
                                        "null", "an object", "an array"};
    return names[v->t];
}

static int scan_string(cur *c, jval *v)
{
    const char *start = ++c->p;
    v->esc = false;
    int rc = scan_chars(c, &v->esc);
    if (rc)
        return rc;
    v->t = J_STR;
    v->p = start;
    v->n = (size_t)(c->p - start - 1);
    return 0;
}

/* A string, number, or true/false/null at c->p. */
static int scan_scalar(cur *c, jval *v)
{
    char ch = *c->p;
    if (ch == '"')
        return scan_string(c, v);
    const char *start = c->p;
    if (ch == '-' || is_digit(ch)) {
        int rc = scan_number(c);
        if (rc)
            return rc;
        v->t = J_NUM;
        v->p = start;
        v->n = (size_t)(c->p - start);
        return 0;
    }
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]), have = (size_t)(c->end - c->p);
        if (memcmp(c->p, words[w], have < n ? have : n) == 0) {
            if (have < n)
                return NEED;
            c->p += n;
            v->t = (uint8_t)(J_TRUE + w);
            v->p = start;
            v->n = n;
            return 0;
        }
    }
    return fail(c, c->p, "invalid token '%c'", ch > 0x20 && ch < 0x7f ? ch : '?');
}

/* A key and its colon: c->p at the opening quote. */
static int scan_key(cur *c, jval *key)
{
    int rc;
    if (*c->p != '"')
        return fail(c, c->p, "expected a key (a string)");
    if ((rc = scan_string(c, key)) || (rc = ws(c)))
        return rc;
    if (*c->p != ':')
        return fail(c, c->p, "expected ':' after a key");
    c->p++;
    return ws(c);
}

/* Any value at c->p, validated and skipped; *t says what it was. */
static int skip_value(cur *c, uint8_t *t)
{
    char stack[DEPTH_MAX];
    int depth = 0, rc;
    jval v;
    for (;;) {
        if ((rc = ws(c)))
            return rc;
        char ch = *c->p;
        if (ch == '{' || ch == '[') {
            if (depth == DEPTH_MAX)
                return fail(c, c->p, "nested deeper than %d levels", DEPTH_MAX);
            if (depth == 0)
                *t = ch == '{' ? J_OBJ : J_ARR;
            stack[depth++] = ch;
            c->p++;
            if ((rc = ws(c)))
                return rc;
            if (*c->p == (ch == '{' ? '}' : ']')) {
                c->p++;
                depth--;
            } else {
                if (ch == '{' && (rc = scan_key(c, &v)))
                    return rc;
                continue;
            }
        } else {
            if ((rc = scan_scalar(c, &v)))
                return rc;
            if (depth == 0)
                *t = v.t;
        }
        for (;;) {                 /* after a value */
            if (depth == 0)
                return 0;
            if ((rc = ws(c)))
                return rc;
            char close = stack[depth - 1] == '{' ? '}' : ']';
            if (*c->p == ',') {
                c->p++;
                if (stack[depth - 1] == '{' && ((rc = ws(c)) || (rc = scan_key(c, &v))))
                    return rc;
                break;
            }
            if (*c->p != close)
                return fail(c, c->p, "expected ',' or '%c'", close);
            c->p++;
            depth--;
        }
    }
}

/* ---- one event object */

enum { F_PH, F_TS, F_DUR, F_PID, F_TID, F_NAME, F_CAT, F_ID, F_BP, F_BIND, F_FIN, F_FOUT,
       F_LOCAL, F_GLOBAL, F_ANAME, F_DETAIL, F_COUNT, F_AVGMS, F_N,
       F_ARGS = 100, F_ID2 };

/* The slot of a key of an event (sub: 0 the event, F_ARGS in args, F_ID2 in id2); -1 others. */
static int key_slot(int sub, const char *k, size_t n)
{
#define IS(lit) (n == sizeof lit - 1 && memcmp(k, lit, sizeof lit - 1) == 0)
    if (n == 0)
        return -1;
    if (sub == F_ID2)
        return IS("local") ? F_LOCAL : IS("global") ? F_GLOBAL : -1;
    if (sub == F_ARGS)
        return IS("name") ? F_ANAME : IS("detail") ? F_DETAIL : IS("count") ? F_COUNT : IS("avg ms") ? F_AVGMS : -1;
    switch (k[0]) {
    case 'p': return IS("ph") ? F_PH : IS("pid") ? F_PID : -1;
    case 't': return IS("ts") ? F_TS : IS("tid") ? F_TID : -1;
    case 'd': return IS("dur") ? F_DUR : -1;
    case 'n': return IS("name") ? F_NAME : -1;
    case 'c': return IS("cat") ? F_CAT : -1;
    case 'i': return IS("id") ? F_ID : IS("id2") ? F_ID2 : -1;
    case 'b': return IS("bp") ? F_BP : IS("bind_id") ? F_BIND : -1;
    case 'f': return IS("flow_in") ? F_FIN : IS("flow_out") ? F_FOUT : -1;
    case 'a': return IS("args") ? F_ARGS : -1;
    default: return -1;
    }
#undef IS
}

/* Parses the object at c->p ('{'); the values of known keys go to slots
 * (the last of a repeated key wins), args and id2 are looked into. */
static int scan_object(cur *c, int sub, jval *slots)
{
    int rc;
    c->p++;
    if ((rc = ws(c)))
        return rc;
    if (*c->p == '}') {
        c->p++;
        return 0;
    }
    for (;;) {
        jval key;
        if ((rc = scan_key(c, &key)))
            return rc;
        int k = -1;
        if (!key.esc)
            k = key_slot(sub, key.p, key.n);
        else if (key.n <= 64) {
            char d[64];
            k = key_slot(sub, d, decode(key.p, key.n, d));
        }
        uint8_t t;
        if ((k == F_ARGS || k == F_ID2) && *c->p == '{')
            rc = scan_object(c, k, slots);
        else if (k >= 0 && k < F_N) {
            jval *v = &slots[k];
            v->line = c->line;
            v->col = col_of(c, c->p);
            const char *start = c->p;
            if (*c->p == '{' || *c->p == '[') {
                rc = skip_value(c, &t);
                v->t = t;
                v->p = start;
                v->n = (size_t)(c->p - start);
            } else
                rc = scan_scalar(c, v);
        } else
            rc = skip_value(c, &t);
        if (rc || (rc = ws(c)))
            return rc;
        if (*c->p == ',') {
            c->p++;
            if ((rc = ws(c)))
                return rc;
            continue;
        }
        if (*c->p != '}')
            return fail(c, c->p, "expected ',' or '}'");
        c->p++;
        return 0;
    }
}

/* ---- converting one event's values */

/* The decoded bytes of string value v (valid until the next call). */
static int str_of(chrome *ch, const jval *v, const char **s, size_t *n)
{
    if (!v->esc) {
        *s = v->p;
        *n = v->n;
        return 0;
    }
    if (reserve(&ch->scratch, &ch->scap, 0, v->n + 1, 1))
        return oom(ch);
    *n = decode(v->p, v->n, ch->scratch);
    *s = ch->scratch;
    return 0;
}

/* A kept string: absent -> 0 (""), a string -> its index, else an error. */
static int intern_val(chrome *ch, const jval *v, const char *key, uint32_t *out)
{
    *out = 0;
    if (v->t == J_ABSENT)
        return 0;
    if (v->t != J_STR)
        return cerr(ch, v->line, v->col, "\"%s\": expected a string, got %s", key, type_name(v));
    const char *s;
    size_t n;
    if (str_of(ch, v, &s, &n) < 0)
        return -1;
    if (n > STRING_MAX)
        return cerr(ch, v->line, v->col, "\"%s\": a string of %zu bytes (at most %zu KiB are accepted)",
                    key, n, STRING_MAX >> 10);
    return strtab_intern(&ch->st, s, n, out) < 0 ? oom(ch) : 0;
}

/* Microseconds (a JSON number) to nanoseconds, rounded to the nearest (halves
 * away from zero), exactly: the decimal digits are used, not a double.
 * Returns 0, or -1 when |value| >= TS_MAX. */
static int us_to_ns(const char *p, size_t n, int64_t *out)
{
    const char *end = p + n;
    bool neg = *p == '-';
    p += neg;
    uint64_t m = 0;
    int digits = 0, exp10 = 0;
    for (; p < end && is_digit(*p); p++) {
        if (digits < 19) {
            m = m * 10 + (uint64_t)(*p - '0');
            digits += m != 0;
        } else
            exp10++;
    }
    if (p < end && *p == '.')
        for (p++; p < end && is_digit(*p); p++)
            if (digits < 19) {
                m = m * 10 + (uint64_t)(*p - '0');
                digits += m != 0;
                exp10--;
            }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = *p == '-';
        p += *p == '-' || *p == '+';
        int e = 0;
        for (; p < end && is_digit(*p); p++)
            if (e < 100000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    int scale = exp10 + 3;       /* microseconds -> nanoseconds */
    if (m == 0)
        scale = 0;
    for (; scale > 0; scale--) {
        if (m > (uint64_t)TS_MAX / 10)
            return -1;
        m *= 10;
    }
    if (scale < 0) {
        if (scale < -19)
            m = 0;
        else {
            uint64_t pow = 1;
            for (int k = 0; k < -scale; k++)
                pow *= 10;
            uint64_t q = m / pow, rem = m % pow;
            m = q + (rem >= pow - pow / 2);
        }
    }
    if (m >= (uint64_t)TS_MAX)
        return -1;
    *out = neg ? -(int64_t)m : (int64_t)m;
    return 0;
}

static int time_val(chrome *ch, const jval *v, const char *key, int64_t *out)
{
    if (v->t == J_ABSENT)
        return cerr(ch, ch->line, ch->event_col, "missing \"%s\"", key);
    if (v->t != J_NUM)
        return cerr(ch, v->line, v->col, "\"%s\": expected a number (microseconds), got %s", key, type_name(v));
    if (us_to_ns(v->p, v->n, out) < 0)
        return cerr(ch, v->line, v->col, "\"%s\": %.*s is out of range", key, (int)(v->n > 40 ? 40 : v->n), v->p);
    return 0;
}

/* A pid or tid: an integer or a string (interned; *is_str set). */
static int id_val(chrome *ch, const jval *v, const char *key, int64_t *out, bool *is_str)
{
    *is_str = false;
    if (v->t == J_STR) {
        uint32_t k;
        if (intern_val(ch, v, key, &k) < 0)
            return -1;
        *out = k;
        *is_str = true;
        return 0;
    }
    if (v->t == J_NUM) {
        const char *p = v->p, *end = p + v->n;
        bool neg = *p == '-';
        uint64_t x = 0;
        for (p += neg; p < end && is_digit(*p); p++) {
            if (x > (uint64_t)INT64_MAX / 10)
                break;
            x = x * 10 + (uint64_t)(*p - '0');
        }
        if (p == end && x <= (uint64_t)INT64_MAX) {
            *out = neg ? -(int64_t)x : (int64_t)x;
            return 0;
        }
    }
    return cerr(ch, v->line, v->col, "\"%s\": expected an integer or a string, got %s", key,
                v->t == J_NUM ? "a number that is not a 64-bit integer" : type_name(v));
}

static uint64_t thread_hash(int64_t pid, bool ps, int64_t tid, bool ts)
{
    return mix64((uint64_t)pid * 0x9e3779b97f4a7c15ull ^ (uint64_t)tid ^ ((uint64_t)ps << 62) ^ ((uint64_t)ts << 63));
}

static uint64_t thread_hash_of(const void *ctx, size_t k)
{
    const thread *t = (const thread *)ctx + k;
    return thread_hash(t->pid, t->pid_str, t->tid, t->tid_str);
}

/* The thread of an event's pid and tid (tid defaults to the pid, pid to 0). */
static int thread_of(chrome *ch, const jval *slots, uint32_t *out)
{
    int64_t pid = 0, tid;
    bool ps = false, ts;
    if (slots[F_PID].t != J_ABSENT && id_val(ch, &slots[F_PID], "pid", &pid, &ps) < 0)
        return -1;
    tid = pid;
    ts = ps;
    if (slots[F_TID].t != J_ABSENT && id_val(ch, &slots[F_TID], "tid", &tid, &ts) < 0)
        return -1;
    if ((ch->nth + 1) * 2 > ch->thscap) {
        size_t cap = ch->thscap ? ch->thscap * 2 : 64;
        uint32_t *ns = build_slots(cap, 0, ch->nth, thread_hash_of, ch->th);
        if (!ns)
            return oom(ch);
        free(ch->thslot);
        ch->thslot = ns;
        ch->thscap = cap;
    }
    size_t h = thread_hash(pid, ps, tid, ts) & (ch->thscap - 1);
    for (; ch->thslot[h]; h = (h + 1) & (ch->thscap - 1)) {
        const thread *t = &ch->th[ch->thslot[h] - 1];
        if (t->pid == pid && t->pid_str == ps && t->tid == tid && t->tid_str == ts) {
            *out = ch->thslot[h] - 1;
            return 0;
        }
    }
    if (reserve(&ch->th, &ch->thcap, ch->nth, 1, sizeof *ch->th))
        return oom(ch);
    thread *t = &ch->th[ch->nth];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->pid_str = ps;
    t->tid = tid;
    t->tid_str = ts;
    t->thread_id = ts ? -++ch->string_tids : tid;
    ch->thslot[h] = (uint32_t)ch->nth + 1;
    *out = (uint32_t)ch->nth++;
    return 0;
}

static void see_time(chrome *ch, int64_t t)
{
    if (!ch->have_ts || t > ch->last_ts)
        ch->last_ts = t;
    ch->have_ts = true;
}

static int count_ignored(chrome *ch, const char *ph, size_t n)
{
    if (n >= sizeof ch->ign[0].ph)
        n = sizeof ch->ign[0].ph - 1;
    for (size_t k = 0; k < ch->nign; k++)
        if (strlen(ch->ign[k].ph) == n && memcmp(ch->ign[k].ph, ph, n) == 0) {
            ch->ign[k].n++;
            return 0;
        }
    if (reserve(&ch->ign, &ch->igncap, ch->nign, 1, sizeof *ch->ign))
        return oom(ch);
    phase_count *pc = &ch->ign[ch->nign++];
    memcpy(pc->ph, ph, n);
    pc->ph[n] = 0;
    pc->n = 1;
    return 0;
}

/* Interns a flow identity: tag, then each part's type and bytes, NUL after
 * each (strings hold no NUL, so two identities never run together). */
static int intern_flow_key(chrome *ch, char tag, const jval *const *parts, int n, uint32_t *key)
{
    size_t need = 1;
    for (int k = 0; k < n; k++)
        need += parts[k]->n + 2;
    char *b = malloc(need), *o = b;
    if (!b)
        return oom(ch);
    *o++ = tag;
    for (int k = 0; k < n; k++) {
        const jval *v = parts[k];
        *o++ = (char)('0' + v->t);
        if (v->t == J_STR && v->esc)
            o += decode(v->p, v->n, o);
        else if (v->t == J_STR || v->t == J_NUM) {
            memcpy(o, v->p, v->n);
            o += v->n;
        }
        *o++ = 0;
    }
    int rc = strtab_intern(&ch->fkeys, b, (size_t)(o - b), key);
    free(b);
    return rc < 0 ? oom(ch) : 0;
}

/* The identity of a v1 flow event: (category, name, id or id2), or 0 when it has none. */
static int flow_key(chrome *ch, const jval *slots, uint32_t *key)
{
    const jval *id = &slots[F_ID];
    char tag = 'i';
    if (id->t == J_ABSENT) {
        id = slots[F_GLOBAL].t != J_ABSENT ? &slots[F_GLOBAL] : &slots[F_LOCAL];
        tag = id == &slots[F_GLOBAL] ? 'g' : 'l';
    }
    *key = 0;
    if (id->t != J_STR && id->t != J_NUM)
        return 0;
    const jval *parts[3] = {&slots[F_CAT], &slots[F_NAME], id};
    return intern_flow_key(ch, tag, parts, 3, key);
}

static int add_flow(chrome *ch, const flow *f)
{
    if (reserve(&ch->fl, &ch->flcap, ch->nfl, 1, sizeof *ch->fl))
        return oom(ch);
    ch->fl[ch->nfl++] = *f;
    ch->flow_events++;
    return 0;
}

/* A slice's v2 flows (bind_id with flow_in / flow_out). */
static int slice_flows(chrome *ch, const jval *slots, int32_t s)
{
    const jval *b = &slots[F_BIND];
    bool in = slots[F_FIN].t == J_TRUE, out = slots[F_FOUT].t == J_TRUE;
    if ((b->t != J_STR && b->t != J_NUM) || (!in && !out))
        return 0;
    flow f = {.ts = ch->sl[s].start, .seq = ch->sl[s].seq, .thread = ch->sl[s].thread, .slice = s};
    if (intern_flow_key(ch, 'v', &b, 1, &f.key) < 0)
        return -1;
    if (in) {
        f.ph = 'f';
        f.order = 0;
        if (add_flow(ch, &f) < 0)
            return -1;
    }
    if (out) {
        f.ph = 's';
        f.order = 1;
        if (add_flow(ch, &f) < 0)
            return -1;
    }
    return 0;
}

/* clang -ftime-trace ends with one X event per kind of work, "Total NAME",
 * args {count, "avg ms"}, each on a thread of its own from time 0: a summary
 * of the events before it, not work. */
static bool clang_total(const jval *slots)
{
    const jval *nm = &slots[F_NAME];
    return nm->t == J_STR && nm->n > 6 && memcmp(nm->p, "Total ", 6) == 0 && slots[F_COUNT].t == J_NUM &&
           slots[F_AVGMS].t == J_NUM;
}

static int add_slice(chrome *ch, const jval *slots, uint32_t thread, int64_t start, int64_t end,
                     uint32_t flags)
{
    if (ch->nsl >= INT32_MAX - 1)
        return cerr(ch, ch->line, 0, "more than %d slices", INT32_MAX - 1);
    slice s = {.start = start, .end = end, .thread = thread, .seq = (uint32_t)(ch->event - 1),
               .parent = -1, .flags = flags};
    if (intern_val(ch, &slots[F_NAME], "name", &s.name) < 0 || intern_val(ch, &slots[F_CAT], "cat", &s.cat) < 0)
        return -1;
    bool detail = slots[F_DETAIL].t == J_STR;
    const jval *id = detail ? &slots[F_DETAIL] : &slots[F_ANAME];
    if (id->t == J_STR && intern_val(ch, id, detail ? "args.detail" : "args.name", &s.ident) < 0)
        return -1;
    if (reserve(&ch->sl, &ch->slcap, ch->nsl, 1, sizeof *ch->sl))
        return oom(ch);
    ch->sl[ch->nsl++] = s;
    return slice_flows(ch, slots, (int32_t)ch->nsl - 1);
}

static int set_name(chrome *ch, const jval *slots, bool of_process)
{
    uint32_t name;
    if (slots[F_ANAME].t != J_STR)
        return count_ignored(ch, "M", 1);
    if (intern_val(ch, &slots[F_ANAME], "args.name", &name) < 0)
        return -1;
    if (!of_process) {
        uint32_t t;
        if (thread_of(ch, slots, &t) < 0)
            return -1;
        ch->th[t].name = name;
        return 0;
    }
    int64_t pid = 0;
    bool ps = false;
    if (slots[F_PID].t != J_ABSENT && id_val(ch, &slots[F_PID], "pid", &pid, &ps) < 0)
        return -1;
    for (size_t k = 0; k < ch->npr; k++)
        if (ch->pr[k].pid == pid && ch->pr[k].pid_str == ps) {
            ch->pr[k].name = name;
            return 0;
        }
    if (reserve(&ch->pr, &ch->prcap, ch->npr, 1, sizeof *ch->pr))
        return oom(ch);
    ch->pr[ch->npr++] = (process){pid, ps, name};
    return 0;
}

/* One event, its values in slots. */
static int take_event(chrome *ch, const jval *slots)
{
    const jval *phv = &slots[F_PH];
    if (phv->t == J_ABSENT)
        return cerr(ch, ch->line, ch->event_col, "missing \"ph\" (the event's phase)");
    if (phv->t != J_STR)
        return cerr(ch, phv->line, phv->col, "\"ph\": expected a string, got %s", type_name(phv));
    const char *ph;
    size_t phn;
    if (str_of(ch, phv, &ph, &phn) < 0)
        return -1;
    char p = phn == 1 ? ph[0] : 0;
    int64_t ts = 0, dur = 0;
    uint32_t t;
    if (p == 'X' && clang_total(slots)) {
        ch->clang_totals++;
        return 0;
    }
    if (p && strchr("XBEstf", p)) {
        if (time_val(ch, &slots[F_TS], "ts", &ts) < 0 || thread_of(ch, slots, &t) < 0)
            return -1;
        see_time(ch, ts);
    } else if (slots[F_TS].t == J_NUM && p != 'M' && us_to_ns(slots[F_TS].p, slots[F_TS].n, &ts) == 0)
        see_time(ch, ts);
    switch (p) {
    case 'X': {
        if (time_val(ch, &slots[F_DUR], "dur", &dur) < 0)
            return -1;
        uint32_t flags = 0;
        if (dur < 0) {
            ch->negative_durs++;
            flags = SL_CLAMPED;
            dur = 0;
        }
        if (ts + dur >= TS_MAX)
            return cerr(ch, slots[F_DUR].line, slots[F_DUR].col, "\"ts\" + \"dur\" is out of range");
        see_time(ch, ts + dur);
        return add_slice(ch, slots, t, ts, ts + dur, flags);
    }
    case 'B':
        return add_slice(ch, slots, t, ts, ts, SL_B);
    case 'E':
        if (reserve(&ch->ends, &ch->endcap, ch->nends, 1, sizeof *ch->ends))
            return oom(ch);
        ch->ends[ch->nends++] = (bend){ts, t, (uint32_t)(ch->event - 1)};
        return 0;
    case 's':
    case 't':
    case 'f': {
        flow f = {.ts = ts, .seq = (uint32_t)(ch->event - 1), .thread = t, .slice = -1, .ph = (uint8_t)p};
        if (p == 'f') {
            const jval *bp = &slots[F_BP];
            f.next = !(bp->t == J_STR && bp->n == 1 && bp->p[0] == 'e');
        }
        if (intern_val(ch, &slots[F_NAME], "name", &f.name) < 0 || flow_key(ch, slots, &f.key) < 0)
            return -1;
        if (!f.key) {
            ch->flow_no_id++;
            return 0;
        }
        return add_flow(ch, &f);
    }
    case 'M': {
        const jval *nm = &slots[F_NAME];
        bool th = nm->t == J_STR && nm->n == 11 && memcmp(nm->p, "thread_name", 11) == 0;
        bool pr = nm->t == J_STR && nm->n == 12 && memcmp(nm->p, "process_name", 12) == 0;
        if (th || pr)
            return set_name(ch, slots, pr);
        return count_ignored(ch, "M", 1);
    }
    default:
        return count_ignored(ch, phn ? ph : "\"\"", phn ? phn : 2);
    }
}

/* ---- the top level */

/* Skips blanks at r->pos (reading on) and returns the next byte, -1 at the
 * end of the file, -2 on a read error. */
static int peek(chrome *ch)
{
    wcp_reader *r = ch->r;
    for (;;) {
        for (; r->pos < r->len; r->pos++) {
            char c = r->buf[r->pos];
            if (c == '\n') {
                ch->line++;
                ch->line_off = ch->base + r->pos + 1;
            } else if (c != ' ' && c != '\t' && c != '\r')
                return (unsigned char)c;
        }
        int k = fill(ch);
        if (k <= 0)
            return k < 0 ? -2 : -1;
    }
}

static uint64_t here_col(const chrome *ch)
{
    return ch->base + ch->r->pos - ch->line_off + 1;
}

/* Runs scan on the text at r->pos, reading more while it needs more; then
 * r->pos is after what it scanned. */
typedef int (*scan_fn)(cur *c, void *arg);

static int scan_here(chrome *ch, scan_fn scan, void *arg, const char *what)
{
    wcp_reader *r = ch->r;
    for (;;) {
        cur c = {r->buf + r->pos, r->buf + r->len, r->buf, ch->line, ch->line_off, ch};
        int rc = scan(&c, arg);
        if (rc == 0) {
            r->pos = (size_t)(c.p - r->buf);
            ch->line = c.line;
            ch->line_off = c.line_off;
            return 0;
        }
        if (rc < 0)
            return -1;
        int k = fill(ch);
        if (k < 0)
            return -1;
        if (k == 0)
            return cerr(ch, ch->line, here_col(ch), "the file ends inside %s (truncated?)", what);
    }
}

static int scan_event_fn(cur *c, void *arg)
{
    jval *slots = arg;
    memset(slots, 0, sizeof(jval) * F_N);
    return scan_object(c, 0, slots);
}

typedef struct token_arg {
    jval v;
} token_arg;

static int scan_scalar_fn(cur *c, void *arg) { return scan_scalar(c, &((token_arg *)arg)->v); }
static int scan_key_fn(cur *c, void *arg) { return scan_key(c, &((token_arg *)arg)->v); }

/* The value of a top-level key other than traceEvents, streamed through:
 * strings are validated chunk by chunk, containers token by token. When
 * its text is at most META_MAX bytes it is kept in meta[key]. */
static int skip_top_value(chrome *ch, const char *key)
{
    wcp_reader *r = ch->r;
    char stack[DEPTH_MAX];
    int depth = 0;
    enum { VALUE, VALUE_OR_CLOSE, KEY, KEY_OR_CLOSE, COMMA_OR_CLOSE } want = VALUE;
    char *keep = NULL;
    size_t klen = 0, kcap = 0;
    bool keeping = true;
#define KEEP(p, n)                                                                  \
    do {                                                                            \
        if (keeping && klen + (n) <= META_MAX &&                                    \
            !reserve(&keep, &kcap, klen, (n), 1)) {                                 \
            memcpy(keep + klen, (p), (n));                                          \
            klen += (n);                                                            \
        } else                                                                      \
            keeping = false;                                                        \
    } while (0)
    int rc = -1;
    for (;;) {
        int c = peek(ch);
        if (c == -2)
            goto out;
        if (c == -1) {
            cerr(ch, ch->line, 0, "the file ends inside the value of \"%s\" (truncated?)", key);
            goto out;
        }
        bool value_done = false;
        if ((want == VALUE_OR_CLOSE && c == ']') || (want == KEY_OR_CLOSE && c == '}') ||
            (want == COMMA_OR_CLOSE && c == (stack[depth - 1] == '{' ? '}' : ']'))) {
            KEEP(&r->buf[r->pos], 1);
            r->pos++;
            depth--;
            value_done = true;
        } else if (want == COMMA_OR_CLOSE) {
            if (c != ',') {
                cerr(ch, ch->line, here_col(ch), "expected ',' or '%c'", stack[depth - 1] == '{' ? '}' : ']');
                goto out;
            }
            KEEP(",", 1);
            r->pos++;
            want = stack[depth - 1] == '{' ? KEY : VALUE;
            continue;
        } else if ((want == KEY || want == KEY_OR_CLOSE) && c != '"') {
            cerr(ch, ch->line, here_col(ch), "expected a key (a string)");
            goto out;
        } else if ((c == '{' || c == '[') && want != KEY && want != KEY_OR_CLOSE) {
            if (depth == DEPTH_MAX) {
                cerr(ch, ch->line, here_col(ch), "nested deeper than %d levels", DEPTH_MAX);
                goto out;
            }
            KEEP(&r->buf[r->pos], 1);
            stack[depth++] = (char)c;
            r->pos++;
            want = c == '{' ? KEY_OR_CLOSE : VALUE_OR_CLOSE;
            continue;
        } else if (c == '"') {
            /* a string of any length: committed up to where the scan can resume */
            KEEP("\"", 1);
            r->pos++;
            for (;;) {
                cur cu = {r->buf + r->pos, r->buf + r->len, r->buf, ch->line, ch->line_off, ch};
                bool esc = false;
                int s = scan_chars(&cu, &esc);
                if (s < 0)
                    goto out;
                KEEP(&r->buf[r->pos], (size_t)(cu.p - (r->buf + r->pos)));
                r->pos = (size_t)(cu.p - r->buf);
                if (s == 0)
                    break;
                int k = fill(ch);
                if (k < 0)
                    goto out;
                if (k == 0) {
                    cerr(ch, ch->line, 0, "the file ends inside a string in the value of \"%s\" (truncated?)", key);
                    goto out;
                }
            }
            if (want == KEY || want == KEY_OR_CLOSE) {
                if (peek(ch) != ':') {
                    cerr(ch, ch->line, here_col(ch), "expected ':' after a key");
                    goto out;
                }
                KEEP(":", 1);
                r->pos++;
                want = VALUE;
                continue;
            }
            value_done = true;
        } else {
            token_arg a;
            if (scan_here(ch, scan_scalar_fn, &a, "a value") < 0)
                goto out;
            KEEP(a.v.p, a.v.n);
            value_done = true;
        }
        if (value_done) {
            if (depth == 0)
                break;
            want = COMMA_OR_CLOSE;
        }
    }
#undef KEEP
    if (keeping && keep) {
        json_t *v = json_loadb(keep, klen, JSON_DECODE_ANY, NULL);
        if (v)
            json_object_set_new(ch->meta, key, v);
    } else
        json_array_append_new(ch->meta_skipped, json_string(key));
    rc = 0;
out:
    free(keep);
    return rc;
}

/* The events of the traceEvents array, r->pos after its '['. In the array
 * form (top) the file may end instead of the ']'. */
static int read_events(chrome *ch, bool top)
{
    wcp_reader *r = ch->r;
    jval slots[F_N];
    bool after_event = false, after_comma = false;
    for (;;) {
        int c = peek(ch);
        if (c == -2)
            return -1;
        if (c == -1) {
            if (top)
                return 0;     /* the format allows the array to be left open */
            return cerr(ch, ch->line, 0, "the file ends inside the \"traceEvents\" array (truncated?)");
        }
        if (c == ']') {
            r->pos++;
            return 0;
        }
        if (after_event) {
            if (c != ',')
                return cerr(ch, ch->line, here_col(ch), "expected ',' or ']' after event %lld",
                            (long long)ch->events);
            r->pos++;
            after_event = false;
            after_comma = true;
            continue;
        }
        if (c != '{') {
            ch->event = ch->events + 1;
            return cerr(ch, ch->line, here_col(ch), "expected an event (a JSON object)%s",
                        after_comma || c != ',' ? "" : ", got ','");
        }
        if (ch->events >= UINT32_MAX - 1)
            return cerr(ch, ch->line, here_col(ch), "more than %u events", UINT32_MAX - 1);
        ch->event = ++ch->events;
        ch->event_col = here_col(ch);
        long line = ch->line;
        if (scan_here(ch, scan_event_fn, slots, "an event") < 0)
            return -1;
        long end_line = ch->line;
        ch->line = line;                /* errors name the line where the event starts */
        if (take_event(ch, slots) < 0)
            return -1;
        ch->line = end_line;
        ch->event = 0;
        after_event = true;
        after_comma = false;
    }
}

/* The whole file. */
static int read_trace(chrome *ch)
{
    wcp_reader *r = ch->r;
    int k;
    while (r->len - r->pos < 3 && (k = fill(ch)) > 0)
        ;
    if (r->len - r->pos >= 3 && memcmp(r->buf + r->pos, "\xef\xbb\xbf", 3) == 0)
        r->pos += 3;                    /* a UTF-8 byte order mark */
    int c = peek(ch);
    if (c == -2)
        return -1;
    if (c == -1)
        return cerr(ch, 1, 0, "empty file: a Chrome trace is a JSON array or object");
    if (c == '[') {
        r->pos++;
        if (read_events(ch, true) < 0)
            return -1;
    } else if (c == '{') {
        r->pos++;
        bool seen = false;
        c = peek(ch);
        if (c == '}')
            r->pos++;
        while (c != '}') {
            if (c < 0)
                return c == -2 ? -1 : cerr(ch, ch->line, 0, "the file ends inside the top-level object (truncated?)");
            token_arg k;
            if (c != '"')
                return cerr(ch, ch->line, here_col(ch), "expected a key (a string)");
            if (scan_here(ch, scan_key_fn, &k, "a key") < 0)
                return -1;
            const char *ks;
            size_t kn;
            if (str_of(ch, &k.v, &ks, &kn) < 0)
                return -1;
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(kn < sizeof key ? kn : sizeof key - 1), ks);
            if (kn == 11 && memcmp(ks, "traceEvents", 11) == 0) {
                if (seen)
                    return cerr(ch, ch->line, here_col(ch), "a second \"traceEvents\"");
                seen = true;
                if (peek(ch) != '[')
                    return cerr(ch, ch->line, here_col(ch), "\"traceEvents\": expected an array");
                r->pos++;
                if (read_events(ch, false) < 0)
                    return -1;
            } else if (skip_top_value(ch, key) < 0)
                return -1;
            c = peek(ch);
            if (c == ',') {
                r->pos++;
                c = peek(ch);
                if (c == '}')
                    return cerr(ch, ch->line, here_col(ch), "expected a key after ','");
            } else if (c == '}')
                r->pos++;
            else if (c >= 0)
                return cerr(ch, ch->line, here_col(ch), "expected ',' or '}'");
        }
        if (!seen)
            return cerr(ch, ch->line, 0, "not a Chrome trace: the object has no \"traceEvents\"");
    } else
        return cerr(ch, ch->line, here_col(ch), "not a Chrome trace: expected '[' or '{'");
    c = peek(ch);
    if (c == -2)
        return -1;
    if (c != -1)
        return cerr(ch, ch->line, here_col(ch), "unexpected text after the trace");
    return 0;
}

/* ---- converting: B/E, nesting, flows */

typedef struct skey {
    int64_t a, b;         /* sort by a, then b, then seq */
    uint32_t seq, idx;
} skey;

static int skey_cmp(const void *x, const void *y)
{
    const skey *p = x, *q = y;
    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static void sort_keys(skey *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (skey_cmp(&k[i - 1], &k[i]) > 0) {
            qsort(k, n, sizeof *k, skey_cmp);
            return;
        }
}

/* Matches B and E per thread in time order (ties: file order). */
static int match_ends(chrome *ch, skey *keys, uint32_t *stack)
{
    uint32_t *eoff = calloc(ch->nth + 1, sizeof *eoff);
    skey *ek = malloc((ch->nends + 1) * sizeof *ek);
    if (!eoff || !ek) {
        free(eoff);
        free(ek);
        return oom(ch);
    }
    for (size_t k = 0; k < ch->nends; k++)
        eoff[ch->ends[k].thread + 1]++;
    for (size_t t = 0; t < ch->nth; t++)
        eoff[t + 1] += eoff[t];
    uint32_t *fillp = calloc(ch->nth + 1, sizeof *fillp);
    if (!fillp) {
        free(eoff);
        free(ek);
        return oom(ch);
    }
    for (size_t k = 0; k < ch->nends; k++) {
        const bend *e = &ch->ends[k];
        ek[eoff[e->thread] + fillp[e->thread]++] = (skey){e->ts, 0, e->seq, (uint32_t)k};
    }
    free(fillp);
    for (size_t t = 0; t < ch->nth; t++) {
        thread *th = &ch->th[t];
        size_t nb = 0;
        for (uint32_t k = 0; k < th->count; k++) {
            const slice *s = &ch->sl[ch->order[th->first + k]];
            if (s->flags & SL_B)
                keys[nb++] = (skey){s->start, 0, s->seq, ch->order[th->first + k]};
        }
        skey *es = ek + eoff[t];
        size_t ne = eoff[t + 1] - eoff[t];
        sort_keys(keys, nb);
        sort_keys(es, ne);
        size_t i = 0, j = 0, sp = 0;
        while (i < nb || j < ne) {
            bool take_b = j == ne || (i < nb && (keys[i].a < es[j].a || (keys[i].a == es[j].a && keys[i].seq < es[j].seq)));
            if (take_b)
                stack[sp++] = keys[i++].idx;
            else if (sp == 0) {
                ch->unmatched_ends++;
                j++;
            } else
                ch->sl[stack[--sp]].end = es[j++].a;
        }
        for (; sp; sp--) {
            ch->sl[stack[sp - 1]].flags |= SL_OPEN;
            ch->open_slices++;
        }
    }
    free(eoff);
    free(ek);
    return 0;
}

/* Gives each slice its enclosing slice on its thread. */
static void nest(chrome *ch, skey *keys, uint32_t *stack)
{
    for (size_t t = 0; t < ch->nth; t++) {
        thread *th = &ch->th[t];
        uint32_t *ord = ch->order + th->first;
        for (uint32_t k = 0; k < th->count; k++) {
            const slice *s = &ch->sl[ord[k]];
            keys[k] = (skey){s->start, -s->end, s->seq, ord[k]};
        }
        sort_keys(keys, th->count);
        size_t sp = 0;
        for (uint32_t k = 0; k < th->count; k++) {
            uint32_t i = keys[k].idx;
            slice *s = &ch->sl[i];
            ord[k] = i;
            while (sp && ch->sl[stack[sp - 1]].end < s->end && ch->sl[stack[sp - 1]].end <= s->start)
                sp--;
            size_t j = sp;
            while (j && ch->sl[stack[j - 1]].end < s->end)
                j--;
            s->parent = j ? (int32_t)stack[j - 1] : -1;
            if (j != sp)
                ch->misnested++;
            stack[sp++] = i;
        }
    }
}

/* The slice a v1 flow event binds to on its thread: the innermost one
 * enclosing its ts, or (f without "bp":"e") the first starting at or after it. */
static int32_t bind(const chrome *ch, const flow *f)
{
    const thread *th = &ch->th[f->thread];
    const uint32_t *ord = ch->order + th->first;
    size_t lo = 0, hi = th->count;      /* first slice starting after ts (or at it, for next) */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int64_t s = ch->sl[ord[mid]].start;
        if (f->next ? s < f->ts : s <= f->ts)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (f->next)
        return lo < th->count ? (int32_t)ord[lo] : -1;
    if (lo == 0)
        return -1;
    int32_t s = (int32_t)ord[lo - 1];
    while (s >= 0 && ch->sl[s].end < f->ts)
        s = ch->sl[s].parent;
    return s;
}

static bool is_ancestor(const chrome *ch, int32_t a, int32_t of)
{
    for (int32_t s = ch->sl[of].parent; s >= 0; s = ch->sl[s].parent)
        if (s == a)
            return true;
    return false;
}

static int add_hop(chrome *ch, const flow *from, const flow *to)
{
    int32_t a = from->slice, b = to->slice;
    if (a < 0 || b < 0)
        return 0;                      /* counted as unbound already */
    if (a == b) {
        ch->flow_self++;
        return 0;
    }
    slice *sa = &ch->sl[a], *sb = &ch->sl[b];
    hop h = {.at_from = from->ts, .at_to = to->next ? sb->start : to->ts, .from = a, .to = b,
             .name = from->name ? from->name : to->name, .seq = to->seq, .wait = true};
    if (sb->parent < 0 && h.at_to == sb->start && sa->start <= sb->start && sb->end <= sa->end &&
        !is_ancestor(ch, b, a)) {
        sb->parent = a;                /* spawned by a, and a waited for it */
        sb->flags |= SL_FLOW_PARENT;
        h.wait = false;
        ch->spawns++;
    } else if (is_ancestor(ch, a, b))
        h.wait = false;                /* waiting on an enclosing op would be a cycle */
    else
        ch->flow_waits++;
    if (reserve(&ch->hops, &ch->hopcap, ch->nhops, 1, sizeof *ch->hops))
        return oom(ch);
    ch->hops[ch->nhops++] = h;
    return 0;
}

static int flow_cmp(const void *x, const void *y)
{
    const flow *p = x, *q = y;
    if (p->key != q->key)
        return p->key < q->key ? -1 : 1;
    if (p->ts != q->ts)
        return p->ts < q->ts ? -1 : 1;
    if (p->order != q->order)
        return p->order < q->order ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static int follow_flows(chrome *ch)
{
    for (size_t k = 0; k < ch->nfl; k++) {
        flow *f = &ch->fl[k];
        if (f->slice < 0 && ch->th[f->thread].count)
            f->slice = bind(ch, f);
        if (f->slice < 0)
            ch->flow_unbound++;
    }
    if (ch->nfl)
        qsort(ch->fl, ch->nfl, sizeof *ch->fl, flow_cmp);
    for (size_t i = 0; i < ch->nfl;) {
        size_t j = i;
        const flow *open = NULL;
        for (; j < ch->nfl && ch->fl[j].key == ch->fl[i].key; j++) {
            const flow *f = &ch->fl[j];
            if (f->ph == 's') {
                ch->flow_unfinished += open != NULL;
                open = f;
                continue;
            }
            if (!open)
                ch->flow_orphans++;
            else if (add_hop(ch, open, f) < 0)
                return -1;
            open = f->ph == 't' ? f : NULL;
        }
        ch->flow_unfinished += open != NULL;
        i = j;
    }
    return 0;
}

static json_t *id_json(const chrome *ch, int64_t v, bool is_str)
{
    if (!is_str)
        return json_integer(v);
    size_t n;
    const char *s = strtab_get(&ch->st, (uint32_t)v, &n);
    return json_stringn(s, n);
}

/* dumps.extra: where the run came from and what the conversion did. */
static int make_extra(chrome *ch)
{
    json_t *x = json_object(), *threads = json_array(), *procs = json_array(), *ign = json_object(),
           *flows = json_object();
    char hex[17];
    snprintf(hex, sizeof hex, "%016llx", (unsigned long long)ch->hash);
    json_object_set_new(x, "format", json_string("chrome"));
    json_object_set_new(x, "content_hash", json_string(hex));
    json_object_set_new(x, "trace_events", json_integer(ch->events));
    json_object_set_new(x, "origin_ns", json_integer(ch->origin));
    for (size_t t = 0; t < ch->nth; t++) {
        const thread *th = &ch->th[t];
        json_t *o = json_object();
        json_object_set_new(o, "pid", id_json(ch, th->pid, th->pid_str));
        json_object_set_new(o, "tid", id_json(ch, th->tid, th->tid_str));
        json_object_set_new(o, "thread_id", json_integer(th->thread_id));
        if (th->name)
            json_object_set_new(o, "name", id_json(ch, th->name, true));
        json_object_set_new(o, "ops", json_integer(th->count));
        json_array_append_new(threads, o);
    }
    for (size_t k = 0; k < ch->npr; k++) {
        json_t *o = json_object();
        json_object_set_new(o, "pid", id_json(ch, ch->pr[k].pid, ch->pr[k].pid_str));
        json_object_set_new(o, "name", id_json(ch, ch->pr[k].name, true));
        json_array_append_new(procs, o);
    }
    for (size_t k = 0; k < ch->nign; k++)
        json_object_set_new(ign, ch->ign[k].ph, json_integer(ch->ign[k].n));
    json_object_set_new(x, "threads", threads);
    json_object_set_new(x, "processes", procs);
    json_object_set_new(x, "ignored", ign);
    json_object_set_new(x, "clang_totals", json_integer(ch->clang_totals));
    json_object_set_new(x, "unmatched_ends", json_integer(ch->unmatched_ends));
    json_object_set_new(x, "open_slices", json_integer(ch->open_slices));
    json_object_set_new(x, "negative_durations", json_integer(ch->negative_durs));
    json_object_set_new(x, "misnested", json_integer(ch->misnested));
    json_object_set_new(flows, "events", json_integer(ch->flow_events + ch->flow_no_id));
    json_object_set_new(flows, "hops", json_integer((json_int_t)ch->nhops));
    json_object_set_new(flows, "spawns", json_integer(ch->spawns));
    json_object_set_new(flows, "waits", json_integer(ch->flow_waits));
    json_object_set_new(flows, "no_id", json_integer(ch->flow_no_id));
    json_object_set_new(flows, "unbound", json_integer(ch->flow_unbound));
    json_object_set_new(flows, "unfinished", json_integer(ch->flow_unfinished));
    json_object_set_new(flows, "orphans", json_integer(ch->flow_orphans));
    json_object_set_new(flows, "within_one_slice", json_integer(ch->flow_self));
    json_object_set_new(x, "flows", flows);
    json_object_set(x, "meta", ch->meta);
    if (json_array_size(ch->meta_skipped))
        json_object_set(x, "meta_skipped", ch->meta_skipped);
    ch->extra = json_dumps(x, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(x);
    return ch->extra ? 0 : oom(ch);
}

/* Op ids in order of start, as a recorder numbers ops when they begin (it
 * also makes the database's inserts nearly sequential): a merge of the
 * threads' orders, so an enclosing slice comes before the slices starting
 * with it on its thread; ties between threads go by file order. */
static bool head_before(const chrome *ch, const uint32_t *pos, uint32_t a, uint32_t b)
{
    const slice *x = &ch->sl[ch->order[pos[a]]], *y = &ch->sl[ch->order[pos[b]]];
    return x->start != y->start ? x->start < y->start : x->seq < y->seq;
}

static void sift_down(const chrome *ch, const uint32_t *pos, uint32_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t m = i, l = 2 * i + 1, r = l + 1;
        if (l < n && head_before(ch, pos, heap[l], heap[m]))
            m = l;
        if (r < n && head_before(ch, pos, heap[r], heap[m]))
            m = r;
        if (m == i)
            return;
        uint32_t t = heap[i];
        heap[i] = heap[m];
        heap[m] = t;
        i = m;
    }
}

static int number_ops(chrome *ch)
{
    ch->by_id = malloc((ch->nsl + 1) * sizeof *ch->by_id);
    ch->id_of = malloc((ch->nsl + 1) * sizeof *ch->id_of);
    uint32_t *heap = malloc((ch->nth + 1) * sizeof *heap), *pos = malloc((ch->nth + 1) * sizeof *pos);
    if (!ch->by_id || !ch->id_of || !heap || !pos) {
        free(heap);
        free(pos);
        return oom(ch);
    }
    size_t n = 0;                      /* threads with slices left; pos: each one's next */
    for (uint32_t t = 0; t < ch->nth; t++)
        if (ch->th[t].count) {
            pos[t] = ch->th[t].first;
            heap[n++] = t;
        }
    for (size_t i = n; i-- > 0;)
        sift_down(ch, pos, heap, n, i);
    for (uint32_t id = 0; n; id++) {
        uint32_t t = heap[0], s = ch->order[pos[t]++];
        ch->by_id[id] = s;
        ch->id_of[s] = id;
        if (pos[t] == ch->th[t].first + ch->th[t].count)
            heap[0] = heap[--n];
        sift_down(ch, pos, heap, n, 0);
    }
    free(heap);
    free(pos);
    return 0;
}

static int64_t op_id(const chrome *ch, int32_t slice) { return slice < 0 ? 0 : (int64_t)ch->id_of[slice] + 1; }

/* After the whole file: B/E, nesting, flows, the header values. */
static int convert(chrome *ch)
{
    size_t n = ch->nsl;
    ch->order = malloc((n + 1) * sizeof *ch->order);
    uint32_t *off = calloc(ch->nth + 1, sizeof *off), *stack = malloc((n + 1) * sizeof *stack);
    skey *keys = malloc((n + 1) * sizeof *keys);
    int rc = -1;
    if (!ch->order || !off || !stack || !keys) {
        oom(ch);
        goto out;
    }
    for (size_t k = 0; k < n; k++)
        off[ch->sl[k].thread + 1]++;
    for (size_t t = 0; t < ch->nth; t++) {
        ch->th[t].first = off[t];
        ch->th[t].count = off[t + 1];
        off[t + 1] += off[t];
    }
    for (size_t k = 0; k < n; k++)
        ch->order[off[ch->sl[k].thread]++] = (uint32_t)k;
    if (match_ends(ch, keys, stack) < 0)
        goto out;
    ch->origin = 0;
    for (size_t k = 0; k < n; k++)
        if (k == 0 || ch->sl[k].start < ch->origin)
            ch->origin = ch->sl[k].start;
    for (size_t k = 0; k < n; k++)
        if (ch->sl[k].flags & SL_OPEN)
            ch->sl[k].end = ch->last_ts;
    nest(ch, keys, stack);
    if (follow_flows(ch) < 0 || number_ops(ch) < 0 || make_extra(ch) < 0)
        goto out;
    if (strtab_intern(&ch->st, DEFAULT_KIND, strlen(DEFAULT_KIND), &ch->kind_default) < 0) {
        oom(ch);
        goto out;
    }
    rc = 0;
out:
    free(off);
    free(stack);
    free(keys);
    return rc;
}

/* ---- the reader's calls (dump.h) */

static int64_t content_id(chrome *ch)
{
    uint64_t h = hash_bytes(ch->carry, ch->ncarry, ch->hash ^ ch->total); /* the last bytes, the length */
    ch->hash = h;
    return -(int64_t)(h >> 2) - 1;    /* negative: never a recorder's epoch */
}

static int src_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    chrome *ch = r->src_state;
    int64_t epoch = 0;
    if (read_trace(ch) < 0)
        return -1;
    epoch = content_id(ch);
    if (convert(ch) < 0)
        return -1;
    int64_t now = ch->nsl ? ch->last_ts - ch->origin : 0;
    r->hdr = (wcp_header){.schema_version = 0, .epoch = epoch, .dumped = epoch + now,
                          .dropped = 0, .event_count = ch->events, .n_strings = ch->st.n};
    r->hdr.extra = (wcp_str){ch->extra, strlen(ch->extra)};
    r->line = 0;
    for (size_t k = 0; k < ch->st.n; k++) {
        size_t n;
        const char *s = strtab_get(&ch->st, (uint32_t)k, &n);
        int rc = on_string(ctx, k, s, n);
        if (rc)
            return rc;
    }
    return 0;
}

static wcp_str str_at(const chrome *ch, uint32_t k)
{
    wcp_str s;
    s.p = strtab_get(&ch->st, k, &s.n);
    return s;
}

static int src_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx)
{
    chrome *ch = r->src_state;
    for (size_t k = 0; k < ch->nsl; k++) {
        const slice *s = &ch->sl[ch->by_id[k]];
        if (!(s->flags & SL_OPEN))
            continue;
        wcp_open_op o = {.id = (int64_t)k + 1, .parent = op_id(ch, s->parent), .start = s->start - ch->origin,
                         .th = ch->th[s->thread].thread_id, .has_th = true,
                         .kind = str_at(ch, s->cat ? s->cat : ch->kind_default), .work_type = {"", 0},
                         .c = s->name, .i = s->ident, .cl = 0, .extra = {"", 0}};
        r->line = (long)s->seq + 1;
        int rc = on_open(ctx, &o);
        if (rc)
            return rc;
    }
    return 0;
}

/* Frees what reading kept, once every event has been handed out (the loader
 * then resolves the run: its graph should not share the memory with ours). */
static void release(chrome *ch)
{
    strtab_free(&ch->st);
    strtab_free(&ch->fkeys);
    free(ch->scratch);
    free(ch->sl);
    free(ch->ends);
    free(ch->fl);
    free(ch->hops);
    free(ch->th);
    free(ch->thslot);
    free(ch->order);
    free(ch->by_id);
    free(ch->id_of);
    ch->scratch = NULL;
    ch->sl = NULL;
    ch->ends = NULL;
    ch->fl = NULL;
    ch->hops = NULL;
    ch->th = NULL;
    ch->thslot = NULL;
    ch->order = ch->by_id = ch->id_of = NULL;
    ch->nsl = ch->nends = ch->nfl = ch->nhops = ch->nth = 0;
}

static int src_next(wcp_reader *r, wcp_event *ev)
{
    chrome *ch = r->src_state;
    if (ch->out_stage == 3)
        return 0;
    memset(ev, 0, sizeof *ev);
    ev->extra = ev->line = ev->k = ev->w = ev->o = ev->rs = ev->lk = (wcp_str){"", 0};
    for (;;) {
        if (ch->out_stage == 0) {              /* ops */
            while (ch->out_i < ch->nsl && (ch->sl[ch->by_id[ch->out_i]].flags & SL_OPEN))
                ch->out_i++;
            if (ch->out_i < ch->nsl) {
                const slice *s = &ch->sl[ch->by_id[ch->out_i]];
                ev->type = WCP_EV_OP;
                ev->e = (wcp_str){"op", 2};
                ev->id = (int64_t)ch->out_i + 1;
                ev->p = op_id(ch, s->parent);
                ev->k = str_at(ch, s->cat ? s->cat : ch->kind_default);
                ev->c = s->name;
                ev->i = s->ident;
                ev->s = s->start - ch->origin;
                ev->d = s->end - ch->origin;
                ev->th = ch->th[s->thread].thread_id;
                ev->has_th = true;
                ev->clamped = (s->flags & SL_CLAMPED) != 0;
                r->line = (long)s->seq + 1;
                ch->out_i++;
                return 1;
            }
            ch->out_stage = 1;
            ch->out_i = 0;
        }
        if (ch->out_i >= ch->nhops) {
            if (ch->out_stage == 2) {
                release(ch);
                ch->out_stage = 3;
                return 0;
            }
            ch->out_stage = 2;                 /* links */
            ch->out_i = 0;
            continue;
        }
        const hop *h = &ch->hops[ch->out_i++];
        if (ch->out_stage == 1 && !h->wait)
            continue;
        const uint32_t flow_name = h->name;
        r->line = (long)h->seq + 1;
        if (ch->out_stage == 1) {              /* waits */
            ev->type = WCP_EV_WAIT;
            ev->e = (wcp_str){"wait", 4};
            ev->rs = (wcp_str){"flow", 4};
            ev->p = op_id(ch, h->to);
            ev->t = op_id(ch, h->from);
            ev->s = ev->d = h->at_to - ch->origin;
            ev->th = ch->th[ch->sl[h->to].thread].thread_id;
            ev->has_th = true;
        } else {                               /* links */
            ev->type = WCP_EV_LINK;
            ev->e = (wcp_str){"link", 4};
            ev->lk = (wcp_str){"flow", 4};
            ev->p = op_id(ch, h->from);
            ev->t = op_id(ch, h->to);
            ev->s = ev->d = h->at_from - ch->origin;
        }
        ev->i = flow_name;
        return 1;
    }
}

static void src_close(wcp_reader *r)
{
    chrome *ch = r->src_state;
    if (!ch)
        return;
    release(ch);
    free(ch->pr);
    free(ch->ign);
    free(ch->extra);
    json_decref(ch->meta);
    json_decref(ch->meta_skipped);
    free(ch);
    r->src_state = NULL;
}

static const wcp_source chrome_source = {src_header, src_open_ops, src_next, src_close};

/* ---- opening, and telling the formats apart */

static int attach(wcp_reader *r)
{
    chrome *ch = calloc(1, sizeof *ch);
    if (!ch) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    ch->r = r;
    ch->line = 1;
    ch->meta = json_object();
    ch->meta_skipped = json_array();
    r->src = &chrome_source;
    r->src_state = ch;
    hash_update(ch, (unsigned char *)r->buf, r->len);
    r->bytes = r->len;
    uint32_t zero;
    if (!ch->meta || !ch->meta_skipped || strtab_intern(&ch->st, "", 0, &zero) < 0 ||
        strtab_intern(&ch->fkeys, "", 0, &zero) < 0) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    return 0;
}

/* Is the text a Chrome trace (1), a wcprof dump (0), or too short to say (-1)? */
static int looks_like_chrome(const char *p, size_t n, bool eof)
{
    size_t i = 0;
    if (memcmp(p, "\xef\xbb\xbf", n < 3 ? n : 3) == 0 && n) {
        if (n < 3)
            return eof ? 0 : -1;       /* maybe a byte order mark: read on */
        i = 3;
    }
    while (i < n && strchr(" \t\r\n", p[i]))
        i++;
    if (i == n)
        return eof ? 0 : -1;
    if (p[i] == '[')
        return 1;
    if (p[i] != '{')
        return 0;
    for (i++; i < n && strchr(" \t\r\n", p[i]); i++)
        ;
    if (i == n)
        return eof ? 1 : -1;
    if (p[i] != '"')
        return 1;
    const char *k = p + i + 1, *q = memchr(k, '"', n - i - 1);
    if (!q)
        return eof ? 1 : -1;
    return wcp_header_key(k, (size_t)(q - k)) >= 0 ? 0 : 1;
}

int wcp_source_open(wcp_reader *r, const char *path, int format)
{
    if (wcp_reader_open(r, path) < 0)
        return -1;
    if (format == WCP_FORMAT_WCPROF)
        return 0;
    int is = format == WCP_FORMAT_CHROME ? 1 : -1;
    while (is < 0) {
        is = looks_like_chrome(r->buf, r->len, r->eof);
        if (is >= 0)
            break;
        if (r->len >= 4096) {
            is = 0;
            break;
        }
        size_t want = r->cap - r->len;
        if (wcp_chrome_read_max && want > wcp_chrome_read_max)
            want = wcp_chrome_read_max;
        ssize_t k = read(r->fd, r->buf + r->len, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            snprintf(r->err, sizeof r->err, "%s:1: read error: %s", r->path, strerror(errno));
            return -1;
        }
        if (k == 0)
            r->eof = true;
        r->len += (size_t)k;
    }
    return is ? attach(r) : 0;
}

int wcp_format_from_name(const char *name)
{
    return strcmp(name, "auto") == 0     ? WCP_FORMAT_AUTO
           : strcmp(name, "wcprof") == 0 ? WCP_FORMAT_WCPROF
           : strcmp(name, "chrome") == 0 ? WCP_FORMAT_CHROME
                                         : -1;
}

/* ---- notes for people */

static json_int_t jint(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

char *wcp_chrome_notes(sqlite3 *db, int64_t dump_id, const char *prefix)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT extra FROM dumps WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_int64(st, 1, dump_id);
    json_t *x = NULL;
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT)
        x = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
    sqlite3_finalize(st);
    const char *fmt = json_string_value(json_object_get(x, "format"));
    if (!fmt || strcmp(fmt, "chrome") != 0) {
        json_decref(x);
        return NULL;
    }
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f) {
        json_decref(x);
        return NULL;
    }
    json_t *ign = json_object_get(x, "ignored"), *fl = json_object_get(x, "flows");
    json_int_t total = jint(x, "clang_totals");
    const char *k;
    json_t *v;
    json_object_foreach(ign, k, v) total += json_integer_value(v);
    if (total) {
        fprintf(f, "%s: note: ignored %lld events:", prefix, (long long)total);
        const char *sep = " ";
        json_object_foreach(ign, k, v) {
            fprintf(f, "%s%lld %s", sep, (long long)json_integer_value(v), k);
            sep = ", ";
        }
        if (jint(x, "clang_totals"))
            fprintf(f, "%s%lld clang totals (X \"Total ...\", summaries of the other events)", sep,
                    (long long)jint(x, "clang_totals"));
        fputc('\n', f);
    }
    if (jint(x, "unmatched_ends"))
        fprintf(f, "%s: note: %lld E events without a matching B were skipped\n", prefix,
                (long long)jint(x, "unmatched_ends"));
    if (jint(x, "open_slices"))
        fprintf(f, "%s: note: %lld B events never ended: open ops, ending at the trace's last timestamp\n",
                prefix, (long long)jint(x, "open_slices"));
    if (jint(x, "negative_durations"))
        fprintf(f, "%s: note: %lld X events with a negative dur were kept with dur 0\n", prefix,
                (long long)jint(x, "negative_durations"));
    if (jint(x, "misnested"))
        fprintf(f, "%s: note: %lld slices overlap their thread's enclosing slice without nesting in it\n",
                prefix, (long long)jint(x, "misnested"));
    json_int_t lost = jint(fl, "no_id") + jint(fl, "unbound") + jint(fl, "unfinished") + jint(fl, "orphans");
    if (lost)
        fprintf(f, "%s: note: flows: %lld events without an id, %lld bound to no slice, %lld never finished, "
                   "%lld steps or ends without a start\n", prefix, (long long)jint(fl, "no_id"),
                (long long)jint(fl, "unbound"), (long long)jint(fl, "unfinished"), (long long)jint(fl, "orphans"));
    json_decref(x);
    fclose(f);
    if (len == 0) {
        free(buf);
        return NULL;
    }
    return buf;
}
