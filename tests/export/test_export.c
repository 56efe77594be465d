/* test_export.c - the exports (export/: chrome, folded, coz) read back and checked
 * against what the analyses say, on one dump:
 *
 *   test_export DUMP
 *
 * DUMP is loaded into a scratch database (tests/properties' pdb_ingest),
 * the extension registered, and each cmocka test reads one export back:
 *
 *   chrome          valid JSON (jansson); every op exactly once, at its
 *                   recorded times; ts + dur, added in doubles as viewers
 *                   do, is the ts a slice starting at that end has; on
 *                   every (pid, tid) the slices nest
 *                   strictly; every resource wait a slice; every flow one
 *                   "s" and one "f", in time order, each inside a slice of
 *                   its lane, and flows + flows shown by nesting + flows left
 *                   out = the waits on other ops; a lane named "thread N"
 *                   holds only ops recorded on thread N; the critical path
 *                   lane tiles the baseline makespan, segment by segment;
 *                   dropped events are said (otherData, the process name)
 *   chrome_whatif   whatif=KEY=0.5 (the best-ranked class): a second process
 *                   "what-if: ...", nesting strictly, whose critical path
 *                   tiles whatif()'s makespan; the JSON form of the spec,
 *                   quoted (whatif='{...}'), gives the same replay
 *   folded_*        self, wall and critical: lines in strictly increasing
 *                   byte order, weights > 0, and exactly the stacks and
 *                   weights computed here from ops and critical_path()
 *   coz             per class of whatif_rank(), in rank order, 21
 *                   experiments at speedups 0, 0.05, ..., 1, each with one
 *                   throughput point of delta 1, duration = baseline -
 *                   whatif('KEY=1-s').saved_ns, so Coz's curve is
 *                   saved / baseline; by default the first 20, top=0 all,
 *                   top=2 the first two
 *   file            a file export holds exactly the text export, its size
 *                   is what the function returns; a failed export leaves
 *                   the file it would have replaced as it was, and no
 *                   temporary file
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdb.h"
#include "wcprof_ext.h"

#define N_TESTS 7

static const char *dump;
static sqlite3 *db;
static int64_t run, baseline;
static int passed;

/* ---- plumbing */

static sqlite3_stmt *prep(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *sql = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    sqlite3_stmt *st = NULL;
    if (!sql || sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql ? sql : "out of memory", sqlite3_errmsg(db));
    sqlite3_free(sql);
    return st;
}

static int64_t one_int(const char *fmt, const char *arg)
{
    sqlite3_stmt *st = prep(fmt, arg);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s: no row (%s)", fmt, sqlite3_errmsg(db));
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* wcprof_export(format, NULL, options): the text, malloc'd. */
static char *export_text(const char *format, const char *options)
{
    sqlite3_stmt *st = prep("SELECT wcprof_export(%Q, NULL, %Q)", format, options);
    if (sqlite3_step(st) != SQLITE_ROW)
        fail_msg("wcprof_export(%s, NULL, %s): %s", format, options ? options : "NULL",
                 sqlite3_errmsg(db));
    char *s = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return s;
}

/* ---- the ops, and their stacks as the folded format writes them */

typedef struct op {
    int64_t id, parent, start, end, self, thread; /* parent 0: a root */
    int has_thread;
    char *key;
} op;

static op *ops;
static size_t n_ops;

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const op *)a)->id, y = ((const op *)b)->id;
    return x < y ? -1 : x > y;
}

static op *find_op(int64_t id)
{
    op k = {.id = id};
    return bsearch(&k, ops, n_ops, sizeof *ops, by_id);
}

static void load_ops(void)
{
    sqlite3_stmt *st =
        prep("SELECT o.id, coalesce(o.parent_id, 0), o.start_ns, o.end_ns, o.self_ns,"
             " o.thread_id, k.value || ':' || c.value FROM ops o"
             " JOIN strings k ON k.id = o.kind JOIN strings c ON c.id = o.class_id"
             " WHERE o.run_id = %lld ORDER BY o.id",
             (long long)run);
    while (sqlite3_step(st) == SQLITE_ROW) {
        ops = realloc(ops, (n_ops + 1) * sizeof *ops);
        op *o = &ops[n_ops++];
        *o = (op){sqlite3_column_int64(st, 0),
                  sqlite3_column_int64(st, 1),
                  sqlite3_column_int64(st, 2),
                  sqlite3_column_int64(st, 3),
                  sqlite3_column_int64(st, 4),
                  sqlite3_column_int64(st, 5),
                  sqlite3_column_type(st, 5) != SQLITE_NULL,
                  strdup((const char *)sqlite3_column_text(st, 6))};
    }
    sqlite3_finalize(st);
}

