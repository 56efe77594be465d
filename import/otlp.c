/* otlp.c - OpenTelemetry's OTLP JSON read into span records (otel_impl.h),
 * which otel.c converts. See import/README.md "OpenTelemetry and Jaeger".
 *
 * The input as people have it: the file exporter's JSON Lines (one
 * TracesData a line), one TracesData or ExportTraceServiceRequest document,
 * the collector's .json output: a sequence of JSON objects, each with
 * "resourceSpans". Each object is read by otel.c's loop in one pass, in
 * place, with the reader's buffer (read ahead to the line's end); one
 * longer than the buffer, or one it would refuse, is read again whole into
 * the buffer (at most DOC_MAX), checked by the JSON tokenizer (json.h) as
 * strictly as jansson, then read in place (otel_impl.h); only the records
 * are kept. The OTLP JSON encoding: ids hex (any case; base64 and empty
 * tolerated and counted), 64-bit integers as decimal strings or numbers,
 * enums as integers (or their names), unknown fields ignored, attribute
 * values as AnyValue.
 */
#define _GNU_SOURCE
#include "otel_impl.h"

#include "errpos.h"
#include "grow.h"
#include "json.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct otlp {
    otel o;                   /* first: r->src_state is both */
    uint32_t resource_client; /* service.name of the resource being read */
    uint32_t s_wait;
} otlp;

static int b64val(char c)
{
    return c >= 'A' && c <= 'Z'   ? c - 'A'
           : c >= 'a' && c <= 'z' ? c - 'a' + 26
           : c >= '0' && c <= '9' ? c - '0' + 52
           : c == '+' || c == '-' ? 62
           : c == '/' || c == '_' ? 63
                                  : -1;
}

/* 16 hex digits at p as a number (the first the highest), or false when
 * one is not a hex digit. A look-up and no branch a digit: every span has
 * three such ids, and they were a twentieth of the reading. */
static bool hex16(const char *p, uint64_t *out)
{
    uint64_t v = 0;
    unsigned bad = 0;
    for (int k = 0; k < 16; k++) {
        unsigned h = (unsigned)wcp_otel_hexval(p[k]); /* not a digit: all ones */
        bad |= h;
        v = v << 4 | (h & 15);
    }
    *out = v;
    return bad < 16;
}

/* An id of `bytes` bytes (8: span, 16: trace) into hi, lo: hex (any case),
 * or base64 (counted), or "" (*empty set; counted unless a parent's: a
 * root's parentSpanId is ""). */
static int id_tok(otlp *x, const wcp_json_tok *v, const char *key, int bytes, uint64_t *hi,
                  uint64_t *lo, bool *empty)
{
    if (wcp_otel_want(&x->o, v, WCP_JSON_STRING, key, "a hex id (a string)") < 0)
        return -1;
    *hi = *lo = 0;
    *empty = false;
    if (v->n == 0) {
        *empty = true;
        x->o.empty_ids += strcmp(key, "parentSpanId") != 0;
        return 0;
    }
    bool ok = !v->esc && v->n == (size_t)bytes * 2 &&
              (bytes == 8 ? hex16(v->p, lo) : hex16(v->p, hi) && hex16(v->p + 16, lo));
    if (!ok) { /* base64 of exactly `bytes` bytes? */
        unsigned char b[16] = {0};
        size_t n = v->n;
        while (n && v->p[n - 1] == '=')
            n--;
        ok = !v->esc && n == (size_t)(bytes * 4 + 2) / 3 && v->n - n <= 2;
        uint32_t acc = 0;
        int bits = 0, out = 0;
        for (size_t k = 0; ok && k < n; k++) {
            int d = b64val(v->p[k]);
            if (d < 0) {
                ok = false;
                break;
            }
            acc = acc << 6 | (uint32_t)d;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                if (out < bytes)
                    b[out++] = (unsigned char)(acc >> bits);
            }
        }
        ok = ok && out == bytes;
        if (!ok)
            return wcp_otel_err(
                &x->o, v->line, v->col,
                "\"%s\": not an id of %d hex digits (nor base64 of %d bytes): \"%.*s\"", key,
                bytes * 2, bytes, (int)(v->n > 48 ? 48 : v->n), v->p);
        x->o.base64_ids++;
        *hi = *lo = 0;
        for (int k = 0; k < bytes; k++) {
            if (bytes == 16 && k < 8)
                *hi = *hi << 8 | b[k];
            else
                *lo = *lo << 8 | b[k];
        }
    }
    if (!*hi && !*lo) /* all zeros: the invalid id, as none */
        *empty = true;
    return 0;
}

