/* jscan.c - a strict scanner for the flat JSON objects of wcprof dumps.
 *
 * The structure ({ } [ ] : , and whitespace, nested values included, with
 * jansson's depth limit) and the common tokens (plain ASCII strings,
 * integers of up to 18 digits, true/false/null) are scanned here. Every
 * other string or number is checked and decoded by the JSON tokenizer
 * (json.h), which accepts what jansson accepts; jansson itself is asked only
 * about a token the tokenizer refuses, to word the refusal as it always was
 * worded (or, should it accept the token after all, to decide). See jscan.h.
 */
#include "jscan.h"

#include "json.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The scratch arena is a list of blocks that never move, so strings decoded
 * earlier in a line stay valid while later ones are added. */
typedef struct block {
    struct block *next;
    size_t cap, used;
    char data[];
} block;

void jscan_init(jscan *js)
{
    memset(js, 0, sizeof *js);
}

void jscan_reset(jscan *js)
{
    block *b = (block *)js->scratch;
    if (!b)
        return;
    block *rest = b->next; /* keep the first block, free the others */
    while (rest) {
        block *n = rest->next;
        free(rest);
        rest = n;
    }
    b->next = NULL;
    b->used = 0;
}

void jscan_free(jscan *js)
{
    jscan_reset(js);
    free(js->scratch);
    free(js->xbuf);
    memset(js, 0, sizeof *js);
}

/* Appends [s, s+n) to the unknown-key buffer, a ',' first unless it is empty. */
static int xappend(jscan *js, const char *s, size_t n)
{
    if (js->xlen + n + 2 > js->xcap) {
        size_t cap = (js->xlen + n + 2) * 2;
        char *b = realloc(js->xbuf, cap);
        if (!b)
            return -1;
        js->xbuf = b;
        js->xcap = cap;
    }
    char sep = js->xlen ? ',' : '{';
    js->xbuf[js->xlen++] = sep;
    memcpy(js->xbuf + js->xlen, s, n);
    js->xlen += n;
    return 0;
}

/* Returns n bytes that stay valid until jscan_reset(), or NULL. */
static char *scratch(jscan *js, size_t n)
{
    block *b = (block *)js->scratch;
    for (block *x = b; x; x = x->next)
        if (x->cap - x->used >= n) {
            char *r = x->data + x->used;
            x->used += n;
            return r;
        }
    size_t cap = n > 65536 ? n : 65536;
    block *nb = malloc(sizeof *nb + cap);
    if (!nb)
        return NULL;
    nb->cap = cap;
    nb->used = n;
    nb->next = NULL;
    if (!b)
        js->scratch = (char *)nb;
    else {
        nb->next = b->next; /* first block stays first */
        b->next = nb;
    }
    return nb->data;
}

typedef struct cur {
    const char *p, *end, *base; /* position, end of text, start of text (for columns) */
} cur;

