/* bench_analysis.c - what the analyses cost on one database: graph build,
 * the whole model (graph, classes, compiled replay, baseline with its
 * critical path), one what-if replay, one critical path of a what-if, and
 * the full default ranking (factors 0, 0.5, 0.9 over every class with at
 * least 1 ms of self time), each the median of RUNS, then the process's
 * peak RSS. Run it once per database for a clean RSS (run.sh does).
 * With -t, instead: the model once, then each analysis of
 * docs/spec/analysis.md §7 over the whole run through SQL (the model
 * cached, as in a session): medians of RUNS, related_ops at depth 3 from
 * 20 ops spread over the run (its worst median), and the peak RSS.
 *
 *   wcprof-bench-analysis [-r RUNS] [-t] DB
 */
#define _GNU_SOURCE
#include "model.h"
#include "wcprof_ext.h"

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
    double worst = 0, worst_cpu = 0;
    int64_t worst_op = 0, worst_rows = 0;
    for (int k = 0; k < 20; k++) {
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM related_ops((SELECT id FROM ops WHERE run_id ="
                 " (SELECT max(id) FROM runs) ORDER BY id LIMIT 1 OFFSET %lld), 3)",
                 (long long)(n * k / 20));
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

int main(int argc, char **argv)
{
    int runs = 3, opt, t7 = 0;
    while ((opt = getopt(argc, argv, "r:t")) != -1) {
        if (opt == 'r' && atoi(optarg) > 0)
            runs = atoi(optarg);
        else if (opt == 't')
            t7 = 1;
        else {
            fprintf(stderr, "usage: wcprof-bench-analysis [-r RUNS] [-t] DB\n");
            return 2;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "usage: wcprof-bench-analysis [-r RUNS] [-t] DB\n");
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
