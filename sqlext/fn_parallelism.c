/* fn_parallelism.c - parallelism(run): work, span and parallelism of the
 * run and of each root (spec/analysis.md §7.5, Cilkscale's numbers).
 *
 *   SELECT * FROM parallelism WHERE root_id IS NULL;     -- the run
 *   SELECT root_id, parallelism FROM parallelism ORDER BY work_ns DESC LIMIT 10;
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE parallelism(root_id, class_key, ops, work_ns, span_ns, parallelism,
 *                            run HIDDEN)
 *
 * No rows for a run without ops. The first row is the run (root_id and
 * class_key NULL): work = every op's
 * self time summed, span = the baseline makespan. Then one row per root in
 * root order (start, id): work = its tree's self time, span = its simulated
 * duration in the baseline (finish minus start). parallelism = work / span
 * (NULL when span is 0). Brent's bounds for P workers: parallelism_bounds. */
#include "breakdown.h"
#include "fns.h"

#include <stdlib.h>

static void put_row(wcp_call *c, const int64_t *root_id, const char *key, int64_t ops, int64_t work,
                    int64_t span)
{
    if (root_id)
        wcp_put_int(c, *root_id);
    else
        wcp_put_null(c);
    if (key)
        wcp_put_static(c, key);
    else
        wcp_put_null(c);
    wcp_put_int(c, ops);
    wcp_put_int(c, work);
    wcp_put_int(c, span);
    if (span > 0)
        wcp_put_real(c, (double)work / (double)span);
    else
        wcp_put_null(c);
}

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    int64_t *work = malloc((g->n_roots + 1) * sizeof *work);
    int64_t *ops = malloc((g->n_roots + 1) * sizeof *ops);
    int rc = -1, got = work && ops ? wcp_root_work(m, c->stop, work, ops) : -1;
    if (got < 0) {
        wcp_fail(c, got == WCP_INTERRUPTED ? "interrupted" : "out of memory");
        goto done;
    }
    if (g->n_ops == 0) { /* nothing to say */
        rc = 0;
        goto done;
    }
    put_row(c, NULL, NULL, g->n_ops, wcp_run_work(g), m->baseline);
    for (uint32_t k = 0; k < g->n_roots; k++) {
        uint32_t r = g->root[k];
        put_row(c, &g->id[r], wcp_op_class(m, r)->key, ops[k], work[k], m->reg[r] - m->start[r]);
    }
    rc = 0;
done:
    free(work);
    free(ops);
    return rc;
}

const wcp_fn wcp_fn_parallelism = {
    "parallelism", "root_id, class_key, ops, work_ns, span_ns, parallelism", "", fill};
