/* graph.c - the op graph of one run, in compact arrays (spec/analysis.md §1-2).
 * See graph.h. */
#define _GNU_SOURCE
#include "graph.h"
#include "grow.h"
#include "ids.h"
#include "store.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t string_id(sqlite3 *db, const char *s)
{
    return (uint32_t)wcp_db_string_id(db, s);
}

/* index of id among the first n ops (ids ascending, as uint64: graph.h), or -1 */
static int32_t find_upto(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (wcp_id_less(ids[mid], id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id ? (int32_t)lo : -1;
}

int32_t wcp_graph_find(const wcp_graph *g, int64_t id)
{
    return find_upto(g->id, g->n_ops, id);
}

/* index of key in the sorted array a[0..n), or -1 */
static int64_t find_u32(const uint32_t *a, size_t n, uint32_t key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == key ? (int64_t)lo : -1;
}

int32_t wcp_graph_wait_target(const wcp_graph *g, int64_t t, uint32_t reason, uint32_t ident)
{
    if (t != 0) {
        int32_t j = wcp_graph_find(g, t);
        if (j >= 0)
            return j;
    }
    if (reason != 0 && reason == g->exec_str && ident != 0) {
        int64_t k = find_u32(g->exec_ident, g->n_exec, ident);
        if (k >= 0)
            return (int32_t)g->exec_op[k];
    }
    return -1;
}

/* ---- §6 rule 1: holds ------------------------------------------------------ */

const char *const wcp_wait_by_name[5] = {"none", "recorded", "exec_ident", "hold", "hold_order"};

int32_t wcp_graph_hold_target(const wcp_graph *g, uint32_t ident, int32_t waiter, int64_t start,
                              int64_t end)
{
    if (ident == 0 || g->n_holds == 0)
        return -1;
    /* the holds of ident: [lo, hi); then the first ending after the wait */
    size_t lo = 0, hi = g->n_holds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->hold_res[mid] < ident)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t first = lo;
    hi = g->n_holds;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->hold_res[mid] == ident && g->end[g->hold_op[mid]] <= end)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t k = lo; k-- > first;) { /* latest end first, then the higher id */
        uint32_t h = g->hold_op[k];
        if (g->end[h] < start)
            break;
        if (waiter >= 0 && (g->parent[h] == waiter || (int32_t)h == waiter))
            continue; /* the waiter's own hold */
        return (int32_t)h;
    }
    return -1;
}

int32_t wcp_graph_wait_resolve(const wcp_graph *g, int64_t t, uint32_t reason, uint32_t ident,
                               int32_t waiter, int64_t start, int64_t end, wcp_wait_by *by)
{
    int32_t j = wcp_graph_wait_target(g, t, reason, ident);
    if (j >= 0) {
        *by = t != 0 && g->id[j] == t ? WCP_BY_RECORDED : WCP_BY_EXEC_IDENT;
        return j;
    }
    j = wcp_graph_hold_target(g, ident, waiter, start, end);
    *by = j >= 0 ? WCP_BY_HOLD : WCP_BY_NONE;
    return j;
}

char *wcp_graph_wait_resource(sqlite3 *db, const wcp_graph_wait *w)
{
    char *ident = wcp_db_string(db, w->ident);
    if (!ident || *ident) /* wcp_wait_resource_of(ident, reason), one lookup when it can */
        return ident;
    free(ident);
    return wcp_db_string(db, w->reason);
}

void wcp_graph_steps(const wcp_graph *g, uint32_t i, const wcp_span *w, size_t nw, wcp_step_fn *fn,
                     void *ctx)
{
    int64_t cur = g->start[i], e = g->end[i]; /* cur: how far the op is covered */
    const uint32_t *ch = g->child + g->child_off[i];
    size_t nc = g->child_off[i + 1] - g->child_off[i], a = 0, b = 0;
    bool looked = false; /* the zero-length cuts at looked_at were looked past */
    int64_t looked_at = 0;
    while (a < nc || b < nw) {
        /* a `first` wait (§6 rule 3's order) comes before the children at
         * its instant too: what the hold does runs once it is let in */
        bool child = b >= nw || (a < nc && (g->start[ch[a]] < w[b].start ||
                                            (g->start[ch[a]] == w[b].start && !w[b].first)));
        int64_t is = child ? g->start[ch[a]] : w[b].start;
        int64_t ie = child ? g->end[ch[a]] : w[b].end;
        if (is > cur && cur < e) {
            int64_t se = is < e ? is : e;
            fn(ctx, &(wcp_step){WCP_STEP_SELF, cur, se - cur, 0});
            cur = se;
        }
        if (is == cur && ie <= cur && cur < e && !(looked && looked_at == cur) &&
            (child || !w[b].first)) {
            /* zero-length cuts at cur split the stretch (§2); the self segment
             * that starts at cur comes before them (§3 ties: self, spawn,
             * wait). Looked once per cur: many cuts at one instant stay linear. */
            looked = true;
            looked_at = cur;
            size_t a2 = a, b2 = b;
            int64_t ns = e; /* where the first cut that is not zero-length at cur starts */
            while (a2 < nc || b2 < nw) {
                bool c2 = b2 >= nw || (a2 < nc && g->start[ch[a2]] <= w[b2].start);
                int64_t s2 = c2 ? g->start[ch[a2]] : w[b2].start;
                int64_t e2 = c2 ? g->end[ch[a2]] : w[b2].end;
                if (s2 != cur || e2 > cur) {
                    ns = s2 < e ? s2 : e;
                    break;
                }
                if (c2)
                    a2++;
                else
                    b2++;
            }
            if (ns > cur) {
                fn(ctx, &(wcp_step){WCP_STEP_SELF, cur, ns - cur, 0});
                cur = ns;
            }
        }
        if (child)
            fn(ctx, &(wcp_step){WCP_STEP_CHILD, is, 0, ch[a++]});
        else
            fn(ctx, &(wcp_step){WCP_STEP_WAIT, is, 0, (uint32_t)b++});
        if (ie > e)
            ie = e;
        if (ie > cur)
            cur = ie;
    }
    if (cur < e)
        fn(ctx, &(wcp_step){WCP_STEP_SELF, cur, e - cur, 0});
}