/* The frame: ';' as ',', tabs and line breaks as spaces. */
static void append_frame(char *buf, size_t size, const char *s)
{
    size_t n = strlen(buf);
    for (; *s && n + 1 < size; s++)
        buf[n++] = *s == ';' ? ',' : (*s == '\n' || *s == '\r' || *s == '\t') ? ' ' : *s;
    buf[n] = 0;
}

/* The stack of op o, root first. */
static void stack_of(const op *o, char *buf, size_t size)
{
    const op *chain[256];
    int n = 0;
    for (const op *x = o; x && n < 256; x = x->parent ? find_op(x->parent) : NULL)
        chain[n++] = x;
    buf[0] = 0;
    while (n--) {
        append_frame(buf, size, chain[n]->key);
        if (n)
            strncat(buf, ";", size - strlen(buf) - 1);
    }
}

/* ---- stacks and weights, summed by stack */

typedef struct weighted {
    char *stack;
    int64_t w;
} weighted;

typedef struct wlist {
    weighted *v;
    size_t n;
} wlist;

static void wl_add(wlist *l, const char *stack, int64_t w)
{
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->v[k].stack, stack) == 0) {
            l->v[k].w += w;
            return;
        }
    l->v = realloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = (weighted){strdup(stack), w};
}

static int by_stack(const void *a, const void *b)
{
    return strcmp(((const weighted *)a)->stack, ((const weighted *)b)->stack);
}

/* The weights > 0, in byte order. */
static void wl_finish(wlist *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].w > 0)
            l->v[k++] = l->v[i];
        else
            free(l->v[i].stack);
    }
    l->n = k;
    qsort(l->v, l->n, sizeof *l->v, by_stack);
}

static void wl_free(wlist *l)
{
    for (size_t k = 0; k < l->n; k++)
        free(l->v[k].stack);
    free(l->v);
}

/* Reads folded text: "stack N" lines, strictly increasing stacks. */
static wlist parse_folded(char *text)
{
    wlist l = {0};
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        char *sp = strrchr(line, ' ');
        if (!sp)
            fail_msg("%s: folded line without a count: %s", dump, line);
        *sp = 0;
        char *end;
        long long w = strtoll(sp + 1, &end, 10);
        if (*end || w <= 0)
            fail_msg("%s: folded line %s: bad weight %s", dump, line, sp + 1);
        if (l.n && strcmp(l.v[l.n - 1].stack, line) >= 0)
            fail_msg("%s: folded lines out of order: %s after %s", dump, line, l.v[l.n - 1].stack);
        l.v = realloc(l.v, (l.n + 1) * sizeof *l.v);
        l.v[l.n++] = (weighted){strdup(line), w};
    }
    return l;
}

static void check_same(const char *what, const wlist *got, const wlist *want)
{
    for (size_t k = 0; k < got->n || k < want->n; k++) {
        const weighted *g = k < got->n ? &got->v[k] : NULL, *w = k < want->n ? &want->v[k] : NULL;
        if (!g || !w || strcmp(g->stack, w->stack) != 0 || g->w != w->w)
            fail_msg("%s: folded %s, line %zu: got %s %lld, want %s %lld", dump, what, k + 1,
                     g ? g->stack : "(none)", g ? (long long)g->w : 0LL, w ? w->stack : "(none)",
                     w ? (long long)w->w : 0LL);
    }
}

static void check_folded(const char *weight, const wlist *want)
{
    char opt[32];
    snprintf(opt, sizeof opt, "weight=%s", weight);
    char *text = export_text("folded", opt);
    wlist got = parse_folded(text);
    check_same(weight, &got, want);
    wl_free(&got);
    free(text);
}

