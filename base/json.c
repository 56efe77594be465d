/* json.c - the one strict JSON tokenizer (json.h). */
#include "json.h"

#include <stdarg.h>
#include <string.h>

enum {
    W_VALUE,        /* a value */
    W_VALUE_OR_END, /* a value or ']' (after '[') */
    W_KEY,          /* a key (after ',' in an object) */
    W_KEY_OR_END,   /* a key or '}' (after '{') */
    W_COLON,        /* ':' (after a key) */
    W_AFTER,        /* ',' or the close of the container (after a value in it) */
    W_DONE,         /* the value is complete */
    W_STRING,       /* inside a string read in parts */
    W_KEYSTR,       /* inside a key read in parts */
};

void wcp_json_reset(wcp_json *j)
{
    j->want = W_VALUE;
    j->depth = 0;
    j->floor = 0;
}

void wcp_json_init(wcp_json *j, const char *text, size_t n, wcp_errpos *err)
{
    j->p = j->buf = text;
    j->end = text + n;
    j->last = true;
    j->flags = 0;
    j->max_depth = 512;
    j->err = err;
    j->base = 0;
    j->line = 1;
    j->line_off = 0;
    wcp_json_reset(j);
}

void wcp_json_text(wcp_json *j, const char *buf, size_t pos, size_t len, uint64_t base)
{
    j->buf = buf;
    j->base = base;
    j->p = buf + pos;
    j->end = buf + len;
}

static int fail(wcp_json *j, const char *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(wcp_json *j, const char *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    wcp_errpos_vset(j->err, j->line, wcp_json_col(j, at), wcp_json_pos(j, at), fmt, ap);
    va_end(ap);
    return -1;
}

static inline int ws(wcp_json *j)
{
    if (j->p < j->end && (unsigned char)*j->p > ' ')
        return 0; /* the usual case: no blank */
    for (; j->p < j->end; j->p++) {
        char ch = *j->p;
        if (ch == '\n') {
            j->line++;
            j->line_off = wcp_json_pos(j, j->p) + 1;
        } else if (ch != ' ' && ch != '\t' && ch != '\r')
            return 0;
    }
    return WCP_JSON_MORE;
}

/* ---- strings */

/* bytes a string may hold as they are: printable ASCII but '"' and '\\' */
static const unsigned char plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),                         /* 0x00..0x1f */
    1,     1,     0,     1,     1,     1,     1,     1, /* 0x20..0x27: '"' */
    R8(1), R8(1), R8(1), R8(1), R8(1), R8(1),           /* 0x28..0x57 */
    1,     1,     1,     1,     0,     1,     1,     1, /* 0x58..0x5f: '\\' */
    R8(1), R8(1), R8(1), R8(1),                         /* 0x60..0x7f */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

