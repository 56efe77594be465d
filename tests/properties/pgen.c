/* pgen.c - random op graphs for the property tests (see pgen.h). */
#include "pgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS 1000000LL

/* ---- PRNG */

uint64_t pg_next(pg_rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint64_t pg_below(pg_rng *r, uint64_t n)
{
    return n ? pg_next(r) % n : 0;
}

int64_t pg_range(pg_rng *r, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)pg_below(r, (uint64_t)(hi - lo) + 1);
}

bool pg_chance(pg_rng *r, unsigned pct)
{
    return pg_below(r, 100) < pct;
}

/* ---- the graph */

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fputs("pgen: out of memory\n", stderr);
        abort();
    }
    return p;
}

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) == (cap)) {                                                                        \
            (cap) = (cap) ? 2 * (cap) : 64;                                                        \
            (arr) = xrealloc((arr), (cap) * sizeof *(arr));                                        \
        }                                                                                          \
    } while (0)

void pg_init(pg_graph *g)
{
    memset(g, 0, sizeof *g);
    g->next_id = 1;
    pg_intern(g, "");
}

void pg_free(pg_graph *g)
{
    for (size_t i = 0; i < g->nstrings; i++)
        free(g->strings[i]);
    free(g->strings);
    free(g->ops);
    free(g->waits);
    free(g->links);
    memset(g, 0, sizeof *g);
}

uint32_t pg_intern(pg_graph *g, const char *s)
{
    for (size_t i = 0; i < g->nstrings; i++) /* tables stay small */
        if (strcmp(g->strings[i], s) == 0)
            return (uint32_t)i;
    GROW(g->strings, g->nstrings, g->capstrings);
    size_t n = strlen(s) + 1;
    g->strings[g->nstrings] = xrealloc(NULL, n);
    memcpy(g->strings[g->nstrings], s, n);
    return (uint32_t)g->nstrings++;
}

static uint32_t internf(pg_graph *g, const char *fmt, unsigned long long v)
{
    char buf[64];
    snprintf(buf, sizeof buf, fmt, v);
    return pg_intern(g, buf);
}

/* Adds an op and returns its index (pointers into g->ops do not survive). */
static size_t add_op(pg_graph *g, uint64_t parent, const char *kind, uint32_t cls, int64_t s,
                     int64_t d)
{
    GROW(g->ops, g->nops, g->capops);
    pg_op *o = &g->ops[g->nops];
    memset(o, 0, sizeof *o);
    o->id = g->next_id++;
    o->parent = parent;
    o->kind = kind;
    o->cls = cls;
    o->work = "engine";
    o->outcome = "ok";
    o->s = s;
    o->d = d;
    return g->nops++;
}

static void add_wait(pg_graph *g, uint64_t waiter, uint64_t target, const char *reason,
                     uint32_t ident, int64_t s, int64_t d)
{
    GROW(g->waits, g->nwaits, g->capwaits);
    g->waits[g->nwaits++] = (pg_wait){waiter, target, reason, ident, s, d};
}

static void add_link(pg_graph *g, uint64_t from, const char *kind, uint32_t ident, int64_t at)
{
    GROW(g->links, g->nlinks, g->caplinks);
    g->links[g->nlinks++] = (pg_link){from, 0, kind, ident, at};
}

/* The end the analyses see (§1.1-2). */
static int64_t op_end(const pg_graph *g, const pg_op *o)
{
    if (o->open)
        return g->now > o->s ? g->now : o->s;
    return o->d > o->s ? o->d : o->s;
}

/* ---- classes: a few per kind, so that classes repeat across ops */

static const char *const call_classes[] = {
    "Container.from",
    "Container.withExec",
    "File.contents",
    "Directory.entries",
    "Git.tree",
    "Host.directory",
    "Query.odd \"name\", a=b\\c",
};
static const char *const phase_classes[] = {"exec.runContainer", "exec.setupNetwork",
                                            "exec.snapshot"};
static const char *const other_kinds[] = {"io", "internal", "lazy", "service_start"};
static const char *const other_classes[] = {"io.read", "internal.gc", "lazy.eval", "svc.start"};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static uint32_t call_class(pg_graph *g, pg_rng *r, size_t n)
{
    return pg_intern(g, call_classes[pg_below(r, n)]);
}

/* ---- synchronous traces */

