/* fn_related_ops.c - related_ops(op, depth, run): the ops tied to an op
 * (spec/analysis.md §7.4, Go's RelatedGoroutines), breadth first to a
 * depth, each with how it is tied.
 *
 *   SELECT op_id, depth, tie, via_id FROM related_ops(42);      -- depth 2
 *   SELECT count(*) FROM related_ops(42, 3);
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE related_ops(op_id, depth, tie, via_id, class_key, start_ns, end_ns,
 *                            op HIDDEN, depth_max HIDDEN, run HIDDEN)
 *
 * One row per op within depth_max steps (default 2), each at its least
 * depth, ordered by (depth, op_id); the op itself first (depth 0, tie
 * self). tie says how op_id is tied to via_id, the op one step nearer:
 * parent (op_id is via's parent), child, awaited (via waited on op_id),
 * waiter (op_id waited on via), linked (via has a link to op_id), linked_by
 * (op_id has a link to via). Reached several ways at one depth: the first
 * of those ties in that order, from the lowest via_id.
 *
 * op: an op id, an integer as the ops table stores it or text digits (for an
 * id above 2^63, wcp_arg_id()). Errors: op missing, not an op id, or no op of
 * the run; depth_max not an integer >= 0. */
#include "fns.h"
#include "ids.h"
#include "related.h"

#include <stdlib.h>

#define DEFAULT_DEPTH 2

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    int64_t id, depth;
    if (wcp_arg_id(c, 0, "op", &id) < 0 || wcp_arg_int(c, 1, "depth", DEFAULT_DEPTH, 0, &depth) < 0)
        return -1;
    int32_t i = wcp_graph_find(g, id);
    if (i < 0) {
        char t[WCP_ID_TEXT_MAX];
        return wcp_fail(c, "no op %s in run %lld", wcp_id_text(t, id), (long long)g->run_id);
    }
    if (depth > (int64_t)g->n_ops)
        depth = g->n_ops;
    const wcp_related_index *x = wcp_model_related(c->model, c->db, c->stop, c->err, sizeof c->err);
    if (!x)
        return -1;
    size_t n;
    wcp_related *r;
    int rc = wcp_related_ops(g, x, (uint32_t)i, (uint32_t)depth, c->stop, &r, &n);
    if (rc < 0)
        return wcp_fail(c, rc == WCP_INTERRUPTED ? "interrupted" : "out of memory");
    for (size_t k = 0; k < n && !c->stopped; k++) {
        uint32_t op = r[k].op;
        wcp_put_int(c, g->id[op]);
        wcp_put_int(c, r[k].depth);
        wcp_put_static(c, wcp_tie_name[r[k].tie]);
        wcp_put_int(c, g->id[r[k].via]);
        wcp_put_static(c, wcp_op_class(m, op)->key);
        wcp_put_int(c, g->start[op]);
        wcp_put_int(c, g->end[op]);
    }
    free(r);
    return 0;
}

const wcp_fn wcp_fn_related_ops = {
    "related_ops", "op_id, depth, tie, via_id, class_key, start_ns, end_ns", "op, depth_max", fill};
