/* folded.c - folded stacks ("root;child;leaf N"), the input of
 * flamegraph.pl and speedscope, by class path.
 *
 *   SELECT wcprof_export('folded', 'self.folded');                     -- weight=self
 *   SELECT wcprof_export('folded', 'crit.folded', 'weight=critical');
 *
 * A frame is a class key (kind:class); an op's stack is the class keys of
 * its ancestors (resolved parents, spec/analysis.md §1.5) from its root
 * down to its own. One line per distinct stack with a weight > 0, the
 * weights summed, in integer nanoseconds; lines in byte order of the stack.
 * A flame graph draws a frame as wide as its own weight plus its
 * descendants', so each op contributes only its exclusive share:
 *
 *   self      the op's self time (§2): the graph's total is the run's self time
 *   wall      the op's duration minus the union of its children's intervals
 *             (clipped to the op): the time no child ran, its waits included.
 *             A frame is then as wide as the op's duration when its children
 *             ran one after another, wider when they overlapped (overlapping
 *             children are counted side by side, as CPU time is across threads)
 *   critical  the baseline critical path (§4): each self segment at its op's
 *             stack, a fixed-delay wait as a frame "wait:RESOURCE" under the
 *             waiting op, a cycle as "cycle" under the cycled op, gaps and
 *             offsets between roots as root frames "gap" and "offset"; the
 *             total is the baseline makespan (a negative offset, which runs
 *             back in time, is subtracted from its line; a line left at 0 or
 *             less is left out)
 *
 * In a frame, ';' (the separator) becomes ',' and tabs, carriage returns
 * and newlines become spaces, so that every line parses. */
#define _GNU_SOURCE
#include "export.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

enum weight { W_SELF, W_WALL, W_CRITICAL };

/* A stack: a frame under a parent stack. */
typedef struct node {
    uint32_t parent; /* WCP_NONE at the root */
    uint32_t frame;  /* a class index, or n_cls + an extra frame's index */
    int64_t weight;
} node;

typedef struct folder {
    const wcp_model *m;
    node *nodes;
    uint32_t n_nodes;
    size_t cap_nodes;
    uint32_t *slot;    /* open addressing: node index + 1, 0 empty */
    uint32_t n_slots;  /* a power of two */
    uint32_t *op_node; /* per op: its stack, WCP_NONE until known */
    uint32_t *chain;   /* op_stack's scratch: the ops on the way up */
    size_t cap_chain;
    char **extra; /* frames that are not classes ("gap", "wait:lock:x") */
    uint32_t n_extra;
    size_t cap_extra;
    bool oom;
} folder;

static uint32_t hash(uint32_t parent, uint32_t frame)
{
    return (uint32_t)wcp_mix64((uint64_t)parent << 32 | frame);
}

static bool rehash(folder *f)
{
    uint32_t n = f->n_slots ? f->n_slots * 2 : 1024;
    uint32_t *s = calloc(n, sizeof *s);
    if (!s)
        return false;
    for (uint32_t k = 0; k < f->n_nodes; k++) {
        uint32_t h = hash(f->nodes[k].parent, f->nodes[k].frame) & (n - 1);
        while (s[h])
            h = (h + 1) & (n - 1);
        s[h] = k + 1;
    }
    free(f->slot);
    f->slot = s;
    f->n_slots = n;
    return true;
}

/* The stack "parent;frame", made when new; WCP_NONE when out of memory. */
static uint32_t child(folder *f, uint32_t parent, uint32_t frame)
{
    if (f->oom)
        return WCP_NONE;
    if ((uint64_t)(f->n_nodes + 1) * 2 > f->n_slots && !rehash(f)) {
        f->oom = true;
        return WCP_NONE;
    }
    uint32_t h = hash(parent, frame) & (f->n_slots - 1);
    for (; f->slot[h]; h = (h + 1) & (f->n_slots - 1)) {
        const node *x = &f->nodes[f->slot[h] - 1];
        if (x->parent == parent && x->frame == frame)
            return f->slot[h] - 1;
    }
    if (!wcp_grow((void **)&f->nodes, &f->cap_nodes, f->n_nodes + 1, sizeof *f->nodes)) {
        f->oom = true;
        return WCP_NONE;
    }
    f->nodes[f->n_nodes] = (node){parent, frame, 0};
    f->slot[h] = f->n_nodes + 1;
    return f->n_nodes++;
}