static int fail(jscan *js, const cur *c, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(jscan *js, const cur *c, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t off = at ? (size_t)(at - c->base) : 0;
    wcp_errpos_vset(&js->err, 1, at ? off + 1 : 0, off, fmt, ap);
    va_end(ap);
    return -1;
}

static void skip_ws(cur *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
        c->p++;
}

/* Hands the token [a, b) to jansson. On success returns the value (a new
 * reference); on failure sets the error and returns NULL. */
static json_t *jansson_token(jscan *js, const cur *c, const char *a, const char *b)
{
    json_error_t je;
    json_t *v = json_loadb(a, (size_t)(b - a), JSON_DECODE_ANY, &je);
    if (!v)
        fail(js, c, a + (je.position > 0 ? je.position - 1 : 0), "%s", je.text);
    return v;
}

/* Finds the end of the string starting at c->p (a '"'), escapes skipped. */
static const char *string_end(const char *p, const char *end)
{
    for (p++; p < end; p++) {
        if (*p == '\\') {
            p++;
            continue;
        }
        if (*p == '"')
            return p + 1;
    }
    return NULL;
}

/* The string [c->p, e) (quotes included) as jansson sees it: its value, or
 * its refusal in jansson's words. */
static int jansson_string(jscan *js, cur *c, const char *e, jv *out)
{
    json_t *v = jansson_token(js, c, c->p, e);
    if (!v)
        return -1;
    size_t n = json_string_length(v);
    char *d = scratch(js, n ? n : 1);
    if (!d) {
        json_decref(v);
        return fail(js, c, c->p, "out of memory");
    }
    memcpy(d, json_string_value(v), n);
    json_decref(v);
    out->type = JV_STR;
    out->s = d;
    out->n = n;
    c->p = e;
    return 0;
}

static int scan_string(jscan *js, cur *c, jv *out)
{
    const char *s = c->p + 1, *q = s;
    while (q < c->end) {
        unsigned char ch = (unsigned char)*q;
        if (ch == '"') {
            out->type = JV_STR;
            out->s = s;
            out->n = (size_t)(q - s);
            c->p = q + 1;
            return 0;
        }
        if (ch == '\\' || ch < 0x20 || ch >= 0x80)
            break;
        q++;
    }
    /* escapes, other bytes: the tokenizer checks and decodes */
    const char *e = string_end(c->p, c->end);
    if (!e)
        return fail(js, c, c->p, "unterminated string");
    wcp_json j;
    wcp_errpos err;
    wcp_json_tok t;
    wcp_json_init(&j, c->p, (size_t)(e - c->p), &err);
    if (wcp_json_string(&j, &t) != 0 || j.p != e)
        return jansson_string(js, c, e, out);
    out->type = JV_STR;
    out->s = t.p; /* no escapes: the bytes in the line */
    out->n = t.n;
    if (t.esc) {
        char *d = scratch(js, t.n ? t.n : 1);
        if (!d)
            return fail(js, c, c->p, "out of memory");
        out->s = d;
        out->n = wcp_json_decode(t.p, t.n, d);
    }
    c->p = e;
    return 0;
}

/* The value of the number token [a, b), as jansson would make it: an
 * integer that fits in 64 bits (JV_INT), or a real (JV_OTHER, its text);
 * and, beyond jansson, an integer in (INT64_MAX, UINT64_MAX] (JV_U64: the
 * dump format's uint64 ids). Returns -1 for what jansson refuses otherwise:
 * an integer out of range, a real that overflows a double. */
static int number_value(const char *a, const char *b, jv *out)
{
    size_t n = (size_t)(b - a);
    if (!memchr(a, '.', n) && !memchr(a, 'e', n) && !memchr(a, 'E', n)) {
        bool neg = *a == '-';
        uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : UINT64_MAX;
        for (const char *p = a + neg; p < b; p++) {
            uint64_t d = (uint64_t)(*p - '0');
            if (v > (limit - d) / 10)
                return -1;
            v = v * 10 + d;
        }
        out->type = !neg && v > (uint64_t)INT64_MAX ? JV_U64 : JV_INT;
        out->i = neg ? (int64_t)(0 - v) : (int64_t)v;
        return 0;
    }
    char small[64], *t = n < sizeof small ? small : malloc(n + 1);
    if (!t)
        return -1;
    memcpy(t, a, n);
    t[n] = 0;
    const char *point =
        localeconv()->decimal_point; /* strtod reads the locale's, as jansson knows */
    char *dot = memchr(t, '.', n);
    if (dot && point && point[0] && !point[1])
        *dot = point[0];
    double d = strtod(t, NULL);
    if (t != small)
        free(t);
    if (isinf(d))
        return -1;
    out->type = JV_OTHER;
    out->s = a;
    out->n = n;
    return 0;
}

static int scan_number(jscan *js, cur *c, jv *out)
{
    const char *a = c->p, *q = a;
    int neg = 0;
    if (q < c->end && *q == '-') {
        neg = 1;
        q++;
    }
    const char *digits = q;
    uint64_t v = 0; /* 19 digits fit; only 18 are taken as plain */
    while (q < c->end && *q >= '0' && *q <= '9' && q - digits < 19) {
        v = v * 10 + (uint64_t)(*q - '0');
        q++;
    }
    size_t nd = (size_t)(q - digits);
    int plain = nd > 0 && nd <= 18 && !(nd > 1 && *digits == '0');
    if (plain && q < c->end && (*q == '.' || *q == 'e' || *q == 'E' || (*q >= '0' && *q <= '9')))
        plain = 0;
    if (plain) {
        out->type = JV_INT;
        out->i = neg ? -(int64_t)v : (int64_t)v;
        c->p = q;
        return 0;
    }
    /* anything else (real, exponent, 19+ digits, leading zero): the tokenizer
     * checks the token, jansson words a refusal */
    q = a;
    while (q < c->end && (strchr("+-.eE", *q) || (*q >= '0' && *q <= '9')))
        q++;
    wcp_json j;
    wcp_errpos err;
    wcp_json_tok t;
    wcp_json_init(&j, a, (size_t)(q - a), &err);
    if (wcp_json_number(&j, &t) == 0 && j.p == q && number_value(a, q, out) == 0) {
        c->p = q;
        return 0;
    }
    json_t *x = jansson_token(js, c, a, q);
    if (!x)
        return -1;
    if (json_is_integer(x)) {
        out->type = JV_INT;
        out->i = (int64_t)json_integer_value(x);
    } else {
        out->type = JV_OTHER;
        out->s = a;
        out->n = (size_t)(q - a);
    }
    json_decref(x);
    c->p = q;
    return 0;
}

/* jansson's JSON_PARSER_MAX_DEPTH: a value nested deeper is refused. The
 * line's object is at depth 1, its values at depth 2. */
#define MAX_DEPTH 2048

static int scan_value(jscan *js, cur *c, jv *out, int depth);

/* Checks the array or object at c->p, itself at `depth`, as jansson's parser
 * would (structure here, each token as scan_value() takes it), without
 * building it: a string table of a million entries costs no memory. */
static int check_nested(jscan *js, cur *c, int depth)
{
    const char *at = c->p;
    char open = *c->p, close = open == '{' ? '}' : ']';
    c->p++;
    skip_ws(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        return 0;
    }
    for (;;) {
        skip_ws(c);
        if (open == '{') {
            jv key;
            if (c->p >= c->end || *c->p != '"')
                return fail(js, c, c->p, "expected a key (a string)");
            if (scan_string(js, c, &key) < 0)
                return -1;
            skip_ws(c);
            if (c->p >= c->end || *c->p != ':')
                return fail(js, c, c->p, "expected ':' after a key");
            c->p++;
            skip_ws(c);
        }
        jv v;
        if (scan_value(js, c, &v, depth + 1) < 0)
            return -1;
        skip_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return 0;
        }
        if (c->p >= c->end)
            return fail(js, c, at, "unterminated %s", open == '{' ? "object" : "array");
        return fail(js, c, c->p, "expected ',' or '%c' in an %s", close,
                    open == '{' ? "object" : "array");
    }
}

