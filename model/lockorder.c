/* lockorder.c - spec/analysis.md §6 rule 8: the order of a lock's holds from
 * the what-if's own clocks. See lockorder.h. */
#define _GNU_SOURCE
#include "lockorder.h"
#include "sat.h"

#include <stdlib.h>
#include <string.h>

#define NO_TIME INT64_MIN /* an arrival the replay never reached */
#define LOCKWAIT_SCAN 256 /* waits of the holder looked at, back from the hold's start */

struct wcp_order {
    const wcp_graph *g;
    const uint32_t *cls;
    uint32_t n_res, n; /* resources ordered, and their holds */
    uint32_t *off;     /* resource r's holds are positions off[r] .. off[r + 1] */
    uint32_t *hop;     /* per position: the hold's op index, in recorded order (start, id) */
    uint8_t *excl;     /* per position: an exclusive hold (else shared) */
    int32_t *pos_of;   /* per op: its position, -1 for an op that is no ordered hold */
    uint8_t *neutral;  /* per wait of g: a lock wait that rule 8's edges replace */
    int64_t *eff;      /* per position: the recorded arrival, never before an earlier one's */
    int64_t *abase;    /* per position: the arrival in the baseline of t1 */
    int32_t *rec_prev, *rec_next; /* the recorded order's structure (order_structure) */
    wcp_tape t1;                  /* the recorded order with rule 8's edges */
};

/* ---- the order of a sequence */

/* For each resource's holds in the sequence seq (positions, grouped by
 * resource as o->off): prev[h], the last exclusive hold before h (a
 * position, -1: none); next[h], for a shared h, the first exclusive hold
 * after it (-1: none; for an exclusive h, -1). Two sequences with the same
 * prev and next give the same edges: a shared hold follows prev, an
 * exclusive one prev and every shared hold whose next it is. */
static void order_structure(const wcp_order *o, const uint32_t *seq, int32_t *prev, int32_t *next)
{
    for (uint32_t r = 0; r < o->n_res; r++) {
        int32_t last = -1;
        uint32_t since = o->off[r]; /* the first shared hold after last */
        for (uint32_t i = o->off[r]; i < o->off[r + 1]; i++) {
            uint32_t h = seq[i];
            prev[h] = last;
            next[h] = -1;
            if (o->excl[h]) {
                for (uint32_t j = since; j < i; j++)
                    next[seq[j]] = (int32_t)h;
                last = (int32_t)h;
                since = i + 1;
            }
        }
    }
}

static bool same_structure(const wcp_order *o, const int32_t *p1, const int32_t *n1,
                           const int32_t *p2, const int32_t *n2)
{
    return memcmp(p1, p2, o->n * sizeof *p1) == 0 && memcmp(n1, n2, o->n * sizeof *n1) == 0;
}

static int by_key_pos(const void *a, const void *b, void *ctx)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const int64_t *key = ctx;
    if (key[x] != key[y])
        return key[x] < key[y] ? -1 : 1;
    return x < y ? -1 : x > y; /* ties: the recorded order */
}

/* seq: each resource's holds by key (ties: recorded order) */
static void order_by_key(const wcp_order *o, const int64_t *key, uint32_t *seq)
{
    for (uint32_t i = 0; i < o->n; i++)
        seq[i] = i;
    for (uint32_t r = 0; r < o->n_res; r++)
        qsort_r(seq + o->off[r], o->off[r + 1] - o->off[r], sizeof *seq, by_key_pos, (void *)key);
}

/* ---- a tape per order */

/* Compiles the replay of g with each ordered hold's order waits those of
 * the structure prev/next: a shared hold waits (zero length, at its start,
 * before its children) for prev, an exclusive one for prev and every
 * shared hold whose next it is; the lock waits those edges replace add
 * nothing (their target is the waiter itself; they stay waits, so self
 * times do not change). The tape's DELAY instructions name g's waits, and
 * its graph is g. NULL when out of memory (*rc -1) or stopped (*rc
 * WCP_INTERRUPTED; stop and owner as wcp_tape_compile_on's). */
