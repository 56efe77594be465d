/*
 * test_props.c - properties of the analyses (spec/analysis.md §3-4,
 * model/README.md) on many generated graphs, checked through SQL after
 * wcprof_register_extension(), as any client would see them.
 *
 *   test_props PATH-TO-wcprof-gen [PROPERTY]
 *
 * PROPERTY, each its own ctest test prop.PROPERTY (none: all of them):
 *
 *   sync_baseline      a purely synchronous trace replays to exactly its own
 *                      makespan: drift 0, nothing drifts, all factors 1 save 0
 *   critical_path      the critical path (baseline and what-if) is in time
 *                      order, gapless from the first root's start, and adds
 *                      up to the replay's makespan
 *   critical_bound     saved(K, 0) <= critical time of K, which is the sum of
 *                      K's self segments on the critical path
 *   monotone           saved is non-increasing in the factor; 0 at 1, <= 0 above
 *   prune              whatif_rank's skipped replays change no number
 *   determinism        one dump ingested into two databases: the same rows
 *                      from every function
 *   whatif_consistent  whatif(spec) agrees with whatif_rank's rows and the
 *                      ranking is in the documented order
 *
 * Graphs: synchronous trees and graphs with every kind of overlap from
 * pgen.h (seeded), and wcprof-gen dumps of several seeds, sizes and options.
 * A failure names the property and the graph ("sync:5", "overlap:17",
 * "gen:-n 2000 -s 1") and keeps the scratch folder with that graph's dump.
 * WCPROF_PROP_ONLY=ID runs only the graph with that id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pdb.h"
#include "pgen.h"
#include "wcprof_ext.h"

static const char *gen_path; /* wcprof-gen */
static const char *prop;     /* the property being checked, for messages */

/* ---- the graphs */

typedef struct cls_info {
    char *key;          /* kind:class */
    int64_t total_self; /* class_stats.total_self_ns */
} cls_info;

typedef struct op_info {
    int64_t id;
    int cls;      /* index into graph.cls */
    int64_t self; /* ops.self_ns */
    int64_t acc;  /* scratch: self time a path gives it */
} op_info;

typedef struct graph {
    char id[96];     /* "sync:5", "overlap:17", "gen:-n 2000 -s 1" */
    char name[1200]; /* id, size and dump: what a failure prints */
    char dumps[8][600];
    size_t ndumps;
    uint64_t seed;           /* for choices a property makes per graph */
    int64_t expect_makespan; /* sync graphs: the generator's makespan */
    sqlite3 *db;
    int64_t run;
    int64_t first_start; /* the first root's start */
    cls_info *cls;       /* sorted by key */
    size_t ncls;
    op_info *ops; /* sorted by id */
    size_t nops;
    sqlite3 *db2;  /* a second database (determinism) */
    struct owned { /* what the checks allocated: freed with the graph, */
        void *p;   /* so a failing check (a longjmp) leaks nothing */
        void (*free)(void *);
    } * own;
    size_t nown, capown;
} graph;

/* A failing check inside each_graph() is printed and recorded, and the run
 * goes on with the next graph (so a failure says how many graphs fail, not
 * only which fails first); the test fails at the end. Outside, it fails at
 * once. */
static jmp_buf graph_jmp;
static int in_graph;
static int graph_failures;
static char first_failure[3100];

static void prop_fail(const graph *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));
static void prop_fail(const graph *g, const char *fmt, ...)
{
    char msg[1800];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!in_graph) {
        fail_msg("%s, graph %s: %s", prop, g->name, msg);
        abort(); /* not reached: fail_msg does not return */
    }
    fprintf(stderr, "FAILED %s, graph %s: %s\n", prop, g->name, msg);
    if (!graph_failures++)
        snprintf(first_failure, sizeof first_failure, "graph %s: %s", g->name, msg);
    longjmp(graph_jmp, 1);
}

