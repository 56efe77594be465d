/* related.c - the ops tied to an op, breadth first (§7.4); see related.h. */
#include "related.h"

#include <stdlib.h>

const char *const wcp_tie_name[] = {"self",   "parent", "child",    "awaited",
                                    "waiter", "linked", "linked_by"};

typedef struct bfs {
    uint32_t *level; /* per op: 0 unseen, else depth + 1 */
    wcp_related *r;
    size_t n, cap;
    int oom;
} bfs;

static void reach(bfs *b, uint32_t op, uint32_t via, uint32_t depth, wcp_tie tie)
{
    if (b->level[op] || b->oom)
        return;
    if (b->n == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        wcp_related *r = realloc(b->r, cap * sizeof *r);
        if (!r) {
            b->oom = 1;
            return;
        }
        b->r = r;
        b->cap = cap;
    }
    b->level[op] = depth + 1;
    b->r[b->n++] = (wcp_related){op, via, depth, tie};
}

static int by_op(const void *a, const void *b)
{
    uint32_t x = ((const wcp_related *)a)->op, y = ((const wcp_related *)b)->op;
    return x < y ? -1 : x > y;
}

int wcp_related_ops(const wcp_graph *g, const wcp_link *links, size_t n_links, uint32_t i,
                    uint32_t depth, wcp_related **out, size_t *n)
{
    bfs b = {calloc(g->n_ops + 1, sizeof *b.level), NULL, 0, 0, 0};
    *out = NULL;
    *n = 0;
    if (!b.level)
        return -1;
    reach(&b, i, i, 0, WCP_TIE_SELF);
    size_t lo = 0; /* the previous depth's results: r[lo .. hi) */
    for (uint32_t d = 1; d <= depth && !b.oom && lo < b.n; d++) {
        size_t hi = b.n;
        qsort(b.r + lo, hi - lo, sizeof *b.r, by_op); /* index order */
        for (size_t k = lo; k < hi; k++)
            if (g->parent[b.r[k].op] >= 0)
                reach(&b, (uint32_t)g->parent[b.r[k].op], b.r[k].op, d, WCP_TIE_PARENT);
        for (size_t k = lo; k < hi; k++) {
            uint32_t v = b.r[k].op;
            for (uint32_t c = g->child_off[v]; c < g->child_off[v + 1]; c++)
                reach(&b, g->child[c], v, d, WCP_TIE_CHILD);
        }
        for (size_t k = lo; k < hi; k++) {
            uint32_t v = b.r[k].op;
            for (uint32_t w = g->wait_off[v]; w < g->wait_off[v + 1]; w++)
                if (g->waits[w].target >= 0)
                    reach(&b, (uint32_t)g->waits[w].target, v, d, WCP_TIE_AWAITED);
        }
        /* the reverse ties: one pass over the waits and the links, each
         * tying an op of the previous depth (level d) */
        for (uint32_t w = 0; w < g->n_waits; w++) {
            int32_t t = g->waits[w].target;
            if (t >= 0 && b.level[t] == d)
                reach(&b, g->waits[w].waiter, (uint32_t)t, d, WCP_TIE_WAITER);
        }
        for (size_t l = 0; l < n_links; l++)
            if (b.level[links[l].from] == d)
                reach(&b, links[l].to, links[l].from, d, WCP_TIE_LINKED);
        for (size_t l = 0; l < n_links; l++)
            if (b.level[links[l].to] == d)
                reach(&b, links[l].from, links[l].to, d, WCP_TIE_LINKED_BY);
        lo = hi;
    }
    free(b.level);
    qsort(b.r + lo, b.n - lo, sizeof *b.r, by_op); /* the last depth */
    if (b.oom) {
        free(b.r);
        return -1;
    }
    *out = b.r;
    *n = b.n;
    return 0;
}

int wcp_links_load(sqlite3 *db, const wcp_graph *g, wcp_link **out, size_t *n, char *err,
                   size_t errlen)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT from_id, target_id FROM links WHERE run_id = ?1"
                           " AND target_id != 0",
                           -1, &st, NULL) != SQLITE_OK)
        return wcp_errf(err, errlen, "links: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, g->run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t from = wcp_graph_find(g, sqlite3_column_int64(st, 0));
        int32_t to = wcp_graph_find(g, sqlite3_column_int64(st, 1));
        if (from < 0 || to < 0)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            wcp_link *l = realloc(*out, cap * sizeof *l);
            if (!l) {
                sqlite3_finalize(st);
                free(*out);
                *out = NULL;
                *n = 0;
                return wcp_errf(err, errlen, "out of memory");
            }
            *out = l;
        }
        (*out)[(*n)++] = (wcp_link){(uint32_t)from, (uint32_t)to};
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return wcp_errf(err, errlen, "links: %s", sqlite3_errmsg(db));
    }
    return 0;
}

int wcp_related_mask(sqlite3 *db, const wcp_graph *g, uint32_t op, uint32_t depth, uint8_t *keep,
                     char *err, size_t errlen)
{
    wcp_link *links;
    wcp_related *r;
    size_t nl, n;
    if (wcp_links_load(db, g, &links, &nl, err, errlen) < 0)
        return -1;
    int rc = wcp_related_ops(g, links, nl, op, depth, &r, &n);
    free(links);
    if (rc < 0)
        return wcp_errf(err, errlen, "out of memory");
    for (size_t k = 0; k < n; k++)
        keep[r[k].op] = 1;
    free(r);
    return 0;
}
