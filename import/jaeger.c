/* jaeger.c - Jaeger's JSON (the query API's and the UI's export) read into
 * span records (otel_impl.h), which otel.c converts. See import/README.md
 * "OpenTelemetry and Jaeger".
 *
 * {"data": [{"traceID", "spans": [...], "processes": {...}}, ...], ...}:
 * each span has traceID, spanID, operationName, references (CHILD_OF: the
 * parent; FOLLOWS_FROM: a link), startTime and duration in microseconds,
 * tags as typed key/values ({"key", "type", "value"}), and a processID
 * whose serviceName is the client. The wcprof.* tags read as OTLP's
 * attributes do; Jaeger keeps no link attributes, so it carries no wait
 * edges (the notes say so).
 */
#define _GNU_SOURCE
#include "otel_impl.h"

#include "grow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pmap {
    uint32_t pid, service; /* string indexes: a processID and its serviceName */
    uint32_t k;            /* read order: the last of a processID wins */
} pmap;

typedef struct jaeger {
    otel o; /* first: r->src_state is both */
    uint32_t s_follows;
    uint32_t *proc; /* per span of the trace being read: its processID (string index) */
    size_t pcap;
    pmap *pm; /* the trace's processes, read as they come (before or after its spans) */
    size_t npm, pmcap;
} jaeger;

enum {
    T_KIND,
    T_WORK,
    T_PARENT,
    T_ARGV,
    T_ENGINE,
    T_COUNT,
    T_IDENT,
    T_DIGEST,
    T_SPANKIND,
    T_ERROR,
    T_N
};
static const char *const tag_names[T_N] = {"wcprof.op.kind",     "wcprof.work_type",
                                           "wcprof.parent",      "wcprof.exec.argv",
                                           "wcprof.engine_span", "wcprof.session_span_count",
                                           "wcprof.ident",       "dagger.io/dag.digest",
                                           "span.kind",          "error"};

/* A Jaeger id: 1 to 16 (span) or 32 (trace) hex digits, any case. */
static int jid(jaeger *x, const wcp_json_tok *v, const char *key, int digits, uint64_t *hi,
               uint64_t *lo)
{
    if (wcp_otel_want(&x->o, v, WCP_JSON_STRING, key, "a hex id (a string)") < 0)
        return -1;
    *hi = *lo = 0;
    bool ok = !v->esc && v->n >= 1 && v->n <= (size_t)digits;
    for (size_t k = 0; ok && k < v->n; k++) {
        int h = wcp_otel_hexval(v->p[k]);
        if (h < 0)
            ok = false;
        else {
            *hi = *hi << 4 | *lo >> 60;
            *lo = *lo << 4 | (uint64_t)h;
        }
    }
    if (!ok)
        return wcp_otel_err(&x->o, v->line, v->col,
                            "\"%s\": not an id of 1 to %d hex digits: \"%.*s\"", key, digits,
                            (int)(v->n > 48 ? 48 : v->n), v->p);
    return 0;
}

/* A tag's value when it is a string (type "string"). */
static int tag_string(jaeger *x, const wcp_json_tok *type, const wcp_json_tok *v, const char *name,
                      uint32_t *out)
{
    if (!wcp_otel_is_key(type, "string") || v->type != WCP_JSON_STRING)
        return wcp_otel_err(&x->o, v->line, v->col, "tag \"%s\": expected a string", name);
    return wcp_otel_intern_tok(&x->o, v, name, out);
}

/* One object of "references" (s has read its '{'): its type, trace and span id. */
static int read_ref(jaeger *x, wcp_json *s, otel_span **spp, size_t spi, bool *has_parent)
{
    otel *o = &x->o;
    wcp_json_tok rk, rv, type = {0};
    uint64_t th = 0, tl = 0, id = 0, hi;
    int more;
    while ((more = wcp_otel_next_member(o, s, &rk, &rv)) > 0) {
        if (wcp_otel_skip(o, s, &rv) < 0)
            return -1;
        if (wcp_otel_is_key(&rk, "refType"))
            type = rv;
        else if (wcp_otel_is_key(&rk, "traceID")) {
            if (jid(x, &rv, "traceID", 32, &th, &tl) < 0)
                return -1;
        } else if (wcp_otel_is_key(&rk, "spanID")) {
            if (jid(x, &rv, "spanID", 16, &hi, &id) < 0)
                return -1;
        }
    }
    if (more < 0)
        return -1;
    otel_span *sp = *spp;
    if (wcp_otel_is_key(&type, "CHILD_OF")) {
        if (!*has_parent && !(sp->flags & SP_WPARENT))
            sp->parent = id;
        *has_parent = true;
    } else if (wcp_otel_is_key(&type, "FOLLOWS_FROM")) {
        if (!wcp_grow((void **)&o->lk, &o->lkcap, o->nlk + 1, sizeof *o->lk))
            return wcp_otel_oom(o);
        *spp = &o->sp[spi];
        otel_link *l = &o->lk[o->nlk++];
        memset(l, 0, sizeof *l);
        if (wcp_otel_trace(o, th, tl, &l->trace) < 0)
            return -1;
        l->id = id;
        l->purpose = x->s_follows;
    } else
        return wcp_otel_err(o, type.line, type.col,
                            "\"refType\": expected \"CHILD_OF\" or \"FOLLOWS_FROM\"");
    return 0;
}

