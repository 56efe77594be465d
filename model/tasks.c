/* tasks.c - tasks (§7.6); see tasks.h. */
#define _GNU_SOURCE
#include "tasks.h"
#include "quantiles.h"
#include "sat.h"

#include <stdlib.h>
#include <string.h>

int wcp_tasks(const wcp_model *m, uint32_t kind, uint32_t **ops, size_t *n)
{
    const wcp_graph *g = &m->g;
    *n = 0;
    *ops = malloc((g->n_ops + 1) * sizeof **ops);
    if (!*ops)
        return -1;
    for (uint32_t i = 0; i < g->n_ops; i++)
        if (kind ? g->kind[i] == kind : g->parent[i] < 0)
            (*ops)[(*n)++] = i;
    return 0;
}

int wcp_descendants(const wcp_graph *g, int64_t *desc)
{
    /* backwards through the depth-first order, each op adds its count to
     * its parent's */
    size_t n;
    uint32_t *order = wcp_tree_order(g, NULL, &n);
    if (!order)
        return -1;
    memset(desc, 0, g->n_ops * sizeof *desc);
    for (size_t k = n; k-- > 0;) {
        uint32_t i = order[k];
        if (g->parent[i] >= 0)
            desc[g->parent[i]] += desc[i] + 1;
    }
    free(order);
    return 0;
}

/* tasks by (class key, index) */
static int by_key(const void *a, const void *b, void *ctx)
{
    const wcp_model *m = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    int c = strcmp(wcp_op_class(m, x)->key, wcp_op_class(m, y)->key);
    return c ? c : x < y ? -1 : x > y;
}

int wcp_task_classes(const wcp_model *m, const uint32_t *tasks, size_t n_tasks,
                     wcp_task_class **out, size_t *n)
{
    const wcp_graph *g = &m->g;
    uint32_t *t = malloc((n_tasks + 1) * sizeof *t);
    int64_t *dur = malloc((n_tasks + 1) * sizeof *dur);
    int64_t *desc = malloc((g->n_ops + 1) * sizeof *desc);
    size_t most = 2;
    for (size_t k = 0; k < n_tasks; k++)
        if (wcp_breakdown_max(g, tasks[k]) > most)
            most = wcp_breakdown_max(g, tasks[k]);
    wcp_span *tmp = malloc(most * sizeof *tmp);
    wcp_bd_part *parts = malloc(most * sizeof *parts);
    *out = calloc(n_tasks + 1, sizeof **out);
    *n = 0;
    int rc = -1;
    if (!t || !dur || !desc || !tmp || !parts || !*out || wcp_descendants(g, desc) < 0)
        goto done;
    memcpy(t, tasks, n_tasks * sizeof *t);
    qsort_r(t, n_tasks, sizeof *t, by_key, (void *)m);
    for (size_t a = 0, b; a < n_tasks; a = b) {
        uint32_t cls = m->classes.of_op[t[a]];
        wcp_task_class *c = &(*out)[(*n)++];
        c->cls = cls;
        for (b = a; b < n_tasks && m->classes.of_op[t[b]] == cls; b++) {
            uint32_t i = t[b];
            dur[b - a] = g->end[i] - g->start[i];
            c->count++;
            if (g->flags[i] & WCP_OP_OPEN)
                c->open++;
            else
                c->complete++;
            size_t np = wcp_breakdown_op(g, i, tmp, parts);
            wcp_sat_inc(&c->self, parts[0].ns);
            wcp_sat_inc(&c->children, parts[1].ns);
            for (size_t x = 2; x < np; x++)
                wcp_sat_inc(&c->waiting, parts[x].ns);
            c->descendants += desc[i];
        }
        size_t cnt = b - a;
        wcp_quantiles q = wcp_quantiles_of(dur, cnt);
        c->p50 = q.p50;
        c->p95 = q.p95;
        c->max = q.max;
    }
    rc = 0;
done:
    free(t);
    free(dur);
    free(desc);
    free(tmp);
    free(parts);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int64_t *wcp_baseline_trace(const wcp_model *m)
{
    size_t n = m->g.n_ops + 1;
    int64_t *reg = malloc(n * sizeof *reg), *start = malloc(n * sizeof *start);
    int64_t *after = malloc((m->tape.n + 1) * sizeof *after);
    if (reg && start && after)
        wcp_tape_eval(&m->tape, NULL, reg, start, after);
    else {
        free(after);
        after = NULL;
    }
    free(reg);
    free(start);
    return after;
}
