/* util.h - utilization and MMU (spec/analysis.md §7.2-3, Go's
 * MutatorUtilization and MMUCurve), for ops.
 *
 * At t every op in flight in state self or waiting (breakdown.h) is an
 * activity; u(t) = 1 - blocked(t) / activities(t), blocked counting the
 * activities in a waiting state of the selected set (default: all), and 0
 * where nothing is in flight. The concurrency is the number of activities
 * in self. Both are step functions, built once (O(n log n) in the number
 * of segments); MMU, MUD and the worst windows are computed exactly over
 * their steps.
 */
#ifndef WCP_UTIL_H
#define WCP_UTIL_H

#include "breakdown.h"

/* A waiting state (WCP_BD_WAIT or WCP_BD_LOCK, and its name). */
typedef struct wcp_state {
    wcp_bd_what what;
    uint32_t name;
} wcp_state;

/* The steps: over [t[k], t[k+1]), k < n, act[k] activities, blocked[k] of
 * them blocked and running[k] in self; t[0] is the trace's start (the
 * earliest op start), t[n] its end (the latest op end). integral[k]: the
 * integral of u over [t[0], t[k]] in ns. */
typedef struct wcp_util {
    size_t n;
    int64_t *t;
    uint32_t *act, *blocked, *running;
    double *integral;
} wcp_util;

/* Builds g's steps (g with waits); blocked: the states counted as blocked
 * (NULL: every waiting state). Polls stop (stop.h; NULL: never) every so
 * many ops, events (in the sort's passes too) and steps. Returns 0, -1
 * when out of memory, -2 when stop said stop (u is then empty). */
int wcp_util_build(const wcp_graph *g, const wcp_state *blocked, size_t n_blocked, wcp_stop *stop,
                   wcp_util *u);
void wcp_util_free(wcp_util *u);

/* u over step k. */
static inline double wcp_util_u(const wcp_util *u, size_t k)
{
    return u->act[k] ? 1.0 - (double)u->blocked[k] / (double)u->act[k] : 0.0;
}

/* The integral of u over [t[0], x], x within the trace; k: a step index
 * with t[k] <= x (a hint, moved forward as needed). */
double wcp_util_integral(const wcp_util *u, int64_t x, size_t *k);

/* MMU(w): the lowest mean of u over [x, x + w] for x from t[0] to t[n] - w
 * (w clamped to the trace's length; at least 1), and the x of the first
 * window reaching it. 0 with x = t[0] for an empty trace. */
double wcp_mmu(const wcp_util *u, int64_t w, int64_t *at);

/* MUD(w): the q-quantiles of the window mean for x uniform in
 * [t[0], t[n] - w], for each of the nq values q in [0, 1] (into out),
 * polling stop (NULL: never) every so many windows. Returns 0, -1 when
 * out of memory, -2 when stop said stop. */
int wcp_mud(const wcp_util *u, int64_t w, const double *q, size_t nq, double *out, wcp_stop *stop);

/* The k worst disjoint windows of width w, greedily from the lowest mean:
 * their starts into at[] and means into mean[] (room for k); returns how
 * many (fewer when the trace has no room for more), or -2 when stop (NULL:
 * never), polled every so many windows looked at, said stop. */
int64_t wcp_worst_windows(const wcp_util *u, int64_t w, size_t k, int64_t *at, double *mean,
                          wcp_stop *stop);

/* Ops blocked within [a, b): per op and selected waiting state (as
 * wcp_util_build's blocked), the time it spent there, most first (ties:
 * op index, then state). *out malloc'd. Polls stop (NULL: never) every so
 * many ops. Returns 0, -1 when out of memory, -2 when stop said stop
 * (nothing in *out). */
typedef struct wcp_blocked_op {
    uint32_t op;
    wcp_state state;
    int64_t ns;
} wcp_blocked_op;

int wcp_blocked_in(const wcp_graph *g, const wcp_state *blocked, size_t n_blocked, int64_t a,
                   int64_t b, wcp_stop *stop, wcp_blocked_op **out, size_t *n);

#endif
