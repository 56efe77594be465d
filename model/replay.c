/* replay.c - the replay of spec/analysis.md §3 compiled to a tape, its
 * evaluation, and the critical path of §4. See replay.h and README.md
 * ("Where analysis.md leaves a choice"). */
#define _GNU_SOURCE
#include "grow.h"
#include "replay.h"
#include "sat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- compiling: the literal replay, recorded */

enum { HAS_START = 1, ACTIVE = 2, DONE = 4 };

/* An op's actions (§3), generated when its replay begins. */
enum { A_SELF, A_DELAY, A_SPAWN, A_JOIN, A_AWAIT };
typedef struct act {
    int64_t len;  /* SELF, DELAY */
    uint32_t idx; /* DELAY: the wait; SPAWN, JOIN: the child; AWAIT: the target */
    uint8_t kind;
} act;

/* A frame replays an op (F_REPLAY), or brings an op reached by a join or an
 * await to its finish (F_RESOLVE: §3's "finish on first use", with the
 * parent-first anchoring), then MAXes it into the op that reached it.
 * F_SPAWN (§6, dumps with holds only) replays op's parent only until it
 * spawns op. */
enum { F_REPLAY, F_RESOLVE, F_SPAWN };
typedef struct frame {
    uint32_t op;
    uint8_t kind, stage;   /* F_RESOLVE: 0 before the parent-first replay, 1 after */
    uint32_t into;         /* F_RESOLVE: the op that reached op (WCP_NONE: none); F_REPLAY:
                            * the child whose start suspends the replay (WCP_NONE: none) */
    size_t pos, end, base; /* F_REPLAY: acts[pos .. end); acts above base are its own */
} frame;

typedef struct compiler {
    wcp_tape *t;
    const wcp_graph *g;
    uint8_t *st;
    act *acts;
    size_t n_acts, cap_acts;
    frame *fr;
    size_t n_fr, cap_fr;
    wcp_span *spans;
    size_t cap_spans;
    uint32_t *joins; /* the op being generated: its children, by (end, id) */
    size_t cap_joins, n_joins, next_join;
    size_t cap_ins;
    uint32_t gen_op;
    uint32_t resolving; /* F_RESOLVE frames pushed since the last replay began */
    bool oom, too_big;  /* oom: stop compiling (too_big, stopped: why) */
    wcp_stop *stop;     /* polled every 4096 steps of run() */
    bool owner;         /* on stop's connection's thread: may step its probe (else wcp_stopped) */
    unsigned steps;
    bool stopped;
    /* §6 (dumps with holds): replays are resumable. An op's actions are kept
     * (acts[act_lo[op] .. act_hi[op]), act_lo WCP_NONE until generated) and
     * its replay can stop after a given child's spawn and go on from act_pos
     * later, so that an op reached through a hold is started by its parent's
     * replay up to that point only, never by one that runs into the future */
    bool resume;
    uint32_t *act_lo, *act_hi, *act_pos;
    /* §6, dumps with holds that record threads: the previous op of the same
     * parent on the same thread, for an op its parent did not record
     * (WCP_NONE: none, or not such an op); NULL: no threads */
    uint32_t *tprev;
    /* §6 rule 8's discrete-event replay (dumps with holds whose locks it
     * grants first come, first served; NULL/false otherwise): each op's
     * clock and start as emitted (dreg, dstart), the factors (NULL: 1),
     * and per wait of g whether the replay leaves it out (skip_wait: a
     * lock's order waits and the lock wait that led to a hold, replaced by
     * the order of arrival) */
    int64_t *dreg, *dstart;
    const double *dfactor;
    uint8_t *skip_wait;
    wcp_scratch *sc; /* where its memory comes from and goes back to (NULL: malloc, free) */
} compiler;

/* ---- a compile's memory: its own, or a scratch's (replay.h) that the
 * next compile on the same thread reuses. On a 480K-op run a discrete-event
 * compile writes ~170 MB; fresh each time, a quarter of a ranking's CPU
 * went to page faults (docs/performance.md). */
enum {
    B_ST,
    B_ACT_LO,
    B_ACT_HI,
    B_ACT_POS,
    B_TPREV,
    B_ORDER,
    B_FIRST,
    B_LAST,
    B_FINISHED,
    B_START_SLOT,
    B_INS,
    B_SRC,
    B_PREV,
    B_ACTS,
    B_FR,
    B_SPANS,
    B_JOINS,
    B_DREG,
    B_DSTART,
    B_SKIP_WAIT,
    B_HEAP,
    B_PRIO,
    B_ON,
    B_W_HEAD,
    B_W_NEXT,
    B_LOCK,
    B_SHARED,
    B_ARRIVED,
    B_ON_LIST,
    B_LW,
    B_HANDOFF,
    B_EXCL,
    B_READERS,
    B_RNEXT,
    B_WL_OFF,
    B_WL_N,
    B_WL_I,
    B_WL,
    B_TSUCC,
    B_QUEUE,
    B_Q_OPS,
    B_Q_OFF,
    B_Q_CUR,
    B_N
};

struct wcp_scratch {
    struct {
        void *p;
        size_t bytes;
    } b[B_N];
    const wcp_graph *order_of; /* the graph whose thread order b[B_TPREV] holds (NULL: none) */
};

wcp_scratch *wcp_scratch_new(void)
{
    return calloc(1, sizeof(wcp_scratch));
}

void wcp_scratch_free(wcp_scratch *sc)
{
    if (!sc)
        return;
    for (int k = 0; k < B_N; k++)
        free(sc->b[k].p);
    free(sc);
}

/* bytes for c's buffer id, every byte fill (-1: left as it is): the
 * scratch's when c has one (it keeps them), else malloc'd. NULL when out
 * of memory. */
static void *buf_get(compiler *c, int id, size_t bytes, int fill)
{
    void *p;
    if (!c->sc)
        p = fill == 0 ? calloc(bytes, 1) : malloc(bytes);
    else {
        p = c->sc->b[id].p;
        if (c->sc->b[id].bytes < bytes) {
            free(p);
            p = malloc(bytes);
            c->sc->b[id].p = p;
            c->sc->b[id].bytes = p ? bytes : 0;
        }
        if (p && fill == 0)
            memset(p, 0, bytes);
    }
    if (p && fill > 0)
        memset(p, fill, bytes);
    return p;
}

/* The end of a buf_get buffer: freed, unless the scratch's. */
static void buf_drop(const compiler *c, void *p)
{
    if (!c->sc)
        free(p);
}

/* A growing buffer (elements of size) at a compile's start: the scratch's
 * room, which the compile owns until buf_give (it may realloc it); else
 * none. */
static void *buf_take(compiler *c, int id, size_t *cap, size_t size)
{
    *cap = 0;
    if (!c->sc)
        return NULL;
    void *p = c->sc->b[id].p;
    *cap = c->sc->b[id].bytes / size;
    c->sc->b[id].p = NULL;
    c->sc->b[id].bytes = 0;
    return p;
}

/* A growing buffer's end (room for bytes): back to the scratch, or freed. */
static void buf_give(compiler *c, int id, void *p, size_t bytes)
{
    if (!c->sc) {
        free(p);
        return;
    }
    free(c->sc->b[id].p); /* none: taken at the start */
    c->sc->b[id].p = p;
    c->sc->b[id].bytes = p ? bytes : 0;
}

/* §3: a self segment of length v >= 0 scaled by factor f >= 0, truncated
 * toward zero; INT64_MAX when the product does not fit (converting it would
 * be undefined). Factor 1 gives v itself: a length above 2^53 does not
 * survive the trip through a double. */
static inline int64_t scaled(int64_t v, double f)
{
    if (f == 1.0)
        return v;
    double x = (double)v * f;
    return x < 9.2e18 ? (int64_t)x : INT64_MAX;
}

/* One instruction of a replay with factor (NULL: all 1) on reg and start
 * (replay.h has the instruction set): wcp_tape_eval's step, and the
 * discrete-event compiler's as it emits. */
