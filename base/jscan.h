/* jscan.h - a strict scanner for the flat JSON objects of wcprof dumps.
 *
 * Dump lines are objects whose values are integers and short strings. The
 * scanner reads them without building a tree: each key is looked up in a
 * caller's table and its value stored in a slot; nested values are checked
 * token by token (jansson's depth limit included) and kept as raw text.
 * Anything unusual (a string with escapes or non-ASCII bytes, a number that
 * is not a plain integer) goes to the JSON tokenizer (json.h) token by
 * token, so what the scanner accepts is exactly what jansson accepts
 * (tests/import/fuzz_dump.c checks this against jansson's own parse of the
 * line), with one exception: an integer above INT64_MAX up to UINT64_MAX,
 * which jansson refuses as too big, is JV_U64 here, in the value of a key
 * the caller knows (the dump format's ids are uint64, open_ops' included);
 * in an unknown key's value (kept as text, which jansson reads again) it is
 * refused as jansson refuses it. A refusal is worded by jansson, as it
 * always was.
 *
 * Ownership: decoded strings point either into the line (which must outlive
 * them) or into the scanner's scratch arena, valid until jscan_reset().
 */
#ifndef WCP_JSCAN_H
#define WCP_JSCAN_H

#include "errpos.h"

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef enum {
    JV_ABSENT = 0, /* key not present */
    JV_INT,        /* an integer that fits in int64 */
    JV_U64,        /* an integer in (INT64_MAX, UINT64_MAX]: i holds its bit pattern (ids) */
    JV_STR,        /* a string (decoded) */
    JV_OTHER,      /* anything else: real, true/false/null, array, object */
} jv_type;

typedef struct jv {
    jv_type type;   /* what the value is */
    int64_t i;      /* JV_INT: the value */
    const char *s;  /* JV_STR: decoded bytes (no NUL inside); JV_OTHER: raw text */
    size_t n;       /* length of s */
    const char *at; /* where the value's text starts (the scanner's; NULL: unknown) */
} jv;

typedef struct jscan {
    char *scratch;                /* arena for decoded strings and unknown-key JSON */
    char *xbuf;                   /* unknown "key":value pairs of the object being scanned */
    size_t xlen, xcap;            /* bytes used / allocated in xbuf */
    wcp_errpos err;               /* the last failure: its text and column (0: unknown) */
    const char *u64_at, *u64_end; /* the first JV_U64 integer of the value being scanned */
} jscan;

/* Looks up a key (decoded bytes): returns a slot index >= 0, or -1 for a key
 * the caller does not know (its "key":value text is then appended to the
 * object returned in *extra). */
typedef int (*jscan_keyfn)(const char *key, size_t n);

void jscan_init(jscan *js);
void jscan_reset(jscan *js); /* forget decoded strings (keeps memory) */
void jscan_free(jscan *js);

/* Parses the object text [p, p+n) into slots[0..nslots): a known key's value
 * goes to slots[k] (a repeated key, known or not, is refused, as jansson's
 * JSON_REJECT_DUPLICATES does: the spec calls it malformed); unknown keys
 * are collected into *extra as a JSON object text ({0} when none). Returns 0,
 * or -1 with js->err set (nothing else is promised). */
int jscan_object(jscan *js, const char *p, size_t n, jscan_keyfn keyfn, jv *slots, int nslots,
                 jv *extra);

/* Iterates the JSON array text of a JV_OTHER value: calls fn for each element
 * with the element parsed as a jv (strings decoded, nested values as raw
 * text). Returns 0, the first non-zero value of fn, or -1 with js->err set. */
typedef int (*jscan_elemfn)(void *ctx, size_t index, const jv *elem);
int jscan_array(jscan *js, const char *p, size_t n, jscan_elemfn fn, void *ctx);

#endif