typedef struct sync_ctx {
    pg_graph *g;
    pg_rng r;
    long budget;     /* ops still to make */
    unsigned digest; /* next call digest */
    unsigned exec;   /* next exec ident */
} sync_ctx;

/* A self gap: none a quarter of the time, else up to 3 ms of arbitrary ns. */
static int64_t self_gap(pg_rng *r)
{
    return pg_chance(r, 25) ? 0 : pg_range(r, 1, 3 * MS);
}

static int64_t build_sync(sync_ctx *c, uint64_t parent, const char *kind, uint32_t cls,
                          int64_t start, int depth);

/* A child at t: a plain op, or a call whose call_exec child covers it exactly
 * and which waits on it (the reference's call -> call_exec). Returns its end. */
static int64_t sync_child(sync_ctx *c, uint64_t parent, int64_t t, int depth)
{
    pg_graph *g = c->g;
    uint64_t k = pg_below(&c->r, 10);
    if (k < 4) {
        uint32_t cls = call_class(g, &c->r, NELEM(call_classes) - 1);
        size_t ci = add_op(g, parent, "call", cls, t, t);
        g->ops[ci].outcome = "executed";
        g->ops[ci].ident = internf(g, "xxh3:%llx", c->digest++);
        c->budget--;
        uint64_t call_id = g->ops[ci].id;
        size_t ei = g->nops;
        int64_t end = build_sync(c, call_id, "call_exec", cls, t, depth + 1);
        g->ops[ei].ident = g->ops[ci].ident;
        g->ops[ci].d = end;
        add_wait(g, call_id, g->ops[ei].id, "call_exec", 0, t, end);
        return end;
    }
    if (k < 6) {
        size_t before = g->nops;
        int64_t end = build_sync(c, parent, "exec", pg_intern(g, "exec"), t, depth + 1);
        g->ops[before].ident = internf(g, "exec-%llu", c->exec++);
        return end;
    }
    if (k < 8)
        return build_sync(c, parent, "exec_phase",
                          pg_intern(g, phase_classes[pg_below(&c->r, NELEM(phase_classes))]), t,
                          depth + 1);
    uint64_t o = pg_below(&c->r, NELEM(other_kinds));
    return build_sync(c, parent, other_kinds[o], pg_intern(g, other_classes[o]), t, depth + 1);
}

/* One op starting at start, its interval cut into self gaps and children one
 * after another. Returns its end. */
static int64_t build_sync(sync_ctx *c, uint64_t parent, const char *kind, uint32_t cls,
                          int64_t start, int depth)
{
    size_t i = add_op(c->g, parent, kind, cls, start, start);
    uint64_t id = c->g->ops[i].id;
    c->budget--;
    int64_t t = start;
    unsigned nchild = depth < 6 && c->budget > 0 ? (unsigned)pg_below(&c->r, 5) : 0;
    for (unsigned k = 0; k < nchild && c->budget > 0; k++) {
        t += self_gap(&c->r);
        t = sync_child(c, id, t, depth);
    }
    t += self_gap(&c->r);
    c->g->ops[i].d = t;
    return t;
}

void pg_gen_sync(pg_graph *g, uint64_t seed, size_t target_ops)
{
    sync_ctx c = {g, {seed * 0x2545f4914f6cdd1dULL + 1}, (long)target_ops, 1, 1};
    g->epoch_unix_nano = 1700000000000000000LL + (int64_t)(seed % 1000000) * 1000;
    unsigned nroots = 1 + (unsigned)pg_below(&c.r, 4);
    int64_t t = pg_range(&c.r, 0, 5 * MS);
    for (unsigned k = 0; k < nroots; k++) {
        if (k > 0)
            t += pg_chance(&c.r, 20) ? 0 : pg_range(&c.r, 1, 100 * MS);
        uint32_t cls = pg_intern(g, k % 2 ? "session.query" : "session.init");
        size_t ri = g->nops;
        if (c.budget <= 0)
            c.budget = 1;
        t = build_sync(&c, 0, "session_phase", cls, t, 0);
        g->ops[ri].client = internf(g, "client-%llu", k);
    }
    g->now = t + pg_range(&c.r, 0, 10 * MS);
}

