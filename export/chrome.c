/* export_chrome.c - a run as Chrome trace event JSON, for ui.perfetto.dev and
 * chrome://tracing.
 *
 *   SELECT wcprof_export('chrome', 'trace.json');
 *   SELECT wcprof_export('chrome', 'trace.json', 'whatif=call_exec:Container.from=0.5');
 *
 * The object form: {"traceEvents": [...], "displayTimeUnit": "ns",
 * "otherData": {...}}, one event per line, in time order. Times are
 * microseconds with three decimals, so every nanosecond survives.
 *
 * Process 1, the recording:
 *  - each op is a complete event ("X"): name its class, cat its kind, args
 *    op_id, parent_id, class, kind, ident, client, outcome, work_type,
 *    self_ns (and open: true for an op open at the dump);
 *  - each wait on a named resource (a wait without a target op) is an X of
 *    its own, cat "wait", named "wait: RESOURCE": inside its waiter on the
 *    waiter's lane when it fits there (nothing else open), else placed
 *    like a child of the waiter without a thread;
 *  - each wait on another op is a flow arrow from the awaited op to the
 *    waiter: "s" on the awaited op's lane at the moment nearest min(its
 *    end, the wait's end) where it is the innermost slice there, "f" with
 *    bp "e" on the waiter's lane where the waiter is innermost nearest the
 *    wait's end. Where those moments would run back in time, the moments
 *    themselves (then an end may bind to a slice inside the op on its
 *    lane); an arrow still backwards is left out (otherData.flows_left_out).
 *    A wait on an op drawn inside the waiter on its lane needs no arrow
 *    (otherData.flows_shown_by_nesting);
 *  - the baseline replay's critical path (spec/analysis.md §4, simulated
 *    times) on a lane of its own, "critical path", one slice per segment
 *    (segments of length 0 and the negative offsets of §4 left out).
 * Lanes (tids): events on one lane must nest strictly, so an op goes
 *  - when the dump recorded its thread, on that thread's lane ("thread N")
 *    if it nests there (it lies inside the innermost slice still open);
 *  - else on the lane of its nearest ancestor that is the innermost open
 *    slice of its lane and contains it;
 *  - else on the first free lane ("lane N"); a free lane is one whose
 *    slices have all ended.
 * So overlapping siblings, and a child that outlives its parent, go on
 * separate lanes, and a lane never shows an op inside one that is not its
 * ancestor (thread lanes excepted: there, nesting is what the thread did).
 *
 * Process 2, with whatif=SPEC (a what-if spec, README.md): the what-if
 * replay's schedule, each op started by the replay from its simulated start
 * to its simulated finish (an op the replay starts but never finishes, §3,
 * with its recorded length and args.unfinished), on lanes placed the same
 * way (no threads: the replay has none), and its critical path.
 *
 * Lanes have thread_name and thread_sort_index metadata ("M"), processes
 * process_name (process 1's says so when the recorder dropped events).
 * Tids are unique across both processes (from 100 on), as Perfetto keys
 * threads by tid. */
#define _GNU_SOURCE
#include "export.h"
#include "whatif.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TID_BASE 100

/* ---- lanes */

/* Something placed on a lane: an op, or a wait on a named resource. */
typedef struct item {
    int64_t s, e;
    uint32_t parent;       /* the item it belongs under (an op's parent, a wait's waiter), or WCP_NONE */
    uint32_t depth;
    int64_t thread;        /* the recorded thread, when has_thread */
    bool has_thread;
    bool in_parent;        /* a wait: inside its waiter on the waiter's lane, when it fits */
} item;

typedef struct heap_ent {
    int64_t key;
    uint32_t id;
} heap_ent;

/* A binary min-heap by (key, id). */
typedef struct heap {
    heap_ent *v;
    size_t n, cap;
} heap;

static bool before(heap_ent a, heap_ent b)
{
    return a.key < b.key || (a.key == b.key && a.id < b.id);
}

static bool heap_push(heap *h, int64_t key, uint32_t id)
{
    if (!wcp_grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v))
        return false;
    size_t k = h->n++;
    heap_ent x = {key, id};
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

