/* quantiles.h - the quantiles of docs/spec/analysis.md §5, computed once.
 *
 * p50 = sorted[n/2], p95 = sorted[n*95/100] and max = sorted[n-1] of a list
 * of lengths: the rule for a class's self times (class_stats), a task's
 * durations (tasks) and a resource's waits (resource_stats). */
#ifndef WCP_QUANTILES_H
#define WCP_QUANTILES_H

#include <stddef.h>
#include <stdint.h>

typedef struct wcp_quantiles {
    int64_t p50, p95, max;
} wcp_quantiles;

/* The quantiles of v[0..n), n > 0: what sorted[n/2], sorted[n*95/100]
 * and sorted[n-1] would be. Reorders v (in linear time, not a sort). */
wcp_quantiles wcp_quantiles_of(int64_t *v, size_t n);

#endif
