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

typedef struct jaeger {
    otel o; /* first: r->src_state is both */
    uint32_t s_follows;
    uint32_t *proc; /* per span of the trace being read: its processID (string index) */
    size_t pcap;
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

static int read_span(jaeger *x, const wcp_json *j, const wcp_json_tok *v, size_t first)
{
    otel *o = &x->o;
    if (wcp_otel_want(o, v, WCP_JSON_OBJECT, "spans", "an array of span objects") < 0)
        return -1;
    if (!wcp_grow((void **)&o->sp, &o->spcap, o->nsp + 1, sizeof *o->sp) ||
        !wcp_grow((void **)&x->proc, &x->pcap, o->nsp - first + 1, sizeof *x->proc))
        return wcp_otel_oom(o);
    otel_span *sp = &o->sp[o->nsp];
    memset(sp, 0, sizeof *sp);
    sp->line = v->line;
    sp->link0 = (uint32_t)o->nlk;
    sp->kind = x->o.kind_str[0];
    sp->work = x->o.engine_str;
    x->proc[o->nsp - first] = 0;
    wcp_json s;
    wcp_otel_sub(j, v, &s);
    wcp_json_tok open, k, t;
    int64_t start = -1, dur = 0;
    bool has_parent = false;
    uint64_t hi;
    int rc = wcp_json_next(&s, &open);
    while (!rc && !(rc = wcp_json_member(&s, &k, &t)) && k.type == WCP_JSON_KEY) {
        if ((rc = wcp_json_skip(&s, &t)))
            break;
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
            if (wcp_otel_intern_tok(o, &t, "processID", &x->proc[o->nsp - first]) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "references")) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "references", "an array") < 0)
                return -1;
            wcp_json rs;
            wcp_otel_sub(&s, &t, &rs);
            wcp_json_tok a, ref;
            int rrc = wcp_json_next(&rs, &a);
            while (!rrc && !(rrc = wcp_json_next(&rs, &ref)) && ref.type != WCP_JSON_END &&
                   ref.type != WCP_JSON_NONE) {
                if ((rrc = wcp_json_skip(&rs, &ref)))
                    break;
                if (wcp_otel_want(o, &ref, WCP_JSON_OBJECT, "references", "an array of objects") <
                    0)
                    return -1;
                wcp_json r1;
                wcp_otel_sub(&rs, &ref, &r1);
                wcp_json_tok b, rk, rv, type = {0};
                uint64_t th = 0, tl = 0, id = 0;
                int r1c = wcp_json_next(&r1, &b);
                while (!r1c && !(r1c = wcp_json_member(&r1, &rk, &rv)) && rk.type == WCP_JSON_KEY) {
                    if ((r1c = wcp_json_skip(&r1, &rv)))
                        break;
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
                if (r1c)
                    return wcp_otel_json_err(o);
                if (wcp_otel_is_key(&type, "CHILD_OF")) {
                    if (!has_parent && !(sp->flags & SP_WPARENT))
                        sp->parent = id;
                    has_parent = true;
                } else if (wcp_otel_is_key(&type, "FOLLOWS_FROM")) {
                    if (!wcp_grow((void **)&o->lk, &o->lkcap, o->nlk + 1, sizeof *o->lk))
                        return wcp_otel_oom(o);
                    sp = &o->sp[o->nsp];
                    otel_link *l = &o->lk[o->nlk++];
                    memset(l, 0, sizeof *l);
                    if (wcp_otel_trace(o, th, tl, &l->trace) < 0)
                        return -1;
                    l->id = id;
                    l->purpose = x->s_follows;
                } else
                    return wcp_otel_err(o, type.line, type.col,
                                        "\"refType\": expected \"CHILD_OF\" or \"FOLLOWS_FROM\"");
            }
            if (rrc)
                return wcp_otel_json_err(o);
        } else if (wcp_otel_is_key(&k, "tags")) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "tags", "an array") < 0)
                return -1;
            wcp_json ts;
            wcp_otel_sub(&s, &t, &ts);
            wcp_json_tok a, tag;
            int trc = wcp_json_next(&ts, &a);
            while (!trc && !(trc = wcp_json_next(&ts, &tag)) && tag.type != WCP_JSON_END &&
                   tag.type != WCP_JSON_NONE) {
                if ((trc = wcp_json_skip(&ts, &tag)))
                    break;
                if (wcp_otel_want(o, &tag, WCP_JSON_OBJECT, "tags", "an array of objects") < 0)
                    return -1;
                wcp_json t1;
                wcp_otel_sub(&ts, &tag, &t1);
                wcp_json_tok b, tk, tv, key = {0}, type = {0}, val = {0};
                int t1c = wcp_json_next(&t1, &b);
                while (!t1c && !(t1c = wcp_json_member(&t1, &tk, &tv)) && tk.type == WCP_JSON_KEY) {
                    if ((t1c = wcp_json_skip(&t1, &tv)))
                        break;
                    if (wcp_otel_is_key(&tk, "key"))
                        key = tv;
                    else if (wcp_otel_is_key(&tk, "type"))
                        type = tv;
                    else if (wcp_otel_is_key(&tk, "value"))
                        val = tv;
                }
                if (t1c)
                    return wcp_otel_json_err(o);
                int m = -1;
                for (int q = 0; q < T_N; q++)
                    if (wcp_otel_is_key(&key, tag_names[q]))
                        m = q;
                const char *nm = m >= 0 ? tag_names[m] : "";
                switch (m) {
                case T_KIND:
                    if (tag_string(x, &type, &val, nm, &sp->kind) < 0)
                        return -1;
                    break;
                case T_WORK:
                    if (tag_string(x, &type, &val, nm, &sp->work) < 0)
                        return -1;
                    break;
                case T_IDENT:
                case T_DIGEST: {
                    uint32_t id;
                    if (tag_string(x, &type, &val, nm, &id) < 0)
                        return -1;
                    if (m == T_IDENT || !sp->ident)
                        sp->ident = id;
                    break;
                }
                case T_ARGV:
                    if (tag_string(x, &type, &val, nm, &sp->meta) < 0)
                        return -1;
                    break;
                case T_PARENT:
                    if (!wcp_otel_is_key(&type, "string"))
                        return wcp_otel_err(o, val.line, val.col,
                                            "tag \"%s\": expected a string (a span id in hex)", nm);
                    if (jid(x, &val, nm, 16, &hi, &sp->parent) < 0)
                        return -1;
                    sp->flags |= SP_WPARENT;
                    break;
                case T_SPANKIND: {
                    static const char *const kinds[6] = {"",       "internal", "server",
                                                         "client", "producer", "consumer"};
                    for (int q = 1; q < 6; q++)
                        if (wcp_otel_is_key(&val, kinds[q]) && sp->kind == x->o.kind_str[0])
                            sp->kind = x->o.kind_str[q];
                    break;
                }
                case T_ERROR:
                    if (val.type == WCP_JSON_TRUE)
                        sp->flags |= SP_ERROR;
                    break;
                case T_ENGINE:
                    if (!wcp_otel_is_key(&type, "bool") ||
                        (val.type != WCP_JSON_TRUE && val.type != WCP_JSON_FALSE))
                        return wcp_otel_err(o, val.line, val.col, "tag \"%s\": expected a bool",
                                            nm);
                    if (val.type == WCP_JSON_TRUE)
                        sp->flags |= SP_ENGINE;
                    break;
                case T_COUNT:
                    if (!wcp_otel_is_key(&type, "int64"))
                        return wcp_otel_err(o, val.line, val.col, "tag \"%s\": expected an int64",
                                            nm);
                    if (wcp_otel_uint(o, &val, nm, INT64_MAX, &sp->session_count) < 0)
                        return -1;
                    sp->flags |= SP_SESSION;
                    break;
                default: break;
                }
            }
            if (trc)
                return wcp_otel_json_err(o);
        }
    }
    if (rc)
        return wcp_otel_json_err(o);
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

