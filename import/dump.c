/* dump.c - reading wcprof dumps: the line reader, the header, the events,
 * and the dump's row in the table of formats. See dump.h; the format is
 * docs/spec/dump-format.md. */
#include "dump.h"

#include "errpos.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER_MAX ((size_t)1 << 30) /* the header line holds the string table */
#define LINE_MAX_BYTES ((size_t)64 << 20)
#define READ_CHUNK ((size_t)1 << 20)

static int rerr(wcp_reader *r, long line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int rerr(wcp_reader *r, long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vprint(r->err, sizeof r->err, r->path, line, 0, "", fmt, ap);
    va_end(ap);
    return -1;
}

/* rerr() at the column where value v starts in the line being checked
 * (r->cur_line), when the scanner said where (0, left out, otherwise). */
static int verr(wcp_reader *r, const jv *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int verr(wcp_reader *r, const jv *v, const char *fmt, ...)
{
    uint64_t col = 0;
    const char *a = r->cur_line.p;
    if (v->at && a && v->at >= a && v->at < a + r->cur_line.n)
        col = (uint64_t)(v->at - a) + 1;
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vprint(r->err, sizeof r->err, r->path, r->line, col, "", fmt, ap);
    va_end(ap);
    return -1;
}

/* "what reason (column N)" from the scanner's last failure. */
static int scan_err(wcp_reader *r, const char *what)
{
    return wcp_errpos_print(r->err, sizeof r->err, r->path, r->line, r->js.err.column, what, "%s",
                            r->js.err.text);
}

/* Returns the next line (without its '\n') in *line, *n; *nl says whether it
 * ended with a newline. 1: a line; 0: end of input; -1: error (r->err). */
static int read_line(wcp_reader *r, char **line, size_t *n, bool *nl)
{
    size_t scanned = 0; /* bytes after pos already searched for '\n' */
    size_t limit = r->line == 0 ? HEADER_MAX : LINE_MAX_BYTES;
    for (;;) {
        char *s = r->buf + r->pos;
        size_t avail = r->len - r->pos;
        char *q = memchr(s + scanned, '\n', avail - scanned);
        if (q || (r->eof && avail > 0)) {
            *line = s;
            *n = q ? (size_t)(q - s) : avail;
            *nl = q != NULL;
            r->pos += *n + (q != NULL);
            r->bytes += *n + (q != NULL);
            r->line++;
            if (*n > limit)
                return rerr(r, r->line, "line longer than %zu MiB", limit >> 20);
            return 1;
        }
        if (r->eof)
            return 0;
        scanned = avail;
        if (avail > limit)
            return rerr(r, r->line + 1, "line longer than %zu MiB", limit >> 20);
        if (r->pos > 0) {
            memmove(r->buf, s, avail);
            r->len = avail;
            r->pos = 0;
        }
        if (r->len == r->cap) {
            char *b = realloc(r->buf, r->cap * 2);
            if (!b)
                return rerr(r, r->line + 1, "out of memory reading a line of %zu bytes", r->len);
            r->buf = b;
            r->cap *= 2;
        }
        size_t want = r->cap - r->len;
        if (want > READ_CHUNK)
            want = READ_CHUNK; /* no more than needed beyond a long line (the header) */
        ssize_t k = read(r->fd, r->buf + r->len, want);
        if (k < 0) {
            if (errno == EINTR)
                continue;
            return rerr(r, r->line + 1, "read error: %s", strerror(errno));
        }
        if (k == 0)
            r->eof = true;
        r->len += (size_t)k;
    }
}

/* After the header line, which holds the string table and may have grown the
 * buffer to tens of MB: back to the usual size (event lines are short). */
static void shrink_buffer(wcp_reader *r)
{
    size_t avail = r->len - r->pos, cap = (size_t)1 << 20;
    if (r->cap <= cap || avail > cap / 2)
        return;
    memmove(r->buf, r->buf + r->pos, avail);
    r->pos = 0;
    r->len = avail;
    char *b = realloc(r->buf, cap);
    if (b) {
        r->buf = b;
        r->cap = cap;
    }
}

static const char *type_name(const jv *v)
{
    switch (v->type) {
    case JV_INT: return "an integer";
    case JV_STR: return "a string";
    case JV_OTHER:
        switch (v->n ? v->s[0] : 0) {
        case '{': return "an object";
        case '[': return "an array";
        case 't':
        case 'f': return "a boolean";
        case 'n': return "null";
        default: return "a real number";
        }
    default: return "nothing";
    }
}

/* The times wcprof reads (s, d, start_ns), in ns from the epoch: within
 * ±2^61 (73 years either side), so that every length and every sum the
 * replay makes of them fits in 64 bits; beyond, refused (import/README.md). */
#define TIME_MAX ((int64_t)1 << 61)

static int get_int(wcp_reader *r, const jv *v, const char *key, int64_t min, int64_t *out);

static int get_time(wcp_reader *r, const jv *v, const char *key, int64_t *out)
{
    if (get_int(r, v, key, INT64_MIN, out) < 0)
        return -1;
    if (*out < -TIME_MAX || *out > TIME_MAX)
        return rerr(r, r->line,
                    "\"%s\": %lld ns is out of the range wcprof can replay (at most 2^61 ns, "
                    "73 years, either side of the epoch)",
                    key, (long long)*out);
    return 0;
}

/* Checks an optional integer key: absent -> *out = 0. */
static int get_int(wcp_reader *r, const jv *v, const char *key, int64_t min, int64_t *out)
{
    *out = 0;
    if (v->type == JV_ABSENT)
        return 0;
    if (v->type == JV_U64)
        return verr(r, v, "\"%s\": %llu is out of range (must be <= %lld)", key,
                    (unsigned long long)v->i, (long long)INT64_MAX);
    if (v->type != JV_INT)
        return verr(r, v, "\"%s\": expected an integer, got %s", key, type_name(v));
    if (v->i < min)
        return verr(r, v, "\"%s\": %lld is out of range (must be >= %lld)", key, (long long)v->i,
                    (long long)min);
    *out = v->i;
    return 0;
}

/* An optional uint64 id key (id, p, t, r, op_id, parent_id): absent -> 0;
 * 0 to 18446744073709551615, kept as its bit pattern (db/README.md, "Ids"). */
static int get_id(wcp_reader *r, const jv *v, const char *key, int64_t *out)
{
    if (v->type == JV_U64) {
        *out = v->i;
        return 0;
    }
    if (v->type == JV_INT && v->i < 0) {
        *out = 0;
        return verr(r, v, "\"%s\": %lld is out of range (an id is 0 to 18446744073709551615)", key,
                    (long long)v->i);
    }
    return get_int(r, v, key, 0, out);
}

/* An optional uint64 count (dropped_events): absent -> 0; above 2^63 - 1 it
 * is kept as 2^63 - 1, the most a database integer holds (a count no recorder
 * reaches; still non-zero, so the run stays marked incomplete). */
static int get_count(wcp_reader *r, const jv *v, const char *key, int64_t *out)
{
    if (v->type == JV_U64) {
        *out = INT64_MAX;
        return 0;
    }
    return get_int(r, v, key, 0, out);
}

static int get_str(wcp_reader *r, const jv *v, const char *key, wcp_str *out)
{
    out->p = "";
    out->n = 0;
    if (v->type == JV_ABSENT)
        return 0;
    if (v->type != JV_STR)
        return rerr(r, r->line, "\"%s\": expected a string, got %s", key, type_name(v));
    out->p = v->s;
    out->n = v->n;
    return 0;
}

static int get_index(wcp_reader *r, const jv *v, const char *key, uint32_t *out)
{
    int64_t x;
    if (get_int(r, v, key, 0, &x) < 0)
        return -1;
    if ((uint64_t)x >= r->hdr.n_strings)
        return rerr(r, r->line,
                    "\"%s\": string index %lld is past the end of strings (%zu entries)", key,
                    (long long)x, r->hdr.n_strings);
    *out = (uint32_t)x;
    return 0;
}

static int required(wcp_reader *r, const jv *v, const char *key, const char *what)
{
    if (v->type == JV_ABSENT)
        return rerr(r, r->line, "missing required key \"%s\"%s", key, what);
    return 0;
}

/* ---- events */

enum {
    K_E,
    K_K,
    K_W,
    K_O,
    K_RS,
    K_LK,
    K_ID,
    K_P,
    K_T,
    K_R,
    K_C,
    K_I,
    K_CL,
    K_S,
    K_D,
    K_TH,
    K_M,
    K_N
};

static int event_key(const char *k, size_t n)
{
    switch (n) {
    case 1:
        switch (k[0]) {
        case 'e': return K_E;
        case 'k': return K_K;
        case 'w': return K_W;
        case 'o': return K_O;
        case 'p': return K_P;
        case 't': return K_T;
        case 'r': return K_R;
        case 'c': return K_C;
        case 'i': return K_I;
        case 's': return K_S;
        case 'd': return K_D;
        case 'm': return K_M;
        }
        return -1;
    case 2:
        if (k[0] == 'r' && k[1] == 's')
            return K_RS;
        if (k[0] == 'l' && k[1] == 'k')
            return K_LK;
        if (k[0] == 'i' && k[1] == 'd')
            return K_ID;
        if (k[0] == 'c' && k[1] == 'l')
            return K_CL;
        if (k[0] == 't' && k[1] == 'h')
            return K_TH;
        return -1;
    }
    return -1;
}

/* The one place where an event's keys are checked, for both parse paths. */
static int event_from_slots(wcp_reader *r, const jv *v, const jv *extra, wcp_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (required(r, &v[K_E], "e", "") < 0 || get_str(r, &v[K_E], "e", &ev->e) < 0)
        return -1;
    ev->type = wcp_str_is(ev->e, "op")     ? WCP_EV_OP
               : wcp_str_is(ev->e, "wait") ? WCP_EV_WAIT
               : wcp_str_is(ev->e, "link") ? WCP_EV_LINK
                                           : WCP_EV_OTHER;
    if (required(r, &v[K_S], "s", "") < 0 || required(r, &v[K_D], "d", "") < 0)
        return -1;
    if (ev->type == WCP_EV_OP && required(r, &v[K_ID], "id", " in an op event") < 0)
        return -1;
    if (get_str(r, &v[K_K], "k", &ev->k) < 0 || get_str(r, &v[K_W], "w", &ev->w) < 0 ||
        get_str(r, &v[K_O], "o", &ev->o) < 0 || get_str(r, &v[K_RS], "rs", &ev->rs) < 0 ||
        get_str(r, &v[K_LK], "lk", &ev->lk) < 0)
        return -1;
    if (get_id(r, &v[K_ID], "id", &ev->id) < 0 || get_id(r, &v[K_P], "p", &ev->p) < 0 ||
        get_id(r, &v[K_T], "t", &ev->t) < 0 || get_id(r, &v[K_R], "r", &ev->r) < 0 ||
        get_time(r, &v[K_S], "s", &ev->s) < 0 || get_time(r, &v[K_D], "d", &ev->d) < 0 ||
        get_int(r, &v[K_TH], "th", INT64_MIN, &ev->th) < 0)
        return -1;
    if (ev->type == WCP_EV_OP && ev->id == 0)
        return verr(r, &v[K_ID], "\"id\": op id 0 is reserved (ids start at 1)");
    if (get_index(r, &v[K_C], "c", &ev->c) < 0 || get_index(r, &v[K_I], "i", &ev->i) < 0 ||
        get_index(r, &v[K_CL], "cl", &ev->cl) < 0 || get_index(r, &v[K_M], "m", &ev->m) < 0)
        return -1;
    ev->has_th = v[K_TH].type == JV_INT;
    if (ev->d < ev->s) {
        ev->d = ev->s;
        ev->clamped = true;
    }
    if (extra->type != JV_ABSENT) {
        ev->extra.p = extra->s;
        ev->extra.n = extra->n;
    }
    return 0;
}

int wcp_reader_parse_event(wcp_reader *r, char *line, size_t n, wcp_event *ev)
{
    jv v[K_N], extra;
    jscan_reset(&r->js);
    if (jscan_object(&r->js, line, n, event_key, v, K_N, &extra) < 0) {
        /* The scanner refused the line: jansson has the last word. */
        wcp_errpos saved = r->js.err;
        if (wcp_reader_parse_event_jansson(r, line, n, ev) == 0)
            return 0;
        r->js.err = saved;
        return scan_err(r, "");
    }
    r->cur_line.p = line;
    r->cur_line.n = n;
    if (event_from_slots(r, v, &extra, ev) < 0)
        return -1;
    ev->line.p = line;
    ev->line.n = n;
    return 0;
}

/* jansson's view of a value as a slot. Nested values are re-serialised and
 * kept alive in `keep` (owned by r->jroot) until the next line. */
static int slot_from_json(json_t *keep, json_t *x, jv *out)
{
    memset(out, 0, sizeof *out);
    if (json_is_integer(x)) {
        out->type = JV_INT;
        out->i = (int64_t)json_integer_value(x);
        return 0;
    }
    if (json_is_string(x)) {
        out->type = JV_STR;
        out->s = json_string_value(x);
        out->n = json_string_length(x);
        return 0;
    }
    char *t = json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
    json_t *kept = t ? json_string(t) : NULL;
    free(t);
    if (!kept || json_array_append_new(keep, kept) < 0)
        return -1;
    out->type = JV_OTHER;
    out->s = json_string_value(kept);
    out->n = json_string_length(kept);
    return 0;
}

int wcp_reader_parse_event_jansson(wcp_reader *r, char *line, size_t n, wcp_event *ev)
{
    json_error_t je;
    if (r->jroot)
        json_decref(r->jroot);
    r->jroot = NULL;
    json_t *root = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.column > 0)
            return rerr(r, r->line, "invalid JSON: %s (column %d)", je.text, je.column);
        return rerr(r, r->line, "invalid JSON: %s", je.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return rerr(r, r->line, "an event must be a JSON object");
    }
    /* r->jroot owns the line's values, plus a keep-list for re-serialised ones */
    json_t *holder = json_object();
    json_object_set_new(holder, "root", root);
    json_object_set_new(holder, "\x01keep", json_array());
    r->jroot = holder;

    jv v[K_N], extra = {0};
    memset(v, 0, sizeof v);
    json_t *unknown = NULL;
    const char *key;
    json_t *val;
    json_object_foreach(root, key, val)
    {
        int k = event_key(key, strlen(key));
        if (k >= 0) {
            if (slot_from_json(json_object_get(holder, "\x01keep"), val, &v[k]) < 0)
                return rerr(r, r->line, "out of memory");
        } else {
            if (!unknown)
                unknown = json_object();
            json_object_set(unknown, key, val);
        }
    }
    if (unknown) {
        char *t = json_dumps(unknown, JSON_COMPACT);
        json_decref(unknown);
        json_t *kept = t ? json_string(t) : NULL;
        free(t);
        if (!kept)
            return rerr(r, r->line, "out of memory");
        json_array_append_new(json_object_get(holder, "\x01keep"), kept);
        extra.type = JV_OTHER;
        extra.s = json_string_value(kept);
        extra.n = strlen(extra.s);
    }
    r->cur_line.p = line;
    r->cur_line.n = n;
    if (event_from_slots(r, v, &extra, ev) < 0)
        return -1;
    ev->line.p = line;
    ev->line.n = n;
    return 0;
}

/* The next event line of a wcprof dump: 1, 0 at the end, -1 on error. */
static int dump_next(wcp_reader *r, wcp_event *ev)
{
    char *line;
    size_t n;
    bool nl;
    int rc;
    if (r->events == 0 && r->line == 1)
        shrink_buffer(r);
    if (r->events >= r->hdr.event_count) {
        /* the dump is complete; only blank lines may follow */
        while ((rc = read_line(r, &line, &n, &nl)) > 0) {
            for (size_t j = 0; j < n; j++)
                if (line[j] != ' ' && line[j] != '\t' && line[j] != '\r')
                    return rerr(r, r->line, "more event lines than the header's event_count (%lld)",
                                (long long)r->hdr.event_count);
        }
        return rc;
    }
    rc = read_line(r, &line, &n, &nl);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return rerr(r, r->line + 1,
                    "truncated dump: the header announces %lld events, the file ends after %lld",
                    (long long)r->hdr.event_count, (long long)r->events);
    if (wcp_reader_parse_event(r, line, n, ev) < 0) {
        if (!nl) {
            /* say it plainly: the last line was cut off */
            char why[sizeof r->err];
            int skip = snprintf(NULL, 0, "%s:%ld: ", r->path, r->line);
            snprintf(why, sizeof why, "%s",
                     r->err + (skip > 0 && (size_t)skip < strlen(r->err) ? skip : 0));
            return rerr(r, r->line, "truncated last line (no newline at the end of the file): %s",
                        why);
        }
        return -1;
    }
    return 1;
}

/* ---- header */

enum { H_SCHEMA, H_EPOCH, H_DUMPED, H_DROPPED, H_COUNT, H_STRINGS, H_OPEN, H_MISUSE, H_N };

/* The index in keys[0..nkeys) of the key k[0..n) (raw bytes), or -1. */
static int key_index(const char *const *keys, int nkeys, const char *k, size_t n)
{
    for (int i = 0; i < nkeys; i++)
        if (strlen(keys[i]) == n && memcmp(keys[i], k, n) == 0)
            return i;
    return -1;
}

int wcp_header_key(const char *k, size_t n)
{
    static const char *const keys[H_N] = {"schema_version", "epoch_unix_nano", "dumped_unix_nano",
                                          "dropped_events", "event_count",     "strings",
                                          "open_ops",       "misuse"};
    return key_index(keys, H_N, k, n);
}

typedef struct strings_ctx {
    wcp_reader *r;
    wcp_string_fn fn;
    void *ctx;
    size_t count;
    bool counting; /* first pass: count and type-check only */
} strings_ctx;

static int on_string_elem(void *p, size_t index, const jv *e)
{
    strings_ctx *sc = p;
    if (e->type != JV_STR) {
        rerr(sc->r, 1, "strings[%zu]: expected a string, got %s", index, type_name(e));
        return -2;
    }
    if (memchr(e->s, 0, e->n)) {
        rerr(sc->r, 1, "strings[%zu]: contains a NUL character", index);
        return -2;
    }
    if (index == 0 && e->n != 0) {
        rerr(sc->r, 1, "strings[0] must be \"\" (index 0 means none)");
        return -2;
    }
    sc->count = index + 1;
    if (sc->counting)
        return 0;
    int rc = sc->fn(sc->ctx, index, e->s, e->n);
    return rc ? rc : 0;
}

static int dump_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    char *line;
    size_t n;
    bool nl;
    int rc = read_line(r, &line, &n, &nl);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return rerr(r, 1, "empty file: a dump starts with a header line");
    if (n >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte-order mark: skipped */
        line += 3;
        n -= 3;
    }
    jv v[H_N], extra;
    jscan_reset(&r->js);
    r->cur_line.p = line; /* kept: open_ops are read from it later */
    r->cur_line.n = n;
    if (jscan_object(&r->js, line, n, wcp_header_key, v, H_N, &extra) < 0)
        return scan_err(r, nl ? "header: " : "header (truncated, no newline): ");
    wcp_header *h = &r->hdr;
    if (required(r, &v[H_SCHEMA], "schema_version", " in the header") < 0 ||
        get_int(r, &v[H_SCHEMA], "schema_version", INT64_MIN, &h->schema_version) < 0)
        return -1;
    if (h->schema_version != 1)
        return rerr(r, 1, "unsupported schema_version %lld: this reader reads version 1",
                    (long long)h->schema_version);
    if (required(r, &v[H_COUNT], "event_count", " in the header") < 0 ||
        required(r, &v[H_STRINGS], "strings", " in the header") < 0)
        return -1;
    if (get_int(r, &v[H_EPOCH], "epoch_unix_nano", INT64_MIN, &h->epoch) < 0 ||
        get_int(r, &v[H_DUMPED], "dumped_unix_nano", INT64_MIN, &h->dumped) < 0 ||
        get_count(r, &v[H_DROPPED], "dropped_events", &h->dropped) < 0 ||
        get_int(r, &v[H_COUNT], "event_count", 0, &h->event_count) < 0)
        return -1;
    int64_t now;
    if (__builtin_sub_overflow(h->dumped, h->epoch, &now) || now < -TIME_MAX || now > TIME_MAX)
        return rerr(r, 1,
                    "\"dumped_unix_nano\" is more than 2^61 ns (73 years) from "
                    "\"epoch_unix_nano\": out of the range wcprof can replay");
    if (v[H_STRINGS].type != JV_OTHER || v[H_STRINGS].s[0] != '[')
        return rerr(r, 1, "\"strings\": expected an array, got %s", type_name(&v[H_STRINGS]));
    if (v[H_OPEN].type != JV_ABSENT && (v[H_OPEN].type != JV_OTHER || v[H_OPEN].s[0] != '['))
        return rerr(r, 1, "\"open_ops\": expected an array, got %s", type_name(&v[H_OPEN]));
    if (v[H_MISUSE].type != JV_ABSENT && (v[H_MISUSE].type != JV_OTHER || v[H_MISUSE].s[0] != '{'))
        return rerr(r, 1, "\"misuse\": expected an object, got %s", type_name(&v[H_MISUSE]));
    if (v[H_MISUSE].type == JV_OTHER) {
        h->misuse.p = v[H_MISUSE].s;
        h->misuse.n = v[H_MISUSE].n;
    }
    if (extra.type != JV_ABSENT) {
        h->extra.p = extra.s;
        h->extra.n = extra.n;
    }
    r->strings_raw.p = v[H_STRINGS].s;
    r->strings_raw.n = v[H_STRINGS].n;
    if (v[H_OPEN].type == JV_OTHER) {
        r->open_ops_raw.p = v[H_OPEN].s;
        r->open_ops_raw.n = v[H_OPEN].n;
    }
    /* Count and check the string table first, so that nothing is reported
     * to the caller from a header that turns out to be bad. */
    strings_ctx sc = {r, on_string, ctx, 0, true};
    rc = jscan_array(&r->js, r->strings_raw.p, r->strings_raw.n, on_string_elem, &sc);
    if (rc == -1)
        return scan_err(r, "header: \"strings\": ");
    if (rc)
        return -1;
    h->n_strings = sc.count ? sc.count : 1; /* an empty table still has "" */
    if (!on_string)
        return 0;
    if (sc.count == 0)
        return on_string(ctx, 0, "", 0) ? -1 : 0;
    sc.counting = false;
    rc = jscan_array(&r->js, r->strings_raw.p, r->strings_raw.n, on_string_elem, &sc);
    if (rc == -1)
        return scan_err(r, "header: \"strings\": ");
    return rc ? -1 : 0;
}

