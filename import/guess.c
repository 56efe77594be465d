/* guess.c - self time guessed while a dump streams in. See guess.h. */
#include "guess.h"

#include "graph.h"
#include "grow.h"

#include <stdlib.h>
#include <string.h>

typedef struct span_node {
    int64_t start, end;
    uint32_t next; /* next interval of the same owner, NONE at the end */
} span_node;

#define NONE UINT32_MAX

typedef struct exec_ent {
    uint32_t ident;  /* dump string index */
    int64_t id, dur; /* the longest exec op with that ident so far (ties: lowest id) */
} exec_ent;

struct wcp_guess {
    int64_t *owner;   /* open addressing by op id (0: empty slot; ids start at 1) */
    uint32_t *head;   /* first interval of the slot's owner */
    size_t cap, used; /* slots, owners */
    span_node *node;  /* the intervals; free ones chained from free_node */
    uint32_t n_node, free_node, max_spans, live; /* live: intervals kept */
    size_t cap_node;
    wcp_span *scratch; /* one owner's intervals, to sort */
    size_t cap_scratch;
    exec_ent *exec; /* exec ops by ident (open addressing, ident 0: empty) */
    size_t cap_exec, n_exec;
};

wcp_guess *wcp_guess_new(uint32_t max_spans)
{
    wcp_guess *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->free_node = NONE;
    g->max_spans = max_spans;
    return g;
}

void wcp_guess_free(wcp_guess *g)
{
    if (!g)
        return;
    free(g->owner);
    free(g->head);
    free(g->node);
    free(g->scratch);
    free(g->exec);
    free(g);
}

static size_t slot_of(int64_t id, size_t cap)
{
    return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 20) & (cap - 1);
}

/* The slot of id, or the empty slot where it would go. */
static size_t find(const wcp_guess *g, int64_t id)
{
    size_t h = slot_of(id, g->cap);
    while (g->owner[h] && g->owner[h] != id)
        h = (h + 1) & (g->cap - 1);
    return h;
}

static bool grow(wcp_guess *g)
{
    size_t cap = g->cap ? g->cap * 2 : 1024;
    int64_t *owner = calloc(cap, sizeof *owner);
    uint32_t *head = malloc(cap * sizeof *head);
    if (!owner || !head) {
        free(owner);
        free(head);
        return false;
    }
    for (size_t k = 0; k < g->cap; k++)
        if (g->owner[k]) {
            size_t h = slot_of(g->owner[k], cap);
            while (owner[h])
                h = (h + 1) & (cap - 1);
            owner[h] = g->owner[k];
            head[h] = g->head[k];
        }
    free(g->owner);
    free(g->head);
    g->owner = owner;
    g->head = head;
    g->cap = cap;
    return true;
}

/* Empties slot h, moving later entries of its probe run back (no tombstones). */
static void remove_slot(wcp_guess *g, size_t h)
{
    size_t mask = g->cap - 1, j = h;
    for (;;) {
        j = (j + 1) & mask;
        if (!g->owner[j])
            break;
        size_t home = slot_of(g->owner[j], g->cap);
        /* move j to h when its home is not in (h, j] (cyclically) */
        if ((j > h && (home <= h || home > j)) || (j < h && home <= h && home > j)) {
            g->owner[h] = g->owner[j];
            g->head[h] = g->head[j];
            h = j;
        }
    }
    g->owner[h] = 0;
    g->used--;
}

/* Forgets every interval kept: when max_spans are kept, most belong to ops
 * that will not come (of an earlier dump, open, unknown), and starting
 * again costs a few guesses. */
static void forget_all(wcp_guess *g)
{
    memset(g->owner, 0, g->cap * sizeof *g->owner);
    g->used = 0;
    g->n_node = g->live = 0;
    g->free_node = NONE;
}

