/* fn_rank.c - whatif_rank(factors, min_self_ns, prune, run): for every class
 * with enough self time and every factor, what the replay saves when that
 * class's self time is scaled by the factor, every other class unchanged
 * (spec/analysis.md §3); ranked by the saving at the middle factor.
 *
 *   SELECT * FROM whatif_rank;                                   -- factors 0, 0.5, 0.9
 *   SELECT class_key, saved_ns FROM whatif_rank('[0.5]') ORDER BY rank LIMIT 10;
 *   SELECT * FROM whatif_rank('0,0.25,0.5', 0);                  -- every class
 *   SELECT * FROM whatif_rank(NULL, NULL, 0, 1);                 -- run 1, nothing pruned
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE whatif_rank(class_key, work_type, factor, saved_ns, total_self_ns,
 *                            critical_ns, rank, factors HIDDEN, min_self_ns HIDDEN,
 *                            prune HIDDEN, run HIDDEN)
 *
 * One row per (class, factor), in rank order, then factor order. factors:
 * a list "[0,0.5,0.9]" or "0,0.5,0.9" of numbers >= 0, one comma between
 * each two (an empty item or a stray comma is refused; default [0,0.5,0.9]).
 * min_self_ns: the least total self time of a class ranked (default 1 ms).
 * rank: 1 for the largest saving at the middle factor factors[n/2]; ties by
 * class key. prune (default 1): skip the replays that provably save nothing
 * (wcp_saves_nothing: factor 1, or a factor <= 1 for a class with no
 * critical time); 0 replays them all, for tests. The replays are
 * wcp_rank's: WCP_LANES to a pass over the compiled tape, on every core.
 * With a constraint rank <= N (tvf.c), only the top N classes' rows, the
 * same as the full ranking's first N: their replays at the other factors,
 * and the middle factor's for those whose bound could reach the top.
 *
 * Errors: a bad factor list, min_self_ns or prune not an integer >= 0. */
#include "fns.h"

#include <stdlib.h>

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const char *text = wcp_arg_text(c, 0);
    int64_t min_self, prune;
    double *f = NULL;
    size_t nf = 0;
    wcp_ranking rk;
    if (wcp_arg_int(c, 1, "min_self_ns", WCP_RANK_MIN_SELF_NS, 0, &min_self) < 0 ||
        wcp_arg_int(c, 2, "prune", 1, 0, &prune) < 0)
        return -1;
    if (wcp_parse_factors(text ? text : "[0,0.5,0.9]", &f, &nf, c->err, sizeof c->err) < 0)
        return -1;
    int rc = wcp_rank(m, c->stop, f, nf, min_self, (size_t)c->top, prune != 0, &rk);
    if (rc < 0) {
        free(f);
        return wcp_fail(c, rc == WCP_INTERRUPTED ? "interrupted" : "out of memory");
    }
    for (size_t i = 0; i < rk.n; i++) {
        const wcp_class *k = &m->classes.cls[rk.r[i].cls];
        for (size_t j = 0; j < nf; j++) {
            wcp_put_static(c, k->key);
            wcp_put_static(c, k->work_type);
            wcp_put_real(c, f[j]);
            wcp_put_int(c, rk.r[i].saved[j]);
            wcp_put_int(c, k->total_self);
            wcp_put_int(c, k->critical);
            wcp_put_int(c, (int64_t)i + 1);
        }
    }
    wcp_ranking_free(&rk);
    free(f);
    return 0;
}

const wcp_fn wcp_fn_whatif_rank = {
    "whatif_rank", "class_key, work_type, factor, saved_ns, total_self_ns, critical_ns, rank",
    "factors, min_self_ns, prune", fill};