#define FAIL(g, fmt, ...) prop_fail((g), fmt, ##__VA_ARGS__)
#define CHECK(g, cond, fmt, ...)                                                                   \
    do {                                                                                           \
        if (!(cond))                                                                               \
            FAIL(g, fmt, ##__VA_ARGS__);                                                           \
    } while (0)

/* Makes p (from malloc, or from SQLite when sql) the graph's, to be freed by
 * release() or with the graph. Returns p. */
static void *own(graph *g, void *p, int sql)
{
    if (!p)
        return p;
    if (g->nown == g->capown) {
        g->capown = g->capown ? 2 * g->capown : 16;
        g->own = realloc(g->own, g->capown * sizeof *g->own);
        assert_non_null(g->own);
    }
    g->own[g->nown++] = (struct owned){p, sql ? sqlite3_free : free};
    return p;
}

static void release(graph *g, void *p)
{
    for (size_t k = g->nown; k-- > 0;)
        if (g->own[k].p == p) {
            g->own[k].free(p);
            g->own[k] = g->own[--g->nown];
            return;
        }
    assert_true(p == NULL);
}

static void *own_calloc(graph *g, size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    assert_non_null(p);
    return own(g, p, 0);
}

typedef struct corpus {
    int edges;           /* the edge cases below: 1 the synchronous ones, 2 all */
    int nsync, noverlap; /* own graphs: seeds 1..n */
    long gen_max_events; /* wcprof-gen cases up to this size (0: none) */
    int heavy;           /* and the heavy ones */
} corpus;

/* Small dumps written by hand: the corners, and the smallest counterexamples
 * found. Synchronous ones give their makespan. */
#define HDR(n, strings)                                                                            \
    "{\"schema_version\":1,\"epoch_unix_nano\":5,\"dumped_unix_nano\":5,"                          \
    "\"event_count\":" #n ",\"strings\":[\"\"," strings "]}\n"
static const struct edge_case {
    const char *name;
    int sync;
    int64_t makespan; /* sync: the actual makespan */
    const char *dump;
} edges[] = {
    {"sequential", 1, 1000000000, /* §2's example */
     HDR(7,
         "\"session.query\",\"Container.withExec\",\"d1\",\"Container.from\",\"d2\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":0,\"d\":1000000000}\n"
                                                                                      "{\"e\":\"op\",\"k\":\"call\",\"id\":2,\"p\":1,\"c\":2,\"i\":3,\"s\":0,\"d\":400000000}\n"
                                                                                      "{\"e\":\"op\",\"k\":\"call_exec\",\"id\":3,\"p\":2,\"c\":2,\"i\":3,\"s\":0,\"d\":400000000}\n"
                                                                                      "{\"e\":\"wait\",\"rs\":\"call_exec\",\"p\":2,\"t\":3,\"s\":0,\"d\":400000000}\n"
                                                                                      "{\"e\":\"op\",\"k\":\"call\",\"id\":4,\"p\":1,\"c\":4,\"i\":5,\"s\":400000000,"
                                                                                      "\"d\":1000000000}\n"
                                                                                      "{\"e\":\"op\",\"k\":\"call_exec\",\"id\":5,\"p\":4,\"c\":4,\"i\":5,\"s\":400000000,"
                                                                                      "\"d\":1000000000}\n"
                                                                                      "{\"e\":\"wait\",\"rs\":\"call_exec\",\"p\":4,\"t\":5,\"s\":400000000,\"d\":1000000000}\n"},
    {"zero-child-joined-before-spawn", 1, 10000000, /* README: takes the parent's clock */
     HDR(3,
         "\"R\",\"A\",\"B\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":0,\"d\":10000000}\n"
                              "{\"e\":\"op\",\"k\":\"call\",\"id\":2,\"p\":1,\"c\":3,\"s\":5000000,\"d\":8000000}\n"
                              "{\"e\":\"op\",\"k\":\"call\",\"id\":3,\"p\":1,\"c\":2,\"s\":5000000,\"d\":5000000}\n"},
    {"single-zero-op", 1, 0,
     HDR(1, "\"A\"") "{\"e\":\"op\",\"k\":\"call\",\"id\":1,\"c\":1,\"s\":0,\"d\":0}\n"},
    {"only-an-open-op", 0, 0, /* no events; ends at the dump's now */
     "{\"schema_version\":1,\"epoch_unix_nano\":5,\"dumped_unix_nano\":1000005,\"event_count\":0,"
     "\"strings\":[\"\",\"A\"],\"open_ops\":[{\"op_id\":4,\"kind\":\"call\",\"class_id\":1,"
     "\"start_ns\":10}]}\n"},
    {"roots-awaiting-each-other", 0, 0,
     HDR(4,
         "\"A\",\"B\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":0,\"d\":10000000}\n"
                        "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":2,\"c\":2,\"s\":2000000,\"d\":12000000}\n"
                        "{\"e\":\"wait\",\"rs\":\"lazy\",\"p\":1,\"t\":2,\"s\":3000000,\"d\":12000000}\n"
                        "{\"e\":\"wait\",\"rs\":\"lazy\",\"p\":2,\"t\":1,\"s\":4000000,\"d\":10000000}\n"},
    {"own-parent", 0, 0, /* p == id: no parent (§1.5) */
     HDR(2,
         "\"A\",\"B\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"p\":1,\"c\":1,\"s\":0,\"d\":10000000}\n"
                        "{\"e\":\"op\",\"k\":\"call\",\"id\":2,\"p\":2,\"c\":2,\"s\":20000000,\"d\":22000000}\n"},
    /* An op awaited before its parent's root is replayed is anchored at the
     * first root plus its offset from it; it started earlier than the first
     * root, so the offset is negative. */
    {"fallback-before-first-root", 0, 0,
     HDR(4,
         "\"R1\",\"R2\",\"Y\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":1000000,\"d\":10000000}\n"
                                "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":2,\"c\":2,\"s\":1500000,\"d\":30000000}\n"
                                "{\"e\":\"op\",\"k\":\"call\",\"id\":3,\"p\":2,\"c\":3,\"s\":500000,\"d\":20000000}\n"
                                "{\"e\":\"wait\",\"rs\":\"lazy\",\"p\":1,\"t\":3,\"s\":2000000,\"d\":20000000}\n"},
    /* One root P; Y, a child of P's child Q, started before P and is awaited
     * by P before Q is spawned: anchored at P with a negative offset. */
    {"fallback-before-ancestor", 0, 0,
     HDR(4,
         "\"P\",\"Q\",\"Y\"") "{\"e\":\"op\",\"k\":\"session_phase\",\"id\":1,\"c\":1,\"s\":5000000,\"d\":30000000}\n"
                              "{\"e\":\"op\",\"k\":\"call\",\"id\":2,\"p\":1,\"c\":2,\"s\":10000000,\"d\":25000000}\n"
                              "{\"e\":\"op\",\"k\":\"call\",\"id\":3,\"p\":2,\"c\":3,\"s\":2000000,\"d\":20000000}\n"
                              "{\"e\":\"wait\",\"rs\":\"lazy\",\"p\":1,\"t\":3,\"s\":6000000,\"d\":20000000}\n"},
};
#undef HDR

/* wcprof-gen's cases: seeds, sizes, several dumps (flushed or not), open
 * ops, orphan waits, dropped events, few and many classes. A heavy case (the
 * default 720 classes on a large dump: hundreds of replays per ranking) runs
 * only where corpus.heavy says so. */
static const struct gen_case {
    int heavy;
    const char *opt[14];
} gen_cases[] = {
    {0, {"-n", "2000", "-s", "1", NULL}},
    {0, {"-n", "5000", "-s", "2", "--open", "6", "--classes", "100", NULL}},
    {0, {"-n", "3000", "-s", "6", "--classes", "8", "--dropped", "5", NULL}},
    {0, {"-n", "8000", "-s", "4", "--dumps", "3", "--classes", "60", NULL}},
    {0,
     {"-n", "8000", "-s", "5", "--dumps", "4", "--no-flush", "--open", "3", "--orphans", "3",
      "--classes", "60", NULL}},
    {0, {"-n", "20000", "-s", "3", "--classes", "60", NULL}},
    {1, {"-n", "8000", "-s", "7", "--orphans", "2", NULL}},
};

static int cmp_cls(const void *a, const void *b)
{
    return strcmp(((const cls_info *)a)->key, ((const cls_info *)b)->key);
}

static int cmp_op(const void *a, const void *b)
{
    int64_t x = ((const op_info *)a)->id, y = ((const op_info *)b)->id;
    return (x > y) - (x < y);
}

static int class_index(const graph *g, const char *key)
{
    cls_info k = {(char *)key, 0};
    cls_info *c = bsearch(&k, g->cls, g->ncls, sizeof *g->cls, cmp_cls);
    return c ? (int)(c - g->cls) : -1;
}

static op_info *op_find(graph *g, int64_t id)
{
    op_info k = {id, 0, 0, 0};
    return bsearch(&k, g->ops, g->nops, sizeof *g->ops, cmp_op);
}

static sqlite3_stmt *prepare(graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(g->db, sql, -1, &st, NULL) != SQLITE_OK)
        FAIL(g, "%s: %s", sql, sqlite3_errmsg(g->db));
    sqlite3_free(sql);
    return st;
}

static void step_done(graph *g, sqlite3_stmt *st, int rc)
{
    if (rc != SQLITE_DONE)
        FAIL(g, "%s: %s", sqlite3_sql(st), sqlite3_errmsg(g->db));
    sqlite3_finalize(st);
}

/* The scratch database of g. */
static void db_path(const graph *g, char *path, size_t n)
{
    snprintf(path, n, "%s/%s.db", pdb_scratch, g->id);
    for (char *p = path + strlen(pdb_scratch) + 1; *p; p++)
        if (*p == ' ' || *p == ':')
            *p = '_';
}

/* Ingests g's dumps into a database of its own and learns its classes, ops
 * and first root. */
static void open_graph(graph *g)
{
    char err[1024], dbpath[700];
    db_path(g, dbpath, sizeof dbpath);
    const char *dumps[8];
    for (size_t k = 0; k < g->ndumps; k++)
        dumps[k] = g->dumps[k];
    unlink(dbpath);
    g->db = pdb_ingest(dbpath, dumps, g->ndumps, &g->run, err, sizeof err);
    if (!g->db)
        FAIL(g, "ingest: %s", err);
    if (wcprof_register_extension(g->db) != SQLITE_OK)
        FAIL(g, "wcprof_register_extension: %s", sqlite3_errmsg(g->db));

    sqlite3_stmt *st = prepare(g,
                               "SELECT class_key, total_self_ns FROM class_stats"
                               " WHERE run_id = %lld",
                               (long long)g->run);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (g->ncls == cap) {
            cap = cap ? 2 * cap : 64;
            g->cls = realloc(g->cls, cap * sizeof *g->cls);
            assert_non_null(g->cls);
        }
        g->cls[g->ncls].key = strdup((const char *)sqlite3_column_text(st, 0));
        g->cls[g->ncls++].total_self = sqlite3_column_int64(st, 1);
    }
    step_done(g, st, rc);
    qsort(g->cls, g->ncls, sizeof *g->cls, cmp_cls);

    st = prepare(g, "SELECT id, class_key, self_ns FROM v_ops WHERE run_id = %lld",
                 (long long)g->run);
    cap = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (g->nops == cap) {
            cap = cap ? 2 * cap : 256;
            g->ops = realloc(g->ops, cap * sizeof *g->ops);
            assert_non_null(g->ops);
        }
        op_info *o = &g->ops[g->nops++];
        o->id = sqlite3_column_int64(st, 0);
        o->cls = class_index(g, (const char *)sqlite3_column_text(st, 1));
        o->self = sqlite3_column_int64(st, 2);
        o->acc = 0;
        CHECK(g, o->cls >= 0, "op %lld's class %s is not in class_stats", (long long)o->id,
              sqlite3_column_text(st, 1));
    }
    step_done(g, st, rc);
    qsort(g->ops, g->nops, sizeof *g->ops, cmp_op);

    st = prepare(g, "SELECT min(start_ns) FROM ops WHERE run_id = %lld AND parent_id IS NULL",
                 (long long)g->run);
    CHECK(g, sqlite3_step(st) == SQLITE_ROW, "no first root");
    g->first_start = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
}

/* Closes g's database; removes its files unless keep (a failing graph). */
static void close_graph(graph *g, int keep)
{
    sqlite3_stmt *st;
    while (g->db && (st = sqlite3_next_stmt(g->db, NULL)) != NULL)
        sqlite3_finalize(st); /* left behind by a failing check */
    sqlite3_close(g->db);
    g->db = NULL;
    while (g->db2 && (st = sqlite3_next_stmt(g->db2, NULL)) != NULL)
        sqlite3_finalize(st);
    sqlite3_close(g->db2);
    g->db2 = NULL;
    for (size_t k = 0; k < g->nown; k++)
        g->own[k].free(g->own[k].p);
    free(g->own);
    g->own = NULL;
    g->nown = g->capown = 0;
    for (size_t k = 0; k < g->ncls; k++)
        free(g->cls[k].key);
    free(g->cls);
    free(g->ops);
    if (keep)
        return;
    for (size_t k = 0; k < g->ndumps; k++)
        unlink(g->dumps[k]);
    char dbpath[700];
    db_path(g, dbpath, sizeof dbpath);
    unlink(dbpath);
}

static int wanted(const char *id)
{
    const char *only = getenv("WCPROF_PROP_ONLY");
    return !only || !*only || strcmp(only, id) == 0;
}

typedef void graph_fn(graph *g, void *ctx);

/* Ingests g and checks it with fn; a failure is recorded (prop_fail). */
static void run_one(graph *g, graph_fn *fn, void *ctx)
{
    in_graph = 1;
    if (setjmp(graph_jmp) == 0) {
        open_graph(g);
        fn(g, ctx);
        in_graph = 0;
        close_graph(g, 0);
    } else {
        in_graph = 0;
        close_graph(g, 1); /* its dumps and database stay for a look */
    }
}

/* Writes own graph number seed of family fam (0 sync, 1 overlap) into g. */
static int make_own(graph *g, int fam, int seed)
{
    snprintf(g->id, sizeof g->id, "%s:%d", fam ? "overlap" : "sync", seed);
    if (!wanted(g->id))
        return 0;
    g->seed = (uint64_t)seed;
    pg_graph pg;
    pg_init(&pg);
    size_t size =
        fam ? (seed % 20 == 0 ? 1200 : 2 + (size_t)seed * 53 % 250) : 1 + (size_t)seed * 37 % 60;
    if (fam)
        pg_gen_overlap(&pg, g->seed, size);
    else
        pg_gen_sync(&pg, g->seed, size);
    g->expect_makespan = pg_sync_makespan(&pg);
    snprintf(g->dumps[0], sizeof g->dumps[0], "%s/%s-%d.dump", pdb_scratch,
             fam ? "overlap" : "sync", seed);
    g->ndumps = 1;
    snprintf(g->name, sizeof g->name, "%s (%zu ops, %zu waits; dump %s)", g->id, pg.nops, pg.nwaits,
             g->dumps[0]);
    int rc = pg_write(&pg, g->dumps[0], g->seed);
    pg_free(&pg);
    if (rc != 0)
        FAIL(g, "cannot write the dump");
    return 1;
}

/* Writes edge case k into g. */
static int make_edge(graph *g, size_t k)
{
    snprintf(g->id, sizeof g->id, "edge:%s", edges[k].name);
    if (!wanted(g->id))
        return 0;
    g->seed = 500 + k;
    g->expect_makespan = edges[k].makespan;
    snprintf(g->dumps[0], sizeof g->dumps[0], "%s/edge-%zu.dump", pdb_scratch, k);
    g->ndumps = 1;
    snprintf(g->name, sizeof g->name, "%s (dump %s)", g->id, g->dumps[0]);
    FILE *f = fopen(g->dumps[0], "w");
    if (!f || fputs(edges[k].dump, f) < 0 || fclose(f) != 0)
        FAIL(g, "cannot write the dump");
    return 1;
}

/* Runs wcprof-gen with case k's options into g's dumps. */
static int make_gen(graph *g, size_t k)
{
    const char *const *opt = gen_cases[k].opt;
    int used = snprintf(g->id, sizeof g->id, "gen:");
    size_t ndumps = 1;
    char *argv[20];
    int argc = 0;
    argv[argc++] = (char *)gen_path;
    for (size_t j = 0; opt[j]; j++) {
        used += snprintf(g->id + used, sizeof g->id - (size_t)used, "%s%s", j ? " " : "", opt[j]);
        if (strcmp(opt[j], "--dumps") == 0)
            ndumps = (size_t)atoi(opt[j + 1]);
        argv[argc++] = (char *)opt[j];
    }
    if (!wanted(g->id))
        return 0;
    g->seed = 1000 + k;
    g->expect_makespan = -1;
    char out[560];
    snprintf(out, sizeof out, "%s/gen-%zu.dump", pdb_scratch, k);
    argv[argc++] = "-o";
    argv[argc++] = out;
    argv[argc] = NULL;
    g->ndumps = ndumps;
    for (size_t j = 0; j < ndumps; j++)
        if (ndumps == 1)
            snprintf(g->dumps[j], sizeof g->dumps[j], "%s", out);
        else
            snprintf(g->dumps[j], sizeof g->dumps[j], "%s.%zu", out, j + 1);
    snprintf(g->name, sizeof g->name, "%s (wcprof-gen ... -o %s)", g->id, out);
    int rc = pdb_spawn(argv);
    if (rc != 0)
        FAIL(g, "%s exited with %d", gen_path, rc);
    return 1;
}

/* Calls fn on every graph of the corpus, each ingested into its own
 * database; fails the test at the end when any graph failed. */
static void each_graph(const corpus *c, graph_fn *fn, void *ctx)
{
    long ngraphs = 0;
    graph_failures = 0;
    for (size_t k = 0; k < sizeof edges / sizeof edges[0]; k++) {
        if (c->edges < (edges[k].sync ? 1 : 2))
            continue;
        graph *g = calloc(1, sizeof *g);
        assert_non_null(g);
        if (make_edge(g, k)) {
            ngraphs++;
            run_one(g, fn, ctx);
        }
        free(g);
    }
    for (int fam = 0; fam < 2; fam++)
        for (int seed = 1; seed <= (fam ? c->noverlap : c->nsync); seed++) {
            graph *g = calloc(1, sizeof *g);
            assert_non_null(g);
            if (make_own(g, fam, seed)) {
                ngraphs++;
                run_one(g, fn, ctx);
            }
            free(g);
        }
    for (size_t k = 0; k < sizeof gen_cases / sizeof gen_cases[0]; k++) {
        if (atol(gen_cases[k].opt[1]) > c->gen_max_events || (gen_cases[k].heavy && !c->heavy))
            continue;
        graph *g = calloc(1, sizeof *g);
        assert_non_null(g);
        if (make_gen(g, k)) {
            ngraphs++;
            run_one(g, fn, ctx);
        }
        free(g);
    }
    if (graph_failures)
        fail_msg("%s: %d of %ld graphs failed; the first: %s", prop, graph_failures, ngraphs,
                 first_failure);
}

/* ---- the functions' rows */

typedef struct summary {
    int64_t baseline, makespan, cycles, fallbacks, unfinished;
    double drift;
} summary;

static summary get_summary(graph *g)
{
    sqlite3_stmt *st = prepare(g,
                               "SELECT baseline_ns, makespan_ns, drift_pct, cycles_broken,"
                               " fallback_anchors, unfinished_ops FROM replay_summary(%lld)",
                               (long long)g->run);
    CHECK(g, sqlite3_step(st) == SQLITE_ROW, "replay_summary: no row: %s", sqlite3_errmsg(g->db));
    summary s = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                 sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4),
                 sqlite3_column_int64(st, 5), sqlite3_column_double(st, 2)};
    step_done(g, st, sqlite3_step(st));
    return s;
}

typedef struct whatif_row {
    int64_t baseline, makespan, saved;
} whatif_row;

static whatif_row get_whatif(graph *g, const char *spec)
{
    sqlite3_stmt *st = prepare(g, "SELECT baseline_ns, makespan_ns, saved_ns FROM whatif(%Q, %lld)",
                               spec, (long long)g->run);
    CHECK(g, sqlite3_step(st) == SQLITE_ROW, "whatif(%s): no row: %s", spec, sqlite3_errmsg(g->db));
    whatif_row w = {sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                    sqlite3_column_int64(st, 2)};
    step_done(g, st, sqlite3_step(st));
    return w;
}

typedef struct seg {
    int64_t seq, op;
    int cls; /* index into graph.cls, -1: unknown key */
    char what[8];
    int has_resource;
    int64_t start, end, dur;
} seg;

static seg *get_path(graph *g, const char *spec, size_t *n)
{
    sqlite3_stmt *st = prepare(g,
                               "SELECT seq, op_id, class_key, what, resource, start_ns, end_ns,"
                               " dur_ns FROM critical_path(%Q, %lld)",
                               spec, (long long)g->run);
    seg *v = NULL;
    size_t cap = 0;
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        seg *s = &v[(*n)++];
        s->seq = sqlite3_column_int64(st, 0);
        s->op = sqlite3_column_int64(st, 1);
        const char *key = (const char *)sqlite3_column_text(st, 2);
        s->cls = key ? class_index(g, key) : -1;
        const char *what = (const char *)sqlite3_column_text(st, 3);
        snprintf(s->what, sizeof s->what, "%s", what ? what : "NULL");
        s->has_resource = sqlite3_column_type(st, 4) != SQLITE_NULL;
        s->start = sqlite3_column_int64(st, 5);
        s->end = sqlite3_column_int64(st, 6);
        s->dur = sqlite3_column_int64(st, 7);
    }
    if (rc != SQLITE_DONE)
        free(v);
    step_done(g, st, rc);
    return own(g, v, 0);
}

