/* bench_analysis.c - what the analyses cost on one database: graph build,
 * the whole model (graph, classes, compiled replay, baseline with its
 * critical path), one what-if replay, one critical path of a what-if, and
 * the full default ranking (factors 0, 0.5, 0.9 over every class with at
 * least 1 ms of self time), each the median of RUNS, then the process's
 * peak RSS. Run it once per database for a clean RSS (run.sh does).
 * With -t, instead: the model once, then each analysis of
 * docs/spec/analysis.md §7 over the whole run through SQL (the model
 * cached, as in a session): medians of RUNS, related_ops at depth 3 from
 * 20 ops spread over the run (its worst median; the ops' ids found
 * first, outside the timing), and the peak RSS.
 * With -i, instead: how long each whole-run analysis takes to stop after
 * sqlite3_interrupt() (the shell's Ctrl-C), called by a timer thread at
 * several moments of its run: the median and the worst, per analysis
 * (-f NAME: those whose name holds NAME, each time shown).
 *
 *   wcprof-bench-analysis [-r RUNS] [-t | -i [-f NAME]] DB
 */
#define _GNU_SOURCE
#include "model.h"
#include "wcprof_ext.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return v[n / 2];
}

static int64_t scalar(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    else {
        fprintf(stderr, "bench: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    sqlite3_finalize(st);
    return v;
}

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The median wall and CPU times of RUNS runs of sql (its rows counted, not
 * kept): on a shared machine the CPU time is what the work costs. */
static double time_sql(sqlite3 *db, const char *sql, int runs, double *cpu_median)
{
    double t[64], c[64];
    for (int r = 0; r < runs; r++) {
        double t0 = now(), c0 = cpu();
        scalar(db, sql);
        t[r] = now() - t0;
        c[r] = cpu() - c0;
    }
    *cpu_median = median(c, runs);
    return median(t, runs);
}

/* -t: the §7 analyses, over a model built once and cached. */
static int gotrace(sqlite3 *db, int runs)
{
    static const struct {
        const char *name, *sql;
    } q[] = {
        {"class_breakdown (every class and root)", "SELECT count(*) FROM class_breakdown"},
        {"op_breakdown (one op)", "SELECT count(*) FROM op_breakdown((SELECT min(id) FROM ops))"},
        {"utilization (every step)", "SELECT count(*) FROM utilization"},
        {"utilization (20 slices)", "SELECT count(*) FROM utilization(NULL, 20)"},
        {"mmu (50 widths)", "SELECT count(*) FROM mmu"},
        {"mud (1 ms)", "SELECT count(*) FROM mud(1000000)"},
        {"worst_windows (1 ms, 5)", "SELECT count(*) FROM worst_windows(1000000)"},
        {"parallelism", "SELECT count(*) FROM parallelism"},
        {"task_summary (roots)", "SELECT count(*) FROM task_summary"},
        {"tasks (roots, with their paths)", "SELECT count(*) FROM tasks"},
    };
    double t0 = now(), c0 = cpu(), c;
    scalar(db, "SELECT count(*) FROM replay_summary");
    printf("  model (built once, then cached): %.2f s wall, %.2f s CPU\n", now() - t0, cpu() - c0);
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        double t = time_sql(db, q[k].sql, runs, &c);
        printf("  %-40s %.3f s wall, %.3f s CPU\n", q[k].name, t, c);
    }
    int64_t n = scalar(db, "SELECT count(*) FROM ops WHERE run_id = (SELECT max(id) FROM runs)");
    int64_t first = scalar(db, "SELECT min(id) FROM ops WHERE run_id = (SELECT max(id) FROM runs)");
    char sql1[128];
    snprintf(sql1, sizeof sql1, "SELECT count(*) FROM related_ops(%lld, 3)", (long long)first);
    t0 = now(); /* the first call indexes the run's ties, once per model */
    c0 = cpu();
    scalar(db, sql1);
    printf("  %-40s %.3f s wall, %.3f s CPU\n", "related_ops (the first call: its index)",
           now() - t0, cpu() - c0);
    double worst = 0, worst_cpu = 0;
    int64_t worst_op = 0, worst_rows = 0;
    for (int k = 0; k < 20; k++) {
        char sql[256];
        /* the op's id first: its OFFSET walks the index, which is not related_ops' cost */
        snprintf(sql, sizeof sql,
                 "SELECT id FROM ops WHERE run_id = (SELECT max(id) FROM runs)"
                 " ORDER BY id LIMIT 1 OFFSET %lld",
                 (long long)(n * k / 20));
        int64_t id = scalar(db, sql);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM related_ops(%lld, 3)", (long long)id);
        double t = time_sql(db, sql, runs, &c);
        if (c > worst_cpu) {
            worst = t;
            worst_cpu = c;
            worst_op = n * k / 20;
            worst_rows = scalar(db, sql);
        }
    }
    printf("  %-40s %.3f s wall, %.3f s CPU (the op at position %lld, %lld rows)\n",
           "related_ops (depth 3, worst of 20 ops)", worst, worst_cpu, (long long)worst_op,
           (long long)worst_rows);
    double la[3];
    if (getloadavg(la, 3) == 3)
        printf("  load average %.1f %.1f %.1f on %ld CPUs\n", la[0], la[1], la[2],
               sysconf(_SC_NPROCESSORS_ONLN));
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("  peak RSS %.0f MB\n", (double)ru.ru_maxrss / 1024.0);
    return 0;
}

/* -i: time to stop. A timer thread calls sqlite3_interrupt() at a moment
 * of the statement's run; the statement's return is timed from it. */
typedef struct interrupter {
    sqlite3 *db;
    clockid_t cpu;    /* the statement's thread's CPU clock */
    double delay, at; /* seconds after the start; when it was called (0: not yet) */
    double cpu_at;    /* that thread's CPU time then */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
} interrupter;

static void *interrupt_later(void *arg)
{
    interrupter *it = arg;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    long long ns = ts.tv_nsec + (long long)(it->delay * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec = (long)(ns % 1000000000);
    pthread_mutex_lock(&it->mu);
    while (!it->done)
        if (pthread_cond_timedwait(&it->cv, &it->mu, &ts) != 0)
            break;
    if (!it->done) {
        struct timespec c;
        clock_gettime(it->cpu, &c);
        it->cpu_at = (double)c.tv_sec + (double)c.tv_nsec / 1e9;
        it->at = now();
        sqlite3_interrupt(it->db);
    }
    pthread_mutex_unlock(&it->mu);
    return NULL;
}

static double thread_cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs sql with an interrupt delay seconds in; the seconds from the
 * interrupt to the statement's return, or -1 when it finished first; *cpu:
 * the CPU time this thread (the connection's, which polls) spent in them,
 * which a loaded machine does not stretch. */
static double stop_time(sqlite3 *db, const char *sql, double delay, int *rc, double *cpu_s)
{
    interrupter it = {
        .db = db, .delay = delay, .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};
    pthread_getcpuclockid(pthread_self(), &it.cpu);
    sqlite3_stmt *st;
    pthread_t th;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: %s: %s\n", sql, sqlite3_errmsg(db));
        exit(1);
    }
    pthread_create(&th, NULL, interrupt_later, &it);
    while ((*rc = sqlite3_step(st)) == SQLITE_ROW)
        ;
    double end = now(), end_cpu = thread_cpu();
    pthread_mutex_lock(&it.mu);
    it.done = 1;
    pthread_cond_signal(&it.cv);
    pthread_mutex_unlock(&it.mu);
    pthread_join(th, NULL);
    sqlite3_finalize(st);
    *cpu_s = end_cpu - it.cpu_at;
    return it.at > 0 && *rc == SQLITE_INTERRUPT ? end - it.at : -1;
}

static sqlite3 *open_db(const char *path)
{
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: %s: %s\n", path, sqlite3_errmsg(db));
        exit(1);
    }
    if (wcprof_register_extension(db) != SQLITE_OK) {
        fprintf(stderr, "bench: cannot register the extension\n");
        exit(1);
    }
    return db;
}

static int stops(sqlite3 *db, const char *path, int runs, const char *only)
{
    static const struct {
        const char *name, *sql;
    } q[] = {
        {"model build (a fresh connection)", NULL},
        {"whatif_rank (full)", "SELECT count(*) FROM whatif_rank()"},
        {"whatif_rank (rank <= 5)", "SELECT count(*) FROM whatif_rank() WHERE rank <= 5"},
        {"whatif_rank_meta", "SELECT count(*) FROM whatif_rank_meta()"},
        {"critical_path", "SELECT count(*) FROM critical_path"},
        {"replay_drift", "SELECT count(*) FROM replay_drift"},
        {"resource_stats", "SELECT count(*) FROM resource_stats"},
        {"class_breakdown", "SELECT count(*) FROM class_breakdown"},
        {"utilization", "SELECT count(*) FROM utilization"},
        {"mmu (50 widths)", "SELECT count(*) FROM mmu"},
        {"mud (1 ms)", "SELECT count(*) FROM mud(1000000)"},
        {"worst_windows (1 ms, 5)", "SELECT count(*) FROM worst_windows(1000000)"},
        {"parallelism", "SELECT count(*) FROM parallelism"},
        {"parallelism_bounds", "SELECT count(*) FROM parallelism_bounds"},
        {"task_summary", "SELECT count(*) FROM task_summary"},
        {"tasks", "SELECT count(*) FROM tasks"},
        {"related_ops (root, depth 3)",
         "SELECT count(*) FROM related_ops((SELECT min(id) FROM ops"
         " WHERE run_id = (SELECT max(id) FROM runs) AND parent_id IS NULL), 3)"},
    };
    scalar(db, "SELECT count(*) FROM replay_summary"); /* the model, cached */
    printf("  %-32s %7s %21s %21s\n", "", "", "wall ms to stop", "CPU ms to stop");
    printf("  %-32s %7s %10s %10s %10s %10s  %s\n", "analysis", "run s", "median", "worst",
           "median", "worst", "(interrupted at 1/4, 1/2, 3/4 of a run)");
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++) {
        const char *sql = q[k].sql ? q[k].sql : "SELECT count(*) FROM replay_summary";
        if (only && !strstr(q[k].name, only))
            continue;
        double full = 0, c, lat[3 * 64], lat_cpu[3 * 64];
        int nl = 0, missed = 0, rc;
        if (!q[k].sql) { /* the build: on a fresh connection (an empty cache) each time */
            sqlite3 *fresh = open_db(path);
            double t0 = now();
            scalar(fresh, sql);
            full = now() - t0;
            sqlite3_close(fresh);
        } else
            full = time_sql(db, sql, 1, &c);
        for (int r = 0; r < runs; r++)
            for (int f = 1; f <= 3; f++) {
                sqlite3 *on = q[k].sql ? db : open_db(path);
                double tc, t = stop_time(on, sql, full * f / 4, &rc, &tc);
                if (on != db)
                    sqlite3_close(on);
                if (t >= 0) {
                    lat_cpu[nl] = tc;
                    lat[nl++] = t;
                    if (only)
                        printf("    at %d/4: %.1f ms wall, %.1f ms CPU\n", f, t * 1e3, tc * 1e3);
                } else
                    missed++;
            }
        double worst = 0, worst_cpu = 0;
        for (int i = 0; i < nl; i++) {
            worst = lat[i] > worst ? lat[i] : worst;
            worst_cpu = lat_cpu[i] > worst_cpu ? lat_cpu[i] : worst_cpu;
        }
        if (nl)
            printf("  %-32s %7.2f %10.1f %10.1f %10.1f %10.1f", q[k].name, full,
                   median(lat, nl) * 1e3, worst * 1e3, median(lat_cpu, nl) * 1e3, worst_cpu * 1e3);
        else
            printf("  %-32s %7.2f %10s %10s %10s %10s", q[k].name, full, "-", "-", "-", "-");
        printf(missed ? "  (%d of %d finished first)\n" : "\n", missed, 3 * runs);
    }
    double la[3];
    if (getloadavg(la, 3) == 3)
        printf("  load average %.1f %.1f %.1f on %ld CPUs\n", la[0], la[1], la[2],
               sysconf(_SC_NPROCESSORS_ONLN));
    return 0;
}