static heap_ent heap_pop(heap *h)
{
    heap_ent top = h->v[0], x = h->v[--h->n];
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

/* One lane: a recorded thread's, or a numbered one. */
typedef struct lane {
    bool is_thread;
    int64_t thread;        /* is_thread: its id */
    uint32_t top;          /* the innermost open item, WCP_NONE when none */
    uint32_t tid;          /* given once all are placed */
    uint32_t number;       /* not a thread's: its number, from 1 */
} lane;

/* The placement of n items on lanes (the file header's rules). */
typedef struct placing {
    const item *it;
    uint32_t n;
    uint32_t *lane;        /* per item */
    uint32_t *under;       /* per item: the item it nests in on its lane, WCP_NONE at the bottom */
    lane *lanes;
    uint32_t n_lanes;
    size_t cap_lanes;
    uint32_t n_numbered;   /* lanes that are not threads' */
    heap busy;             /* numbered lanes in use, by their bottom item's end */
    heap free_lanes;       /* numbered lanes with nothing open, by number */
    int64_t *thread_ids;   /* the recorded threads with a lane, ascending, */
    uint32_t *thread_lane; /* and their lanes */
    uint32_t n_threads;
    size_t cap_ids, cap_thread_lanes;
    /* per item, the items nesting directly in it on its lane, in start order */
    uint32_t *kid_off, *kid;
} placing;

static uint32_t new_lane(placing *p, bool is_thread, int64_t thread)
{
    if (!wcp_grow((void **)&p->lanes, &p->cap_lanes, p->n_lanes + 1, sizeof *p->lanes))
        return WCP_NONE;
    p->lanes[p->n_lanes] = (lane){is_thread, thread, WCP_NONE, 0, 0};
    if (!is_thread)
        p->n_numbered++;
    return p->n_lanes++;
}

/* Closes lane l's items that ended by time t; returns its innermost open one. */
static uint32_t open_top(placing *p, uint32_t l, int64_t t)
{
    uint32_t x = p->lanes[l].top;
    while (x != WCP_NONE && p->it[x].e <= t)
        x = p->under[x];
    return p->lanes[l].top = x;
}

static void put_on(placing *p, uint32_t i, uint32_t l, uint32_t top)
{
    p->lane[i] = l;
    p->under[i] = top;
    p->lanes[l].top = i;
}

/* The lane of the recorded thread t (made when new); WCP_NONE when out of memory. */
static uint32_t thread_lane(placing *p, int64_t t)
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
        !wcp_grow((void **)&p->thread_lane, &p->cap_thread_lanes, p->n_threads + 1, sizeof *p->thread_lane))
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
static bool place(placing *p, uint32_t i)
{
    const item *x = &p->it[i];
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
    for (uint32_t a = x->parent, steps = 0; a != WCP_NONE && steps < p->n; a = p->it[a].parent, steps++) {
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
    const item *it = ctx;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (it[x].s != it[y].s)
        return it[x].s < it[y].s ? -1 : 1;
    if (it[x].e != it[y].e)
        return it[x].e > it[y].e ? -1 : 1;   /* the longer first: it holds the other */
    if (it[x].depth != it[y].depth)
        return it[x].depth < it[y].depth ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Places every item, then lists each item's direct lane children. */
static bool place_all(placing *p, const item *it, uint32_t n)
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
    if (ok) {   /* lane children, in start order (the order of placing) */
        for (uint32_t k = 0; k < n; k++)
            if (p->under[k] != WCP_NONE)
                p->kid_off[p->under[k] + 1]++;
        for (uint32_t k = 0; k < n; k++)
            p->kid_off[k + 1] += p->kid_off[k];
        uint32_t *pos = malloc(n1 * sizeof *pos);   /* each item's next free kid slot */
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
    p->busy = p->free_lanes = (heap){0};
    return ok;
}

static void placing_free(placing *p)
{
    free(p->lane);
    free(p->under);
    free(p->lanes);
    free(p->thread_lane);
    free(p->thread_ids);
    free(p->kid_off);
    free(p->kid);
}

/* The instant nearest t at which item x is the innermost slice of its lane,
 * for a flow to bind to. Viewers take a slice as open from its start up to,
 * not including, its end: the candidates are the gaps [x.s, kid.s),
 * [kid.e, next kid.s), ..., [last kid.e, x.e) between x's lane children,
 * and inside a gap its interior first (the edges are where viewers could
 * disagree). When there is no gap (x is covered), t clamped to x. */
static int64_t clamp_to(const placing *p, uint32_t x, int64_t t)
{
    int64_t s = p->it[x].s, e = p->it[x].e;
    return t < s ? s : t >= e ? (e > s ? e - 1 : s) : t;
}

static int64_t bind_point(const placing *p, uint32_t x, int64_t t)
{
    const item *it = p->it;
    int64_t s = it[x].s, e = it[x].e;
    int64_t best = clamp_to(p, x, t), dist = -1;
    uint32_t k0 = p->kid_off[x], k1 = p->kid_off[x + 1];
    for (uint32_t k = k0; k <= k1; k++) {
        int64_t a = k == k0 ? s : it[p->kid[k - 1]].e;
        int64_t b = k == k1 ? e : it[p->kid[k]].s;
        if (b <= a)
            continue;
        int64_t lo = b - a >= 2 ? a + 1 : a, hi = b - a >= 2 ? b - 1 : a;
        int64_t q = t < lo ? lo : t > hi ? hi : t;
        int64_t d = q > t ? q - t : t - q;
        if (dist < 0 || d <= dist) {   /* ties: the later gap */
            best = q;
            dist = d;
        }
        if (a > t)   /* later gaps are further away */
            break;
    }
    return best;
}

/* 1 if item y lies inside item x on x's lane (x is below it in the nesting). */
static bool nested_in(const placing *p, uint32_t y, uint32_t x)
{
    if (p->lane[y] != p->lane[x])
        return false;
    for (uint32_t u = p->under[y]; u != WCP_NONE; u = p->under[u])
        if (u == x)
            return true;
    return false;
}

/* ---- events */

enum ev_type { EV_OP, EV_RWAIT, EV_SEG, EV_SIM_OP, EV_SIM_SEG, EV_FLOW_S, EV_FLOW_F };

typedef struct ev {
    int64_t ts, dur;       /* ns */
    uint32_t ref;          /* EV_OP, EV_SIM_OP: op; EV_RWAIT: wait; EV_SEG, EV_SIM_SEG:
                            * segment; EV_FLOW_*: flow number */
    uint32_t tid;
    uint8_t type;
} ev;

static int by_time(const void *a, const void *b)
{
    const ev *x = a, *y = b;
    if (x->ts != y->ts)
        return x->ts < y->ts ? -1 : 1;
    bool fx = x->type >= EV_FLOW_S, fy = y->type >= EV_FLOW_S;
    if (fx != fy)   /* slices before the flows that bind to them */
        return fx ? 1 : -1;
    if (fx && x->type != y->type)   /* a flow's start before any finish at the same time */
        return x->type < y->type ? -1 : 1;
    if (x->dur != y->dur)
        return x->dur > y->dur ? -1 : 1;
    if (x->tid != y->tid)
        return x->tid < y->tid ? -1 : 1;
    if (x->type != y->type)
        return x->type < y->type ? -1 : 1;
    return x->ref < y->ref ? -1 : x->ref > y->ref;
}

typedef struct chrome {
    wcp_export *e;
    const wcp_model *m;
    const wcp_graph *g;
    char **str;            /* strings.id -> value */
    uint32_t n_str;
    ev *evs;
    size_t n_evs, cap_evs;
    bool oom;
    /* the what-if replay */
    char *spec;
    int64_t *sim_reg, *sim_start;
    wcp_seg *sim_path;
    size_t n_sim_path;
    int64_t sim_makespan;
    uint64_t flows_left_out, flows_nested;
    bool written;          /* an event was written (the next one needs a comma) */
} chrome;

static void push_ev(chrome *c, enum ev_type type, int64_t ts, int64_t dur, uint32_t tid, uint32_t ref)
{
    if (c->oom || !wcp_grow((void **)&c->evs, &c->cap_evs, c->n_evs + 1, sizeof *c->evs)) {
        c->oom = true;
        return;
    }
    c->evs[c->n_evs++] = (ev){ts, dur, ref, tid, (uint8_t)type};
}

static const char *str(const chrome *c, uint32_t id)
{
    return id < c->n_str && c->str[id] ? c->str[id] : "";
}

/* Every string of the database, by id. */
static int load_strings(chrome *c)
{
    sqlite3 *db = c->e->db;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, value FROM strings WHERE id >= 0 ORDER BY id DESC", -1,
                           &st, NULL) != SQLITE_OK)
        return wcp_export_fail(c->e, "strings: %s", sqlite3_errmsg(db));
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t id = sqlite3_column_int64(st, 0);
        if (!c->str) {   /* the first row has the largest id */
            if (id >= UINT32_MAX || !(c->str = calloc((size_t)id + 1, sizeof *c->str)))
                break;
            c->n_str = (uint32_t)id + 1;
        }
        const char *v = (const char *)sqlite3_column_text(st, 1);
        if (id < c->n_str && !(c->str[id] = strdup(v ? v : "")))
            break;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return wcp_export_fail(c->e, rc == SQLITE_ROW ? "strings: out of memory" : "strings: %s",
                               sqlite3_errmsg(db));
    return 0;
}

