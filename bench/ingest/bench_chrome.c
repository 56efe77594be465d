/* bench_chrome.c - Chrome trace ingest: MB/s and peak RSS.
 *
 *   wcprof-bench-chrome -g EVENTS [-s SEED] FILE   write a deterministic Chrome trace
 *   wcprof-bench-chrome [-r RUNS] FILE...          measure
 *
 * The generated trace looks like a browser's: the object form with a
 * metadata key after traceEvents, 2 processes x 8 named threads, each a run
 * of top-level tasks (X, or B/E for one in ten) with trees of nested X
 * events under them (pre-order on most threads, post-order as clang writes
 * them on some), args of the shapes Chrome writes (src_file/src_func,
 * detail), a flow from a slice of each thread to a task of the next one for
 * one task in twenty, counters and instant events; one event per line. The
 * same EVENTS and SEED give the same bytes.
 *
 * Each measurement runs RUNS times (medians), each run in a fresh child so
 * that its peak RSS is its own:
 *   read     the Chrome reader alone: parse, B/E, nesting, flows, and every
 *            converted event handed out, as wcp_load_dump() gets them, but
 *            no database
 *   ingest   wcp_load_dump() into a new database: all of the above, plus the
 *            inserts, dedup and the run's parents/self time recomputed
 * Perfetto's published figure for its JSON importer (177 MB/s, quoted in
 * issue 5) is printed for scale; it is not measured here.
 */
#define _GNU_SOURCE
#include "chrome.h"
#include "load.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PERFETTO_JSON_MBS 177.0

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the generator */

static uint64_t rng;
static uint32_t rnd(uint32_t n)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rng >> 33) % n;
}

typedef struct gen {
    FILE *f;
    long long left; /* events still to write */
    long long flow_id;
    bool first;
} gen;

static void sep(gen *g)
{
    fputs(g->first ? "\n" : ",\n", g->f);
    g->first = false;
    g->left--;
}

static void args(gen *g)
{
    switch (rnd(10)) {
    case 0:
    case 1:
    case 2:
    case 3:
    case 4:
        fprintf(
            g->f,
            ",\"args\":{\"src_file\":\"../../base/task/file%02u.cc\",\"src_func\":\"Func%03u\"}",
            rnd(40), rnd(300));
        break;
    case 5:
    case 6:
    case 7:
        fprintf(g->f, ",\"args\":{\"detail\":\"/usr/include/c++/12/bits/header%03u.h\"}", rnd(500));
        break;
    default: break;
    }
}

/* A slice of [ts, ts+dur) and, under it, a tree of depth at most depth. */
static void tree(gen *g, int pid, int tid, long long ts, long long dur, int depth, bool post)
{
    static const char *const cats[] = {
        "toplevel", "v8",  "blink", "cc",
        "gpu",      "net", "ipc",   "disabled-by-default-devtools.timeline"};
    unsigned name = rnd(200), cat = rnd(8);
    if (!post) {
        sep(g);
        fprintf(
            g->f,
            "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"X\",\"cat\":\"%s\",\"name\":\"Class%03u::Method\",\"dur\":%lld",
            pid, tid, ts, cats[cat], name, dur);
        args(g);
        fputc('}', g->f);
    }
    int kids = depth > 0 && dur > 8 && g->left > 1 ? (int)rnd(4) : 0;
    long long t = ts + 1;
    for (int k = 0; k < kids && g->left > 1; k++) {
        long long room = ts + dur - t - 1;
        if (room < 4)
            break;
        long long d = 1 + rnd((uint32_t)(room / (kids - k) > 1 ? room / (kids - k) : 1));
        tree(g, pid, tid, t, d, depth - 1, post);
        t += d + rnd(3);
    }
    if (post) {
        sep(g);
        fprintf(
            g->f,
            "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"X\",\"cat\":\"%s\",\"name\":\"Class%03u::Method\",\"dur\":%lld",
            pid, tid, ts, cats[cat], name, dur);
        args(g);
        fputc('}', g->f);
    }
}

