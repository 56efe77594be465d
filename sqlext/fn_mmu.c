/* fn_mmu.c - mmu(width, blocked, run): the minimum mean utilization
 * (spec/analysis.md §7.3, Go's MMUCurve): for a window width w, the lowest
 * mean of u (utilization()'s) over any window [x, x + w] of the trace span.
 *
 *   SELECT * FROM mmu;                  -- 50 widths, 1 us to the span
 *   SELECT mmu FROM mmu(1000000);       -- w = 1 ms
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE mmu(width_ns, mmu, at_ns, width HIDDEN, blocked_states HIDDEN, run HIDDEN)
 *
 * width NULL: 50 widths spaced evenly on a log scale from 1 us to the trace
 * span (fewer when the span is shorter; each once); else that width. A
 * width above the span is the span. at_ns: the start of the first window
 * with that mean. Exact over the steps of u (a window's mean can only turn
 * where its start or its end crosses a step), not sampled. blocked_states
 * as utilization()'s.
 *
 * Errors: width < 1; a bad blocked state. */
#include "fns.h"
#include "states.h"

#include <math.h>

#define N_WIDTHS 50
#define MIN_WIDTH 1000

static void put(wcp_call *c, const wcp_util *u, int64_t w)
{
    int64_t at;
    double m = wcp_mmu(u, w, &at);
    wcp_put_int(c, w);
    wcp_put_real(c, m);
    wcp_put_int(c, at);
}

static int fill(wcp_call *c)
{
    int64_t width;
    wcp_util u;
    if (wcp_arg_int(c, 0, "width", 0, 1, &width) < 0 || wcp_call_util(c, 1, &u) < 0)
        return -1;
    int64_t span = u.n ? u.t[u.n] - u.t[0] : 0;
    if (width) {
        put(c, &u, width > span && span > 0 ? span : width);
    } else if (span > 0) {
        int64_t prev = 0;
        double lo = log((double)MIN_WIDTH), hi = log((double)span);
        for (int k = 0; k < N_WIDTHS; k++) {
            int64_t w = span <= MIN_WIDTH ? span
                        : k == N_WIDTHS - 1
                            ? span
                            : (int64_t)llround(exp(lo + (hi - lo) * k / (N_WIDTHS - 1)));
            if (w <= prev)
                continue;
            if (wcp_stop_poll(c->stop)) { /* a width takes up to tens of ms at 1M ops */
                wcp_util_free(&u);
                return wcp_fail(c, "interrupted");
            }
            put(c, &u, w);
            prev = w;
        }
    }
    wcp_util_free(&u);
    return 0;
}

const wcp_fn wcp_fn_mmu = {"mmu", "width_ns, mmu, at_ns", "width, blocked_states", fill};