/* An enum: an integer, or one of names (its index). */
static int enum_tok(otlp *x, const wcp_json_tok *v, const char *key, const char *const *names,
                    int n, int *out)
{
    if (v->type == WCP_JSON_STRING) {
        for (int k = 0; k < n; k++)
            if (v->n == strlen(names[k]) && memcmp(v->p, names[k], v->n) == 0) {
                *out = k;
                return 0;
            }
    } else if (v->type == WCP_JSON_NUMBER && v->n == 1 && v->p[0] >= '0' && v->p[0] < '0' + n) {
        *out = v->p[0] - '0';
        return 0;
    }
    return wcp_otel_err(&x->o, v->line, v->col,
                        "\"%s\": expected an integer from 0 to %d (or its name)", key, n - 1);
}

/* ---- attributes: [{"key": K, "value": AnyValue}, ...] */

enum {
    A_SERVICE,
    A_KIND,
    A_WORK,
    A_PARENT,
    A_ARGV,
    A_ENGINE,
    A_COUNT,
    A_IDENT,
    A_DIGEST,
    A_PURPOSE,
    A_WSTART,
    A_WEND,
    A_WREASON,
    A_WIDENT,
    A_N
};

/* The attributes read (their order: the A_ enum), with their lengths. */
#define ATTR(s)                                                                                    \
    {                                                                                              \
        s, sizeof s - 1                                                                            \
    }
static const struct {
    const char *s;
    size_t n;
} attrs[A_N] = {ATTR("service.name"),
                ATTR("wcprof.op.kind"),
                ATTR("wcprof.work_type"),
                ATTR("wcprof.parent"),
                ATTR("wcprof.exec.argv"),
                ATTR("wcprof.engine_span"),
                ATTR("wcprof.session_span_count"),
                ATTR("wcprof.ident"),
                ATTR("dagger.io/dag.digest"),
                ATTR("dagger.io/link.purpose"),
                ATTR("wcprof.wait.start_unix_ns"),
                ATTR("wcprof.wait.end_unix_ns"),
                ATTR("wcprof.wait.reason"),
                ATTR("wcprof.wait.ident")};
#undef ATTR

/* The AnyValue object s has opened: its one value's key (stringValue, ...)
 * and token (an arrayValue or kvlistValue whole). */
