/* chrome.c - a run as Chrome trace event JSON, for ui.perfetto.dev and
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
 *    waiter (not §6 rule 3's order waits between holds, which no one
 *    recorded): "s" on the awaited op's lane at the moment nearest min(its
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
 * Lanes (tids): events on one lane must nest strictly; lanes.c places
 * them (its header has the rules): a recorded thread's lane ("thread N")
 * when the op nests there, else its nearest ancestor's, else the first
 * free numbered lane ("lane N").
 *
 * Process 2, with whatif=SPEC (a what-if spec, README.md): the what-if
 * replay's schedule, each op started by the replay from its simulated start
 * to its simulated finish (an op the replay starts but never finishes, §3,
 * with its recorded length and args.unfinished), on lanes placed the same
 * way (no threads: the replay has none), and its critical path.
 *
 * With related=OP (an op id; related_depth=N, default 2): only the ops
 * related_ops(OP, N) returns (spec/analysis.md §7.4), their resource waits,
 * the flows between two of them and the critical path segments of theirs,
 * in both processes; lanes are placed as for the whole run, so each op
 * keeps its lane (otherData.related, related_depth, ops_shown).
 *
 * Lanes have thread_name and thread_sort_index metadata ("M"), processes
 * process_name (process 1's says so when the recorder dropped events).
 * Tids are unique across both processes (from 100 on), as Perfetto keys
 * threads by tid. */
#define _GNU_SOURCE
#include "export.h"
#include "lanes.h"
#include "ids.h"
#include "related.h"
#include "whatif.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TID_BASE 100

/* ---- events */

enum ev_type { EV_OP, EV_RWAIT, EV_SEG, EV_SIM_OP, EV_SIM_SEG, EV_FLOW_S, EV_FLOW_F };

typedef struct ev {
    int64_t ts, dur; /* ns */
    uint32_t ref;    /* EV_OP, EV_SIM_OP: op; EV_RWAIT: wait; EV_SEG, EV_SIM_SEG:
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
    if (fx != fy) /* slices before the flows that bind to them */
        return fx ? 1 : -1;
    if (fx && x->type != y->type) /* a flow's start before any finish at the same time */
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
    char **str; /* strings.id -> value */
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
    bool written;  /* an event was written (the next one needs a comma) */
    uint8_t *keep; /* with related=OP: per op, 1 when it is shown; NULL: all are */
    int64_t related, related_depth;
    uint32_t shown;
} chrome;

/* Whether op i is shown (related=OP). */
static bool shown(const chrome *c, uint32_t i)
{
    return !c->keep || c->keep[i];
}

static void push_ev(chrome *c, enum ev_type type, int64_t ts, int64_t dur, uint32_t tid,
                    uint32_t ref)
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
        if (!c->str) { /* the first row has the largest id */
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
static int load_threads(chrome *c, wcp_lane_item *it)
{
    sqlite3 *db = c->e->db;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db, "SELECT id, thread_id FROM ops WHERE run_id = ?1 AND thread_id IS NOT NULL", -1,
            &st, NULL) != SQLITE_OK)
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

/* What a wait waited for (wcp_wait_resource_of). */
static const char *resource(const chrome *c, const wcp_graph_wait *w)
{
    return wcp_wait_resource_of(str(c, w->ident), str(c, w->reason));
}

/* The critical path on lanes of its own (a second one only if a segment
 * overlaps: the negative offsets of §4 are left out, so in practice one). */
