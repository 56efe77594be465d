/* quantiles.c - see quantiles.h.
 *
 * Three order statistics, not a sort: p95 selected in the whole list,
 * p50 in what comes before it, the max in what comes after. Selection is
 * quickselect with a three-way partition (self times repeat: a class of
 * ops that all took 0 ns is one partition, not n), median-of-three
 * pivots, and a sort of what is left after 2 log2 n rounds, so no input
 * makes it quadratic. At 1M ops, the class statistics of a load took
 * 0.1 s sorting every class's self times. */
#include "quantiles.h"

#include <stdlib.h>

static int by_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void swap(int64_t *a, int64_t *b)
{
    int64_t t = *a;
    *a = *b;
    *b = t;
}

/* Puts into v[k] what a sort of v[0..n) would, every smaller or equal
 * value before it and every larger or equal one after. */
static void select_k(int64_t *v, size_t n, size_t k)
{
    size_t lo = 0, hi = n; /* k is in [lo, hi) */
    int rounds = 0;
    for (size_t m = n; m; m >>= 1)
        rounds += 2;
    while (hi - lo > 16) {
        if (rounds-- == 0) {
            qsort(v + lo, hi - lo, sizeof *v, by_i64);
            return;
        }
        int64_t a = v[lo], b = v[lo + (hi - lo) / 2], c = v[hi - 1];
        int64_t p = a < b ? (b < c ? b : a < c ? c : a) : (a < c ? a : b < c ? c : b);
        /* [lo, lt) < p, [lt, i) == p, [gt, hi) > p */
        size_t lt = lo, i = lo, gt = hi;
        while (i < gt) {
            if (v[i] < p)
                swap(&v[lt++], &v[i++]);
            else if (v[i] > p)
                swap(&v[i], &v[--gt]);
            else
                i++;
        }
        if (k < lt)
            hi = lt;
        else if (k >= gt)
            lo = gt;
        else
            return; /* v[k] == p, in place */
    }
    for (size_t i = lo + 1; i < hi; i++) { /* a few: insertion */
        int64_t x = v[i];
        size_t j = i;
        for (; j > lo && v[j - 1] > x; j--)
            v[j] = v[j - 1];
        v[j] = x;
    }
}

wcp_quantiles wcp_quantiles_of(int64_t *v, size_t n)
{
    size_t k95 = (size_t)((uint64_t)n * 95 / 100), k50 = n / 2;
    select_k(v, n, k95);
    if (k50 < k95)
        select_k(v, k95, k50);
    int64_t max = v[k95];
    for (size_t i = k95 + 1; i < n; i++)
        max = v[i] > max ? v[i] : max;
    return (wcp_quantiles){v[k50], v[k95], max};
}