/* One object of "tags" (s has read its '{'): the tags read into the span. */
static int read_tag(jaeger *x, wcp_json *s, otel_span *sp)
{
    otel *o = &x->o;
    wcp_json_tok tk, tv, key = {0}, type = {0}, val = {0};
    uint64_t hi;
    int more;
    while ((more = wcp_otel_next_member(o, s, &tk, &tv)) > 0) {
        if (wcp_otel_skip(o, s, &tv) < 0)
            return -1;
        if (wcp_otel_is_key(&tk, "key"))
            key = tv;
        else if (wcp_otel_is_key(&tk, "type"))
            type = tv;
        else if (wcp_otel_is_key(&tk, "value"))
            val = tv;
    }
    if (more < 0)
        return -1;
    int m = -1;
    for (int q = 0; q < T_N; q++)
        if (wcp_otel_is_key(&key, tag_names[q]))
            m = q;
    const char *nm = m >= 0 ? tag_names[m] : "";
    switch (m) {
    case T_KIND: return tag_string(x, &type, &val, nm, &sp->kind);
    case T_WORK: return tag_string(x, &type, &val, nm, &sp->work);
    case T_IDENT:
    case T_DIGEST: {
        uint32_t id;
        if (tag_string(x, &type, &val, nm, &id) < 0)
            return -1;
        if (m == T_IDENT || !sp->ident)
            sp->ident = id;
        return 0;
    }
    case T_ARGV: return tag_string(x, &type, &val, nm, &sp->meta);
    case T_PARENT:
        if (!wcp_otel_is_key(&type, "string"))
            return wcp_otel_err(o, val.line, val.col,
                                "tag \"%s\": expected a string (a span id in hex)", nm);
        if (jid(x, &val, nm, 16, &hi, &sp->parent) < 0)
            return -1;
        sp->flags |= SP_WPARENT;
        return 0;
    case T_SPANKIND: {
        static const char *const kinds[6] = {"",       "internal", "server",
                                             "client", "producer", "consumer"};
        for (int q = 1; q < 6; q++)
            if (wcp_otel_is_key(&val, kinds[q]) && sp->kind == x->o.kind_str[0])
                sp->kind = x->o.kind_str[q];
        return 0;
    }
    case T_ERROR:
        if (val.type == WCP_JSON_TRUE)
            sp->flags |= SP_ERROR;
        return 0;
    case T_ENGINE:
        if (!wcp_otel_is_key(&type, "bool") ||
            (val.type != WCP_JSON_TRUE && val.type != WCP_JSON_FALSE))
            return wcp_otel_err(o, val.line, val.col, "tag \"%s\": expected a bool", nm);
        if (val.type == WCP_JSON_TRUE)
            sp->flags |= SP_ENGINE;
        return 0;
    case T_COUNT:
        if (!wcp_otel_is_key(&type, "int64"))
            return wcp_otel_err(o, val.line, val.col, "tag \"%s\": expected an int64", nm);
        if (wcp_otel_uint(o, &val, nm, INT64_MAX, &sp->session_count) < 0)
            return -1;
        sp->flags |= SP_SESSION;
        return 0;
    default: return 0;
    }
}