static void add(wcp_guess *g, int64_t owner, int64_t start, int64_t end)
{
    if (owner == 0)
        return;
    if (g->live >= g->max_spans)
        forget_all(g);
    uint32_t k = g->free_node;
    if (k != NONE) {
        g->free_node = g->node[k].next;
    } else {
        if (!wcp_grow((void **)&g->node, &g->cap_node, (size_t)g->n_node + 1, sizeof *g->node))
            return;
        k = g->n_node++;
    }
    if ((g->used + 1) * 2 > g->cap && !grow(g)) {
        g->node[k].next = g->free_node;
        g->free_node = k;
        return;
    }
    size_t h = find(g, owner);
    if (!g->owner[h]) {
        g->owner[h] = owner;
        g->head[h] = NONE;
        g->used++;
    }
    g->node[k] = (span_node){start, end, g->head[h]};
    g->head[h] = k;
    g->live++;
}

static int by_start(const void *a, const void *b)
{
    const wcp_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* The self time of [start, end) given the intervals kept for id, which are
 * then forgotten. */
static int64_t take(wcp_guess *g, int64_t id, int64_t start, int64_t end)
{
    if (!g->used)
        return end - start;
    size_t h = find(g, id);
    if (!g->owner[h])
        return end - start;
    size_t n = 0;
    for (uint32_t k = g->head[h]; k != NONE;) {
        uint32_t next = g->node[k].next;
        wcp_grow((void **)&g->scratch, &g->cap_scratch, n + 1, sizeof *g->scratch);
        if (n < g->cap_scratch) /* else out of memory: a worse guess, no harm */
            g->scratch[n++] = (wcp_span){.start = g->node[k].start, .end = g->node[k].end};
        g->node[k].next = g->free_node;
        g->free_node = k;
        g->live--;
        k = next;
    }
    remove_slot(g, h);
    if (n > 1)
        qsort(g->scratch, n, sizeof *g->scratch, by_start);
    /* what the intervals cover of [start, end), as wcp_graph_self counts it */
    int64_t cur = start, covered = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t a = g->scratch[k].start > cur ? g->scratch[k].start : cur;
        int64_t b = g->scratch[k].end < end ? g->scratch[k].end : end;
        if (b > a) {
            covered += b - a;
            cur = b;
        }
    }
    return end - start - covered;
}

static exec_ent *exec_slot(wcp_guess *g, uint32_t ident)
{
    size_t h = (ident * 2654435761u) & (g->cap_exec - 1);
    while (g->exec[h].ident && g->exec[h].ident != ident)
        h = (h + 1) & (g->cap_exec - 1);
    return &g->exec[h];
}

/* §1.3: an exec op with an ident, a candidate target of waits on that ident */
static void add_exec(wcp_guess *g, const wcp_event *ev)
{
    if ((g->n_exec + 1) * 2 > g->cap_exec) {
        size_t cap = g->cap_exec ? g->cap_exec * 2 : 256;
        exec_ent *old = g->exec, *e = calloc(cap, sizeof *e);
        if (!e)
            return;
        size_t old_cap = g->cap_exec;
        g->exec = e;
        g->cap_exec = cap;
        for (size_t k = 0; k < old_cap; k++)
            if (old[k].ident)
                *exec_slot(g, old[k].ident) = old[k];
        free(old);
    }
    exec_ent *x = exec_slot(g, ev->i);
    int64_t dur = ev->d - ev->s;
    if (!x->ident) {
        *x = (exec_ent){ev->i, ev->id, dur};
        g->n_exec++;
    } else if (dur > x->dur || (dur == x->dur && ev->id < x->id)) {
        x->id = ev->id;
        x->dur = dur;
    }
}

void wcp_guess_seen(wcp_guess *g, const wcp_event *ev)
{
    if ((ev->type == WCP_EV_OP && ev->p != ev->id) || ev->type == WCP_EV_WAIT)
        add(g, ev->p, ev->s, ev->d);
    if (ev->type == WCP_EV_OP && ev->i != 0 && wcp_str_is(ev->k, "exec"))
        add_exec(g, ev);
}

int64_t wcp_guess_ready(wcp_guess *g, const wcp_event *ev)
{
    if (ev->type == WCP_EV_OP)
        return take(g, ev->id, ev->s, ev->d);
    if (ev->type == WCP_EV_WAIT && ev->t == 0 && ev->i != 0 && g->n_exec &&
        wcp_str_is(ev->rs, "exec")) {
        exec_ent *x = exec_slot(g, ev->i);
        return x->ident ? x->id : 0;
    }
    return ev->type == WCP_EV_WAIT ? ev->t : 0;
}