/* The recorded thread of each op (ops.thread_id), where there is one. */
static int load_threads(chrome *c, item *it)
{
    sqlite3 *db = c->e->db;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT id, thread_id FROM ops WHERE run_id = ?1 AND thread_id IS NOT NULL",
                           -1, &st, NULL) != SQLITE_OK)
        return wcp_export_fail(c->e, "threads: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, c->e->run);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int32_t i = wcp_graph_find(c->g, sqlite3_column_int64(st, 0));
        if (i >= 0) {
            it[i].thread = sqlite3_column_int64(st, 1);
            it[i].has_thread = true;
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : wcp_export_fail(c->e, "threads: %s", sqlite3_errmsg(db));
}

/* Depth in the parent tree (a loop counts as a root). */
static void set_depths(item *it, uint32_t n)
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

/* A resource wait's name: its ident, else its reason. */
static const char *resource(const chrome *c, const wcp_graph_wait *w)
{
    const char *r = str(c, w->ident);
    return *r ? r : str(c, w->reason);
}

/* The critical path on lanes of its own (a second one only if a segment
 * overlaps: the negative offsets of §4 are left out, so in practice one). */
static void path_events(chrome *c, const wcp_seg *path, size_t n, enum ev_type type,
                        uint32_t *tid, uint32_t *n_lanes)
{
    int64_t ends[8];
    uint32_t used = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t len = path[k].end - path[k].start;
        if (len <= 0)
            continue;
        uint32_t l = 0;
        while (l < used && ends[l] > path[k].start)
            l++;
        if (l == 8)
            continue;   /* cannot happen with segments that follow one another */
        if (l == used)
            used++;
        ends[l] = path[k].end;
        push_ev(c, type, path[k].start, len, *tid + l, (uint32_t)k);
    }
    *n_lanes = used ? used : 1;
    *tid += *n_lanes;
}

