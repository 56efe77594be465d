/* fn_chain.c - blocking_chain(depth, run) and simulated_chain(depth, run):
 * the reference's two approximations of the critical path (spec/analysis.md
 * §4). From the root ending last, step to the not yet visited child or
 * wait target ending last: by recorded end (blocking_chain), or by
 * simulated finish in the baseline replay, over the ops it finished
 * (simulated_chain).
 *
 *   SELECT * FROM blocking_chain;                 -- at most 25 ops
 *   SELECT op_id, class_key FROM simulated_chain(10);
 *   SELECT * FROM blocking_chain(5, 1);           -- run 1
 *
 * The schema of each (argument columns HIDDEN):
 *
 *   CREATE TABLE blocking_chain(seq, op_id, class_key, start_ns, end_ns, dur_ns,
 *                               self_ns, depth HIDDEN, run HIDDEN)
 *
 * seq from 1; start_ns, end_ns and dur_ns recorded (blocking_chain) or
 * simulated (simulated_chain); self_ns as recorded. Ties: the first root
 * in root order; children in (start, id) order, then the op's waits.
 *
 * The two are one walk over different times (walk()), with the same
 * columns and argument: one file, so that the two cannot drift apart.
 *
 * Errors: depth not an integer >= 1. */
#include "fns.h"

#include <stdlib.h>

#define DEFAULT_DEPTH 25

/* The walk by key[] (an op's end), over ops with ok[i] (NULL: all). */
static int walk(wcp_call *c, const int64_t *key, const uint8_t *ok, const int64_t *start)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    int64_t depth;
    if (wcp_arg_int(c, 0, "depth", DEFAULT_DEPTH, 1, &depth) < 0)
        return -1;
    uint8_t *seen = calloc(g->n_ops ? g->n_ops : 1, 1);
    if (!seen)
        return wcp_fail(c, "out of memory");
    uint32_t cur = WCP_NONE;
    for (uint32_t k = 0; k < g->n_roots; k++) {
        uint32_t r = g->root[k];
        if ((!ok || ok[r]) && (cur == WCP_NONE || key[r] > key[cur]))
            cur = r;
    }
    for (int64_t seq = 1; cur != WCP_NONE && seq <= depth; seq++) {
        seen[cur] = 1;
        wcp_put_int(c, seq);
        wcp_put_int(c, g->id[cur]);
        wcp_put_static(c, wcp_op_class(m, cur)->key);
        wcp_put_int(c, start[cur]);
        wcp_put_int(c, key[cur]);
        wcp_put_int(c, key[cur] - start[cur]);
        wcp_put_int(c, g->self_ns[cur]);
        uint32_t next = WCP_NONE;
        for (uint32_t k = g->child_off[cur]; k < g->child_off[cur + 1]; k++) {
            uint32_t ch = g->child[k];
            if (!seen[ch] && (!ok || ok[ch]) && (next == WCP_NONE || key[ch] > key[next]))
                next = ch;
        }
        for (uint32_t k = g->wait_off[cur]; k < g->wait_off[cur + 1]; k++) {
            int32_t t = g->waits[k].target;
            if (t >= 0 && !seen[t] && (!ok || ok[t]) && (next == WCP_NONE || key[t] > key[next]))
                next = (uint32_t)t;
        }
        cur = next;
    }
    free(seen);
    return 0;
}

static int fill_blocking(wcp_call *c)
{
    return walk(c, c->model->g.end, NULL, c->model->g.start);
}

static int fill_simulated(wcp_call *c)
{
    return walk(c, c->model->reg, c->model->tape.finished, c->model->start);
}

#define CHAIN_COLUMNS "seq, op_id, class_key, start_ns, end_ns, dur_ns, self_ns"
const wcp_fn wcp_fn_blocking_chain = {"blocking_chain", CHAIN_COLUMNS, "depth", fill_blocking};
const wcp_fn wcp_fn_simulated_chain = {"simulated_chain", CHAIN_COLUMNS, "depth", fill_simulated};