static int generate(long long events, unsigned seed, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        return 1;
    }
    static char buf[1 << 20];
    setvbuf(f, buf, _IOFBF, sizeof buf);
    rng = seed;
    gen g = {f, events, 0, true};
    fputs("{\"traceEvents\":[", f);
    enum { THREADS = 16 };
    for (int t = 0; t < THREADS; t++) {
        int pid = 100 + t / 8, tid = 1000 + t;
        sep(&g);
        fprintf(
            f,
            "{\"pid\":%d,\"tid\":%d,\"ts\":0,\"ph\":\"M\",\"cat\":\"__metadata\",\"name\":\"thread_name\",\"args\":{\"name\":\"Thread%02d\"}}",
            pid, tid, t);
    }
    long long per_thread = (events - THREADS) / THREADS;
    for (int t = 0; t < THREADS && g.left > 0; t++) {
        int pid = 100 + t / 8, tid = 1000 + t, next = 1000 + (t + 1) % THREADS;
        bool post = t % 4 == 3; /* a quarter of the threads write slices as they end */
        long long stop = g.left - (t == THREADS - 1 ? g.left : per_thread), ts = 1000;
        while (g.left > stop && g.left > 0) {
            long long dur = 50 + rnd(5000);
            if (rnd(10) == 0 && g.left - stop > 2) { /* a B/E task */
                sep(&g);
                fprintf(
                    f,
                    "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"B\",\"cat\":\"toplevel\",\"name\":\"RunTask\"}",
                    pid, tid, ts);
                tree(&g, pid, tid, ts + 1, dur - 2, 2, post);
                sep(&g);
                fprintf(f, "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"E\"}", pid, tid, ts + dur);
            } else
                tree(&g, pid, tid, ts, dur, 5, post);
            if (rnd(20) == 0 && g.left - stop > 2) { /* post a task to the next thread */
                g.flow_id++;
                sep(&g);
                fprintf(
                    f,
                    "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"s\",\"cat\":\"toplevel.flow\",\"name\":\"PostTask\",\"id\":\"0x%llx\"}",
                    pid, tid, ts + dur / 2, g.flow_id);
                sep(&g);
                fprintf(
                    f,
                    "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"f\",\"cat\":\"toplevel.flow\",\"name\":\"PostTask\",\"id\":\"0x%llx\"}",
                    100 + ((t + 1) % THREADS) / 8, next, ts + dur, g.flow_id);
            }
            if (rnd(50) == 0 && g.left > stop) {
                sep(&g);
                fprintf(
                    f,
                    "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"C\",\"name\":\"HeapSize\",\"args\":{\"bytes\":%u}}",
                    pid, tid, ts, rnd(1u << 30));
            }
            if (rnd(100) == 0 && g.left > stop) {
                sep(&g);
                fprintf(
                    f,
                    "{\"pid\":%d,\"tid\":%d,\"ts\":%lld,\"ph\":\"i\",\"name\":\"Mark\",\"s\":\"t\"}",
                    pid, tid, ts);
            }
            ts += dur + 1 + rnd(200);
        }
    }
    fputs(
        "\n],\n\"metadata\":{\"trace-capture-datetime\":\"2026-11-20 00:00:00\",\"generator\":\"wcprof-bench-chrome\"}}\n",
        f);
    if (fclose(f) != 0) {
        perror(path);
        return 1;
    }
    return 0;
}

/* ---- the measurements */

static int no_string(void *ctx, size_t i, const char *s, size_t n)
{
    (void)ctx, (void)i, (void)s, (void)n;
    return 0;
}

static int no_open(void *ctx, const wcp_open_op *o)
{
    (*(long long *)ctx)++;
    (void)o;
    return 0;
}

/* The reader alone; returns the events handed out. */
static long long read_only(const char *path)
{
    wcp_reader r;
    long long n = 0;
    if (wcp_source_open(&r, path, WCP_FORMAT_CHROME) < 0 ||
        wcp_reader_header(&r, no_string, NULL) < 0 || wcp_reader_open_ops(&r, no_open, &n) < 0) {
        fprintf(stderr, "%s\n", r.err);
        exit(1);
    }
    wcp_event e;
    int rc;
    while ((rc = wcp_reader_next(&r, &e)) > 0)
        n++;
    if (rc < 0) {
        fprintf(stderr, "%s\n", r.err);
        exit(1);
    }
    wcp_reader_close(&r);
    return n;
}