/* ---- writing */

/* ns as microseconds with three decimals. */
static void put_us(wcp_out *o, int64_t ns)
{
    uint64_t a = ns < 0 ? -(uint64_t)ns : (uint64_t)ns;
    wcp_out_printf(o, "%s%llu.%03llu", ns < 0 ? "-" : "", (unsigned long long)(a / 1000),
                   (unsigned long long)(a % 1000));
}

/* Starts the next element of traceEvents. */
static void next_event(chrome *c)
{
    wcp_out_puts(c->e->out, c->written ? ",\n{" : "{");
    c->written = true;
}

/* A thread's or a process's name and sort index ("M"). */
static void put_meta(chrome *c, const char *what, int pid, uint32_t tid, const char *name, int64_t sort)
{
    wcp_out *o = c->e->out;
    next_event(c);
    wcp_out_printf(o, "\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"name\":\"%s_name\",\"args\":{\"name\":", pid,
                   tid, what);
    wcp_out_json(o, name);
    wcp_out_puts(o, "}}");
    next_event(c);
    wcp_out_printf(o, "\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"name\":\"%s_sort_index\","
                      "\"args\":{\"sort_index\":%lld}}", pid, tid, what, (long long)sort);
}

static void put_str_arg(wcp_out *o, const char *key, const char *v)
{
    if (!*v)
        return;
    wcp_out_printf(o, ",\"%s\":", key);
    wcp_out_json(o, v);
}

