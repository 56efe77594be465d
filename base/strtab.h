/* strtab.h - interned strings: each distinct byte string once, by index.
 *
 * Index 0 is always "" (so 0 means "none" where a string is optional, as in
 * a dump's string table); the others follow in order of first appearance.
 * Strings are bytes with a length (NUL allowed). Memory: the bytes once,
 * plus 12 bytes an index and 8 bytes of hash slots an index.
 */
#ifndef WCP_STRTAB_H
#define WCP_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct wcp_strtab {
    char *arena;       /* the bytes of every string, one after the other */
    size_t alen, acap; /* bytes used / allocated */
    size_t *off;       /* string k is arena[off[k], off[k] + len[k]) */
    uint32_t *len;
    size_t n, ncap; /* strings / room in off and len */
    uint32_t *slot; /* open addressing (hash.h): index + 1, 0 empty */
    size_t scap;
} wcp_strtab; /* {0} is an empty table */

/* The index of [s, s+n) in *out, added when new. Returns 0, or -1 out of
 * memory (or past 2^32 - 2 strings): the table is then unchanged. */
int wcp_strtab_intern(wcp_strtab *t, const char *s, size_t n, uint32_t *out);

/* The bytes of string k (< t->n) and their count in *n; valid until the
 * next intern. Can't fail. */
static inline const char *wcp_strtab_get(const wcp_strtab *t, uint32_t k, size_t *n)
{
    *n = t->len[k];
    return t->arena + t->off[k];
}

/* Frees the table's memory and leaves it empty ({0}). */
void wcp_strtab_free(wcp_strtab *t);

#endif