typedef struct rank_row {
    int cls;
    double factor;
    int64_t saved, total_self, critical, rank;
} rank_row;

/* whatif_rank(factors, min_self, prune) rows; min_self is SQL ("0", "NULL"). */
static rank_row *get_rank(graph *g, const char *factors, const char *min_self, int prune, size_t *n)
{
    sqlite3_stmt *st = prepare(g,
                               "SELECT class_key, factor, saved_ns, total_self_ns, critical_ns,"
                               " rank FROM whatif_rank(%Q, %s, %d, %lld)",
                               factors, min_self, prune, (long long)g->run);
    rank_row *v = NULL;
    size_t cap = 0;
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 64;
            v = realloc(v, cap * sizeof *v);
            assert_non_null(v);
        }
        rank_row *r = &v[(*n)++];
        const char *key = (const char *)sqlite3_column_text(st, 0);
        r->cls = class_index(g, key);
        r->factor = sqlite3_column_double(st, 1);
        r->saved = sqlite3_column_int64(st, 2);
        r->total_self = sqlite3_column_int64(st, 3);
        r->critical = sqlite3_column_int64(st, 4);
        r->rank = sqlite3_column_int64(st, 5);
        if (r->cls < 0) {
            free(v);
            FAIL(g, "whatif_rank names class %s, which class_stats does not have", key);
        }
    }
    if (rc != SQLITE_DONE)
        free(v);
    step_done(g, st, rc);
    return own(g, v, 0);
}

