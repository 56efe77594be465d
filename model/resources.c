/* resources.c - per named resource (spec/analysis.md §6 rule 5): see
 * resources.h. */
#define _GNU_SOURCE
#include "resources.h"
#include "order.h"
#include "quantiles.h"
#include "sat.h"

#include "store.h"
#include "whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct res {
    uint32_t id; /* strings.id of the name */
    int64_t waits, wait_ns, unresolved, holds, held_ns, longest, crit_wait, crit_hold;
    int64_t saved[2];
    int64_t *durs; /* wait lengths, for the p95 */
    size_t n_durs;
} res;

/* The resource row of strings.id id, or NULL. */
static res *find(res *r, size_t n, uint32_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && r[lo].id == id ? &r[lo] : NULL;
}

/* A wait that names a resource: no recorded or exec-ident target, an ident. */
static bool resource_wait(const wcp_graph_wait *w)
{
    return w->ident != 0 && (w->by == WCP_BY_HOLD || w->by == WCP_BY_NONE);
}

/* by critical time (descending), then name */
static int by_critical_name(const void *a, const void *b)
{
    const wcp_resource *x = a, *y = b;
    int64_t cx = x->critical_wait_ns + x->critical_hold_ns;
    int64_t cy = y->critical_wait_ns + y->critical_hold_ns;
    if (cx != cy)
        return cx > cy ? -1 : 1;
    return strcmp(x->name, y->name);
}

void wcp_resources_free(wcp_resource *r, size_t n)
{
    if (r)
        for (size_t k = 0; k < n; k++)
            free(r[k].name);
    free(r);
}