static int hex4(const unsigned char *p)
{
    int v = 0;
    for (int k = 0; k < 4; k++) {
        int d = p[k] >= '0' && p[k] <= '9'   ? p[k] - '0'
                : p[k] >= 'a' && p[k] <= 'f' ? p[k] - 'a' + 10
                : p[k] >= 'A' && p[k] <= 'F' ? p[k] - 'A' + 10
                                             : -1;
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
    int n = b >= 0xc2 && b <= 0xdf   ? 2
            : b >= 0xe0 && b <= 0xef ? 3
            : b >= 0xf0 && b <= 0xf4 ? 4
                                     : -1;
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
        return -1; /* overlong, a surrogate, or past U+10FFFF */
    return n;
}

int wcp_json_ws(wcp_json *j)
{
    return ws(j);
}

/* The bytes of x (8 of the text, the first in the low byte) that are not
 * plain: below 0x20, '"', '\\', or 0x80 and above, each marked by its high
 * bit. The zero-byte tests (v - 0x01.. & ~v) can mark a byte wrongly only
 * above one rightly marked (a borrow goes up), so the lowest mark is
 * exact, and so is "none". */
static inline uint64_t unplain_marks(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101u, high = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t below = (x - ones * 0x20) & ~x; /* below 0x20 */
    return (below | ((q - ones) & ~q) | ((b - ones) & ~b) | x /* 0x80 and above */) & high;
}

static inline __attribute__((always_inline)) int chars(wcp_json *j, bool *esc)
{
    const unsigned char *p = (const unsigned char *)j->p, *end = (const unsigned char *)j->end;
    for (;;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        /* 8 bytes at a time to the first that is not plain: ids, times and
         * names are runs of plain bytes, and this is the tokenizer's
         * busiest loop */
        while (end - p >= 8) {
            uint64_t x;
            memcpy(&x, p, 8);
            uint64_t m = unplain_marks(x);
            if (m) {
                p += __builtin_ctzll(m) >> 3;
                goto unplain;
            }
            p += 8;
        }
#endif
        while (p < end && plain[*p])
            p++;
        if (p >= end)
            break;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    unplain:
#endif
        if (*p == '"') {
            j->p = (const char *)p + 1;
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
                return fail(j, (const char *)p, "invalid escape in a string");
            if (end - p < 6)
                break;
            int u = hex4(p + 2);
            if (u < 0)
                return fail(j, (const char *)p, "invalid \\u escape in a string");
            if (u == 0)
                return fail(j, (const char *)p, "\\u0000 is not supported in strings");
            if (u >= 0xdc00 && u <= 0xdfff)
                return fail(j, (const char *)p, "invalid Unicode escape: a lone low surrogate");
            if (u >= 0xd800 && u <= 0xdbff) {
                if ((end - p > 6 && p[6] != '\\') || (end - p > 7 && p[7] != 'u'))
                    return fail(j, (const char *)p,
                                "invalid Unicode escape: a high surrogate alone");
                if (end - p < 12)
                    break;
                int lo = hex4(p + 8);
                if (lo < 0xdc00 || lo > 0xdfff)
                    return fail(j, (const char *)p,
                                "invalid Unicode escape: a high surrogate alone");
                p += 12;
                continue;
            }
            p += 6;
            continue;
        }
        if (*p < 0x20)
            return fail(j, (const char *)p, "control character in a string (it must be escaped)");
        int n = utf8_seq(p, end);
        if (n == 0)
            break;
        if (n < 0)
            return fail(j, (const char *)p, "invalid UTF-8 in a string");
        p += n;
    }
    j->p = (const char *)p;
    return WCP_JSON_MORE;
}

int wcp_json_chars(wcp_json *j, bool *esc)
{
    return chars(j, esc);
}

static inline void tok_at(const wcp_json *j, wcp_json_tok *t, uint8_t type, const char *at)
{
    t->type = type;
    t->esc = false;
    t->part = false;
    t->line = j->line;
    t->col = wcp_json_col(j, at);
}

static inline int string(wcp_json *j, wcp_json_tok *t)
{
    const char *quote = j->p;
    j->p++;
    bool esc = false;
    int rc = chars(j, &esc);
    if (rc) {
        if (rc > 0)
            j->p = quote;
        return rc;
    }
    tok_at(j, t, WCP_JSON_STRING, quote);
    t->esc = esc;
    t->p = quote + 1;
    t->n = (size_t)(j->p - quote - 2);
    return 0;
}

int wcp_json_string(wcp_json *j, wcp_json_tok *t)
{
    return string(j, t);
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static inline __attribute__((always_inline)) int number(wcp_json *j, wcp_json_tok *t)
{
    const char *s = j->p, *p = s, *end = j->end;
    if (*p == '-')
        p++;
    if (p >= end)
        return j->last ? fail(j, s, "invalid number") : WCP_JSON_MORE;
    if (*p == '0')
        p++;
    else if (is_digit(*p))
        while (p < end && is_digit(*p))
            p++;
    else
        return fail(j, s, "invalid number");
    if (p < end && *p == '.') {
        const char *d = ++p;
        while (p < end && is_digit(*p))
            p++;
        if (p == d && (p < end || j->last))
            return fail(j, s, "invalid number: no digit after '.'");
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        const char *d = p;
        while (p < end && is_digit(*p))
            p++;
        if (p == d && (p < end || j->last))
            return fail(j, s, "invalid number: no digit in the exponent");
    }
    if (p >= end && !j->last)
        return WCP_JSON_MORE; /* more digits may follow */
    tok_at(j, t, WCP_JSON_NUMBER, s);
    t->p = s;
    t->n = (size_t)(p - s);
    j->p = p;
    return 0;
}

int wcp_json_number(wcp_json *j, wcp_json_tok *t)
{
    return number(j, t);
}

static inline __attribute__((always_inline)) int scalar(wcp_json *j, wcp_json_tok *t)
{
    char ch = *j->p;
    if (ch == '"')
        return string(j, t);
    if (ch == '-' || is_digit(ch))
        return number(j, t);
    static const char *const words[] = {"true", "false", "null"};
    for (int w = 0; w < 3; w++) {
        size_t n = strlen(words[w]), have = (size_t)(j->end - j->p);
        if (memcmp(j->p, words[w], have < n ? have : n) == 0) {
            if (have < n) {
                if (j->last)
                    break;
                return WCP_JSON_MORE;
            }
            tok_at(j, t, (uint8_t)(WCP_JSON_TRUE + w), j->p);
            t->p = j->p;
            t->n = n;
            j->p += n;
            return 0;
        }
    }
    return fail(j, j->p, "invalid token '%c'", ch > 0x20 && ch < 0x7f ? ch : '?');
}

int wcp_json_scalar(wcp_json *j, wcp_json_tok *t)
{
    return scalar(j, t);
}

int wcp_json_key(wcp_json *j, wcp_json_tok *t)
{
    const char *start = j->p;
    long line = j->line;
    uint64_t line_off = j->line_off;
    if (*j->p != '"')
        return fail(j, j->p, "expected a key (a string)");
    int rc = string(j, t);
    if (!rc && !(rc = ws(j))) {
        if (*j->p != ':')
            return fail(j, j->p, "expected ':' after a key");
        j->p++;
        rc = ws(j);
    }
    if (rc > 0) { /* start over from the key */
        j->p = start;
        j->line = line;
        j->line_off = line_off;
    }
    t->type = WCP_JSON_KEY;
    return rc;
}

/* ---- structure */

static bool in_object(const wcp_json *j)
{
    int d = j->depth - 1;
    return j->stack[d / 64] >> (d % 64) & 1;
}

/* After a value: what its container wants next. */
static void value_done(wcp_json *j)
{
    j->want = j->depth ? W_AFTER : W_DONE;
}

/* A string or key at p (its quote), in parts when so flagged. */
static inline int string_tok(wcp_json *j, wcp_json_tok *t, bool key)
{
    if (!(j->flags & WCP_JSON_PARTS)) {
        int rc = string(j, t);
        if (rc)
            return rc;
        if (key) {
            t->type = WCP_JSON_KEY;
            j->want = W_COLON;
        } else
            value_done(j);
        return 0;
    }
    j->p++; /* the quote: the contents follow in parts */
    j->want = key ? W_KEYSTR : W_STRING;
    return WCP_JSON_MORE; /* the caller's loop asks for the first part */
}

/* The next part of a string or key read in parts. */
static int string_part(wcp_json *j, wcp_json_tok *t)
{
    const char *s = j->p;
    bool esc = false, key = j->want == W_KEYSTR;
    int rc = chars(j, &esc);
    if (rc < 0)
        return -1;
    if (rc > 0 && j->p == s)
        return WCP_JSON_MORE; /* nothing yet */
    tok_at(j, t, key ? WCP_JSON_KEY : WCP_JSON_STRING, s);
    t->esc = esc;
    t->part = rc > 0;
    t->p = s;
    t->n = (size_t)(j->p - s) - (rc == 0);
    if (rc == 0) {
        if (key)
            j->want = W_COLON;
        else
            value_done(j);
    }
    return 0;
}

static int open_container(wcp_json *j, wcp_json_tok *t, char ch)
{
    if (j->depth - j->floor >= j->max_depth || j->depth >= WCP_JSON_DEPTH_MAX)
        return fail(j, j->p, "nested deeper than %d levels", j->max_depth);
    int d = j->depth++;
    uint64_t bit = (uint64_t)1 << (d % 64);
    if (ch == '{')
        j->stack[d / 64] |= bit;
    else
        j->stack[d / 64] &= ~bit;
    tok_at(j, t, ch == '{' ? WCP_JSON_OBJECT : WCP_JSON_ARRAY, j->p);
    t->p = j->p++;
    t->n = 1;
    j->want = ch == '{' ? W_KEY_OR_END : W_VALUE_OR_END;
    return 0;
}

static int close_container(wcp_json *j, wcp_json_tok *t)
{
    j->depth--;
    tok_at(j, t, WCP_JSON_END, j->p);
    t->p = j->p++;
    t->n = 1;
    value_done(j);
    return 0;
}

/* The steps of wcp_json_next() and wcp_json_member(), each after blanks;
 * each sets `want` as it goes, so that WCP_JSON_MORE leaves the cursor
 * where to go on. */
#define STEP static inline __attribute__((always_inline)) int

/* After a value in a container: ',' (*closed false: a key or value follows)
 * or the container's close (*closed true, t its token). */
STEP after_value(wcp_json *j, wcp_json_tok *t, bool *closed)
{
    int rc = ws(j);
    if (rc)
        return rc;
    bool obj = in_object(j);
    if (*j->p == ',') {
        j->p++;
        j->want = obj ? W_KEY : W_VALUE;
        *closed = false;
        return 0;
    }
    if (*j->p != (obj ? '}' : ']'))
        return fail(j, j->p, "expected ',' or '%c'", obj ? '}' : ']');
    *closed = true;
    return close_container(j, t);
}

/* A key (t), or with W_KEY_OR_END the object's close (*closed true). */
STEP key_tok(wcp_json *j, wcp_json_tok *t, bool *closed)
{
    int rc = ws(j);
    if (rc)
        return rc;
    *closed = *j->p == '}' && j->want == W_KEY_OR_END;
    if (*closed)
        return close_container(j, t);
    if (*j->p != '"')
        return fail(j, j->p, "expected a key (a string)");
    if ((rc = string_tok(j, t, true)) > 0 && j->want == W_KEYSTR)
        return string_part(j, t); /* in parts: the first part */
    return rc;
}

/* The ':' after a key. */
STEP colon(wcp_json *j)
{
    int rc = ws(j);
    if (rc)
        return rc;
    if (*j->p != ':')
        return fail(j, j->p, "expected ':' after a key");
    j->p++;
    j->want = W_VALUE;
    return 0;
}

/* A value's first token, or with W_VALUE_OR_END the array's close. */
STEP value_tok(wcp_json *j, wcp_json_tok *t)
{
    int rc = ws(j);
    if (rc)
        return rc;
    char ch = *j->p;
    if (ch == ']' && j->want == W_VALUE_OR_END)
        return close_container(j, t);
    if (ch == '{' || ch == '[')
        return open_container(j, t, ch);
    if (ch == '"') {
        if ((rc = string_tok(j, t, false)) > 0 && j->want == W_STRING)
            return string_part(j, t); /* in parts: the first part */
        return rc;
    }
    if ((rc = scalar(j, t)))
        return rc;
    value_done(j);
    return 0;
}

int wcp_json_next(wcp_json *j, wcp_json_tok *t)
{
    int rc;
    bool closed = false; /* (set by after_value(); gcc -O3 could not tell) */
    switch (j->want) {
    case W_DONE: memset(t, 0, sizeof *t); return 0;
    case W_STRING:
    case W_KEYSTR: return string_part(j, t);
    case W_COLON: return (rc = colon(j)) ? rc : value_tok(j, t);
    case W_AFTER:
        if ((rc = after_value(j, t, &closed)) || closed)
            return rc;
        return j->want == W_KEY ? key_tok(j, t, &closed) : value_tok(j, t);
    case W_KEY:
    case W_KEY_OR_END: return key_tok(j, t, &closed);
    default: return value_tok(j, t);
    }
}

int wcp_json_member(wcp_json *j, wcp_json_tok *k, wcp_json_tok *v)
{
    const char *p = j->p;
    long line = j->line;
    uint64_t line_off = j->line_off;
    uint8_t want = j->want;
    bool closed = false;
    int rc = 0;
    if (!j->depth || !in_object(j) || want == W_STRING || want == W_KEYSTR)
        return fail(j, j->p, "not in an object's members");
    if (want == W_AFTER)
        rc = after_value(j, k, &closed);
    if (!rc && !closed && !(rc = key_tok(j, k, &closed)) && !closed && !(rc = colon(j)))
        rc = value_tok(j, v);
    if (rc > 0) { /* the member again from its start, with more text */
        j->p = p;
        j->line = line;
        j->line_off = line_off;
        j->want = want;
    }
    return rc;
}

int wcp_json_skip(wcp_json *j, wcp_json_tok *t)
{
    if (t->type != WCP_JSON_OBJECT && t->type != WCP_JSON_ARRAY)
        return 0;
    int outside = j->depth - 1, floor = j->floor, rc = 0;
    j->floor = outside;
    wcp_json_tok x;
    while (j->depth > outside && !(rc = wcp_json_next(j, &x)))
        ;
    j->floor = floor;
    if (!rc)
        t->n = (size_t)(j->p - t->p);
    return rc;
}

int wcp_json_stopped(const wcp_json *j)
{
    if (j->want == W_STRING || j->want == W_KEYSTR)
        return WCP_JSON_IN_STRING;
    if (j->p < j->end)
        return WCP_JSON_IN_TOKEN;
    return j->want == W_COLON ? WCP_JSON_AT_COLON : WCP_JSON_AT_BLANK;
}

/* ---- values */

size_t wcp_json_decode(const char *s, size_t n, char *out)
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
            *o++ = e == 'b'   ? '\b'
                   : e == 'f' ? '\f'
                   : e == 'n' ? '\n'
                   : e == 'r' ? '\r'
                   : e == 't' ? '\t'
                              : (char)e;
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

const char *wcp_json_type_name(int type)
{
    static const char *const names[] = {
        "nothing", "a string",  "a number", "a boolean", "a boolean",
        "null",    "an object", "an array", "a key",     "the end of a container"};
    return type >= 0 && type < (int)(sizeof names / sizeof names[0]) ? names[type] : "nothing";
}