/* Any value at nesting `depth`; nested arrays and objects are checked and
 * kept as raw text. */
static int scan_value_body(jscan *js, cur *c, jv *out, int depth);

static int scan_value(jscan *js, cur *c, jv *out, int depth)
{
    const char *at = c->p;
    if (scan_value_body(js, c, out, depth) < 0)
        return -1;
    if (out->type == JV_U64 && !js->u64_at) { /* the first, for jscan_object() */
        js->u64_at = at;
        js->u64_end = c->p;
    }
    out->at = at;
    return 0;
}

static int scan_value_body(jscan *js, cur *c, jv *out, int depth)
{
    if (c->p >= c->end)
        return fail(js, c, c->p, "a value was expected at the end of the line");
    if (depth > MAX_DEPTH)
        return fail(js, c, c->p, "maximum parsing depth reached");
    char ch = *c->p;
    if (ch == '"')
        return scan_string(js, c, out);
    if (ch == '-' || (ch >= '0' && ch <= '9'))
        return scan_number(js, c, out);
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]);
        if ((size_t)(c->end - c->p) >= n && memcmp(c->p, words[w], n) == 0) {
            out->type = JV_OTHER;
            out->s = c->p;
            out->n = n;
            c->p += n;
            return 0;
        }
    }
    if (ch == '{' || ch == '[') {
        const char *a = c->p;
        if (check_nested(js, c, depth) < 0)
            return -1;
        out->type = JV_OTHER;
        out->s = a;
        out->n = (size_t)(c->p - a);
        return 0;
    }
    return fail(js, c, c->p, "invalid token '%c'", ch >= 0x20 && ch < 0x7f ? ch : '?');
}

