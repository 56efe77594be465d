/* fn_class_breakdown.c - class_breakdown(run): where the time of each class
 * key and of each root's tree went (spec/analysis.md §7.1): op_breakdown's
 * parts summed over the group's ops.
 *
 *   SELECT class_key, state, total_ns FROM class_breakdown WHERE scope = 'class';
 *   SELECT state, total_ns FROM class_breakdown WHERE root_id = 1;
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE class_breakdown(scope, class_key, root_id, seq, state, ops, total_ns,
 *                                pct, run HIDDEN)
 *
 * scope 'class': one group per class key (root_id NULL), in key order;
 * scope 'root': one per root, the ops of its tree (class_key: the root's),
 * in root order (start, id). Per group, seq numbers its states: self,
 * children (always), then each waiting state (wait:REASON, lock:RESOURCE)
 * in the order it first occurs. ops: the group's ops; total_ns: the state's
 * time summed over them; pct: 100 * total_ns / their total duration (0 when
 * that is 0). A group's total_ns add up to its ops' total duration. */
#include "breakdown.h"
#include "fns.h"

#include <stdlib.h>

static int put_group(wcp_call *c, const wcp_bd_table *t, uint32_t k, const char *scope,
                     const char *key, const int64_t *root_id)
{
    int64_t seq = 0;
    for (uint32_t x = t->first[k]; x != UINT32_MAX; x = t->e[x].next) {
        const wcp_bd_part *p = &t->e[x].part;
        char *name = p->what >= WCP_BD_WAIT ? wcp_db_string(c->db, p->name) : NULL, buf[512];
        if (p->what >= WCP_BD_WAIT && !name)
            return wcp_fail(c, "out of memory");
        wcp_bd_name(p, name, buf, sizeof buf);
        free(name);
        wcp_put_static(c, scope);
        wcp_put_static(c, key);
        if (root_id)
            wcp_put_int(c, *root_id);
        else
            wcp_put_null(c);
        wcp_put_int(c, ++seq);
        wcp_put_text(c, buf);
        wcp_put_int(c, t->ops[k]);
        wcp_put_int(c, p->ns);
        wcp_put_real(c, t->dur[k] ? 100.0 * (double)p->ns / (double)t->dur[k] : 0.0);
    }
    return 0;
}

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    wcp_bd_table t;
    int got = wcp_breakdown_sum(m, false, c->stop, &t);
    if (got < 0)
        return wcp_fail(c, got == WCP_INTERRUPTED ? "interrupted" : "out of memory");
    int rc = 0;
    for (uint32_t x = 0; x < m->classes.n && rc == 0; x++) {
        uint32_t k = m->classes.by_key[x];
        rc = put_group(c, &t, k, "class", m->classes.cls[k].key, NULL);
    }
    wcp_bd_table_free(&t);
    if (rc < 0)
        return rc;
    if ((got = wcp_breakdown_sum(m, true, c->stop, &t)) < 0)
        return wcp_fail(c, got == WCP_INTERRUPTED ? "interrupted" : "out of memory");
    for (uint32_t k = 0; k < g->n_roots && rc == 0; k++)
        rc = put_group(c, &t, k, "root", wcp_op_class(m, g->root[k])->key, &g->id[g->root[k]]);
    wcp_bd_table_free(&t);
    return rc;
}

const wcp_fn wcp_fn_class_breakdown = {
    "class_breakdown", "scope, class_key, root_id, seq, state, ops, total_ns, pct", "", fill};