/* The frame named name (not a class), made when new. */
static uint32_t extra_frame(folder *f, const char *name)
{
    for (uint32_t k = 0; k < f->n_extra; k++)
        if (strcmp(f->extra[k], name) == 0)
            return f->m->classes.n + k;
    char *s = wcp_grow((void **)&f->extra, &f->cap_extra, f->n_extra + 1, sizeof *f->extra)
                  ? strdup(name)
                  : NULL;
    if (!s) {
        f->oom = true;
        return 0;
    }
    f->extra[f->n_extra] = s;
    return f->m->classes.n + f->n_extra++;
}

#define VISITING (WCP_NONE - 1) /* op_node while its chain is being walked */

/* Op i's stack: its ancestors' class keys, then its own. A parent chain
 * that loops (reaching no root) is cut where it comes back. */
static uint32_t op_stack(folder *f, uint32_t i)
{
    const wcp_graph *g = &f->m->g;
    size_t n = 0;
    int32_t x = (int32_t)i;
    while (x >= 0 && f->op_node[x] == WCP_NONE) { /* up to an op whose stack is known */
        if (!wcp_grow((void **)&f->chain, &f->cap_chain, n + 1, sizeof *f->chain)) {
            f->oom = true;
            break;
        }
        f->chain[n++] = (uint32_t)x;
        f->op_node[x] = VISITING;
        x = g->parent[x];
    }
    uint32_t base = x >= 0 && f->op_node[x] != VISITING ? f->op_node[x] : WCP_NONE;
    while (n--) { /* and down again */
        uint32_t op = f->chain[n];
        base = f->op_node[op] = child(f, base, f->m->classes.of_op[op]);
    }
    return f->op_node[i] == VISITING ? WCP_NONE : f->op_node[i];
}

static void add(folder *f, uint32_t stack, int64_t w)
{
    if (stack != WCP_NONE)
        f->nodes[stack].weight += w;
}

/* wall: the op's duration minus the union of its children's intervals
 * clipped to it (children are in start order). */
static int64_t exclusive_wall(const wcp_graph *g, uint32_t i)
{
    int64_t s = g->start[i], e = g->end[i], covered = 0, reach = s;
    for (uint32_t k = g->child_off[i]; k < g->child_off[i + 1]; k++) {
        uint32_t c = g->child[k];
        int64_t a = g->start[c] > reach ? g->start[c] : reach;
        int64_t b = g->end[c] < e ? g->end[c] : e;
        if (b > a) {
            covered += b - a;
            reach = b;
        }
    }
    return e - s - covered;
}

/* The critical path's segments at their stacks. */
static void fold_critical(folder *f, sqlite3 *db)
{
    const wcp_model *m = f->m;
    for (size_t k = 0; k < m->n_path && !f->oom; k++) {
        const wcp_seg *s = &m->path[k];
        int64_t len = s->end - s->start;
        switch (s->what) {
        case WCP_SEG_SELF: add(f, op_stack(f, s->op), len); break;
        case WCP_SEG_WAIT: {
            char *res = wcp_graph_wait_resource(db, &m->g.waits[s->wait]), *name = NULL;
            if (!res || asprintf(&name, "wait:%s", res) < 0) {
                free(res);
                f->oom = true;
                return;
            }
            free(res);
            uint32_t fr = extra_frame(f, name);
            free(name);
            add(f, child(f, op_stack(f, s->op), fr), len);
            break;
        }
        case WCP_SEG_CYCLE:
            add(f, child(f, op_stack(f, s->op), extra_frame(f, "cycle")), len);
            break;
        default: /* gap, offset: between roots */
            add(f, child(f, WCP_NONE, extra_frame(f, s->what == WCP_SEG_GAP ? "gap" : "offset")),
                len);
        }
    }
}