static wcp_tape *order_tape(const wcp_order *o, const int32_t *prev, const int32_t *next,
                            wcp_stop *stop, bool owner, int *rc)
{
    *rc = -1;
    const wcp_graph *g = o->g;
    uint32_t *cnt = calloc(o->n + 1, sizeof *cnt); /* preds per position */
    if (!cnt)
        return NULL;
    size_t extra = 0;
    for (uint32_t h = 0; h < o->n; h++) {
        if (prev[h] >= 0)
            cnt[h]++;
        if (next[h] >= 0)
            cnt[next[h]]++;
    }
    for (uint32_t h = 0; h < o->n; h++)
        extra += cnt[h];
    /* each exclusive hold's shared predecessors, by position */
    uint32_t *poff = malloc((o->n + 1) * sizeof *poff), *pred = malloc((extra + 1) * sizeof *pred);
    size_t nw = (size_t)g->n_waits + extra;
    wcp_graph_wait *w = malloc((nw + 1) * sizeof *w);
    uint32_t *woff = malloc(((size_t)g->n_ops + 1) * sizeof *woff);
    uint32_t *orig = malloc((nw + 1) * sizeof *orig);
    wcp_tape *t = calloc(1, sizeof *t);
    if (!poff || !pred || !w || !woff || !orig || !t)
        goto oom;
    poff[0] = 0;
    for (uint32_t h = 0; h < o->n; h++)
        poff[h + 1] = poff[h] + cnt[h];
    memset(cnt, 0, (o->n + 1) * sizeof *cnt);
    for (uint32_t h = 0; h < o->n; h++) {
        if (prev[h] >= 0)
            pred[poff[h] + cnt[h]++] = (uint32_t)prev[h];
        if (next[h] >= 0)
            pred[poff[next[h]] + cnt[next[h]]++] = h;
    }
    uint32_t m = 0, n_order = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        int32_t h = o->pos_of[i];
        woff[i] = m;
        if (h >= 0)
            for (uint32_t k = poff[h]; k < poff[h + 1]; k++, n_order++) {
                orig[m] = UINT32_MAX;
                w[m++] = (wcp_graph_wait){
                    g->start[i], g->start[i], (int32_t)i,       (int32_t)o->hop[pred[k]],
                    0,           0,           WCP_BY_HOLD_ORDER};
            }
        for (uint32_t k = g->wait_off[i]; k < g->wait_off[i + 1]; k++) {
            if (h >= 0 && g->waits[k].by == WCP_BY_HOLD_ORDER)
                continue; /* rule 3's, replaced */
            orig[m] = k;
            w[m] = g->waits[k];
            if (o->neutral[k])
                w[m].target = (int32_t)i;
            m++;
        }
    }
    woff[g->n_ops] = m;
    wcp_graph gc = *g;
    gc.waits = w;
    gc.wait_off = woff;
    gc.n_waits = m;
    gc.n_order_waits = n_order;
    char err[128];
    if ((*rc = wcp_tape_compile_on(t, &gc, o->cls, stop, owner, err, sizeof err)) < 0)
        goto oom;
    for (size_t k = 0; k < t->n; k++)
        if (wcp_ins_kind(&t->ins[k]) == WCP_I_DELAY)
            t->ins[k].arg = orig[t->ins[k].arg];
    t->g = g;
    goto done;
oom:
    free(t);
    t = NULL;
done:
    free(cnt);
    free(poff);
    free(pred);
    free(w);
    free(woff);
    free(orig);
    return t;
}

void wcp_order_tape_free(wcp_tape *t)
{
    if (t)
        wcp_tape_free(t);
    free(t);
}

/* Evaluates t and gives each hold its key: its recorded arrival moved by as
 * much as this replay moved its arrival (its start: the holder's clock when
 * it asks for the lock, rule 8's edges coming after) from the baseline of
 * t1. Returns the makespan. */
static int64_t arrivals(const wcp_order *o, const wcp_tape *t, const double *factor, int64_t *reg,
                        int64_t *start, int64_t *key)
{
    for (uint32_t h = 0; h < o->n; h++)
        start[o->hop[h]] = NO_TIME;
    int64_t ms = wcp_tape_eval(t, factor, reg, start, NULL);
    for (uint32_t h = 0; h < o->n; h++) {
        int64_t a = start[o->hop[h]];
        key[h] = a == NO_TIME || o->abase[h] == NO_TIME
                     ? o->eff[h]
                     : wcp_sat_add(o->eff[h], wcp_sat_sub(a, o->abase[h]));
    }
    return ms;
}

