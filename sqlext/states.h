/* states.h - what the utilization functions share (fn_utilization.c,
 * fn_mmu.c, fn_mud.c, fn_worst_windows.c): their `blocked` argument and the
 * steps of u (model/util.h) built from it. */
#ifndef WCP_STATES_H
#define WCP_STATES_H

#include "tvf.h"
#include "util.h"

/* Builds c's run's steps with argument i as the blocked states: NULL (every
 * waiting state), or a comma-separated list of states as op_breakdown
 * names them ("wait:io,lock:cache-lock"; a state the run does not have
 * matches nothing). Returns 0, or -1 with c->err set. */
int wcp_call_util(wcp_call *c, int i, wcp_util *u);

/* The same selection alone: *sel malloc'd (NULL, *all true: every waiting
 * state). Returns 0, or -1 with c->err set. */
int wcp_call_states(wcp_call *c, int i, wcp_state **sel, size_t *n, bool *all);

#endif