/* The rows of a query as text (pdb_rows); fails the test on an error. */
static char *rows_v(graph *g, sqlite3 *db, const char *fmt, va_list ap)
{
    char *sql = sqlite3_vmprintf(fmt, ap);
    char err[2048];
    char *text = pdb_rows(db, err, sizeof err, "%s", sql);
    sqlite3_free(sql);
    if (!text)
        FAIL(g, "%s", err);
    return own(g, text, 1);
}

static char *rows(graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = rows_v(g, g->db, fmt, ap);
    va_end(ap);
    return text;
}

/* The same, in database db. */
static char *rows_in(graph *g, sqlite3 *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *text = rows_v(g, db, fmt, ap);
    va_end(ap);
    return text;
}

/* A what-if spec as a JSON object (class keys may hold any character). */
static char *spec_of(graph *g, const int *cls, const double *f, size_t n)
{
    json_t *o = json_object();
    for (size_t k = 0; k < n; k++)
        json_object_set_new(o, g->cls[cls[k]].key, json_real(f[k]));
    char *s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    assert_non_null(s);
    return own(g, s, 0);
}

/* Every class at factor f. */
static char *spec_all(graph *g, double f)
{
    int *cls = malloc((g->ncls + 1) * sizeof *cls);
    double *fs = malloc((g->ncls + 1) * sizeof *fs);
    assert_true(cls && fs);
    for (size_t k = 0; k < g->ncls; k++) {
        cls[k] = (int)k;
        fs[k] = f;
    }
    char *s = spec_of(g, cls, fs, g->ncls);
    free(cls);
    free(fs);
    return s;
}

/* One to three classes with self time (any class when none has), each at a
 * factor from {0, 0.25, 0.5, 2, 3}, chosen by the graph's seed. */
static char *spec_random(graph *g, uint64_t salt)
{
    static const double factors[] = {0, 0.25, 0.5, 2, 3};
    pg_rng r = {g->seed * 1000003 + salt};
    int busy[4096];
    size_t nbusy = 0;
    for (size_t k = 0; k < g->ncls && nbusy < 4096; k++)
        if (g->cls[k].total_self > 0)
            busy[nbusy++] = (int)k;
    if (!nbusy)
        busy[nbusy++] = 0;
    int pick[3];
    double f[3];
    size_t n = 1 + (size_t)pg_below(&r, 3);
    if (n > nbusy)
        n = nbusy;
    for (size_t k = 0; k < n; k++) {
        size_t j = k + (size_t)pg_below(&r, nbusy - k);
        int t = busy[k];
        busy[k] = busy[j];
        busy[j] = t;
        pick[k] = busy[k];
        f[k] = factors[pg_below(&r, 5)];
    }
    return spec_of(g, pick, f, n);
}

/* ---- the path check shared by several properties */

static int is_what(const char *w)
{
    return !strcmp(w, "self") || !strcmp(w, "wait") || !strcmp(w, "gap") || !strcmp(w, "offset") ||
           !strcmp(w, "cycle");
}

/* §4: segments in time order, each starting where the previous ended, the
 * first at the first root's start; their lengths add up to makespan. Each
 * names an op of the run and that op's class key. The one exception to time
 * order (model/README.md): a fallback anchor that places an op before the
 * op it is anchored to is an `offset` of negative length, and the path
 * continues from there. */
static void check_path(graph *g, const char *spec, const seg *p, size_t n, int64_t makespan)
{
    const char *label = spec ? spec : "baseline";
    int64_t sum = 0, at = g->first_start;
    for (size_t k = 0; k < n; k++) {
        const seg *s = &p[k];
        CHECK(g, s->seq == p[0].seq + (int64_t)k, "critical_path(%s): row %zu has seq %lld", label,
              k, (long long)s->seq);
        CHECK(g, s->start == at,
              "critical_path(%s): segment seq %lld (%s of op %lld) starts at %lld, the %s at %lld",
              label, (long long)s->seq, s->what, (long long)s->op, (long long)s->start,
              k ? "previous one ended" : "first root started", (long long)at);
        CHECK(g, (s->dur >= 0 || !strcmp(s->what, "offset")) && s->end - s->start == s->dur,
              "critical_path(%s): segment seq %lld (%s of op %lld): [%lld, %lld], dur_ns %lld",
              label, (long long)s->seq, s->what, (long long)s->op, (long long)s->start,
              (long long)s->end, (long long)s->dur);
        CHECK(g, is_what(s->what), "critical_path(%s): segment seq %lld is a '%s'", label,
              (long long)s->seq, s->what);
        CHECK(g, s->has_resource == !strcmp(s->what, "wait"),
              "critical_path(%s): segment seq %lld, a %s, %s a resource", label, (long long)s->seq,
              s->what, s->has_resource ? "has" : "lacks");
        op_info *o = op_find(g, s->op);
        CHECK(g, o != NULL, "critical_path(%s): segment seq %lld names op %lld, not in the run",
              label, (long long)s->seq, (long long)s->op);
        CHECK(g, o->cls == s->cls,
              "critical_path(%s): segment seq %lld names class %s for op %lld of class %s", label,
              (long long)s->seq, s->cls >= 0 ? g->cls[s->cls].key : "(unknown)", (long long)s->op,
              g->cls[o->cls].key);
        sum += s->dur;
        at = s->end;
    }
    CHECK(g, sum == makespan, "critical_path(%s): %zu segments add up to %lld, makespan %lld",
          label, n, (long long)sum, (long long)makespan);
    CHECK(g, at == g->first_start + makespan,
          "critical_path(%s): ends at %lld, the first root's start + makespan is %lld", label,
          (long long)at, (long long)(g->first_start + makespan));
}

/* ---- 1. a synchronous trace replays to its own makespan */