/* ---- open ops */

enum { O_ID, O_PARENT, O_KIND, O_WORK, O_CLASS, O_IDENT, O_CLIENT, O_START, O_THREAD, O_META, O_N };

static int open_key(const char *k, size_t n)
{
    static const char *const keys[O_N] = {"op_id",     "parent_id", "kind",      "work_type",
                                          "class_id",  "ident_id",  "client_id", "start_ns",
                                          "thread_id", "meta_id"};
    return key_index(keys, O_N, k, n);
}

typedef struct open_ctx {
    wcp_reader *r;
    wcp_open_fn fn;
    void *ctx;
} open_ctx;

static int on_open_elem(void *p, size_t index, const jv *e)
{
    open_ctx *oc = p;
    wcp_reader *r = oc->r;
    if (e->type != JV_OTHER || e->s[0] != '{') {
        rerr(r, 1, "open_ops[%zu]: expected an object, got %s", index, type_name(e));
        return -2;
    }
    jv v[O_N], extra;
    jscan js; /* own scratch: the header's stays in use */
    jscan_init(&js);
    int rc = -2;
    wcp_open_op op;
    memset(&op, 0, sizeof op);
    if (jscan_object(&js, e->s, e->n, open_key, v, O_N, &extra) < 0) {
        rerr(r, 1, "open_ops[%zu]: %s", index, js.err.text);
        goto out;
    }
    char where[64];
    snprintf(where, sizeof where, " in open_ops[%zu]", index);
    if (required(r, &v[O_ID], "op_id", where) < 0 ||
        required(r, &v[O_START], "start_ns", where) < 0 ||
        get_id(r, &v[O_ID], "op_id", &op.id) < 0 ||
        get_id(r, &v[O_PARENT], "parent_id", &op.parent) < 0 ||
        get_time(r, &v[O_START], "start_ns", &op.start) < 0 ||
        get_int(r, &v[O_THREAD], "thread_id", INT64_MIN, &op.th) < 0 ||
        get_str(r, &v[O_KIND], "kind", &op.kind) < 0 ||
        get_str(r, &v[O_WORK], "work_type", &op.work_type) < 0 ||
        get_index(r, &v[O_CLASS], "class_id", &op.c) < 0 ||
        get_index(r, &v[O_IDENT], "ident_id", &op.i) < 0 ||
        get_index(r, &v[O_CLIENT], "client_id", &op.cl) < 0 ||
        get_index(r, &v[O_META], "meta_id", &op.m) < 0)
        goto out;
    if (op.id == 0) {
        verr(r, &v[O_ID], "\"op_id\": 0 is out of range (must be >= 1)");
        goto out;
    }
    op.has_th = v[O_THREAD].type == JV_INT;
    if (extra.type != JV_ABSENT) {
        op.extra.p = extra.s;
        op.extra.n = extra.n;
    }
    rc = oc->fn(oc->ctx, &op);
out:
    jscan_free(&js);
    return rc;
}