static void folded_self(void **state)
{
    (void)state;
    wlist want = {0};
    char buf[8192];
    for (size_t i = 0; i < n_ops; i++) {
        stack_of(&ops[i], buf, sizeof buf);
        wl_add(&want, buf, ops[i].self);
    }
    wl_finish(&want);
    int64_t total = 0;
    for (size_t k = 0; k < want.n; k++)
        total += want.v[k].w;
    assert_int_equal(
        total,
        one_int(
            "SELECT coalesce(sum(self_ns), 0) FROM ops WHERE run_id = (SELECT max(id) FROM runs)",
            NULL));
    check_folded("self", &want);
    wl_free(&want);
    passed++;
}

static void folded_wall(void **state)
{
    (void)state;
    wlist want = {0};
    char buf[8192];
    for (size_t i = 0; i < n_ops; i++) {
        const op *o = &ops[i];
        /* the op's duration minus the union of its children clipped to it:
         * time by time, a sweep over the children's clipped intervals */
        int64_t covered = 0, s = o->start, e = o->end;
        int64_t(*iv)[2] = malloc((n_ops + 1) * sizeof *iv);
        size_t n = 0;
        for (size_t j = 0; j < n_ops; j++)
            if (ops[j].parent == o->id) {
                int64_t a = ops[j].start > s ? ops[j].start : s,
                        b = ops[j].end < e ? ops[j].end : e;
                if (b > a) {
                    iv[n][0] = a;
                    iv[n++][1] = b;
                }
            }
        for (size_t x = 1; x < n; x++) /* insertion sort by start */
            for (size_t y = x; y > 0 && iv[y][0] < iv[y - 1][0]; y--) {
                int64_t t0 = iv[y][0], t1 = iv[y][1];
                iv[y][0] = iv[y - 1][0], iv[y][1] = iv[y - 1][1];
                iv[y - 1][0] = t0, iv[y - 1][1] = t1;
            }
        int64_t reach = s;
        for (size_t x = 0; x < n; x++) {
            int64_t a = iv[x][0] > reach ? iv[x][0] : reach;
            if (iv[x][1] > a) {
                covered += iv[x][1] - a;
                reach = iv[x][1];
            }
        }
        free(iv);
        stack_of(o, buf, sizeof buf);
        wl_add(&want, buf, e - s - covered);
    }
    wl_finish(&want);
    check_folded("wall", &want);
    wl_free(&want);
    passed++;
}

static void folded_critical(void **state)
{
    (void)state;
    wlist want = {0};
    char buf[8192];
    int64_t total = 0;
    sqlite3_stmt *st = prep("SELECT op_id, what, resource, dur_ns FROM critical_path ORDER BY seq");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *what = (const char *)sqlite3_column_text(st, 1);
        const op *o = find_op(sqlite3_column_int64(st, 0));
        assert_non_null(o);
        int64_t dur = sqlite3_column_int64(st, 3);
        total += dur;
        if (strcmp(what, "gap") == 0 || strcmp(what, "offset") == 0) {
            snprintf(buf, sizeof buf, "%s", what);
        } else {
            stack_of(o, buf, sizeof buf);
            if (strcmp(what, "wait") == 0) {
                strcat(buf, ";wait:");
                append_frame(buf, sizeof buf, (const char *)sqlite3_column_text(st, 2));
            } else if (strcmp(what, "cycle") == 0) {
                strcat(buf, ";cycle");
            }
        }
        wl_add(&want, buf, dur);
    }
    sqlite3_finalize(st);
    assert_int_equal(total, baseline);
    wl_finish(&want);
    check_folded("critical", &want);
    wl_free(&want);
    passed++;
}

/* ---- chrome */

typedef struct slice {
    int pid, tid;
    int64_t s, e;
    const json_t *ev;
} slice;

static int64_t ns_of(const json_t *v)
{
    if (!json_is_number(v))
        fail_msg("%s: a ts or dur that is not a number", dump);
    return (int64_t)llround(json_number_value(v) * 1000.0);
}

static int by_lane_time(const void *a, const void *b)
{
    const slice *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid - y->pid;
    if (x->tid != y->tid)
        return x->tid - y->tid;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return x->e > y->e ? -1 : x->e < y->e;
}

typedef struct trace {
    json_t *root;
    slice *sl;
    size_t n;
} trace;

