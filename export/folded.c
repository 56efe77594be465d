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
 * max_depth=N (default 1000; 0: none) bounds a stack: the ops deeper than
 * N frames count in one frame "deeper" under the N-th, so a 1M-deep chain
 * writes N + 1 lines, not 1M lines of up to 1M frames. The lines are
 * written as they are made, from the tree of stacks (each sibling group
 * sorted once), never all held: time and memory are linear in the ops
 * and the output.
 *
 * In a frame, ';' (the separator) becomes ',' and every control character
 * (tabs and line breaks included) a space, so that every line parses and
 * flamegraph.pl's SVG stays valid XML. */
#define _GNU_SOURCE
#include "export.h"
#include "sat.h"
#include "hash.h"

#include <stdlib.h>
#include <string.h>

enum weight { W_SELF, W_WALL, W_CRITICAL };

/* A stack: a frame under a parent stack. */
typedef struct node {
    uint32_t parent; /* WCP_NONE at the root */
    uint32_t frame;  /* a class index, or n_cls + an extra frame's index */
    uint32_t depth;  /* its frames: 1 at the root */
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
    uint32_t max_depth; /* 0: none */
    uint32_t deeper;    /* the frame "deeper", WCP_NONE until made */
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
static uint32_t extra_frame(folder *f, const char *name);

static uint32_t child(folder *f, uint32_t parent, uint32_t frame)
{
    if (f->oom)
        return WCP_NONE;
    uint32_t depth = parent == WCP_NONE ? 1 : f->nodes[parent].depth + 1;
    if (f->max_depth && depth > f->max_depth) { /* below the cap: all in "deeper" */
        if (f->deeper == WCP_NONE)
            f->deeper = extra_frame(f, "deeper");
        if (f->nodes[parent].frame == f->deeper)
            return parent;
        frame = f->deeper;
    }
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
    f->nodes[f->n_nodes] = (node){parent, frame, depth, 0};
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
        wcp_sat_inc(&f->nodes[stack].weight, w);
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
        int64_t len = wcp_seg_len(s);
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

/* The tree of stacks, written depth first: each node's children as two
 * entries, its own line ("stack N", own) and the lines below it ("stack;...").
 * Sorting a sibling group's entries by frame text + "" (own) or + ";"
 * (below) gives the byte order of the lines: a frame that is a prefix of
 * its sibling's ("a" and "a.b") has its own line before the sibling's,
 * the lines below it after them when the sibling's next byte sorts before
 * ';'. */
typedef struct entry {
    uint32_t node;
    bool below;
} entry;

typedef struct sorter {
    const node *nodes;
    char **text; /* per frame: its escaped text */
} sorter;

/* Byte i of frame text t (length n) followed by ";" when below; -1 past the end. */
static int at(const char *t, size_t n, bool below, size_t i)
{
    return i < n ? (unsigned char)t[i] : i == n && below ? ';' : -1;
}

static int by_line(const void *pa, const void *pb, void *ctx)
{
    const sorter *so = ctx;
    const entry *a = pa, *b = pb;
    const char *x = so->text[so->nodes[a->node].frame], *y = so->text[so->nodes[b->node].frame];
    size_t nx = strlen(x), ny = strlen(y);
    for (size_t i = 0;; i++) {
        int cx = at(x, nx, a->below, i), cy = at(y, ny, b->below, i);
        if (cx != cy)
            return cx < cy ? -1 : 1;
        if (cx < 0)
            return 0;
    }
}

/* One level of the walk: a node's entries from next up to end, and the
 * length of the stack's text above them. */
typedef struct level {
    size_t next, end, path_len;
} level;

static int write_lines(wcp_export *e, folder *f)
{
    const wcp_model *m = f->m;
    uint32_t n_frames = m->classes.n + f->n_extra, n = f->n_nodes;
    char **text = calloc(n_frames ? n_frames : 1, sizeof *text);
    size_t *off = calloc((size_t)n + 2, sizeof *off); /* entries of node k (n: roots) */
    entry *ent = malloc(((size_t)n ? n : 1) * 2 * sizeof *ent);
    level *stack = NULL;
    size_t cap_stack = 0, depth = 0;
    wcp_out path = {0};
    int rc = -1;
    if (!text || !off || !ent)
        goto done;
    for (uint32_t k = 0; k < n_frames; k++) {
        wcp_out t = {0};
        wcp_out_field(&t, k < m->classes.n ? m->classes.cls[k].key : f->extra[k - m->classes.n],
                      ';', ',');
        if (t.failed)
            goto done;
        text[k] = t.buf ? t.buf : strdup("");
        if (!text[k])
            goto done;
    }
    for (uint32_t k = 0; k < n; k++) /* counts, then offsets, then the entries */
        off[(f->nodes[k].parent == WCP_NONE ? n : f->nodes[k].parent) + 1] += 2;
    for (uint32_t k = 0; k <= n; k++)
        off[k + 1] += off[k];
    size_t *fill = malloc(((size_t)n + 1) * sizeof *fill);
    if (!fill)
        goto done;
    memcpy(fill, off, ((size_t)n + 1) * sizeof *fill);
    for (uint32_t k = 0; k < n; k++) {
        size_t at = fill[f->nodes[k].parent == WCP_NONE ? n : f->nodes[k].parent];
        ent[at] = (entry){k, false};
        ent[at + 1] = (entry){k, true};
        fill[f->nodes[k].parent == WCP_NONE ? n : f->nodes[k].parent] += 2;
    }
    free(fill);
    sorter so = {f->nodes, text};
    for (uint32_t k = 0; k <= n; k++)
        if (off[k + 1] - off[k] > 2)
            qsort_r(ent + off[k], off[k + 1] - off[k], sizeof *ent, by_line, &so);
    if (!wcp_grow((void **)&stack, &cap_stack, 1, sizeof *stack))
        goto done;
    stack[depth++] = (level){off[n], off[n + 1], 0};
    while (depth && !e->out->failed) {
        level *l = &stack[depth - 1];
        if (l->next == l->end) {
            path.len = l->path_len;
            depth--;
            continue;
        }
        entry x = ent[l->next++];
        const node *nd = &f->nodes[x.node];
        if (!x.below) {
            if (nd->weight > 0) {
                wcp_out_write(e->out, path.buf, path.len);
                wcp_out_puts(e->out, text[nd->frame]);
                wcp_out_printf(e->out, " %lld\n", (long long)nd->weight);
            }
            continue;
        }
        if (off[x.node + 1] == off[x.node])
            continue;
        size_t before = path.len;
        wcp_out_puts(&path, text[nd->frame]);
        wcp_out_write(&path, ";", 1);
        if (path.failed || !wcp_grow((void **)&stack, &cap_stack, depth + 1, sizeof *stack))
            goto done;
        stack[depth++] = (level){off[x.node], off[x.node + 1], before};
    }
    rc = 0;
done:
    for (uint32_t k = 0; text && k < n_frames; k++)
        free(text[k]);
    free(text);
    free(off);
    free(ent);
    free(stack);
    free(path.buf);
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
    int64_t max_depth;
    char *v;
    int orc = wcp_export_int_option(e, "max_depth", 1000, 0, &max_depth, &v);
    if (orc != 0 || max_depth > UINT32_MAX - 2) {
        if (orc != -1)
            wcp_export_fail(
                e, "max_depth must be a number of frames, 0 (no limit) or more, not \"%s\"", v);
        free(v);
        return -1;
    }
    free(v);

    folder f = {.m = m, .max_depth = (uint32_t)max_depth, .deeper = WCP_NONE};
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
    "weight,max_depth",
    "folded stacks by class path (flamegraph.pl, speedscope), in ns; weight: self (default), "
    "wall or critical; max_depth: frames kept, deeper ones as \"deeper\" (default 1000, 0: all)",
    write_folded,
};
