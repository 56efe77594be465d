/* chrome.c - Chrome trace event JSON (the Trace Event Format) read into records.
 * See chrome.h for the contract and import/README.md for the conversion rules.
 *
 * Reading. The file comes in chunks into the reader's buffer (r->buf,
 * wcp_reader_fill()), hashed as it comes. The top level ('[' events ']' or
 * '{' "key": value, ... '}') is read at r->pos token by token with the JSON
 * tokenizer (json.h), so the values of keys other than traceEvents (a
 * systrace string can be hundreds of MB) stream through without being held.
 * Each event object is read in place; when the buffer ends inside it, more
 * is read (the buffer grows to at most EVENT_MAX) and the event is read
 * again from its start. Everything is validated as strictly as jansson does
 * (UTF-8, escapes, surrogates, no \u0000, no trailing garbage); the only
 * leniencies are the format's own: the array form may end without its ']'
 * and with a comma after its last event.
 *
 * Converting values. Each event keeps one record: a slice (X, B), an end
 * (E) or a flow event, its names, categories and idents interned into one
 * string table, its times converted from microseconds exactly. What the
 * records become is chrome_nest.c's part.
 */
#define _GNU_SOURCE
#include "chrome_impl.h"

#include "grow.h"
#include "hash.h"
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EVENT_MAX ((size_t)64 << 20)  /* one event object, or one top-level token */
#define STRING_MAX ((size_t)64 << 10) /* a kept string: name, category, ident, pid/tid, flow id */
#define DEPTH_MAX 512                 /* nesting of arrays and objects in a value */
#define META_MAX 4096                 /* a top-level value kept in dumps.extra "meta" */

/* ---- errors: "file:line: [event N: ]reason (column C)" */

