/* fns.h - the analysis functions (one file each) and what they share. */
#ifndef WCP_FNS_H
#define WCP_FNS_H

#include "tvf.h"

extern const wcp_fn wcp_fn_replay_summary, wcp_fn_whatif, wcp_fn_whatif_rank,
    wcp_fn_critical_path, wcp_fn_blocking_chain, wcp_fn_simulated_chain, wcp_fn_dead_air,
    wcp_fn_replay_drift;

/* A what-if replay of model m (of db) with spec: allocates factor (per
 * class), reg and start (per op) and, when after is not NULL, the trace
 * (per instruction); the caller frees them, also on failure. Returns the
 * makespan, or -1 with a message in err. */
int64_t wcp_whatif_replay(sqlite3 *db, const wcp_model *m, const char *spec, double **factor,
                          int64_t **reg, int64_t **start, int64_t **after, char *err, size_t errlen);

/* One what-if replay: class cls at factor (every other class 1); *saved
 * receives the baseline makespan minus the replay's. */
typedef struct wcp_job {
    uint32_t cls;
    double factor;
    int64_t *saved;
} wcp_job;

/* Runs the jobs WCP_LANES to a pass over the tape, on up to one thread per
 * core (the caller's among them; fn_rank.c). 0, or -1 when out of memory. */
int wcp_run_jobs(const wcp_model *m, wcp_job *jobs, size_t n);

#endif
