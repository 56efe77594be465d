/* fn_critpath.c - critical_path(spec, run): the exact decomposition of a
 * replay's makespan into segments (spec/analysis.md §4), of the baseline
 * or of a what-if; in time order.
 *
 *   SELECT * FROM critical_path;                                 -- the baseline's
 *   SELECT what, sum(dur_ns) FROM critical_path GROUP BY what;
 *   SELECT * FROM critical_path('call_exec:Container.from=0');   -- a what-if's
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE critical_path(seq, op_id, class_key, what, resource, start_ns,
 *                              end_ns, dur_ns, spec HIDDEN, run HIDDEN)
 *
 * what: self, wait, gap, offset or cycle (wcp_seg_what_name); resource: a
 * wait's ident, else its reason (wcp_graph_wait_resource), NULL for the
 * other segments. Times are simulated. spec as whatif()'s (NULL: the
 * baseline, whose path the model already holds).
 *
 * Errors: a bad spec, as whatif()'s. */
#include "fns.h"

#include <stdlib.h>

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    const char *spec = wcp_arg_text(c, 0);
    const wcp_seg *path = m->path;
    size_t n = m->n_path;
    wcp_seg *own = NULL;
    double *factor = NULL;
    int64_t *reg = NULL, *start = NULL, *after = NULL;
    wcp_tape *tape = NULL; /* §6 rule 8: the what-if's own tape */
    int rc = -1;
    if (spec) {
        if (wcp_whatif_replay(c->db, m, spec, &factor, &reg, &start, &after, &tape, c->stop, c->err,
                              sizeof c->err) < 0)
            goto done;
        if (wcp_tape_critical_path(tape ? tape : &m->tape, reg, start, after, &own, &n) < 0) {
            wcp_fail(c, "out of memory");
            goto done;
        }
        path = own;
    }
    for (size_t k = 0; k < n && !c->stopped; k++) {
        const wcp_seg *s = &path[k];
        if (s->what == WCP_SEG_WAIT && wcp_stop_poll(c->stop)) { /* its row reads SQL: slow */
            c->stopped = true;
            break;
        }
        wcp_put_int(c, (int64_t)k + 1);
        wcp_put_int(c, g->id[s->op]);
        wcp_put_static(c, wcp_op_class(m, s->op)->key);
        wcp_put_static(c, wcp_seg_what_name[s->what]);
        if (s->what == WCP_SEG_WAIT) {
            char *name = wcp_graph_wait_resource(c->db, &g->waits[s->wait]);
            wcp_put_text(c, name);
            free(name);
        } else {
            wcp_put_null(c);
        }
        wcp_put_int(c, s->start);
        wcp_put_int(c, s->end);
        wcp_put_int(c, wcp_seg_len(s));
    }
    rc = 0;
done:
    free(own);
    free(factor);
    free(reg);
    free(start);
    free(after);
    wcp_whatif_tape_free(tape);
    return rc;
}

const wcp_fn wcp_fn_critical_path = {
    "critical_path", "seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns", "spec",
    fill};