static int verr(chrome *ch, long line, uint64_t col, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static int verr(chrome *ch, long line, uint64_t col, const char *fmt, va_list ap)
{
    char event[48] = "";
    if (ch->event)
        snprintf(event, sizeof event, "event %lld: ", (long long)ch->event);
    return wcp_errpos_vprint(ch->r->err, sizeof ch->r->err, ch->r->path, line, col, event, fmt, ap);
}

int wcp_chrome_err(chrome *ch, long line, uint64_t col, const char *fmt, ...)
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

/* The tokenizer's failure (ch->jerr) as the reader's. */
static int json_err(chrome *ch)
{
    return cerr(ch, ch->jerr.line, ch->jerr.column, "%s", ch->jerr.text);
}

/* ---- reading the file */

/* Reads more of the file into r->buf (source.h). Returns 1 when bytes were
 * added, 0 at the end of the file, -1 on an error (r->err set). */
static int fill(chrome *ch)
{
    int k = wcp_reader_fill(ch->r, EVENT_MAX);
    if (k == WCP_FILL_FULL)
        return cerr(ch, ch->line, 0, "a single event or value is larger than %zu MiB",
                    EVENT_MAX >> 20);
    if (k == WCP_FILL_NOMEM)
        return oom(ch);
    if (k == WCP_FILL_ERROR)
        return cerr(ch, ch->line, 0, "read error: %s", strerror(errno));
    return k;
}

/* A tokenizer's cursor at r->pos, at the start of a value. */
static void cursor(chrome *ch, wcp_json *j)
{
    wcp_reader *r = ch->r;
    j->p = r->buf + r->pos;
    j->end = r->buf + r->len;
    j->last = false;
    j->flags = 0;
    j->max_depth = DEPTH_MAX;
    j->err = &ch->jerr;
    j->buf = r->buf;
    j->base = r->base;
    j->line = ch->line;
    j->line_off = ch->line_off;
    wcp_json_reset(j);
}

/* What the cursor read is read: r->pos moves to it. */
static void commit(chrome *ch, const wcp_json *j)
{
    ch->r->pos = (size_t)(j->p - ch->r->buf);
    ch->line = j->line;
    ch->line_off = j->line_off;
}

/* Skips blanks at r->pos (reading on) and returns the next byte, -1 at the
 * end of the file, -2 on a read error. */
static int peek(chrome *ch)
{
    wcp_reader *r = ch->r;
    for (;;) {
        wcp_json j;
        cursor(ch, &j);
        int rc = wcp_json_ws(&j);
        commit(ch, &j);
        if (rc == 0)
            return (unsigned char)r->buf[r->pos];
        int k = fill(ch);
        if (k <= 0)
            return k < 0 ? -2 : -1;
    }
}

static uint64_t here_col(const chrome *ch)
{
    return ch->r->base + ch->r->pos - ch->line_off + 1;
}

/* Runs scan on the text at r->pos, reading more while it needs more, then
 * r->pos is after what it scanned. A scan returns 0, WCP_JSON_MORE, or -1
 * (ch->jerr set); what it wants it starts over each time. */
typedef int (*scan_fn)(wcp_json *j, void *arg);

static int scan_here(chrome *ch, scan_fn scan, void *arg, const char *what)
{
    for (;;) {
        wcp_json j;
        cursor(ch, &j);
        int rc = scan(&j, arg);
        if (rc == 0) {
            commit(ch, &j);
            return 0;
        }
        if (rc < 0)
            return json_err(ch);
        int k = fill(ch);
        if (k < 0)
            return -1;
        if (k == 0)
            return cerr(ch, ch->line, here_col(ch), "the file ends inside %s (truncated?)", what);
    }
}

/* ---- one event object */

enum {
    F_PH,
    F_TS,
    F_DUR,
    F_PID,
    F_TID,
    F_NAME,
    F_CAT,
    F_ID,
    F_BP,
    F_BIND,
    F_FIN,
    F_FOUT,
    F_LOCAL,
    F_GLOBAL,
    F_ANAME,
    F_DETAIL,
    F_COUNT,
    F_AVGMS,
    F_N,
    F_ARGS = 100,
    F_ID2
};

/* The slot of a key of an event (sub: 0 the event, F_ARGS in args, F_ID2 in id2); -1 others. */
static int key_slot(int sub, const char *k, size_t n)
{
#define IS(lit) (n == sizeof lit - 1 && memcmp(k, lit, sizeof lit - 1) == 0)
    if (n == 0)
        return -1;
    if (sub == F_ID2)
        return IS("local") ? F_LOCAL : IS("global") ? F_GLOBAL : -1;
    if (sub == F_ARGS)
        return IS("name")     ? F_ANAME
               : IS("detail") ? F_DETAIL
               : IS("count")  ? F_COUNT
               : IS("avg ms") ? F_AVGMS
                              : -1;
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

/* The members of the object just opened: the values of known keys go to
 * slots (the last of a repeated key wins), args and id2 are looked into. */
static int read_members(wcp_json *j, int sub, wcp_json_tok *slots)
{
    wcp_json_tok k, v;
    int rc;
    while (!(rc = wcp_json_member(j, &k, &v)) && k.type == WCP_JSON_KEY) {
        int s = -1;
        if (!k.esc)
            s = key_slot(sub, k.p, k.n);
        else if (k.n <= 64) {
            char d[64];
            s = key_slot(sub, d, wcp_json_decode(k.p, k.n, d));
        }
        if ((s == F_ARGS || s == F_ID2) && v.type == WCP_JSON_OBJECT)
            rc = read_members(j, s, slots);
        else if (v.type == WCP_JSON_OBJECT || v.type == WCP_JSON_ARRAY)
            rc = wcp_json_skip(j, &v);
        if (rc)
            return rc;
        if (s >= 0 && s < F_N)
            slots[s] = v;
    }
    return rc; /* 0: k is the object's end */
}

/* The event object at j->p ('{'), its values into slots (arg). */
static int scan_event(wcp_json *j, void *arg)
{
    wcp_json_tok *slots = arg, open;
    memset(slots, 0, sizeof(wcp_json_tok) * F_N);
    int rc = wcp_json_next(j, &open);
    return rc ? rc : read_members(j, 0, slots);
}

/* ---- converting one event's values */

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* The decoded bytes of string value v (valid until the next call). */
static int str_of(chrome *ch, const wcp_json_tok *v, const char **s, size_t *n)
{
    *s = v->p;
    *n = v->n;
    if (!v->esc)
        return 0;
    /* (*s and *n set on every path: gcc -O3 inlining this into its callers
     * warned them "maybe uninitialized" after an out of memory) */
    if (!wcp_grow((void **)&ch->scratch, &ch->scap, v->n + 1, 1))
        return oom(ch);
    *n = wcp_json_decode(v->p, v->n, ch->scratch);
    *s = ch->scratch;
    return 0;
}

/* A kept string: absent -> 0 (""), a string -> its index, else an error. */
static int intern_val(chrome *ch, const wcp_json_tok *v, const char *key, uint32_t *out)
{
    *out = 0;
    if (v->type == WCP_JSON_NONE)
        return 0;
    if (v->type != WCP_JSON_STRING)
        return cerr(ch, v->line, v->col, "\"%s\": expected a string, got %s", key,
                    wcp_json_type_name(v->type));
    const char *s;
    size_t n;
    if (str_of(ch, v, &s, &n) < 0)
        return -1;
    if (n > STRING_MAX)
        return cerr(ch, v->line, v->col,
                    "\"%s\": a string of %zu bytes (at most %zu KiB are accepted)", key, n,
                    STRING_MAX >> 10);
    return wcp_strtab_intern(&ch->st, s, n, out) < 0 ? oom(ch) : 0;
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
    int scale = exp10 + 3; /* microseconds -> nanoseconds */
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

static int time_val(chrome *ch, const wcp_json_tok *v, const char *key, int64_t *out)
{
    if (v->type == WCP_JSON_NONE)
        return cerr(ch, ch->line, ch->event_col, "missing \"%s\"", key);
    if (v->type != WCP_JSON_NUMBER)
        return cerr(ch, v->line, v->col, "\"%s\": expected a number (microseconds), got %s", key,
                    wcp_json_type_name(v->type));
    if (us_to_ns(v->p, v->n, out) < 0)
        return cerr(ch, v->line, v->col, "\"%s\": %.*s is out of range", key,
                    (int)(v->n > 40 ? 40 : v->n), v->p);
    return 0;
}

/* A pid or tid: an integer or a string (interned; *is_str set). */
static int id_val(chrome *ch, const wcp_json_tok *v, const char *key, int64_t *out, bool *is_str)
{
    *is_str = false;
    if (v->type == WCP_JSON_STRING) {
        uint32_t k;
        if (intern_val(ch, v, key, &k) < 0)
            return -1;
        *out = k;
        *is_str = true;
        return 0;
    }
    if (v->type == WCP_JSON_NUMBER) {
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
                v->type == WCP_JSON_NUMBER ? "a number that is not a 64-bit integer"
                                           : wcp_json_type_name(v->type));
}

static uint64_t thread_hash(int64_t pid, bool ps, int64_t tid, bool ts)
{
    return wcp_mix64((uint64_t)pid * 0x9e3779b97f4a7c15ull ^ (uint64_t)tid ^ ((uint64_t)ps << 62) ^
                     ((uint64_t)ts << 63));
}

static uint64_t thread_hash_of(const void *ctx, size_t k)
{
    const thread *t = (const thread *)ctx + k;
    return thread_hash(t->pid, t->pid_str, t->tid, t->tid_str);
}

/* The thread of an event's pid and tid (tid defaults to the pid, pid to 0). */
static int thread_of(chrome *ch, const wcp_json_tok *slots, uint32_t *out)
{
    int64_t pid = 0, tid;
    bool ps = false, ts;
    if (slots[F_PID].type != WCP_JSON_NONE && id_val(ch, &slots[F_PID], "pid", &pid, &ps) < 0)
        return -1;
    tid = pid;
    ts = ps;
    if (slots[F_TID].type != WCP_JSON_NONE && id_val(ch, &slots[F_TID], "tid", &tid, &ts) < 0)
        return -1;
    if ((ch->nth + 1) * 2 > ch->thscap) {
        size_t cap = ch->thscap ? ch->thscap * 2 : 64;
        uint32_t *ns = wcp_hash_slots(cap, 0, ch->nth, thread_hash_of, ch->th);
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
    if (!wcp_grow((void **)&ch->th, &ch->thcap, ch->nth + 1, sizeof *ch->th))
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
    if (!wcp_grow((void **)&ch->ign, &ch->igncap, ch->nign + 1, sizeof *ch->ign))
        return oom(ch);
    phase_count *pc = &ch->ign[ch->nign++];
    memcpy(pc->ph, ph, n);
    pc->ph[n] = 0;
    pc->n = 1;
    return 0;
}

/* Interns a flow identity: tag, then each part's type and bytes, NUL after
 * each (strings hold no NUL, so two identities never run together). */
static int intern_flow_key(chrome *ch, char tag, const wcp_json_tok *const *parts, int n,
                           uint32_t *key)
{
    size_t need = 1;
    for (int k = 0; k < n; k++)
        need += parts[k]->n + 2;
    char *b = malloc(need), *o = b;
    if (!b)
        return oom(ch);
    *o++ = tag;
    for (int k = 0; k < n; k++) {
        const wcp_json_tok *v = parts[k];
        *o++ = (char)('0' + v->type);
        if (v->type == WCP_JSON_STRING && v->esc)
            o += wcp_json_decode(v->p, v->n, o);
        else if (v->type == WCP_JSON_STRING || v->type == WCP_JSON_NUMBER) {
            memcpy(o, v->p, v->n);
            o += v->n;
        }
        *o++ = 0;
    }
    int rc = wcp_strtab_intern(&ch->fkeys, b, (size_t)(o - b), key);
    free(b);
    return rc < 0 ? oom(ch) : 0;
}

/* The identity of a v1 flow event: (category, name, id or id2), or 0 when it has none. */
static int flow_key(chrome *ch, const wcp_json_tok *slots, uint32_t *key)
{
    const wcp_json_tok *id = &slots[F_ID];
    char tag = 'i';
    if (id->type == WCP_JSON_NONE) {
        id = slots[F_GLOBAL].type != WCP_JSON_NONE ? &slots[F_GLOBAL] : &slots[F_LOCAL];
        tag = id == &slots[F_GLOBAL] ? 'g' : 'l';
    }
    *key = 0;
    if (id->type != WCP_JSON_STRING && id->type != WCP_JSON_NUMBER)
        return 0;
    const wcp_json_tok *parts[3] = {&slots[F_CAT], &slots[F_NAME], id};
    return intern_flow_key(ch, tag, parts, 3, key);
}

static int add_flow(chrome *ch, const flow *f)
{
    if (!wcp_grow((void **)&ch->fl, &ch->flcap, ch->nfl + 1, sizeof *ch->fl))
        return oom(ch);
    ch->fl[ch->nfl++] = *f;
    ch->flow_events++;
    return 0;
}

/* A slice's v2 flows (bind_id with flow_in / flow_out). */
static int slice_flows(chrome *ch, const wcp_json_tok *slots, int32_t s)
{
    const wcp_json_tok *b = &slots[F_BIND];
    bool in = slots[F_FIN].type == WCP_JSON_TRUE, out = slots[F_FOUT].type == WCP_JSON_TRUE;
    if ((b->type != WCP_JSON_STRING && b->type != WCP_JSON_NUMBER) || (!in && !out))
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
static bool clang_total(const wcp_json_tok *slots)
{
    const wcp_json_tok *nm = &slots[F_NAME];
    return nm->type == WCP_JSON_STRING && nm->n > 6 && memcmp(nm->p, "Total ", 6) == 0 &&
           slots[F_COUNT].type == WCP_JSON_NUMBER && slots[F_AVGMS].type == WCP_JSON_NUMBER;
}

static int add_slice(chrome *ch, const wcp_json_tok *slots, uint32_t thread, int64_t start,
                     int64_t end, uint32_t flags)
{
    if (ch->nsl >= INT32_MAX - 1)
        return cerr(ch, ch->line, 0, "more than %d slices", INT32_MAX - 1);
    slice s = {.start = start,
               .end = end,
               .thread = thread,
               .seq = (uint32_t)(ch->event - 1),
               .parent = -1,
               .flags = flags};
    if (intern_val(ch, &slots[F_NAME], "name", &s.name) < 0 ||
        intern_val(ch, &slots[F_CAT], "cat", &s.cat) < 0)
        return -1;
    bool detail = slots[F_DETAIL].type == WCP_JSON_STRING;
    const wcp_json_tok *id = detail ? &slots[F_DETAIL] : &slots[F_ANAME];
    if (id->type == WCP_JSON_STRING &&
        intern_val(ch, id, detail ? "args.detail" : "args.name", &s.ident) < 0)
        return -1;
    if (!wcp_grow((void **)&ch->sl, &ch->slcap, ch->nsl + 1, sizeof *ch->sl))
        return oom(ch);
    wcp_prefault_ahead(ch->sl, ch->nsl, ch->slcap, sizeof *ch->sl); /* as OTLP's spans (otlp.c) */
    ch->sl[ch->nsl++] = s;
    return slice_flows(ch, slots, (int32_t)ch->nsl - 1);
}

static int set_name(chrome *ch, const wcp_json_tok *slots, bool of_process)
{
    uint32_t name;
    if (slots[F_ANAME].type != WCP_JSON_STRING)
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
    if (slots[F_PID].type != WCP_JSON_NONE && id_val(ch, &slots[F_PID], "pid", &pid, &ps) < 0)
        return -1;
    for (size_t k = 0; k < ch->npr; k++)
        if (ch->pr[k].pid == pid && ch->pr[k].pid_str == ps) {
            ch->pr[k].name = name;
            return 0;
        }
    if (!wcp_grow((void **)&ch->pr, &ch->prcap, ch->npr + 1, sizeof *ch->pr))
        return oom(ch);
    ch->pr[ch->npr++] = (process){pid, ps, name};
    return 0;
}

/* One event, its values in slots. */
static int take_event(chrome *ch, const wcp_json_tok *slots)
{
    const wcp_json_tok *phv = &slots[F_PH];
    if (phv->type == WCP_JSON_NONE)
        return cerr(ch, ch->line, ch->event_col, "missing \"ph\" (the event's phase)");
    if (phv->type != WCP_JSON_STRING)
        return cerr(ch, phv->line, phv->col, "\"ph\": expected a string, got %s",
                    wcp_json_type_name(phv->type));
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
    } else if (slots[F_TS].type == WCP_JSON_NUMBER && p != 'M' &&
               us_to_ns(slots[F_TS].p, slots[F_TS].n, &ts) == 0)
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
            return cerr(ch, slots[F_DUR].line, slots[F_DUR].col,
                        "\"ts\" + \"dur\" is out of range");
        see_time(ch, ts + dur);
        return add_slice(ch, slots, t, ts, ts + dur, flags);
    }
    case 'B': return add_slice(ch, slots, t, ts, ts, SL_B);
    case 'E':
        if (!wcp_grow((void **)&ch->ends, &ch->endcap, ch->nends + 1, sizeof *ch->ends))
            return oom(ch);
        ch->ends[ch->nends++] = (bend){ts, t, (uint32_t)(ch->event - 1)};
        return 0;
    case 's':
    case 't':
    case 'f': {
        flow f = {
            .ts = ts, .seq = (uint32_t)(ch->event - 1), .thread = t, .slice = -1, .ph = (uint8_t)p};
        if (p == 'f') {
            const wcp_json_tok *bp = &slots[F_BP];
            f.next = !(bp->type == WCP_JSON_STRING && bp->n == 1 && bp->p[0] == 'e');
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
        const wcp_json_tok *nm = &slots[F_NAME];
        bool th =
            nm->type == WCP_JSON_STRING && nm->n == 11 && memcmp(nm->p, "thread_name", 11) == 0;
        bool pr =
            nm->type == WCP_JSON_STRING && nm->n == 12 && memcmp(nm->p, "process_name", 12) == 0;
        if (th || pr)
            return set_name(ch, slots, pr);
        return count_ignored(ch, "M", 1);
    }
    default: return count_ignored(ch, phn ? ph : "\"\"", phn ? phn : 2);
    }
}

/* ---- the top level */

static int scan_key(wcp_json *j, void *arg)
{
    return wcp_json_key(j, arg);
}

/* The value of a top-level key other than traceEvents, streamed through
 * token by token (strings in parts), validated, never held: when its text
 * without blanks is at most META_MAX bytes it is kept in meta[key]. */
static int skip_top_value(chrome *ch, const char *key)
{
    wcp_reader *r = ch->r;
    char *keep = NULL;
    size_t klen = 0, kcap = 0;
    bool keeping = true, sep = false, in_str = false;
#define KEEP(p, n)                                                                                 \
    do {                                                                                           \
        if (keeping && klen + (n) <= META_MAX && wcp_grow((void **)&keep, &kcap, klen + (n), 1)) { \
            memcpy(keep + klen, (p), (n));                                                         \
            klen += (n);                                                                           \
        } else                                                                                     \
            keeping = false;                                                                       \
    } while (0)
    wcp_json j;
    cursor(ch, &j);
    j.flags = WCP_JSON_PARTS;
    int rc = -1;
    for (;;) {
        wcp_json_tok t;
        int s = wcp_json_next(&j, &t);
        if (s < 0) {
            json_err(ch);
            goto out;
        }
        if (s > 0) { /* read on, and go on where the cursor is */
            commit(ch, &j);
            int k = fill(ch);
            if (k < 0)
                goto out;
            if (k == 0) {
                int at = wcp_json_stopped(&j);
                if (at == WCP_JSON_IN_STRING)
                    cerr(ch, ch->line, 0,
                         "the file ends inside a string in the value of \"%s\" (truncated?)", key);
                else if (at == WCP_JSON_AT_COLON)
                    cerr(ch, ch->line, here_col(ch), "expected ':' after a key");
                else if (at == WCP_JSON_IN_TOKEN)
                    cerr(ch, ch->line, here_col(ch), "the file ends inside a value (truncated?)");
                else
                    cerr(ch, ch->line, 0, "the file ends inside the value of \"%s\" (truncated?)",
                         key);
                goto out;
            }
            wcp_json_text(&j, r->buf, r->pos, r->len, r->base);
            continue;
        }
        switch (t.type) {
        case WCP_JSON_NONE: /* the value is complete */ commit(ch, &j); goto done;
        case WCP_JSON_OBJECT:
        case WCP_JSON_ARRAY:
            if (sep)
                KEEP(",", 1);
            KEEP(t.p, 1);
            sep = false;
            break;
        case WCP_JSON_END:
            KEEP(t.p, 1);
            sep = true;
            break;
        case WCP_JSON_KEY:
        case WCP_JSON_STRING:
            if (!in_str) {
                if (sep)
                    KEEP(",", 1);
                KEEP("\"", 1);
            }
            KEEP(t.p, t.n);
            in_str = t.part;
            if (!t.part) {
                KEEP("\"", 1);
                if (t.type == WCP_JSON_KEY)
                    KEEP(":", 1);
                sep = t.type == WCP_JSON_STRING;
            }
            break;
        default:
            if (sep)
                KEEP(",", 1);
            KEEP(t.p, t.n);
            sep = true;
        }
    }
#undef KEEP
done:
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
    wcp_json_tok slots[F_N];
    bool after_event = false, after_comma = false;
    for (;;) {
        int c = peek(ch);
        if (c == -2)
            return -1;
        if (c == -1) {
            if (top)
                return 0; /* the format allows the array to be left open */
            return cerr(ch, ch->line, 0,
                        "the file ends inside the \"traceEvents\" array (truncated?)");
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
        if (scan_here(ch, scan_event, slots, "an event") < 0)
            return -1;
        long end_line = ch->line;
        ch->line = line; /* errors name the line where the event starts */
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
        r->pos += 3; /* a UTF-8 byte order mark */
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
                return c == -2 ? -1
                               : cerr(ch, ch->line, 0,
                                      "the file ends inside the top-level object (truncated?)");
            wcp_json_tok k;
            if (c != '"')
                return cerr(ch, ch->line, here_col(ch), "expected a key (a string)");
            if (scan_here(ch, scan_key, &k, "a key") < 0)
                return -1;
            const char *ks;
            size_t kn;
            if (str_of(ch, &k, &ks, &kn) < 0)
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

/* ---- the reader's calls (source.h): reading, then chrome_nest.c hands out */

static int src_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    chrome *ch = r->src_state;
    if (read_trace(ch) < 0)
        return -1;
    ch->hash = wcp_hasher_end(&r->hash);
    int64_t epoch = -(int64_t)(ch->hash >> 2) - 1; /* negative: never a recorder's epoch */
    if (wcp_chrome_convert(ch) < 0)
        return -1;
    int64_t now = ch->nsl ? ch->last_ts - ch->origin : 0;
    r->hdr = (wcp_header){.schema_version = 0,
                          .epoch = epoch,
                          .dumped = epoch + now,
                          .dropped = 0,
                          .event_count = ch->events,
                          .n_strings = ch->st.n};
    r->hdr.extra = (wcp_str){ch->extra, strlen(ch->extra)};
    r->line = 0;
    for (size_t k = 0; k < ch->st.n; k++) {
        size_t n;
        const char *s = wcp_strtab_get(&ch->st, (uint32_t)k, &n);
        int rc = on_string(ctx, k, s, n);
        if (rc)
            return rc;
    }
    return 0;
}

static void src_close(wcp_reader *r)
{
    chrome *ch = r->src_state;
    if (!ch)
        return;
    wcp_chrome_release(ch);
    free(ch->pr);
    free(ch->ign);
    free(ch->extra);
    json_decref(ch->meta);
    json_decref(ch->meta_skipped);
    free(ch);
    r->src_state = NULL;
}

static const wcp_source chrome_source = {src_header, wcp_chrome_open_ops, wcp_chrome_next,
                                         src_close, NULL};

/* ---- the Chrome trace's row in the table of formats (source.c) */

static int open_chrome(wcp_reader *r)
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
    wcp_hasher_add(&r->hash, r->buf, r->len); /* what telling the formats apart read */
    r->bytes = r->len;
    uint32_t zero;
    if (!ch->meta || !ch->meta_skipped || wcp_strtab_intern(&ch->st, "", 0, &zero) < 0 ||
        wcp_strtab_intern(&ch->fkeys, "", 0, &zero) < 0) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    return 0;
}

/* '[' is a Chrome trace; '{' may be one (the object form, its keys in any
 * order), after a UTF-8 byte order mark and blanks. */
static int sniff(const char *p, size_t n, bool eof)
{
    long i = wcp_sniff_skip(p, n);
    if (i < 0)
        return eof ? WCP_SNIFF_NO : WCP_SNIFF_MORE;
    return p[i] == '[' ? WCP_SNIFF_YES : p[i] == '{' ? WCP_SNIFF_MAYBE : WCP_SNIFF_NO;
}

const wcp_format wcp_format_chrome = {
    .name = "chrome",
    .detect =
        "a file that starts with '[', or with '{' and a first key that is not a wcprof header key, "
        "as a Chrome trace (one run each)",
    .sniff = sniff,
    .open = open_chrome,
    .notes = wcp_chrome_notes,
};
