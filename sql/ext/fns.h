/* fns.h - the analysis functions (one file each) and what they share. */
#ifndef WCP_FNS_H
#define WCP_FNS_H

#include "tvf.h"

extern const wcp_fn wcp_fn_replay_summary, wcp_fn_whatif, wcp_fn_whatif_rank,
    wcp_fn_critical_path, wcp_fn_blocking_chain, wcp_fn_simulated_chain, wcp_fn_dead_air,
    wcp_fn_replay_drift;

/* A what-if replay of the call's model with spec: allocates factor (per
 * class), reg and start (per op) and, when after is not NULL, the trace
 * (per instruction); the caller frees them, also on failure. Returns the
 * makespan, or -1 with c->err set. */
int64_t wcp_whatif_replay(wcp_call *c, const char *spec, double **factor, int64_t **reg,
                          int64_t **start, int64_t **after);

#endif