int jscan_object(jscan *js, const char *p, size_t n, jscan_keyfn keyfn, jv *slots, int nslots,
                 jv *extra)
{
    cur c = {p, p + n, p};
    memset(slots, 0, sizeof *slots * (size_t)nslots);
    memset(extra, 0, sizeof *extra);
    js->xlen = 0;

    skip_ws(&c);
    if (c.p >= c.end || *c.p != '{')
        return fail(js, &c, c.p, c.p >= c.end ? "empty line" : "expected a JSON object ('{')");
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == '}') {
        c.p++;
        goto done;
    }
    for (;;) {
        skip_ws(&c);
        if (c.p >= c.end || *c.p != '"')
            return fail(js, &c, c.p, "expected a key (a string)");
        const char *kstart = c.p;
        jv key;
        if (scan_string(js, &c, &key) < 0)
            return -1;
        skip_ws(&c);
        if (c.p >= c.end || *c.p != ':')
            return fail(js, &c, c.p, "expected ':' after a key");
        c.p++;
        skip_ws(&c);
        jv val;
        js->u64_at = NULL;
        if (scan_value(js, &c, &val, 2) < 0)
            return -1;
        int k = keyfn(key.s, key.n);
        if (js->u64_at && !(k >= 0 && k < nslots)) /* an unknown key's: refused, as jansson does */
            return fail(js, &c, js->u64_end, "too big integer near '%.*s'",
                        (int)(js->u64_end - js->u64_at), js->u64_at);
        if (k >= 0 && k < nslots && slots[k].type != JV_ABSENT)
            return fail(js, &c, kstart,
                        "repeated key \"%.*s\" (a key may appear once in an object)",
                        (int)(key.n < 64 ? key.n : 64), key.s);
        if (k >= 0 && k < nslots)
            slots[k] = val;
        else if (xappend(js, kstart, (size_t)(c.p - kstart)) < 0)
            return fail(js, &c, kstart, "out of memory");
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == '}') {
            c.p++;
            break;
        }
        return fail(js, &c, c.p, "expected ',' or '}' after a value");
    }
done:
    skip_ws(&c);
    if (c.p != c.end)
        return fail(js, &c, c.p, "unexpected text after the object");
    if (js->xlen) {
        char *d = scratch(js, js->xlen + 1);
        if (!d)
            return fail(js, &c, NULL, "out of memory");
        memcpy(d, js->xbuf, js->xlen);
        d[js->xlen] = '}';
        /* a repeated unknown key: jansson tells (only lines with unknown keys pay) */
        json_error_t je;
        json_t *x = json_loadb(d, js->xlen + 1, JSON_REJECT_DUPLICATES, &je);
        if (!x)
            return fail(js, &c, p, "repeated key (a key may appear once in an object): %s",
                        je.text);
        json_decref(x);
        extra->type = JV_OTHER;
        extra->s = d;
        extra->n = js->xlen + 1;
    }
    return 0;
}

int jscan_array(jscan *js, const char *p, size_t n, jscan_elemfn fn, void *ctx)
{
    cur c = {p, p + n, p};
    skip_ws(&c);
    if (c.p >= c.end || *c.p != '[')
        return fail(js, &c, c.p, "expected an array");
    c.p++;
    skip_ws(&c);
    if (c.p < c.end && *c.p == ']')
        return 0;
    for (size_t i = 0;; i++) {
        skip_ws(&c);
        jv v;
        if (scan_value(js, &c, &v, 2) < 0)
            return -1;
        int r = fn(ctx, i, &v);
        if (r)
            return r;
        skip_ws(&c);
        if (c.p < c.end && *c.p == ',') {
            c.p++;
            continue;
        }
        if (c.p < c.end && *c.p == ']')
            return 0;
        return fail(js, &c, c.p, "expected ',' or ']' in an array");
    }
}
