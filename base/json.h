/* json.h - the one strict JSON tokenizer: resumable, over text that comes in pieces.
 *
 * Strict as RFC 8259 and jansson are: UTF-8 checked in strings (no overlong
 * forms, no surrogates, nothing past U+10FFFF), escapes checked (\u pairs,
 * no lone surrogate; \u0000 refused, as jansson refuses it), no control
 * characters in strings, the number grammar exactly, nesting limited. No
 * tree is built: the caller gets one token at a time, pointing into its own
 * buffer, and keeps what it wants.
 *
 * The text is what the caller's buffer holds, [p, end). When a token goes
 * on past `end`, a call returns WCP_JSON_MORE having consumed nothing of it
 * (the blanks before it are consumed): the caller reads more, points the
 * cursor at its buffer again (wcp_json_text()) and calls again, and the
 * cursor goes on where it was in the structure. `last` says that nothing
 * follows `end`, so that a number may end there. Strings longer than a
 * buffer can come in parts (WCP_JSON_PARTS). A caller that keeps pointers
 * into tokens (a record it fills from an object) instead reads the record
 * with a fresh cursor from its start and, on WCP_JSON_MORE, reads more and
 * starts the record over (the Chrome reader reads its events so).
 *
 * Two levels:
 *   tokens     wcp_json_ws(), _string(), _chars(), _number(), _scalar(),
 *              _key(): the token at p, nothing kept about the structure;
 *   structure  wcp_json_next(): the next token of a value ({ } [ ] , :
 *              checked, the containers open kept in the cursor),
 *              wcp_json_member(): an object's next key and value together,
 *              and wcp_json_skip(): the rest of an object or array whose
 *              first token was returned.
 *
 * Reading an object whose keys matter (every result checked: 0, or
 * WCP_JSON_MORE, or -1 with *j->err set):
 *
 *   wcp_json_tok k, v;
 *   wcp_json_next(j, &v);                        v.type == WCP_JSON_OBJECT
 *   while (wcp_json_member(j, &k, &v) == 0 && k.type == WCP_JSON_KEY) {
 *       wcp_json_skip(j, &v);                    an object or array: now whole (v.p, v.n)
 *       ... use k and v, or nothing ...
 *   }                                            k.type == WCP_JSON_END
 *
 * Errors: the text of jansson-like messages ("expected ',' or '}'",
 * "invalid UTF-8 in a string") with the line, the column and the position
 * of the offending byte, in the caller's wcp_errpos (errpos.h).
 */
#ifndef WCP_JSON_H
#define WCP_JSON_H

#include "errpos.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WCP_JSON_MORE 1         /* result: the text at hand ended inside a token */
#define WCP_JSON_DEPTH_MAX 1024 /* containers open at once, at most, in a cursor */
#define WCP_JSON_PARTS 1u       /* flag: strings and keys may come in parts */

typedef enum wcp_json_type {
    WCP_JSON_NONE = 0, /* no value (an absent key, in a caller's record) */
    WCP_JSON_STRING,
    WCP_JSON_NUMBER,
    WCP_JSON_TRUE,
    WCP_JSON_FALSE,
    WCP_JSON_NULL,
    WCP_JSON_OBJECT, /* wcp_json_next(): '{' opens; after wcp_json_skip(): the whole object */
    WCP_JSON_ARRAY,  /* the same for '[' */
    WCP_JSON_KEY,    /* a key of an object (a string; its ':' is checked after it) */
    WCP_JSON_END,    /* '}' or ']': the object or array open closes */
} wcp_json_type;

typedef struct wcp_json_tok {
    uint8_t type;  /* wcp_json_type */
    bool esc;      /* a string or key with escapes: wcp_json_decode() its bytes */
    bool part;     /* a string or key of which more follows (WCP_JSON_PARTS) */
    const char *p; /* a string or key: its bytes between the quotes, as written;
                         * else the token's text (the whole value after wcp_json_skip()) */
    size_t n;
    long line; /* where it starts: line, and column in bytes (1-based) */
    uint64_t col;
} wcp_json_tok;

typedef struct wcp_json {
    const char *p, *end; /* the next byte; the end of the text at hand */
    bool last;           /* nothing follows end */
    unsigned flags;      /* WCP_JSON_PARTS */
    int max_depth;       /* the most containers a value may nest (<= WCP_JSON_DEPTH_MAX) */
    wcp_errpos *err;     /* where a failure is told */
    /* positions, for errors and tokens: byte p is at base + (p - buf) in the source */
    const char *buf;
    uint64_t base;
    long line;         /* the line of p (1-based) */
    uint64_t line_off; /* the position where that line starts */
    /* the structure (wcp_json_next()) */
    uint8_t want;     /* what comes next */
    int depth, floor; /* containers open; those open around the value wcp_json_skip() reads */
    uint64_t stack[WCP_JSON_DEPTH_MAX / 64]; /* a bit per open container: 1 object, 0 array */
} wcp_json;