static inline void step(const wcp_ins *in, const double *factor, int64_t *reg, int64_t *start)
{
    uint32_t op = wcp_ins_op(in), arg = in->arg;
    int64_t v = in->val;
    switch (wcp_ins_kind(in)) {
    case WCP_I_START_ABS: reg[op] = start[op] = v; break;
    case WCP_I_START_CLOCK: reg[op] = start[op] = wcp_sat_add(reg[arg], v); break;
    case WCP_I_START_FROM: reg[op] = start[op] = wcp_sat_add(start[arg], v); break;
    case WCP_I_SELF:
        if (factor && factor[arg] != 1.0)
            v = scaled(v, factor[arg]);
        reg[op] = wcp_sat_add(reg[op], v);
        break;
    case WCP_I_DELAY: reg[op] = wcp_sat_add(reg[op], v); break;
    case WCP_I_MAX:
        if (reg[arg] > reg[op])
            reg[op] = reg[arg];
        break;
    case WCP_I_MAX_CYCLE: {
        int64_t e = wcp_sat_add(start[arg], v);
        if (e > reg[op])
            reg[op] = e;
        break;
    }
    }
}

static void emit(compiler *c, uint32_t op, unsigned kind, uint32_t arg, int64_t val, uint32_t src)
{
    wcp_tape *t = c->t;
    if (c->oom)
        return;
    if (t->n >= UINT32_MAX - 1) {
        c->too_big = c->oom = true;
        return;
    }
    if (t->n == c->cap_ins) {
        size_t n = c->cap_ins ? c->cap_ins * 2 : 1024;
        wcp_ins *ins = realloc(t->ins, n * sizeof *ins);
        uint32_t *s = ins ? realloc(t->src, n * sizeof *s) : NULL;
        uint32_t *p = s ? realloc(t->prev, n * sizeof *p) : NULL;
        if (ins)
            t->ins = ins;
        if (s)
            t->src = s;
        if (p)
            t->prev = p;
        if (!p) {
            c->oom = true;
            return;
        }
        c->cap_ins = n;
    }
    size_t k = t->n++;
    t->ins[k] = (wcp_ins){op | (uint32_t)kind << WCP_TAPE_OP_BITS, arg, val};
    t->src[k] = src;
    if (c->dreg) /* the discrete-event replay's clocks, as wcp_tape_eval computes them */
        step(&t->ins[k], c->dfactor, c->dreg, c->dstart);
    t->prev[k] = t->last[op];
    if (kind <= WCP_I_START_FROM)
        t->first[op] = (uint32_t)k;
    t->last[op] = (uint32_t)k;
}

static void push_act(compiler *c, uint8_t kind, uint32_t idx, int64_t len)
{
    if (!wcp_grow((void **)&c->acts, &c->cap_acts, c->n_acts + 1, sizeof *c->acts)) {
        c->oom = true;
        return;
    }
    c->acts[c->n_acts++] = (act){len, idx, kind};
}

/* §3: before each action at time t, the children ending by t are joined */
static void join_until(compiler *c, int64_t t)
{
    while (c->next_join < c->n_joins && c->g->end[c->joins[c->next_join]] <= t)
        push_act(c, A_JOIN, c->joins[c->next_join++], 0);
}

static void gen_step(void *ctx, const wcp_step *s)
{
    compiler *c = ctx;
    const wcp_graph *g = c->g;
    uint32_t x = c->gen_op;
    join_until(c, s->t);
    switch (s->kind) {
    case WCP_STEP_SELF: push_act(c, A_SELF, 0, s->len); break;
    case WCP_STEP_CHILD: push_act(c, A_SPAWN, s->index, 0); break;
    case WCP_STEP_WAIT: {
        uint32_t k = g->wait_off[x] + s->index;
        const wcp_graph_wait *w = &g->waits[k];
        if (c->skip_wait && c->skip_wait[k])
            break; /* rule 8: the order of arrival instead */
        if (w->target < 0)
            push_act(c, A_DELAY, k, w->end > w->start ? w->end - w->start : 0);
        else if ((uint32_t)w->target != x &&
                 (w->by == WCP_BY_HOLD_ORDER || w->end >= g->end[w->target] - WCP_AWAIT_SLACK_NS))
            push_act(c, A_AWAIT, (uint32_t)w->target, 0); /* §6 rule 8's order waits always */
        break; /* else abandoned, or on itself: adds nothing */
    }
    }
}