static trace load_trace(const char *options)
{
    char *text = export_text("chrome", options);
    json_error_t je;
    trace t = {json_loads(text, 0, &je), NULL, 0};
    free(text);
    if (!t.root)
        fail_msg("%s: chrome export is not JSON: line %d: %s", dump, je.line, je.text);
    assert_string_equal(json_string_value(json_object_get(t.root, "displayTimeUnit")), "ns");
    const json_t *evs = json_object_get(t.root, "traceEvents");
    assert_true(json_is_array(evs));
    t.sl = calloc(json_array_size(evs) + 1, sizeof *t.sl);
    size_t i;
    const json_t *ev;
    json_array_foreach(evs, i, ev)
    {
        const char *ph = json_string_value(json_object_get(ev, "ph"));
        assert_non_null(ph);
        if (strcmp(ph, "X") != 0)
            continue;
        int64_t s = ns_of(json_object_get(ev, "ts")), d = ns_of(json_object_get(ev, "dur"));
        if (d < 0)
            fail_msg("%s: a slice of negative duration", dump);
        /* a viewer's end, ts + dur in doubles, is the very number a slice
         * starting there has as its ts (or one double short of it, where no
         * dur reaches it): touching slices do not overlap */
        double end = json_number_value(json_object_get(ev, "ts")) +
                     json_number_value(json_object_get(ev, "dur"));
        double at = (double)(s + d) / 1000.0;
        if (end != at && end != nextafter(at, -INFINITY))
            fail_msg("%s: ts + dur = %.17g, not the %.17g of a slice starting at its end", dump,
                     end, at);
        t.sl[t.n++] = (slice){(int)json_integer_value(json_object_get(ev, "pid")),
                              (int)json_integer_value(json_object_get(ev, "tid")), s, s + d, ev};
    }
    qsort(t.sl, t.n, sizeof *t.sl, by_lane_time);
    /* on each lane, every slice lies inside the open one or after it */
    slice *stack[4096];
    int depth = 0;
    for (size_t k = 0; k < t.n; k++) {
        if (k && (t.sl[k].pid != t.sl[k - 1].pid || t.sl[k].tid != t.sl[k - 1].tid))
            depth = 0;
        while (depth && stack[depth - 1]->e <= t.sl[k].s)
            depth--;
        if (depth && t.sl[k].e > stack[depth - 1]->e)
            fail_msg("%s: pid %d tid %d: [%lld, %lld] overlaps [%lld, %lld] without nesting", dump,
                     t.sl[k].pid, t.sl[k].tid, (long long)t.sl[k].s, (long long)t.sl[k].e,
                     (long long)stack[depth - 1]->s, (long long)stack[depth - 1]->e);
        assert_true(depth < 4096);
        stack[depth++] = &t.sl[k];
    }
    return t;
}

static void free_trace(trace *t)
{
    json_decref(t->root);
    free(t->sl);
}

static const json_t *arg(const json_t *ev, const char *key)
{
    return json_object_get(json_object_get(ev, "args"), key);
}

/* The name the "M" events give lane (pid, tid), or NULL. */
static const char *lane_name(const trace *t, int pid, int tid)
{
    size_t i;
    const json_t *ev;
    json_array_foreach(json_object_get(t->root, "traceEvents"), i, ev)
    {
        const char *name = json_string_value(json_object_get(ev, "name"));
        if (strcmp(json_string_value(json_object_get(ev, "ph")), "M") == 0 && name &&
            strcmp(name, "thread_name") == 0 &&
            json_integer_value(json_object_get(ev, "pid")) == pid &&
            json_integer_value(json_object_get(ev, "tid")) == tid)
            return json_string_value(arg(ev, "name"));
    }
    return NULL;
}

/* The critical path lane of process pid tiles [first start, + makespan]. */
static void check_path_lane(const trace *t, int pid, int64_t makespan, const char *spec)
{
    int64_t total = 0, at = 0;
    size_t n = 0;
    for (size_t k = 0; k < t->n; k++) {
        const slice *s = &t->sl[k];
        if (s->pid != pid || !arg(s->ev, "what"))
            continue;
        const char *ln = lane_name(t, s->pid, s->tid);
        assert_non_null(ln);
        assert_string_equal(ln, "critical path");
        if (n++ && s->s != at)
            fail_msg(
                "%s: critical path of pid %d: a segment starts at %lld, the last ended at %lld",
                dump, pid, (long long)s->s, (long long)at);
        at = s->e;
        total += s->e - s->s;
    }
    assert_int_equal(total, makespan);
    assert_int_equal(n, one_int("SELECT count(*) FROM critical_path(%Q) WHERE dur_ns > 0", spec));
}