int64_t wcp_order_eval(const wcp_order *o, const wcp_tape *base, const double *factor, int64_t *reg,
                       int64_t *start, int64_t **after, wcp_tape **tape, int *rounds,
                       wcp_stop *stop, bool owner)
{
    if (after)
        *after = NULL;
    if (tape)
        *tape = NULL;
    if (rounds)
        *rounds = 0;
    size_t n1 = o->n ? o->n : 1;
    int64_t *key = malloc(n1 * sizeof *key);
    uint32_t *seq = malloc(n1 * sizeof *seq);
    int32_t *pv = malloc(n1 * sizeof *pv), *nx = malloc(n1 * sizeof *nx);
    int32_t *pv2 = malloc(n1 * sizeof *pv2), *nx2 = malloc(n1 * sizeof *nx2);
    wcp_tape *cur = NULL;
    int64_t ms = -1;
    int r = 0;
    if (!key || !seq || !pv || !nx || !pv2 || !nx2)
        goto done;
    ms = arrivals(o, &o->t1, factor, reg, start, key);
    order_by_key(o, key, seq);
    order_structure(o, seq, pv, nx);
    if (!same_structure(o, pv, nx, o->rec_prev, o->rec_next)) {
        for (;;) { /* to the fixed point: the order this tape's arrivals give is its own */
            wcp_order_tape_free(cur);
            int rc;
            if (!(cur = order_tape(o, pv, nx, stop, owner, &rc))) {
                ms = rc == WCP_INTERRUPTED ? WCP_INTERRUPTED : -1;
                goto done;
            }
            r++;
            if (cur->fallbacks > base->fallbacks || cur->cycles > base->cycles) {
                r = -r; /* an order the replay cannot follow: the recorded one is kept */
                wcp_order_tape_free(cur);
                cur = NULL;
                break;
            }
            ms = arrivals(o, cur, factor, reg, start, key);
            order_by_key(o, key, seq);
            order_structure(o, seq, pv2, nx2);
            if (same_structure(o, pv, nx, pv2, nx2))
                break;
            if (r == WCP_ORDER_ROUNDS) {
                r = -r; /* not settled: the recorded order is kept */
                wcp_order_tape_free(cur);
                cur = NULL;
                break;
            }
            int32_t *x = pv;
            pv = pv2;
            pv2 = x;
            x = nx;
            nx = nx2;
            nx2 = x;
        }
    }
    const wcp_tape *fin = cur ? cur : base;
    if (after) {
        if (!(*after = malloc((fin->n ? fin->n : 1) * sizeof **after))) {
            ms = -1;
            goto done;
        }
    }
    if (!cur || after) /* the recorded order's result is base's, exactly */
        ms = wcp_tape_eval(fin, factor, reg, start, after ? *after : NULL);
    if (rounds)
        *rounds = r;
    if (tape) {
        *tape = cur;
        cur = NULL;
    }
done:
    if (ms < 0 && after) {
        free(*after);
        *after = NULL;
    }
    wcp_order_tape_free(cur);
    free(key);
    free(seq);
    free(pv);
    free(nx);
    free(pv2);
    free(nx2);
    return ms;
}

/* ---- building */

void wcp_order_free(wcp_order *o)
{
    if (!o)
        return;
    free(o->off);
    free(o->hop);
    free(o->excl);
    free(o->pos_of);
    free(o->neutral);
    free(o->eff);
    free(o->abase);
    free(o->rec_prev);
    free(o->rec_next);
    wcp_tape_free(&o->t1);
    free(o);
}

/* The lock wait that led to hold x of resource res: the holder's last wait
 * on res resolved to a hold (rule 1) that ended at most 1 ms before x
 * began (the recorder ends it once the lock is taken); -1 for none. */
static int32_t lock_wait(const wcp_graph *g, uint32_t x, uint32_t res)
{
    int32_t p = g->parent[x];
    if (p < 0)
        return -1;
    uint32_t lo = g->wait_off[p], k = g->wait_off[p + 1];
    for (unsigned steps = 0; k > lo && steps < LOCKWAIT_SCAN; steps++) {
        const wcp_graph_wait *w = &g->waits[--k];
        if (w->start > g->start[x])
            continue;
        if (w->by == WCP_BY_HOLD && w->ident == res && w->end <= g->start[x] &&
            g->start[x] - w->end <= WCP_AWAIT_SLACK_NS)
            return (int32_t)k;
    }
    return -1;
}

/* The holds of g's resource from hold a (hold_op: by resource, then end)
 * up to *b; *cnt of them exclusive or shared. Whether the resource is a
 * reader/writer lock: both kinds held. */
static bool rw_group(const wcp_graph *g, uint32_t a, uint32_t *b, uint32_t *cnt)
{
    uint32_t ex = 0, k;
    *cnt = 0;
    for (k = a; k < g->n_holds && g->hold_res[k] == g->hold_res[a]; k++) {
        *cnt += g->hold_mode[k] != WCP_HOLD_OTHER;
        ex += g->hold_mode[k] == WCP_HOLD_EXCLUSIVE;
    }
    *b = k;
    return ex && *cnt > ex;
}