static int by_end_id(const void *a, const void *b, void *ctx)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const int64_t *e = ctx;
    if (e[x] != e[y])
        return e[x] < e[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Begins the replay of op x (its start already set): its actions, a frame;
 * with c->resume it stops once `until` has a start (WCP_NONE: at x's end),
 * and a replay stopped earlier goes on where it stopped. */
static bool gen_acts(compiler *c, uint32_t x);

static void push_frame(compiler *c, uint32_t x, uint32_t until)
{
    if (c->resume && c->act_lo[x] != WCP_NONE) {
        if (!wcp_grow((void **)&c->fr, &c->cap_fr, c->n_fr + 1, sizeof *c->fr)) {
            c->oom = true;
            return;
        }
        c->st[x] |= ACTIVE;
        c->resolving = 0;
        c->fr[c->n_fr++] = (frame){x, F_REPLAY, 0, until, c->act_pos[x], c->act_hi[x], 0};
        return;
    }
    size_t base = c->n_acts;
    if (!wcp_grow((void **)&c->fr, &c->cap_fr, c->n_fr + 1, sizeof *c->fr) || !gen_acts(c, x))
        return;
    c->st[x] |= ACTIVE;
    c->resolving = 0;
    c->fr[c->n_fr++] = (frame){x, F_REPLAY, 0, c->resume ? until : WCP_NONE, base, c->n_acts, base};
}

/* Op x's actions (§3) at the end of c->acts (resume: kept, act_lo/act_hi
 * set). false when out of memory. */
static bool gen_acts(compiler *c, uint32_t x)
{
    const wcp_graph *g = c->g;
    size_t base = c->n_acts;
    uint32_t nw = g->wait_off[x + 1] - g->wait_off[x];
    uint32_t nc = g->child_off[x + 1] - g->child_off[x];
    if (!wcp_grow((void **)&c->spans, &c->cap_spans, nw + 1, sizeof *c->spans) ||
        !wcp_grow((void **)&c->joins, &c->cap_joins, nc + 1, sizeof *c->joins)) {
        c->oom = true;
        return false;
    }
    for (uint32_t k = 0; k < nw; k++) {
        const wcp_graph_wait *w = &g->waits[g->wait_off[x] + k];
        c->spans[k] = (wcp_span){w->start, w->end, w->by == WCP_BY_HOLD_ORDER};
    }
    /* §3: every child, also one ending after the op (a later action joins it) */
    c->n_joins = nc;
    memcpy(c->joins, g->child + g->child_off[x], nc * sizeof *c->joins);
    if (c->n_joins > 1) {
        qsort_r(c->joins, c->n_joins, sizeof *c->joins, by_end_id, (void *)g->end);
    }
    c->next_join = 0;
    c->gen_op = x;
    wcp_graph_steps(g, x, c->spans, nw, gen_step, c);
    join_until(c, g->end[x]); /* once more at the op's end */
    if (c->oom)
        return false;
    if (c->resume) {
        if (c->n_acts >= UINT32_MAX) {
            c->too_big = c->oom = true;
            return false;
        }
        c->act_lo[x] = (uint32_t)base;
        c->act_hi[x] = (uint32_t)c->n_acts;
        c->act_pos[x] = (uint32_t)base;
    }
    return true;
}

/* §3 anchoring: an op still without a simulated start after its parent's
 * replay is placed at its parent's simulated start plus its original
 * offset, or (no parent, or one without a start) at its own original start,
 * i.e. the first root's start plus its offset from it. */
static void fallback(compiler *c, uint32_t y)
{
    const wcp_graph *g = c->g;
    int32_t p = g->parent[y];
    uint32_t a = p >= 0 && (c->st[p] & HAS_START) ? (uint32_t)p : c->t->first_root;
    emit(c, y, WCP_I_START_FROM, a, g->start[y] - g->start[a], c->t->first[a]);
    c->st[y] |= HAS_START;
    c->t->fallbacks++;
}

/* Pushes a frame that brings y to its finish, then MAXes it into `into`. */
static void push_resolve(compiler *c, uint32_t y, uint32_t into)
{
    if (!wcp_grow((void **)&c->fr, &c->cap_fr, c->n_fr + 1, sizeof *c->fr)) {
        c->oom = true;
        return;
    }
    c->resolving++;
    c->fr[c->n_fr++] = (frame){y, F_RESOLVE, 0, into, 0, 0, 0};
}

/* Pushes a frame that replays y's parent until it spawns y (c->resume). */
static void push_spawn(compiler *c, uint32_t y)
{
    if (!wcp_grow((void **)&c->fr, &c->cap_fr, c->n_fr + 1, sizeof *c->fr)) {
        c->oom = true;
        return;
    }
    c->resolving++;
    c->fr[c->n_fr++] = (frame){y, F_SPAWN, 0, WCP_NONE, 0, 0, 0};
}

/* One step of the F_SPAWN frame on top of the stack: §6's parent-first for
 * dumps with holds. The parent p (itself started the same way first when it
 * has no start) is replayed only up to y's spawn, so that nothing it does
 * later, which may depend on the op that reached y, is replayed before it. */
static void spawn(compiler *c)
{
    frame *f = &c->fr[c->n_fr - 1];
    uint32_t y = f->op;
    int32_t p = c->g->parent[y];
    if ((c->st[y] & HAS_START) || p < 0 || f->stage == 2) {
        c->n_fr--;
        return;
    }
    if (f->stage == 0) {
        f->stage = 1;
        int32_t pp = c->g->parent[p];
        if (!(c->st[p] & HAS_START) && pp >= 0 && !(c->st[pp] & ACTIVE) &&
            c->resolving <= c->g->n_ops) {
            push_spawn(c, (uint32_t)p);
            return;
        }
    }
    f->stage = 2;
    if (!(c->st[p] & HAS_START))
        fallback(c, (uint32_t)p);
    if (c->st[p] & (ACTIVE | DONE))
        return; /* popped next step; y is anchored by its resolve */
    push_frame(c, (uint32_t)p, y);
}

/* One step of the F_RESOLVE frame on top of the stack (§3: finish on first
 * use). */
static void resolve(compiler *c)
{
    frame *f = &c->fr[c->n_fr - 1];
    uint32_t y = f->op, into = f->into;
    if (c->st[y] & DONE) { /* finished (maybe by the parent's replay): remembered */
        if (into != WCP_NONE)
            emit(c, into, WCP_I_MAX, y, 0, c->t->last[y]);
        c->n_fr--;
        return;
    }
    if (f->stage == 0) {
        f->stage = 1;
        int32_t p = c->g->parent[y];
        /* parent-first: a parent not being replayed right now is replayed
         * first, whole; its spawn action gives y its start. Parents form a
         * forest (graph.c breaks parent cycles); the count guards the walk. */
        if (!(c->st[y] & HAS_START) && p >= 0 && !(c->st[p] & ACTIVE) &&
            c->resolving <= c->g->n_ops) {
            if (c->resume)
                push_spawn(c, y);
            else
                push_resolve(c, (uint32_t)p, WCP_NONE);
            return;
        }
    }
    if (!(c->st[y] & HAS_START))
        fallback(c, y);
    if (c->st[y] & ACTIVE) { /* reached again while being replayed: a cycle */
        c->t->cycles++;
        if (into != WCP_NONE)
            emit(c, into, WCP_I_MAX_CYCLE, y, c->g->end[y] - c->g->start[y], c->t->first[y]);
        c->n_fr--;
        return;
    }
    push_frame(c, y, WCP_NONE); /* replayed; this frame then sees it DONE */
}

static void start_clock(compiler *c, uint32_t child, uint32_t from, int64_t gap)
{
    emit(c, child, WCP_I_START_CLOCK, from, gap, c->t->last[from]);
    c->st[child] |= HAS_START;
}

/* A child's start from its parent x's clock (§3), or, for an op of a thread
 * other than its parent's that follows another one of that thread and
 * parent (§6, dumps with holds and threads), when that one finished plus the
 * recorded gap: the thread could not begin it before. */
static void spawn_start(compiler *c, uint32_t child, uint32_t x)
{
    uint32_t q = c->tprev ? c->tprev[child] : WCP_NONE;
    if (q != WCP_NONE && (c->st[q] & DONE))
        start_clock(c, child, q, c->g->start[child] - c->g->end[q]);
    else
        start_clock(c, child, x, 0);
}

static int by_thread_parent_start(const void *a, const void *b, void *ctx)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const wcp_graph *g = ctx;
    if (g->thread[x] != g->thread[y])
        return g->thread[x] < g->thread[y] ? -1 : 1;
    if (g->parent[x] != g->parent[y])
        return g->parent[x] < g->parent[y] ? -1 : 1;
    if (g->start[x] != g->start[y])
        return g->start[x] < g->start[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* c->tprev: per op with a thread and a parent recorded on another thread,
 * the previous such op of the same thread and parent, when it ended by this
 * one's start. 0, or -1 when out of memory. */
static int thread_order(compiler *c)
{
    const wcp_graph *g = c->g;
    size_t n1 = g->n_ops ? g->n_ops : 1, m = 0;
    if (c->sc && c->sc->order_of == g) { /* the scratch's last compile's: the same graph */
        c->tprev = c->sc->b[B_TPREV].p;
        return 0;
    }
    if (c->sc)
        c->sc->order_of = NULL;
    uint32_t *v = buf_get(c, B_ORDER, n1 * sizeof *v, -1);
    c->tprev = buf_get(c, B_TPREV, n1 * sizeof *c->tprev, 0xff);
    if (!v || !c->tprev) {
        buf_drop(c, v);
        return -1;
    }
    for (uint32_t i = 0; i < g->n_ops; i++) {
        int32_t p = g->parent[i];
        if (g->thread[i] != 0 && p >= 0 && g->thread[p] != g->thread[i])
            v[m++] = i;
    }
    qsort_r(v, m, sizeof *v, by_thread_parent_start, (void *)g);
    for (size_t k = 1; k < m; k++) {
        uint32_t a = v[k - 1], b = v[k];
        if (g->thread[a] == g->thread[b] && g->parent[a] == g->parent[b] &&
            g->end[a] <= g->start[b])
            c->tprev[b] = a;
    }
    buf_drop(c, v);
    if (c->sc)
        c->sc->order_of = g;
    return 0;
}

/* §3's chain of roots: root r's start from J, the root reaching furthest
 * before it (recorded end orig_end): a sequential root keeps its gap after
 * J's finish, an overlapping one its offset from J's start. */
static void start_root(compiler *c, uint32_t r, uint32_t J, int64_t orig_end)
{
    const wcp_graph *g = c->g;
    if (g->start[r] >= orig_end)
        start_clock(c, r, J, g->start[r] - orig_end);
    else {
        emit(c, r, WCP_I_START_FROM, J, g->start[r] - g->start[J], c->t->first[J]);
        c->st[r] |= HAS_START;
    }
}

/* Replays until the stack is empty. */
static void run(compiler *c)
{
    while (c->n_fr && !c->oom) {
        if ((++c->steps & 4095) == 0 && (c->owner ? wcp_stop_poll(c->stop) : wcp_stopped(c->stop)))
            c->oom = c->stopped = true;
        frame *f = &c->fr[c->n_fr - 1];
        if (f->kind == F_RESOLVE) {
            resolve(c);
            continue;
        }
        if (f->kind == F_SPAWN) {
            spawn(c);
            continue;
        }
        uint32_t x = f->op;
        if (f->pos == f->end) {
            c->st[x] = (uint8_t)((c->st[x] & ~ACTIVE) | DONE);
            c->t->finished[x] = 1;
            if (!c->resume)
                c->n_acts = f->base;
            c->n_fr--;
            continue;
        }
        if (f->into != WCP_NONE && (c->st[f->into] & HAS_START)) { /* suspended */
            c->act_pos[x] = (uint32_t)f->pos;
            c->st[x] &= (uint8_t)~ACTIVE;
            c->n_fr--;
            continue;
        }
        act a = c->acts[f->pos++];
        switch (a.kind) {
        case A_SELF: emit(c, x, WCP_I_SELF, c->t->cls[x], a.len, WCP_NONE); break;
        case A_DELAY: emit(c, x, WCP_I_DELAY, a.idx, a.len, WCP_NONE); break;
        case A_SPAWN:
            if (!(c->st[a.idx] & HAS_START))
                spawn_start(c, a.idx, x);
            break;
        case A_JOIN:
            if (!(c->st[a.idx] & HAS_START))
                start_clock(c, a.idx, x, 0); /* §3: a child not yet started gets the clock */
            push_resolve(c, a.idx, x);
            break;
        case A_AWAIT: push_resolve(c, a.idx, x); break;
        }
    }
}

int wcp_tape_compile(wcp_tape *t, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                     char *err, size_t errlen)
{
    return wcp_tape_compile_on(t, g, cls, stop, true, err, errlen);
}

/* Sets up c to compile t from g (wcp_tape_compile_on's arguments); with
 * resume, an op's replay can stop and go on later (§6 rule 7). -1 with a
 * message when g is too large (t then needs no free); else 0, with c->oom
 * set when out of memory (compile_end reports it). */
static int compile_begin(compiler *c, wcp_tape *t, const wcp_graph *g, const uint32_t *cls,
                         wcp_scratch *sc, wcp_stop *stop, bool owner, bool resume, char *err,
                         size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->g = g;
    t->cls = cls;
    t->first_root = WCP_NONE;
    if (g->n_ops >= (1u << WCP_TAPE_OP_BITS))
        return wcp_errf(err, errlen, "replay: run %lld has %u ops; the replay handles at most %u",
                        (long long)g->run_id, g->n_ops, (1u << WCP_TAPE_OP_BITS) - 1);
    size_t n1 = g->n_ops ? g->n_ops : 1;
    *c = (compiler){.t = t, .g = g, .stop = stop, .owner = owner, .resume = resume, .sc = sc};
    c->acts = buf_take(c, B_ACTS, &c->cap_acts, sizeof *c->acts);
    c->fr = buf_take(c, B_FR, &c->cap_fr, sizeof *c->fr);
    c->spans = buf_take(c, B_SPANS, &c->cap_spans, sizeof *c->spans);
    c->joins = buf_take(c, B_JOINS, &c->cap_joins, sizeof *c->joins);
    /* the tape's three arrays go back to the scratch with one room (tape_end) */
    size_t cap_src, cap_prev;
    t->ins = buf_take(c, B_INS, &c->cap_ins, sizeof *t->ins);
    t->src = buf_take(c, B_SRC, &cap_src, sizeof *t->src);
    t->prev = buf_take(c, B_PREV, &cap_prev, sizeof *t->prev);
    if (cap_src < c->cap_ins || cap_prev < c->cap_ins) /* (never: given back together) */
        c->cap_ins = cap_src < cap_prev ? cap_src : cap_prev;
    c->st = buf_get(c, B_ST, n1, 0);
    if (c->resume) {
        c->act_lo = buf_get(c, B_ACT_LO, n1 * sizeof *c->act_lo, 0xff);
        c->act_hi = buf_get(c, B_ACT_HI, n1 * sizeof *c->act_hi, -1);
        c->act_pos = buf_get(c, B_ACT_POS, n1 * sizeof *c->act_pos, -1);
        if (!c->act_lo || !c->act_hi || !c->act_pos) {
            c->oom = true;
            return 0;
        }
        if (g->has_threads && thread_order(c) < 0) {
            c->oom = true;
            return 0;
        }
    }
    t->first = buf_get(c, B_FIRST, n1 * sizeof *t->first, 0xff);
    t->last = buf_get(c, B_LAST, n1 * sizeof *t->last, 0xff);
    t->finished = buf_get(c, B_FINISHED, n1, 0);
    if (!c->st || !t->first || !t->last || !t->finished)
        c->oom = true;
    return 0;
}

/* The tape's memory at the end of a compile: with a scratch, the tape
 * keeps pointing at it (valid until the scratch's next compile); freed
 * otherwise when drop. */
static void tape_end(compiler *c, bool drop)
{
    wcp_tape *t = c->t;
    if (c->sc) {
        size_t n = c->cap_ins;
        buf_give(c, B_INS, t->ins, n * sizeof *t->ins);
        buf_give(c, B_SRC, t->src, n * sizeof *t->src);
        buf_give(c, B_PREV, t->prev, n * sizeof *t->prev);
        if (drop)
            memset(t, 0, sizeof *t);
    } else if (drop)
        wcp_tape_free(t);
}

/* Frees c's state and finishes its tape (the unfinished ops, the start
 * slots): 0, or -1 (WCP_INTERRUPTED when stopped) with a message, the tape
 * then freed. */
static int compile_end(compiler *c, char *err, size_t errlen)
{
    wcp_tape *t = c->t;
    const wcp_graph *g = c->g;
    size_t n1 = g->n_ops ? g->n_ops : 1;
    buf_drop(c, c->st);
    buf_give(c, B_ACTS, c->acts, c->cap_acts * sizeof *c->acts);
    buf_give(c, B_FR, c->fr, c->cap_fr * sizeof *c->fr);
    buf_give(c, B_SPANS, c->spans, c->cap_spans * sizeof *c->spans);
    buf_give(c, B_JOINS, c->joins, c->cap_joins * sizeof *c->joins);
    buf_drop(c, c->act_lo);
    buf_drop(c, c->act_hi);
    buf_drop(c, c->act_pos);
    buf_drop(c, c->tprev);
    if (c->oom) {
        tape_end(c, true);
        if (c->stopped)
            return wcp_errf(err, errlen, "interrupted"), WCP_INTERRUPTED;
        return c->too_big
                   ? wcp_errf(err, errlen, "replay: run %lld needs more than 2^32 replay steps",
                              (long long)g->run_id)
                   : wcp_errf(err, errlen, "replay: out of memory for run %lld",
                              (long long)g->run_id);
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        t->unfinished += !t->finished[i];
    /* the ops whose start is read, each with a slot */
    t->start_slot = buf_get(c, B_START_SLOT, n1 * sizeof *t->start_slot, 0xff);
    if (!t->start_slot) {
        tape_end(c, true);
        return wcp_errf(err, errlen, "replay: out of memory for run %lld", (long long)g->run_id);
    }
    if (t->first_root != WCP_NONE)
        t->start_slot[t->first_root] = t->n_start_slots++;
    for (size_t k = 0; k < t->n; k++) {
        unsigned kind = wcp_ins_kind(&t->ins[k]);
        uint32_t a = t->ins[k].arg;
        if ((kind == WCP_I_START_FROM || kind == WCP_I_MAX_CYCLE) && t->start_slot[a] == WCP_NONE)
            t->start_slot[a] = t->n_start_slots++;
    }
    tape_end(c, false);
    return 0;
}

int wcp_tape_compile_on(wcp_tape *t, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                        bool owner, char *err, size_t errlen)
{
    compiler c;
    if (compile_begin(&c, t, g, cls, NULL, stop, owner, g->n_holds > 0, err, errlen) < 0)
        return -1;
    if (c.oom || g->n_roots == 0)
        return compile_end(&c, err, errlen);

    /* the chain of roots (§3) */
    uint32_t r0 = g->root[0], J = r0;
    t->first_root = r0;
    emit(&c, r0, WCP_I_START_ABS, 0, g->start[r0], WCP_NONE);
    c.st[r0] |= HAS_START;
    push_frame(&c, r0, WCP_NONE);
    run(&c);
    int64_t orig_end = g->end[r0];
    for (uint32_t k = 1; k < g->n_roots && !c.oom; k++) {
        uint32_t r = g->root[k];
        if (!(c.st[r] & HAS_START))
            start_root(&c, r, J, orig_end);
        if (!(c.st[r] & DONE)) {
            push_frame(&c, r, WCP_NONE);
            run(&c);
        }
        if (g->end[r] >= orig_end) {
            J = r;
            orig_end = g->end[r];
        }
    }
    return compile_end(&c, err, errlen);
}

/* ---- §6 rule 8: the discrete-event replay (locks first come, first served)
 *
 * The same actions as the depth-first replay, run in order of the replay's
 * own clocks: every op ready to run waits in a heap by its clock, and the
 * op with the earliest clock runs its actions until its clock passes
 * another's, it waits for an op not finished yet, or it ends. So a lock's
 * holds arrive (their holder asks for the lock: the hold's simulated start,
 * the lock wait that led to it left out) in simulated time, and each is
 * let in after the holds that arrived before it: an exclusive hold after
 * the previous exclusive one and every shared one since, a shared hold
 * after the previous exclusive one. A task of a worker pool (an op of a
 * queue: the ops recorded on threads other than their parent's, that a
 * thread ran one after another, all of one class, grouped by parent and
 * class) is taken, in recorded order, by the first worker that finishes
 * one of them. Each
 * decision reads the clocks, so the tape is this replay's only: a what-if
 * compiles its own (wcp_tape_compile_fifo). */

typedef struct fifo {
    uint32_t *heap; /* ops ready to run, by (prio, op) */
    size_t n_heap, cap_heap;
    int64_t *prio;                  /* per op: its clock when it became ready */
    uint32_t *on, *w_head, *w_next; /* per op: the op it waits for, its waiters (a list) */
    uint32_t *lock;   /* per op: the lock it holds (an index of g's holds), WCP_NONE */
    uint8_t *shared;  /* per op: a shared hold */
    uint8_t *arrived; /* per hold: its wait list made */
    uint8_t *on_list; /* per hold: blocked on its wait list (its lock was busy) */
    uint32_t *lw;     /* per hold: the lock wait that led to it (an index of g's waits), WCP_NONE */
    int64_t *handoff; /* per hold: from the release its lock wait resolved to, to its start */
    uint32_t *excl;   /* per lock: the exclusive hold that arrived last, WCP_NONE */
    uint32_t *readers; /* per lock: the shared holds arrived since (a list through rnext) */
    uint32_t *rnext;
    uint32_t *wl_off, *wl_n, *wl_i; /* per hold: wl[wl_off .. + wl_n), the next one wl_i */
    uint32_t *wl;
    size_t n_wl, cap_wl;
    uint32_t *tsucc;                 /* per op: the op its thread ran next (tprev's inverse) */
    uint32_t *queue;                 /* per op: its queue, WCP_NONE */
    uint32_t *q_ops, *q_off, *q_cur; /* queue q: q_ops[q_off[q] .. q_off[q + 1]), next q_cur[q] */
} fifo;

static bool fifo_less(const fifo *f, uint32_t a, uint32_t b)
{
    return f->prio[a] != f->prio[b] ? f->prio[a] < f->prio[b] : a < b;
}

/* Op x is ready to run at its clock. */
static void fifo_ready(compiler *c, fifo *f, uint32_t x)
{
    if (!wcp_grow((void **)&f->heap, &f->cap_heap, f->n_heap + 1, sizeof *f->heap)) {
        c->oom = true;
        return;
    }
    f->prio[x] = c->dreg[x];
    size_t i = f->n_heap++;
    for (; i && fifo_less(f, x, f->heap[(i - 1) / 2]); i = (i - 1) / 2)
        f->heap[i] = f->heap[(i - 1) / 2];
    f->heap[i] = x;
}

static uint32_t fifo_pop(fifo *f)
{
    uint32_t top = f->heap[0], x = f->heap[--f->n_heap];
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, m = l;
        if (l >= f->n_heap)
            break;
        if (l + 1 < f->n_heap && fifo_less(f, f->heap[l + 1], f->heap[l]))
            m = l + 1;
        if (!fifo_less(f, f->heap[m], x))
            break;
        f->heap[i] = f->heap[m];
        i = m;
    }
    f->heap[i] = x;
    return top;
}

/* Op x waits until y finishes. */
static void fifo_block(fifo *f, uint32_t x, uint32_t y)
{
    f->on[x] = y;
    f->w_next[x] = f->w_head[y];
    f->w_head[y] = x;
}

/* x's replay reached child y without a start: y starts at x's clock (or
 * after its thread's previous op), unless a worker takes it from its queue
 * or its thread is still busy with the previous op (started when done). */
static void fifo_spawn(compiler *c, fifo *f, uint32_t y, uint32_t x)
{
    uint32_t q = c->tprev ? c->tprev[y] : WCP_NONE;
    if (q != WCP_NONE && (f->queue[y] != WCP_NONE || !(c->st[q] & DONE)))
        return;
    spawn_start(c, y, x);
    fifo_ready(c, f, y);
}

/* Hold x arrives: the holds of its lock it must wait for. */
static void fifo_arrive(compiler *c, fifo *f, uint32_t x)
{
    uint32_t r = f->lock[x];
    size_t need = f->n_wl + 1;
    for (uint32_t q = f->readers[r]; !f->shared[x] && q != WCP_NONE; q = f->rnext[q])
        need++;
    if (!wcp_grow((void **)&f->wl, &f->cap_wl, need, sizeof *f->wl)) {
        c->oom = true;
        return;
    }
    f->arrived[x] = 1;
    f->wl_off[x] = (uint32_t)f->n_wl;
    f->wl_n[x] = f->wl_i[x] = 0;
    if (f->excl[r] != WCP_NONE)
        f->wl[f->n_wl + f->wl_n[x]++] = f->excl[r];
    if (f->shared[x]) {
        f->rnext[x] = f->readers[r];
        f->readers[r] = x;
    } else {
        for (uint32_t q = f->readers[r]; q != WCP_NONE; q = f->rnext[q])
            f->wl[f->n_wl + f->wl_n[x]++] = q;
        f->readers[r] = WCP_NONE;
        f->excl[r] = x;
    }
    f->n_wl += f->wl_n[x];
}

/* Op x finished: its waiters go on, and its worker takes its next task. */
static void fifo_done(compiler *c, fifo *f, uint32_t x)
{
    c->st[x] |= DONE;
    c->t->finished[x] = 1;
    for (uint32_t w = f->w_head[x], nx; w != WCP_NONE; w = nx) {
        nx = f->w_next[w];
        f->on[w] = WCP_NONE;
        fifo_ready(c, f, w);
    }
    f->w_head[x] = WCP_NONE;
    uint32_t y = f->tsucc[x], k = f->queue[x];
    if (k != WCP_NONE) { /* the queue's next task, after the gap the thread left */
        while (f->q_cur[k] < f->q_off[k + 1] && (c->st[f->q_ops[f->q_cur[k]]] & HAS_START))
            f->q_cur[k]++;
        if (f->q_cur[k] < f->q_off[k + 1]) {
            uint32_t z = f->q_ops[f->q_cur[k]++];
            start_clock(c, z, x, y != WCP_NONE ? c->g->start[y] - c->g->end[x] : 0);
            fifo_ready(c, f, z);
            return;
        }
    }
    if (y != WCP_NONE && !(c->st[y] & HAS_START)) {
        start_clock(c, y, x, c->g->start[y] - c->g->end[x]);
        fifo_ready(c, f, y);
    }
}

/* Runs op x until it finishes, waits, or another op's clock is earlier. */
static void fifo_run(compiler *c, fifo *f, uint32_t x)
{
    if (c->act_lo[x] == WCP_NONE && !gen_acts(c, x))
        return;
    if (f->lock[x] != WCP_NONE) {
        if (!f->arrived[x])
            fifo_arrive(c, f, x);
        for (; f->wl_i[x] < f->wl_n[x] && !c->oom; f->wl_i[x]++) {
            uint32_t p = f->wl[f->wl_off[x] + f->wl_i[x]];
            if (!(c->st[p] & DONE)) {
                f->on_list[x] = 1;
                fifo_block(f, x, p);
                return;
            }
            emit(c, x, WCP_I_MAX, p, 0, c->t->last[p]);
        }
        if (f->on_list[x] && f->handoff[x] > 0) /* let in after a wait: its wake-up */
            emit(c, x, WCP_I_DELAY, f->lw[x], f->handoff[x], WCP_NONE);
        f->on_list[x] = 0;
    }
    uint32_t pos = c->act_pos[x], hi = c->act_hi[x];
    for (; !c->oom; pos++) {
        /* another op's clock is earlier: it goes first (also before this
         * op's end, which may start a worker's next task) */
        if (f->n_heap && c->dreg[x] > f->prio[f->heap[0]]) {
            c->act_pos[x] = pos;
            fifo_ready(c, f, x);
            return;
        }
        if (pos == hi)
            break;
        act a = c->acts[pos];
        switch (a.kind) {
        case A_SELF: emit(c, x, WCP_I_SELF, c->t->cls[x], a.len, WCP_NONE); break;
        case A_DELAY: emit(c, x, WCP_I_DELAY, a.idx, a.len, WCP_NONE); break;
        case A_SPAWN:
        case A_JOIN:
            if (!(c->st[a.idx] & HAS_START))
                fifo_spawn(c, f, a.idx, x);
            if (a.kind == A_SPAWN)
                break;
            /* fall through */
        case A_AWAIT:
            if (!(c->st[a.idx] & DONE)) {
                c->act_pos[x] = pos;
                fifo_block(f, x, a.idx);
                return;
            }
            emit(c, x, WCP_I_MAX, a.idx, 0, c->t->last[a.idx]);
            break;
        }
    }
    c->act_pos[x] = pos;
    if (!c->oom)
        fifo_done(c, f, x);
}

/* Nothing can run, yet ops wait: they wait on each other, or on ops no one
 * starts. As the depth-first replay does (§3), the waiter on the target of
 * earliest recorded start that has a start goes on past it at the target's
 * recorded duration (a broken cycle); else the earliest target is
 * anchored. false when no op waits. */
static bool fifo_unblock(compiler *c, fifo *f)
{
    const wcp_graph *g = c->g;
    uint32_t best = WCP_NONE, anchor = WCP_NONE;
    for (uint32_t x = 0; x < g->n_ops; x++) {
        uint32_t y = f->on[x];
        if (y == WCP_NONE)
            continue;
        if (c->st[y] & HAS_START) {
            uint32_t b = best == WCP_NONE ? WCP_NONE : f->on[best];
            if (b == WCP_NONE || g->start[y] < g->start[b] || (g->start[y] == g->start[b] && y < b))
                best = x;
        } else if (anchor == WCP_NONE || g->start[y] < g->start[anchor] ||
                   (g->start[y] == g->start[anchor] && y < anchor))
            anchor = y;
    }
    if (best != WCP_NONE) {
        uint32_t y = f->on[best], *p = &f->w_head[y];
        while (*p != best)
            p = &f->w_next[*p];
        *p = f->w_next[best];
        f->on[best] = WCP_NONE;
        c->t->cycles++;
        emit(c, best, WCP_I_MAX_CYCLE, y, g->end[y] - g->start[y], c->t->first[y]);
        if (f->on_list[best])
            f->wl_i[best]++;
        else
            c->act_pos[best]++;
        fifo_ready(c, f, best);
        return true;
    }
    if (anchor == WCP_NONE)
        return false;
    fallback(c, anchor);
    fifo_ready(c, f, anchor);
    return true;
}

static int by_parent_class_start(const void *a, const void *b, void *ctx)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const compiler *c = ctx;
    const wcp_graph *g = c->g;
    if (g->parent[x] != g->parent[y])
        return g->parent[x] < g->parent[y] ? -1 : 1;
    if (c->t->cls[x] != c->t->cls[y])
        return c->t->cls[x] < c->t->cls[y] ? -1 : 1;
    if (g->start[x] != g->start[y])
        return g->start[x] < g->start[y] ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* The locks rule 8 orders: f->lock and f->shared per hold of a resource
 * whose holds are all exclusive and never overlap as recorded (a mutex), or
 * exclusive and shared (a reader/writer lock); the number of such holds. */
static uint32_t fifo_locks(const wcp_graph *g, uint32_t *lock, uint8_t *shared)
{
    uint32_t n = 0;
    for (uint32_t a = 0, b; a < g->n_holds; a = b) {
        bool excl = true, other = false;
        for (b = a; b < g->n_holds && g->hold_res[b] == g->hold_res[a]; b++) {
            excl &= g->hold_mode[b] == WCP_HOLD_EXCLUSIVE;
            other |= g->hold_mode[b] == WCP_HOLD_OTHER;
        }
        bool rw = !excl && !other; /* exclusive and shared holds, nothing else */
        /* hold_op is by (resource, end): a mutex's holds each start at or
         * after the previous one's end */
        for (uint32_t k = a + 1; excl && k < b; k++)
            excl = g->start[g->hold_op[k]] >= g->end[g->hold_op[k - 1]];
        if (!excl && !rw)
            continue;
        for (uint32_t k = a; lock && k < b; k++) {
            lock[g->hold_op[k]] = a;
            shared[g->hold_op[k]] = g->hold_mode[k] == WCP_HOLD_SHARED_MODE;
        }
        n += b - a;
    }
    return n;
}

bool wcp_replay_fifo(const wcp_graph *g)
{
    return fifo_locks(g, NULL, NULL) > 0;
}

/* The waits the discrete-event replay leaves out (c->skip_wait): rule 3's
 * order waits of the holds it orders, and the lock wait that led to such a
 * hold (its holder's last wait that began by the hold's start, if resolved
 * to a hold of the same resource and ended at most 1 ms before it). */
static void fifo_skips(compiler *c, fifo *f)
{
    const wcp_graph *g = c->g;
    for (uint32_t x = 0; x < g->n_ops; x++) {
        if (f->lock[x] == WCP_NONE)
            continue;
        for (uint32_t k = g->wait_off[x]; k < g->wait_off[x + 1]; k++)
            if (g->waits[k].by == WCP_BY_HOLD_ORDER)
                c->skip_wait[k] = 1;
        int32_t p = g->parent[x];
        if (p < 0)
            continue;
        for (uint32_t k = g->wait_off[p + 1]; k-- > g->wait_off[p];) {
            const wcp_graph_wait *w = &g->waits[k];
            if (w->start > g->start[x])
                continue;
            if (w->by == WCP_BY_HOLD && w->ident == g->class_id[x] && w->end <= g->start[x] &&
                g->start[x] - w->end <= WCP_AWAIT_SLACK_NS) {
                c->skip_wait[k] = 1;
                int64_t h = g->start[x] - g->end[w->target]; /* the waiter's wake-up */
                f->lw[x] = k;
                f->handoff[x] = h < 0 ? 0 : h > WCP_AWAIT_SLACK_NS ? WCP_AWAIT_SLACK_NS : h;
            }
            break;
        }
    }
}

/* The queues: the ops of a thread's run of one parent's ops (a chain of
 * tprev, two ops or more) whose ops are all of one class, by (parent,
 * class), each in recorded order. A thread whose run mixes classes (a
 * task's steps as siblings, one after another) keeps its recorded order:
 * its next op belongs to the task it is doing, not to whichever worker is
 * free. */
static void fifo_queues(compiler *c, fifo *f)
{
    const wcp_graph *g = c->g;
    uint32_t m = 0, nq = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (c->tprev[i] != WCP_NONE || f->tsucc[i] == WCP_NONE)
            continue; /* not the head of a chain */
        bool one = true;
        for (uint32_t j = f->tsucc[i]; one && j != WCP_NONE; j = f->tsucc[j])
            one = c->t->cls[j] == c->t->cls[i];
        for (uint32_t j = i; one && j != WCP_NONE; j = f->tsucc[j])
            f->q_ops[m++] = j;
    }
    qsort_r(f->q_ops, m, sizeof *f->q_ops, by_parent_class_start, c);
    for (uint32_t a = 0, b; a < m; a = b) {
        uint32_t x = f->q_ops[a];
        for (b = a; b < m && g->parent[f->q_ops[b]] == g->parent[x] &&
                    c->t->cls[f->q_ops[b]] == c->t->cls[x];
             b++)
            f->queue[f->q_ops[b]] = nq;
        f->q_off[nq] = f->q_cur[nq] = a;
        nq++;
    }
    f->q_off[nq] = m;
}

int wcp_tape_compile_fifo(wcp_tape *t, const wcp_graph *g, const uint32_t *cls,
                          const double *factor, size_t hint, wcp_scratch *sc, wcp_stop *stop,
                          bool owner, char *err, size_t errlen)
{
    compiler c;
    if (compile_begin(&c, t, g, cls, sc, stop, owner, true, err, errlen) < 0)
        return -1;
    size_t n = hint + hint / 8 + 1024;
    if (hint && (c.cap_ins < n || c.cap_acts < n)) {
        /* room for the tape and the actions at once: no copy as they grow */
        free(t->ins);
        free(t->src);
        free(t->prev);
        free(c.acts);
        t->ins = malloc(n * sizeof *t->ins);
        t->src = malloc(n * sizeof *t->src);
        t->prev = malloc(n * sizeof *t->prev);
        c.acts = malloc(n * sizeof *c.acts);
        if (!t->ins || !t->src || !t->prev || !c.acts)
            c.oom = true;
        else { /* present in a system call each, not a fault a page (base/grow.h) */
            wcp_prefault(t->ins, 0, n * sizeof *t->ins);
            wcp_prefault(t->src, 0, n * sizeof *t->src);
            wcp_prefault(t->prev, 0, n * sizeof *t->prev);
            wcp_prefault(c.acts, 0, n * sizeof *c.acts);
        }
        c.cap_ins = c.cap_acts = n;
    }
    size_t n1 = g->n_ops ? g->n_ops : 1, nh = g->n_holds ? g->n_holds : 1;
    fifo f = {0};
    f.heap = buf_take(&c, B_HEAP, &f.cap_heap, sizeof *f.heap);
    f.wl = buf_take(&c, B_WL, &f.cap_wl, sizeof *f.wl);
    c.dfactor = factor;
    c.dreg = buf_get(&c, B_DREG, n1 * sizeof *c.dreg, 0);
    c.dstart = buf_get(&c, B_DSTART, n1 * sizeof *c.dstart, 0);
    c.skip_wait = buf_get(&c, B_SKIP_WAIT, g->n_waits ? g->n_waits : 1, 0);
    f.prio = buf_get(&c, B_PRIO, n1 * sizeof *f.prio, 0);
    f.on = buf_get(&c, B_ON, n1 * sizeof *f.on, 0xff);
    f.w_head = buf_get(&c, B_W_HEAD, n1 * sizeof *f.w_head, 0xff);
    f.w_next = buf_get(&c, B_W_NEXT, n1 * sizeof *f.w_next, -1);
    f.lock = buf_get(&c, B_LOCK, n1 * sizeof *f.lock, 0xff);
    f.shared = buf_get(&c, B_SHARED, n1, 0);
    f.arrived = buf_get(&c, B_ARRIVED, n1, 0);
    f.on_list = buf_get(&c, B_ON_LIST, n1, 0);
    f.lw = buf_get(&c, B_LW, n1 * sizeof *f.lw, 0xff);
    f.handoff = buf_get(&c, B_HANDOFF, n1 * sizeof *f.handoff, 0);
    f.excl = buf_get(&c, B_EXCL, nh * sizeof *f.excl, 0xff);
    f.readers = buf_get(&c, B_READERS, nh * sizeof *f.readers, 0xff);
    f.rnext = buf_get(&c, B_RNEXT, n1 * sizeof *f.rnext, -1);
    f.wl_off = buf_get(&c, B_WL_OFF, n1 * sizeof *f.wl_off, 0);
    f.wl_n = buf_get(&c, B_WL_N, n1 * sizeof *f.wl_n, 0);
    f.wl_i = buf_get(&c, B_WL_I, n1 * sizeof *f.wl_i, 0);
    f.tsucc = buf_get(&c, B_TSUCC, n1 * sizeof *f.tsucc, 0xff);
    f.queue = buf_get(&c, B_QUEUE, n1 * sizeof *f.queue, 0xff);
    f.q_ops = buf_get(&c, B_Q_OPS, n1 * sizeof *f.q_ops, -1);
    f.q_off = buf_get(&c, B_Q_OFF, (n1 + 1) * sizeof *f.q_off, -1);
    f.q_cur = buf_get(&c, B_Q_CUR, (n1 + 1) * sizeof *f.q_cur, -1);
    if (c.oom || !c.dreg || !c.dstart || !c.skip_wait || !f.prio || !f.on || !f.w_head ||
        !f.w_next || !f.lock || !f.shared || !f.arrived || !f.on_list || !f.lw || !f.handoff ||
        !f.excl || !f.readers || !f.rnext || !f.wl_off || !f.wl_n || !f.wl_i || !f.tsucc ||
        !f.queue || !f.q_ops || !f.q_off || !f.q_cur) {
        c.oom = true;
        goto done;
    }
    if (!c.tprev) { /* no threads: no thread order, no queues */
        if (sc)
            sc->order_of = NULL;
        if (!(c.tprev = buf_get(&c, B_TPREV, n1 * sizeof *c.tprev, 0xff))) {
            c.oom = true;
            goto done;
        }
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        if (c.tprev[i] != WCP_NONE)
            f.tsucc[c.tprev[i]] = i;
    fifo_locks(g, f.lock, f.shared);
    fifo_skips(&c, &f);
    fifo_queues(&c, &f);
    if (g->n_roots == 0)
        goto done;

    /* the chain of roots (§3): an overlapping root starts at its offset
     * from the one it follows, a sequential one once that one finished */
    uint32_t J = g->root[0], k = 1;
    int64_t orig_end = g->end[J];
    t->first_root = J;
    emit(&c, J, WCP_I_START_ABS, 0, g->start[J], WCP_NONE);
    c.st[J] |= HAS_START;
    fifo_ready(&c, &f, J);
    for (uint64_t work = 0, poll = 4096; !c.oom; work++) {
        if (work >= poll) { /* every 4096 steps, or ops scanned for a cycle */
            poll = work + 4096;
            if (c.owner ? wcp_stop_poll(c.stop) : wcp_stopped(c.stop)) {
                c.oom = c.stopped = true;
                break;
            }
        }
        for (; k < g->n_roots; k++) {
            uint32_t r = g->root[k];
            bool seq = g->start[r] >= orig_end;
            if (seq && !(c.st[J] & DONE))
                break;
            if (!(c.st[r] & HAS_START)) {
                start_root(&c, r, J, orig_end);
                fifo_ready(&c, &f, r);
            }
            if (g->end[r] >= orig_end) {
                J = r;
                orig_end = g->end[r];
            }
        }
        if (f.n_heap) {
            uint32_t x = fifo_pop(&f);
            if (!(c.st[x] & DONE) && f.on[x] == WCP_NONE)
                fifo_run(&c, &f, x);
        } else if (fifo_unblock(&c, &f))
            work += g->n_ops;
        else
            break; /* done (or a sequential root after one that cannot finish) */
    }
done:
    buf_give(&c, B_HEAP, f.heap, f.cap_heap * sizeof *f.heap);
    buf_give(&c, B_WL, f.wl, f.cap_wl * sizeof *f.wl);
    void *fixed[] = {c.dreg,    c.dstart, c.skip_wait, f.prio,    f.on,      f.w_head,
                     f.w_next,  f.lock,   f.shared,    f.arrived, f.on_list, f.lw,
                     f.handoff, f.excl,   f.readers,   f.rnext,   f.wl_off,  f.wl_n,
                     f.wl_i,    f.tsucc,  f.queue,     f.q_ops,   f.q_off,   f.q_cur};
    for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
        buf_drop(&c, fixed[k]);
    return compile_end(&c, err, errlen);
}

void wcp_tape_free(wcp_tape *t)
{
    free(t->ins);
    free(t->src);
    free(t->prev);
    free(t->first);
    free(t->last);
    free(t->finished);
    free(t->start_slot);
    memset(t, 0, sizeof *t);
}

/* ---- evaluating */

/* The replay's arithmetic saturates rather than wraps: times are within
 * ±2^61 and lengths within 2^62 (import/README.md), but a factor up to
 * WCP_FACTOR_MAX, or many long ops one after another, can take a clock past
 * 2^63. A clock that reached INT64_MAX stays there, so a slow-down never
 * comes out shorter than the baseline (never a saving): base/sat.h. */

int64_t wcp_tape_eval(const wcp_tape *t, const double *factor, int64_t *reg, int64_t *start,
                      int64_t *after)
{
    const wcp_ins *ins = t->ins;
    for (size_t k = 0, n = t->n; k < n; k++) {
        step(&ins[k], factor, reg, start);
        if (after)
            after[k] = reg[wcp_ins_op(&ins[k])];
    }
    const wcp_graph *g = t->g;
    if (g->n_roots == 0)
        return 0;
    int64_t fin = reg[g->root[0]];
    for (uint32_t k = 1; k < g->n_roots; k++)
        if (reg[g->root[k]] > fin)
            fin = reg[g->root[k]];
    return wcp_sat_sub(fin, start[g->root[0]]);
}

bool wcp_tape_eval_lanes(const wcp_tape *t, const uint32_t *lane_cls, const double *lane_f,
                         int64_t (*reg)[WCP_LANES], int64_t (*start)[WCP_LANES], int64_t *makespan,
                         wcp_stop *stop, bool owner)
{
    const wcp_ins *ins = t->ins;
    const uint32_t *slot = t->start_slot;
    /* in runs of WCP_EVAL_POLL instructions, the stop looked at between
     * them (before instruction WCP_EVAL_POLL - 1, 2 WCP_EVAL_POLL - 1, ...),
     * so that the loop over the instructions tests nothing more */
    const size_t n = t->n;
    size_t k = 0;
    for (size_t end = WCP_EVAL_POLL - 1;; end += WCP_EVAL_POLL) {
        if (end > n)
            end = n;
        for (; k < end; k++) {
            uint32_t op = wcp_ins_op(&ins[k]), arg = ins[k].arg;
            int64_t v = ins[k].val, *r = reg[op];
            unsigned kind = wcp_ins_kind(&ins[k]);
            switch (kind) {
            case WCP_I_START_ABS:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = v;
                break;
            case WCP_I_START_CLOCK:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = wcp_sat_add(reg[arg][j], v);
                break;
            case WCP_I_START_FROM:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = wcp_sat_add(start[slot[arg]][j], v);
                break;
            case WCP_I_SELF:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = wcp_sat_add(r[j], lane_cls[j] == arg ? scaled(v, lane_f[j]) : v);
                break;
            case WCP_I_DELAY:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = wcp_sat_add(r[j], v);
                break;
            case WCP_I_MAX:
                for (int j = 0; j < WCP_LANES; j++)
                    r[j] = reg[arg][j] > r[j] ? reg[arg][j] : r[j];
                break;
            case WCP_I_MAX_CYCLE:
                for (int j = 0; j < WCP_LANES; j++) {
                    int64_t e = wcp_sat_add(start[slot[arg]][j], v);
                    r[j] = e > r[j] ? e : r[j];
                }
                break;
            }
            if (kind <= WCP_I_START_FROM && slot[op] != WCP_NONE)
                memcpy(start[slot[op]], r, sizeof reg[op]);
        }
        if (k == n)
            break;
        if (stop && (owner ? wcp_stop_poll(stop) : wcp_stopped(stop)))
            return false;
    }
    const wcp_graph *g = t->g;
    for (int j = 0; j < WCP_LANES; j++) {
        int64_t fin = 0;
        for (uint32_t k = 0; k < g->n_roots; k++)
            if (k == 0 || reg[g->root[k]][j] > fin)
                fin = reg[g->root[k]][j];
        makespan[j] = g->n_roots ? wcp_sat_sub(fin, start[slot[g->root[0]]][j]) : 0;
    }
    return true;
}

int64_t wcp_tape_actual(const wcp_tape *t)
{
    const wcp_graph *g = t->g;
    if (g->n_roots == 0)
        return 0;
    int64_t e = g->end[g->root[0]];
    for (uint32_t k = 1; k < g->n_roots; k++)
        if (g->end[g->root[k]] > e)
            e = g->end[g->root[k]];
    return e - g->start[g->root[0]];
}

/* ---- the critical path (§4) */

const char *const wcp_seg_what_name[] = {"self", "wait", "gap", "offset", "cycle"};

/* The walk back of §4 from instruction pos, keeping what lies after floor
 * (segments clipped to it) */
static int walk_back(const wcp_tape *t, const int64_t *start, const int64_t *after, uint32_t pos,
                     int64_t floor, wcp_seg **segs, size_t *n)
{
    size_t cap = 0, m = 0;
    wcp_seg *s = NULL;
    *segs = NULL;
    *n = 0;
    /* Each step back covers the time just before the last one, so the
     * segments tile [first root's start, makespan end]; at most one step per
     * instruction. */
    for (size_t guard = 0; pos != WCP_NONE && guard <= t->n; guard++) {
        const wcp_ins *in = &t->ins[pos];
        uint32_t op = wcp_ins_op(in);
        unsigned kind = wcp_ins_kind(in);
        int64_t now = after[pos];
        int64_t before = t->prev[pos] != WCP_NONE ? after[t->prev[pos]] : 0;
        wcp_seg seg = {0, now, op, WCP_NONE, 0};
        bool add = false;
        uint32_t next = t->prev[pos];
        switch (kind) {
        case WCP_I_START_ABS: next = WCP_NONE; break;
        case WCP_I_START_CLOCK:
            if (in->val != 0) {
                seg.what = WCP_SEG_GAP;
                seg.start = wcp_sat_sub(now, in->val);
                add = true;
            }
            next = t->src[pos];
            break;
        case WCP_I_START_FROM:
            if (in->val != 0) {
                seg.what = WCP_SEG_OFFSET;
                seg.start = start[in->arg];
                add = true;
            }
            next = t->src[pos];
            break;
        case WCP_I_SELF:
        case WCP_I_DELAY:
            if (now > before) {
                seg.what = kind == WCP_I_SELF ? WCP_SEG_SELF : WCP_SEG_WAIT;
                seg.wait = kind == WCP_I_DELAY ? in->arg : WCP_NONE;
                seg.start = before;
                add = true;
            }
            break;
        case WCP_I_MAX:
            if (now > before)
                next = t->src[pos]; /* the joined or awaited op set the clock: into it */
            break;
        case WCP_I_MAX_CYCLE:
            if (now > before) {
                seg.what = WCP_SEG_CYCLE;
                seg.op = in->arg;
                seg.start = start[in->arg];
                add = true;
                next = t->src[pos];
            }
            break;
        }
        if (add && seg.end > floor) {
            if (seg.start < floor)
                seg.start = floor;
            if (!wcp_grow((void **)&s, &cap, m + 1, sizeof *s)) {
                free(s);
                return -1;
            }
            s[m++] = seg;
        }
        if (now <= floor)
            break;
        pos = next;
    }
    for (size_t a = 0, b = m ? m - 1 : 0; a < b; a++, b--) {
        wcp_seg x = s[a];
        s[a] = s[b];
        s[b] = x;
    }
    *segs = s;
    *n = m;
    return 0;
}

int wcp_tape_critical_path(const wcp_tape *t, const int64_t *reg, const int64_t *start,
                           const int64_t *after, wcp_seg **segs, size_t *n)
{
    const wcp_graph *g = t->g;
    *segs = NULL;
    *n = 0;
    if (g->n_roots == 0)
        return 0;
    uint32_t r = g->root[0]; /* the root finishing last; ties: the first */
    for (uint32_t k = 1; k < g->n_roots; k++)
        if (reg[g->root[k]] > reg[r])
            r = g->root[k];
    return walk_back(t, start, after, t->last[r], INT64_MIN, segs, n);
}

int wcp_tape_path_of(const wcp_tape *t, const int64_t *start, const int64_t *after, uint32_t op,
                     wcp_seg **segs, size_t *n)
{
    *segs = NULL;
    *n = 0;
    if (t->last[op] == WCP_NONE || !t->finished[op])
        return 0;
    return walk_back(t, start, after, t->last[op], start[op], segs, n);
}
