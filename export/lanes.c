/* lanes.c - lane placement for timeline viewers. See lanes.h. */
#define _GNU_SOURCE
#include "lanes.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

static bool before(wcp_lane_heap_ent a, wcp_lane_heap_ent b)
{
    return a.key < b.key || (a.key == b.key && a.id < b.id);
}

static bool heap_push(wcp_lane_heap *h, int64_t key, uint32_t id)
{
    if (!wcp_grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return false;
    size_t k = h->n++;
    wcp_lane_heap_ent x = {key, id};
    while (k > 0) {
        size_t p = (k - 1) / 2;
        if (!before(x, h->v[p]))
            break;
        h->v[k] = h->v[p];
        k = p;
    }
    h->v[k] = x;
    return true;
}

static wcp_lane_heap_ent heap_pop(wcp_lane_heap *h)
{
    wcp_lane_heap_ent top = h->v[0], x = h->v[--h->n];
    size_t k = 0;
    for (;;) {
        size_t c = 2 * k + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
            c++;
        if (!before(h->v[c], x))
            break;
        h->v[k] = h->v[c];
        k = c;
    }
    if (h->n)
        h->v[k] = x;
    return top;
}

static uint32_t new_lane(wcp_lanes *p, bool is_thread, int64_t thread)
{
    if (!wcp_grow((void **)&p->lanes, &p->cap_lanes, p->n_lanes + 1, sizeof *p->lanes))
        return WCP_NONE;
    p->lanes[p->n_lanes] = (wcp_lane){is_thread, thread, WCP_NONE, 0, 0};
    if (!is_thread)
        p->n_numbered++;
    return p->n_lanes++;
}

/* Closes lane l's items that ended by time t; returns its innermost open one. */
static uint32_t open_top(wcp_lanes *p, uint32_t l, int64_t t)
{
    uint32_t x = p->lanes[l].top;
    while (x != WCP_NONE && p->it[x].e <= t)
        x = p->under[x];
    return p->lanes[l].top = x;
}

static void put_on(wcp_lanes *p, uint32_t i, uint32_t l, uint32_t top)
{
    p->lane[i] = l;
    p->under[i] = top;
    p->lanes[l].top = i;
}

/* The lane of the recorded thread t (made when new); WCP_NONE when out of memory. */
static uint32_t thread_lane(wcp_lanes *p, int64_t t)
{
    size_t lo = 0, hi = p->n_threads;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->thread_ids[mid] == t)
            return p->thread_lane[mid];
        if (p->thread_ids[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t l = new_lane(p, true, t);
    if (l == WCP_NONE ||
        !wcp_grow((void **)&p->thread_ids, &p->cap_ids, p->n_threads + 1, sizeof *p->thread_ids) ||
        !wcp_grow((void **)&p->thread_lane, &p->cap_thread_lanes, p->n_threads + 1,
                  sizeof *p->thread_lane))
        return WCP_NONE;
    int64_t *ids = p->thread_ids;
    uint32_t *ls = p->thread_lane;
    memmove(ids + lo + 1, ids + lo, (p->n_threads - lo) * sizeof *ids);
    memmove(ls + lo + 1, ls + lo, (p->n_threads - lo) * sizeof *ls);
    ids[lo] = t;
    ls[lo] = l;
    p->n_threads++;
    return l;
}

/* Places item i (items come in start order). false: out of memory. */
static bool place(wcp_lanes *p, uint32_t i)
{
    const wcp_lane_item *x = &p->it[i];
    /* numbered lanes whose items have all ended are free again */
    while (p->busy.n && p->busy.v[0].key <= x->s) {
        uint32_t l = heap_pop(&p->busy).id;
        p->lanes[l].top = WCP_NONE;
        if (!heap_push(&p->free_lanes, l, l))
            return false;
    }
    if (x->in_parent && x->parent != WCP_NONE && p->lane[x->parent] != WCP_NONE &&
        p->it[x->parent].e >= x->e) {
        uint32_t l = p->lane[x->parent];
        if (open_top(p, l, x->s) == x->parent) {
            put_on(p, i, l, x->parent);
            return true;
        }
    }
    if (x->has_thread) {
        uint32_t l = thread_lane(p, x->thread);
        if (l == WCP_NONE)
            return false;
        uint32_t top = open_top(p, l, x->s);
        if (top == WCP_NONE || p->it[top].e >= x->e) {
            put_on(p, i, l, top);
            return true;
        }
    }
    /* under the nearest ancestor that is innermost on its (numbered) lane */
    for (uint32_t a = x->parent, steps = 0; a != WCP_NONE && steps < p->n;
         a = p->it[a].parent, steps++) {
        uint32_t l = p->lane[a];
        if (l == WCP_NONE || p->lanes[l].is_thread || p->it[a].e < x->e)
            continue;
        if (open_top(p, l, x->s) == a) {
            put_on(p, i, l, a);
            return true;
        }
    }
    uint32_t l = p->free_lanes.n ? heap_pop(&p->free_lanes).id : new_lane(p, false, 0);
    if (l == WCP_NONE || !heap_push(&p->busy, x->e, l))
        return false;
    put_on(p, i, l, WCP_NONE);
    return true;
}

static int by_start(const void *a, const void *b, void *ctx)
{
    const wcp_lane_item *it = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (it[x].s != it[y].s)
        return it[x].s < it[y].s ? -1 : 1;
    if (it[x].e != it[y].e)
        return it[x].e > it[y].e ? -1 : 1; /* the longer first: it holds the other */
    if (it[x].depth != it[y].depth)
        return it[x].depth < it[y].depth ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Places every item, then lists each item's direct lane children. */
bool wcp_lanes_place(wcp_lanes *p, const wcp_lane_item *it, uint32_t n)
{
    memset(p, 0, sizeof *p);
    p->it = it;
    p->n = n;
    size_t n1 = n ? n : 1;
    uint32_t *order = malloc(n1 * sizeof *order);
    p->lane = malloc(n1 * sizeof *p->lane);
    p->under = malloc(n1 * sizeof *p->under);
    p->kid_off = calloc(n1 + 1, sizeof *p->kid_off);
    p->kid = malloc(n1 * sizeof *p->kid);
    bool ok = order && p->lane && p->under && p->kid_off && p->kid;
    if (ok) {
        memset(p->lane, 0xff, n1 * sizeof *p->lane);
        for (uint32_t k = 0; k < n; k++)
            order[k] = k;
        qsort_r(order, n, sizeof *order, by_start, (void *)it);
        for (uint32_t k = 0; k < n && ok; k++)
            ok = place(p, order[k]);
    }
    if (ok) { /* lane children, in start order (the order of placing) */
        for (uint32_t k = 0; k < n; k++)
            if (p->under[k] != WCP_NONE)
                p->kid_off[p->under[k] + 1]++;
        for (uint32_t k = 0; k < n; k++)
            p->kid_off[k + 1] += p->kid_off[k];
        uint32_t *pos = malloc(n1 * sizeof *pos); /* each item's next free kid slot */
        ok = pos != NULL;
        if (ok) {
            memcpy(pos, p->kid_off, n1 * sizeof *pos);
            for (uint32_t k = 0; k < n; k++) {
                uint32_t x = order[k];
                if (p->under[x] != WCP_NONE)
                    p->kid[pos[p->under[x]]++] = x;
            }
        }
        free(pos);
    }
    free(order);
    free(p->busy.v);
    free(p->free_lanes.v);
    p->busy = p->free_lanes = (wcp_lane_heap){0};
    return ok;
}

void wcp_lanes_free(wcp_lanes *p)
{
    free(p->lane);
    free(p->under);
    free(p->lanes);
    free(p->thread_lane);
    free(p->thread_ids);
    free(p->kid_off);
    free(p->kid);
}

/* t clamped to item x's interval: its start, or just before its end. */
int64_t wcp_lanes_clamp(const wcp_lanes *p, uint32_t x, int64_t t)
{
    int64_t s = p->it[x].s, e = p->it[x].e;
    return t < s ? s : t >= e ? (e > s ? e - 1 : s) : t;
}

/* Viewers take a slice as open from its start up to, not including, its
 * end: the candidates are the gaps [x.s, kid.s), [kid.e, next kid.s), ...,
 * [last kid.e, x.e) between x's lane children, and inside a gap its
 * interior first (the edges are where viewers could disagree). When there
 * is no gap (x is covered), t clamped to x. */
int64_t wcp_lanes_bind(const wcp_lanes *p, uint32_t x, int64_t t)
{
    const wcp_lane_item *it = p->it;
    int64_t s = it[x].s, e = it[x].e;
    int64_t best = wcp_lanes_clamp(p, x, t), dist = -1;
    uint32_t k0 = p->kid_off[x], k1 = p->kid_off[x + 1];
    for (uint32_t k = k0; k <= k1; k++) {
        int64_t a = k == k0 ? s : it[p->kid[k - 1]].e;
        int64_t b = k == k1 ? e : it[p->kid[k]].s;
        if (b <= a)
            continue;
        int64_t lo = b - a >= 2 ? a + 1 : a, hi = b - a >= 2 ? b - 1 : a;
        int64_t q = t < lo ? lo : t > hi ? hi : t;
        int64_t d = q > t ? q - t : t - q;
        if (dist < 0 || d <= dist) { /* ties: the later gap */
            best = q;
            dist = d;
        }
        if (a > t) /* later gaps are further away */
            break;
    }
    return best;
}

/* 1 if item y lies inside item x on x's lane (x is below it in the nesting). */
bool wcp_lanes_nested(const wcp_lanes *p, uint32_t y, uint32_t x)
{
    if (p->lane[y] != p->lane[x])
        return false;
    for (uint32_t u = p->under[y]; u != WCP_NONE; u = p->under[u])
        if (u == x)
            return true;
    return false;
}

/* Depth in the parent tree (a loop counts as a root). */
void wcp_lanes_depths(wcp_lane_item *it, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        it[i].depth = UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t x = i, d = 0;
        while (it[x].depth == UINT32_MAX && it[x].parent != WCP_NONE && d < n) {
            x = it[x].parent;
            d++;
        }
        uint32_t base = it[x].depth == UINT32_MAX ? 0 : it[x].depth;
        if (it[x].depth == UINT32_MAX)
            it[x].depth = 0;
        for (uint32_t y = i, k = d; k > 0; y = it[y].parent, k--)
            it[y].depth = base + k;
    }
}

/* Gives lanes tids from *tid on: threads' by thread id, then the numbered ones. */
void wcp_lanes_number(wcp_lanes *p, uint32_t *tid)
{
    for (uint32_t k = 0; k < p->n_threads; k++)
        p->lanes[p->thread_lane[k]].tid = (*tid)++;
    uint32_t first = *tid;
    for (uint32_t l = 0, k = 0; l < p->n_lanes; l++)
        if (!p->lanes[l].is_thread) {
            p->lanes[l].number = ++k;
            p->lanes[l].tid = first + k - 1;
        }
    *tid = first + p->n_numbered;
}
