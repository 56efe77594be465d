/* grow.h - growing arrays: the one doubling realloc of the project. */
#ifndef WCP_GROW_H
#define WCP_GROW_H

#include <stdbool.h>
#include <stddef.h>

/* Makes the array *p (of elements of size bytes, room for *cap) hold at
 * least need: the room doubles, from 64. Returns false when out of memory
 * or when the size would overflow; *p and *cap are then unchanged (the
 * array is still valid and still the caller's to free). */
bool wcp_grow(void **p, size_t *cap, size_t need, size_t size);

#endif