static void add_self(void *ctx, const wcp_step *s)
{
    if (s->kind == WCP_STEP_SELF)
        *(int64_t *)ctx += s->len;
}

int64_t wcp_graph_self(const wcp_graph *g, uint32_t i, const wcp_span *w, size_t nw)
{
    int64_t self = 0;
    wcp_graph_steps(g, i, w, nw, add_self, &self);
    return self;
}

void wcp_graph_free(wcp_graph *g)
{
    void *arrays[] = {g->id,    g->start,    g->end,        g->parent,    g->flags,   g->child_off,
                      g->child, g->root,     g->exec_ident, g->exec_op,   g->kind,    g->class_id,
                      g->ident, g->client,   g->outcome,    g->work_type, g->self_ns, g->wait_off,
                      g->waits, g->hold_res, g->hold_op,    g->hold_mode, g->thread};
    for (size_t k = 0; k < sizeof arrays / sizeof arrays[0]; k++)
        free(arrays[k]);
    memset(g, 0, sizeof *g);
}

int wcp_graph_by_start_id(const void *a, const void *b, void *ctx)
{
    const wcp_graph *g = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (g->start[x] != g->start[y])
        return g->start[x] < g->start[y] ? -1 : 1;
    return x < y ? -1 : x > y; /* index order is id order */
}

typedef struct exec_entry {
    uint32_t ident, op;
    int64_t dur;
} exec_entry;

/* holds by (resource, end, id) (§6 rule 1) */
typedef struct hold_entry {
    uint32_t res, op;
    uint8_t mode;
} hold_entry;

static int by_res_end(const void *a, const void *b, void *ctx)
{
    const wcp_graph *g = ctx;
    const hold_entry *x = a, *y = b;
    if (x->res != y->res)
        return x->res < y->res ? -1 : 1;
    if (g->end[x->op] != g->end[y->op])
        return g->end[x->op] < g->end[y->op] ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
}

static int by_ident_longest(const void *a, const void *b)
{
    const exec_entry *x = a, *y = b;
    if (x->ident != y->ident)
        return x->ident < y->ident ? -1 : 1;
    if (x->dur != y->dur)
        return x->dur > y->dur ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
}

/* nested-client links of the run: for each ident the from-op id of the last
 * link in dump order (§1.5, §3 ties), links from unknown ops ignored first */
static int load_nested(sqlite3 *db, const wcp_graph *g, uint32_t **idents, int64_t **from,
                       size_t *n, char *err, size_t errlen)
{
    *idents = NULL;
    *from = NULL;
    *n = 0;
    uint32_t kind = string_id(db, "nested_client");
    if (!kind)
        return 0;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "SELECT ident_id, from_id FROM links l WHERE run_id = ?1 AND kind = ?2 AND ident_id != 0 "
            "AND EXISTS (SELECT 1 FROM ops o WHERE o.run_id = ?1 AND o.id = l.from_id) "
            "ORDER BY ident_id, dump_id, line",
            -1, &st, NULL) != SQLITE_OK)
        return wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, g->run_id);
    sqlite3_bind_int64(st, 2, kind);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint32_t ident = (uint32_t)sqlite3_column_int64(st, 0);
        int64_t f = sqlite3_column_int64(st, 1);
        if (*n && (*idents)[*n - 1] == ident) {
            (*from)[*n - 1] = f; /* a later link wins */
            continue;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            uint32_t *ni = realloc(*idents, cap * sizeof **idents);
            int64_t *nf = realloc(*from, cap * sizeof **from);
            if (ni)
                *idents = ni;
            if (nf)
                *from = nf;
            if (!ni || !nf) {
                sqlite3_finalize(st);
                return wcp_errf(err, errlen, "graph: out of memory");
            }
        }
        (*idents)[*n] = ident;
        (*from)[*n] = f;
        (*n)++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    return 0;
}

static int add_order_waits(wcp_graph *g, char *err, size_t errlen);