/* An op's name (its class, else its kind) and category (its kind). */
static void put_op_head(chrome *c, uint32_t i)
{
    const wcp_graph *g = c->g;
    const char *cls = str(c, g->class_id[i]), *kind = str(c, g->kind[i]);
    wcp_out_puts(c->e->out, "\"name\":");
    wcp_out_json(c->e->out, *cls ? cls : kind);
    wcp_out_puts(c->e->out, ",\"cat\":");
    wcp_out_json(c->e->out, *kind ? kind : "op");
    wcp_out_printf(c->e->out, ",\"args\":{\"op_id\":%lld", (long long)g->id[i]);
    if (g->parent[i] >= 0)
        wcp_out_printf(c->e->out, ",\"parent_id\":%lld", (long long)g->id[g->parent[i]]);
    put_str_arg(c->e->out, "class", cls);
    put_str_arg(c->e->out, "kind", kind);
}

static void put_seg(chrome *c, const wcp_seg *s)
{
    wcp_out *o = c->e->out;
    const char *key = wcp_op_class(c->m, s->op)->key;
    wcp_out_puts(o, "\"name\":");
    if (s->what == WCP_SEG_SELF) {
        wcp_out_json(o, key);
    } else if (s->what == WCP_SEG_WAIT) {
        char *n = NULL;
        if (asprintf(&n, "wait: %s", resource(c, &c->g->waits[s->wait])) < 0)
            o->failed = true;
        else
            wcp_out_json(o, n);
        free(n);
    } else {
        wcp_out_json(o, wcp_seg_what_name[s->what]);
    }
    wcp_out_printf(o, ",\"cat\":\"critical\",\"args\":{\"what\":\"%s\",\"op_id\":%lld,\"class_key\":",
                   wcp_seg_what_name[s->what], (long long)c->g->id[s->op]);
    wcp_out_json(o, key);
    if (s->what == WCP_SEG_WAIT)
        put_str_arg(o, "resource", resource(c, &c->g->waits[s->wait]));
    wcp_out_puts(o, "}");
}

static void put_event(chrome *c, const ev *v)
{
    const wcp_graph *g = c->g;
    wcp_out *o = c->e->out;
    int pid = v->type == EV_SIM_OP || v->type == EV_SIM_SEG ? 2 : 1;
    next_event(c);
    if (v->type >= EV_FLOW_S) {
        wcp_out_printf(o, "\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":", v->type == EV_FLOW_S ? "s" : "f",
                       v->tid);
        put_us(o, v->ts);
        wcp_out_printf(o, ",\"id\":%u,\"cat\":\"wait\",\"name\":\"wait\"%s}", v->ref,
                       v->type == EV_FLOW_F ? ",\"bp\":\"e\"" : "");
        return;
    }
    wcp_out_printf(o, "\"ph\":\"X\",\"pid\":%d,\"tid\":%u,\"ts\":", pid, v->tid);
    put_us(o, v->ts);
    wcp_out_puts(o, ",\"dur\":");
    put_us(o, v->dur);
    wcp_out_puts(o, ",");
    switch (v->type) {
    case EV_OP: {
        uint32_t i = v->ref;
        put_op_head(c, i);
        put_str_arg(o, "ident", str(c, g->ident[i]));
        put_str_arg(o, "client", str(c, g->client[i]));
        put_str_arg(o, "outcome", str(c, g->outcome[i]));
        put_str_arg(o, "work_type", str(c, g->work_type[i]));
        wcp_out_printf(o, ",\"self_ns\":%lld%s}", (long long)g->self_ns[i],
                       g->flags[i] & WCP_OP_OPEN ? ",\"open\":true" : "");
        break;
    }
    case EV_SIM_OP: {
        uint32_t i = v->ref;
        put_op_head(c, i);
        wcp_out_printf(o, ",\"recorded_start_ns\":%lld,\"recorded_dur_ns\":%lld%s}", (long long)g->start[i],
                       (long long)(g->end[i] - g->start[i]),
                       c->m->tape.finished[i] ? "" : ",\"unfinished\":true");
        break;
    }
    case EV_RWAIT: {
        const wcp_graph_wait *w = &g->waits[v->ref];
        const char *r = resource(c, w);
        char *n = NULL;
        if (asprintf(&n, "wait: %s", r) < 0) {
            o->failed = true;
            return;
        }
        wcp_out_puts(o, "\"name\":");
        wcp_out_json(o, n);
        free(n);
        wcp_out_printf(o, ",\"cat\":\"wait\",\"args\":{\"waiter_id\":%lld", (long long)g->id[w->waiter]);
        put_str_arg(o, "resource", r);
        put_str_arg(o, "reason", str(c, w->reason));
        wcp_out_puts(o, "}");
        break;
    }
    default:
        put_seg(c, v->type == EV_SEG ? &c->m->path[v->ref] : &c->sim_path[v->ref]);
    }
    wcp_out_puts(o, "}");
}

