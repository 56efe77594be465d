/* grow.c - growing arrays (grow.h). */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

bool wcp_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap : 64;
    while (n < need) {
        if (n > SIZE_MAX / 2)
            return false;
        n *= 2;
    }
    if (size && n > SIZE_MAX / size)
        return false;
    void *q = realloc(*p, n * size);
    if (!q)
        return false;
    *p = q;
    *cap = n;
    return true;
}

void wcp_prefault(void *p, size_t from, size_t to)
{
#ifdef MADV_POPULATE_WRITE
    long ps = sysconf(_SC_PAGESIZE); /* (glibc: a stored value; a call a MiB) */
    size_t page = ps > 0 ? (size_t)ps : 4096;
    /* whole pages: from the one holding p + from (present already when it
     * starts before, or a neighbour's, which this leaves as it was) to the
     * last that ends by p + to */
    uintptr_t a = ((uintptr_t)p + from) & ~(uintptr_t)(page - 1);
    uintptr_t b = ((uintptr_t)p + to) & ~(uintptr_t)(page - 1);
    if (b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* before 5.14: EINVAL, as before */
#else
    (void)p;
    (void)from;
    (void)to;
#endif
}