int64_t pg_sync_makespan(const pg_graph *g)
{
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (size_t i = 0; i < g->nops; i++)
        if (!g->ops[i].parent) {
            if (g->ops[i].s < lo)
                lo = g->ops[i].s;
            if (op_end(g, &g->ops[i]) > hi)
                hi = op_end(g, &g->ops[i]);
        }
    return hi - lo;
}

int64_t pg_sync_idle(const pg_graph *g)
{
    int64_t busy = 0;
    for (size_t i = 0; i < g->nops; i++)
        if (!g->ops[i].parent)
            busy += op_end(g, &g->ops[i]) - g->ops[i].s;
    return pg_sync_makespan(g) - busy;
}

/* ---- traces with every kind of overlap */

typedef struct ov_ctx {
    pg_graph *g;
    pg_rng r;
    long budget;
    unsigned digest;
    unsigned nexec_idents; /* exec idents come from a small pool: retries */
    size_t *early;         /* ops that start before their parent */
    size_t nearly, capearly;
} ov_ctx;

static int64_t build_ov(ov_ctx *c, uint64_t parent, const char *kind, uint32_t cls, int64_t s,
                        int64_t dur, int depth);

/* A child of parent in [s, s + dur]: a call covered by its call_exec (which
 * it awaits), an exec, or another op. */
static void ov_child(ov_ctx *c, uint64_t parent, int64_t s, int64_t dur, int depth)
{
    pg_graph *g = c->g;
    uint64_t k = pg_below(&c->r, 10);
    if (k < 3) {
        uint32_t cls = call_class(g, &c->r, NELEM(call_classes));
        size_t ci = add_op(g, parent, "call", cls, s, s + dur);
        g->ops[ci].outcome = pg_chance(&c->r, 10) ? "error" : "executed";
        g->ops[ci].ident = internf(g, "xxh3:%llx", c->digest++);
        c->budget--;
        uint64_t call_id = g->ops[ci].id;
        size_t ei = g->nops;
        /* usually the call_exec covers the call; sometimes it ends early or late */
        int64_t edur = pg_chance(&c->r, 80) ? dur : pg_range(&c->r, 0, dur + 2 * MS);
        build_ov(c, call_id, "call_exec", cls, s, edur, depth + 1);
        g->ops[ei].ident = g->ops[ci].ident;
        add_wait(g, call_id, g->ops[ei].id, "call_exec", 0, s,
                 pg_chance(&c->r, 85) ? s + edur : s + pg_range(&c->r, 0, edur));
        return;
    }
    if (k < 5) {
        size_t ei = g->nops;
        build_ov(c, parent, "exec", pg_intern(g, "exec"), s, dur, depth + 1);
        g->ops[ei].ident = internf(g, "exec-%llu", pg_below(&c->r, c->nexec_idents));
        g->ops[ei].work = "user";
        return;
    }
    if (k < 7) {
        build_ov(c, parent, "exec_phase",
                 pg_intern(g, phase_classes[pg_below(&c->r, NELEM(phase_classes))]), s, dur,
                 depth + 1);
        return;
    }
    uint64_t o = pg_below(&c->r, NELEM(other_kinds));
    build_ov(c, parent, other_kinds[o], pg_intern(g, other_classes[o]), s, dur, depth + 1);
}

static int64_t build_ov(ov_ctx *c, uint64_t parent, const char *kind, uint32_t cls, int64_t s,
                        int64_t dur, int depth)
{
    size_t i = add_op(c->g, parent, kind, cls, s, s + dur);
    uint64_t id = c->g->ops[i].id;
    c->budget--;
    unsigned nchild = depth < 7 && c->budget > 0 ? (unsigned)pg_below(&c->r, 6) : 0;
    if (pg_chance(&c->r, 40)) {
        /* one after another, with gaps; the last may run past the end */
        int64_t t = s;
        for (unsigned k = 0; k < nchild && c->budget > 0; k++) {
            int64_t left = s + dur - t;
            t += pg_range(&c->r, 0, left / (2 * (nchild - k)));
            int64_t cd = pg_range(&c->r, 0, (s + dur - t) / (nchild - k));
            if (k + 1 == nchild && pg_chance(&c->r, 10))
                cd += pg_range(&c->r, 1, 5 * MS);
            ov_child(c, id, t, cd, depth);
            t += cd;
        }
    } else {
        /* in parallel, anywhere; a few start before or end after the parent */
        for (unsigned k = 0; k < nchild && c->budget > 0; k++) {
            int64_t cs = s + pg_range(&c->r, 0, dur);
            int64_t cd = pg_range(&c->r, 0, s + dur - cs);
            if (pg_chance(&c->r, 8))
                cd += pg_range(&c->r, 1, 10 * MS);
            bool early = pg_chance(&c->r, 4);
            if (early) {
                cs = s - pg_range(&c->r, 1, 5 * MS);
                cd = pg_range(&c->r, 0, dur + 5 * MS);
                GROW(c->early, c->nearly, c->capearly);
                c->early[c->nearly++] = c->g->nops;
            }
            ov_child(c, id, cs, cd, depth);
        }
    }
    return s + dur;
}