/* The lanes' names and order, then the processes'. */
static void put_lane_names(chrome *c, const placing *p, int pid, uint32_t crit_tid, uint32_t n_crit)
{
    for (uint32_t k = 0; k < n_crit; k++) {
        char name[48];
        snprintf(name, sizeof name, k ? "critical path (%u)" : "critical path", k + 1);
        put_meta(c, "thread", pid, crit_tid + k, name, (int64_t)k);
    }
    for (uint32_t l = 0; l < p->n_lanes; l++) {
        char name[64];
        if (p->lanes[l].is_thread)
            snprintf(name, sizeof name, "thread %lld", (long long)p->lanes[l].thread);
        else
            snprintf(name, sizeof name, "lane %u", p->lanes[l].number);
        put_meta(c, "thread", pid, p->lanes[l].tid, name, (int64_t)(p->lanes[l].tid - crit_tid));
    }
}

/* Gives lanes tids from *tid on: threads' by thread id, then the numbered ones. */
static void number_lanes(placing *p, uint32_t *tid)
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

/* The what-if replay of the spec, and its critical path. */
static int whatif_replay(chrome *c)
{
    char err[512];
    double *factor = NULL;
    int64_t *after = NULL;
    int rc = 0;
    c->sim_makespan = wcp_whatif_replay(c->e->db, c->m, c->spec, &factor, &c->sim_reg, &c->sim_start,
                                        &after, err, sizeof err);
    if (c->sim_makespan < 0)
        rc = wcp_export_fail(c->e, "whatif: %s", err);
    else if (wcp_tape_critical_path(&c->m->tape, c->sim_reg, c->sim_start, after, &c->sim_path,
                                    &c->n_sim_path) < 0)
        rc = wcp_export_fail(c->e, "out of memory");
    free(factor);
    free(after);
    return rc;
}

/* The recording's items: ops (item i is op i), then the waits on named
 * resources (rwait[k]: item n_ops + k's wait), with threads and depths. */
static int recorded_items(chrome *c, item **out, uint32_t **rwait, uint32_t *n)
{
    const wcp_graph *g = c->g;
    uint32_t n_rw = 0;
    for (uint32_t k = 0; k < g->n_waits; k++)
        n_rw += g->waits[k].target < 0;
    *n = g->n_ops + n_rw;
    item *it = *out = calloc(*n ? *n : 1, sizeof *it);
    *rwait = malloc((n_rw ? n_rw : 1) * sizeof **rwait);
    if (!it || !*rwait)
        return wcp_export_fail(c->e, "out of memory");
    for (uint32_t i = 0; i < g->n_ops; i++)
        it[i] = (item){.s = g->start[i], .e = g->end[i],
                       .parent = g->parent[i] >= 0 ? (uint32_t)g->parent[i] : WCP_NONE};
    if (load_threads(c, it) < 0)
        return -1;
    for (uint32_t k = 0, r = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (w->target >= 0)
            continue;
        it[g->n_ops + r] = (item){.s = w->start, .e = w->end, .parent = (uint32_t)w->waiter,
                                  .in_parent = true};
        (*rwait)[r++] = k;
    }
    set_depths(it, *n);
    return 0;
}

