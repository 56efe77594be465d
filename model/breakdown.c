/* breakdown.c - where each op's time went (§7.1) and work/span (§7.5);
 * see breakdown.h. */
#include "breakdown.h"
#include "sat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t add_part(wcp_bd_part *out, size_t n, wcp_bd_what what, uint32_t name, int64_t ns)
{
    if (ns <= 0)
        return n;
    for (size_t k = 2; k < n; k++)
        if (out[k].what == what && out[k].name == name) {
            wcp_sat_inc(&out[k].ns, ns);
            return n;
        }
    out[n] = (wcp_bd_part){what, name, ns};
    return n + 1;
}

/* the waiting segments of op i, each of its waits owning what it covers
 * past the waits before it (they are in (start, dump order): the first to
 * cover an instant is the one that started first), clipped to the op; the
 * op's waits as spans into tmp */
static void wait_segments(const wcp_graph *g, uint32_t i, wcp_span *tmp, wcp_seg_fn *fn, void *ctx)
{
    int64_t cur = g->start[i], e = g->end[i];
    uint32_t w0 = g->wait_off[i], nw = g->wait_off[i + 1] - w0;
    for (uint32_t k = 0; k < nw; k++) {
        const wcp_graph_wait *w = &g->waits[w0 + k];
        tmp[k] = (wcp_span){w->start, w->end, w->by == WCP_BY_HOLD_ORDER};
        int64_t a = w->start > cur ? w->start : cur, b = w->end < e ? w->end : e;
        if (b <= a)
            continue;
        bool lock = w->target < 0 && w->ident != 0;
        fn(ctx, i, lock ? WCP_BD_LOCK : WCP_BD_WAIT, lock ? w->ident : w->reason, a, b);
        cur = b;
    }
}

typedef struct seg_ctx {
    wcp_seg_fn *fn;
    void *ctx;
    uint32_t op;
} seg_ctx;

static void self_step(void *ctx, const wcp_step *s)
{
    const seg_ctx *c = ctx;
    if (s->kind == WCP_STEP_SELF && s->len > 0)
        c->fn(c->ctx, c->op, WCP_BD_SELF, 0, s->t, s->t + s->len);
}

void wcp_op_segments(const wcp_graph *g, uint32_t i, wcp_span *tmp, wcp_seg_fn *fn, void *ctx)
{
    wait_segments(g, i, tmp, fn, ctx);
    seg_ctx c = {fn, ctx, i};
    wcp_graph_steps(g, i, tmp, g->wait_off[i + 1] - g->wait_off[i], self_step, &c);
}

typedef struct part_ctx {
    wcp_bd_part *out;
    size_t n;
    int64_t waiting;
} part_ctx;

static void wait_part(void *ctx, uint32_t op, wcp_bd_what what, uint32_t name, int64_t a, int64_t b)
{
    part_ctx *c = ctx;
    (void)op;
    c->n = add_part(c->out, c->n, what, name, b - a);
    wcp_sat_inc(&c->waiting, b - a);
}

size_t wcp_breakdown_op(const wcp_graph *g, uint32_t i, wcp_span *tmp, wcp_bd_part *out)
{
    part_ctx c = {out, 2, 0};
    wait_segments(g, i, tmp, wait_part, &c);
    int64_t self = wcp_graph_self(g, i, tmp, g->wait_off[i + 1] - g->wait_off[i]);
    out[0] = (wcp_bd_part){WCP_BD_SELF, 0, self};
    out[1] = (wcp_bd_part){WCP_BD_CHILDREN, 0, g->end[i] - g->start[i] - self - c.waiting};
    return c.n;
}

void wcp_bd_name(const wcp_bd_part *p, const char *name, char *buf, size_t size)
{
    switch (p->what) {
    case WCP_BD_SELF: snprintf(buf, size, "self"); break;
    case WCP_BD_CHILDREN: snprintf(buf, size, "children"); break;
    case WCP_BD_WAIT: snprintf(buf, size, "wait:%s", name); break;
    case WCP_BD_LOCK: snprintf(buf, size, "lock:%s", name); break;
    }
}

uint32_t *wcp_tree_order(const wcp_graph *g, uint32_t *root_of, size_t *n_order)
{
    uint32_t *order = malloc((g->n_ops + 1) * sizeof *order);
    uint32_t *stack = malloc((g->n_ops + 1) * sizeof *stack);
    if (!order || !stack) {
        free(order);
        free(stack);
        return NULL;
    }
    size_t n = 0;
    for (uint32_t k = 0; k < g->n_roots; k++) {
        size_t top = 0;
        stack[top++] = g->root[k];
        while (top) {
            uint32_t i = stack[--top];
            order[n++] = i;
            if (root_of)
                root_of[i] = k;
            for (uint32_t c = g->child_off[i]; c < g->child_off[i + 1]; c++)
                stack[top++] = g->child[c];
        }
    }
    free(stack);
    *n_order = n;
    return order;
}

/* stop is asked after every STOP_EVERY ops: wcp_stop_every(stop, k + 1, STOP_EVERY) */
#define STOP_EVERY 4096

