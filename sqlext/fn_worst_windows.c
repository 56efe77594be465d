/* fn_worst_windows.c - worst_windows(width, k, blocked, run): the k
 * disjoint windows of lowest mean utilization (spec/analysis.md §7.3, Go's
 * MMU "Examples"), with the ops blocked there.
 *
 *   SELECT * FROM worst_windows(1000000);             -- w = 1 ms, 5 windows
 *   SELECT DISTINCT rank, start_ns, utilization FROM worst_windows(1000000, 3);
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE worst_windows(rank, start_ns, end_ns, utilization, op_id, class_key,
 *                              state, blocked_ns, width HIDDEN, k HIDDEN,
 *                              blocked_states HIDDEN, run HIDDEN)
 *
 * Windows found greedily: the lowest mean first (the earliest of equals),
 * then the lowest among the windows not overlapping those found (windows
 * may touch), up to k (default 5) or while there is room. Per window, the
 * ops blocked in it: up to 5 rows (op, state), most blocked_ns first (time
 * in that selected waiting state inside the window); a window where no op
 * was blocked has one row with op_id, class_key, state and blocked_ns NULL.
 * A width above the span is the span. blocked_states as utilization()'s.
 *
 * Errors: width missing or < 1; k < 1; a bad blocked state. */
#include "fns.h"
#include "states.h"

#include <stdlib.h>

#define DEFAULT_K 5
#define OPS_PER_WINDOW 5

static int fill(wcp_call *c)
{
    const wcp_graph *g = &c->model->g;
    int64_t width, k;
    wcp_util u;
    wcp_state *sel = NULL, none;
    size_t n_sel;
    bool all;
    if (!c->arg[0] || sqlite3_value_type(c->arg[0]) == SQLITE_NULL)
        return wcp_fail(c, "width (in ns) is required");
    if (wcp_arg_int(c, 0, "width", 0, 1, &width) < 0 ||
        wcp_arg_int(c, 1, "k", DEFAULT_K, 1, &k) < 0 ||
        wcp_call_states(c, 2, &sel, &n_sel, &all) < 0)
        return -1;
    if (k > 1000)
        k = 1000;
    const wcp_state *s = all ? NULL : sel ? sel : &none;
    int64_t *at = malloc((size_t)k * sizeof *at);
    double *mean = malloc((size_t)k * sizeof *mean);
    int rc = -1;
    if (!at || !mean) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    int built = wcp_util_build(g, s, n_sel, c->stop, &u);
    if (built < 0) {
        wcp_fail(c, built == -2 ? "interrupted" : "out of memory");
        goto done;
    }
    int64_t span = u.n ? u.t[u.n] - u.t[0] : 0, w = width > span ? span : width;
    int64_t n = wcp_worst_windows(&u, width, (size_t)k, at, mean, c->stop);
    wcp_util_free(&u);
    if (n < 0) {
        wcp_fail(c, "interrupted");
        goto done;
    }
    for (int64_t r = 0; r < n; r++) {
        wcp_blocked_op *b;
        size_t nb;
        int got = wcp_blocked_in(g, s, n_sel, at[r], at[r] + w, c->stop, &b, &nb);
        if (got < 0) {
            wcp_fail(c, got == -2 ? "interrupted" : "out of memory");
            goto done;
        }
        for (size_t j = 0; j < (nb ? nb : 1) && j < OPS_PER_WINDOW; j++) {
            wcp_put_int(c, r + 1);
            wcp_put_int(c, at[r]);
            wcp_put_int(c, at[r] + w);
            wcp_put_real(c, mean[r]);
            if (!nb) {
                for (int x = 0; x < 4; x++)
                    wcp_put_null(c);
                continue;
            }
            wcp_bd_part p = {b[j].state.what, b[j].state.name, 0};
            char *name = wcp_db_string(c->db, p.name), buf[512];
            if (!name) {
                free(b);
                wcp_fail(c, "out of memory");
                goto done;
            }
            wcp_bd_name(&p, name, buf, sizeof buf);
            free(name);
            wcp_put_int(c, g->id[b[j].op]);
            wcp_put_static(c, wcp_op_class(c->model, b[j].op)->key);
            wcp_put_text(c, buf);
            wcp_put_int(c, b[j].ns);
        }
        free(b);
    }
    rc = 0;
done:
    free(sel);
    free(at);
    free(mean);
    return rc;
}

const wcp_fn wcp_fn_worst_windows = {
    "worst_windows", "rank, start_ns, end_ns, utilization, op_id, class_key, state, blocked_ns",
    "width, k, blocked_states", fill};