/* A wait of op i, on something picked at random. */
static void ov_wait(ov_ctx *c, size_t i)
{
    pg_graph *g = c->g;
    const pg_op *o = &g->ops[i];
    uint64_t waiter = o->id;
    int64_t os = o->s, oe = op_end(g, o);
    int64_t ws = os + pg_range(&c->r, 0, oe - os);
    static const char *const reasons[] = {"call_exec", "singleflight", "lazy", "service", "io"};
    uint64_t k = pg_below(&c->r, 100);
    if (k < 45) {
        /* on any op: in another root, an ancestor (a cycle), a descendant, or
         * one that starts before its parent (a fallback anchor may place it
         * before the op it is anchored at) */
        size_t x = (size_t)pg_below(&c->r, g->nops);
        if (k >= 36 && c->nearly)
            x = c->early[pg_below(&c->r, c->nearly)];
        if (k < 12) { /* an ancestor, when there is one */
            for (uint64_t up = o->parent; up;) {
                size_t j = 0;
                while (j < g->nops && g->ops[j].id != up)
                    j++;
                if (j == g->nops)
                    break;
                x = j;
                up = pg_chance(&c->r, 50) ? g->ops[j].parent : 0;
            }
        }
        int64_t te = op_end(g, &g->ops[x]);
        int64_t we;
        uint64_t m = pg_below(&c->r, 100);
        if (m < 55)
            we = te > ws ? te : ws + pg_range(&c->r, 0, MS); /* until it ended */
        else if (m < 65)
            we = te - MS; /* at the tolerance: counts */
        else if (m < 75)
            we = te - MS - 1; /* just past it: abandoned */
        else
            we = ws + pg_range(&c->r, 0, te > ws ? (te - ws) / 2 : MS);
        if (we < ws)
            ws = we > os ? we - pg_range(&c->r, 0, we - os) : we;
        add_wait(g, waiter, g->ops[x].id, reasons[pg_below(&c->r, NELEM(reasons))], 0, ws, we);
    } else if (k < 60) {
        /* a named lock: a fixed delay per lock */
        unsigned l = (unsigned)pg_below(&c->r, 3);
        add_wait(g, waiter, 0, "lock", internf(g, "lock:%c", 'a' + l), ws,
                 ws + (int64_t)(l + 1) * 1234567);
    } else if (k < 72) {
        /* on an exec by its ident (several execs may share it: the longest wins) */
        unsigned e = (unsigned)pg_below(&c->r, c->nexec_idents + 1);
        uint32_t ident =
            e == c->nexec_idents ? pg_intern(g, "exec-missing") : internf(g, "exec-%llu", e);
        int64_t te = ws;
        for (size_t j = 0; j < g->nops; j++)
            if (g->ops[j].ident == ident && strcmp(g->ops[j].kind, "exec") == 0 &&
                op_end(g, &g->ops[j]) > te)
                te = op_end(g, &g->ops[j]);
        int64_t we = pg_chance(&c->r, 80) ? te : ws + pg_range(&c->r, 0, te - ws);
        add_wait(g, waiter, 0, "exec", ident, ws, we);
    } else if (k < 80) {
        add_wait(g, waiter, waiter, "lazy", 0, ws, ws + pg_range(&c->r, 0, MS)); /* itself */
    } else if (k < 88) {
        add_wait(g, waiter, 888888888 + pg_below(&c->r, 3), "io", 0, ws,
                 ws + pg_range(&c->r, 0, 2 * MS)); /* an id no op has */
    } else {
        add_wait(g, waiter, 0, "io", 0, ws, ws + pg_range(&c->r, 0, 3 * MS)); /* no target */
    }
}

