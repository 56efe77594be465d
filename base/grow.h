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

/* Makes the memory of [p + from, p + to) present and writable in one
 * system call where the kernel can (Linux's MADV_POPULATE_WRITE), rather
 * than in a page fault per 4 KiB as it is first written: on a virtual
 * machine a fault costs about 10 us, and a reader that fills 30 MB of
 * records takes 7,000 of them (docs/performance.md). Whole pages, from
 * the one holding p + from to the last that ends by p + to; contents are
 * never changed. A hint: nothing happens where it cannot. */
void wcp_prefault(void *p, size_t from, size_t to);

#define WCP_PREFAULT_STEP ((size_t)1 << 20)

/* For an array filled in order (element k of size bytes, room for cap):
 * when element k is the first to reach a new WCP_PREFAULT_STEP of the
 * array, that step is made present (wcp_prefault). So the pages come a
 * MiB at a time, and at most a MiB more than is written. */
static inline void wcp_prefault_ahead(void *p, size_t k, size_t cap, size_t size)
{
    size_t last = (k + 1) * size - 1; /* the element's last byte */
    size_t step = last / WCP_PREFAULT_STEP;
    if (k == 0 || (k * size - 1) / WCP_PREFAULT_STEP != step) {
        size_t to = (step + 1) * WCP_PREFAULT_STEP;
        wcp_prefault(p, k * size, to < cap * size ? to : cap * size);
    }
}

#endif