static int any_value(otlp *x, wcp_json *s, wcp_json_tok *kind, wcp_json_tok *val)
{
    wcp_json_tok k, t;
    int more;
    memset(kind, 0, sizeof *kind);
    memset(val, 0, sizeof *val);
    while ((more = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
        if (wcp_otel_skip(&x->o, s, &t) < 0)
            return -1;
        *kind = k;
        *val = t;
    }
    return more;
}

static int attr_type_err(otlp *x, const wcp_json_tok *v, const char *name, const char *what)
{
    return wcp_otel_err(&x->o, v->line, v->col, "attribute \"%s\": expected %s", name, what);
}

/* The string of an attribute value (stringValue). */
static int attr_string(otlp *x, const wcp_json_tok *kind, const wcp_json_tok *v, const char *name,
                       uint32_t *out)
{
    if (!wcp_otel_is_key(kind, "stringValue") || v->type != WCP_JSON_STRING)
        return attr_type_err(x, v, name, "a stringValue");
    return wcp_otel_intern_tok(&x->o, v, name, out);
}

/* An argv: a stringValue kept as is, or an arrayValue of strings kept as
 * one JSON array text. */
static int attr_argv(otlp *x, const wcp_json *j, const wcp_json_tok *kind, const wcp_json_tok *v,
                     uint32_t *out)
{
    const char *name = attrs[A_ARGV].s;
    if (wcp_otel_is_key(kind, "stringValue") && v->type == WCP_JSON_STRING)
        return wcp_otel_intern_tok(&x->o, v, name, out);
    if (!wcp_otel_is_key(kind, "arrayValue") || v->type != WCP_JSON_OBJECT)
        return attr_type_err(x, v, name, "a stringValue or an arrayValue of strings");
    json_t *arr = json_array();
    if (!arr)
        return wcp_otel_oom(&x->o);
    wcp_json s;
    wcp_otel_sub(j, v, &s);
    wcp_json_tok open, k, t;
    int rc = wcp_json_next(&s, &open);
    while (!rc && !(rc = wcp_json_member(&s, &k, &t)) && k.type == WCP_JSON_KEY) {
        if ((rc = wcp_json_skip(&s, &t)))
            break;
        if (!wcp_otel_is_key(&k, "values"))
            continue;
        if (t.type != WCP_JSON_ARRAY) {
            json_decref(arr);
            return attr_type_err(x, &t, name, "an arrayValue with \"values\": [...]");
        }
        wcp_json e;
        wcp_otel_sub(&s, &t, &e);
        wcp_json_tok a, item;
        int erc = wcp_json_next(&e, &a);
        while (!erc && !(erc = wcp_json_next(&e, &item)) && item.type != WCP_JSON_END &&
               item.type != WCP_JSON_NONE) {
            wcp_json_tok ik, iv;
            if (item.type != WCP_JSON_OBJECT || any_value(x, &e, &ik, &iv) < 0) {
                json_decref(arr);
                return item.type != WCP_JSON_OBJECT
                           ? attr_type_err(x, &item, name, "an arrayValue of AnyValue objects")
                           : -1;
            }
            if (!wcp_otel_is_key(&ik, "stringValue") || iv.type != WCP_JSON_STRING) {
                json_decref(arr);
                return attr_type_err(x, &iv, name, "an arrayValue of stringValues");
            }
            const char *p;
            size_t n;
            if (wcp_otel_str(&x->o, &iv, &p, &n) < 0) {
                json_decref(arr);
                return -1;
            }
            json_array_append_new(arr, json_stringn(p, n));
        }
        if (erc) {
            json_decref(arr);
            return wcp_otel_json_err(&x->o);
        }
    }
    if (rc) {
        json_decref(arr);
        return wcp_otel_json_err(&x->o);
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        return wcp_otel_oom(&x->o);
    /* jansson writes "a", "b" with ", " unless compact: compact has no blanks */
    rc = wcp_otel_intern(&x->o, text, strlen(text), out);
    free(text);
    return rc;
}

/* The attributes array v: the known ones, per `on` (a span, a link, a
 * resource). Other attributes are checked as JSON and ignored. */
typedef struct attr_set {
    wcp_json_tok kind[A_N], val[A_N];
    bool has[A_N];
} attr_set;

static int read_attrs(otlp *x, wcp_json *s, const wcp_json_tok *v, attr_set *as)
{
    memset(as->has, 0, sizeof as->has); /* kind[a] and val[a] are read only with has[a] */
    if (wcp_otel_want(&x->o, v, WCP_JSON_ARRAY, "attributes", "an array") < 0)
        return -1;
    wcp_json_tok item, k, t;
    int more;
    while ((more = wcp_otel_next_elem(&x->o, s, &item)) > 0) {
        if (wcp_otel_want(&x->o, &item, WCP_JSON_OBJECT, "attributes",
                          "an object {\"key\", \"value\"}") < 0)
            return -1;
        wcp_json_tok key = {0}, kind = {0}, val = {0};
        bool has_val = false;
        int m;
        while ((m = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
            if (wcp_otel_is_key(&k, "value") && t.type == WCP_JSON_OBJECT) {
                if (any_value(x, s, &kind, &val) < 0)
                    return -1;
                has_val = true;
                continue;
            }
            if (wcp_otel_skip(&x->o, s, &t) < 0)
                return -1;
            if (wcp_otel_is_key(&k, "key"))
                key = t;
            else if (wcp_otel_is_key(&k, "value"))
                return wcp_otel_want(&x->o, &t, WCP_JSON_OBJECT, "value", "an AnyValue object");
        }
        if (m < 0)
            return -1;
        if (key.type != WCP_JSON_STRING)
            return wcp_otel_err(&x->o, item.line, item.col,
                                "an attribute without a \"key\" string");
        const char *name;
        size_t n;
        if (wcp_otel_str(&x->o, &key, &name, &n) < 0)
            return -1;
        int a = -1;
        for (int q = 0; q < A_N && a < 0; q++)
            if (n == attrs[q].n && memcmp(name, attrs[q].s, n) == 0)
                a = q;
        if (a < 0 || !has_val)
            continue;
        as->kind[a] = kind;
        as->val[a] = val;
        as->has[a] = true;
    }
    return more;
}

/* A time attribute: unix ns as a decimal stringValue (or an intValue). */
static int attr_time(otlp *x, const attr_set *as, int a, int64_t *out)
{
    const wcp_json_tok *k = &as->kind[a], *v = &as->val[a];
    if (!wcp_otel_is_key(k, "stringValue") && !wcp_otel_is_key(k, "intValue"))
        return attr_type_err(x, v, attrs[a].s, "unix ns as a decimal stringValue");
    return wcp_otel_uint(&x->o, v, attrs[a].s, OTEL_TS_MAX, out);
}

/* ---- spans */

static const char *const kind_names[6] = {"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL",
                                          "SPAN_KIND_SERVER",      "SPAN_KIND_CLIENT",
                                          "SPAN_KIND_PRODUCER",    "SPAN_KIND_CONSUMER"};
static const char *const status_names[3] = {"STATUS_CODE_UNSET", "STATUS_CODE_OK",
                                            "STATUS_CODE_ERROR"};

static int read_link(otlp *x, wcp_json *s, const wcp_json_tok *v, otel_link *l)
{
    memset(l, 0, sizeof *l);
    if (wcp_otel_want(&x->o, v, WCP_JSON_OBJECT, "links", "an array of link objects") < 0)
        return -1;
    wcp_json_tok k, t;
    bool empty;
    int more;
    while ((more = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
        if (!(wcp_otel_is_key(&k, "attributes") && t.type == WCP_JSON_ARRAY) &&
            wcp_otel_skip(&x->o, s, &t) < 0)
            return -1;
        if (wcp_otel_is_key(&k, "traceId")) {
            uint64_t th, tl;
            if (id_tok(x, &t, "traceId", 16, &th, &tl, &empty) < 0 ||
                wcp_otel_trace(&x->o, th, tl, &l->trace) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "spanId")) {
            uint64_t hi;
            if (id_tok(x, &t, "spanId", 8, &hi, &l->id, &empty) < 0)
                return -1;
            if (empty)
                l->id = 0;
        } else if (wcp_otel_is_key(&k, "attributes")) {
            attr_set as;
            if (read_attrs(x, s, &t, &as) < 0)
                return -1;
            if (as.has[A_PURPOSE]) {
                if (attr_string(x, &as.kind[A_PURPOSE], &as.val[A_PURPOSE], attrs[A_PURPOSE].s,
                                &l->purpose) < 0)
                    return -1;
                size_t n;
                const char *p = wcp_strtab_get(&x->o.st, l->purpose, &n);
                l->wait = n == 4 && memcmp(p, "wait", 4) == 0;
            }
            if (as.has[A_WSTART] && attr_time(x, &as, A_WSTART, &l->ws) < 0)
                return -1;
            if (as.has[A_WEND] && attr_time(x, &as, A_WEND, &l->we) < 0)
                return -1;
            l->has_ws = as.has[A_WSTART];
            l->has_we = as.has[A_WEND];
            l->reason = x->s_wait;
            if (as.has[A_WREASON] && attr_string(x, &as.kind[A_WREASON], &as.val[A_WREASON],
                                                 attrs[A_WREASON].s, &l->reason) < 0)
                return -1;
            if (as.has[A_WIDENT] && attr_string(x, &as.kind[A_WIDENT], &as.val[A_WIDENT],
                                                attrs[A_WIDENT].s, &l->ident) < 0)
                return -1;
        }
    }
    return more;
}

static int read_span(otlp *x, wcp_json *s, const wcp_json_tok *v)
{
    otel *o = &x->o;
    if (wcp_otel_want(&x->o, v, WCP_JSON_OBJECT, "spans", "an array of span objects") < 0)
        return -1;
    if (o->nsp >= UINT32_MAX - 1)
        return wcp_otel_err(&x->o, v->line, v->col, "more than %u spans", UINT32_MAX - 1);
    if (!wcp_grow((void **)&o->sp, &o->spcap, o->nsp + 1, sizeof *o->sp))
        return wcp_otel_oom(&x->o);
    wcp_prefault_ahead(o->sp, o->nsp, o->spcap, sizeof *o->sp); /* 112 bytes a span: a MiB a call */
    otel_span *sp = &o->sp[o->nsp];
    memset(sp, 0, sizeof *sp);
    sp->line = v->line;
    sp->client = x->resource_client;
    sp->link0 = (uint32_t)o->nlk;
    wcp_json_tok k, t;
    bool has_start = false, empty;
    int kind = 0, status = 0;
    attr_set as;
    memset(as.has, 0, sizeof as.has);
    uint64_t hi;
    int more;
    while ((more = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
        if (!((wcp_otel_is_key(&k, "attributes") && t.type == WCP_JSON_ARRAY) ||
              (wcp_otel_is_key(&k, "links") && t.type == WCP_JSON_ARRAY) ||
              (wcp_otel_is_key(&k, "status") && t.type == WCP_JSON_OBJECT)) &&
            wcp_otel_skip(&x->o, s, &t) < 0)
            return -1;
        if (wcp_otel_is_key(&k, "traceId")) {
            uint64_t th, tl;
            if (id_tok(x, &t, "traceId", 16, &th, &tl, &empty) < 0 ||
                wcp_otel_trace(o, th, tl, &sp->trace) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "spanId")) {
            if (id_tok(x, &t, "spanId", 8, &hi, &sp->id, &empty) < 0)
                return -1;
            sp->flags = (uint16_t)(empty ? sp->flags | SP_NO_ID : sp->flags & ~SP_NO_ID);
        } else if (wcp_otel_is_key(&k, "parentSpanId")) {
            if (!(sp->flags & SP_WPARENT) &&
                id_tok(x, &t, "parentSpanId", 8, &hi, &sp->parent, &empty) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "name")) {
            if (wcp_otel_intern_tok(&x->o, &t, "name", &sp->name) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "kind")) {
            if (enum_tok(x, &t, "kind", kind_names, 6, &kind) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "startTimeUnixNano")) {
            if (wcp_otel_uint(&x->o, &t, "startTimeUnixNano", OTEL_TS_MAX, &sp->start) < 0)
                return -1;
            has_start = true;
        } else if (wcp_otel_is_key(&k, "endTimeUnixNano")) {
            if (wcp_otel_uint(&x->o, &t, "endTimeUnixNano", OTEL_TS_MAX, &sp->end) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "attributes")) {
            if (read_attrs(x, s, &t, &as) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "droppedAttributesCount")) {
            int64_t d;
            if (wcp_otel_uint(&x->o, &t, "droppedAttributesCount", INT64_MAX, &d) < 0)
                return -1;
            if (d)
                sp->flags |= SP_DROPPED_A;
        } else if (wcp_otel_is_key(&k, "droppedLinksCount")) {
            if (wcp_otel_uint(&x->o, &t, "droppedLinksCount", INT64_MAX, &sp->dropped_links) < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "links")) {
            if (wcp_otel_want(&x->o, &t, WCP_JSON_ARRAY, "links", "an array") < 0)
                return -1;
            wcp_json_tok item;
            int m;
            while ((m = wcp_otel_next_elem(&x->o, s, &item)) > 0) {
                if (!wcp_grow((void **)&o->lk, &o->lkcap, o->nlk + 1, sizeof *o->lk))
                    return wcp_otel_oom(&x->o);
                sp = &o->sp[o->nsp];
                if (wcp_otel_want(&x->o, &item, WCP_JSON_OBJECT, "links",
                                  "an array of link objects") < 0 ||
                    read_link(x, s, &item, &o->lk[o->nlk]) < 0)
                    return -1;
                o->nlk++;
            }
            if (m < 0)
                return -1;
        } else if (wcp_otel_is_key(&k, "status")) {
            if (wcp_otel_want(&x->o, &t, WCP_JSON_OBJECT, "status", "an object") < 0)
                return -1;
            wcp_json_tok sk, sv;
            int m;
            while ((m = wcp_otel_next_member(&x->o, s, &sk, &sv)) > 0) {
                if (wcp_otel_skip(&x->o, s, &sv) < 0)
                    return -1;
                if (wcp_otel_is_key(&sk, "code") &&
                    enum_tok(x, &sv, "code", status_names, 3, &status) < 0)
                    return -1;
            }
            if (m < 0)
                return -1;
        }
    }
    if (more < 0)
        return -1;
    if (!has_start)
        return wcp_otel_err(&x->o, v->line, v->col, "a span without \"startTimeUnixNano\"");
    sp->nlinks = (uint32_t)(o->nlk - sp->link0);
    if (sp->end > 0)
        sp->flags |= SP_ENDED;
    sp->flags |= status == 2 ? SP_ERROR : status == 1 ? SP_OK : 0;
    /* the attributes that matter */
    sp->kind = x->o.kind_str[kind];
    if (as.has[A_KIND] &&
        attr_string(x, &as.kind[A_KIND], &as.val[A_KIND], attrs[A_KIND].s, &sp->kind) < 0)
        return -1;
    sp->work = x->o.engine_str;
    if (as.has[A_WORK] &&
        attr_string(x, &as.kind[A_WORK], &as.val[A_WORK], attrs[A_WORK].s, &sp->work) < 0)
        return -1;
    for (int a = A_IDENT; a <= A_DIGEST && !sp->ident; a++)
        if (as.has[a] && attr_string(x, &as.kind[a], &as.val[a], attrs[a].s, &sp->ident) < 0)
            return -1;
    if (as.has[A_ARGV] && attr_argv(x, s, &as.kind[A_ARGV], &as.val[A_ARGV], &sp->meta) < 0)
        return -1;
    if (as.has[A_PARENT]) {
        if (!wcp_otel_is_key(&as.kind[A_PARENT], "stringValue"))
            return attr_type_err(x, &as.val[A_PARENT], attrs[A_PARENT].s,
                                 "a stringValue (a span id in hex)");
        if (id_tok(x, &as.val[A_PARENT], attrs[A_PARENT].s, 8, &hi, &sp->parent, &empty) < 0)
            return -1;
        sp->flags |= SP_WPARENT;
    }
    if (as.has[A_ENGINE]) {
        const wcp_json_tok *bv = &as.val[A_ENGINE];
        if (!wcp_otel_is_key(&as.kind[A_ENGINE], "boolValue") ||
            (bv->type != WCP_JSON_TRUE && bv->type != WCP_JSON_FALSE))
            return attr_type_err(x, bv, attrs[A_ENGINE].s, "a boolValue");
        if (bv->type == WCP_JSON_TRUE)
            sp->flags |= SP_ENGINE;
    }
    if (as.has[A_COUNT]) {
        if (!wcp_otel_is_key(&as.kind[A_COUNT], "intValue"))
            return attr_type_err(x, &as.val[A_COUNT], attrs[A_COUNT].s, "an intValue");
        if (wcp_otel_uint(&x->o, &as.val[A_COUNT], attrs[A_COUNT].s, INT64_MAX,
                          &sp->session_count) < 0)
            return -1;
        sp->flags |= SP_SESSION;
    }
    o->nsp++;
    return 0;
}

/* One object of "resourceSpans" (s has read its '{'). */
static int read_resource_spans(otlp *x, wcp_json *s)
{
    size_t first = x->o.nsp;
    x->resource_client = 0;
    uint32_t client = 0;
    wcp_json_tok k, t, rk, rv, scope, sk, sv, span;
    int more, m;
    while ((more = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
        bool resource = wcp_otel_is_key(&k, "resource") && t.type == WCP_JSON_OBJECT;
        bool scopes = (wcp_otel_is_key(&k, "scopeSpans") ||
                       wcp_otel_is_key(&k, "instrumentationLibrarySpans")) &&
                      t.type == WCP_JSON_ARRAY;
        if (!resource && !scopes) {
            if (wcp_otel_skip(&x->o, s, &t) < 0)
                return -1;
            if (wcp_otel_is_key(&k, "resource"))
                return wcp_otel_want(&x->o, &t, WCP_JSON_OBJECT, "resource", "an object");
            if (wcp_otel_is_key(&k, "scopeSpans"))
                return wcp_otel_want(&x->o, &t, WCP_JSON_ARRAY, "scopeSpans", "an array");
            continue;
        }
        if (resource) {
            while ((m = wcp_otel_next_member(&x->o, s, &rk, &rv)) > 0) {
                if (wcp_otel_is_key(&rk, "attributes") && rv.type == WCP_JSON_ARRAY) {
                    attr_set as;
                    if (read_attrs(x, s, &rv, &as) < 0)
                        return -1;
                    if (as.has[A_SERVICE] && attr_string(x, &as.kind[A_SERVICE], &as.val[A_SERVICE],
                                                         attrs[A_SERVICE].s, &client) < 0)
                        return -1;
                } else if (wcp_otel_skip(&x->o, s, &rv) < 0)
                    return -1;
            }
            if (m < 0)
                return -1;
            continue;
        }
        while ((m = wcp_otel_next_elem(&x->o, s, &scope)) > 0) { /* scopeSpans[] */
            if (wcp_otel_want(&x->o, &scope, WCP_JSON_OBJECT, "scopeSpans", "an array of objects") <
                0)
                return -1;
            int q;
            while ((q = wcp_otel_next_member(&x->o, s, &sk, &sv)) > 0) {
                if (!wcp_otel_is_key(&sk, "spans")) {
                    if (wcp_otel_skip(&x->o, s, &sv) < 0)
                        return -1;
                    continue;
                }
                if (wcp_otel_want(&x->o, &sv, WCP_JSON_ARRAY, "spans", "an array") < 0)
                    return -1;
                int e;
                while ((e = wcp_otel_next_elem(&x->o, s, &span)) > 0) {
                    if (wcp_otel_want(&x->o, &span, WCP_JSON_OBJECT, "spans",
                                      "an array of span objects") < 0 ||
                        read_span(x, s, &span) < 0)
                        return -1;
                }
                if (e < 0)
                    return -1;
            }
            if (q < 0)
                return -1;
        }
        if (m < 0)
            return -1;
    }
    if (more < 0)
        return -1;
    for (size_t q = first; q < x->o.nsp; q++) /* the resource may follow its spans */
        x->o.sp[q].client = client;
    return 0;
}

/* One top-level object (a TracesData / ExportTraceServiceRequest): s has
 * read its '{'. */
static int read_doc(otlp *x, wcp_json *s)
{
    wcp_json_tok k, t, item;
    int more, m;
    while ((more = wcp_otel_next_member(&x->o, s, &k, &t)) > 0) {
        if (!wcp_otel_is_key(&k, "resourceSpans") || t.type != WCP_JSON_ARRAY) {
            if (wcp_otel_skip(&x->o, s, &t) < 0)
                return -1;
            if (wcp_otel_is_key(&k, "resourceSpans"))
                return wcp_otel_want(&x->o, &t, WCP_JSON_ARRAY, "resourceSpans", "an array");
            continue;
        }
        while ((m = wcp_otel_next_elem(&x->o, s, &item)) > 0) {
            if (wcp_otel_want(&x->o, &item, WCP_JSON_OBJECT, "resourceSpans",
                              "an array of objects") < 0 ||
                read_resource_spans(x, s) < 0)
                return -1;
        }
        if (m < 0)
            return -1;
    }
    return more;
}

/* ---- the reader's calls */

static int read_doc_fn(otel *o, wcp_json *s, const wcp_json_tok *open)
{
    (void)open;
    return read_doc((otlp *)o, s);
}

static int open_otlp(wcp_reader *r);

static int src_header(wcp_reader *r, wcp_string_fn on_string, void *ctx)
{
    otlp *x = r->src_state;
    static const char what[] = "a TracesData object";
    if (!wcp_otel_read_pieces(&x->o, read_doc_fn, what, open_otlp) &&
        wcp_otel_read_docs_in_place(&x->o, read_doc_fn, what) < 0)
        return -1;
    free(x->o.scratch); /* what decoding strings needed, now read */
    x->o.scratch = NULL;
    x->o.scap = 0;
    return wcp_otel_finish(&x->o, on_string, ctx);
}

static void src_close(wcp_reader *r)
{
    otlp *x = r->src_state;
    if (!x)
        return;
    wcp_otel_release(&x->o);
    free(x);
    r->src_state = NULL;
}

static const wcp_source otlp_source = {src_header, wcp_otel_open_ops, wcp_otel_next, src_close,
                                       wcp_otel_next_run};

static int open_otlp(wcp_reader *r)
{
    otlp *x = calloc(1, sizeof *x);
    if (!x) {
        snprintf(r->err, sizeof r->err, "%s: out of memory", r->path);
        return -1;
    }
    if (wcp_otel_init(&x->o, r, "otlp", &otlp_source) < 0 ||
        wcp_otel_intern(&x->o, "wait", 4, &x->s_wait) < 0)
        return -1;
    return 0;
}

/* '{' and a first key "resourceSpans" (after a byte order mark and blanks). */
static int sniff(const char *p, size_t n, bool eof)
{
    return wcp_sniff_first_key(p, n, eof, "\"resourceSpans\"");
}

const wcp_format wcp_format_otlp = {
    .name = "otlp",
    .detect = "a file that starts with '{' and the key \"resourceSpans\", as OpenTelemetry's OTLP "
              "JSON (one TracesData a line, or one document; one run per trace id)",
    .sniff = sniff,
    .open = open_otlp,
    .notes = wcp_otel_notes,
};