/* A line to write: its stack's text in the arena, and its weight. */
typedef struct line {
    size_t at;
    int64_t weight;
} line;

static int by_stack(const void *a, const void *b, void *arena)
{
    return strcmp((const char *)arena + ((const line *)a)->at,
                  (const char *)arena + ((const line *)b)->at);
}

/* Writes the lines with a weight > 0, in byte order of their stacks (each
 * stack's text made once, NUL-terminated, in one arena). */
static int write_lines(wcp_export *e, folder *f)
{
    const wcp_model *m = f->m;
    line *lines = malloc((f->n_nodes ? f->n_nodes : 1) * sizeof *lines);
    uint32_t *up = malloc((f->n_nodes ? f->n_nodes : 1) * sizeof *up);
    wcp_out arena = {0};
    size_t n = 0;
    int rc = -1;
    if (!lines || !up)
        goto done;
    for (uint32_t k = 0; k < f->n_nodes; k++) {
        if (f->nodes[k].weight <= 0)
            continue;
        uint32_t depth = 0;
        for (uint32_t x = k; x != WCP_NONE; x = f->nodes[x].parent)
            up[depth++] = x;
        lines[n++] = (line){arena.len, f->nodes[k].weight};
        while (depth--) {
            uint32_t fr = f->nodes[up[depth]].frame;
            /* ';' separates the frames: a name's own become ',' */
            wcp_out_field(&arena,
                          fr < m->classes.n ? m->classes.cls[fr].key : f->extra[fr - m->classes.n],
                          ';', ',');
            wcp_out_write(&arena, depth ? ";" : "", 1);
        }
    }
    if (arena.failed)
        goto done;
    qsort_r(lines, n, sizeof *lines, by_stack, arena.buf);
    for (size_t k = 0; k < n; k++)
        wcp_out_printf(e->out, "%s %lld\n", arena.buf + lines[k].at, (long long)lines[k].weight);
    rc = 0;
done:
    free(arena.buf);
    free(lines);
    free(up);
    return rc < 0 ? wcp_export_fail(e, "out of memory") : 0;
}

static int write_folded(wcp_export *e)
{
    const wcp_model *m = e->model;
    const wcp_graph *g = &m->g;
    bool oom;
    char *w = wcp_export_option(e, "weight", &oom);
    if (oom)
        return -1;
    enum weight how = W_SELF;
    if (w && strcmp(w, "wall") == 0)
        how = W_WALL;
    else if (w && strcmp(w, "critical") == 0)
        how = W_CRITICAL;
    else if (w && strcmp(w, "self") != 0) {
        wcp_export_fail(e, "weight must be self, wall or critical, not \"%s\"", w);
        free(w);
        return -1;
    }
    free(w);

    folder f = {.m = m};
    f.op_node = malloc((g->n_ops ? g->n_ops : 1) * sizeof *f.op_node);
    if (!f.op_node)
        return wcp_export_fail(e, "out of memory");
    memset(f.op_node, 0xff, (g->n_ops ? g->n_ops : 1) * sizeof *f.op_node);
    if (how == W_CRITICAL)
        fold_critical(&f, e->db);
    else
        for (uint32_t i = 0; i < g->n_ops && !f.oom; i++) {
            int64_t v = how == W_SELF ? g->self_ns[i] : exclusive_wall(g, i);
            if (v > 0)
                add(&f, op_stack(&f, i), v);
        }
    int rc = f.oom ? wcp_export_fail(e, "out of memory") : write_lines(e, &f);
    for (uint32_t k = 0; k < f.n_extra; k++)
        free(f.extra[k]);
    free(f.extra);
    free(f.nodes);
    free(f.slot);
    free(f.op_node);
    free(f.chain);
    return rc;
}

const wcp_exporter wcp_export_folded = {
    "folded",
    "stacks for flamegraph.pl, speedscope",
    "weight",
    "folded stacks by class path (flamegraph.pl, speedscope), in ns; weight: self (default), "
    "wall or critical",
    write_folded,
};
