/* fn_drift.c - replay_drift(run): the baseline replay's diagnostics
 * (spec/analysis.md §5): per op the replay finished whose simulated
 * duration differs from the recorded one, the difference, and how much of
 * a growth is its own (not explained by the ops it joined or awaited).
 *
 *   SELECT * FROM replay_drift ORDER BY drift_ns DESC LIMIT 10;
 *   SELECT * FROM replay_drift WHERE origin_ns > 0;   -- where drift starts
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE replay_drift(op_id, class_key, start_ns, dur_ns, sim_start_ns,
 *                             sim_dur_ns, drift_ns, origin_ns, run HIDDEN)
 *
 * drift_ns = sim_dur_ns - dur_ns; origin_ns = drift_ns minus the largest
 * drift of the ops it joined or awaited (the tape's MAX instructions),
 * when positive, else 0. Ops in op id order. */
#include "fns.h"

#include <stdlib.h>

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    const wcp_tape *t = &m->tape;
    size_t n1 = g->n_ops ? g->n_ops : 1;
    int64_t *drift = malloc(n1 * sizeof *drift), *dep = calloc(n1, sizeof *dep);
    if (!drift || !dep) {
        free(drift);
        free(dep);
        return wcp_fail(c, "out of memory");
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        drift[i] = t->finished[i] ? (m->reg[i] - m->start[i]) - (g->end[i] - g->start[i]) : 0;
    /* the largest growth among each op's dependencies (joins and awaits) */
    for (size_t k = 0; k < t->n; k++)
        if (wcp_ins_kind(&t->ins[k]) == WCP_I_MAX) {
            uint32_t op = wcp_ins_op(&t->ins[k]), arg = t->ins[k].arg;
            if (drift[arg] > dep[op])
                dep[op] = drift[arg];
        }
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (!t->finished[i] || drift[i] == 0)
            continue;
        wcp_put_int(c, g->id[i]);
        wcp_put_static(c, wcp_op_class(m, i)->key);
        wcp_put_int(c, g->start[i]);
        wcp_put_int(c, g->end[i] - g->start[i]);
        wcp_put_int(c, m->start[i]);
        wcp_put_int(c, m->reg[i] - m->start[i]);
        wcp_put_int(c, drift[i]);
        wcp_put_int(c, drift[i] > dep[i] ? drift[i] - dep[i] : 0);
    }
    free(drift);
    free(dep);
    return 0;
}

const wcp_fn wcp_fn_replay_drift = {
    "replay_drift",
    "op_id, class_key, start_ns, dur_ns, sim_start_ns, sim_dur_ns, drift_ns, origin_ns", "", fill};
