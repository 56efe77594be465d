/* fn_mud.c - mud(width, blocked, run): the distribution of the mean
 * utilization over windows of one width (spec/analysis.md §7.3, Go's MUD):
 * its quantiles, for a window start x uniform over the trace span.
 *
 *   SELECT quantile, utilization FROM mud(1000000);
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE mud(quantile, utilization, width HIDDEN, blocked_states HIDDEN, run HIDDEN)
 *
 * Quantiles 0 (= mmu(width)), 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1: the
 * least mean m such that the windows with mean <= m make that share of the
 * starts (exact: the mean is linear in x between the steps' boundaries).
 * A width above the span is the span. blocked_states as utilization()'s.
 *
 * Errors: width missing or < 1; a bad blocked state. */
#include "fns.h"
#include "states.h"

static const double quantiles[] = {0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 1};
#define NQ (sizeof quantiles / sizeof quantiles[0])

static int fill(wcp_call *c)
{
    int64_t width;
    wcp_util u;
    double out[NQ];
    if (!c->arg[0] || sqlite3_value_type(c->arg[0]) == SQLITE_NULL)
        return wcp_fail(c, "width (in ns) is required");
    if (wcp_arg_int(c, 0, "width", 0, 1, &width) < 0 || wcp_call_util(c, 1, &u) < 0)
        return -1;
    int rc = wcp_mud(&u, width, quantiles, NQ, out, c->stop);
    wcp_util_free(&u);
    if (rc < 0)
        return wcp_fail(c, rc == -2 ? "interrupted" : "out of memory");
    for (size_t k = 0; k < NQ; k++) {
        wcp_put_real(c, quantiles[k]);
        wcp_put_real(c, out[k]);
    }
    return 0;
}

const wcp_fn wcp_fn_mud = {"mud", "quantile, utilization", "width, blocked_states", fill};