static void path_events(chrome *c, const wcp_seg *path, size_t n, enum ev_type type, uint32_t *tid,
                        uint32_t *n_lanes)
{
    int64_t ends[8];
    uint32_t used = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t len = wcp_seg_len(&path[k]);
        if (len <= 0 || !shown(c, path[k].op))
            continue;
        uint32_t l = 0;
        while (l < used && ends[l] > path[k].start)
            l++;
        if (l == 8)
            continue; /* cannot happen with segments that follow one another */
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

/* A slice's dur, for a slice at ts ns lasting dur ns. A viewer takes its
 * end as ts + dur added in doubles (µs), which can land a rounding step past
 * the ts written for a slice starting at that same ns, so that touching
 * slices overlap. So dur is written so that the double sum equals the
 * double of the end written as ts is (three decimals from integers): three
 * decimals where that holds already (nearly every slice), else the shortest
 * decimal of the double that makes it hold. Where no double does (the sum
 * ties between two doubles and rounds to the other one), the sum falls one
 * step short of the end: a gap of one double step, never an overlap. */
static void put_dur(wcp_out *o, int64_t ts, int64_t dur)
{
    double t = (double)ts / 1000.0, end = (double)(ts + dur) / 1000.0, d = (double)dur / 1000.0;
    if (t + d == end) {
        put_us(o, dur);
        return;
    }
    /* the largest double whose sum with t does not pass end: from just
     * above end - t (exact where t and end are within a factor 2,
     * Sterbenz), down a step at a time (a step or two: the sum is monotone) */
    double x = nextafter(end - t, INFINITY);
    while (x > 0 && t + x > end)
        x = nextafter(x, 0.0);
    char buf[32];
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            break;
    }
    wcp_out_puts(o, buf);
}

/* Starts the next element of traceEvents. */
static void next_event(chrome *c)
{
    wcp_out_puts(c->e->out, c->written ? ",\n{" : "{");
    c->written = true;
}

/* A thread's or a process's name and sort index ("M"). */
static void put_meta(chrome *c, const char *what, int pid, uint32_t tid, const char *name,
                     int64_t sort)
{
    wcp_out *o = c->e->out;
    next_event(c);
    wcp_out_printf(o, "\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"name\":\"%s_name\",\"args\":{\"name\":",
                   pid, tid, what);
    wcp_out_json(o, name);
    wcp_out_puts(o, "}}");
    next_event(c);
    wcp_out_printf(o,
                   "\"ph\":\"M\",\"pid\":%d,\"tid\":%u,\"name\":\"%s_sort_index\","
                   "\"args\":{\"sort_index\":%lld}}",
                   pid, tid, what, (long long)sort);
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
    char t[WCP_ID_TEXT_MAX];
    wcp_out_printf(c->e->out, ",\"args\":{\"op_id\":%s", wcp_id_text(t, g->id[i]));
    if (g->parent[i] >= 0)
        wcp_out_printf(c->e->out, ",\"parent_id\":%s", wcp_id_text(t, g->id[g->parent[i]]));
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
    char t[WCP_ID_TEXT_MAX];
    wcp_out_printf(o, ",\"cat\":\"critical\",\"args\":{\"what\":\"%s\",\"op_id\":%s,\"class_key\":",
                   wcp_seg_what_name[s->what], wcp_id_text(t, c->g->id[s->op]));
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
        wcp_out_printf(o, "\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":",
                       v->type == EV_FLOW_S ? "s" : "f", v->tid);
        put_us(o, v->ts);
        wcp_out_printf(o, ",\"id\":%u,\"cat\":\"wait\",\"name\":\"wait\"%s}", v->ref,
                       v->type == EV_FLOW_F ? ",\"bp\":\"e\"" : "");
        return;
    }
    wcp_out_printf(o, "\"ph\":\"X\",\"pid\":%d,\"tid\":%u,\"ts\":", pid, v->tid);
    put_us(o, v->ts);
    wcp_out_puts(o, ",\"dur\":");
    put_dur(o, v->ts, v->dur);
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
        wcp_out_printf(o, ",\"recorded_start_ns\":%lld,\"recorded_dur_ns\":%lld%s}",
                       (long long)g->start[i], (long long)(g->end[i] - g->start[i]),
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
        char t[WCP_ID_TEXT_MAX];
        wcp_out_printf(o, ",\"cat\":\"wait\",\"args\":{\"waiter_id\":%s",
                       wcp_id_text(t, g->id[w->waiter]));
        put_str_arg(o, "resource", r);
        put_str_arg(o, "reason", str(c, w->reason));
        wcp_out_puts(o, "}");
        break;
    }
    default: put_seg(c, v->type == EV_SEG ? &c->m->path[v->ref] : &c->sim_path[v->ref]);
    }
    wcp_out_puts(o, "}");
}

