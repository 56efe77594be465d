/* replay.c - the replay of spec/analysis.md §3 compiled to a tape, its
 * evaluation, and the critical path of §4. See replay.h and README.md
 * ("Where analysis.md leaves a choice"). */
#define _GNU_SOURCE
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
} compiler;

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
static void push_frame(compiler *c, uint32_t x, uint32_t until)
{
    const wcp_graph *g = c->g;
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
    uint32_t nw = g->wait_off[x + 1] - g->wait_off[x];
    uint32_t nc = g->child_off[x + 1] - g->child_off[x];
    if (!wcp_grow((void **)&c->spans, &c->cap_spans, nw + 1, sizeof *c->spans) ||
        !wcp_grow((void **)&c->joins, &c->cap_joins, nc + 1, sizeof *c->joins) ||
        !wcp_grow((void **)&c->fr, &c->cap_fr, c->n_fr + 1, sizeof *c->fr)) {
        c->oom = true;
        return;
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
    if (c->resume) {
        if (c->n_acts >= UINT32_MAX) {
            c->too_big = c->oom = true;
            return;
        }
        c->act_lo[x] = (uint32_t)base;
        c->act_hi[x] = (uint32_t)c->n_acts;
    }
    c->st[x] |= ACTIVE;
    c->resolving = 0;
    c->fr[c->n_fr++] = (frame){x, F_REPLAY, 0, c->resume ? until : WCP_NONE, base, c->n_acts, base};
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
    uint32_t *v = malloc(n1 * sizeof *v);
    c->tprev = malloc(n1 * sizeof *c->tprev);
    if (!v || !c->tprev) {
        free(v);
        return -1;
    }
    memset(c->tprev, 0xff, n1 * sizeof *c->tprev);
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
    free(v);
    return 0;
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

int wcp_tape_compile_on(wcp_tape *t, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                        bool owner, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    t->g = g;
    t->cls = cls;
    t->first_root = WCP_NONE;
    if (g->n_ops >= (1u << WCP_TAPE_OP_BITS))
        return wcp_errf(err, errlen, "replay: run %lld has %u ops; the replay handles at most %u",
                        (long long)g->run_id, g->n_ops, (1u << WCP_TAPE_OP_BITS) - 1);
    size_t n1 = g->n_ops ? g->n_ops : 1;
    compiler c = {.t = t, .g = g, .stop = stop, .owner = owner, .resume = g->n_holds > 0};
    c.st = calloc(n1, 1);
    if (c.resume) {
        c.act_lo = malloc(n1 * sizeof *c.act_lo);
        c.act_hi = malloc(n1 * sizeof *c.act_hi);
        c.act_pos = malloc(n1 * sizeof *c.act_pos);
        if (!c.act_lo || !c.act_hi || !c.act_pos) {
            c.oom = true;
            goto done;
        }
        memset(c.act_lo, 0xff, n1 * sizeof *c.act_lo);
        if (g->has_threads && thread_order(&c) < 0) {
            c.oom = true;
            goto done;
        }
    }
    t->first = malloc(n1 * sizeof *t->first);
    t->last = malloc(n1 * sizeof *t->last);
    t->finished = calloc(n1, 1);
    if (!c.st || !t->first || !t->last || !t->finished) {
        c.oom = true;
        goto done;
    }
    memset(t->first, 0xff, n1 * sizeof *t->first);
    memset(t->last, 0xff, n1 * sizeof *t->last);
    if (g->n_roots == 0)
        goto done;

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
        if (!(c.st[r] & HAS_START)) {
            if (g->start[r] >= orig_end)
                start_clock(&c, r, J, g->start[r] - orig_end); /* sequential: keeps the gap */
            else {                                             /* overlapping: offset from J */
                emit(&c, r, WCP_I_START_FROM, J, g->start[r] - g->start[J], t->first[J]);
                c.st[r] |= HAS_START;
            }
        }
        if (!(c.st[r] & DONE)) {
            push_frame(&c, r, WCP_NONE);
            run(&c);
        }
        if (g->end[r] >= orig_end) {
            J = r;
            orig_end = g->end[r];
        }
    }
done:
    free(c.st);
    free(c.acts);
    free(c.fr);
    free(c.spans);
    free(c.joins);
    free(c.act_lo);
    free(c.act_hi);
    free(c.act_pos);
    free(c.tprev);
    if (c.oom) {
        bool big = c.too_big;
        wcp_tape_free(t);
        if (c.stopped)
            return wcp_errf(err, errlen, "interrupted"), WCP_INTERRUPTED;
        return big ? wcp_errf(err, errlen, "replay: run %lld needs more than 2^32 replay steps",
                              (long long)g->run_id)
                   : wcp_errf(err, errlen, "replay: out of memory for run %lld",
                              (long long)g->run_id);
    }
    for (uint32_t i = 0; i < g->n_ops; i++)
        t->unfinished += !t->finished[i];
    /* the ops whose start is read, each with a slot */
    t->start_slot = malloc(n1 * sizeof *t->start_slot);
    if (!t->start_slot) {
        wcp_tape_free(t);
        return wcp_errf(err, errlen, "replay: out of memory for run %lld", (long long)g->run_id);
    }
    memset(t->start_slot, 0xff, n1 * sizeof *t->start_slot);
    if (t->first_root != WCP_NONE)
        t->start_slot[t->first_root] = t->n_start_slots++;
    for (size_t k = 0; k < t->n; k++) {
        unsigned kind = wcp_ins_kind(&t->ins[k]);
        uint32_t a = t->ins[k].arg;
        if ((kind == WCP_I_START_FROM || kind == WCP_I_MAX_CYCLE) && t->start_slot[a] == WCP_NONE)
            t->start_slot[a] = t->n_start_slots++;
    }
    return 0;
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

int64_t wcp_tape_eval(const wcp_tape *t, const double *factor, int64_t *reg, int64_t *start,
                      int64_t *after)
{
    const wcp_ins *ins = t->ins;
    for (size_t k = 0, n = t->n; k < n; k++) {
        uint32_t op = wcp_ins_op(&ins[k]), arg = ins[k].arg;
        int64_t v = ins[k].val;
        switch (wcp_ins_kind(&ins[k])) {
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
        if (after)
            after[k] = reg[op];
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