static void sync_baseline(graph *g, void *ctx)
{
    (void)ctx;
    summary s = get_summary(g);
    CHECK(g, s.makespan == g->expect_makespan, "actual makespan %lld, the trace's is %lld",
          (long long)s.makespan, (long long)g->expect_makespan);
    CHECK(g, s.baseline == s.makespan, "baseline %lld != actual makespan %lld",
          (long long)s.baseline, (long long)s.makespan);
    CHECK(g, s.drift == 0, "drift_pct %.17g", s.drift);
    CHECK(g, s.cycles == 0 && s.fallbacks == 0 && s.unfinished == 0,
          "cycles %lld, fallback anchors %lld, unfinished ops %lld (all should be 0)",
          (long long)s.cycles, (long long)s.fallbacks, (long long)s.unfinished);

    char *spec = spec_all(g, 1);
    whatif_row w = get_whatif(g, spec);
    CHECK(g, w.saved == 0 && w.makespan == s.baseline && w.baseline == s.baseline,
          "whatif(every class at 1): baseline %lld, makespan %lld, saved %lld",
          (long long)w.baseline, (long long)w.makespan, (long long)w.saved);
    release(g, spec);

    size_t n;
    rank_row *r = get_rank(g, "[1]", "0", 0, &n);
    CHECK(g, n == g->ncls, "whatif_rank('[1]', 0, 0): %zu rows for %zu classes", n, g->ncls);
    for (size_t k = 0; k < n; k++)
        CHECK(g, r[k].saved == 0, "whatif_rank: %s at factor 1 saves %lld", g->cls[r[k].cls].key,
              (long long)r[k].saved);
    release(g, r);

    /* every op replays to its recorded interval */
    char *drift = rows(g, "SELECT * FROM replay_drift(%lld)", (long long)g->run);
    CHECK(g, !*drift, "replay_drift has rows:\n%s", drift);
    release(g, drift);
    char *bc = rows(g, "SELECT * FROM blocking_chain(1000000, %lld)", (long long)g->run);
    char *sc = rows(g, "SELECT * FROM simulated_chain(1000000, %lld)", (long long)g->run);
    CHECK(g, strcmp(bc, sc) == 0, "simulated_chain differs from blocking_chain:\n%s---\n%s", sc,
          bc);
    release(g, bc);
    release(g, sc);

    seg *p = get_path(g, NULL, &n);
    for (size_t k = 0; k < n; k++)
        CHECK(g, !strcmp(p[k].what, "self") || !strcmp(p[k].what, "gap"),
              "critical path of a synchronous trace has a '%s' segment (seq %lld, op %lld)",
              p[k].what, (long long)p[k].seq, (long long)p[k].op);
    check_path(g, NULL, p, n, s.baseline);
    release(g, p);
}

static void test_sync_baseline(void **state)
{
    (void)state;
    prop = "prop.sync_baseline";
    corpus c = {.edges = 1, .nsync = 200};
    each_graph(&c, sync_baseline, NULL);
    pdb_passed = 1;
}

/* ---- 2. the critical path is an exact decomposition of the makespan */

/* What the graphs exercised: printed, so that a corpus that stopped
 * reaching a rule shows. */
typedef struct tally {
    long graphs, cycles, fallbacks, unfinished, drifting, saving;
    long what[5]; /* segments: self, wait, gap, offset, cycle */
} tally;

static void count_path(tally *t, const seg *p, size_t n)
{
    static const char *const names[] = {"self", "wait", "gap", "offset", "cycle"};
    for (size_t k = 0; k < n; k++)
        for (int w = 0; w < 5; w++)
            t->what[w] += !strcmp(p[k].what, names[w]);
}

static void critical_path(graph *g, void *ctx)
{
    tally *t = ctx;
    summary s = get_summary(g);
    size_t n;
    seg *p = get_path(g, NULL, &n);
    check_path(g, NULL, p, n, s.baseline);
    t->graphs++;
    t->cycles += s.cycles > 0;
    t->fallbacks += s.fallbacks > 0;
    t->unfinished += s.unfinished > 0;
    t->drifting += s.baseline != s.makespan;
    count_path(t, p, n);
    /* baseline self segments of an op never exceed its self time */
    for (size_t k = 0; k < g->nops; k++)
        g->ops[k].acc = 0;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(p[k].what, "self"))
            op_find(g, p[k].op)->acc += p[k].dur;
    for (size_t k = 0; k < g->nops; k++)
        CHECK(g, g->ops[k].acc <= g->ops[k].self,
              "critical_path: op %lld has %lld ns of self segments, self time %lld",
              (long long)g->ops[k].id, (long long)g->ops[k].acc, (long long)g->ops[k].self);
    release(g, p);

    char *specs[3] = {spec_random(g, 1), spec_random(g, 2), spec_all(g, 0)};
    for (int k = 0; k < 3; k++) {
        whatif_row w = get_whatif(g, specs[k]);
        CHECK(g, w.baseline == s.baseline, "whatif(%s): baseline %lld, replay_summary's %lld",
              specs[k], (long long)w.baseline, (long long)s.baseline);
        CHECK(g, w.saved == w.baseline - w.makespan, "whatif(%s): saved %lld != %lld - %lld",
              specs[k], (long long)w.saved, (long long)w.baseline, (long long)w.makespan);
        t->saving += k < 2 && w.saved != 0;
        p = get_path(g, specs[k], &n);
        check_path(g, specs[k], p, n, w.makespan);
        count_path(t, p, n);
        if (k == 2) /* everything at 0: no self time is left on the path */
            for (size_t j = 0; j < n; j++)
                CHECK(g, strcmp(p[j].what, "self") || p[j].dur == 0,
                      "critical_path(every class at 0): self segment seq %lld lasts %lld",
                      (long long)p[j].seq, (long long)p[j].dur);
        release(g, p);
        release(g, specs[k]);
    }
}

static void test_critical_path(void **state)
{
    (void)state;
    prop = "prop.critical_path";
    corpus c = {.edges = 2, .nsync = 40, .noverlap = 200, .gen_max_events = 1000000, .heavy = 1};
    tally t = {0};
    each_graph(&c, critical_path, &t);
    printf("%ld graphs: with cycles broken %ld, fallback anchors %ld, unfinished ops %ld, "
           "baseline != actual %ld, a random what-if saving != 0 %ld; path segments: self %ld, "
           "wait %ld, gap %ld, offset %ld, cycle %ld\n",
           t.graphs, t.cycles, t.fallbacks, t.unfinished, t.drifting, t.saving, t.what[0],
           t.what[1], t.what[2], t.what[3], t.what[4]);
    pdb_passed = 1;
}

/* ---- 3. saved(K, 0) <= critical time of K */

static void critical_bound(graph *g, void *ctx)
{
    (void)ctx;
    size_t n, np;
    seg *p = get_path(g, NULL, &np);
    int64_t *crit = own_calloc(g, g->ncls + 1, sizeof *crit);
    int *seen = own_calloc(g, g->ncls + 1, sizeof *seen);
    for (size_t k = 0; k < np; k++)
        if (!strcmp(p[k].what, "self") && p[k].cls >= 0)
            crit[p[k].cls] += p[k].dur;
    release(g, p);
    rank_row *r = get_rank(g, "[0]", "0", 0, &n);
    CHECK(g, n == g->ncls, "whatif_rank('[0]', 0, 0): %zu rows for %zu classes", n, g->ncls);
    for (size_t k = 0; k < n; k++) {
        const char *key = g->cls[r[k].cls].key;
        CHECK(g, !seen[r[k].cls], "whatif_rank('[0]'): two rows for %s", key);
        seen[r[k].cls] = 1;
        CHECK(g, r[k].factor == 0, "whatif_rank('[0]'): factor %g", r[k].factor);
        CHECK(g, r[k].total_self == g->cls[r[k].cls].total_self,
              "%s: total_self_ns %lld, class_stats says %lld", key, (long long)r[k].total_self,
              (long long)g->cls[r[k].cls].total_self);
        CHECK(g, r[k].critical == crit[r[k].cls],
              "%s: critical_ns %lld, its self segments on critical_path add up to %lld", key,
              (long long)r[k].critical, (long long)crit[r[k].cls]);
        CHECK(g, r[k].critical <= r[k].total_self, "%s: critical_ns %lld > total self %lld", key,
              (long long)r[k].critical, (long long)r[k].total_self);
        CHECK(g, r[k].saved <= r[k].critical, "%s: saved(0) = %lld > critical time %lld", key,
              (long long)r[k].saved, (long long)r[k].critical);
    }
    release(g, r);
    release(g, crit);
    release(g, seen);
}

static void test_critical_bound(void **state)
{
    (void)state;
    prop = "prop.critical_bound";
    corpus c = {.edges = 2, .nsync = 20, .noverlap = 150, .gen_max_events = 1000000, .heavy = 1};
    each_graph(&c, critical_bound, NULL);
    pdb_passed = 1;
}

/* ---- 4. savings are monotone in the factor */

static const double ladder[] = {0, 0.25, 0.5, 0.9, 1, 1.5, 3};
enum { NLADDER = sizeof ladder / sizeof ladder[0] };

