/*
 * test_gen.c - tests of wcprof-gen: what it writes is a valid dump, the
 * same every time, and split across dumps without losing or repeating events.
 *
 *   test_gen PATH-TO-wcprof-gen CASE
 *
 * CASE is one of: valid, coverage, determinism, dumps, orphans, quirks, usage.
 * Each is its own ctest test. Dumps are parsed with jansson, independently
 * of the generator's own writer. Exit status 0 when every check passes.
 */
#include <errno.h>
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *gen;  /* the generator under test */
static char tmpdir[256]; /* scratch folder, removed at exit */
static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* ---- a set of uint64 (open addressing; 0 is never stored) */

typedef struct {
    uint64_t *v;
    size_t cap, n;
} set_t;

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static int set_has(const set_t *s, uint64_t x)
{
    if (!s->cap)
        return 0;
    for (size_t i = hash64(x) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == x)
            return 1;
        if (!s->v[i])
            return 0;
    }
}

/* Adds x; returns 0 if it was already there. */
static int set_add(set_t *s, uint64_t x)
{
    if (2 * (s->n + 1) > s->cap) {
        set_t t = {calloc(s->cap ? 2 * s->cap : 1024, sizeof(uint64_t)), s->cap ? 2 * s->cap : 1024,
                   0};
        for (size_t i = 0; i < s->cap; i++)
            if (s->v[i])
                set_add(&t, s->v[i]);
        free(s->v);
        *s = t;
    }
    for (size_t i = hash64(x) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->v[i] == x)
            return 0;
        if (!s->v[i]) {
            s->v[i] = x;
            s->n++;
            return 1;
        }
    }
}

