/* bench_ingest.c - wcprof-ingest throughput and peak RSS against SQLite alone.
 *
 *   wcprof-bench-ingest [-r RUNS] DUMP...
 *
 * For each dump, RUNS times each (median reported), every run in a fresh
 * child process so that its peak RSS is its own:
 *   ingest    wcp_load_dump() into a new database: parse, insert, dedup,
 *             resolve parents, wait targets and self time (what the tool does)
 *   baseline  SQLite alone: the same rows, already parsed into memory before
 *             the clock starts, inserted with the same schema, connection
 *             flags and pragmas in one transaction, with the secondary
 *             indexes dropped first and created at the end as the ingest
 *             does for a first dump (no parsing, no dedup, no resolve)
 * and prints events/s for each and the ratio ingest/baseline. A DUMP may be
 * any format wcprof-ingest reads (by its first bytes): the baseline inserts
 * the rows its reader hands out (bench/ingest/run-otlp.sh compares an OTLP
 * file with a Chrome trace of the same ops so).
 */
#define _GNU_SOURCE
#include "dump.h"
#include "source.h"
#include "load.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct row {
    int type;
    int64_t v[12];
} row;

/* enum text -> id, tiny linear table (untimed preparation) */
static char enums[256][64];
static int n_enums;
static int64_t enum_id(wcp_str s, int64_t base)
{
    if (!s.n)
        return 0;
    for (int k = 0; k < n_enums; k++)
        if (strlen(enums[k]) == s.n && memcmp(enums[k], s.p, s.n) == 0)
            return base + k;
    snprintf(enums[n_enums], sizeof enums[0], "%.*s", (int)(s.n < 63 ? s.n : 63), s.p);
    return base + n_enums++;
}

typedef struct strs {
    char **s;
    size_t n, cap;
} strs;

static int keep_string(void *ctx, size_t index, const char *s, size_t n)
{
    strs *t = ctx;
    (void)index;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->s = realloc(t->s, t->cap * sizeof *t->s);
    }
    t->s[t->n++] = strndup(s, n);
    return 0;
}