static void chrome(void **state)
{
    (void)state;
    trace t = load_trace(NULL);
    size_t *seen = calloc(n_ops + 1, sizeof *seen);
    size_t rwaits = 0;
    for (size_t k = 0; k < t.n; k++) {
        const slice *s = &t.sl[k];
        assert_int_equal(s->pid, 1);
        if (arg(s->ev, "waiter_id")) {
            rwaits++;
            continue;
        }
        if (arg(s->ev, "what"))
            continue;
        const op *o = find_op(json_integer_value(arg(s->ev, "op_id")));
        assert_non_null(o);
        seen[o - ops]++;
        assert_int_equal(s->s, o->start);
        assert_int_equal(s->e, o->end);
        const char *ln = lane_name(&t, s->pid, s->tid);
        assert_non_null(ln);
        if (strncmp(ln, "thread ", 7) == 0) {
            assert_true(o->has_thread);
            assert_int_equal(strtoll(ln + 7, NULL, 10), o->thread);
        }
    }
    for (size_t i = 0; i < n_ops; i++)
        if (seen[i] != 1)
            fail_msg("%s: op %lld appears %zu times", dump, (long long)ops[i].id, seen[i]);
    free(seen);
    assert_int_equal(rwaits,
                     one_int("SELECT count(*) FROM waits WHERE run_id = (SELECT max(id) FROM runs)"
                             " AND target_id IS NULL AND orphan = 0",
                             NULL));

    /* flows: one s and one f each, in time order, each inside a slice of its lane */
    const json_t *evs = json_object_get(t.root, "traceEvents"), *ev;
    json_t *flows = json_object();
    size_t i;
    json_array_foreach(evs, i, ev)
    {
        const char *ph = json_string_value(json_object_get(ev, "ph"));
        if (strcmp(ph, "s") != 0 && strcmp(ph, "f") != 0)
            continue;
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(ev, "id")));
        json_t *pair = json_object_get(flows, id);
        if (!pair) {
            pair = json_object();
            json_object_set_new(flows, id, pair);
        }
        if (json_object_get(pair, ph))
            fail_msg("%s: flow %s has two \"%s\"", dump, id, ph);
        json_object_set(pair, ph, (json_t *)ev);
        if (strcmp(ph, "f") == 0)
            assert_string_equal(json_string_value(json_object_get(ev, "bp")), "e");
        int64_t ts = ns_of(json_object_get(ev, "ts"));
        int pid = (int)json_integer_value(json_object_get(ev, "pid")),
            tid = (int)json_integer_value(json_object_get(ev, "tid"));
        bool inside = false;
        for (size_t k = 0; k < t.n && !inside; k++)
            inside = t.sl[k].pid == pid && t.sl[k].tid == tid && t.sl[k].s <= ts && ts < t.sl[k].e;
        if (!inside)
            fail_msg("%s: flow %s's \"%s\" at %lld is inside no slice of its lane", dump, id, ph,
                     (long long)ts);
    }
    const char *key;
    json_t *pair;
    json_object_foreach(flows, key, pair)
    {
        const json_t *s = json_object_get(pair, "s"), *f = json_object_get(pair, "f");
        if (!s || !f)
            fail_msg("%s: flow %s lacks its %s", dump, key, s ? "finish" : "start");
        assert_true(ns_of(json_object_get(s, "ts")) <= ns_of(json_object_get(f, "ts")));
    }
    const json_t *other = json_object_get(t.root, "otherData");
    assert_int_equal(json_object_size(flows), json_integer_value(json_object_get(other, "flows")));
    assert_int_equal(json_integer_value(json_object_get(other, "flows_left_out")), 0);
    assert_int_equal(json_object_size(flows) +
                         json_integer_value(json_object_get(other, "flows_shown_by_nesting")),
                     one_int("SELECT count(*) FROM waits WHERE run_id = (SELECT max(id) FROM runs)"
                             " AND target_id IS NOT NULL AND target_id != waiter_id AND orphan = 0",
                             NULL));
    json_decref(flows);
    assert_int_equal(json_integer_value(json_object_get(other, "baseline_ns")), baseline);
    /* a run that lost events says so, in otherData and in its process's name */
    int64_t dropped =
        one_int("SELECT dropped_events FROM runs WHERE id = (SELECT max(id) FROM runs)", NULL);
    assert_int_equal(json_integer_value(json_object_get(other, "dropped_events")), dropped);
    json_array_foreach(evs, i, ev)
    {
        const char *name = json_string_value(json_object_get(ev, "name"));
        if (name && strcmp(name, "process_name") == 0)
            assert_true((strstr(json_string_value(arg(ev, "name")), "dropped") != NULL) ==
                        (dropped > 0));
    }
    check_path_lane(&t, 1, baseline, NULL);
    free_trace(&t);
    passed++;
}

