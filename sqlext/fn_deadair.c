/* fn_deadair.c - dead_air(min_ns, run): the gaps of at least min_ns
 * inside the trace where no op was running (spec/analysis.md §5): holes in
 * the union of the ops' recorded intervals, between the earliest start
 * and the latest end.
 *
 *   SELECT * FROM dead_air;                        -- gaps >= 50 ms
 *   SELECT sum(dur_ns) FROM dead_air(0);           -- every gap
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE dead_air(start_ns, end_ns, dur_ns, min_ns HIDDEN, run HIDDEN)
 *
 * Errors: min_ns not an integer >= 0. */
#define _GNU_SOURCE
#include "fns.h"

#include <stdlib.h>

#define DEFAULT_MIN_NS 50000000 /* 50 ms */

static int by_start(const void *a, const void *b, void *ctx)
{
    const int64_t *s = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return s[x] < s[y] ? -1 : s[x] > s[y];
}

static int fill(wcp_call *c)
{
    const wcp_graph *g = &c->model->g;
    int64_t min;
    if (wcp_arg_int(c, 0, "min_ns", DEFAULT_MIN_NS, 0, &min) < 0)
        return -1;
    if (g->n_ops == 0)
        return 0;
    uint32_t *order = malloc(g->n_ops * sizeof *order);
    if (!order)
        return wcp_fail(c, "out of memory");
    for (uint32_t i = 0; i < g->n_ops; i++)
        order[i] = i;
    qsort_r(order, g->n_ops, sizeof *order, by_start, (void *)g->start);
    int64_t covered = g->end[order[0]]; /* the union of intervals so far ends here */
    for (uint32_t k = 1; k < g->n_ops; k++) {
        uint32_t i = order[k];
        if (g->start[i] > covered && g->start[i] - covered >= min) {
            wcp_put_int(c, covered);
            wcp_put_int(c, g->start[i]);
            wcp_put_int(c, g->start[i] - covered);
        }
        if (g->end[i] > covered)
            covered = g->end[i];
    }
    free(order);
    return 0;
}

const wcp_fn wcp_fn_dead_air = {"dead_air", "start_ns, end_ns, dur_ns", "min_ns", fill};