/* One trace object of "data": its spans, then their processes' serviceName. */
static int read_trace(jaeger *x, const wcp_json *j, const wcp_json_tok *v)
{
    otel *o = &x->o;
    if (wcp_otel_want(o, v, WCP_JSON_OBJECT, "data", "an array of trace objects") < 0)
        return -1;
    size_t first = o->nsp;
    wcp_json s;
    wcp_otel_sub(j, v, &s);
    wcp_json_tok open, k, t, procs = {0};
    int rc = wcp_json_next(&s, &open);
    while (!rc && !(rc = wcp_json_member(&s, &k, &t)) && k.type == WCP_JSON_KEY) {
        if ((rc = wcp_json_skip(&s, &t)))
            break;
        if (wcp_otel_is_key(&k, "processes")) {
            if (wcp_otel_want(o, &t, WCP_JSON_OBJECT, "processes", "an object") < 0)
                return -1;
            procs = t;
        } else if (wcp_otel_is_key(&k, "spans")) {
            if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "spans", "an array") < 0)
                return -1;
            wcp_json ss;
            wcp_otel_sub(&s, &t, &ss);
            wcp_json_tok a, span;
            int src = wcp_json_next(&ss, &a);
            while (!src && !(src = wcp_json_next(&ss, &span)) && span.type != WCP_JSON_END &&
                   span.type != WCP_JSON_NONE) {
                if ((src = wcp_json_skip(&ss, &span)))
                    break;
                if (read_span(x, &ss, &span, first) < 0)
                    return -1;
            }
            if (src)
                return wcp_otel_json_err(o);
        }
    }
    if (rc)
        return wcp_otel_json_err(o);
    if (procs.type != WCP_JSON_OBJECT)
        return 0;
    /* each process's serviceName to the spans that name it */
    wcp_json ps;
    wcp_otel_sub(&s, &procs, &ps);
    wcp_json_tok a, pk, pv;
    int prc = wcp_json_next(&ps, &a);
    while (!prc && !(prc = wcp_json_member(&ps, &pk, &pv)) && pk.type == WCP_JSON_KEY) {
        if ((prc = wcp_json_skip(&ps, &pv)))
            break;
        if (pv.type != WCP_JSON_OBJECT)
            continue;
        uint32_t pid;
        const char *p;
        size_t n;
        if (wcp_otel_str(o, &pk, &p, &n) < 0 || wcp_otel_intern(o, p, n, &pid) < 0)
            return -1;
        wcp_json p1;
        wcp_otel_sub(&ps, &pv, &p1);
        wcp_json_tok b, sk, sv;
        uint32_t service = 0;
        int p1c = wcp_json_next(&p1, &b);
        while (!p1c && !(p1c = wcp_json_member(&p1, &sk, &sv)) && sk.type == WCP_JSON_KEY) {
            if ((p1c = wcp_json_skip(&p1, &sv)))
                break;
            if (wcp_otel_is_key(&sk, "serviceName") &&
                wcp_otel_intern_tok(o, &sv, "serviceName", &service) < 0)
                return -1;
        }
        if (p1c)
            return wcp_otel_json_err(o);
        for (size_t q = first; q < o->nsp; q++)
            if (x->proc[q - first] == pid)
                o->sp[q].client = service;
    }
    return prc ? wcp_otel_json_err(o) : 0;
}