static void monotone(graph *g, void *ctx)
{
    (void)ctx;
    size_t n;
    rank_row *r = get_rank(g, "[0,0.25,0.5,0.9,1,1.5,3]", "0", 0, &n);
    CHECK(g, n == g->ncls * NLADDER, "whatif_rank: %zu rows for %zu classes x %d factors", n,
          g->ncls, NLADDER);
    int64_t *saved = own_calloc(g, g->ncls * NLADDER, sizeof *saved);
    char *have = own_calloc(g, g->ncls * NLADDER, 1);
    for (size_t k = 0; k < n; k++) {
        int f = 0;
        while (f < NLADDER && fabs(r[k].factor - ladder[f]) > 1e-12)
            f++;
        CHECK(g, f < NLADDER, "whatif_rank: a row for factor %.17g", r[k].factor);
        size_t at = (size_t)r[k].cls * NLADDER + (size_t)f;
        CHECK(g, !have[at], "whatif_rank: two rows for %s at %g", g->cls[r[k].cls].key, ladder[f]);
        have[at] = 1;
        saved[at] = r[k].saved;
    }
    for (size_t c = 0; c < g->ncls; c++) {
        const int64_t *v = &saved[c * NLADDER];
        for (int f = 0; f < NLADDER; f++)
            CHECK(g, have[c * NLADDER + (size_t)f], "whatif_rank: no row for %s at %g",
                  g->cls[c].key, ladder[f]);
        for (int f = 1; f < NLADDER; f++)
            CHECK(g, v[f] <= v[f - 1], "%s: saved %lld at factor %g but %lld at %g", g->cls[c].key,
                  (long long)v[f], ladder[f], (long long)v[f - 1], ladder[f - 1]);
        CHECK(g, v[4] == 0, "%s: saved %lld at factor 1", g->cls[c].key, (long long)v[4]);
        CHECK(g, v[5] <= 0 && v[6] <= 0, "%s: saved %lld at 1.5, %lld at 3", g->cls[c].key,
              (long long)v[5], (long long)v[6]);
    }
    release(g, saved);
    release(g, have);
    release(g, r);
}

static void test_monotone(void **state)
{
    (void)state;
    prop = "prop.monotone";
    corpus c = {.edges = 2, .nsync = 10, .noverlap = 100, .gen_max_events = 20000};
    each_graph(&c, monotone, NULL);
    pdb_passed = 1;
}

/* ---- 5. pruning changes no number */

/* The first line where two texts differ, for the message. */
static void first_difference(const char *a, const char *b, char *out, size_t n)
{
    size_t line = 1;
    const char *la = a, *lb = b;
    while (*a && *a == *b) {
        if (*a == '\n') {
            line++;
            la = a + 1;
            lb = b + 1;
        }
        a++;
        b++;
    }
    snprintf(out, n, "row %zu: '%.*s' vs '%.*s'", line, (int)strcspn(la, "\n"), la,
             (int)strcspn(lb, "\n"), lb);
}

static void prune(graph *g, void *ctx)
{
    (void)ctx;
    static const char *const factor_sets[] = {"[0,0.5,0.9,1.5,3]", NULL};
    static const char *const min_selfs[] = {"0", "NULL"};
    for (int k = 0; k < 2; k++) {
        char *on = rows(g, "SELECT * FROM whatif_rank(%Q, %s, 1, %lld)", factor_sets[k],
                        min_selfs[k], (long long)g->run);
        char *off = rows(g, "SELECT * FROM whatif_rank(%Q, %s, 0, %lld)", factor_sets[k],
                         min_selfs[k], (long long)g->run);
        char diff[1024];
        if (strcmp(on, off) != 0) {
            first_difference(on, off, diff, sizeof diff);
            FAIL(g, "whatif_rank(%s, %s): prune on and off differ at %s",
                 factor_sets[k] ? factor_sets[k] : "NULL", min_selfs[k], diff);
        }
        CHECK(g, k == 1 || *on || g->ncls == 0, "whatif_rank(%s, 0): no rows", factor_sets[k]);
        release(g, on);
        release(g, off);
    }
}

static void test_prune(void **state)
{
    (void)state;
    prop = "prop.prune";
    corpus c = {.edges = 2, .nsync = 10, .noverlap = 100, .gen_max_events = 20000, .heavy = 1};
    each_graph(&c, prune, NULL);
    pdb_passed = 1;
}

/* ---- the top N alone: whatif_rank(...) WHERE rank <= N ranks the top N
 * without replaying every class (model/whatif.c, rank_top_bounded); its rows
 * must be exactly the full ranking's first N (+rank: no constraint passed
 * down, every class replayed). */

static void top_n(graph *g, void *ctx)
{
    (void)ctx;
    /* middle factors 0.5, 0.25, 0.95 (bounded), 1 and 1.5 (not) */
    static const char *const factor_sets[] = {"[0,0.5,0.9]", "[0.25]", "[0.9,0.95,1.2]",
                                              "[0,1,1.5]", "[0.5,1.5,3]"};
    static const int tops[] = {1, 2, 3, 5, 8, 20};
    for (size_t k = 0; k < sizeof factor_sets / sizeof *factor_sets; k++)
        for (size_t t = 0; t < sizeof tops / sizeof *tops; t++) {
            const char *min_self = t % 2 ? "NULL" : "0";
            char *top = rows(g, "SELECT * FROM whatif_rank(%Q, %s, 1, %lld) WHERE rank <= %d",
                             factor_sets[k], min_self, (long long)g->run, tops[t]);
            char *full = rows(g, "SELECT * FROM whatif_rank(%Q, %s, 1, %lld) WHERE +rank <= %d",
                              factor_sets[k], min_self, (long long)g->run, tops[t]);
            char diff[1024];
            if (strcmp(top, full) != 0) {
                first_difference(top, full, diff, sizeof diff);
                FAIL(g,
                     "whatif_rank(%s, %s) top %d: the top alone and the full ranking differ at %s",
                     factor_sets[k], min_self, tops[t], diff);
            }
            release(g, top);
            release(g, full);
        }
}

static void test_top_n(void **state)
{
    (void)state;
    prop = "prop.top_n";
    corpus c = {.edges = 2, .nsync = 10, .noverlap = 100, .gen_max_events = 20000, .heavy = 1};
    each_graph(&c, top_n, NULL);
    pdb_passed = 1;
}

/* ---- 6. determinism */

/* Every function's rows, run given explicitly. */
static char *all_rows(graph *g, sqlite3 *db, int64_t run, const char *spec)
{
    static const char *const queries[] = {
        "SELECT * FROM replay_summary(%lld)",
        "SELECT * FROM whatif(%Q, %lld)",
        "SELECT * FROM whatif_rank(NULL, NULL, NULL, %lld)",
        "SELECT * FROM whatif_rank('[0,0.5,1.5]', 0, 1, %lld)",
        "SELECT * FROM whatif_rank('[0.25,3]', 0, 0, %lld)",
        "SELECT * FROM critical_path(NULL, %lld)",
        "SELECT * FROM critical_path(%Q, %lld)",
        "SELECT * FROM blocking_chain(NULL, %lld)",
        "SELECT * FROM blocking_chain(100000, %lld)",
        "SELECT * FROM simulated_chain(NULL, %lld)",
        "SELECT * FROM simulated_chain(100000, %lld)",
        "SELECT * FROM dead_air(NULL, %lld)",
        "SELECT * FROM dead_air(1, %lld)",
        "SELECT * FROM replay_drift(%lld)",
    };
    char *all = own(g, sqlite3_mprintf("%s", ""), 1);
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        char *r = strstr(queries[k], "%Q") ? rows_in(g, db, queries[k], spec, (long long)run)
                                           : rows_in(g, db, queries[k], (long long)run);
        char *next = own(g, sqlite3_mprintf("%s-- %s\n%s", all, queries[k], r), 1);
        release(g, all);
        release(g, r);
        all = next;
    }
    return all;
}

static void determinism(graph *g, void *ctx)
{
    const char *decoy = ctx;
    char *spec = spec_random(g, 3);
    char *a = all_rows(g, g->db, g->run, spec);
    char diff[1024];
    if (strncmp(g->id, "gen:", 4) != 0) { /* asked twice (not on the big ones: time) */
        char *again = all_rows(g, g->db, g->run, spec);
        if (strcmp(a, again) != 0) {
            first_difference(a, again, diff, sizeof diff);
            FAIL(g, "the same queries on the same database differ the second time: %s", diff);
        }
        release(g, again);
    }
    /* the default run is the latest one: this one */
    static const char *const dflt_q[] = {"SELECT * FROM replay_summary",
                                         "SELECT * FROM critical_path"};
    for (int k = 0; k < 2; k++) {
        char *dflt = rows(g, "%s", dflt_q[k]);
        char *expl = rows(g, "%s WHERE run = %lld", dflt_q[k], (long long)g->run);
        CHECK(g, strcmp(dflt, expl) == 0, "%s: the default run gives other rows than run %lld",
              dflt_q[k], (long long)g->run);
        release(g, dflt);
        release(g, expl);
    }

    /* a second database, where another run came first */
    char err[1024], dbpath[700];
    snprintf(dbpath, sizeof dbpath, "%s/second.db", pdb_scratch);
    unlink(dbpath);
    const char *first[] = {decoy};
    int64_t decoy_run, run;
    sqlite3 *db = g->db2 = pdb_ingest(dbpath, first, 1, &decoy_run, err, sizeof err);
    CHECK(g, db != NULL, "ingest of the decoy %s: %s", decoy, err);
    const char *dumps[8];
    for (size_t k = 0; k < g->ndumps; k++)
        dumps[k] = g->dumps[k];
    CHECK(g, pdb_load(db, dumps, g->ndumps, &run, err, sizeof err) == 0, "second ingest: %s", err);
    CHECK(g, run != decoy_run, "the dump merged into the decoy's run");
    CHECK(g, wcprof_register_extension(db) == SQLITE_OK, "wcprof_register_extension");
    char *b = all_rows(g, db, run, spec);
    if (strcmp(a, b) != 0) {
        first_difference(a, b, diff, sizeof diff);
        FAIL(g, "run %lld of a second database gives other rows than run %lld of the first: %s",
             (long long)run, (long long)g->run, diff);
    }
    sqlite3_close(db);
    g->db2 = NULL;
    unlink(dbpath);
    release(g, a);
    release(g, b);
    release(g, spec);
}