int wcp_resources(sqlite3 *db, const wcp_model *m, wcp_stop *stop, wcp_resource **out, size_t *nout,
                  char *err, size_t errlen)
{
    const wcp_graph *g = &m->g;
    *out = NULL;
    *nout = 0;
    uint32_t *ids = malloc(((size_t)g->n_holds + g->n_waits + 1) * sizeof *ids);
    int32_t *under = malloc(((size_t)g->n_ops + 1) * sizeof *under);
    uint8_t *cls_state = calloc((size_t)m->classes.n + 1, 1); /* 0 none, 1 under R, 2 not */
    uint32_t *cls_res = calloc((size_t)m->classes.n + 1, sizeof *cls_res);
    double *factor = malloc(((size_t)m->classes.n + 1) * sizeof *factor);
    int64_t *reg = malloc(((size_t)g->n_ops + 1) * sizeof *reg);
    int64_t *start = malloc(((size_t)g->n_ops + 1) * sizeof *start);
    res *r = NULL;
    wcp_resource *rows = NULL;
    size_t n = 0;
    int rc = -1;
    if (!ids || !under || !cls_state || !cls_res || !factor || !reg || !start)
        goto oom;
    /* the resources: hold classes and resource waits' idents */
    for (uint32_t k = 0; k < g->n_holds; k++)
        ids[n++] = g->hold_res[k];
    for (uint32_t k = 0; k < g->n_waits; k++)
        if (resource_wait(&g->waits[k]))
            ids[n++] = g->waits[k].ident;
    qsort(ids, n, sizeof *ids, wcp_by_u32);
    size_t nr = 0;
    for (size_t k = 0; k < n; k++)
        if (nr == 0 || ids[nr - 1] != ids[k])
            ids[nr++] = ids[k];
    r = calloc(nr + 1, sizeof *r);
    if (!r)
        goto oom;
    for (size_t k = 0; k < nr; k++)
        r[k].id = ids[k];
    n = nr;
    /* waits */
    for (uint32_t k = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (!resource_wait(w))
            continue;
        res *x = find(r, n, w->ident);
        x->waits++;
        wcp_sat_inc(&x->wait_ns, w->end - w->start);
        x->unresolved += w->target < 0;
    }
    for (size_t k = 0; k < n; k++) {
        r[k].durs = malloc(((size_t)r[k].waits + 1) * sizeof *r[k].durs);
        if (!r[k].durs)
            goto oom;
    }
    for (uint32_t k = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (resource_wait(w)) {
            res *x = find(r, n, w->ident);
            x->durs[x->n_durs++] = w->end - w->start;
        }
    }
    /* holds, and per op the hold it runs under (the nearest, itself
     * included: -1 none); ops are in id order, parents mostly before */
    for (uint32_t k = 0; k < g->n_holds; k++) {
        uint32_t h = g->hold_op[k];
        res *x = find(r, n, g->hold_res[k]);
        int64_t len = g->end[h] - g->start[h];
        x->holds++;
        wcp_sat_inc(&x->held_ns, len);
        if (len > x->longest)
            x->longest = len;
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        under[i] = -2; /* not known yet */
    for (uint32_t i = 0; i < g->n_ops; i++) {
        /* walk up to the first op that is a hold or already known */
        int32_t j = (int32_t)i, found = -1;
        uint32_t steps = 0;
        while (j >= 0 && steps++ <= g->n_ops) {
            if (under[j] != -2) {
                found = under[j];
                break;
            }
            if (g->kind[j] == g->hold_str && g->hold_str != 0) {
                found = j;
                break;
            }
            j = g->parent[j];
        }
        for (int32_t q = (int32_t)i; q >= 0 && q != j && under[q] == -2; q = g->parent[q])
            under[q] = found;
        if (j >= 0 && under[j] == -2)
            under[j] = found;
    }
    if (wcp_stop_poll(stop))
        goto stopped;
    /* the classes whose ops all run under holds of one resource */
    for (uint32_t i = 0; i < g->n_ops; i++) {
        uint32_t cl = m->classes.of_op[i];
        uint32_t rid = under[i] >= 0 ? g->class_id[under[i]] : 0;
        if (rid == 0 || (cls_state[cl] == 1 && cls_res[cl] != rid))
            cls_state[cl] = 2;
        else if (cls_state[cl] == 0) {
            cls_state[cl] = 1;
            cls_res[cl] = rid;
        }
    }
    /* the baseline critical path */
    for (size_t k = 0; k < m->n_path; k++) {
        const wcp_seg *s = &m->path[k];
        int64_t len = wcp_seg_len(s);
        if (s->what == WCP_SEG_WAIT) {
            const wcp_graph_wait *w = &g->waits[s->wait];
            res *x = resource_wait(w) ? find(r, n, w->ident) : NULL;
            if (x)
                wcp_sat_inc(&x->crit_wait, len);
        } else if (s->what == WCP_SEG_SELF && under[s->op] >= 0) {
            res *x = find(r, n, g->class_id[under[s->op]]);
            if (x)
                wcp_sat_inc(&x->crit_hold, len);
        }
    }
    /* the replays: every critical section of the resource halved, removed */
    for (size_t k = 0; k < n; k++) {
        if (r[k].holds == 0)
            continue;
        for (int f = 0; f < 2; f++) {
            if (wcp_stop_poll(stop)) /* a replay of a 1M-op run: tens of ms */
                goto stopped;
            bool any = false;
            for (uint32_t cl = 0; cl < m->classes.n; cl++) {
                bool mine = cls_state[cl] == 1 && cls_res[cl] == r[k].id;
                factor[cl] = mine ? (f == 0 ? 0.5 : 0.0) : 1.0;
                any |= mine;
            }
            int64_t ms =
                any ? wcp_whatif_eval(m, factor, reg, start, NULL, NULL, stop) : m->baseline;
            if (ms == WCP_INTERRUPTED)
                goto stopped;
            if (ms < 0)
                goto oom;
            r[k].saved[f] = m->baseline - ms;
        }
    }
    /* the rows, by critical time, then name */
    rows = calloc(n + 1, sizeof *rows);
    if (!rows)
        goto oom;
    for (size_t k = 0; k < n; k++) {
        res *x = &r[k];
        wcp_resource *y = &rows[k];
        if (!(y->name = wcp_db_string(db, x->id)))
            goto oom;
        y->waits = x->waits;
        y->wait_ns = x->wait_ns;
        y->wait_p95_ns = x->n_durs ? wcp_quantiles_of(x->durs, x->n_durs).p95 : -1;
        y->unresolved = x->unresolved;
        y->holds = x->holds;
        y->held_ns = x->held_ns;
        y->longest_hold_ns = x->longest;
        y->critical_wait_ns = x->crit_wait;
        y->critical_hold_ns = x->crit_hold;
        y->saved_half_ns = x->saved[0];
        y->saved_removed_ns = x->saved[1];
    }
    qsort(rows, n, sizeof *rows, by_critical_name); /* names are unique: a total order */
    *out = rows;
    *nout = n;
    rows = NULL;
    rc = 0;
    goto done;
oom:
    wcp_errf(err, errlen, "out of memory");
    goto done;
stopped:
    wcp_errf(err, errlen, "interrupted");
    rc = WCP_INTERRUPTED;
done:
    wcp_resources_free(rows, n);
    if (r)
        for (size_t k = 0; k < n; k++)
            free(r[k].durs);
    free(r);
    free(ids);
    free(under);
    free(cls_state);
    free(cls_res);
    free(factor);
    free(reg);
    free(start);
    return rc;
}