static void chrome_whatif(void **state)
{
    (void)state;
    sqlite3_stmt *st = prep("SELECT class_key FROM whatif_rank('[0.5]', 0) ORDER BY rank LIMIT 1");
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    char *key = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    char spec[512], opt[600], json_opt[600];
    snprintf(spec, sizeof spec, "%s=0.5", key);
    snprintf(opt, sizeof opt, "whatif=%s", spec);
    snprintf(json_opt, sizeof json_opt, "whatif='{\"%s\": 0.5}'", key);
    int64_t makespan = one_int("SELECT makespan_ns FROM whatif(%Q)", spec);

    trace t = load_trace(opt);
    const json_t *other = json_object_get(t.root, "otherData");
    assert_int_equal(json_integer_value(json_object_get(other, "whatif_makespan_ns")), makespan);
    assert_string_equal(json_string_value(json_object_get(other, "whatif")), spec);
    size_t i;
    const json_t *ev;
    bool named = false;
    json_array_foreach(json_object_get(t.root, "traceEvents"), i, ev)
    {
        const char *name = json_string_value(json_object_get(ev, "name"));
        if (name && strcmp(name, "process_name") == 0 &&
            json_integer_value(json_object_get(ev, "pid")) == 2) {
            char want[600];
            snprintf(want, sizeof want, "what-if: %s", spec);
            assert_string_equal(json_string_value(arg(ev, "name")), want);
            named = true;
        }
    }
    assert_true(named);
    size_t *seen = calloc(n_ops + 1, sizeof *seen), sim_ops = 0;
    for (size_t k = 0; k < t.n; k++)
        if (t.sl[k].pid == 2 && !arg(t.sl[k].ev, "what")) {
            const op *o = find_op(json_integer_value(arg(t.sl[k].ev, "op_id")));
            assert_non_null(o);
            assert_int_equal(++seen[o - ops], 1);
            sim_ops++;
        }
    free(seen);
    assert_true(sim_ops > 0);
    check_path_lane(&t, 2, makespan, spec);
    check_path_lane(&t, 1, baseline, NULL);
    free_trace(&t);

    trace j = load_trace(json_opt); /* the same replay, the spec as JSON */
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j.root, "otherData"),
                                                        "whatif_makespan_ns")),
                     makespan);
    free_trace(&j);
    free(key);
    passed++;
}

/* ---- coz */

/* The value of field name in a tab-separated record, or NULL. */
static const char *field(char *rec, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    for (char *f = rec; f; f = strchr(f, '\t')) {
        if (*f == '\t')
            f++;
        if (strncmp(f, name, nl) == 0 && f[nl] == '=') {
            snprintf(buf, size, "%.*s", (int)strcspn(f + nl + 1, "\t"), f + nl + 1);
            return buf;
        }
    }
    return NULL;
}

