/* whatif.h - what-if replays of a model (spec/analysis.md §3): parsing a
 * spec and a factor list, one replay of a spec, the job pool that runs
 * many (class, factor) replays, WCP_LANES to a pass over the tape, on every
 * core, the rule that proves a replay saves nothing, and the ranking of
 * classes by what speeding them up saves (whatif_rank, and the coz and
 * html exports). */
#ifndef WCP_WHATIF_H
#define WCP_WHATIF_H

#include "model.h"

/* Parses a what-if spec (README.md) into factor[] (one per class, the rest
 * 1). 0, or -1 with a message. */
int wcp_parse_spec(sqlite3 *db, const wcp_model *m, const char *spec, double *factor, char *err,
                   size_t errlen);

/* Parses a factor list ("[0,0.5]" or "0,0.5"): *out malloc'd. 0 or -1. */
int wcp_parse_factors(const char *text, double **out, size_t *n, char *err, size_t errlen);

/* The largest factor a what-if takes (a class a million times slower);
 * above it a factor is refused, so no replay overflows 64 bits. */
#define WCP_FACTOR_MAX 1e6

/* One what-if replay of m with factor (per class; NULL: all 1) into reg
 * and start (per op): the tape's, or for a run with a lock (m->fifo) §6 rule
 * 8's, a tape compiled for these factors (replay.h). With after not
 * NULL, *after receives the trace (per instruction, malloc'd here) of the
 * tape that gave the result, and *tape (when not NULL) that tape: NULL for
 * m->tape, else one to free with wcp_whatif_tape_free. Rule 8's compiles
 * poll stop (from its connection's thread; NULL: never stops). The
 * makespan, -1 when out of memory, WCP_INTERRUPTED when stopped. */
int64_t wcp_whatif_eval(const wcp_model *m, const double *factor, int64_t *reg, int64_t *start,
                        int64_t **after, wcp_tape **tape, wcp_stop *stop);
/* Frees a tape wcp_whatif_eval gave (NULL: nothing). */
void wcp_whatif_tape_free(wcp_tape *t);

/* A what-if replay of model m (of db) with spec (wcp_whatif_eval):
 * allocates factor (per class), reg and start (per op) and, when after is
 * not NULL, the trace (per instruction of *tape, or of m->tape when *tape
 * is NULL); the caller frees them, also on failure (*tape with
 * wcp_whatif_tape_free). Returns the makespan, or -1 (WCP_INTERRUPTED when
 * stop said so) with a message in err. */
int64_t wcp_whatif_replay(sqlite3 *db, const wcp_model *m, const char *spec, double **factor,
                          int64_t **reg, int64_t **start, int64_t **after, wcp_tape **tape,
                          wcp_stop *stop, char *err, size_t errlen);

/* One what-if replay: class cls at factor (every other class 1); *saved
 * receives the baseline makespan minus the replay's. */
typedef struct wcp_job {
    uint32_t cls;
    double factor;
    int64_t *saved;
} wcp_job;

/* Runs the jobs WCP_LANES to a pass over the tape (with m->fifo, §6 rule
 * 8, one wcp_whatif_eval each), on up to one thread per
 * core (the caller's among them, which polls stop between its passes; the
 * others stop at their next pass once it says so). 0; -1 when out of
 * memory, WCP_INTERRUPTED when stopped (some jobs may then be left
 * undone). Reads m only: several pools may share it. */
int wcp_run_jobs(const wcp_model *m, wcp_stop *stop, wcp_job *jobs, size_t n);

/* Whether class cls of m provably saves nothing at factor f, so that its
 * replay can be skipped (pruned) with a saving of exactly 0: f is 1 (the
 * baseline), or f <= 1 and the class has no self time on the baseline
 * critical path (§3: the replay is a longest path over a fixed constraint
 * graph, monotone in the factors). Not for a run whose locks a what-if may
 * take in a new order (§6 rule 8, m->fifo): there only f = 1. The one
 * statement of that rule. */
bool wcp_saves_nothing(const wcp_model *m, uint32_t cls, double f);

/* The default least self time of a class worth ranking: 1 ms (whatif_rank's
 * min_self_ns, the coz export's min_self). */
#define WCP_RANK_MIN_SELF_NS 1000000

/* One ranked class: its savings, one per factor of the ranking. */
typedef struct wcp_ranked {
    uint32_t cls;   /* class index */
    int64_t *saved; /* saved[j]: the baseline makespan minus the replay's at factor j */
} wcp_ranked;

/* Classes ranked by what speeding them up saves. */
typedef struct wcp_ranking {
    wcp_ranked *r;  /* best first */
    size_t n;       /* classes ranked */
    int64_t *saved; /* the savings of all of them (r[i].saved points into it) */
} wcp_ranking;

/* Ranks the classes of m (polling stop) with at least min_self ns of self time by their
 * saving at the middle factor f[nf / 2] (largest first; ties: class key),
 * keeps the first top (0: all) and gives each kept class its saving at
 * every factor f[0 .. nf), nf >= 1. Every candidate is replayed at the
 * middle factor, only the kept ones at the others (all in one pool when
 * every candidate is kept). With prune (ignored with m->fifo, §6 rule 8), the replays wcp_saves_nothing
 * proves are skipped (their saving is 0), and with a top below the
 * candidates and a middle factor <= 1, candidates are replayed in
 * decreasing order of the most they can save (their self time on the
 * critical path, scaled) until none left can reach the top: the same top
 * rows (prop.top_n), far fewer replays. Returns 0 with *out filled (free
 * it with wcp_ranking_free); -1 when out of memory, WCP_INTERRUPTED when
 * stopped (*out then empty). */
int wcp_rank(const wcp_model *m, wcp_stop *stop, const double *f, size_t nf, int64_t min_self,
             size_t top, bool prune, wcp_ranking *out);

void wcp_ranking_free(wcp_ranking *r);

/* What-if replays of groups of ops instead of classes (the ops of one
 * metadata value: .rank --by meta). group[i] is op i's group, 0 for none
 * (never scaled); groups 1 .. ngroups-1 are replayed, each alone, with the
 * self time of its ops scaled by every factor f[0 .. nf) and every other op
 * unchanged: saved[(g - 1) * nf + j] receives the baseline makespan minus
 * that replay's. The replays are wcp_run_jobs' over a copy of the tape
 * whose SELF instructions name the op's group instead of its class. 0; -1
 * when out of memory, WCP_INTERRUPTED when stopped. */
int wcp_whatif_groups(const wcp_model *m, wcp_stop *stop, const uint32_t *group, uint32_t ngroups,
                      const double *f, size_t nf, int64_t *saved);

#endif
