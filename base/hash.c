/* hash.c - hashing (hash.h). */
#include "hash.h"

#include <stdlib.h>
#include <string.h>

/* Folds the whole 8-byte words of [p, p+n) into h (n a multiple of 8). */
static uint64_t hash_words(const unsigned char *p, size_t n, uint64_t h)
{
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    return h;
}

uint64_t wcp_hash_bytes(const void *p, size_t n, uint64_t h)
{
    size_t whole = n & ~(size_t)7;
    h = hash_words(p, whole, h);
    uint64_t w = 0;
    memcpy(&w, (const unsigned char *)p + whole, n - whole);
    return wcp_mix64((h ^ w ^ n) * 0x9e3779b97f4a7c15ull);
}

void wcp_hasher_add(wcp_hasher *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->total += n;
    while (n && s->ncarry) {
        s->carry[s->ncarry++] = *p++;
        n--;
        if (s->ncarry == 8) {
            s->h = hash_words(s->carry, 8, s->h);
            s->ncarry = 0;
        }
    }
    if (!n)
        return; /* all of it went to the carry */
    size_t whole = n & ~(size_t)7;
    s->h = hash_words(p, whole, s->h);
    memcpy(s->carry, p + whole, n - whole);
    s->ncarry = (unsigned)(n - whole);
}

uint64_t wcp_hasher_end(const wcp_hasher *s)
{
    return wcp_hash_bytes(s->carry, s->ncarry, s->h ^ s->total); /* the last bytes, the length */
}

uint32_t *wcp_hash_slots(size_t cap, size_t first, size_t n,
                         uint64_t (*hash_of)(const void *ctx, size_t k), const void *ctx)
{
    uint32_t *slot = calloc(cap, sizeof *slot);
    if (!slot)
        return NULL;
    for (size_t k = first; k < n; k++) {
        size_t h = hash_of(ctx, k) & (cap - 1);
        while (slot[h])
            h = (h + 1) & (cap - 1);
        slot[h] = (uint32_t)k + 1;
    }
    return slot;
}