void pg_gen_overlap(pg_graph *g, uint64_t seed, size_t target_ops)
{
    ov_ctx c = {g, {seed * 0x9e3779b97f4a7c15ULL + 7}, (long)target_ops, 1, 0, NULL, 0, 0};
    c.nexec_idents = 1 + (unsigned)pg_below(&c.r, 6);
    g->epoch_unix_nano = 1650000000000000000LL + (int64_t)(seed % 1000000) * 1000;
    g->next_id = 1 + pg_below(&c.r, 1000);
    unsigned nroots = 1 + (unsigned)pg_below(&c.r, 6);
    int64_t first = pg_range(&c.r, 0, 2 * MS), prev = first, furthest = first;
    for (unsigned k = 0; k < nroots; k++) {
        int64_t s = first;
        if (k > 0) {
            if (pg_chance(&c.r, 55)) /* after the furthest-reaching root, after a gap */
                s = furthest + (pg_chance(&c.r, 20) ? 0 : pg_range(&c.r, 1, 30 * MS));
            else /* issued while an earlier root ran */
                s = pg_range(&c.r, prev, furthest);
        }
        int64_t dur = pg_range(&c.r, 0, 80 * MS);
        if (c.budget <= 0)
            c.budget = 1;
        size_t ri = g->nops;
        build_ov(&c, 0, "session_phase", pg_intern(g, k % 2 ? "session.query" : "session.init"), s,
                 dur, 0);
        g->ops[ri].client = internf(g, "client-%llu", k);
        prev = s;
        if (s + dur > furthest)
            furthest = s + dur;
    }

    /* nested clients: a root with no parent whose client some exec hosts */
    unsigned nested = (unsigned)pg_below(&c.r, 3);
    for (unsigned k = 0; k < nested; k++) {
        size_t e = (size_t)pg_below(&c.r, g->nops);
        for (size_t j = 0; j < g->nops; j++, e = (e + 1) % g->nops)
            if (strcmp(g->ops[e].kind, "exec") == 0)
                break;
        if (strcmp(g->ops[e].kind, "exec") != 0)
            break;
        uint32_t nc = internf(g, "nested-client-%llu", k);
        int64_t es = g->ops[e].s, ee = op_end(g, &g->ops[e]);
        add_link(g, g->ops[e].id, "nested_client", nc, es);
        int64_t s = pg_range(&c.r, es, ee);
        c.budget = 3 + (long)pg_below(&c.r, 10);
        size_t ri = g->nops;
        build_ov(&c, 0, "session_phase", pg_intern(g, "session.nested"), s,
                 pg_chance(&c.r, 80) ? pg_range(&c.r, 0, ee - s) : pg_range(&c.r, 0, 5 * MS), 2);
        g->ops[ri].client = nc;
    }

    /* an op whose parent is no op: a root */
    if (pg_chance(&c.r, 30) && g->nops > 1)
        g->ops[1 + pg_below(&c.r, g->nops - 1)].parent = 999999999;

    int64_t last = 0;
    for (size_t i = 0; i < g->nops; i++)
        if (op_end(g, &g->ops[i]) > last)
            last = op_end(g, &g->ops[i]);
    g->now = last + pg_range(&c.r, 0, 10 * MS);

    /* open ops (in open_ops only, ending at now) and an end before the start */
    if (pg_chance(&c.r, 30)) {
        unsigned nopen = 1 + (unsigned)pg_below(&c.r, 3);
        for (unsigned k = 0; k < nopen; k++)
            g->ops[pg_below(&c.r, g->nops)].open = true;
    }
    if (pg_chance(&c.r, 5)) {
        pg_op *o = &g->ops[pg_below(&c.r, g->nops)];
        o->d = o->s - pg_range(&c.r, 1, 1000);
    }

    size_t n = g->nops;
    for (size_t i = 0; i < n; i++) {
        unsigned nw = pg_chance(&c.r, 35) ? 1 + (unsigned)pg_below(&c.r, 3) : 0;
        for (unsigned k = 0; k < nw; k++)
            ov_wait(&c, i);
    }
    if (pg_chance(&c.r, 30)) /* an orphan wait: its waiter is no op */
        add_wait(g, 777777777, 0, "lock", pg_intern(g, "lock:a"), 0, 1234567);
    free(c.early);
}

/* ---- writing */

static void put_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