static long long ingest(const char *path, const char *dbpath)
{
    sqlite3 *db;
    char err[1024];
    wcp_load_stats st;
    wcp_load_opts opts = {.format = WCP_FORMAT_CHROME};
    if (wcp_db_open(dbpath, WCP_DB_CREATE, &db, err, sizeof err) < 0 ||
        (sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA synchronous = NORMAL", NULL, NULL,
                      NULL),
         wcp_load_dump(db, path, &opts, &st, err, sizeof err) < 0)) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    sqlite3_close(db);
    return st.events;
}

typedef struct result {
    double secs, rss_mb;
    long long events;
} result;

/* One run in a child process (0 read, 1 ingest). */
static result run_child(int which, const char *path)
{
    char dbpath[] = "/tmp/wcprof-bench-chrome-XXXXXX";
    close(mkstemp(dbpath));
    unlink(dbpath);
    int pfd[2];
    if (pipe(pfd) < 0)
        exit(1);
    result res = {0};
    pid_t pid = fork();
    if (pid == 0) {
        double t0 = now_s();
        res.events = which ? ingest(path, dbpath) : read_only(path);
        res.secs = now_s() - t0;
        _exit(write(pfd[1], &res, sizeof res) == sizeof res ? 0 : 1);
    }
    close(pfd[1]);
    if (read(pfd[0], &res, sizeof res) != sizeof res)
        fprintf(stderr, "the measurement failed\n");
    close(pfd[0]);
    int status;
    struct rusage ru;
    wait4(pid, &status, 0, &ru);
    res.rss_mb = ru.ru_maxrss / 1024.0;
    unlink(dbpath);
    return res;
}

static int by_secs(const void *a, const void *b)
{
    double x = ((const result *)a)->secs, y = ((const result *)b)->secs;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int runs = 3, opt;
    long long gen_events = 0;
    unsigned seed = 1;
    while ((opt = getopt(argc, argv, "r:g:s:")) != -1) {
        if (opt == 'r')
            runs = atoi(optarg) > 0 && atoi(optarg) <= 64 ? atoi(optarg) : 3;
        else if (opt == 'g')
            gen_events = atoll(optarg);
        else if (opt == 's')
            seed = (unsigned)atoi(optarg);
    }
    if (optind >= argc) {
        fprintf(stderr,
                "usage: wcprof-bench-chrome -g EVENTS [-s SEED] FILE | [-r RUNS] FILE...\n");
        return 2;
    }
    if (gen_events > 0)
        return generate(gen_events, seed, argv[optind]);
    printf("%-24s %8s %10s %8s %8s %8s %8s %8s %8s %8s\n", "trace", "MB", "events", "read_s",
           "MB/s", "rss_MB", "ingest_s", "MB/s", "rss_MB", "Mops/s");
    for (int k = optind; k < argc; k++) {
        struct stat sb;
        if (stat(argv[k], &sb) < 0) {
            perror(argv[k]);
            return 1;
        }
        double mb = sb.st_size / 1e6;
        result rd[64], in[64];
        for (int r = 0; r < runs; r++) { /* interleaved, so drift hits both alike */
            rd[r] = run_child(0, argv[k]);
            in[r] = run_child(1, argv[k]);
        }
        qsort(rd, runs, sizeof *rd, by_secs);
        qsort(in, runs, sizeof *in, by_secs);
        result a = rd[runs / 2], b = in[runs / 2];
        const char *name = strrchr(argv[k], '/') ? strrchr(argv[k], '/') + 1 : argv[k];
        printf("%-24s %8.1f %10lld %8.3f %8.1f %8.1f %8.3f %8.1f %8.1f %8.3f\n", name, mb, a.events,
               a.secs, mb / a.secs, a.rss_mb, b.secs, mb / b.secs, b.rss_mb,
               b.events / b.secs / 1e6);
        fflush(stdout);
    }
    printf(
        "(medians of %d runs, read and ingest interleaved; MB = 10^6 bytes of JSON; events = ops, waits and "
        "links handed out. Perfetto's JSON importer: %.0f MB/s as published, not measured here)\n",
        runs, PERFETTO_JSON_MBS);
    return 0;
}
