/* fn_op_breakdown.c - op_breakdown(op, run): where one op's time went
 * (spec/analysis.md §7.1): one row per state, the parts adding up to its
 * duration exactly.
 *
 *   SELECT state, dur_ns FROM op_breakdown(42);
 *   SELECT sum(dur_ns) FROM op_breakdown(42);     -- the op's duration
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE op_breakdown(op_id, seq, state, dur_ns, pct, op HIDDEN, run HIDDEN)
 *
 * state: self (§2's self time, including any blocking nobody recorded),
 * children (inside a child, not waiting), wait:REASON or lock:RESOURCE
 * (inside one of its waits: the one that started first names it; lock for
 * a wait on a named resource, with no target); self and children always,
 * each waiting state once. pct: 100 * dur_ns / the op's duration (0 for a
 * zero-length op).
 *
 * op: an op id, an integer as the ops table stores it or text digits (for an
 * id above 2^63, wcp_arg_id()). Errors: op missing, not an op id, or no op of
 * the run. */
#include "breakdown.h"
#include "fns.h"
#include "ids.h"

#include <stdlib.h>

static int fill(wcp_call *c)
{
    const wcp_graph *g = &c->model->g;
    int64_t id;
    if (wcp_arg_id(c, 0, "op", &id) < 0)
        return -1;
    int32_t i = wcp_graph_find(g, id);
    if (i < 0) {
        char t[WCP_ID_TEXT_MAX];
        return wcp_fail(c, "no op %s in run %lld", wcp_id_text(t, id), (long long)g->run_id);
    }
    size_t nw = g->wait_off[i + 1] - g->wait_off[i];
    wcp_span *tmp = malloc((nw + 1) * sizeof *tmp);
    wcp_bd_part *parts = malloc(wcp_breakdown_max(g, (uint32_t)i) * sizeof *parts);
    int rc = -1;
    if (!tmp || !parts) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    size_t n = wcp_breakdown_op(g, (uint32_t)i, tmp, parts);
    int64_t dur = g->end[i] - g->start[i];
    for (size_t k = 0; k < n; k++) {
        char *name = k >= 2 ? wcp_db_string(c->db, parts[k].name) : NULL, buf[512];
        if (k >= 2 && !name) {
            wcp_fail(c, "out of memory");
            goto done;
        }
        wcp_bd_name(&parts[k], name, buf, sizeof buf);
        free(name);
        wcp_put_int(c, id);
        wcp_put_int(c, (int64_t)k + 1);
        wcp_put_text(c, buf);
        wcp_put_int(c, parts[k].ns);
        wcp_put_real(c, dur ? 100.0 * (double)parts[k].ns / (double)dur : 0.0);
    }
    rc = 0;
done:
    free(tmp);
    free(parts);
    return rc;
}

const wcp_fn wcp_fn_op_breakdown = {"op_breakdown", "op_id, seq, state, dur_ns, pct", "op", fill};