/* A cursor over the whole text [text, text+n) (last set, line 1, position
 * 0), at the start of a value, failures told in *err, nesting limited to
 * 512 containers. Can't fail. */
void wcp_json_init(wcp_json *j, const char *text, size_t n, wcp_errpos *err);

/* Back to the start of a value (the structure forgotten; the text kept). */
void wcp_json_reset(wcp_json *j);

/* The caller's buffer moved or grew: the text at hand is now buf[0, len),
 * buf[0] at position base in the source, and the cursor goes on at
 * buf[pos], where the caller moved the byte it was at. Can't fail. */
void wcp_json_text(wcp_json *j, const char *buf, size_t pos, size_t len, uint64_t base);

/* The position in the source of the byte at (the source's size when at end). */
static inline uint64_t wcp_json_pos(const wcp_json *j, const char *at)
{
    return j->base + (uint64_t)(at - j->buf);
}

/* The 1-based column of the byte at, on the cursor's line. */
static inline uint64_t wcp_json_col(const wcp_json *j, const char *at)
{
    return wcp_json_pos(j, at) - j->line_off + 1;
}

/* ---- tokens: each reads the token at p; 0 with p after it, WCP_JSON_MORE
 * with p where it was (unless said otherwise), or -1 with *j->err set. */

/* Skips blanks (space, tab, CR, LF; lines counted): 0 at a token, or
 * WCP_JSON_MORE with all of the text consumed. */
int wcp_json_ws(wcp_json *j);

/* The contents of a string from p (after its opening quote): 0 with p after
 * the closing quote, or WCP_JSON_MORE with p as far as it could go (never
 * inside an escape or a UTF-8 sequence: scanning goes on from there). *esc
 * is set when there was an escape. */
int wcp_json_chars(wcp_json *j, bool *esc);

/* A string (p at its opening quote). */
int wcp_json_string(wcp_json *j, wcp_json_tok *t);

/* A number (p at its '-' or first digit). */
int wcp_json_number(wcp_json *j, wcp_json_tok *t);

/* A string, number, true, false or null at p. */
int wcp_json_scalar(wcp_json *j, wcp_json_tok *t);

/* A key, its ':' and the blanks after (p at the key's quote). */
int wcp_json_key(wcp_json *j, wcp_json_tok *t);

/* ---- structure */

/* The next token of the value the cursor reads (after wcp_json_init() or
 * wcp_json_reset(): its first). Returns 0 with *t, WCP_JSON_MORE, or -1.
 * Once the value is complete, returns 0 with t->type WCP_JSON_NONE and
 * reads nothing. With WCP_JSON_PARTS, a string or key that goes past the
 * text at hand comes in parts (t->part set on all but the last; p can be
 * inside it on WCP_JSON_MORE). */
int wcp_json_next(wcp_json *j, wcp_json_tok *t);

/* In an object (after its '{' or a member): the next member's key in *k and
 * its value's first token in *v (then wcp_json_skip(j, v) for an object or
 * array), or k->type WCP_JSON_END when the object closes. Returns 0,
 * WCP_JSON_MORE (nothing of the member consumed: it is read again from its
 * key), or -1. Not with WCP_JSON_PARTS. */
int wcp_json_member(wcp_json *j, wcp_json_tok *k, wcp_json_tok *v);

/* After wcp_json_next() returned t, the start of an object or array: reads
 * the rest of it (its nesting counted from t, at most max_depth), and makes
 * t its whole text. Any other t: nothing to do. Returns 0, -1, or
 * WCP_JSON_MORE, after which the cursor cannot go on with this value: read
 * it again from its start, with more text. */
int wcp_json_skip(wcp_json *j, wcp_json_tok *t);

/* After WCP_JSON_MORE, what the cursor is in the middle of, for a message
 * when no more text will come. */
enum { WCP_JSON_AT_BLANK, WCP_JSON_IN_TOKEN, WCP_JSON_IN_STRING, WCP_JSON_AT_COLON };
int wcp_json_stopped(const wcp_json *j);

/* ---- values */

/* Decodes the bytes of a string token [s, s+n) (escapes resolved, as
 * UTF-8) into out, which has room for n bytes: the decoded text is never
 * longer. Returns its length. Can't fail. */
size_t wcp_json_decode(const char *s, size_t n, char *out);

/* "a string", "a number", "a boolean", "null", "an object", "an array"
 * ("nothing" for WCP_JSON_NONE): for messages. */
const char *wcp_json_type_name(int type);

#endif