int wcp_order_build(wcp_order **out, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                    char *err, size_t errlen)
{
    *out = NULL;
    if (g->n_holds == 0)
        return 0;
    /* the reader/writer locks: the resources with exclusive and shared holds
     * (hold_op: by resource, then end). A mutex keeps rule 3's order: see
     * lockorder.h */
    uint32_t n = 0, n_res = 0;
    for (uint32_t a = 0, b, cnt; a < g->n_holds; a = b)
        if (rw_group(g, a, &b, &cnt)) {
            n += cnt;
            n_res++;
        }
    if (n == 0)
        return 0;
    wcp_order *o = calloc(1, sizeof *o);
    size_t n1 = g->n_ops ? g->n_ops : 1;
    int64_t *reg = malloc(n1 * sizeof *reg), *start = malloc(n1 * sizeof *start);
    uint32_t *seq = malloc(n * sizeof *seq);
    if (!o || !reg || !start || !seq)
        goto oom;
    o->g = g;
    o->cls = cls;
    o->n = n;
    o->n_res = n_res;
    o->off = malloc((n_res + 1) * sizeof *o->off);
    o->hop = malloc(n * sizeof *o->hop);
    o->excl = malloc(n);
    o->pos_of = malloc(n1 * sizeof *o->pos_of);
    o->neutral = calloc(g->n_waits + 1, 1);
    o->eff = malloc(n * sizeof *o->eff);
    o->abase = malloc(n * sizeof *o->abase);
    o->rec_prev = malloc(n * sizeof *o->rec_prev);
    o->rec_next = malloc(n * sizeof *o->rec_next);
    if (!o->off || !o->hop || !o->excl || !o->pos_of || !o->neutral || !o->eff || !o->abase ||
        !o->rec_prev || !o->rec_next)
        goto oom;
    memset(o->pos_of, 0xff, n1 * sizeof *o->pos_of);
    uint32_t m = 0, r = 0;
    for (uint32_t a = 0, b, cnt; a < g->n_holds; a = b) {
        if (!rw_group(g, a, &b, &cnt))
            continue;
        o->off[r++] = m;
        uint32_t first = m;
        for (uint32_t k = a; k < b; k++)
            if (g->hold_mode[k] != WCP_HOLD_OTHER) {
                o->pos_of[g->hold_op[k]] = (int32_t)k; /* for a moment: its hold index */
                o->hop[m++] = g->hold_op[k];
            }
        qsort_r(o->hop + first, m - first, sizeof *o->hop, wcp_graph_by_start_id, (void *)g);
        int64_t latest = INT64_MIN;
        for (uint32_t h = first; h < m; h++) {
            uint32_t x = o->hop[h];
            o->excl[h] = g->hold_mode[o->pos_of[x]] == WCP_HOLD_EXCLUSIVE;
            o->pos_of[x] = (int32_t)h;
            int32_t lw = lock_wait(g, x, g->hold_res[a]);
            if (lw >= 0)
                o->neutral[lw] = 1;
            int64_t arr = lw >= 0 ? g->waits[lw].start : g->start[x];
            if (arr > latest)
                latest = arr;
            o->eff[h] = latest; /* in recorded order, no hold arrived before an earlier one */
        }
        if (wcp_stop_poll(stop))
            goto stopped;
    }
    o->off[r] = m;
    for (uint32_t h = 0; h < n; h++)
        seq[h] = h;
    order_structure(o, seq, o->rec_prev, o->rec_next);
    int rc;
    wcp_tape *t1 = order_tape(o, o->rec_prev, o->rec_next, stop, true, &rc);
    if (!t1 && rc == WCP_INTERRUPTED)
        goto stopped;
    if (!t1)
        goto oom;
    o->t1 = *t1;
    free(t1);
    if (wcp_stop_poll(stop))
        goto stopped;
    for (uint32_t h = 0; h < n; h++)
        start[o->hop[h]] = NO_TIME;
    wcp_tape_eval(&o->t1, NULL, reg, start, NULL);
    for (uint32_t h = 0; h < n; h++)
        o->abase[h] = start[o->hop[h]];
    free(reg);
    free(start);
    free(seq);
    *out = o;
    return 0;
oom:
    free(reg);
    free(start);
    free(seq);
    wcp_order_free(o);
    return wcp_errf(err, errlen, "replay: out of memory for run %lld (lock order)",
                    (long long)g->run_id);
stopped:
    free(reg);
    free(start);
    free(seq);
    wcp_order_free(o);
    return wcp_errf(err, errlen, "interrupted"), WCP_INTERRUPTED;
}