/* The lanes' names and order, then the processes'. */
static void put_lane_names(chrome *c, const wcp_lanes *p, int pid, uint32_t crit_tid,
                           uint32_t n_crit)
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

/* The what-if replay of the spec, and its critical path. */
static int whatif_replay(chrome *c)
{
    char err[512];
    double *factor = NULL;
    int64_t *after = NULL;
    wcp_tape *tape = NULL; /* §6 rule 8: the what-if's own tape */
    int rc = 0;
    c->sim_makespan = wcp_whatif_replay(c->e->db, c->m, c->spec, &factor, &c->sim_reg,
                                        &c->sim_start, &after, &tape, c->e->stop, err, sizeof err);
    if (c->sim_makespan < 0)
        rc = wcp_export_fail(c->e, "whatif: %s", err);
    else if (wcp_tape_critical_path(tape ? tape : &c->m->tape, c->sim_reg, c->sim_start, after,
                                    &c->sim_path, &c->n_sim_path) < 0)
        rc = wcp_export_fail(c->e, "out of memory");
    free(factor);
    free(after);
    wcp_whatif_tape_free(tape);
    return rc;
}

/* The recording's items: ops (item i is op i), then the waits on named
 * resources (rwait[k]: item n_ops + k's wait), with threads and depths. */
static int recorded_items(chrome *c, wcp_lane_item **out, uint32_t **rwait, uint32_t *n)
{
    const wcp_graph *g = c->g;
    uint32_t n_rw = 0;
    for (uint32_t k = 0; k < g->n_waits; k++)
        n_rw += g->waits[k].target < 0;
    *n = g->n_ops + n_rw;
    wcp_lane_item *it = *out = calloc(*n ? *n : 1, sizeof *it);
    *rwait = malloc((n_rw ? n_rw : 1) * sizeof **rwait);
    if (!it || !*rwait)
        return wcp_export_fail(c->e, "out of memory");
    for (uint32_t i = 0; i < g->n_ops; i++)
        it[i] = (wcp_lane_item){.s = g->start[i],
                                .e = g->end[i],
                                .parent = g->parent[i] >= 0 ? (uint32_t)g->parent[i] : WCP_NONE};
    if (load_threads(c, it) < 0)
        return -1;
    for (uint32_t k = 0, r = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (w->target >= 0)
            continue;
        it[g->n_ops + r] = (wcp_lane_item){
            .s = w->start, .e = w->end, .parent = (uint32_t)w->waiter, .in_parent = true};
        (*rwait)[r++] = k;
    }
    wcp_lanes_depths(it, *n);
    return 0;
}

