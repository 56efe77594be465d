/* fn_rank_meta.c - whatif_rank_meta(factors, run): for every metadata
 * value of the run's ops (ops.meta_id: an exec's argv) and every factor,
 * what the replay saves when the self time of the ops with that value is
 * scaled by the factor, every other op unchanged (spec/analysis.md §3,
 * with the ops of one value in place of a class); ranked by the saving at
 * the middle factor. `.rank --by meta` pivots it.
 *
 *   SELECT meta, saved_ns FROM whatif_rank_meta('[0.5]') ORDER BY rank;
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE whatif_rank_meta(meta, factor, saved_ns, ops, total_self_ns,
 *                                 critical_ns, rank, factors HIDDEN, run HIDDEN)
 *
 * One row per (value, factor), in rank order, then factor order. factors
 * as whatif_rank's (default [0,0.5,0.9]). ops: the ops with that value;
 * total_self_ns: their self time; critical_ns: their self time on the
 * baseline critical path. rank: 1 for the largest saving at the middle
 * factor; ties by critical_ns (larger first), then the value. Ops without
 * metadata are never scaled and have no row. The replays are
 * wcp_whatif_groups': every value at every factor, WCP_LANES to a pass.
 *
 * Errors: a bad factor list. */
#define _GNU_SOURCE /* qsort_r, strdup */
#include "fns.h"

#include <stdlib.h>
#include <string.h>

typedef struct meta_group {
    int64_t meta_id, ops, self, critical;
    char *value;
    int64_t *saved; /* per factor */
} meta_group;

/* Rank order: the saving at factor *ctx, critical time, the value. */
static int by_saving(const void *a, const void *b, void *ctx)
{
    const meta_group *x = *(meta_group *const *)a, *y = *(meta_group *const *)b;
    size_t mid = *(const size_t *)ctx;
    if (x->saved[mid] != y->saved[mid])
        return x->saved[mid] > y->saved[mid] ? -1 : 1;
    if (x->critical != y->critical)
        return x->critical > y->critical ? -1 : 1;
    return strcmp(x->value, y->value);
}

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    const char *text = wcp_arg_text(c, 0);
    double *f = NULL;
    size_t nf = 0, ng = 0, cap = 0;
    meta_group *grp = NULL, **order = NULL;
    uint32_t *group = NULL;
    int64_t *saved = NULL;
    sqlite3_stmt *st = NULL;
    int rc = -1, src;
    if (wcp_parse_factors(text ? text : "[0,0.5,0.9]", &f, &nf, c->err, sizeof c->err) < 0)
        return -1;
    group = calloc(g->n_ops ? g->n_ops : 1, sizeof *group);
    if (!group)
        goto oom;
    /* the groups: one per metadata value, numbered from 1 in meta_id order */
    if (sqlite3_prepare_v2(c->db,
                           "SELECT o.id, o.meta_id, o.self_ns, s.value FROM ops o"
                           " JOIN strings s ON s.id = o.meta_id"
                           " WHERE o.run_id = ?1 AND o.meta_id != 0 ORDER BY o.meta_id",
                           -1, &st, NULL) != SQLITE_OK) {
        wcp_fail(c, "whatif_rank_meta: %s", sqlite3_errmsg(c->db));
        goto done;
    }
    sqlite3_bind_int64(st, 1, m->run_id);
    while ((src = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t meta_id = sqlite3_column_int64(st, 1);
        if (ng == 0 || grp[ng - 1].meta_id != meta_id) {
            if (ng == cap) {
                cap = cap ? 2 * cap : 16;
                meta_group *q = realloc(grp, cap * sizeof *q);
                if (!q)
                    goto oom;
                grp = q;
            }
            const char *v = (const char *)sqlite3_column_text(st, 3);
            grp[ng] = (meta_group){.meta_id = meta_id, .value = strdup(v ? v : "")};
            if (!grp[ng++].value)
                goto oom;
        }
        meta_group *x = &grp[ng - 1];
        x->ops++;
        wcp_sat_inc(&x->self, sqlite3_column_int64(st, 2));
        int32_t i = wcp_graph_find(g, sqlite3_column_int64(st, 0));
        if (i >= 0)
            group[i] = (uint32_t)ng; /* group k + 1 is grp[k] */
    }
    if (src != SQLITE_DONE) {
        wcp_fail(c, "whatif_rank_meta: %s", sqlite3_errmsg(c->db));
        goto done;
    }
    for (size_t k = 0; k < m->n_path; k++) {
        const wcp_seg *s = &m->path[k];
        if (s->what == WCP_SEG_SELF && group[s->op])
            wcp_sat_inc(&grp[group[s->op] - 1].critical, wcp_seg_len(s));
    }
    saved = calloc(ng * nf + 1, sizeof *saved);
    order = malloc((ng ? ng : 1) * sizeof *order);
    if (!saved || !order)
        goto oom;
    int r = wcp_whatif_groups(m, c->stop, group, (uint32_t)ng + 1, f, nf, saved);
    if (r < 0) {
        wcp_fail(c, r == WCP_INTERRUPTED ? "interrupted" : "out of memory");
        goto done;
    }
    for (size_t k = 0; k < ng; k++) {
        grp[k].saved = &saved[k * nf];
        order[k] = &grp[k];
    }
    size_t mid = nf / 2;
    qsort_r(order, ng, sizeof *order, by_saving, &mid);
    for (size_t k = 0; k < ng; k++) {
        const meta_group *x = order[k];
        for (size_t j = 0; j < nf; j++) {
            wcp_put_text(c, x->value);
            wcp_put_real(c, f[j]);
            wcp_put_int(c, x->saved[j]);
            wcp_put_int(c, x->ops);
            wcp_put_int(c, x->self);
            wcp_put_int(c, x->critical);
            wcp_put_int(c, (int64_t)k + 1);
        }
    }
    rc = 0;
    goto done;
oom:
    wcp_fail(c, "out of memory");
done:
    sqlite3_finalize(st);
    for (size_t k = 0; k < ng; k++)
        free(grp[k].value);
    free(grp);
    free(order);
    free(group);
    free(saved);
    free(f);
    return rc;
}

const wcp_fn wcp_fn_whatif_rank_meta = {
    "whatif_rank_meta", "meta, factor, saved_ns, ops, total_self_ns, critical_ns, rank", "factors",
    fill};