/* Flow arrows, awaited op -> waiter, on the recording's lanes. */
static uint32_t flow_events(chrome *c, const placing *rec)
{
    const wcp_graph *g = c->g;
    uint32_t flow = 0;
    for (uint32_t k = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (w->target < 0 || w->target == w->waiter)
            continue;
        uint32_t t = (uint32_t)w->target, x = (uint32_t)w->waiter;
        if (nested_in(rec, t, x)) {   /* the nesting shows it already */
            c->flows_nested++;
            continue;
        }
        int64_t at_t = w->end < g->end[t] ? w->end : g->end[t];
        int64_t from = bind_point(rec, t, at_t), to = bind_point(rec, x, w->end);
        /* when those run back in time: the awaited op's moment no later than
         * the waiter's, then the waiter's moment itself (either may bind to
         * what runs inside the op on its lane) */
        if (from > to)
            from = clamp_to(rec, t, at_t < to ? at_t : to);
        if (from > to) {
            to = clamp_to(rec, x, w->end);
            from = clamp_to(rec, t, at_t < to ? at_t : to);
        }
        if (from > to) {
            c->flows_left_out++;
            continue;
        }
        flow++;
        push_ev(c, EV_FLOW_S, from, 0, rec->lanes[rec->lane[t]].tid, flow);
        push_ev(c, EV_FLOW_F, to, 0, rec->lanes[rec->lane[x]].tid, flow);
    }
    return flow;
}

/* The what-if replay's ops (those it starts) as items: sim_op[k] is item
 * k's op; an op's parent item is its nearest started ancestor's. */
static int replay_items(chrome *c, item **out, uint32_t **sim_op, uint32_t *n)
{
    const wcp_graph *g = c->g;
    const wcp_tape *tp = &c->m->tape;
    size_t n1 = g->n_ops ? g->n_ops : 1;
    uint32_t *op_item = malloc(n1 * sizeof *op_item);
    item *it = *out = calloc(n1, sizeof *it);
    *sim_op = malloc(n1 * sizeof **sim_op);
    if (!op_item || !it || !*sim_op) {
        free(op_item);
        return wcp_export_fail(c->e, "out of memory");
    }
    *n = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        op_item[i] = WCP_NONE;
        if (tp->first[i] == WCP_NONE)
            continue;
        int64_t s = c->sim_start[i];
        int64_t e = tp->finished[i] ? c->sim_reg[i] : s + (g->end[i] - g->start[i]);
        op_item[i] = *n;
        (*sim_op)[*n] = i;
        it[(*n)++] = (item){.s = s, .e = e};
    }
    for (uint32_t k = 0; k < *n; k++) {
        int32_t a = g->parent[(*sim_op)[k]];
        for (uint32_t steps = 0; a >= 0 && op_item[a] == WCP_NONE && steps < g->n_ops; steps++)
            a = g->parent[a];
        it[k].parent = a >= 0 ? op_item[a] : WCP_NONE;
    }
    free(op_item);
    set_depths(it, *n);
    return 0;
}

