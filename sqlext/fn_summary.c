/* fn_summary.c - replay_summary(run): the baseline replay's header facts
 * (spec/analysis.md §3, §5). */
#include "fns.h"

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    wcp_put_int(c, m->baseline);
    wcp_put_int(c, m->actual);
    wcp_put_real(c, m->actual ? 100.0 * (double)(m->baseline - m->actual) / (double)m->actual : 0.0);
    wcp_put_int(c, (int64_t)m->tape.cycles);
    wcp_put_int(c, (int64_t)m->tape.fallbacks);
    wcp_put_int(c, (int64_t)m->tape.unfinished);
    return 0;
}

const wcp_fn wcp_fn_replay_summary = {
    "replay_summary",
    "baseline_ns, makespan_ns, drift_pct, cycles_broken, fallback_anchors, unfinished_ops",
    "", fill};
