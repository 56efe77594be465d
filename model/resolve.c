/* resolve.c - materialising spec/analysis.md §1-2 for a whole run: the
 * resolved parents, wait targets and self times stored in the database,
 * recomputed from its ops, waits and links (resolve.h). */
#define _GNU_SOURCE
#include "resolve.h"
#include "classes.h"
#include "graph.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK 65536 /* ops per materialisation chunk */

typedef struct op_upd {
    int64_t id, parent, self; /* parent 0 (no op's id): NULL */
    int reparented;
    bool self_only; /* parent and reparented as stored: only self_ns changes */
} op_upd;

typedef struct wait_upd {
    int64_t key[7]; /* waiter, start, end, recorded target, ident, reason, dup */
    int64_t target; /* 0 (no op's id): NULL */
    int orphan;
    wcp_wait_by by; /* waits.resolved_by */
} wait_upd;

typedef struct vec {
    void *p;
    size_t n, cap, size;
} vec;

static void *vec_push(vec *v)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? v->cap * 2 : 1024;
        void *np = realloc(v->p, cap * v->size);
        if (!np)
            return NULL;
        v->p = np;
        v->cap = cap;
    }
    return (char *)v->p + v->size * v->n++;
}

/* One row of the waits cursor, of waiter (an op index, -1 for an orphan):
 * resolves its target (§1.3, §6 rule 1), counts it (a wait on a named
 * resource left without a target is unresolved), and queues a change when
 * the stored target, orphan flag or resolved_by differs. Returns 0, or -1
 * out of memory. */
static int wait_row(const wcp_graph *g, sqlite3_stmt *sel, int32_t waiter, vec *changes,
                    int64_t *count)
{
    wait_upd u;
    int orphan = waiter < 0;
    for (int k = 0; k < 7; k++)
        u.key[k] = sqlite3_column_int64(sel, k);
    int32_t t = wcp_graph_wait_resolve(g, u.key[3], (uint32_t)u.key[5], (uint32_t)u.key[4], waiter,
                                       u.key[1], u.key[2], &u.by);
    u.target = t >= 0 ? g->id[t] : 0;
    u.orphan = orphan;
    int64_t stored = sqlite3_column_type(sel, 7) == SQLITE_NULL ? 0 : sqlite3_column_int64(sel, 7);
    count[0]++;
    count[1] += orphan;
    count[2] += !orphan && t < 0 && u.key[4] != 0;
    const unsigned char *by = sqlite3_column_text(sel, 9);
    if (stored == u.target && sqlite3_column_int(sel, 8) == orphan && by &&
        strcmp((const char *)by, wcp_wait_by_name[u.by]) == 0)
        return 0;
    wait_upd *q = vec_push(changes);
    if (!q)
        return -1;
    *q = u;
    return 0;
}