int wcp_root_work(const wcp_model *m, wcp_stop *stop, int64_t *work, int64_t *ops)
{
    const wcp_graph *g = &m->g;
    size_t n;
    uint32_t *root_of = malloc((g->n_ops + 1) * sizeof *root_of);
    uint32_t *order = root_of ? wcp_tree_order(g, root_of, &n) : NULL;
    if (!order) {
        free(root_of);
        return -1;
    }
    memset(work, 0, g->n_roots * sizeof *work);
    memset(ops, 0, g->n_roots * sizeof *ops);
    int rc = wcp_stop_poll(stop) ? WCP_INTERRUPTED : 0; /* the tree order: one pass */
    for (size_t k = 0; k < n && rc == 0; k++) {
        if (wcp_stop_every(stop, k + 1, STOP_EVERY))
            rc = WCP_INTERRUPTED;
        wcp_sat_inc(&work[root_of[order[k]]], g->self_ns[order[k]]);
        ops[root_of[order[k]]]++;
    }
    free(order);
    free(root_of);
    return rc;
}

void wcp_bd_table_free(wcp_bd_table *t)
{
    free(t->first);
    free(t->last);
    free(t->ops);
    free(t->dur);
    free(t->e);
    memset(t, 0, sizeof *t);
}

/* adds part to group k: to its entry for the state, or a new one last */
static int sum_part(wcp_bd_table *t, uint32_t k, const wcp_bd_part *p)
{
    for (uint32_t x = t->first[k]; x != UINT32_MAX; x = t->e[x].next)
        if (t->e[x].part.what == p->what && t->e[x].part.name == p->name) {
            wcp_sat_inc(&t->e[x].part.ns, p->ns);
            return 0;
        }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 256;
        wcp_bd_sum *e = realloc(t->e, cap * sizeof *e);
        if (!e)
            return -1;
        t->e = e;
        t->cap = cap;
    }
    t->e[t->n] = (wcp_bd_sum){*p, UINT32_MAX};
    if (t->first[k] == UINT32_MAX)
        t->first[k] = (uint32_t)t->n;
    else
        t->e[t->last[k]].next = (uint32_t)t->n;
    t->last[k] = (uint32_t)t->n++;
    return 0;
}

/* group[i]: the position in g->root of op i's root */
static uint32_t *root_groups(const wcp_graph *g)
{
    size_t n;
    uint32_t *group = malloc((g->n_ops + 1) * sizeof *group);
    if (group) /* an op in no root's tree (a parent cycle) stays in none */
        memset(group, 0xff, (g->n_ops + 1) * sizeof *group);
    uint32_t *order = group ? wcp_tree_order(g, group, &n) : NULL;
    if (!order) {
        free(group);
        return NULL;
    }
    free(order);
    return group;
}

int wcp_breakdown_sum(const wcp_model *m, bool by_root, wcp_stop *stop, wcp_bd_table *t)
{
    const wcp_graph *g = &m->g;
    memset(t, 0, sizeof *t);
    t->n_groups = by_root ? g->n_roots : m->classes.n;
    size_t ng = t->n_groups + 1, most = 2;
    t->first = malloc(ng * sizeof *t->first);
    t->last = malloc(ng * sizeof *t->last);
    t->ops = calloc(ng, sizeof *t->ops);
    t->dur = calloc(ng, sizeof *t->dur);
    uint32_t *group = by_root ? root_groups(g) : m->classes.of_op;
    for (uint32_t i = 0; i < g->n_ops; i++)
        if (wcp_breakdown_max(g, i) > most)
            most = wcp_breakdown_max(g, i);
    wcp_span *tmp = malloc(most * sizeof *tmp);
    wcp_bd_part *parts = malloc(most * sizeof *parts);
    int rc = -1;
    if (!t->first || !t->last || !t->ops || !t->dur || !group || !tmp || !parts)
        goto done;
    for (uint32_t k = 0; k < t->n_groups; k++) {
        t->first[k] = UINT32_MAX;
        wcp_bd_part self = {WCP_BD_SELF, 0, 0}, children = {WCP_BD_CHILDREN, 0, 0};
        if (sum_part(t, k, &self) < 0 || sum_part(t, k, &children) < 0)
            goto done;
    }
    for (uint32_t i = 0; i < g->n_ops; i++) {
        uint32_t k = group[i];
        if (wcp_stop_every(stop, i + 1, STOP_EVERY)) {
            rc = WCP_INTERRUPTED;
            goto done;
        }
        if (k == UINT32_MAX)
            continue;
        size_t n = wcp_breakdown_op(g, i, tmp, parts);
        /* self and children are each group's first two entries */
        wcp_sat_inc(&t->e[t->first[k]].part.ns, parts[0].ns);
        wcp_sat_inc(&t->e[t->e[t->first[k]].next].part.ns, parts[1].ns);
        for (size_t x = 2; x < n; x++)
            if (sum_part(t, k, &parts[x]) < 0)
                goto done;
        t->ops[k]++;
        wcp_sat_inc(&t->dur[k], g->end[i] - g->start[i]);
    }
    rc = 0;
done:
    if (by_root)
        free(group);
    free(tmp);
    free(parts);
    if (rc < 0)
        wcp_bd_table_free(t);
    return rc;
}

int64_t wcp_run_work(const wcp_graph *g)
{
    int64_t work = 0;
    for (uint32_t i = 0; i < g->n_ops; i++)
        wcp_sat_inc(&work, g->self_ns[i]);
    return work;
}

void wcp_brent_bounds(int64_t work, int64_t span, int64_t p, int64_t *lo, int64_t *hi)
{
    int64_t share = work / p + (work % p != 0);
    *lo = share > span ? share : span;
    *hi = wcp_sat_add(share, span);
}
