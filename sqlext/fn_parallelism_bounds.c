/* fn_parallelism_bounds.c - parallelism_bounds(max_workers, run): Brent's
 * bounds on the run's makespan with P workers (spec/analysis.md §7.5), for
 * P = 1, 2, 4, ... up to max_workers (default 64): the answer to "would
 * more workers help?".
 *
 *   SELECT * FROM parallelism_bounds;
 *   SELECT workers, upper_ns FROM parallelism_bounds(1024);
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE parallelism_bounds(workers, work_ns, span_ns, lower_ns, upper_ns,
 *                                   max_workers HIDDEN, run HIDDEN)
 *
 * work and span as parallelism()'s run row; a greedy schedule on P workers
 * needs at most upper_ns = ceil(work / P) + span and at least lower_ns =
 * max(ceil(work / P), span) (the division rounded up, so that the bounds
 * stay bounds in integer nanoseconds).
 *
 * No rows for a run without ops.
 *
 * Errors: max_workers not an integer >= 1. */
#include "breakdown.h"
#include "fns.h"

#define DEFAULT_MAX_WORKERS 64

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    int64_t max, work = wcp_run_work(g), span = m->baseline, lo, hi;
    if (wcp_arg_int(c, 0, "max_workers", DEFAULT_MAX_WORKERS, 1, &max) < 0)
        return -1;
    if (g->n_ops == 0)
        return 0; /* nothing to bound */
    for (int64_t p = 1; p <= max; p *= 2) {
        wcp_brent_bounds(work, span, p, &lo, &hi);
        wcp_put_int(c, p);
        wcp_put_int(c, work);
        wcp_put_int(c, span);
        wcp_put_int(c, lo);
        wcp_put_int(c, hi);
        if (p > INT64_MAX / 2)
            break;
    }
    return 0;
}

const wcp_fn wcp_fn_parallelism_bounds = {
    "parallelism_bounds", "workers, work_ns, span_ns, lower_ns, upper_ns", "max_workers", fill};