/* One span of "spans": v its first token ('{', read by s, for an object). */
static int read_span(jaeger *x, wcp_json *s, const wcp_json_tok *v, size_t first)
{
    otel *o = &x->o;
    if (wcp_otel_want(o, v, WCP_JSON_OBJECT, "spans", "an array of span objects") < 0)
        return -1;
    if (!wcp_grow((void **)&o->sp, &o->spcap, o->nsp + 1, sizeof *o->sp) ||
        !wcp_grow((void **)&x->proc, &x->pcap, o->nsp - first + 1, sizeof *x->proc))
        return wcp_otel_oom(o);
    wcp_prefault_ahead(o->sp, o->nsp, o->spcap, sizeof *o->sp); /* as OTLP's (otlp.c) */
    size_t spi = o->nsp;
    otel_span *sp = &o->sp[spi];
    memset(sp, 0, sizeof *sp);
    sp->line = v->line;
    sp->link0 = (uint32_t)o->nlk;
    sp->kind = x->o.kind_str[0];
    sp->work = x->o.engine_str;
    x->proc[spi - first] = 0;
    wcp_json_tok k, t, item;
    int64_t start = -1, dur = 0;
    bool has_parent = false;
    uint64_t hi;
    int more, m;
    while ((more = wcp_otel_next_member(o, s, &k, &t)) > 0) {
        bool refs = wcp_otel_is_key(&k, "references"), tags = wcp_otel_is_key(&k, "tags");
        if (!((refs || tags) && t.type == WCP_JSON_ARRAY) && wcp_otel_skip(o, s, &t) < 0)
            return -1;
        if (wcp_otel_is_key(&k, "traceID")) {
            uint64_t th, tl;
            if (jid(x, &t, "traceID", 32, &th, &tl) < 0 ||
                wcp_otel_trace(o, th, tl, &sp->trace) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "spanID")) {
            if (jid(x, &t, "spanID", 16, &hi, &sp->id) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "operationName")) {
            if (wcp_otel_intern_tok(o, &t, "operationName", &sp->name) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "startTime")) {
            if (wcp_otel_uint(o, &t, "startTime", OTEL_TS_MAX / 1000, &start) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "duration")) {
            if (wcp_otel_uint(o, &t, "duration", OTEL_TS_MAX / 1000, &dur) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "processID")) {
            if (wcp_otel_intern_tok(o, &t, "processID", &x->proc[spi - first]) < 0)
                return -1;
        } else if (refs) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "references", "an array") < 0)
                return -1;
            while ((m = wcp_otel_next_elem(o, s, &item)) > 0) {
                if (wcp_otel_want(o, &item, WCP_JSON_OBJECT, "references", "an array of objects") <
                        0 ||
                    read_ref(x, s, &sp, spi, &has_parent) < 0)
                    return -1;
            }
            if (m < 0)
                return -1;
        } else if (tags) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "tags", "an array") < 0)
                return -1;
            while ((m = wcp_otel_next_elem(o, s, &item)) > 0) {
                if (wcp_otel_want(o, &item, WCP_JSON_OBJECT, "tags", "an array of objects") < 0 ||
                    read_tag(x, s, sp) < 0)
                    return -1;
            }
            if (m < 0)
                return -1;
        }
    }
    if (more < 0)
        return -1;
    if (start < 0)
        return wcp_otel_err(o, v->line, v->col, "a span without \"startTime\"");
    sp->start = start * 1000;
    sp->end = sp->start + dur * 1000;
    if (sp->end >= OTEL_TS_MAX)
        return wcp_otel_err(o, v->line, v->col, "\"startTime\" + \"duration\" is out of range");
    sp->flags |= SP_ENDED;
    sp->nlinks = (uint32_t)(o->nlk - sp->link0);
    o->nsp++;
    return 0;
}

/* The members of "processes" (s over the whole object, procs its first
 * token): each process's serviceName, kept in x->pm. */
static int read_processes(jaeger *x, wcp_json *s, const wcp_json_tok *procs)
{
    otel *o = &x->o;
    if (wcp_otel_want(o, procs, WCP_JSON_OBJECT, "processes", "an object") < 0)
        return -1;
    wcp_json_tok pk, pv, sk, sv;
    int more, m;
    while ((more = wcp_otel_next_member(o, s, &pk, &pv)) > 0) {
        if (pv.type != WCP_JSON_OBJECT) {
            if (wcp_otel_skip(o, s, &pv) < 0)
                return -1;
            continue;
        }
        uint32_t pid, service = 0;
        const char *p;
        size_t n;
        if (wcp_otel_str(o, &pk, &p, &n) < 0 || wcp_otel_intern(o, p, n, &pid) < 0)
            return -1;
        while ((m = wcp_otel_next_member(o, s, &sk, &sv)) > 0) {
            if (wcp_otel_skip(o, s, &sv) < 0)
                return -1;
            if (wcp_otel_is_key(&sk, "serviceName") &&
                wcp_otel_intern_tok(o, &sv, "serviceName", &service) < 0)
                return -1;
        }
        if (m < 0)
            return -1;
        if (!wcp_grow((void **)&x->pm, &x->pmcap, x->npm + 1, sizeof *x->pm))
            return wcp_otel_oom(o);
        x->pm[x->npm] = (pmap){pid, service, (uint32_t)x->npm};
        x->npm++;
    }
    return more < 0 ? -1 : 0;
}

static int by_pid_then_order(const void *a, const void *b)
{
    const pmap *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->k < y->k ? -1 : x->k > y->k;
}