static void test_determinism(void **state)
{
    (void)state;
    prop = "prop.determinism";
    char decoy[600];
    snprintf(decoy, sizeof decoy, "%s/decoy.dump", pdb_scratch);
    pg_graph pg;
    pg_init(&pg);
    pg_gen_overlap(&pg, 424242, 300);
    assert_int_equal(pg_write(&pg, decoy, 1), 0);
    pg_free(&pg);
    corpus c = {.edges = 2, .nsync = 10, .noverlap = 60, .gen_max_events = 1000000};
    each_graph(&c, determinism, decoy);
    unlink(decoy);
    pdb_passed = 1;
}

/* ---- whatif and whatif_rank agree; the ranking's order */

typedef struct ranked {
    int cls;
    int64_t saved[3]; /* at 0, 0.5, 0.9 */
    int64_t rank;
    int rows;
} ranked;

static int cmp_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    return (a->rank > b->rank) - (a->rank < b->rank);
}

static void whatif_consistent(graph *g, void *ctx)
{
    (void)ctx;
    static const double dflt[] = {0, 0.5, 0.9};
    summary s = get_summary(g);
    size_t n;
    rank_row *r = get_rank(g, NULL, "NULL", 1, &n);
    /* default: factors 0, 0.5, 0.9 for every class with >= 1 ms of self time */
    ranked *by = own_calloc(g, g->ncls + 1, sizeof *by);
    for (size_t k = 0; k < g->ncls; k++)
        by[k].cls = (int)k;
    for (size_t k = 0; k < n; k++) {
        const rank_row *x = &r[k];
        int f = 0;
        while (f < 3 && x->factor != dflt[f])
            f++;
        CHECK(g, f < 3, "whatif_rank(): a row for factor %.17g", x->factor);
        ranked *c = &by[x->cls];
        CHECK(g, c->rows == 0 || c->rank == x->rank, "whatif_rank(): %s has ranks %lld and %lld",
              g->cls[x->cls].key, (long long)c->rank, (long long)x->rank);
        c->saved[f] = x->saved;
        c->rank = x->rank;
        c->rows |= 1 << f;
    }
    size_t nbig = 0;
    for (size_t k = 0; k < g->ncls; k++) {
        int big = g->cls[k].total_self >= 1000000;
        nbig += big;
        CHECK(g, by[k].rows == (big ? 7 : 0), "whatif_rank(): %s, %lld ns self, has rows %s",
              g->cls[k].key, (long long)g->cls[k].total_self,
              by[k].rows == 7 ? "for every factor"
              : by[k].rows    ? "for some factors"
                              : "for none");
    }
    CHECK(g, n == 3 * nbig, "whatif_rank(): %zu rows for %zu classes", n, nbig);
    /* ranks 1, 2, ... by saving at the middle factor (0.5), ties by class key */
    qsort(by, g->ncls, sizeof *by, cmp_ranked);
    ranked *top = by + (g->ncls - nbig); /* classes without rows sort first (rank 0) */
    for (size_t k = 0; k < nbig; k++) {
        CHECK(g, top[k].rank == (int64_t)k + 1, "whatif_rank(): ranks are not 1..%zu (%lld)", nbig,
              (long long)top[k].rank);
        if (k)
            CHECK(g,
                  top[k - 1].saved[1] > top[k].saved[1] ||
                      (top[k - 1].saved[1] == top[k].saved[1] &&
                       strcmp(g->cls[top[k - 1].cls].key, g->cls[top[k].cls].key) < 0),
                  "whatif_rank(): %s (saved %lld at 0.5) ranked before %s (saved %lld)",
                  g->cls[top[k - 1].cls].key, (long long)top[k - 1].saved[1],
                  g->cls[top[k].cls].key, (long long)top[k].saved[1]);
    }
    /* whatif() for the top class and one more agrees with the ranking */
    pg_rng rng = {g->seed};
    size_t picks[2] = {0, (size_t)pg_below(&rng, nbig)};
    for (int p = 0; p < 2 && nbig; p++)
        for (int f = 0; f < 3; f++) {
            const ranked *x = &top[picks[p]];
            char *spec = spec_of(g, &x->cls, &dflt[f], 1);
            whatif_row w = get_whatif(g, spec);
            CHECK(g, w.baseline == s.baseline && w.saved == x->saved[f],
                  "whatif(%s): baseline %lld saved %lld; whatif_rank: saved %lld, "
                  "replay_summary: baseline %lld",
                  spec, (long long)w.baseline, (long long)w.saved, (long long)x->saved[f],
                  (long long)s.baseline);
            release(g, spec);
        }
    release(g, by);
    release(g, r);
}

static void test_whatif_consistent(void **state)
{
    (void)state;
    prop = "prop.whatif_consistent";
    corpus c = {.edges = 2, .nsync = 10, .noverlap = 60, .gen_max_events = 1000000};
    each_graph(&c, whatif_consistent, NULL);
    pdb_passed = 1;
}

/* ---- 8. the breakdown (§7.1) adds up exactly, and its self is the op's self time */

static void breakdown(graph *g, void *ctx)
{
    (void)ctx;
    long long run = (long long)g->run;
    /* every op: its parts add up to its duration, none is negative, self
     * is its self_ns, and each state is listed once */
    char *bad = rows(g,
                     "SELECT o.id, o.end_ns - o.start_ns, o.self_ns,"
                     " (SELECT sum(dur_ns) || ' ' || min(dur_ns) || ' ' || count(*) || ' '"
                     "  || count(DISTINCT state) FROM op_breakdown(o.id, %lld)),"
                     " (SELECT dur_ns FROM op_breakdown(o.id, %lld) WHERE state = 'self')"
                     " FROM ops o WHERE o.run_id = %lld AND ("
                     " (SELECT sum(dur_ns) FROM op_breakdown(o.id, %lld)) != o.end_ns - o.start_ns"
                     " OR (SELECT min(dur_ns) FROM op_breakdown(o.id, %lld)) < 0"
                     " OR (SELECT count(*) - count(DISTINCT state) FROM op_breakdown(o.id, %lld))"
                     " OR (SELECT dur_ns FROM op_breakdown(o.id, %lld) WHERE state = 'self')"
                     "    != o.self_ns) LIMIT 3",
                     run, run, run, run, run, run, run);
    CHECK(g, !*bad,
          "op_breakdown does not add up (id, duration, self_ns, sum min n states, self): %s", bad);
    /* per class and per root: the parts add up to the group's durations,
     * self to the group's self time, and every op is in one class and one
     * root */
    for (int k = 0; k < 2; k++) {
        const char *scope = k ? "root" : "class";
        char *sums =
            rows(g,
                 "SELECT (SELECT sum(total_ns) FROM class_breakdown(%lld) WHERE scope = '%s'),"
                 " (SELECT sum(total_ns) FROM class_breakdown(%lld) WHERE scope = '%s'"
                 "  AND state = 'self'),"
                 " (SELECT sum(ops) FROM class_breakdown(%lld) WHERE scope = '%s'"
                 "  AND seq = 1)",
                 run, scope, run, scope, run, scope);
        char *want = rows(g,
                          "SELECT sum(end_ns - start_ns), sum(self_ns), count(*) FROM ops"
                          " WHERE run_id = %lld",
                          run);
        CHECK(g, !strcmp(sums, want),
              "class_breakdown scope %s: total, self, ops = %s; the ops say %s", scope, sums, want);
    }
}

static void test_breakdown(void **state)
{
    (void)state;
    prop = "prop.breakdown";
    corpus c = {.edges = 2, .nsync = 5, .noverlap = 25, .gen_max_events = 5000};
    each_graph(&c, breakdown, NULL);
    pdb_passed = 1;
}

