/* whatif.h - what-if replays of a model (spec/analysis.md §3): parsing a
 * spec and a factor list, one replay of a spec, and the job pool that runs
 * many (class, factor) replays, WCP_LANES to a pass over the tape, on every
 * core. */
#ifndef WCP_WHATIF_H
#define WCP_WHATIF_H

#include "model.h"

/* Parses a what-if spec (README.md) into factor[] (one per class, the rest
 * 1). 0, or -1 with a message. */
int wcp_parse_spec(sqlite3 *db, const wcp_model *m, const char *spec, double *factor, char *err,
                   size_t errlen);

/* Parses a factor list ("[0,0.5]" or "0,0.5"): *out malloc'd. 0 or -1. */
int wcp_parse_factors(const char *text, double **out, size_t *n, char *err, size_t errlen);

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
 * core (the caller's among them). 0, or -1 when out of memory. */
int wcp_run_jobs(const wcp_model *m, wcp_job *jobs, size_t n);

#endif