static int dump_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx)
{
    if (!r->open_ops_raw.n)
        return 0;
    open_ctx oc = {r, on_open, ctx};
    int rc = jscan_array(&r->js, r->open_ops_raw.p, r->open_ops_raw.n, on_open_elem, &oc);
    if (rc == -1)
        return scan_err(r, "header: \"open_ops\": ");
    return rc ? -1 : 0;
}

/* The dump reader's fields, which every reader has (a reader of another
 * format leaves them as wcp_reader_open() made them). */
static void dump_close(wcp_reader *r)
{
    if (r->jroot)
        json_decref(r->jroot);
    r->jroot = NULL;
    jscan_free(&r->js);
}

const wcp_source wcp_dump_source = {dump_header, dump_open_ops, dump_next, dump_close, NULL};

/* ---- the dump's row in the table of formats (source.c) */

/* A dump starts with its header line: '{' and a key of the header (after a
 * UTF-8 byte order mark, which the dump reader skips, and blanks, which it
 * refuses). */
static int sniff(const char *p, size_t n, bool eof)
{
    long i = wcp_sniff_skip(p, n);
    if (i >= 0 && p[i] != '{')
        return WCP_SNIFF_NO;
    if (i >= 0)
        for (i++; (size_t)i < n && strchr(" \t\r\n", p[i]); i++)
            ;
    if (i < 0 || (size_t)i >= n)
        return eof ? WCP_SNIFF_NO : WCP_SNIFF_MORE;
    if (p[i] != '"')
        return WCP_SNIFF_NO;
    const char *k = p + i + 1, *q = memchr(k, '"', n - (size_t)i - 1);
    if (!q)
        return eof ? WCP_SNIFF_NO : WCP_SNIFF_MORE;
    return wcp_header_key(k, (size_t)(q - k)) >= 0 ? WCP_SNIFF_YES : WCP_SNIFF_NO;
}

const wcp_format wcp_format_wcprof = {.name = "wcprof", .sniff = sniff};