static int load_waits(sqlite3 *db, wcp_graph *g, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int64_t count = 0;
    if (sqlite3_prepare_v2(db, "SELECT count(*) FROM waits WHERE run_id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, g->run_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        count = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    g->wait_off = calloc((size_t)g->n_ops + 1, sizeof *g->wait_off);
    g->waits = malloc((size_t)(count ? count : 1) * sizeof *g->waits);
    if (!g->wait_off || !g->waits)
        return wcp_errf(err, errlen, "graph: out of memory for %lld waits", (long long)count);
    if (sqlite3_prepare_v2(
            db,
            "SELECT waiter_id, start_ns, end_ns, recorded_target_id, reason, ident_id FROM waits "
            "WHERE run_id = ?1 AND waiter_id BETWEEN ?2 AND ?3 ORDER BY waiter_id, start_ns, dump_id, "
            "line",
            -1, &st, NULL) != SQLITE_OK)
        return wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    int rc = SQLITE_DONE;
    uint32_t n = 0;
    /* by waiter in the ops' order (uint64 ids: the two halves, as the ops) */
    for (int half = 0; half < 2 && (rc == SQLITE_DONE || rc == SQLITE_ROW); half++) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, g->run_id);
        sqlite3_bind_int64(st, 2, half ? INT64_MIN : 0);
        sqlite3_bind_int64(st, 3, half ? -1 : INT64_MAX);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < count) {
            int32_t w = wcp_graph_find(g, sqlite3_column_int64(st, 0));
            if (w < 0) {
                g->n_orphan_waits++;
                continue;
            }
            wcp_graph_wait *x = &g->waits[n++];
            x->waiter = w;
            x->start = sqlite3_column_int64(st, 1);
            x->end = sqlite3_column_int64(st, 2);
            x->reason = (uint32_t)sqlite3_column_int64(st, 4);
            x->ident = (uint32_t)sqlite3_column_int64(st, 5);
            wcp_wait_by by;
            x->target = wcp_graph_wait_resolve(g, sqlite3_column_int64(st, 3), x->reason, x->ident,
                                               w, x->start, x->end, &by);
            x->by = (uint8_t)by;
            g->wait_off[w + 1]++;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    g->n_waits = n;
    for (uint32_t i = 0; i < g->n_ops; i++)
        g->wait_off[i + 1] += g->wait_off[i];
    return add_order_waits(g, err, errlen);
}

/* §6 rule 3: the hold of the same resource that hold k (an index into
 * hold_op, whose resource's holds are [first, k's group end)) follows: the
 * one that ended last at or before k's start (ties: the higher id), among
 * the exclusive holds and, for an exclusive k, the shared ones too; -1 for
 * none, and for a hold neither exclusive nor shared. last_x[j] and
 * last_xs[j]: the last position at or before j, in j's group, of an
 * exclusive hold and of an exclusive or shared one (-1: none), so that a
 * reader among thousands since the last writer finds it at once. */
static int32_t hold_before(const wcp_graph *g, size_t first, size_t end, size_t k,
                           const int32_t *last_x, const int32_t *last_xs)
{
    uint8_t mode = g->hold_mode[k];
    if (mode == WCP_HOLD_OTHER)
        return -1;
    uint32_t h = g->hold_op[k];
    size_t lo = first, hi = end;
    while (lo < hi) { /* the first hold ending after h's start */
        size_t mid = lo + (hi - lo) / 2;
        if (g->end[g->hold_op[mid]] <= g->start[h])
            lo = mid + 1;
        else
            hi = mid;
    }
    const int32_t *last = mode == WCP_HOLD_SHARED_MODE ? last_x : last_xs;
    int32_t j = lo > first ? last[lo - 1] : -1;
    if (j >= 0 && g->hold_op[j] == h) /* h itself (a zero-length hold) */
        j = (size_t)j > first ? last[j - 1] : -1;
    return j >= 0 ? (int32_t)g->hold_op[j] : -1;
}

/* Adds §6 rule 3's zero-length waits: each hold's on the hold before it
 * (hold_before), first among the hold's waits. 0, or -1 out of memory. */
static int add_order_waits(wcp_graph *g, char *err, size_t errlen)
{
    if (g->n_holds == 0)
        return 0;
    int32_t *before = malloc((size_t)g->n_ops * sizeof *before);
    int32_t *last_x = malloc((size_t)g->n_holds * sizeof *last_x);
    int32_t *last_xs = malloc((size_t)g->n_holds * sizeof *last_xs);
    if (!before || !last_x || !last_xs) {
        free(before);
        free(last_x);
        free(last_xs);
        return wcp_errf(err, errlen, "graph: out of memory");
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        before[i] = -1;
    uint32_t extra = 0;
    for (size_t first = 0, end; first < g->n_holds; first = end) {
        int32_t x = -1, xs = -1;
        for (end = first; end < g->n_holds && g->hold_res[end] == g->hold_res[first]; end++) {
            if (g->hold_mode[end] == WCP_HOLD_EXCLUSIVE)
                x = (int32_t)end;
            if (g->hold_mode[end] != WCP_HOLD_OTHER)
                xs = (int32_t)end;
            last_x[end] = x;
            last_xs[end] = xs;
        }
        for (size_t k = first; k < end; k++) {
            before[g->hold_op[k]] = hold_before(g, first, end, k, last_x, last_xs);
            extra += before[g->hold_op[k]] >= 0;
        }
    }
    free(last_x);
    free(last_xs);
    wcp_graph_wait *w = malloc(((size_t)g->n_waits + extra + 1) * sizeof *w);
    if (!w) {
        free(before);
        return wcp_errf(err, errlen, "graph: out of memory");
    }
    uint32_t n = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        uint32_t a = g->wait_off[i], b = g->wait_off[i + 1];
        g->wait_off[i] = n;
        if (before[i] >= 0)
            w[n++] = (wcp_graph_wait){g->start[i], g->start[i], (int32_t)i,       before[i],
                                      0,           0,           WCP_BY_HOLD_ORDER};
        for (uint32_t k = a; k < b; k++)
            w[n++] = g->waits[k];
    }
    g->wait_off[g->n_ops] = n;
    free(g->waits);
    free(before);
    g->waits = w;
    g->n_waits = n;
    g->n_order_waits = extra;
    return 0;
}

typedef struct nested {
    uint32_t *ident; /* nested-client idents, ascending */
    int64_t *from;   /* the from-op id of each ident's last link */
    size_t n;
} nested;

/* §1.5: the parent of op i among the first `known` ops: its recorded parent
 * when that is a known op other than itself, else through a nested-client
 * link of its client. Returns 0 with *p (-1: a root) and *reparented, or -1
 * when an op it names is not among the first `known` yet. */
static int resolve_parent(const wcp_graph *g, size_t known, uint32_t i, int64_t recp,
                          uint32_t client, const nested *nc, int32_t *p, bool *reparented)
{
    *p = -1;
    *reparented = false;
    if (recp != 0 && recp != g->id[i]) {
        if (known <= (size_t)i && wcp_id_less(g->id[i], recp))
            return -1;
        *p = find_upto(g->id, known, recp);
    }
    if (*p < 0 && client != 0) {
        int64_t k = find_u32(nc->ident, nc->n, client);
        if (k >= 0) {
            int64_t f = nc->from[k];
            if (known <= (size_t)i && wcp_id_less(g->id[i], f))
                return -1;
            *p = f == g->id[i] ? -1 : find_upto(g->id, known, f);
            *reparented = *p >= 0;
        }
    }
    return 0;
}

typedef struct later {
    uint32_t i, client;
    int64_t recp;
    int64_t stored_parent; /* with WCP_GRAPH_STORED: parent_id as stored (0, no op's id: NULL) */
    bool stored_rep;
} later;

/* Resolved parent i (index p, -1 for none) and reparented flag as stored? */
static void mark_stored(wcp_graph *g, uint32_t i, int32_t p, bool rep, int64_t stored_parent,
                        bool stored_rep)
{
    if ((p >= 0 ? g->id[p] : 0) == stored_parent && rep == stored_rep)
        g->flags[i] |= WCP_OP_STORED_PARENT;
}

/* The array a (cap entries of size bytes, n used) with room for one more:
 * a itself, or a doubled copy; NULL when out of memory (a is then
 * unchanged, still the caller's). */
static void *room_for_one(void *a, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return a;
    size_t c = *cap ? *cap * 2 : 256;
    void *q = realloc(a, c * size);
    if (q)
        *cap = c;
    return q;
}

/* Grows the per-op arrays being filled to cap entries. */
static bool grow_ops(wcp_graph *g, size_t cap, bool attrs, bool stored)
{
#define GROW(a)                                                                                    \
    do {                                                                                           \
        void *q = realloc(g->a, cap * sizeof *g->a);                                               \
        if (!q)                                                                                    \
            return false;                                                                          \
        g->a = q;                                                                                  \
    } while (0)
    GROW(id);
    GROW(start);
    GROW(end);
    GROW(parent);
    GROW(flags);
    GROW(thread);
    if (attrs) {
        GROW(kind);
        GROW(class_id);
        GROW(ident);
        GROW(client);
        GROW(outcome);
        GROW(work_type);
    }
    if (attrs || stored)
        GROW(self_ns);
    return true;
#undef GROW
}

/* Rows [from, to) of the per-op arrays made present before they are
 * written (grow.h: a call per array rather than a page fault per 4 KiB;
 * at 260K ops the arrays are 15 MB). */
static void prefault_ops(wcp_graph *g, size_t from, size_t to, bool attrs, bool stored)
{
#define TOUCH(a) wcp_prefault(g->a, from * sizeof *g->a, to * sizeof *g->a)
    TOUCH(id);
    TOUCH(start);
    TOUCH(end);
    TOUCH(parent);
    TOUCH(flags);
    TOUCH(thread);
    if (attrs) {
        TOUCH(kind);
        TOUCH(class_id);
        TOUCH(ident);
        TOUCH(client);
        TOUCH(outcome);
        TOUCH(work_type);
    }
    if (attrs || stored)
        TOUCH(self_ns);
#undef TOUCH
}

#define PREFAULT_ROWS 65536 /* rows of the per-op arrays made present at once */

/* The number of ops the runs table says run_id has, or 0 (none known). */
static int64_t ops_hint(sqlite3 *db, int64_t run_id)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db, "SELECT ops FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run_id);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* Sorts the op indexes a[0..n) by (start, id), unless they already are. */
static void sort_by_start(const wcp_graph *g, uint32_t *a, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (wcp_graph_by_start_id(&a[k - 1], &a[k], (void *)g) > 0) {
            qsort_r(a, n, sizeof *a, wcp_graph_by_start_id, (void *)g);
            return;
        }
}

/* §1.7 (beyond the reference): a parent chain that comes back to where it
 * began (directly, or through nested-client reparenting) is a cycle; it is
 * broken at its op with the earliest (start, id), which loses its parent and
 * becomes a root. One pass: each op's chain is walked once, marked with the
 * op the walk began at. Returns 0, or -1 out of memory. */
static int break_parent_cycles(wcp_graph *g)
{
    uint32_t n = g->n_ops;
    uint32_t *walk = malloc((n ? n : 1) * sizeof *walk); /* the walk that reached op i */
    if (!walk)
        return -1;
    memset(walk, 0xff, (n ? n : 1) * sizeof *walk);
    for (uint32_t i = 0; i < n; i++) {
        int32_t x = (int32_t)i;
        while (x >= 0 && walk[x] == UINT32_MAX) {
            walk[x] = i;
            x = g->parent[x];
        }
        if (x < 0 || walk[x] != i)
            continue;             /* a root, or an op an earlier walk reached */
        uint32_t b = (uint32_t)x; /* x is on the cycle: find its earliest op */
        for (int32_t y = g->parent[x]; y != x; y = g->parent[y])
            if (g->start[y] < g->start[b] || (g->start[y] == g->start[b] && (uint32_t)y < b))
                b = (uint32_t)y;
        g->parent[b] = -1;
        g->flags[b] = (uint8_t)((g->flags[b] & ~(WCP_OP_REPARENTED | WCP_OP_STORED_PARENT)) |
                                WCP_OP_CYCLE_ROOT);
        g->n_parent_cycles++;
    }
    free(walk);
    return 0;
}

/* What building a graph gathers as the ops come, by the database or by the
 * caller (wcp_graph_build_ops): the same steps for both, so that the two
 * give the same graph. */
typedef struct builder {
    wcp_graph *g;
    bool attrs, stored;
    uint32_t shared_str;
    nested nc;
    later *defer;
    size_t n_defer, cap_defer;
    exec_entry *ex;
    size_t n_ex, cap_ex;
    hold_entry *hl;
    size_t n_hl, cap_hl;
} builder;

static void builder_free(builder *b)
{
    free(b->defer);
    free(b->ex);
    free(b->hl);
    free(b->nc.ident);
    free(b->nc.from);
    *b = (builder){0};
}

/* Starts g (emptied) for run_id: the strings it looks for and the run's
 * nested-client links. 0, or -1 with err set. */
static int builder_begin(builder *b, sqlite3 *db, int64_t run_id, unsigned flags, wcp_graph *g,
                         char *err, size_t errlen)
{
    *b = (builder){
        .g = g, .attrs = (flags & WCP_GRAPH_ATTRS) != 0, .stored = (flags & WCP_GRAPH_STORED) != 0};
    memset(g, 0, sizeof *g);
    g->run_id = run_id;
    g->exec_str = string_id(db, "exec");
    g->hold_str = string_id(db, "hold");
    b->shared_str = string_id(db, "shared");
    /* the nested-client links first: most parents are resolved as the ops are read */
    return load_nested(db, g, &b->nc.ident, &b->nc.from, &b->nc.n, err, errlen);
}

/* Op i, whose id, interval, flags (WCP_OP_OPEN) and thread are in g's
 * arrays, the ops before it (lower ids) already taken: its exec ident, its
 * hold and its parent (§1.5; one named by a higher id waits for the end).
 * stored_parent, stored_rep: with WCP_GRAPH_STORED, parent_id (0: NULL) and
 * reparented as the database holds them. 0, or -1 out of memory. */
static int builder_take(builder *b, uint32_t i, int64_t recp, uint32_t client, uint32_t kind,
                        uint32_t ident, uint32_t class_id, int64_t stored_parent, bool stored_rep)
{
    wcp_graph *g = b->g;
    if (kind == g->exec_str && kind != 0 && ident != 0) {
        exec_entry *nx = room_for_one(b->ex, &b->cap_ex, b->n_ex, sizeof *b->ex);
        if (!nx)
            return -1;
        b->ex = nx;
        b->ex[b->n_ex++] = (exec_entry){ident, i, g->end[i] - g->start[i]};
    }
    if (kind == g->hold_str && kind != 0 && !(g->flags[i] & WCP_OP_OPEN)) {
        hold_entry *nh = room_for_one(b->hl, &b->cap_hl, b->n_hl, sizeof *b->hl);
        if (!nh)
            return -1;
        b->hl = nh;
        uint8_t mode = ident == 0                                ? WCP_HOLD_EXCLUSIVE
                       : ident == b->shared_str && b->shared_str ? WCP_HOLD_SHARED_MODE
                                                                 : WCP_HOLD_OTHER;
        b->hl[b->n_hl++] = (hold_entry){class_id, i, mode};
    }
    bool rep;
    if (resolve_parent(g, i, i, recp, client, &b->nc, &g->parent[i], &rep) < 0) {
        later *nd = room_for_one(b->defer, &b->cap_defer, b->n_defer, sizeof *b->defer);
        if (!nd)
            return -1;
        b->defer = nd;
        b->defer[b->n_defer++] = (later){i, client, recp, stored_parent, stored_rep};
    } else {
        if (rep)
            g->flags[i] |= WCP_OP_REPARENTED;
        if (b->stored)
            mark_stored(g, i, g->parent[i], rep, stored_parent, stored_rep);
    }
    return 0;
}

/* Once every op is taken (g->n_ops of them): the deferred parents, the
 * cycles, the exec idents, the holds, children and roots, and the waits
 * (WCP_GRAPH_WAITS, from db). 0, or -1 with err set (g is then the
 * caller's to free). */
static int builder_finish(builder *b, sqlite3 *db, unsigned flags, char *err, size_t errlen)
{
    wcp_graph *g = b->g;
    size_t n = g->n_ops, n1 = n ? n : 1, i;
    if (!grow_ops(g, n1, b->attrs, b->stored))
        goto oom; /* to size (an empty run still has its arrays) */
    for (size_t k = 0; k < b->n_defer; k++) {
        bool rep;
        uint32_t d = b->defer[k].i;
        resolve_parent(g, n, d, b->defer[k].recp, b->defer[k].client, &b->nc, &g->parent[d], &rep);
        if (rep)
            g->flags[d] |= WCP_OP_REPARENTED;
        if (b->stored)
            mark_stored(g, d, g->parent[d], rep, b->defer[k].stored_parent, b->defer[k].stored_rep);
    }
    if (break_parent_cycles(g) < 0)
        goto oom;
    for (i = 0; i < n; i++)
        g->n_reparented += (g->flags[i] & WCP_OP_REPARENTED) != 0;

    /* §1.3: exec ops by ident, the longest (then lowest id) first */
    exec_entry *ex = b->ex;
    size_t n_ex = b->n_ex;
    if (n_ex)
        qsort(ex, n_ex, sizeof *ex, by_ident_longest);
    g->exec_ident = malloc((n_ex ? n_ex : 1) * sizeof *g->exec_ident);
    g->exec_op = malloc((n_ex ? n_ex : 1) * sizeof *g->exec_op);
    if (!g->exec_ident || !g->exec_op)
        goto oom;
    for (size_t k = 0; k < n_ex; k++)
        if (g->n_exec == 0 || g->exec_ident[g->n_exec - 1] != ex[k].ident) {
            g->exec_ident[g->n_exec] = ex[k].ident;
            g->exec_op[g->n_exec++] = ex[k].op;
        }

    /* §6 rule 1: ended holds by (resource, end, id) */
    hold_entry *hl = b->hl;
    size_t n_hl = b->n_hl;
    if (n_hl)
        qsort_r(hl, n_hl, sizeof *hl, by_res_end, g);
    g->hold_res = malloc((n_hl ? n_hl : 1) * sizeof *g->hold_res);
    g->hold_op = malloc((n_hl ? n_hl : 1) * sizeof *g->hold_op);
    g->hold_mode = malloc(n_hl ? n_hl : 1);
    if (!g->hold_res || !g->hold_op || !g->hold_mode)
        goto oom;
    for (size_t k = 0; k < n_hl; k++) {
        g->hold_res[k] = hl[k].res;
        g->hold_op[k] = hl[k].op;
        g->hold_mode[k] = hl[k].mode;
    }
    g->n_holds = (uint32_t)n_hl;
    builder_free(b);

    /* §1.6: children and roots ordered by (start, id): placed in index (id)
     * order, which is nearly start order, then sorted where it is not */
    g->child_off = calloc(n + 1, sizeof *g->child_off);
    g->child = malloc(n1 * sizeof *g->child);
    if (!g->child_off || !g->child)
        goto oom;
    for (i = 0; i < n; i++) {
        if (g->parent[i] >= 0)
            g->child_off[g->parent[i] + 1]++;
        else
            g->n_roots++;
    }
    for (i = 0; i < n; i++)
        g->child_off[i + 1] += g->child_off[i];
    g->root = malloc((g->n_roots ? g->n_roots : 1) * sizeof *g->root);
    if (!g->root)
        goto oom;
    uint32_t nr = 0;
    for (i = 0; i < n; i++) { /* child_off[p] moves to the end of p's children... */
        if (g->parent[i] >= 0)
            g->child[g->child_off[g->parent[i]]++] = (uint32_t)i;
        else
            g->root[nr++] = (uint32_t)i;
    }
    for (i = n; i > 0; i--) /* ...which is where p + 1's begin */
        g->child_off[i] = g->child_off[i - 1];
    g->child_off[0] = 0;
    for (i = 0; i < n; i++)
        sort_by_start(g, g->child + g->child_off[i], g->child_off[i + 1] - g->child_off[i]);
    sort_by_start(g, g->root, g->n_roots);

    if ((flags & WCP_GRAPH_WAITS) && load_waits(db, g, err, errlen) < 0)
        return -1;
    return 0;
oom:
    builder_free(b);
    return wcp_errf(err, errlen, "graph: out of memory for run %lld", (long long)g->run_id);
}

int wcp_graph_build(sqlite3 *db, int64_t run_id, unsigned flags, wcp_graph *g, char *err,
                    size_t errlen)
{
    return wcp_graph_build_sized(db, run_id, flags, 0, g, err, errlen);
}

int wcp_graph_build_sized(sqlite3 *db, int64_t run_id, unsigned flags, int64_t ops, wcp_graph *g,
                          char *err, size_t errlen)
{
    builder b;
    sqlite3_stmt *st = NULL;
    if (builder_begin(&b, db, run_id, flags, g, err, errlen) < 0)
        goto fail;
    bool attrs = b.attrs, stored = b.stored;
    size_t cap = 0;
    if (sqlite3_prepare_v2(
            db,
            attrs || stored
                ? "SELECT id, start_ns, end_ns, recorded_parent_id, is_open, client_id, kind, ident_id, "
                  "class_id, outcome, work_type, self_ns, parent_id, reparented, thread_id FROM ops "
                  "WHERE run_id = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id"
                : "SELECT id, start_ns, end_ns, recorded_parent_id, is_open, client_id, kind, ident_id, "
                  "class_id, thread_id FROM ops WHERE run_id = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id",
            -1, &st, NULL) != SQLITE_OK)
        goto sqlerr;
    sqlite3_bind_int64(st, 1, run_id);
    size_t i = 0;
    /* room for the run's op count as the caller or ingest counted it (ops,
     * else runs.ops; only a hint: the arrays still grow as read), so that a
     * large run is not copied over and over as they double */
    int64_t hint = ops > 0 ? ops : ops_hint(db, run_id);
    if (hint > 0 && hint < INT32_MAX && grow_ops(g, (size_t)hint, attrs, stored))
        cap = (size_t)hint; /* (when that fails, the doubling from nothing: a hint is no error) */
    int rc;
    /* ids in uint64 order: the stored bit patterns 0..INT64_MAX, then the
     * ones of 2^63..2^64-1 (negative as int64), each half by the index */
    for (int half = 0; half < 2; half++) {
        if (half) {
            sqlite3_reset(st);
            sqlite3_bind_int64(st, 2, INT64_MIN);
            sqlite3_bind_int64(st, 3, -1);
        } else {
            sqlite3_bind_int64(st, 2, 0);
            sqlite3_bind_int64(st, 3, INT64_MAX);
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (i == cap) { /* grown as read: no count(*) scan first */
                if (i >= INT32_MAX) {
                    wcp_errf(err, errlen, "graph: run %lld has more than %d ops", (long long)run_id,
                             INT32_MAX);
                    goto fail;
                }
                cap = cap ? cap * 2 : 4096;
                if (!grow_ops(g, cap, attrs, stored))
                    goto oom;
            }
            if (i % PREFAULT_ROWS == 0)
                prefault_ops(g, i, i + PREFAULT_ROWS < cap ? i + PREFAULT_ROWS : cap, attrs,
                             stored);
            g->id[i] = sqlite3_column_int64(st, 0);
            g->start[i] = sqlite3_column_int64(st, 1);
            g->end[i] = sqlite3_column_int64(st, 2);
            int64_t recp = sqlite3_column_int64(st, 3);
            g->flags[i] = sqlite3_column_int(st, 4) ? WCP_OP_OPEN : 0;
            g->thread[i] = sqlite3_column_int64(st, attrs || stored ? 14 : 9); /* NULL: 0 */
            g->has_threads |= g->thread[i] != 0;
            uint32_t client = (uint32_t)sqlite3_column_int64(st, 5);
            uint32_t kind = (uint32_t)sqlite3_column_int64(st, 6);
            uint32_t ident = (uint32_t)sqlite3_column_int64(st, 7);
            uint32_t class_id = (uint32_t)sqlite3_column_int64(st, 8);
            if (attrs) {
                g->kind[i] = kind;
                g->ident[i] = ident;
                g->client[i] = client;
                g->class_id[i] = class_id;
                g->outcome[i] = (uint32_t)sqlite3_column_int64(st, 9);
                g->work_type[i] = (uint32_t)sqlite3_column_int64(st, 10);
            }
            if (attrs || stored)
                g->self_ns[i] = sqlite3_column_int64(st, 11);
            int64_t stored_parent = -1;
            bool stored_rep = false;
            if (stored) {
                stored_parent =
                    sqlite3_column_type(st, 12) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 12);
                stored_rep = sqlite3_column_int(st, 13) != 0;
            }
            if (builder_take(&b, (uint32_t)i, recp, client, kind, ident, class_id, stored_parent,
                             stored_rep) < 0)
                goto oom;
            i++;
        }
        if (rc != SQLITE_DONE)
            break;
    }
    sqlite3_finalize(st);
    st = NULL;
    if (rc != SQLITE_DONE)
        goto sqlerr;
    g->n_ops = (uint32_t)i;
    if (builder_finish(&b, db, flags, err, errlen) < 0)
        goto fail;
    return 0;

sqlerr:
    wcp_errf(err, errlen, "graph: %s", sqlite3_errmsg(db));
    goto fail;
oom:
    wcp_errf(err, errlen, "graph: out of memory for run %lld", (long long)run_id);
fail:
    sqlite3_finalize(st);
    builder_free(&b);
    wcp_graph_free(g);
    return -1;
}