/* The trace's spans (from first on) get the serviceName of their process. */
static void apply_processes(jaeger *x, size_t first)
{
    otel *o = &x->o;
    if (x->npm == 0)
        return;
    qsort(x->pm, x->npm, sizeof *x->pm, by_pid_then_order);
    for (size_t q = first; q < o->nsp; q++) {
        size_t lo = 0, hi = x->npm; /* the last entry of the span's processID */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (x->pm[mid].pid <= x->proc[q - first])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo > 0 && x->pm[lo - 1].pid == x->proc[q - first])
            o->sp[q].client = x->pm[lo - 1].service;
    }
    x->npm = 0;
}

/* One trace of "data" (j has read its first token v): its members one at a
 * time, each span of "spans" alone, then its processes' serviceName to its
 * spans. */
static int read_trace(jaeger *x, wcp_json *j, const wcp_json_tok *v)
{
    otel *o = &x->o;
    if (wcp_otel_want(o, v, WCP_JSON_OBJECT, "data", "an array of trace objects") < 0)
        return -1;
    size_t first = o->nsp;
    x->npm = 0;
    wcp_json s;
    wcp_json_tok k, t, span, open;
    for (;;) {
        if (wcp_otel_stream_member(o, j, "spans", &k, &t) < 0)
            return -1;
        if (k.type == WCP_JSON_END)
            break;
        if (wcp_otel_is_key(&k, "processes")) {
            if (wcp_otel_open(o, j, &t, &s, &open) < 0 || read_processes(x, &s, &open) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "spans")) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "spans", "an array") < 0)
                return -1;
            for (;;) {
                if (wcp_otel_stream_elem(o, j, true, &span) < 0)
                    return -1;
                if (span.type == WCP_JSON_END)
                    break;
                if (wcp_otel_open(o, j, &span, &s, &open) < 0 || read_span(x, &s, &open, first) < 0)
                    return -1;
            }
        }
    }
    apply_processes(x, first);
    return 0;
}

/* The file: top-level objects with a "data" array of traces, read one
 * member, trace and span at a time (memory: one span, not the document). */
static int read_file(jaeger *x)
{
    otel *o = &x->o;
    wcp_json j;
    wcp_json_tok k, v, tr;
    bool seen = false;
    int at;
    while ((at = wcp_otel_stream_doc(o, &j, "a Jaeger {\"data\": [...]} object")) > 0) {
        for (;;) {
            if (wcp_otel_stream_member(o, &j, "data", &k, &v) < 0)
                return -1;
            if (k.type == WCP_JSON_END)
                break;
            if (!wcp_otel_is_key(&k, "data"))
                continue;
            if (wcp_otel_want(o, &v, WCP_JSON_ARRAY, "data", "an array") < 0)
                return -1;
            seen = true;
            for (;;) {
                if (wcp_otel_stream_elem(o, &j, false, &tr) < 0)
                    return -1;
                if (tr.type == WCP_JSON_END)
                    break;
                if (read_trace(x, &j, &tr) < 0)
                    return -1;
            }
        }
    }
    if (at < 0)
        return -1;
    if (!seen)
        return wcp_otel_err(o, 1, 1, "not Jaeger JSON: no \"data\" array");
    return 0;
}

static int src_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    jaeger *x = r->src_state;
    if (read_file(x) < 0)
        return -1;
    free(x->proc);
    x->proc = NULL;
    free(x->pm);
    x->pm = NULL;
    x->o.lost_link_attrs = 1; /* Jaeger has no link attributes: no wait links survive it */
    return wcp_otel_finish(&x->o, on_string, ctx);
}

static void src_close(wcp_reader *r)
{
    jaeger *x = r->src_state;
    if (!x)
        return;
    wcp_otel_release(&x->o);
    free(x->proc);
    free(x->pm);
    free(x);
    r->src_state = NULL;
}

static const wcp_source jaeger_source = {src_header, wcp_otel_open_ops, wcp_otel_next, src_close,
                                         wcp_otel_next_run};

static int open_jaeger(wcp_reader *r)
{
    jaeger *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    if (wcp_otel_init(&x->o, r, "jaeger", &jaeger_source) < 0 ||
        wcp_otel_intern(&x->o, "follows_from", 12, &x->s_follows) < 0)
        return -1;
    return 0;
}

/* '{' and a first key "data" (after a byte order mark and blanks). */
static int sniff(const char *p, size_t n, bool eof)
{
    return wcp_sniff_first_key(p, n, eof, "\"data\"");
}

const wcp_format wcp_format_jaeger = {
    .name = "jaeger",
    .detect = "a file that starts with '{' and the key \"data\", as Jaeger's JSON (the query "
              "API's or the UI's export; one run per trace)",
    .sniff = sniff,
    .open = open_jaeger,
    .notes = wcp_otel_notes,
};