/* The events the recorder dropped in the run (0 when the runs table says nothing). */
static int64_t dropped_events(chrome *c)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(c->e->db, "SELECT dropped_events FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, c->e->run);
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

static void put_trailer(chrome *c, uint32_t flows, int64_t dropped)
{
    const wcp_model *m = c->m;
    wcp_out *o = c->e->out;
    wcp_out_printf(o, "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":\"wcprof\","
                      "\"run\":%lld,\"baseline_ns\":%lld,\"makespan_ns\":%lld,\"ops\":%u,"
                      "\"flows\":%u,\"flows_shown_by_nesting\":%llu,\"flows_left_out\":%llu,"
                      "\"dropped_events\":%lld",
                   (long long)c->e->run, (long long)m->baseline, (long long)m->actual, c->g->n_ops, flows,
                   (unsigned long long)c->flows_nested, (unsigned long long)c->flows_left_out,
                   (long long)dropped);
    if (c->spec) {
        wcp_out_puts(o, ",\"whatif\":");
        wcp_out_json(o, c->spec);
        wcp_out_printf(o, ",\"whatif_makespan_ns\":%lld,\"whatif_saved_ns\":%lld",
                       (long long)c->sim_makespan, (long long)(m->baseline - c->sim_makespan));
    }
    wcp_out_puts(o, "}}\n");
}

static int write_chrome(wcp_export *e)
{
    chrome c = {.e = e, .m = e->model, .g = &e->model->g};
    const wcp_graph *g = c.g;
    bool oom;
    placing rec = {0}, sim = {0};
    item *it = NULL, *sit = NULL;
    uint32_t *rwait = NULL, *sim_op = NULL, n_items, n_sim = 0;
    int rc = -1;
    c.spec = wcp_export_option(e, "whatif", &oom);
    if (oom || load_strings(&c) < 0 || (c.spec && whatif_replay(&c) < 0) ||
        recorded_items(&c, &it, &rwait, &n_items) < 0 ||
        (c.spec && replay_items(&c, &sit, &sim_op, &n_sim) < 0))
        goto done;
    if (!place_all(&rec, it, n_items) || (c.spec && !place_all(&sim, sit, n_sim)))
        goto oom;

    /* tids: the critical path, threads, numbered lanes; then the same for the replay */
    uint32_t tid = TID_BASE, crit_tid = tid, n_crit, sim_crit_tid, n_sim_crit = 0;
    path_events(&c, c.m->path, c.m->n_path, EV_SEG, &tid, &n_crit);
    number_lanes(&rec, &tid);
    for (uint32_t i = 0; i < n_items; i++)
        push_ev(&c, i < g->n_ops ? EV_OP : EV_RWAIT, it[i].s, it[i].e - it[i].s,
                rec.lanes[rec.lane[i]].tid, i < g->n_ops ? i : rwait[i - g->n_ops]);
    uint32_t flows = flow_events(&c, &rec);
    sim_crit_tid = tid;
    if (c.spec) {
        path_events(&c, c.sim_path, c.n_sim_path, EV_SIM_SEG, &tid, &n_sim_crit);
        number_lanes(&sim, &tid);
        for (uint32_t k = 0; k < n_sim; k++)
            push_ev(&c, EV_SIM_OP, sit[k].s, sit[k].e - sit[k].s, sim.lanes[sim.lane[k]].tid, sim_op[k]);
    }
    if (c.oom)
        goto oom;
    qsort(c.evs, c.n_evs, sizeof *c.evs, by_time);

    char *name = NULL;
    int64_t dropped = dropped_events(&c);
    if ((dropped ? asprintf(&name, "run %lld (recorded; %lld events dropped: incomplete)", (long long)e->run,
                            (long long)dropped)
                 : asprintf(&name, "run %lld (recorded)", (long long)e->run)) < 0)
        goto oom;
    wcp_out_puts(e->out, "{\"traceEvents\":[\n");
    put_meta(&c, "process", 1, crit_tid, name, 1);
    free(name);
    put_lane_names(&c, &rec, 1, crit_tid, n_crit);
    if (c.spec) {
        if (asprintf(&name, "what-if: %s", c.spec) < 0)
            goto oom;
        put_meta(&c, "process", 2, sim_crit_tid, name, 2);
        free(name);
        put_lane_names(&c, &sim, 2, sim_crit_tid, n_sim_crit);
    }
    for (size_t k = 0; k < c.n_evs && !e->out->failed; k++)
        put_event(&c, &c.evs[k]);
    put_trailer(&c, flows, dropped);
    rc = 0;
    goto done;
oom:
    rc = wcp_export_fail(e, "out of memory");
done:
    placing_free(&rec);
    placing_free(&sim);
    free(it);
    free(sit);
    free(rwait);
    free(sim_op);
    free(c.evs);
    for (uint32_t k = 0; k < c.n_str; k++)
        free(c.str[k]);
    free(c.str);
    free(c.spec);
    free(c.sim_reg);
    free(c.sim_start);
    free(c.sim_path);
    return rc;
}

const wcp_exporter wcp_export_chrome = {
    "chrome", "whatif",
    "Chrome trace event JSON (ui.perfetto.dev, chrome://tracing); whatif: a what-if spec "
    "whose replay is shown beside the recording",
    write_chrome,
};