/* ---- a graph from the ops a load inserted (wcp_graph_build_ops) ---------- */

/* every array of wcp_graph_ops, for X(name); each X call ends in its own ';' */
#define OPS_ARRAYS(X)                                                                              \
    X(id);                                                                                         \
    X(start);                                                                                      \
    X(end);                                                                                        \
    X(recorded_parent);                                                                            \
    X(thread);                                                                                     \
    X(self_ns);                                                                                    \
    X(kind);                                                                                       \
    X(class_id);                                                                                   \
    X(ident);                                                                                      \
    X(client);                                                                                     \
    X(outcome);                                                                                    \
    X(work_type);                                                                                  \
    X(open);

bool wcp_graph_ops_add(wcp_graph_ops *o, const wcp_graph_op *op, size_t expect)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : expect > 64 ? expect : 64;
        if (cap >= INT32_MAX)
            return false;
#define GROW_OPS(a)                                                                                \
    do {                                                                                           \
        void *q = realloc(o->a, cap * sizeof *o->a);                                               \
        if (!q)                                                                                    \
            return false; /* those grown already keep their room: still valid */                   \
        o->a = q;                                                                                  \
    } while (0)
        OPS_ARRAYS(GROW_OPS)
#undef GROW_OPS
        o->cap = cap;
    }
    size_t k = o->n++;
    if (k % PREFAULT_ROWS == 0) { /* rows made present 65,536 at a time, as the graph's */
        size_t to = k + PREFAULT_ROWS < o->cap ? k + PREFAULT_ROWS : o->cap;
#define TOUCH_OPS(a) wcp_prefault(o->a, k * sizeof *o->a, to * sizeof *o->a)
        OPS_ARRAYS(TOUCH_OPS)
#undef TOUCH_OPS
    }