int wcp_materialize_run(sqlite3 *db, int64_t run_id, int64_t n_ops, wcp_graph_ops *given,
                        int64_t *parent_cycles, char *err, size_t errlen)
{
    wcp_graph g;
    /* the attributes too (read by the same query): the class statistics */
    unsigned flags = WCP_GRAPH_STORED | WCP_GRAPH_ATTRS;
    if ((given ? wcp_graph_build_ops(db, run_id, flags, given, &g, err, errlen)
               : wcp_graph_build_sized(db, run_id, flags, n_ops, &g, err, errlen)) < 0)
        return -1;
    if (parent_cycles)
        *parent_cycles = g.n_parent_cycles;
    sqlite3_stmt *sel_waits = NULL, *upd_op = NULL, *upd_self = NULL, *upd_wait = NULL;
    vec ops = {.size = sizeof(op_upd)}, waits = {.size = sizeof(wait_upd)},
        spans = {.size = sizeof(wcp_span)};
    int rc = -1;
    int64_t count[3] = {0, 0, 0}; /* waits, orphan waits, unresolved resource waits */
    int64_t n_open = 0;
    int64_t *selfs = malloc((g.n_ops ? g.n_ops : 1) * sizeof *selfs); /* each op's, resolved */
    if (!selfs)
        goto oom;
    if (sqlite3_prepare_v2(
            db,
            "SELECT waiter_id, start_ns, end_ns, recorded_target_id, ident_id, reason, dup, "
            "target_id, orphan, resolved_by FROM waits WHERE run_id = ?1 AND waiter_id BETWEEN ?2 AND ?3 "
            "ORDER BY waiter_id, start_ns, end_ns",
            -1, &sel_waits, NULL) ||
        sqlite3_prepare_v2(db,
                           "UPDATE ops SET parent_id = ?3, reparented = ?4, self_ns = ?5 "
                           "WHERE run_id = ?1 AND id = ?2",
                           -1, &upd_op, NULL) ||
        /* most changes are self time alone: a statement that leaves parent_id
         * alone leaves the ops_children index alone too */
        sqlite3_prepare_v2(db, "UPDATE ops SET self_ns = ?3 WHERE run_id = ?1 AND id = ?2", -1,
                           &upd_self, NULL) ||
        sqlite3_prepare_v2(
            db,
            "UPDATE waits SET target_id = ?9, orphan = ?10, resolved_by = ?11 WHERE run_id = ?1 AND "
            "waiter_id = ?2 AND start_ns = ?3 AND end_ns = ?4 AND recorded_target_id = ?5 "
            "AND ident_id = ?6 AND reason = ?7 AND dup = ?8",
            -1, &upd_wait, NULL)) {
        snprintf(err, errlen, "materialise: %s", sqlite3_errmsg(db));
        goto out;
    }
    uint32_t n = g.n_ops;
    /* The ops are in uint64 id order: those whose stored id is >= 0 first,
     * then those of 2^63..2^64-1 (negative as int64). Each half is walked
     * over its own range of stored ids, where int64 order is the ops'. */
    uint32_t mid = 0;
    while (mid < n && g.id[mid] >= 0)
        mid++;
    for (int half = 0; half < 2; half++) {
        uint32_t a = half ? mid : 0, b = half ? n : mid;
        int64_t first = half ? INT64_MIN : 0, last = half ? -1 : INT64_MAX;
        for (uint32_t i0 = a; i0 < b || i0 == a; i0 += CHUNK) {
            uint32_t i1 = b - i0 > CHUNK ? i0 + CHUNK : b;
            int64_t lo = i0 == a ? first : g.id[i0];
            int64_t hi = i1 >= b ? last : g.id[i1] - 1;
            sqlite3_bind_int64(sel_waits, 1, run_id);
            sqlite3_bind_int64(sel_waits, 2, lo);
            sqlite3_bind_int64(sel_waits, 3, hi);
            int wrc = sqlite3_step(sel_waits);
            for (uint32_t i = i0; i < i1; i++) {
                while (wrc == SQLITE_ROW && sqlite3_column_int64(sel_waits, 0) < g.id[i]) {
                    if (wait_row(&g, sel_waits, -1, &waits, count) < 0)
                        goto oom;
                    wrc = sqlite3_step(sel_waits);
                }
                spans.n = 0;
                while (wrc == SQLITE_ROW && sqlite3_column_int64(sel_waits, 0) == g.id[i]) {
                    if (wait_row(&g, sel_waits, (int32_t)i, &waits, count) < 0)
                        goto oom;
                    wcp_span *sp = vec_push(&spans);
                    if (!sp)
                        goto oom;
                    sp->start = sqlite3_column_int64(sel_waits, 1);
                    sp->end = sqlite3_column_int64(sel_waits, 2);
                    sp->first = false; /* a recorded wait */
                    wrc = sqlite3_step(sel_waits);
                }
                int64_t self = wcp_graph_self(&g, i, spans.p, spans.n);
                selfs[i] = self;
                int64_t parent = g.parent[i] >= 0 ? g.id[g.parent[i]] : 0;
                int rep = (g.flags[i] & WCP_OP_REPARENTED) != 0;
                n_open += (g.flags[i] & WCP_OP_OPEN) != 0;
                bool same_parent = (g.flags[i] & WCP_OP_STORED_PARENT) != 0;
                if (!same_parent || g.self_ns[i] != self) {
                    op_upd *q = vec_push(&ops);
                    if (!q)
                        goto oom;
                    *q = (op_upd){g.id[i], parent, self, rep, same_parent};
                }
            }
            while (wrc == SQLITE_ROW) {
                if (wait_row(&g, sel_waits, -1, &waits, count) < 0)
                    goto oom;
                wrc = sqlite3_step(sel_waits);
            }
            if (wrc != SQLITE_DONE) {
                snprintf(err, errlen, "materialise: %s", sqlite3_errmsg(db));
                goto out;
            }
            sqlite3_reset(sel_waits);
            for (size_t k = 0; k < ops.n; k++) {
                op_upd *u = (op_upd *)ops.p + k;
                sqlite3_stmt *up = u->self_only ? upd_self : upd_op;
                sqlite3_bind_int64(up, 1, run_id);
                sqlite3_bind_int64(up, 2, u->id);
                if (u->self_only)
                    sqlite3_bind_int64(up, 3, u->self);
                else {
                    if (u->parent != 0)
                        sqlite3_bind_int64(up, 3, u->parent);
                    else
                        sqlite3_bind_null(up, 3);
                    sqlite3_bind_int(up, 4, u->reparented);
                    sqlite3_bind_int64(up, 5, u->self);
                }
                if (sqlite3_step(up) != SQLITE_DONE)
                    goto dberr;
                sqlite3_reset(up);
            }
            for (size_t k = 0; k < waits.n; k++) {
                wait_upd *u = (wait_upd *)waits.p + k;
                sqlite3_bind_int64(upd_wait, 1, run_id);
                for (int c = 0; c < 7; c++)
                    sqlite3_bind_int64(upd_wait, c + 2, u->key[c]);
                if (u->target != 0)
                    sqlite3_bind_int64(upd_wait, 9, u->target);
                else
                    sqlite3_bind_null(upd_wait, 9);
                sqlite3_bind_int(upd_wait, 10, u->orphan);
                sqlite3_bind_text(upd_wait, 11, wcp_wait_by_name[u->by], -1, SQLITE_STATIC);
                if (sqlite3_step(upd_wait) != SQLITE_DONE)
                    goto dberr;
                sqlite3_reset(upd_wait);
            }
            ops.n = waits.n = 0;
            if (a == b)
                break;
        }
    }

    /* the run's header facts */
    int64_t first = 0, last = 0, rfirst = 0, rlast = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (i == 0 || g.start[i] < first)
            first = g.start[i];
        if (i == 0 || g.end[i] > last)
            last = g.end[i];
    }
    for (uint32_t k = 0; k < g.n_roots; k++) {
        uint32_t r = g.root[k];
        if (k == 0 || g.start[r] < rfirst)
            rfirst = g.start[r];
        if (k == 0 || g.end[r] > rlast)
            rlast = g.end[r];
    }
    sqlite3_stmt *upd_run;
    if (sqlite3_prepare_v2(
            db,
            "UPDATE runs SET ops = ?2, waits = ?3, links = (SELECT count(*) FROM links WHERE run_id = ?1), "
            "roots = ?4, open_ops = ?5, orphan_waits = ?6, reparented_ops = ?7, first_start_ns = ?8, "
            "last_end_ns = ?9, span_ns = ?9 - ?8, makespan_ns = ?10, unresolved_waits = ?11, holds = ?12 WHERE id = ?1",
            -1, &upd_run, NULL) != SQLITE_OK)
        goto dberr;
    int64_t v[] = {run_id,         n,     count[0], g.n_roots,      n_open,   count[1],
                   g.n_reparented, first, last,     rlast - rfirst, count[2], g.n_holds};
    for (int k = 0; k < 12; k++)
        sqlite3_bind_int64(upd_run, k + 1, v[k]);
    if (n == 0)
        for (int k = 8; k <= 10; k++)
            sqlite3_bind_null(upd_run, k);
    int urc = sqlite3_step(upd_run);
    sqlite3_finalize(upd_run);
    if (urc != SQLITE_DONE)
        goto dberr;
    if (wcp_class_stats_store(db, &g, selfs, err, errlen) < 0)
        goto out;
    rc = 0;
    goto out;
oom:
    snprintf(err, errlen, "materialise: out of memory");
    goto out;
dberr:
    snprintf(err, errlen, "materialise: %s", sqlite3_errmsg(db));
out:
    sqlite3_finalize(sel_waits);
    sqlite3_finalize(upd_op);
    sqlite3_finalize(upd_self);
    sqlite3_finalize(upd_wait);
    free(ops.p);
    free(waits.p);
    free(spans.p);
    free(selfs);
    wcp_graph_free(&g);
    return rc;
}