/* ---- 9. related_ops (§7.4): every tie has its inverse, and breadth first */

static void related(graph *g, void *ctx)
{
    (void)ctx;
    long long run = (long long)g->run;
    /* B tied to A at depth 1 <=> A tied to B at depth 1 (the first ops and
     * a spread of the others, as every op would be slow on large graphs) */
    const char *some = "SELECT id FROM ops WHERE run_id = %lld AND (id %% 7 = 0 OR id < 40)";
    char *sql = sqlite3_mprintf(
        "SELECT a.id, r.op_id, r.tie FROM (%s) a, related_ops(a.id, 1, %lld) r"
        " WHERE r.depth = 1 AND NOT EXISTS (SELECT 1 FROM related_ops(r.op_id, 1, %lld) s"
        " WHERE s.op_id = a.id AND s.depth = 1) LIMIT 3",
        some, run, run, run);
    char *bad = rows(g, sql, run);
    sqlite3_free(sql);
    CHECK(g, !*bad, "related_ops is not symmetric (a, b tied at depth 1, tie): %s", bad);
    /* depth 3: each op once, its via one step nearer, the op itself alone at 0 */
    sql = sqlite3_mprintf(
        "SELECT a.id, r.op_id, r.depth, r.via_id FROM (%s) a, related_ops(a.id, 3, %lld) r"
        " WHERE (r.depth = 0) != (r.op_id = a.id) OR (r.depth > 0 AND NOT EXISTS"
        " (SELECT 1 FROM related_ops(a.id, 3, %lld) v WHERE v.op_id = r.via_id"
        "  AND v.depth = r.depth - 1)) OR (SELECT count(*) FROM related_ops(a.id, 3, %lld) x"
        " WHERE x.op_id = r.op_id) != 1 LIMIT 3",
        some, run, run, run);
    bad = rows(g, sql, run);
    sqlite3_free(sql);
    CHECK(g, !*bad, "related_ops is not breadth first (a, op, depth, via): %s", bad);
}

static void test_related(void **state)
{
    (void)state;
    prop = "prop.related";
    corpus c = {.edges = 2, .nsync = 5, .noverlap = 15, .gen_max_events = 2000};
    each_graph(&c, related, NULL);
    pdb_passed = 1;
}

/* ---- 10. MMU (§7.3) equals a brute-force window scan over u's steps */

typedef struct ustep {
    int64_t a, b;
    double u;
} ustep;

/* the mean of u over [x, x + w], summing every step's overlap */
static double brute_mean(const ustep *st, size_t n, int64_t x, int64_t w)
{
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t a = st[k].a > x ? st[k].a : x, b = st[k].b < x + w ? st[k].b : x + w;
        if (b > a)
            sum += st[k].u * (double)(b - a);
    }
    return sum / (double)w;
}

static double scalar(graph *g, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = prepare(g, "%s", sql);
    sqlite3_free(sql);
    int rc = sqlite3_step(st);
    double v = rc == SQLITE_ROW ? sqlite3_column_double(st, 0) : -1;
    if (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    step_done(g, st, rc);
    return v;
}

static void mmu_brute(graph *g, void *ctx)
{
    (void)ctx;
    long long run = (long long)g->run;
    sqlite3_stmt *st =
        prepare(g, "SELECT start_ns, end_ns, utilization FROM utilization(NULL, NULL, %lld)", run);
    size_t n = 0, cap = 0;
    ustep *steps = NULL;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            steps = realloc(steps, cap * sizeof *steps);
            assert_non_null(steps);
        }
        steps[n++] = (ustep){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                             sqlite3_column_double(st, 2)};
    }
    step_done(g, st, rc);
    own(g, steps, 0);
    if (n == 0)
        return;
    int64_t t0 = steps[0].a, t1 = steps[n - 1].b, span = t1 - t0;
    for (size_t k = 1; k < n; k++)
        CHECK(g, steps[k].a == steps[k - 1].b, "utilization: step %zu starts at %lld, not %lld", k,
              (long long)steps[k].a, (long long)steps[k - 1].b);
    int64_t widths[] = {1000, span / 97 + 1, span / 7 + 1, span / 2 + 1, span};
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        int64_t w = widths[wi] < span ? widths[wi] : span;
        if (w < 1)
            continue;
        double best = 2, worst = -1;
        /* every step boundary as a window's start or end, and a grid */
        for (size_t k = 0; k <= 2 * n + 1 + 400; k++) {
            int64_t x = k < n           ? steps[k].a
                        : k < 2 * n     ? steps[k - n].b - w
                        : k < 2 * n + 1 ? t1 - w
                                        : t0 + (span - w) / 400 * (int64_t)(k - 2 * n - 1);
            if (x < t0 || x > t1 - w)
                continue;
            double m = brute_mean(steps, n, x, w);
            best = m < best ? m : best;
            worst = m > worst ? m : worst;
        }
        double mmu = scalar(g, "SELECT mmu FROM mmu(%lld, NULL, %lld)", (long long)w, run);
        CHECK(g, fabs(mmu - best) <= 1e-9, "mmu(%lld) = %.12f, the brute-force scan says %.12f",
              (long long)w, mmu, best);
        double at = scalar(g, "SELECT at_ns FROM mmu(%lld, NULL, %lld)", (long long)w, run);
        CHECK(g, fabs(brute_mean(steps, n, (int64_t)at, w) - mmu) <= 1e-9,
              "mmu(%lld): the window at %.0f has mean %.12f, not %.12f", (long long)w, at,
              brute_mean(steps, n, (int64_t)at, w), mmu);
        double q0 = scalar(g, "SELECT utilization FROM mud(%lld, NULL, %lld) WHERE quantile = 0",
                           (long long)w, run);
        double q1 = scalar(g, "SELECT utilization FROM mud(%lld, NULL, %lld) WHERE quantile = 1",
                           (long long)w, run);
        CHECK(g, fabs(q0 - best) <= 1e-9 && fabs(q1 - worst) <= 1e-9,
              "mud(%lld): quantiles 0 and 1 are %.12f and %.12f, the scan's min and max %.12f and "
              "%.12f",
              (long long)w, q0, q1, best, worst);
        char *bad = rows(g,
                         "SELECT a.rank, b.rank FROM (SELECT DISTINCT rank, start_ns, utilization"
                         " FROM worst_windows(%lld, 4, NULL, %lld)) a, (SELECT DISTINCT rank,"
                         " start_ns, utilization FROM worst_windows(%lld, 4, NULL, %lld)) b"
                         " WHERE a.rank < b.rank AND (abs(a.start_ns - b.start_ns) < %lld"
                         " OR a.utilization > b.utilization + 1e-12)",
                         (long long)w, run, (long long)w, run, (long long)w);
        CHECK(g, !*bad, "worst_windows(%lld): overlapping or out of order: %s", (long long)w, bad);
        double first =
            scalar(g, "SELECT utilization FROM worst_windows(%lld, 1, NULL, %lld) LIMIT 1",
                   (long long)w, run);
        CHECK(g, fabs(first - mmu) <= 1e-9,
              "worst_windows(%lld): the first has mean %.12f, mmu %.12f", (long long)w, first, mmu);
    }
}

static void test_mmu_brute(void **state)
{
    (void)state;
    prop = "prop.mmu_brute";
    corpus c = {.edges = 2, .nsync = 5, .noverlap = 40, .gen_max_events = 2000};
    each_graph(&c, mmu_brute, NULL);
    pdb_passed = 1;
}

/* ---- main */

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: test_props PATH-TO-wcprof-gen [PROPERTY]\n");
        return 2;
    }
    gen_path = argv[1];
    const struct CMUnitTest all[] = {
        cmocka_unit_test_setup_teardown(test_sync_baseline, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_critical_path, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_critical_bound, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_monotone, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_prune, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_top_n, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_determinism, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_whatif_consistent, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_breakdown, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_related, pdb_setup, pdb_teardown),
        cmocka_unit_test_setup_teardown(test_mmu_brute, pdb_setup, pdb_teardown),
    };
    if (argc == 3) {
        static char name[128];
        snprintf(name, sizeof name, "test_%s", argv[2]);
        size_t k = 0;
        while (k < sizeof all / sizeof all[0] && strcmp(all[k].name, name) != 0)
            k++;
        if (k == sizeof all / sizeof all[0]) {
            fprintf(stderr, "test_props: no property %s\n", argv[2]);
            return 2;
        }
        cmocka_set_test_filter(name);
    }
    return cmocka_run_group_tests_name("prop", all, NULL, NULL);
}
