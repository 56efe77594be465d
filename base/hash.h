/* hash.h - hashing: the one byte hash of the project, a hash of a stream
 * that comes in pieces, and the open-addressing index our hash tables share.
 *
 * Not cryptographic: fast, well mixed, stable (the Chrome reader stores a
 * file's hash as its run's identity, so these functions never change).
 */
#ifndef WCP_HASH_H
#define WCP_HASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit finaliser of MurmurHash3: every input bit moves every output bit. */
static inline uint64_t wcp_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

/* h with the bytes [p, p+n) and their count folded in, finished. Can't fail. */
uint64_t wcp_hash_bytes(const void *p, size_t n, uint64_t h);

/* The hash of a stream read in pieces, so that a file is hashed as it is
 * read, without holding it: wcp_hasher_end() depends on the bytes added and
 * their order only, not on how they were cut. Start from {0}. */
typedef struct wcp_hasher {
    uint64_t h;             /* the whole 8-byte words folded so far */
    uint64_t total;         /* bytes added */
    unsigned char carry[8]; /* the bytes not yet a whole word */
    unsigned ncarry;
} wcp_hasher;

void wcp_hasher_add(wcp_hasher *s, const void *p, size_t n);
uint64_t wcp_hasher_end(const wcp_hasher *s);

/* An open-addressing index for a hash table of entries first..n-1 kept in
 * an array elsewhere: cap slots (a power of 2, more than n - first), each 0
 * (empty) or an entry's index + 1, entry k placed at hash_of(ctx, k) and
 * probed linearly. A new array (free() it), or NULL out of memory. */
uint32_t *wcp_hash_slots(size_t cap, size_t first, size_t n,
                         uint64_t (*hash_of)(const void *ctx, size_t k), const void *ctx);

#endif
