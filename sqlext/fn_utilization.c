/* fn_utilization.c - utilization(blocked, buckets, run): u(t) and the
 * concurrency curve (spec/analysis.md §7.2), as steps or in equal slices.
 *
 *   SELECT * FROM utilization;                       -- every step
 *   SELECT start_ns, utilization FROM utilization(NULL, 20);
 *   SELECT * FROM utilization('lock:cache-lock');    -- only that lock blocks
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE utilization(start_ns, end_ns, activities, blocked, running,
 *                            utilization, blocked_states HIDDEN, buckets HIDDEN, run HIDDEN)
 *
 * At t, every op in flight in state self or waiting (op_breakdown's states)
 * is an activity; blocked: the activities in a waiting state of the
 * selected set (blocked_states: a comma-separated list, "wait:io,lock:R";
 * NULL: every waiting state); running: the activities in self (the
 * concurrency curve). utilization = 1 - blocked / activities, 0 where
 * nothing is in flight. Without buckets: one row per step over the trace
 * span (earliest op start to latest op end), the counts exact integers.
 * With buckets N: N slices of equal length (the last one takes the
 * remainder), each column the time-weighted mean over the slice (reals).
 *
 * Errors: a blocked state that is not wait:... or lock:...; buckets < 1. */
#include "fns.h"
#include "states.h"

static int fill(wcp_call *c)
{
    int64_t buckets;
    wcp_util u;
    if (wcp_arg_int(c, 1, "buckets", 0, 1, &buckets) < 0 || wcp_call_util(c, 0, &u) < 0)
        return -1;
    if (!buckets) {
        for (size_t k = 0; k < u.n && !c->stopped; k++) { /* every step: millions */
            wcp_put_int(c, u.t[k]);
            wcp_put_int(c, u.t[k + 1]);
            wcp_put_int(c, u.act[k]);
            wcp_put_int(c, u.blocked[k]);
            wcp_put_int(c, u.running[k]);
            wcp_put_real(c, wcp_util_u(&u, k));
        }
        wcp_util_free(&u);
        return 0;
    }
    int64_t t0 = u.t[0], len = u.t[u.n] - t0;
    size_t k = 0;
    for (int64_t b = 0; b < buckets && len > 0; b++) {
        int64_t a = t0 + len / buckets * b, e = b + 1 == buckets ? t0 + len : a + len / buckets;
        double act = 0, blk = 0, run = 0, ui = 0, span = (double)(e - a);
        while (k + 1 < u.n && u.t[k + 1] <= a)
            k++;
        for (size_t j = k; j < u.n && u.t[j] < e; j++) {
            int64_t lo = u.t[j] > a ? u.t[j] : a, hi = u.t[j + 1] < e ? u.t[j + 1] : e;
            double d = (double)(hi - lo);
            act += d * u.act[j];
            blk += d * u.blocked[j];
            run += d * u.running[j];
            ui += d * wcp_util_u(&u, j);
        }
        wcp_put_int(c, a);
        wcp_put_int(c, e);
        wcp_put_real(c, span > 0 ? act / span : 0);
        wcp_put_real(c, span > 0 ? blk / span : 0);
        wcp_put_real(c, span > 0 ? run / span : 0);
        wcp_put_real(c, span > 0 ? ui / span : 0);
    }
    wcp_util_free(&u);
    return 0;
}

const wcp_fn wcp_fn_utilization = {"utilization",
                                   "start_ns, end_ns, activities, blocked, running, utilization",
                                   "blocked_states, buckets", fill};