/* SQLite alone: returns seconds for inserting the same rows. */
static double baseline(const char *dump, const char *dbpath, int64_t *events)
{
    wcp_reader r;
    strs t = {0};
    if (wcp_source_open(&r, dump, WCP_FORMAT_AUTO) < 0 ||
        wcp_reader_header(&r, keep_string, &t) < 0) {
        fprintf(stderr, "%s\n", r.err);
        exit(1);
    }
    int64_t base = (int64_t)t.n + 10;
    size_t cap = (size_t)r.hdr.event_count + 1, n = 0;
    row *rows = malloc(cap * sizeof *rows);
    wcp_event e;
    while (wcp_reader_next(&r, &e) > 0) {
        if (n == cap && !(rows = realloc(rows, (cap *= 2) * sizeof *rows))) /* an import's count */
            exit(1);
        row *x = &rows[n++];
        x->type = e.type;
        int64_t *v = x->v;
        if (e.type == WCP_EV_OP) {
            int64_t a[] = {e.id,
                           e.p,
                           enum_id(e.k, base),
                           enum_id(e.w, base),
                           enum_id(e.o, base),
                           e.c,
                           e.i,
                           e.cl,
                           e.r,
                           e.s,
                           e.d,
                           e.th};
            memcpy(v, a, sizeof a);
        } else if (e.type == WCP_EV_WAIT) {
            int64_t a[] = {e.p, e.s, e.d, e.t, e.i, enum_id(e.rs, base), e.th, (int64_t)r.line};
            memcpy(v, a, sizeof a);
        } else {
            int64_t a[] = {e.p, e.s, enum_id(e.lk, base), e.t, e.i, e.r, (int64_t)r.line};
            memcpy(v, a, sizeof a);
        }
    }
    *events = (int64_t)n;
    wcp_reader_close(&r);

    sqlite3 *db;
    char err[512];
    if (wcp_db_open(dbpath, WCP_DB_CREATE | WCP_DB_ONE_THREAD, &db, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    sqlite3_stmt *ss, *so, *sw, *sl;
    sqlite3_prepare_v2(db, "INSERT INTO strings(id, value) VALUES (?1, ?2)", -1, &ss, NULL);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO ops(run_id, id, parent_id, recorded_parent_id, kind, work_type, outcome, class_id, "
        "ident_id, client_id, result_id, start_ns, end_ns, is_open, self_ns, thread_id, dump_id, extra) "
        "VALUES (1, ?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, ?11 - ?10, ?12, 1, NULL)",
        -1, &so, NULL);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO waits(run_id, waiter_id, start_ns, end_ns, recorded_target_id, ident_id, reason, "
        "dup, target_id, orphan, thread_id, dump_id, line, extra) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 0, "
        "?4, 0, ?7, 1, ?8, NULL)",
        -1, &sw, NULL);
    sqlite3_prepare_v2(
        db,
        "INSERT INTO links(run_id, from_id, at_ns, kind, target_id, ident_id, result_id, dup, dump_id, "
        "line, extra) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, 0, 1, ?7, NULL)",
        -1, &sl, NULL);

    double t0 = now_s();
    char *recreate;
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if (wcp_db_drop_bulk_indexes(db, &recreate, err, sizeof err) < 0) {
        fprintf(stderr, "baseline: %s\n", err);
        exit(1);
    }
    for (size_t k = 1; k < t.n; k++) {
        sqlite3_bind_int64(ss, 1, (int64_t)k);
        sqlite3_bind_text(ss, 2, t.s[k], -1, SQLITE_STATIC);
        sqlite3_step(ss);
        sqlite3_reset(ss);
    }
    for (int k = 0; k < n_enums; k++) {
        sqlite3_bind_int64(ss, 1, base + k);
        sqlite3_bind_text(ss, 2, enums[k], -1, SQLITE_STATIC);
        sqlite3_step(ss);
        sqlite3_reset(ss);
    }
    for (size_t k = 0; k < n; k++) {
        row *x = &rows[k];
        sqlite3_stmt *st = x->type == WCP_EV_OP ? so : x->type == WCP_EV_WAIT ? sw : sl;
        int np = x->type == WCP_EV_OP ? 12 : x->type == WCP_EV_WAIT ? 8 : 7;
        for (int j = 0; j < np; j++)
            sqlite3_bind_int64(st, j + 1, x->v[j]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            fprintf(stderr, "baseline insert: %s\n", sqlite3_errmsg(db));
            exit(1);
        }
        sqlite3_reset(st);
    }
    if (sqlite3_exec(db, recreate, NULL, NULL, NULL) != SQLITE_OK) {
        fprintf(stderr, "baseline indexes: %s\n", sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_free(recreate);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    double secs = now_s() - t0;
    sqlite3_finalize(ss);
    sqlite3_finalize(so);
    sqlite3_finalize(sw);
    sqlite3_finalize(sl);
    sqlite3_close(db);
    return secs;
}

static double ingest(const char *dump, const char *dbpath, int64_t *events)
{
    sqlite3 *db;
    char err[1024];
    if (wcp_db_open(dbpath, WCP_DB_CREATE | WCP_DB_ONE_THREAD, &db, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    wcp_load_stats st;
    double t0 = now_s();
    if (wcp_load_dump(db, dump, NULL, &st, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    double secs = now_s() - t0;
    sqlite3_close(db);
    *events = st.events;
    return secs;
}

/* Runs one measurement in a child; returns seconds, *rss_mb its peak RSS,
 * *cpu_s the CPU time of the whole child (user + system, every thread; the
 * file's preparation for the baseline included). */
static double measure(int which, const char *dump, int64_t *events, double *rss_mb, double *cpu_s)
{
    char dbpath[] = "/tmp/wcprof-bench-XXXXXX";
    int fd = mkstemp(dbpath);
    close(fd);
    unlink(dbpath);
    int pfd[2];
    if (pipe(pfd) < 0)
        exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        double res[2];
        int64_t ev = 0;
        res[0] = which ? baseline(dump, dbpath, &ev) : ingest(dump, dbpath, &ev);
        res[1] = (double)ev;
        if (write(pfd[1], res, sizeof res) != sizeof res)
            _exit(1);
        _exit(0);
    }
    close(pfd[1]);
    double res[2] = {0, 0};
    if (read(pfd[0], res, sizeof res) != sizeof res)
        fprintf(stderr, "measurement failed\n");
    close(pfd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    *rss_mb = ru.ru_maxrss / 1024.0;
    *cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
             ru.ru_stime.tv_usec / 1e6;
    *events = (int64_t)res[1];
    unlink(dbpath);
    char j[4200];
    snprintf(j, sizeof j, "%s-journal", dbpath);
    unlink(j);
    return res[0];
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int runs = 3, opt;
    while ((opt = getopt(argc, argv, "r:")) != -1)
        if (opt == 'r')
            runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
    if (optind >= argc) {
        fprintf(stderr, "usage: wcprof-bench-ingest [-r RUNS] DUMP...\n");
        return 2;
    }
    printf("%-28s %9s %10s %9s %7s %8s %9s %10s %9s %6s\n", "dump", "events", "ingest_s", "Mev/s",
           "cpu_s", "rss_MB", "sqlite_s", "Mev/s", "rss_MB", "ratio");
    for (int k = optind; k < argc; k++) {
        double ti[64], tb[64], ri[64], rb[64], ci[64];
        double cpu_b; /* the baseline's CPU, its preparation included: not shown */
        int64_t ev = 0;
        runs = runs > 64 ? 64 : runs;
        for (int r = 0; r < runs; r++) { /* interleaved, so drift hits both alike */
            ti[r] = measure(0, argv[k], &ev, &ri[r], &ci[r]);
            tb[r] = measure(1, argv[k], &ev, &rb[r], &cpu_b);
        }
        qsort(ti, runs, sizeof *ti, cmp_d);
        qsort(tb, runs, sizeof *tb, cmp_d);
        qsort(ri, runs, sizeof *ri, cmp_d);
        qsort(rb, runs, sizeof *rb, cmp_d);
        qsort(ci, runs, sizeof *ci, cmp_d);
        double mi = ti[runs / 2], mb = tb[runs / 2];
        const char *name = strrchr(argv[k], '/') ? strrchr(argv[k], '/') + 1 : argv[k];
        printf("%-28s %9lld %10.3f %9.3f %7.3f %8.1f %9.3f %10.3f %9.1f %6.2f\n", name,
               (long long)ev, mi, ev / mi / 1e6, ci[runs / 2], ri[runs / 2], mb, ev / mb / 1e6,
               rb[runs / 2], mi / mb);
        fflush(stdout);
    }
    printf("(medians of %d runs each, ingest and baseline interleaved; ratio = ingest / baseline "
           "(wall); cpu_s: the ingest's CPU time, every thread)\n",
           runs);
    return 0;
}