/* Flow arrows, awaited op -> waiter, on the recording's lanes. */
static uint32_t flow_events(chrome *c, const wcp_lanes *rec)
{
    const wcp_graph *g = c->g;
    uint32_t flow = 0;
    for (uint32_t k = 0; k < g->n_waits; k++) {
        const wcp_graph_wait *w = &g->waits[k];
        if (w->target < 0 || w->target == w->waiter || w->by == WCP_BY_HOLD_ORDER)
            continue;
        uint32_t t = (uint32_t)w->target, x = (uint32_t)w->waiter;
        if (!shown(c, t) || !shown(c, x))
            continue;
        if (wcp_lanes_nested(rec, t, x)) { /* the nesting shows it already */
            c->flows_nested++;
            continue;
        }
        int64_t at_t = w->end < g->end[t] ? w->end : g->end[t];
        int64_t from = wcp_lanes_bind(rec, t, at_t), to = wcp_lanes_bind(rec, x, w->end);
        /* when those run back in time: the awaited op's moment no later than
         * the waiter's, then the waiter's moment itself (either may bind to
         * what runs inside the op on its lane) */
        if (from > to)
            from = wcp_lanes_clamp(rec, t, at_t < to ? at_t : to);
        if (from > to) {
            to = wcp_lanes_clamp(rec, x, w->end);
            from = wcp_lanes_clamp(rec, t, at_t < to ? at_t : to);
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
static int replay_items(chrome *c, wcp_lane_item **out, uint32_t **sim_op, uint32_t *n)
{
    const wcp_graph *g = c->g;
    const wcp_tape *tp = &c->m->tape;
    size_t n1 = g->n_ops ? g->n_ops : 1;
    uint32_t *op_item = malloc(n1 * sizeof *op_item);
    wcp_lane_item *it = *out = calloc(n1, sizeof *it);
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
        it[(*n)++] = (wcp_lane_item){.s = s, .e = e};
    }
    for (uint32_t k = 0; k < *n; k++) {
        int32_t a = g->parent[(*sim_op)[k]];
        for (uint32_t steps = 0; a >= 0 && op_item[a] == WCP_NONE && steps < g->n_ops; steps++)
            a = g->parent[a];
        it[k].parent = a >= 0 ? op_item[a] : WCP_NONE;
    }
    free(op_item);
    wcp_lanes_depths(it, *n);
    return 0;
}

/* The events the recorder dropped in the run (0 when the runs table says nothing). */
static int64_t dropped_events(chrome *c)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(c->e->db, "SELECT dropped_events FROM runs WHERE id = ?1", -1, &st,
                           NULL) != SQLITE_OK)
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
    wcp_out_printf(o,
                   "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{\"generator\":\"wcprof\","
                   "\"run\":%lld,\"baseline_ns\":%lld,\"makespan_ns\":%lld,\"ops\":%u,"
                   "\"flows\":%u,\"flows_shown_by_nesting\":%llu,\"flows_left_out\":%llu,"
                   "\"dropped_events\":%lld",
                   (long long)c->e->run, (long long)m->baseline, (long long)m->actual, c->g->n_ops,
                   flows, (unsigned long long)c->flows_nested,
                   (unsigned long long)c->flows_left_out, (long long)dropped);
    if (c->spec) {
        wcp_out_puts(o, ",\"whatif\":");
        wcp_out_json(o, c->spec);
        wcp_out_printf(o, ",\"whatif_makespan_ns\":%lld,\"whatif_saved_ns\":%lld",
                       (long long)c->sim_makespan, (long long)(m->baseline - c->sim_makespan));
    }
    if (c->keep) {
        char t[WCP_ID_TEXT_MAX];
        wcp_out_printf(o, ",\"related\":%s,\"related_depth\":%lld,\"ops_shown\":%u",
                       wcp_id_text(t, c->related), (long long)c->related_depth, c->shown);
    }
    wcp_out_puts(o, "}}\n");
}

/* related=OP and related_depth=N: the mask of the ops shown. 0, or -1
 * after failing the export. */
static int related_option(chrome *c, bool *oom)
{
    wcp_export *e = c->e;
    char *op = wcp_export_option(e, "related", oom), *depth = NULL, *end;
    int rc = -1;
    if (*oom)
        return 0;
    depth = wcp_export_option(e, "related_depth", oom);
    if (*oom || (!op && !depth)) {
        rc = 0;
        goto done;
    }
    if (!op) {
        rc = wcp_export_fail(e, "related_depth needs related=OP");
        goto done;
    }
    uint64_t u;
    if (wcp_parse_u64(op, &u) == 0) { /* 0 to 2^64-1; a stored (negative) form below */
        c->related = (int64_t)u;
        end = op + strlen(op);
    } else
        c->related = strtoll(op, &end, 10);
    if (end == op || *end) {
        rc = wcp_export_fail(e, "related: \"%s\" is not an op id", op);
        goto done;
    }
    c->related_depth = 2;
    if (depth) {
        c->related_depth = strtoll(depth, &end, 10);
        if (end == depth || *end || c->related_depth < 0) {
            rc = wcp_export_fail(e, "related_depth: \"%s\" is not a depth >= 0", depth);
            goto done;
        }
    }
    int32_t i = wcp_graph_find(c->g, c->related);
    if (i < 0) {
        char t[WCP_ID_TEXT_MAX];
        rc = wcp_export_fail(e, "related: no op %s in run %lld", wcp_id_text(t, c->related),
                             (long long)e->run);
        goto done;
    }
    c->keep = calloc(c->g->n_ops + 1, 1);
    char err[256];
    if (!c->keep) {
        *oom = true;
        rc = 0;
        goto done;
    }
    if (wcp_related_mask(e->db, c->g, (uint32_t)i,
                         c->related_depth > (int64_t)c->g->n_ops ? c->g->n_ops
                                                                 : (uint32_t)c->related_depth,
                         c->keep, e->stop, err, sizeof err) < 0) {
        rc = wcp_export_fail(e, "%s", err);
        goto done;
    }
    rc = 0;
done:
    free(op);
    free(depth);
    return rc;
}