int main(int argc, char **argv)
{
    int runs = 3, opt, t7 = 0, t_stop = 0;
    const char *only = NULL;
    while ((opt = getopt(argc, argv, "r:tif:")) != -1) {
        if (opt == 'r' && atoi(optarg) > 0)
            runs = atoi(optarg);
        else if (opt == 't')
            t7 = 1;
        else if (opt == 'i')
            t_stop = 1;
        else if (opt == 'f')
            only = optarg;
        else {
            fprintf(stderr, "usage: wcprof-bench-analysis [-r RUNS] [-t | -i [-f NAME]] DB\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: wcprof-bench-analysis [-r RUNS] [-t | -i [-f NAME]] DB\n");
        return 2;
    }
    sqlite3 *db;
    if (sqlite3_open_v2(argv[optind], &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "bench: %s: %s\n", argv[optind], sqlite3_errmsg(db));
        return 1;
    }
    if (wcprof_register_extension(db) != SQLITE_OK) {
        fprintf(stderr, "bench: cannot register the extension\n");
        return 1;
    }
    if (runs > 64)
        runs = 64;
    if (t_stop) {
        printf("%s: time to stop after sqlite3_interrupt(), %d runs per analysis\n", argv[optind],
               runs);
        int rc = stops(db, argv[optind], runs, only);
        sqlite3_close(db);
        return rc;
    }
    if (t7) {
        printf("%s: the analyses of docs/spec/analysis.md section 7, medians of %d runs\n",
               argv[optind], runs);
        int rc = gotrace(db, runs);
        sqlite3_close(db);
        return rc;
    }
    int64_t run = wcp_db_latest_run(db);
    char err[512];
    double t_graph[64], t_model[64], t_replay[64], t_crit[64], t_rank[64];
    if (runs > 64)
        runs = 64;
    wcp_model_cache cache = {.db = db};
    int64_t rows = 0;
    for (int r = 0; r < runs; r++) {
        wcp_graph g;
        double t0 = now();
        if (wcp_graph_build(db, run, WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS, &g, err, sizeof err) < 0) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        t_graph[r] = now() - t0;
        wcp_graph_free(&g);

        wcp_model_cache_clear(&cache); /* a fresh model each run */
        t0 = now();
        wcp_model *m = wcp_model_get(&cache, run, NULL, err, sizeof err);
        if (!m) {
            fprintf(stderr, "bench: %s\n", err);
            return 1;
        }
        t_model[r] = now() - t0;

        size_t n1 = m->g.n_ops ? m->g.n_ops : 1;
        int64_t *reg = malloc(n1 * sizeof *reg), *start = malloc(n1 * sizeof *start);
        int64_t *after = malloc((m->tape.n ? m->tape.n : 1) * sizeof *after);
        double *factor = malloc((m->classes.n ? m->classes.n : 1) * sizeof *factor);
        for (uint32_t c = 0; c < m->classes.n; c++)
            factor[c] = 1.0;
        if (m->classes.n)
            factor[r % m->classes.n] = 0.5;
        t0 = now();
        wcp_tape_eval(&m->tape, factor, reg, start, NULL);
        t_replay[r] = now() - t0;
        wcp_seg *segs;
        size_t ns;
        t0 = now();
        wcp_tape_eval(&m->tape, factor, reg, start, after);
        wcp_tape_critical_path(&m->tape, reg, start, after, &segs, &ns);
        t_crit[r] = now() - t0;
        free(segs);
        free(reg);
        free(start);
        free(after);
        free(factor);
        wcp_model_release(m);
        wcp_model_cache_clear(&cache); /* one model at a time, as in a user's session */

        /* the ranking as users run it: SQL over the (now cached) model */
        t0 = now();
        rows = scalar(db, "SELECT count(*) FROM whatif_rank()");
        t_rank[r] = now() - t0;
    }
    int64_t classes = scalar(db, "SELECT count(DISTINCT class_key) FROM whatif_rank()");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru); /* before the figures' model, which the extension's duplicates */
    wcp_model *m = wcp_model_get(&cache, run, NULL, err, sizeof err);
    printf("%s: run %lld, %u ops, %u waits, %u classes (%lld ranked), %zu replay steps\n",
           argv[optind], (long long)run, m ? m->g.n_ops : 0, m ? m->g.n_waits : 0,
           m ? m->classes.n : 0, (long long)classes, m ? m->tape.n : 0);
    printf(
        "  medians of %d runs: graph build %.3f s, model (graph+classes+compile+baseline+critical path) %.3f s,\n"
        "  one what-if replay %.4f s, what-if critical path %.4f s, full ranking %.2f s (%lld rows)\n",
        runs, median(t_graph, runs), median(t_model, runs), median(t_replay, runs),
        median(t_crit, runs), median(t_rank, runs), (long long)rows);
    printf("  peak RSS %.0f MB\n", (double)ru.ru_maxrss / 1024.0);
    wcp_model_release(m);
    wcp_model_cache_clear(&cache);
    sqlite3_close(db);
    return 0;
}
