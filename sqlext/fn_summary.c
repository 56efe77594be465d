/* fn_summary.c - replay_summary(run): the baseline replay's header facts
 * (spec/analysis.md §3, §5): one row.
 *
 *   SELECT * FROM replay_summary;            -- the most recent run
 *   SELECT baseline_ns, drift_pct FROM replay_summary(1);
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE replay_summary(baseline_ns, makespan_ns, drift_pct, cycles_broken,
 *                               fallback_anchors, unfinished_ops, run HIDDEN)
 *
 * baseline_ns: the replay's makespan with every factor 1; makespan_ns: the
 * recorded one; drift_pct = 100 * (baseline - makespan) / makespan (0 when
 * the makespan is 0); then what the replay had to decide (§3): cycles it
 * broke, ops it placed by a fallback anchor, ops it never finished. */
#include "fns.h"

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    wcp_put_int(c, m->baseline);
    wcp_put_int(c, m->actual);
    wcp_put_real(c,
                 m->actual ? 100.0 * (double)(m->baseline - m->actual) / (double)m->actual : 0.0);
    wcp_put_int(c, (int64_t)m->tape.cycles);
    wcp_put_int(c, (int64_t)m->tape.fallbacks);
    wcp_put_int(c, (int64_t)m->tape.unfinished);
    return 0;
}

const wcp_fn wcp_fn_replay_summary = {
    "replay_summary",
    "baseline_ns, makespan_ns, drift_pct, cycles_broken, fallback_anchors, unfinished_ops", "",
    fill};
