/* quantiles.c - see quantiles.h. */
#include "quantiles.h"

#include <stdlib.h>

static int by_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

wcp_quantiles wcp_quantiles_of(int64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, by_i64);
    return (wcp_quantiles){v[n / 2], v[(size_t)((uint64_t)n * 95 / 100)], v[n - 1]};
}
