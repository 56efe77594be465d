/* ids.h - op ids as the dump format types them, uint64, in the database's
 * int64 columns: an id is stored as its bit pattern (2^64-1 as -1;
 * db/README.md, "Ids"), so these are the one way to read and write one.
 *
 * wcp_id_text() writes the id a stored value stands for ("18446744073709551615"
 * for -1); wcp_parse_u64() reads the decimal digits of one (the shell's op
 * arguments, the analyses' text op ids); wcp_id_less() is the ids' order, the
 * uint64 one, which every "ties: the lower / higher id" of the spec means. */
#ifndef WCP_IDS_H
#define WCP_IDS_H

#include <stdbool.h>
#include <stdint.h>

#define WCP_ID_TEXT_MAX 21 /* "18446744073709551615" and its NUL */

/* The uint64 id that stored value v stands for, in decimal, into buf
 * (WCP_ID_TEXT_MAX bytes); returns buf. */
char *wcp_id_text(char *buf, int64_t v);

/* Reads s, nothing but decimal digits (no sign, no space), a value of 0 to
 * 18446744073709551615, into *out. 0, or -1 for anything else. */
int wcp_parse_u64(const char *s, uint64_t *out);

/* Ids in their order: as uint64. */
static inline bool wcp_id_less(int64_t a, int64_t b)
{
    return (uint64_t)a < (uint64_t)b;
}

#endif