static void set_free(set_t *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* ---- running the generator */

/* Runs wcprof-gen with args (NULL-terminated) and stdout to out (or
 * /dev/null); returns its exit status, or -1 if it did not exit. */
static int run_gen(const char *out, const char *const *args)
{
    const char *argv[32];
    size_t n = 0;
    argv[n++] = gen;
    while (*args && n < 31)
        argv[n++] = *args++;
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!freopen(out ? out : "/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr))
            _exit(127);
        execv(gen, (char *const *)argv);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
        return -1;
    return WEXITSTATUS(st);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, m;
    char *b = malloc(cap + 1);
    while ((m = fread(b + n, 1, cap - n, f)) > 0) {
        n += m;
        if (n == cap)
            b = realloc(b, (cap *= 2) + 1);
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

static char *path_in_tmp(const char *name)
{
    static char buf[8][512];
    static int k;
    char *p = buf[k++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

/* ---- checking one dump */

typedef struct {
    long long events, ops, waits, links, open_ops, strings;
    long long orphan_waits, reparented, exec_ident_waits, roots;
    long long seq_gap_roots, overlap_roots, joined;
    long long epoch, dumped;
    int has_escape;
    char seen[64][24]; /* distinct "e:value" tags seen, for coverage */
    int nseen;
    set_t op_ids, open_ids;
} facts_t;

static void tag(facts_t *f, const char *kind, const char *v)
{
    char t[24];
    snprintf(t, sizeof t, "%s:%s", kind, v);
    for (int i = 0; i < f->nseen; i++)
        if (!strcmp(f->seen[i], t))
            return;
    if (f->nseen < 64)
        strcpy(f->seen[f->nseen++], t);
}

static int seen(const facts_t *f, const char *t)
{
    for (int i = 0; i < f->nseen; i++)
        if (!strcmp(f->seen[i], t))
            return 1;
    return 0;
}

static int in_list(const char *v, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(v, *list))
            return 1;
    return 0;
}

static const char *const KINDS[] = {"call",          "call_exec",     "lazy", "exec_phase", "exec",
                                    "service_start", "session_phase", "io",   "internal",   NULL};
static const char *const WORK[] = {"engine", "user", "external", NULL};
static const char *const OUTCOMES[] = {"hit", "executed", "joined",   "do_not_cache",
                                       "ok",  "error",    "canceled", NULL};
static const char *const REASONS[] = {"call_exec", "singleflight", "lazy", "service",
                                      "lock",      "exec",         "io",   NULL};
static const char *const LINKS[] = {"nested_client", "result", "reused_result", NULL};

/* Non-negative integer member, or -1 when absent; a present non-integer fails. */
static long long get_int(json_t *o, const char *k, const char *where, long line)
{
    json_t *v = json_object_get(o, k);
    if (!v)
        return -1;
    CHECK(json_is_integer(v) && json_integer_value(v) >= 0,
          "%s:%ld: '%s' is not a non-negative integer", where, line, k);
    return json_is_integer(v) ? json_integer_value(v) : -1;
}

static const char *get_str(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* Checks everything spec/dump-format.md promises about one dump and
 * gathers facts about it. want_orphans: waits whose waiter is no op are
 * allowed. */
static void check_dump(const char *path, facts_t *f, int want_orphans)
{
    memset(f, 0, sizeof *f);
    size_t len;
    char *buf = slurp(path, &len);
    CHECK(buf != NULL, "cannot read %s", path);
    if (!buf)
        return;
    CHECK(len > 0 && buf[len - 1] == '\n', "%s: last line not terminated", path);
    json_error_t err;
    char *line = buf, *nl = strchr(line, '\n');
    long lineno = 1;
    CHECK(nl != NULL, "%s: no header line", path);
    if (!nl) {
        free(buf);
        return;
    }
    *nl = 0;
    json_t *h = json_loads(line, 0, &err);
    CHECK(h != NULL, "%s:1: %s", path, err.text);
    if (!h) {
        free(buf);
        return;
    }
    CHECK(get_int(h, "schema_version", path, 1) == 1, "%s: schema_version", path);
    long long count = get_int(h, "event_count", path, 1);
    f->epoch = get_int(h, "epoch_unix_nano", path, 1);
    f->dumped = get_int(h, "dumped_unix_nano", path, 1);
    CHECK(f->dumped >= f->epoch && get_int(h, "dropped_events", path, 1) >= 0, "%s: header times",
          path);
    json_t *strs = json_object_get(h, "strings");
    CHECK(json_is_array(strs) && json_array_size(strs) > 0, "%s: strings", path);
    f->strings = (long long)json_array_size(strs);
    CHECK(f->strings && json_is_string(json_array_get(strs, 0)) &&
              !strcmp(json_string_value(json_array_get(strs, 0)), ""),
          "%s: strings[0] is not \"\"", path);
    for (size_t i = 0; i < json_array_size(strs); i++) {
        const char *s = json_string_value(json_array_get(strs, i));
        CHECK(s != NULL, "%s: strings[%zu] is not a string", path, i);
        if (s && (strchr(s, '"') || strchr(s, '\\')))
            f->has_escape = 1;
    }
    json_t *open = json_object_get(h, "open_ops");
    for (size_t i = 0; i < json_array_size(open); i++) {
        json_t *o = json_array_get(open, i);
        long long id = get_int(o, "op_id", path, 1);
        CHECK(id > 0 && set_add(&f->open_ids, (uint64_t)id), "%s: open op id %lld zero or repeated",
              path, id);
        CHECK(get_str(o, "kind") && get_int(o, "start_ns", path, 1) >= 0, "%s: open op %lld", path,
              id);
        CHECK(get_int(o, "start_ns", path, 1) <= f->dumped - f->epoch,
              "%s: open op %lld starts after the dump", path, id);
        for (const char *const *k =
                 (const char *const[]){"class_id", "ident_id", "client_id", NULL};
             *k; k++)
            CHECK(get_int(o, *k, path, 1) < f->strings, "%s: open op %lld: %s out of range", path,
                  id, *k);
    }
    f->open_ops = (long long)json_array_size(open);

    /* pass 1: parse, per-event checks, collect ops */
    size_t cap = 1024, n = 0;
    json_t **ev = malloc(cap * sizeof *ev);
    for (line = nl + 1; *line; line = nl + 1) {
        lineno++;
        nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        json_t *e = json_loads(line, 0, &err);
        CHECK(e != NULL, "%s:%ld: %s", path, lineno, err.text);
        if (!e)
            continue;
        if (n == cap)
            ev = realloc(ev, (cap *= 2) * sizeof *ev);
        ev[n++] = e;
        const char *t = get_str(e, "e");
        long long s = get_int(e, "s", path, lineno), d = get_int(e, "d", path, lineno);
        CHECK(t && s >= 0 && d >= s, "%s:%ld: e/s/d missing or d < s", path, lineno);
        for (const char *const *k = (const char *const[]){"c", "i", "cl", NULL}; *k; k++) {
            long long x = get_int(e, *k, path, lineno);
            CHECK(x != 0 && x < f->strings,
                  "%s:%ld: '%s' = %lld not in 1..%lld (zero must be omitted)", path, lineno, *k, x,
                  f->strings - 1);
        }
        for (const char *const *k = (const char *const[]){"p", "t", "r", "id", NULL}; *k; k++)
            CHECK(get_int(e, *k, path, lineno) != 0, "%s:%ld: zero '%s' must be omitted", path,
                  lineno, *k);
        if (!t)
            continue;
        if (!strcmp(t, "op")) {
            f->ops++;
            long long id = get_int(e, "id", path, lineno);
            CHECK(id > 0 && set_add(&f->op_ids, (uint64_t)id),
                  "%s:%ld: op id %lld missing or repeated", path, lineno, id);
            CHECK(!set_has(&f->open_ids, (uint64_t)id), "%s:%ld: op %lld is also open", path,
                  lineno, id);
            const char *k = get_str(e, "k"), *w = get_str(e, "w"), *o = get_str(e, "o");
            CHECK(k && in_list(k, KINDS) && w && in_list(w, WORK) && (!o || in_list(o, OUTCOMES)),
                  "%s:%ld: kind/work/outcome", path, lineno);
            if (k)
                tag(f, "k", k);
            if (w)
                tag(f, "w", w);
            if (o)
                tag(f, "o", o);
            if (o && !strcmp(o, "joined"))
                f->joined++;
        } else if (!strcmp(t, "wait")) {
            f->waits++;
            const char *rs = get_str(e, "rs");
            CHECK(rs && in_list(rs, REASONS) && get_int(e, "p", path, lineno) > 0, "%s:%ld: wait",
                  path, lineno);
            if (rs)
                tag(f, "rs", rs);
        } else if (!strcmp(t, "link")) {
            f->links++;
            const char *lk = get_str(e, "lk");
            CHECK(lk && in_list(lk, LINKS) && s == d, "%s:%ld: link kind or d != s", path, lineno);
            if (lk)
                tag(f, "lk", lk);
        } else {
            CHECK(0, "%s:%ld: unknown event type '%s'", path, lineno, t);
        }
    }
    f->events = (long long)n;
    CHECK(count == f->events, "%s: event_count %lld but %lld event lines", path, count, f->events);

    /* pass 2: references between events */
    set_t nested = {0}, execs = {0};
    for (size_t k = 0; k < n; k++) {
        const char *t = get_str(ev[k], "e"), *kind = get_str(ev[k], "k");
        if (t && !strcmp(t, "link") && !strcmp(get_str(ev[k], "lk"), "nested_client")) {
            set_add(&nested, (uint64_t)get_int(ev[k], "i", path, 0));
            uint64_t from = (uint64_t)get_int(ev[k], "p", path, 0);
            CHECK(set_has(&f->op_ids, from) || set_has(&f->open_ids, from),
                  "%s: nested link from no op", path);
        }
        if (t && !strcmp(t, "op") && kind && !strcmp(kind, "exec") &&
            get_int(ev[k], "i", path, 0) > 0)
            set_add(&execs, (uint64_t)get_int(ev[k], "i", path, 0));
    }
    long long prev_end = -1;
    for (size_t k = 0; k < n; k++) {
        json_t *e = ev[k];
        const char *t = get_str(e, "e");
        if (!t)
            continue;
        long long p = get_int(e, "p", path, 0), tt = get_int(e, "t", path, 0);
        if (!strcmp(t, "op")) {
            if (p > 0) {
                CHECK(set_has(&f->op_ids, (uint64_t)p) || set_has(&f->open_ids, (uint64_t)p),
                      "%s: op %lld has unknown parent %lld", path, get_int(e, "id", path, 0), p);
            } else {
                long long cl = get_int(e, "cl", path, 0);
                if (cl > 0 && set_has(&nested, (uint64_t)cl))
                    f->reparented++;
                else
                    f->roots++;
            }
        } else if (!strcmp(t, "wait")) {
            int known = set_has(&f->op_ids, (uint64_t)p) || set_has(&f->open_ids, (uint64_t)p);
            if (!known)
                f->orphan_waits++;
            CHECK(known || want_orphans, "%s: wait by unknown op %lld", path, p);
            if (tt > 0)
                CHECK(set_has(&f->op_ids, (uint64_t)tt) || set_has(&f->open_ids, (uint64_t)tt),
                      "%s: wait on unknown op %lld", path, tt);
            const char *rs = get_str(e, "rs");
            if (tt <= 0 && rs && !strcmp(rs, "exec")) {
                f->exec_ident_waits++;
                CHECK(set_has(&execs, (uint64_t)get_int(e, "i", path, 0)),
                      "%s: exec wait by %lld names no exec's ident", path, p);
            }
            if (tt <= 0 && rs && !strcmp(rs, "lock")) {
                const char *name =
                    json_string_value(json_array_get(strs, (size_t)get_int(e, "i", path, 0)));
                CHECK(name && !strncmp(name, "lock:", 5), "%s: lock wait on '%s'", path,
                      name ? name : "?");
            }
        }
    }
    /* roots in start order: sequential ones after a gap, overlapping ones */
    long long *rs = malloc((f->roots + 1) * 2 * sizeof *rs);
    size_t nr = 0;
    for (size_t k = 0; k < n; k++) {
        const char *t = get_str(ev[k], "e");
        if (t && !strcmp(t, "op") && get_int(ev[k], "p", path, 0) < 0 &&
            !set_has(&nested, (uint64_t)get_int(ev[k], "cl", path, 0))) {
            rs[2 * nr] = get_int(ev[k], "s", path, 0);
            rs[2 * nr + 1] = get_int(ev[k], "d", path, 0);
            nr++;
        }
    }
    for (size_t a = 1; a < nr; a++) /* insertion sort by start: few roots */
        for (size_t b = a; b > 0 && rs[2 * b] < rs[2 * (b - 1)]; b--) {
            long long x = rs[2 * b], y = rs[2 * b + 1];
            rs[2 * b] = rs[2 * (b - 1)], rs[2 * b + 1] = rs[2 * (b - 1) + 1];
            rs[2 * (b - 1)] = x, rs[2 * (b - 1) + 1] = y;
        }
    for (size_t a = 0; a < nr; a++) {
        if (a && rs[2 * a] >= prev_end + 50000000)
            f->seq_gap_roots++;
        else if (a && rs[2 * a] < prev_end)
            f->overlap_roots++;
        if (rs[2 * a + 1] > prev_end)
            prev_end = rs[2 * a + 1];
    }
    free(rs);
    set_free(&nested);
    set_free(&execs);
    for (size_t k = 0; k < n; k++)
        json_decref(ev[k]);
    free(ev);
    json_decref(h);
    free(buf);
}

static void facts_free(facts_t *f)
{
    set_free(&f->op_ids);
    set_free(&f->open_ids);
}

/* ---- the cases */

static void case_valid(void)
{
    static const char *const sizes[] = {"0", "1", "2", "7", "1000", "30000"};
    static const char *const seeds[] = {"1", "2", "99"};
    for (size_t s = 0; s < 3; s++)
        for (size_t z = 0; z < 6; z++) {
            const char *out = path_in_tmp("v.dump");
            int rc = run_gen(out, (const char *const[]){"-n", sizes[z], "-s", seeds[s], NULL});
            CHECK(rc == 0, "-n %s -s %s: exit %d", sizes[z], seeds[s], rc);
            facts_t f;
            check_dump(out, &f, 0);
            CHECK(f.events == atoll(sizes[z]), "-n %s gave %lld events", sizes[z], f.events);
            CHECK(f.open_ops == 2, "default --open is 2, got %lld", f.open_ops);
            facts_free(&f);
        }
    const char *out = path_in_tmp("o.dump");
    int rc =
        run_gen(NULL, (const char *const[]){"-n", "5000", "-s", "5", "--open", "12", "--dropped",
                                            "7", "--classes", "40", "-o", out, NULL});
    CHECK(rc == 0, "--open 12: exit %d", rc);
    facts_t f;
    check_dump(out, &f, 0);
    CHECK(f.open_ops == 12 && f.events == 5000, "--open 12: %lld open, %lld events", f.open_ops,
          f.events);
    facts_free(&f);
}

static void case_coverage(void)
{
    const char *out = path_in_tmp("c.dump");
    CHECK(run_gen(out, (const char *const[]){"-n", "60000", "-s", "7", NULL}) == 0, "exit");
    facts_t f;
    check_dump(out, &f, 0);
    static const char *const want[] = {"k:call",
                                       "k:call_exec",
                                       "k:lazy",
                                       "k:exec_phase",
                                       "k:exec",
                                       "k:service_start",
                                       "k:session_phase",
                                       "k:io",
                                       "k:internal",
                                       "w:engine",
                                       "w:user",
                                       "w:external",
                                       "o:hit",
                                       "o:executed",
                                       "o:joined",
                                       "o:do_not_cache",
                                       "o:ok",
                                       "o:error",
                                       "o:canceled",
                                       "rs:call_exec",
                                       "rs:singleflight",
                                       "rs:lazy",
                                       "rs:service",
                                       "rs:lock",
                                       "rs:exec",
                                       "rs:io",
                                       "lk:nested_client",
                                       "lk:result",
                                       "lk:reused_result",
                                       NULL};
    for (const char *const *w = want; *w; w++)
        CHECK(seen(&f, *w), "a 60000-event dump has no %s", *w);
    CHECK(f.reparented > 0, "no nested-client session to reparent");
    CHECK(f.exec_ident_waits > 0, "no wait on an exec by ident");
    CHECK(f.seq_gap_roots > 0 && f.overlap_roots > 0, "roots: %lld after gaps, %lld overlapping",
          f.seq_gap_roots, f.overlap_roots);
    CHECK(f.has_escape, "no string needing a JSON escape");
    CHECK(f.waits > f.events / 10 && f.links > 0 && f.ops > f.events / 2,
          "mix: %lld ops %lld waits %lld links", f.ops, f.waits, f.links);
    facts_free(&f);
}

static int same_file(const char *a, const char *b)
{
    size_t la, lb;
    char *x = slurp(a, &la), *y = slurp(b, &lb);
    int same = x && y && la == lb && !memcmp(x, y, la);
    free(x);
    free(y);
    return same;
}

static void case_determinism(void)
{
    const char *a = path_in_tmp("a.dump"), *b = path_in_tmp("b.dump"), *c = path_in_tmp("c.dump");
    run_gen(a, (const char *const[]){"-n", "20000", "-s", "42", NULL});
    run_gen(NULL, (const char *const[]){"-n", "20000", "-s", "42", "-o", b, NULL});
    run_gen(c, (const char *const[]){"-n", "20000", "-s", "43", NULL});
    CHECK(same_file(a, b), "same seed, different bytes (stdout vs -o)");
    CHECK(!same_file(a, c), "seeds 42 and 43 gave the same dump");
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The event lines of a dump, sorted; *n gets their count. Frees with free(lines[-0]) pattern below. */
static char **event_lines(const char *path, size_t *n, char **keep)
{
    size_t len, cap = 1024;
    char *buf = slurp(path, &len), **v = malloc(cap * sizeof *v);
    *n = 0;
    *keep = buf;
    if (!buf)
        return v;
    char *line = strchr(buf, '\n');
    while (line && line[1]) {
        line++;
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (*n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[(*n)++] = line;
        line = nl;
    }
    qsort(v, *n, sizeof *v, cmp_str);
    return v;
}

static void case_dumps(void)
{
    const char *one = path_in_tmp("one.dump");
    CHECK(run_gen(one, (const char *const[]){"-n", "30000", "-s", "11", "--open", "3", NULL}) == 0,
          "exit");
    facts_t f1;
    check_dump(one, &f1, 0);
    size_t n1;
    char *b1, **l1 = event_lines(one, &n1, &b1);

    for (int flush = 1; flush >= 0; flush--) {
        const char *pat = path_in_tmp(flush ? "fl-%02d.dump" : "nf-%d.dump");
        const char *args[] = {"-n",
                              "30000",
                              "-s",
                              "11",
                              "--open",
                              "3",
                              "--dumps",
                              "4",
                              "-o",
                              pat,
                              flush ? NULL : "--no-flush",
                              NULL};
        CHECK(run_gen(NULL, args) == 0, "--dumps 4 exit");
        size_t total = 0;
        char **all = NULL, *bufs[4];
        set_t seen_ids = {0};
        long long prev_dumped = 0;
        for (int j = 1; j <= 4; j++) {
            char name[64];
            snprintf(name, sizeof name, flush ? "fl-%02d.dump" : "nf-%d.dump", j);
            const char *p = path_in_tmp(name);
            facts_t f;
            check_dump(p, &f, 0);
            CHECK(f.epoch == f1.epoch, "%s: epoch differs from the single dump's", p);
            CHECK(f.dumped > prev_dumped, "%s: dump times not increasing", p);
            prev_dumped = f.dumped;
            if (j == 4)
                CHECK(f.dumped == f1.dumped && f.open_ops == 3, "%s: last dump's time or open ops",
                      p);
            /* an op open in dump j is not complete in any dump up to j */
            for (size_t i = 0; i < f.open_ids.cap; i++)
                if (f.open_ids.v[i])
                    CHECK(!set_has(&seen_ids, f.open_ids.v[i]) &&
                              !set_has(&f.op_ids, f.open_ids.v[i]),
                          "%s: open op %llu already completed", p,
                          (unsigned long long)f.open_ids.v[i]);
            for (size_t i = 0; i < f.op_ids.cap; i++)
                if (f.op_ids.v[i])
                    set_add(&seen_ids, f.op_ids.v[i]);
            size_t nj;
            char **lj = event_lines(p, &nj, &bufs[j - 1]);
            if (flush) {
                all = realloc(all, (total + nj) * sizeof *all);
                memcpy(all + total, lj, nj * sizeof *lj);
                total += nj;
            } else if (j == 4) {
                all = malloc(nj * sizeof *all);
                memcpy(all, lj, nj * sizeof *lj);
                total = nj;
            }
            free(lj);
            facts_free(&f);
        }
        qsort(all, total, sizeof *all, cmp_str);
        CHECK(total == n1, "%s: %zu event lines across dumps, %zu in one dump",
              flush ? "flushed" : "no-flush", total, n1);
        for (size_t i = 0; i < total && i < n1; i++) {
            CHECK(!strcmp(all[i], l1[i]), "%s: event sets differ at '%s'",
                  flush ? "flushed" : "no-flush", all[i]);
            if (strcmp(all[i], l1[i]))
                break;
        }
        free(all);
        for (int j = 0; j < 4; j++)
            free(bufs[j]);
        set_free(&seen_ids);
    }
    free(l1);
    free(b1);
    facts_free(&f1);
}

static void case_orphans(void)
{
    const char *out = path_in_tmp("orph.dump");
    CHECK(run_gen(out, (const char *const[]){"-n", "20000", "-s", "3", "--orphans", "5", NULL}) ==
              0,
          "exit");
    facts_t f;
    check_dump(out, &f, 1);
    CHECK(f.orphan_waits == 5, "--orphans 5 gave %lld orphan waits", f.orphan_waits);
    facts_free(&f);
}

/* What --quirks plants, counted in a dump: event lines, zero-length waits,
 * op ids with more than one op event, nested_client links from no op, and
 * ops that start after their parent's end. */
typedef struct quirk_facts {
    long long events, zero_waits, dup_ids, unknown_from, late;
} quirk_facts;

static quirk_facts count_quirks(const char *path)
{
    quirk_facts q = {0};
    size_t len;
    char *buf = slurp(path, &len);
    set_t ids = {0}, dups = {0};
    json_t *evs = json_array();
    for (char *line = buf ? strchr(buf, '\n') : NULL; line && line[1];) {
        line++;
        char *nl = strchr(line, '\n');
        json_t *e = json_loadb(line, nl ? (size_t)(nl - line) : strlen(line), 0, NULL);
        line = nl;
        if (!e)
            continue;
        q.events++;
        const char *type = json_string_value(json_object_get(e, "e"));
        json_int_t st = json_integer_value(json_object_get(e, "s")),
                   d = json_integer_value(json_object_get(e, "d"));
        if (type && !strcmp(type, "wait") && st == d)
            q.zero_waits++;
        if (type && !strcmp(type, "op")) {
            uint64_t id = (uint64_t)json_integer_value(json_object_get(e, "id"));
            if (!set_add(&ids, id) && set_add(&dups, id))
                q.dup_ids++;
        }
        json_array_append_new(evs, e);
    }
    /* the ends of ops by id (the last op event), then the second pass */
    size_t n = json_array_size(evs);
    uint64_t *oid = calloc(n + 1, sizeof *oid);
    int64_t *oend = calloc(n + 1, sizeof *oend);
    size_t no = 0;
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(evs, k);
        if (!strcmp(json_string_value(json_object_get(e, "e")), "op")) {
            oid[no] = (uint64_t)json_integer_value(json_object_get(e, "id"));
            oend[no++] = json_integer_value(json_object_get(e, "d"));
        }
    }
    for (size_t k = 0; k < n; k++) {
        json_t *e = json_array_get(evs, k);
        const char *type = json_string_value(json_object_get(e, "e"));
        uint64_t p = (uint64_t)json_integer_value(json_object_get(e, "p"));
        const char *lk = json_string_value(json_object_get(e, "lk"));
        if (!strcmp(type, "link") && lk && !strcmp(lk, "nested_client") && !set_has(&ids, p))
            q.unknown_from++;
        if (!strcmp(type, "op") && p && set_has(&ids, p))
            for (size_t j = 0; j < no; j++)
                if (oid[j] == p) {
                    q.late += json_integer_value(json_object_get(e, "s")) > oend[j];
                    break;
                }
    }
    free(oid);
    free(oend);
    json_decref(evs);
    set_free(&ids);
    set_free(&dups);
    free(buf);
    return q;
}

static void case_quirks(void)
{
    const char *plain = path_in_tmp("plain.dump"), *quirky = path_in_tmp("quirky.dump");
    CHECK(run_gen(plain, (const char *const[]){"-n", "6000", "-s", "5", NULL}) == 0, "exit");
    CHECK(run_gen(quirky, (const char *const[]){"-n", "6000", "-s", "5", "--quirks", "2", NULL}) ==
              0,
          "--quirks exit");
    quirk_facts a = count_quirks(plain), b = count_quirks(quirky);
    CHECK(a.events == 6000 && b.events == 6000, "event lines %lld and %lld, want 6000", a.events,
          b.events);
    CHECK(a.dup_ids == 0 && b.dup_ids > 0, "repeated op ids: %lld without, %lld with --quirks",
          a.dup_ids, b.dup_ids);
    CHECK(a.unknown_from == 0 && b.unknown_from > 0,
          "nested_client links from no op: %lld without, %lld with --quirks", a.unknown_from,
          b.unknown_from);
    CHECK(b.zero_waits > a.zero_waits, "zero-length waits: %lld without, %lld with --quirks",
          a.zero_waits, b.zero_waits);
    CHECK(b.late >= a.late + 2, "ops starting after their parent's end: %lld without, %lld with",
          a.late, b.late);
}

/* Removes every `,"m":N` from a line (in place). */
static void strip_m(char *line)
{
    char *q;
    while ((q = strstr(line, ",\"m\":")) != NULL) {
        char *e = q + 5;
        while (*e >= '0' && *e <= '9')
            e++;
        memmove(q, e, strlen(e) + 1);
    }
}

/* --meta N: exec ops (and only they) carry `m`, three in four, an index
 * of a JSON array of strings; at most N distinct values, the same bytes
 * for the same seed; without `m` the events are those of the plain dump
 * (the option draws nothing from the generation's PRNG). */
static void case_meta(void)
{
    const char *plain = path_in_tmp("plain-m.dump"), *a = path_in_tmp("meta-a.dump"),
               *b = path_in_tmp("meta-b.dump");
    CHECK(run_gen(plain, (const char *const[]){"-n", "20000", "-s", "2", "--open", "6", NULL}) == 0,
          "exit");
    CHECK(run_gen(a, (const char *const[]){"-n", "20000", "-s", "2", "--open", "6", "--meta", "5",
                                           NULL}) == 0,
          "--meta exit");
    CHECK(run_gen(b, (const char *const[]){"-n", "20000", "-s", "2", "--open", "6", "--meta", "5",
                                           NULL}) == 0,
          "--meta exit");
    CHECK(same_file(a, b), "--meta: same seed, different bytes");
    facts_t f;
    check_dump(a, &f, 0);
    facts_free(&f);

    size_t la, lp;
    char *x = slurp(a, &la), *y = slurp(plain, &lp);
    CHECK(x && y, "cannot read the dumps");
    if (!x || !y) {
        free(x);
        free(y);
        return;
    }
    char *nx = strchr(x, '\n'), *ny = strchr(y, '\n');
    *nx = 0;
    json_error_t err;
    json_t *h = json_loads(x, 0, &err);
    json_t *strs = json_object_get(h, "strings");
    long long nstr = (long long)json_array_size(strs), execs = 0, with_m = 0, wrong_kind = 0;
    long long used[64] = {0}, distinct = 0;
    long long open_m = 0; /* seed 2: the open exec (the fourth op of --open's chain) has one */
    for (size_t i = 0; i < json_array_size(json_object_get(h, "open_ops")); i++) {
        json_t *o = json_array_get(json_object_get(h, "open_ops"), i);
        if (!json_object_get(o, "meta_id"))
            continue;
        open_m++;
        CHECK(!strcmp(get_str(o, "kind"), "exec"), "open op %lld: meta_id on a %s",
              get_int(o, "op_id", a, 1), get_str(o, "kind"));
        long long id = get_int(o, "meta_id", a, 1);
        CHECK(id > 0 && id < nstr && json_string_value(json_array_get(strs, id))[0] == '[',
              "open op %lld: meta_id %lld is no argv array", get_int(o, "op_id", a, 1), id);
    }
    CHECK(open_m == 1, "%lld open ops with meta_id, want the one exec", open_m);
    long lineno = 1;
    for (char *lx = nx + 1, *ly = ny + 1; *lx; lx = nx + 1, ly = ny ? ny + 1 : ly) {
        lineno++;
        nx = strchr(lx, '\n');
        ny = strchr(ly, '\n');
        if (!nx || !ny)
            break;
        *nx = *ny = 0;
        json_t *e = json_loads(lx, 0, &err);
        CHECK(e != NULL, "%s:%ld: %s", a, lineno, err.text);
        if (!e)
            break;
        const char *k = get_str(e, "k");
        int is_exec = k && !strcmp(k, "exec");
        execs += is_exec;
        json_t *m = json_object_get(e, "m");
        if (m) {
            with_m++;
            wrong_kind += !is_exec;
            long long id = json_integer_value(m);
            CHECK(id > 0 && id < nstr, "%s:%ld: m = %lld out of range", a, lineno, id);
            const char *v = id > 0 && id < nstr ? json_string_value(json_array_get(strs, id)) : "";
            json_t *arr = json_loads(v, 0, &err);
            CHECK(json_is_array(arr) && json_array_size(arr) > 0 &&
                      json_is_string(json_array_get(arr, 0)),
                  "%s:%ld: metadata '%s' is not a JSON array of strings", a, lineno, v);
            json_decref(arr);
            long long slot = id % 64;
            distinct += used[slot]++ == 0;
        }
        json_decref(e);
        strip_m(lx);
        CHECK(!strcmp(lx, ly), "%s:%ld: the event differs from the plain dump's beyond `m`", a,
              lineno);
    }
    CHECK(wrong_kind == 0, "%lld ops other than exec carry m", wrong_kind);
    CHECK(execs > 100, "only %lld exec ops", execs);
    CHECK(with_m * 100 >= execs * 60 && with_m * 100 <= execs * 90,
          "%lld of %lld execs carry m (want about three in four)", with_m, execs);
    CHECK(distinct >= 2 && distinct <= 5, "%lld distinct metadata values, want 2..5", distinct);
    json_decref(h);
    free(x);
    free(y);
}

static void case_usage(void)
{
    CHECK(run_gen(NULL, (const char *const[]){"--dumps", "3", NULL}) == 2, "--dumps without -o");
    CHECK(run_gen(NULL, (const char *const[]){"-n", "abc", NULL}) == 2, "-n abc");
    CHECK(run_gen(NULL, (const char *const[]){"-n", NULL}) == 2, "-n without value");
    CHECK(run_gen(NULL, (const char *const[]){"--bogus", NULL}) == 2, "unknown option");
    CHECK(run_gen(NULL, (const char *const[]){"--dumps", "2", "-o", "x-%s", NULL}) == 2,
          "bad pattern");
    CHECK(run_gen(NULL, (const char *const[]){"--help", NULL}) == 0, "--help");
}

static void cleanup(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (tmpdir[0] && system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_gen PATH-TO-wcprof-gen "
                        "valid|coverage|determinism|dumps|orphans|quirks|meta|usage\n");
        return 2;
    }
    gen = argv[1];
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/wcprof-gen-test-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
        return 1;
    }
    atexit(cleanup);
    const char *c = argv[2];
    if (!strcmp(c, "valid"))
        case_valid();
    else if (!strcmp(c, "coverage"))
        case_coverage();
    else if (!strcmp(c, "determinism"))
        case_determinism();
    else if (!strcmp(c, "dumps"))
        case_dumps();
    else if (!strcmp(c, "orphans"))
        case_orphans();
    else if (!strcmp(c, "quirks"))
        case_quirks();
    else if (!strcmp(c, "meta"))
        case_meta();
    else if (!strcmp(c, "usage"))
        case_usage();
    else {
        fprintf(stderr, "test_gen: unknown case '%s'\n", c);
        return 2;
    }
    if (failures)
        fprintf(stderr, "test_gen %s: %d check(s) failed\n", c, failures);
    return failures ? 1 : 0;
}