#define SET_OPS(a) o->a[k] = op->a /* wcp_graph_op's fields are named as the arrays */
    OPS_ARRAYS(SET_OPS)
#undef SET_OPS
    return true;
}

void wcp_graph_ops_free(wcp_graph_ops *o)
{
#define FREE_OPS(a) free(o->a)
    OPS_ARRAYS(FREE_OPS)
#undef FREE_OPS
    memset(o, 0, sizeof *o);
}

typedef struct id_row {
    uint64_t id;
    uint32_t row;
} id_row;

static int by_id_row(const void *a, const void *b)
{
    const id_row *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Puts the rows of o in id order (uint64, graph.h). Returns 0, 1 when an
 * id comes twice, -1 out of memory. Most loads hand the ops out in id
 * order (nothing to do); a dump's come as they ended: ids of a dense range
 * are placed by their offset, any others sorted. */
static int ops_in_id_order(wcp_graph_ops *o)
{
    size_t n = o->n, k;
    for (k = 1; k < n && wcp_id_less(o->id[k - 1], o->id[k]); k++)
        ;
    if (k >= n)
        return 0;
    uint64_t lo = UINT64_MAX, hi = 0;
    for (k = 0; k < n; k++) {
        uint64_t u = (uint64_t)o->id[k];
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    uint32_t *perm = malloc(n * sizeof *perm); /* perm[k]: the row that goes to place k */
    void *tmp = malloc(n * sizeof(int64_t));
    int rc = -1;
    if (!perm || !tmp)
        goto out;
    if (hi - lo < 2 * (uint64_t)n) { /* dense: a slot per id of the range */
        size_t span = (size_t)(hi - lo) + 1, m = 0;
        uint32_t *slot = malloc(span * sizeof *slot);
        if (!slot)
            goto out;
        memset(slot, 0xff, span * sizeof *slot);
        for (k = 0; k < n; k++) {
            uint32_t *s = &slot[(uint64_t)o->id[k] - lo];
            if (*s != UINT32_MAX) {
                free(slot);
                rc = 1;
                goto out;
            }
            *s = (uint32_t)k;
        }
        for (size_t u = 0; u < span; u++)
            if (slot[u] != UINT32_MAX)
                perm[m++] = slot[u];
        free(slot);
    } else {
        id_row *keys = malloc(n * sizeof *keys);
        if (!keys)
            goto out;
        for (k = 0; k < n; k++)
            keys[k] = (id_row){(uint64_t)o->id[k], (uint32_t)k};
        qsort(keys, n, sizeof *keys, by_id_row);
        for (k = 0; k < n; k++) {
            if (k && keys[k].id == keys[k - 1].id) {
                free(keys);
                rc = 1;
                goto out;
            }
            perm[k] = keys[k].row;
        }
        free(keys);
    }
    wcp_prefault(tmp, 0, n * sizeof(int64_t));
#define PERMUTE(a)                                                                                 \
    do {                                                                                           \
        __typeof__(o->a) t = tmp;                                                                  \
        for (k = 0; k < n; k++)                                                                    \
            t[k] = o->a[perm[k]];                                                                  \
        memcpy(o->a, t, n * sizeof *o->a);                                                         \
    } while (0)
    OPS_ARRAYS(PERMUTE)
#undef PERMUTE
    rc = 0;
out:
    free(perm);
    free(tmp);
    return rc;
}

int wcp_graph_build_ops(sqlite3 *db, int64_t run_id, unsigned flags, wcp_graph_ops *ops,
                        wcp_graph *g, char *err, size_t errlen)
{
    builder b;
    int rc = -1;
    if (builder_begin(&b, db, run_id, flags, g, err, errlen) < 0)
        goto out;
    int order = ops_in_id_order(ops);
    if (order != 0) {
        if (order > 0)
            wcp_errf(err, errlen, "graph: run %lld: an op id given twice", (long long)run_id);
        else
            wcp_errf(err, errlen, "graph: out of memory for run %lld", (long long)run_id);
        goto out;
    }
    size_t n = ops->n;
    /* read below whether the graph takes them or not (freed after) */
    const uint32_t *kind = ops->kind, *ident = ops->ident, *client = ops->client,
                   *class_id = ops->class_id;
    /* the arrays become the graph's; those it was not asked for go */
    g->id = ops->id;
    g->start = ops->start;
    g->end = ops->end;
    g->thread = ops->thread;
    ops->id = ops->start = ops->end = ops->thread = NULL;
    if (b.attrs) {
        g->kind = ops->kind;
        g->class_id = ops->class_id;
        g->ident = ops->ident;
        g->client = ops->client;
        g->outcome = ops->outcome;
        g->work_type = ops->work_type;
        ops->kind = ops->class_id = ops->ident = ops->client = ops->outcome = ops->work_type = NULL;
    }
    if (b.attrs || b.stored) {
        g->self_ns = ops->self_ns;
        ops->self_ns = NULL;
    }
    g->parent = malloc((n ? n : 1) * sizeof *g->parent);
    g->flags = malloc(n ? n : 1);
    if (!g->parent || !g->flags) {
        wcp_errf(err, errlen, "graph: out of memory for run %lld", (long long)run_id);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        g->flags[i] = ops->open[i] ? WCP_OP_OPEN : 0;
        g->has_threads |= g->thread[i] != 0;
        int64_t recp = ops->recorded_parent[i];
        /* as the load stored it: parent_id the recorded parent, reparented 0 */
        int64_t stored_parent = recp != g->id[i] ? recp : 0;
        if (builder_take(&b, (uint32_t)i, recp, client[i], kind[i], ident[i], class_id[i],
                         b.stored ? stored_parent : -1, false) < 0) {
            wcp_errf(err, errlen, "graph: out of memory for run %lld", (long long)run_id);
            goto out;
        }
    }
    g->n_ops = (uint32_t)n;
    wcp_graph_ops_free(ops); /* what the graph did not take */
    if (builder_finish(&b, db, flags, err, errlen) < 0)
        goto out;
    rc = 0;
out:
    wcp_graph_ops_free(ops);
    builder_free(&b);
    if (rc < 0)
        wcp_graph_free(g);
    return rc;
}