static void check_coz(const char *options, int64_t top)
{
    char *text = export_text("coz", options), *save = NULL;
    char *line = strtok_r(text, "\n", &save);
    sqlite3_stmt *st = prep("SELECT class_key FROM whatif_rank('[0.5]') ORDER BY rank");
    int64_t classes = 0;
    while (sqlite3_step(st) == SQLITE_ROW && (top == 0 || classes < top)) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        classes++;
        double d0 = 0;
        for (int k = 0; k <= 20; k++) {
            char buf[1024];
            if (!line || strncmp(line, "experiment\t", 11) != 0)
                fail_msg("%s: coz: expected an experiment for %s, got %s", dump, key,
                         line ? line : "the end");
            assert_string_equal(field(line, "selected", buf, sizeof buf), key);
            assert_true(fabs(strtod(field(line, "speedup", buf, sizeof buf), NULL) - k / 20.0) <
                        1e-12);
            int64_t duration = strtoll(field(line, "duration", buf, sizeof buf), NULL, 10);
            line = strtok_r(NULL, "\n", &save);
            if (!line || strncmp(line, "throughput-point\t", 17) != 0)
                fail_msg("%s: coz: an experiment without its throughput point", dump);
            assert_string_equal(field(line, "delta", buf, sizeof buf), "1");
            line = strtok_r(NULL, "\n", &save);
            char spec[1024];
            snprintf(spec, sizeof spec, "%s=%.17g", key, (20 - k) / 20.0);
            int64_t saved = one_int("SELECT saved_ns FROM whatif(%Q)", spec);
            assert_int_equal(duration, baseline - saved);
            /* what Coz's viewer plots: (t0 - t) / t0, t = duration / delta */
            if (k == 0)
                d0 = (double)duration;
            if (baseline > 0)
                assert_true(fabs((d0 - (double)duration) / d0 - (double)saved / (double)baseline) <
                            1e-12);
        }
    }
    sqlite3_finalize(st);
    if (line)
        fail_msg("%s: coz: more than the %lld classes: %s", dump, (long long)classes, line);
    free(text);
}

static void coz(void **state)
{
    (void)state;
    check_coz(NULL, 20);
    check_coz("top=0", 0);
    check_coz("top=2", 2);
    passed++;
}

/* ---- files */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, n, m);
    fclose(f);
    fclose(m);
    return buf;
}

static void file(void **state)
{
    (void)state;
    char path[1024];
    snprintf(path, sizeof path, "%s/trace.json", pdb_scratch);
    int64_t size = one_int("SELECT wcprof_export('chrome', %Q)", path);
    char *text = export_text("chrome", NULL), *got = slurp(path);
    assert_non_null(got);
    assert_int_equal(size, strlen(text));
    assert_string_equal(got, text);
    free(text);
    free(got);

    /* a failed export leaves the old file and nothing else */
    snprintf(path, sizeof path, "%s/keep.folded", pdb_scratch);
    FILE *f = fopen(path, "w");
    fputs("old\n", f);
    fclose(f);
    sqlite3_stmt *st = prep("SELECT wcprof_export('folded', %Q, 'weight=cpu')", path);
    assert_int_equal(sqlite3_step(st), SQLITE_ERROR);
    sqlite3_finalize(st);
    got = slurp(path);
    assert_string_equal(got, "old\n");
    free(got);
    DIR *d = opendir(pdb_scratch);
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, ".tmp-"))
            fail_msg("%s: a failed export left %s", dump, e->d_name);
    closedir(d);
    passed++;
}

/* ---- the group */

static int setup(void **state)
{
    char err[512], dbpath[600];
    if (pdb_setup(state) < 0)
        return -1;
    snprintf(dbpath, sizeof dbpath, "%s/run.db", pdb_scratch);
    db = pdb_ingest(dbpath, &dump, 1, &run, err, sizeof err);
    if (!db) {
        fprintf(stderr, "%s: %s\n", dump, err);
        return -1;
    }
    if (wcprof_register_extension(db) != SQLITE_OK) {
        fprintf(stderr, "wcprof_register_extension: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT baseline_ns FROM replay_summary", -1, &st, NULL) !=
            SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        fprintf(stderr, "replay_summary: %s\n", sqlite3_errmsg(db));
        return -1;
    }
    baseline = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    load_ops();
    return 0;
}

static int teardown(void **state)
{
    sqlite3_close(db);
    for (size_t i = 0; i < n_ops; i++)
        free(ops[i].key);
    free(ops);
    pdb_passed = passed == N_TESTS;
    return pdb_teardown(state);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_export DUMP\n");
        return 2;
    }
    dump = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chrome),
        cmocka_unit_test(chrome_whatif),
        cmocka_unit_test(folded_self),
        cmocka_unit_test(folded_wall),
        cmocka_unit_test(folded_critical),
        cmocka_unit_test(coz),
        cmocka_unit_test(file),
    };
    return cmocka_run_group_tests_name(dump, tests, setup, teardown);
}