static int read_doc(otel *o, const wcp_json *j, const wcp_json_tok *v)
{
    jaeger *x = (jaeger *)o;
    wcp_json s;
    wcp_otel_sub(j, v, &s);
    wcp_json_tok open, k, t;
    bool seen = false;
    int rc = wcp_json_next(&s, &open);
    while (!rc && !(rc = wcp_json_member(&s, &k, &t)) && k.type == WCP_JSON_KEY) {
        if ((rc = wcp_json_skip(&s, &t)))
            break;
        if (!wcp_otel_is_key(&k, "data"))
            continue;
        if (wcp_otel_want(o, &t, WCP_JSON_ARRAY, "data", "an array") < 0)
            return -1;
        seen = true;
        wcp_json ds;
        wcp_otel_sub(&s, &t, &ds);
        wcp_json_tok a, tr;
        int drc = wcp_json_next(&ds, &a);
        while (!drc && !(drc = wcp_json_next(&ds, &tr)) && tr.type != WCP_JSON_END &&
               tr.type != WCP_JSON_NONE) {
            if ((drc = wcp_json_skip(&ds, &tr)))
                break;
            if (read_trace(x, &ds, &tr) < 0)
                return -1;
        }
        if (drc)
            return wcp_otel_json_err(o);
    }
    if (rc)
        return wcp_otel_json_err(o);
    if (!seen)
        return wcp_otel_err(o, v->line, v->col, "not Jaeger JSON: no \"data\" array");
    return 0;
}

static int src_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    jaeger *x = r->src_state;
    if (wcp_otel_read_docs(&x->o, read_doc, "a Jaeger {\"data\": [...]} object") < 0)
        return -1;
    free(x->proc);
    x->proc = NULL;
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
