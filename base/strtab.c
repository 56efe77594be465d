/* strtab.c - interned strings (strtab.h). */
#include "strtab.h"

#include "grow.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

void wcp_strtab_free(wcp_strtab *t)
{
    free(t->arena);
    free(t->off);
    free(t->len);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static uint64_t hash_of(const void *ctx, size_t k)
{
    const wcp_strtab *t = ctx;
    return wcp_hash_bytes(t->arena + t->off[k], t->len[k], 0);
}

/* Room for one more string in off and len (they share ncap). */
static int room(wcp_strtab *t)
{
    size_t cap = t->ncap;
    if (!wcp_grow((void **)&t->off, &cap, t->n + 1, sizeof *t->off))
        return -1;
    if (cap != t->ncap) {
        uint32_t *l = realloc(t->len, cap * sizeof *l);
        if (!l)
            return -1; /* off grew: harmless, ncap stays (room is asked again) */
        t->len = l;
        t->ncap = cap;
    }
    return 0;
}

int wcp_strtab_intern(wcp_strtab *t, const char *s, size_t n, uint32_t *out)
{
    if (t->n == 0) { /* index 0: "" */
        if (room(t) < 0)
            return -1;
        t->off[0] = 0;
        t->len[0] = 0;
        t->n = 1;
    }
    if (n == 0) {
        *out = 0;
        return 0;
    }
    if ((t->n + 1) * 2 > t->scap) {
        size_t cap = t->scap ? t->scap * 2 : 1024;
        uint32_t *ns = wcp_hash_slots(cap, 1, t->n, hash_of, t);
        if (!ns)
            return -1;
        free(t->slot);
        t->slot = ns;
        t->scap = cap;
    }
    size_t h = wcp_hash_bytes(s, n, 0) & (t->scap - 1);
    for (; t->slot[h]; h = (h + 1) & (t->scap - 1)) {
        uint32_t k = t->slot[h] - 1;
        if (t->len[k] == n && memcmp(t->arena + t->off[k], s, n) == 0) {
            *out = k;
            return 0;
        }
    }
    if (t->n >= UINT32_MAX - 1 || !wcp_grow((void **)&t->arena, &t->acap, t->alen + n, 1) ||
        room(t) < 0)
        return -1;
    memcpy(t->arena + t->alen, s, n);
    t->off[t->n] = t->alen;
    t->len[t->n] = (uint32_t)n;
    t->alen += n;
    t->slot[h] = (uint32_t)t->n + 1;
    *out = (uint32_t)t->n++;
    return 0;
}