static void put_op(FILE *f, const pg_op *o)
{
    fputs("{\"e\":\"op\",\"k\":", f);
    put_json_string(f, o->kind);
    if (o->work && *o->work) {
        fputs(",\"w\":", f);
        put_json_string(f, o->work);
    }
    if (o->outcome && *o->outcome) {
        fputs(",\"o\":", f);
        put_json_string(f, o->outcome);
    }
    fprintf(f, ",\"id\":%llu", (unsigned long long)o->id);
    if (o->parent)
        fprintf(f, ",\"p\":%llu", (unsigned long long)o->parent);
    if (o->cls)
        fprintf(f, ",\"c\":%u", o->cls);
    if (o->ident)
        fprintf(f, ",\"i\":%u", o->ident);
    if (o->client)
        fprintf(f, ",\"cl\":%u", o->client);
    fprintf(f, ",\"s\":%lld,\"d\":%lld}\n", (long long)o->s, (long long)o->d);
}

static void put_wait(FILE *f, const pg_wait *w)
{
    fputs("{\"e\":\"wait\",\"rs\":", f);
    put_json_string(f, w->reason);
    fprintf(f, ",\"p\":%llu", (unsigned long long)w->waiter);
    if (w->target)
        fprintf(f, ",\"t\":%llu", (unsigned long long)w->target);
    if (w->ident)
        fprintf(f, ",\"i\":%u", w->ident);
    fprintf(f, ",\"s\":%lld,\"d\":%lld}\n", (long long)w->s, (long long)w->d);
}

static void put_link(FILE *f, const pg_link *l)
{
    fputs("{\"e\":\"link\",\"lk\":", f);
    put_json_string(f, l->kind);
    fprintf(f, ",\"p\":%llu", (unsigned long long)l->from);
    if (l->target)
        fprintf(f, ",\"t\":%llu", (unsigned long long)l->target);
    if (l->ident)
        fprintf(f, ",\"i\":%u", l->ident);
    fprintf(f, ",\"s\":%lld,\"d\":%lld}\n", (long long)l->at, (long long)l->at);
}

int pg_write(const pg_graph *g, const char *path, uint64_t shuffle_seed)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t nev = g->nwaits + g->nlinks;
    for (size_t i = 0; i < g->nops; i++)
        nev += !g->ops[i].open;
    fprintf(f,
            "{\"schema_version\":1,\"epoch_unix_nano\":%lld,\"dumped_unix_nano\":%lld,"
            "\"dropped_events\":0,\"event_count\":%zu,\"strings\":[",
            (long long)g->epoch_unix_nano, (long long)(g->epoch_unix_nano + g->now), nev);
    for (size_t i = 0; i < g->nstrings; i++) {
        if (i)
            fputc(',', f);
        put_json_string(f, g->strings[i]);
    }
    fputs("],\"open_ops\":[", f);
    int first = 1;
    for (size_t i = 0; i < g->nops; i++) {
        const pg_op *o = &g->ops[i];
        if (!o->open)
            continue;
        fprintf(f, "%s{\"op_id\":%llu", first ? "" : ",", (unsigned long long)o->id);
        first = 0;
        if (o->parent)
            fprintf(f, ",\"parent_id\":%llu", (unsigned long long)o->parent);
        fputs(",\"kind\":", f);
        put_json_string(f, o->kind);
        fprintf(f, ",\"class_id\":%u,\"ident_id\":%u,\"client_id\":%u,\"start_ns\":%lld}", o->cls,
                o->ident, o->client, (long long)o->s);
    }
    fputs("]}\n", f);

    /* events: ops (not open), then waits, then links, in a shuffled order */
    size_t *order = xrealloc(NULL, nev * sizeof *order);
    size_t n = 0;
    for (size_t i = 0; i < g->nops; i++)
        if (!g->ops[i].open)
            order[n++] = i;
    for (size_t i = 0; i < g->nwaits + g->nlinks; i++)
        order[n++] = g->nops + i;
    pg_rng r = {shuffle_seed};
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)pg_below(&r, i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (i < g->nops)
            put_op(f, &g->ops[i]);
        else if (i < g->nops + g->nwaits)
            put_wait(f, &g->waits[i - g->nops]);
        else
            put_link(f, &g->links[i - g->nops - g->nwaits]);
    }
    free(order);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return -1;
    return 0;
}
