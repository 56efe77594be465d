/* related.c - the ops tied to an op, breadth first (§7.4); see related.h. */
#include "related.h"
#include "order.h"

#include <stdlib.h>

const char *const wcp_tie_name[] = {"self",   "parent", "child",    "awaited",
                                    "waiter", "linked", "linked_by"};

typedef struct bfs {
    uint32_t *level; /* per op: 0 unseen, else depth + 1 */
    wcp_related *r;
    size_t n, cap;
    uint32_t *cand; /* the reverse ties' candidates at one depth: wait or link indexes */
    size_t n_cand, cap_cand;
    wcp_stop *stop;
    uint32_t ticks;
    int oom, stopped;
} bfs;

/* Whether to stop: out of memory, or stop polled (every 4096 ties looked at). */
static bool halt(bfs *b)
{
    if (!b->oom && !b->stopped && wcp_stop_every(b->stop, ++b->ticks, 4096))
        b->stopped = 1;
    return b->oom || b->stopped;
}

static void reach(bfs *b, uint32_t op, uint32_t via, uint32_t depth, wcp_tie tie)
{
    if (b->level[op] || halt(b))
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

static void candidate(bfs *b, uint32_t k)
{
    if (halt(b))
        return;
    if (b->n_cand == b->cap_cand) {
        size_t cap = b->cap_cand ? b->cap_cand * 2 : 64;
        uint32_t *c = realloc(b->cand, cap * sizeof *c);
        if (!c) {
            b->oom = 1;
            return;
        }
        b->cand = c;
        b->cap_cand = cap;
    }
    b->cand[b->n_cand++] = k;
}

static int by_op(const void *a, const void *b)
{
    uint32_t x = ((const wcp_related *)a)->op, y = ((const wcp_related *)b)->op;
    return x < y ? -1 : x > y;
}

/* The candidates of one reverse tie, in the order a pass over the whole
 * array (of waits or links) would meet them. */
static void sort_candidates(bfs *b)
{
    if (!b->oom && !b->stopped && b->n_cand) /* none: cand may be NULL */
        qsort(b->cand, b->n_cand, sizeof *b->cand, wcp_by_u32);
}

/* The reverse ties of kind tie (waiter, linked, linked_by) of the ops
 * r[lo .. hi), at depth d: their candidates (x's waits on them, links from
 * them, links to them) gathered, then reached in their array's order. */
static void reach_reverse(bfs *b, const wcp_graph *g, const wcp_related_index *x, size_t lo,
                          size_t hi, uint32_t d, wcp_tie tie)
{
    const uint32_t *off = tie == WCP_TIE_WAITER   ? x->waited_off
                          : tie == WCP_TIE_LINKED ? x->from_off
                                                  : x->to_off;
    const uint32_t *idx = tie == WCP_TIE_WAITER   ? x->waited
                          : tie == WCP_TIE_LINKED ? x->from
                                                  : x->to;
    b->n_cand = 0;
    for (size_t k = lo; k < hi; k++) {
        uint32_t v = b->r[k].op;
        for (uint32_t j = off[v]; j < off[v + 1]; j++)
            candidate(b, idx[j]);
    }
    sort_candidates(b);
    for (size_t k = 0; k < b->n_cand; k++) {
        uint32_t c = b->cand[k];
        if (tie == WCP_TIE_WAITER)
            reach(b, (uint32_t)g->waits[c].waiter, (uint32_t)g->waits[c].target, d, tie);
        else if (tie == WCP_TIE_LINKED)
            reach(b, x->links[c].to, x->links[c].from, d, tie);
        else
            reach(b, x->links[c].from, x->links[c].to, d, tie);
    }
}

int wcp_related_ops(const wcp_graph *g, const wcp_related_index *x, uint32_t i, uint32_t depth,
                    wcp_stop *stop, wcp_related **out, size_t *n)
{
    bfs b = {.level = calloc(g->n_ops + 1, sizeof *b.level), .stop = stop};
    *out = NULL;
    *n = 0;
    if (!b.level)
        return -1;
    reach(&b, i, i, 0, WCP_TIE_SELF);
    size_t lo = 0; /* the previous depth's results: r[lo .. hi) */
    for (uint32_t d = 1; d <= depth && !b.oom && !b.stopped && lo < b.n; d++) {
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
        /* the reverse ties, each of an op of the previous depth: the waits
         * on it, the links from it and to it */
        reach_reverse(&b, g, x, lo, hi, d, WCP_TIE_WAITER);
        reach_reverse(&b, g, x, lo, hi, d, WCP_TIE_LINKED);
        reach_reverse(&b, g, x, lo, hi, d, WCP_TIE_LINKED_BY);
        lo = hi;
    }
    free(b.level);
    free(b.cand);
    if (b.oom || b.stopped) {
        free(b.r);
        return b.stopped ? WCP_INTERRUPTED : -1;
    }
    qsort(b.r + lo, b.n - lo, sizeof *b.r, by_op); /* the last depth */
    *out = b.r;
    *n = b.n;
    return 0;
}

#define NO_KEY UINT32_MAX

/* off[i] .. off[i+1]: the k in [0, n) with key(k) == i, ascending, into
 * *idx (both malloc'd; off has n_ops + 1 entries, and more); a k whose key
 * is NO_KEY is left out. */
static int index_by(uint32_t n_ops, size_t n, uint32_t (*key)(const void *, size_t),
                    const void *arr, uint32_t **off_out, uint32_t **idx_out)
{
    uint32_t *off = calloc((size_t)n_ops + 2, sizeof *off);
    if (!off)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (key(arr, k) != NO_KEY)
            off[key(arr, k) + 2]++;
    for (uint32_t i = 2; i < n_ops + 2; i++)
        off[i] += off[i - 1];
    uint32_t *idx = malloc((off[n_ops + 1] ? off[n_ops + 1] : 1) * sizeof *idx);
    if (!idx) {
        free(off);
        return -1;
    }
    for (size_t k = 0; k < n; k++) /* off[i + 1]: where op i's next one goes */
        if (key(arr, k) != NO_KEY)
            idx[off[key(arr, k) + 1]++] = (uint32_t)k;
    *off_out = off;
    *idx_out = idx;
    return 0;
}

static uint32_t wait_target(const void *arr, size_t k)
{
    int32_t t = ((const wcp_graph_wait *)arr)[k].target;
    return t >= 0 ? (uint32_t)t : NO_KEY; /* a targetless wait ties nothing */
}

static uint32_t link_from(const void *arr, size_t k)
{
    return ((const wcp_link *)arr)[k].from;
}

static uint32_t link_to(const void *arr, size_t k)
{
    return ((const wcp_link *)arr)[k].to;
}

void wcp_related_index_free(wcp_related_index *x)
{
    free(x->waited_off);
    free(x->waited);
    free(x->links);
    free(x->from_off);
    free(x->from);
    free(x->to_off);
    free(x->to);
    *x = (wcp_related_index){0};
}

int wcp_related_index_build(sqlite3 *db, const wcp_graph *g, wcp_stop *stop, wcp_related_index *x,
                            char *err, size_t errlen)
{
    *x = (wcp_related_index){0};
    if (index_by(g->n_ops, g->n_waits, wait_target, g->waits, &x->waited_off, &x->waited) < 0)
        goto oom;
    if (wcp_stop_poll(stop)) {
        wcp_related_index_free(x);
        return wcp_errf(err, errlen, "interrupted"), WCP_INTERRUPTED;
    }
    if (wcp_links_load(db, g, &x->links, &x->n_links, err, errlen) < 0) {
        wcp_related_index_free(x);
        return -1;
    }
    if (index_by(g->n_ops, x->n_links, link_from, x->links, &x->from_off, &x->from) < 0 ||
        index_by(g->n_ops, x->n_links, link_to, x->links, &x->to_off, &x->to) < 0)
        goto oom;
    return 0;
oom:
    wcp_related_index_free(x);
    return wcp_errf(err, errlen, "out of memory");
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
                     wcp_stop *stop, char *err, size_t errlen)
{
    wcp_related_index x;
    wcp_related *r;
    size_t n;
    int rc = wcp_related_index_build(db, g, stop, &x, err, errlen);
    if (rc < 0)
        return rc;
    rc = wcp_related_ops(g, &x, op, depth, stop, &r, &n);
    wcp_related_index_free(&x);
    if (rc < 0)
        return rc == WCP_INTERRUPTED ? (wcp_errf(err, errlen, "interrupted"), rc)
                                     : wcp_errf(err, errlen, "out of memory");
    for (size_t k = 0; k < n; k++)
        keep[r[k].op] = 1;
    free(r);
    return 0;
}