static int write_chrome(wcp_export *e)
{
    chrome c = {.e = e, .m = e->model, .g = &e->model->g};
    const wcp_graph *g = c.g;
    bool oom;
    wcp_lanes rec = {0}, sim = {0};
    wcp_lane_item *it = NULL, *sit = NULL;
    uint32_t *rwait = NULL, *sim_op = NULL, n_items, n_sim = 0;
    int rc = -1;
    c.spec = wcp_export_option(e, "whatif", &oom);
    if (!oom && related_option(&c, &oom) < 0)
        goto done;
    if (oom || load_strings(&c) < 0 || (c.spec && whatif_replay(&c) < 0) ||
        recorded_items(&c, &it, &rwait, &n_items) < 0 ||
        (c.spec && replay_items(&c, &sit, &sim_op, &n_sim) < 0))
        goto done;
    if (!wcp_lanes_place(&rec, it, n_items) || (c.spec && !wcp_lanes_place(&sim, sit, n_sim)))
        goto oom;

    /* tids: the critical path, threads, numbered lanes; then the same for the replay */
    uint32_t tid = TID_BASE, crit_tid = tid, n_crit, sim_crit_tid, n_sim_crit = 0;
    path_events(&c, c.m->path, c.m->n_path, EV_SEG, &tid, &n_crit);
    wcp_lanes_number(&rec, &tid);
    for (uint32_t i = 0; i < n_items; i++) {
        uint32_t what = i < g->n_ops ? i : rwait[i - g->n_ops];
        if (!shown(&c, i < g->n_ops ? i : (uint32_t)g->waits[what].waiter))
            continue;
        c.shown += i < g->n_ops;
        push_ev(&c, i < g->n_ops ? EV_OP : EV_RWAIT, it[i].s, it[i].e - it[i].s,
                rec.lanes[rec.lane[i]].tid, what);
    }
    uint32_t flows = flow_events(&c, &rec);
    sim_crit_tid = tid;
    if (c.spec) {
        path_events(&c, c.sim_path, c.n_sim_path, EV_SIM_SEG, &tid, &n_sim_crit);
        wcp_lanes_number(&sim, &tid);
        for (uint32_t k = 0; k < n_sim; k++)
            if (shown(&c, sim_op[k]))
                push_ev(&c, EV_SIM_OP, sit[k].s, sit[k].e - sit[k].s, sim.lanes[sim.lane[k]].tid,
                        sim_op[k]);
    }
    if (c.oom)
        goto oom;
    qsort(c.evs, c.n_evs, sizeof *c.evs, by_time);

    char *name = NULL;
    int64_t dropped = dropped_events(&c);
    if ((dropped ? asprintf(&name, "run %lld (recorded; %lld events dropped: incomplete)",
                            (long long)e->run, (long long)dropped)
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
    wcp_lanes_free(&rec);
    wcp_lanes_free(&sim);
    free(it);
    free(sit);
    free(rwait);
    free(sim_op);
    free(c.evs);
    for (uint32_t k = 0; k < c.n_str; k++)
        free(c.str[k]);
    free(c.str);
    free(c.spec);
    free(c.keep);
    free(c.sim_reg);
    free(c.sim_start);
    free(c.sim_path);
    return rc;
}

const wcp_exporter wcp_export_chrome = {
    "chrome",
    "Chrome trace JSON for ui.perfetto.dev, chrome://tracing",
    "whatif,related,related_depth",
    "Chrome trace event JSON (ui.perfetto.dev, chrome://tracing); whatif: a what-if spec "
    "whose replay is shown beside the recording; related: an op id, to show only the ops "
    "related_ops(related, related_depth) returns (depth 2 by default)",
    write_chrome,
};
