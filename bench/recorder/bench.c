/*
 * bench.c - wcprof-bench-recorder: nanoseconds per begin+end op pair.
 *
 *   wcprof-bench-recorder [--threads N] [--pairs P] [--reps R] [--no-pin]
 *
 * Measures, in one run, for 1 thread, 2 threads and N threads (--threads):
 *   compiled-out   the calls compiled with WCPROF_DISABLE (bench_off.c)
 *   never-enabled  library linked, recording never turned on
 *   enabled        recording on (buffers reused between repetitions)
 *   enabled-off    recording turned on, then globally off again
 *   lock           an uncontended pthread mutex lock+unlock, plain and as
 *                  wcp_lock+wcp_unlock (a recorded hold), 1 thread
 *   mutex16        a copy of the reference design (Dagger's engine/wcprof):
 *                  one hash map of open ops behind a mutex, 16
 *                  mutex-protected shards of finished ops, clock_gettime
 * Each figure is the median over R repetitions of the mean per-thread cost
 * (each thread's elapsed time / its pairs); threads start together, each
 * pinned to its own CPU (thread i to the i-th CPU the process may use;
 * --no-pin leaves placement to the scheduler). Each thread's own medians
 * are printed too, with how often the threads were descheduled. The first
 * repetition of `enabled` also takes fresh buffers; it is printed
 * separately ("first rep").
 *
 *   wcprof-bench-recorder --fresh [--events N] [--reps R] [--no-pin]
 *
 * measures recording into never-touched memory instead: each repetition
 * is a fresh process (this program again, --fresh-child) whose 1 or 2
 * pinned threads each record N pairs (default 4194304: one event a pair,
 * 256 MiB a thread) right after recording is enabled, with the pre-fault
 * thread off (WCPROF_PREFAULT=0), on with 4 KiB pages only
 * (WCPROF_HUGEPAGES=0), on as by default, and off but with wcp_reserve
 * for every event before recording starts; the configurations take
 * turns within each repetition. Prints medians over R (default 5) of each
 * thread's wall and CPU ns per pair, how many chunks the recording
 * threads had to fault in themselves, the CPU time of the pre-fault
 * thread and the time wcp_reserve took.
 */
#define _GNU_SOURCE
#include "wcprof.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void bench_loop_compiled_out(long pairs);

static double now_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the libwcprof loop ------------------------------------------------ */

static void loop_wcprof(long pairs)
{
    for (long i = 0; i < pairs; i++) {
        wcp_op op = wcp_begin(WCP_KIND_CALL, "bench.op");
        wcp_end(op, WCP_OUTCOME_OK);
        __asm__ __volatile__("" ::: "memory");
    }
}

/* ---- an uncontended lock: plain, and as a recorded hold ------------------- */

static pthread_mutex_t bench_mu = PTHREAD_MUTEX_INITIALIZER;

static void loop_mutex(long pairs)
{
    for (long i = 0; i < pairs; i++) {
        pthread_mutex_lock(&bench_mu);
        __asm__ __volatile__("" ::: "memory");
        pthread_mutex_unlock(&bench_mu);
    }
}

/* wcp_lock records a hold only inside an op: the loop runs in one */
static void loop_hold(long pairs)
{
    wcp_op top = wcp_begin(WCP_KIND_CALL, "bench.top");
    for (long i = 0; i < pairs; i++) {
        wcp_op h;
        wcp_lock(&bench_mu, "bench.lock", &h);
        __asm__ __volatile__("" ::: "memory");
        wcp_unlock(&bench_mu, h);
    }
    wcp_end(top, WCP_OUTCOME_OK);
}

/* ---- the baseline: the reference recorder's design --------------------- */

/* Dagger's engine/wcprof keeps one hash map of open ops and 16
 * mutex-protected shards of finished events: begin puts the op in the map,
 * end takes it out and appends the finished op to the shard its id picks.
 * Go maps need a lock, so the map has one mutex of its own. Timestamps are
 * clock_gettime (Go's time.Now), ids one atomic counter. */
typedef struct bl_open {
    uint64_t id, parent;
    int64_t start;
    const char *cls;
} bl_open;
typedef struct bl_event {
    uint64_t id, parent;
    int64_t s, d;
    const char *cls;
    uint8_t kind, outcome;
} bl_event;

typedef struct bl_map { /* the open ops */
    pthread_mutex_t mu;
    bl_open *open; /* open addressing, id 0 = empty */
    size_t cap, n;
} __attribute__((aligned(64))) bl_map;

typedef struct bl_shard { /* finished ops */
    pthread_mutex_t mu;
    bl_event *events; /* append-only, like a Go slice */
    size_t nev, evcap;
} __attribute__((aligned(64))) bl_shard;

static bl_map open_ops = {.mu = PTHREAD_MUTEX_INITIALIZER};
static bl_shard shards[16];
static _Alignas(64) atomic_uint_fast64_t bl_next_id;
static __thread uint64_t bl_current;

static int64_t bl_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t bl_slot(const bl_map *s, uint64_t id)
{
    size_t k = (size_t)(id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
    while (s->open[k].id && s->open[k].id != id)
        k = (k + 1) & (s->cap - 1);
    return k;
}

static void bl_insert(bl_map *s, bl_open o)
{
    if (2 * (s->n + 1) > s->cap) {
        size_t oldcap = s->cap;
        bl_open *old = s->open;
        s->cap = oldcap ? 2 * oldcap : 64;
        s->open = calloc(s->cap, sizeof *s->open);
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].id)
                s->open[bl_slot(s, old[i].id)] = old[i];
        free(old);
    }
    s->open[bl_slot(s, o.id)] = o;
    s->n++;
}

static bl_open bl_remove(bl_map *s, uint64_t id)
{
    size_t k = bl_slot(s, id), mask = s->cap - 1;
    bl_open o = s->open[k];
    s->open[k].id = 0;
    s->n--;
    for (size_t j = (k + 1) & mask; s->open[j].id; j = (j + 1) & mask) {
        bl_open x = s->open[j]; /* backward-shift deletion */
        s->open[j].id = 0;
        s->open[bl_slot(s, x.id)] = x;
    }
    return o;
}

static uint64_t bl_begin(const char *cls)
{
    uint64_t id = atomic_fetch_add(&bl_next_id, 1) + 1;
    bl_open o = {id, bl_current, bl_now(), cls};
    pthread_mutex_lock(&open_ops.mu);
    bl_insert(&open_ops, o);
    pthread_mutex_unlock(&open_ops.mu);
    bl_current = id;
    return id;
}

static void bl_end(uint64_t id, uint8_t outcome)
{
    int64_t end = bl_now();
    pthread_mutex_lock(&open_ops.mu);
    bl_open o = bl_remove(&open_ops, id);
    pthread_mutex_unlock(&open_ops.mu);
    bl_shard *s = &shards[id % 16];
    pthread_mutex_lock(&s->mu);
    if (s->nev == s->evcap) {
        s->evcap = s->evcap ? 2 * s->evcap : 1024;
        s->events = realloc(s->events, s->evcap * sizeof *s->events);
    }
    s->events[s->nev++] = (bl_event){o.id, o.parent, o.start, end, o.cls, 1, outcome};
    pthread_mutex_unlock(&s->mu);
    bl_current = o.parent;
}

static void loop_baseline(long pairs)
{
    for (long i = 0; i < pairs; i++) {
        uint64_t id = bl_begin("bench.op");
        bl_end(id, 5);
        __asm__ __volatile__("" ::: "memory");
    }
}

static void baseline_reset(void)
{ /* keep capacity: memory is reused */
    for (int i = 0; i < 16; i++)
        shards[i].nev = 0;
}

#define MAXTH 256

/* ---- the floor: what a minimal tracer does ----------------------------- */

/* The least a tracer can do for a begin+end pair: read the TSC at begin,
 * read it again at end and append one 48-byte record to a per-thread ring
 * (no locks, no checks, no strings table, no open-op bookkeeping). Begin
 * and end are out-of-line calls, as a tracer library's would be (and as
 * libwcprof's are behind its inline gate). Measured in the same run as
 * libwcprof, so the ratio to it does not depend on the machine's rdtsc. */
typedef struct floor_rec { /* 48 bytes */
    uint64_t s, d;         /* rdtsc at begin and at end */
    uint64_t id, parent;   /* op id, enclosing op */
    const char *cls;       /* class, by address */
    uint32_t th;           /* thread */
    uint8_t kind, outcome, pad[2];
} floor_rec;
_Static_assert(sizeof(floor_rec) == 48, "the floor appends 48-byte records");

typedef struct floor_ring {
    floor_rec *rec;        /* mask + 1 records */
    uint64_t mask, n;      /* ring index mask, records appended */
    uint64_t next_id, cur; /* last op id given, the open op */
    uint32_t th;
} __attribute__((aligned(64))) floor_ring;

typedef struct floor_op {
    uint64_t s, id, parent;
} floor_op;

static floor_ring floor_rings[MAXTH]; /* one per benchmark thread slot */
static __thread floor_ring *fl;       /* this thread's */

static inline uint64_t rdtsc(void)
{
#if defined(__x86_64__)
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

__attribute__((noinline)) static floor_op floor_begin(void)
{
    floor_ring *f = fl;
    floor_op o = {rdtsc(), ++f->next_id, f->cur};
    f->cur = o.id;
    return o;
}

__attribute__((noinline)) static void floor_end(floor_op o, uint8_t kind, const char *cls,
                                                uint8_t outcome)
{
    uint64_t d = rdtsc();
    floor_ring *f = fl;
    floor_rec *r = &f->rec[f->n++ & f->mask];
    *r = (floor_rec){o.s, d, o.id, o.parent, cls, f->th, kind, outcome, {0, 0}};
    f->cur = o.parent;
}

static void loop_floor(long pairs)
{
    for (long i = 0; i < pairs; i++) {
        floor_op op = floor_begin();
        floor_end(op, WCP_KIND_CALL, "bench.op", WCP_OUTCOME_OK);
        __asm__ __volatile__("" ::: "memory");
    }
}

/* Rings for threads 0..n-1 of at least `records` records each; warm:
 * every page written once now (and reused by every repetition), else
 * never-touched memory (the first write to each page faults it in). */
static void floor_setup(int n, long records, int warm)
{
    uint64_t size = 1;
    while (size < (uint64_t)records)
        size <<= 1;
    for (int i = 0; i < n; i++) {
        floor_ring *f = &floor_rings[i];
        if (f->rec && f->mask + 1 >= size)
            continue;
        void *p = mmap(NULL, size * sizeof(floor_rec), PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            exit(1);
        }
        if (warm)
            memset(p, 0, size * sizeof(floor_rec));
        *f = (floor_ring){p, size - 1, 0, 0, 0, (uint32_t)i + 1};
    }
}

/* ---- running threads ---------------------------------------------------- */

#define MAXREPS 64

static cpu_set_t allowed; /* the CPUs this process may use */
static int ncpus, pin = 1;

/* The k-th allowed CPU (k modulo their count). */
static int cpu_at(int k)
{
    k %= ncpus;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed) && k-- == 0)
            return c;
    return 0;
}

typedef struct run {
    void (*loop)(long);
    long pairs;
    int cpu;  /* pin to this CPU, or -1 */
    int slot; /* thread index: its floor ring */
    pthread_barrier_t *go;
    double ns, cpu_ns; /* elapsed / thread CPU time per pair */
    long nivcsw;       /* times descheduled while running */
    long nvcsw;        /* times it blocked (gave up the CPU) */
} run;

static void *thread_main(void *p)
{
    run *r = p;
    fl = &floor_rings[r->slot];
    if (r->cpu >= 0) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(r->cpu, &one);
        pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    }
    struct rusage u0, u1;
    pthread_barrier_wait(r->go);
    getrusage(RUSAGE_THREAD, &u0);
    double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    r->loop(r->pairs);
    double t1 = now_ns(CLOCK_MONOTONIC), c1 = now_ns(CLOCK_THREAD_CPUTIME_ID);
    getrusage(RUSAGE_THREAD, &u1);
    r->ns = (t1 - t0) / (double)r->pairs;
    r->cpu_ns = (c1 - c0) / (double)r->pairs;
    r->nivcsw = u1.ru_nivcsw - u0.ru_nivcsw;
    r->nvcsw = u1.ru_nvcsw - u0.ru_nvcsw;
    return NULL;
}

/* One repetition of loop on n threads started together (thread i pinned
 * to the i-th allowed CPU unless --no-pin); fills r[0..n). */
static void measure(void (*loop)(long), int n, long pairs, run *r)
{
    pthread_t th[MAXTH];
    pthread_barrier_t go;
    pthread_barrier_init(&go, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        r[i] = (run){loop, pairs, pin ? cpu_at(i) : -1, i, &go, 0, 0, 0, 0};
        pthread_create(&th[i], NULL, thread_main, &r[i]);
    }
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double med(const double *v, int n)
{
    double s[MAXREPS];
    memcpy(s, v, (size_t)n * sizeof *v);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static void discard_events(void)
{
    FILE *f = fopen("/dev/null", "w");
    wcp_dump_file(f, WCP_DUMP_FLUSH);
    fclose(f);
}

/* Medians over the repetitions: of the mean per-thread cost (wall, cpu),
 * of each thread's own cost (th_wall, th_cpu), of the times a thread was
 * descheduled (nivcsw, summed over threads); first: the first rep's wall. */
typedef struct fig {
    double wall, cpu, first, nivcsw;
    double best_wall, best_cpu; /* the least disturbed repetition's */
    double th_wall[MAXTH], th_cpu[MAXTH];
} fig;

/* reps repetitions of loop on n threads, between() after each. */
/* Fills f from reps repetitions r[k][0..n) of a loop on n threads. */
static void summarize(fig *f, run (*r)[MAXTH], int n, int reps)
{
    double w[MAXREPS], c[MAXREPS], cs[MAXREPS], tw[MAXREPS], tc[MAXREPS];
    for (int k = 0; k < reps; k++) {
        w[k] = c[k] = cs[k] = 0;
        for (int i = 0; i < n; i++) {
            w[k] += r[k][i].ns / n;
            c[k] += r[k][i].cpu_ns / n;
            cs[k] += (double)r[k][i].nivcsw;
        }
    }
    f->first = w[0];
    f->wall = med(w, reps);
    f->cpu = med(c, reps);
    f->nivcsw = med(cs, reps);
    f->best_wall = w[0];
    f->best_cpu = c[0];
    for (int k = 1; k < reps; k++) {
        if (w[k] < f->best_wall)
            f->best_wall = w[k];
        if (c[k] < f->best_cpu)
            f->best_cpu = c[k];
    }
    for (int i = 0; i < n; i++) {
        for (int k = 0; k < reps; k++) {
            tw[k] = r[k][i].ns;
            tc[k] = r[k][i].cpu_ns;
        }
        f->th_wall[i] = med(tw, reps);
        f->th_cpu[i] = med(tc, reps);
    }
}

/* reps repetitions of loop on n threads, between() after each. */
static void median(fig *f, void (*loop)(long), int n, long pairs, int reps, void (*between)(void))
{
    static run r[MAXREPS][MAXTH];
    for (int k = 0; k < reps; k++) {
        measure(loop, n, pairs, r[k]);
        if (between)
            between();
    }
    summarize(f, r, n, reps);
}

/* reps repetitions of loop a and loop b on n threads, taking turns (so
 * both see the same machine), after_b() after each of b's. */
static void interleave(fig *fa, fig *fb, void (*a)(long), void (*b)(long), int n, long pairs,
                       int reps, void (*after_b)(void))
{
    static run ra[MAXREPS][MAXTH], rb[MAXREPS][MAXTH];
    for (int k = 0; k < reps; k++) {
        measure(a, n, pairs, ra[k]);
        measure(b, n, pairs, rb[k]);
        if (after_b)
            after_b();
    }
    summarize(fa, ra, n, reps);
    summarize(fb, rb, n, reps);
}

static void per_thread(const char *what, const fig *f, int n)
{
    printf("  %-13s", what);
    for (int i = 0; i < n && i < 16; i++)
        printf(" %s%.1f/%.1f", i ? "| " : "", f->th_wall[i], f->th_cpu[i]);
    if (n > 16)
        printf(" ...");
    printf("   (descheduled %.0f times a rep)\n", f->nivcsw);
}

static int reps_given(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--reps") == 0)
            return 1;
    return 0;
}

/* ---- fresh memory: one process per repetition ------------------------------ */

/* What one --fresh-child process measured. */
typedef struct fresh_run {
    double wall[2], cpu[2];    /* per thread, ns per pair */
    double desched, blocked;   /* context switches, summed over threads */
    double by_threads, mapped; /* chunks mapped by recording threads / in all */
    double helper_ms;          /* CPU time of the pre-fault thread */
    double huge, small;        /* slabs mapped with / without huge pages */
    double reserve_ms;         /* wall time of wcp_reserve before the loop */
} fresh_run;

/* In the child: n threads record `events` pairs each into fresh memory
 * (with reserve, after wcp_reserve for all of them; with floor, the floor
 * instead of libwcprof, into never-touched rings); prints one line for
 * fresh_parse. */
static int fresh_child(int n, long events, int reserve, int floor)
{
    wcp_set_limit((uint64_t)n * ((uint64_t)events + WCP_CHUNK_EVENTS), WCP_LIMIT_DROP);
    double t0 = now_ns(CLOCK_MONOTONIC);
    if (reserve && wcp_reserve((uint64_t)n * (uint64_t)events) != 0)
        fprintf(stderr, "warning: wcp_reserve failed\n");
    double reserve_ms = (now_ns(CLOCK_MONOTONIC) - t0) / 1e6;
    static run r[2];
    if (floor) {
        floor_setup(n, events, 0);
        measure(loop_floor, n, events, r);
    } else {
        wcp_enable();
        measure(loop_wcprof, n, events, r);
    }
    wcp_memstats m;
    wcp_memstats_get(&m);
    if (wcp_dropped_events())
        fprintf(stderr, "warning: %llu events dropped\n", (unsigned long long)wcp_dropped_events());
    printf("fresh");
    for (int i = 0; i < 2; i++)
        printf(" %.3f %.3f", r[i < n ? i : 0].ns, r[i < n ? i : 0].cpu_ns);
    printf(" %llu %llu %.3f %llu %llu", (unsigned long long)m.chunks_by_threads,
           (unsigned long long)m.chunks_mapped, (double)m.prefault_cpu_ns / 1e6,
           (unsigned long long)m.slabs_huge, (unsigned long long)m.slabs_small);
    long inv = 0, vol = 0;
    for (int i = 0; i < n; i++) {
        inv += r[i].nivcsw;
        vol += r[i].nvcsw;
    }
    printf(" %ld %ld %.3f\n", inv, vol, reserve_ms);
    return 0;
}

static int fresh_parse(const char *line, fresh_run *f)
{
    return sscanf(line, "fresh %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf %lf", &f->wall[0],
                  &f->cpu[0], &f->wall[1], &f->cpu[1], &f->by_threads, &f->mapped, &f->helper_ms,
                  &f->huge, &f->small, &f->desched, &f->blocked, &f->reserve_ms) == 12
               ? 0
               : -1;
}

/* Runs this program as a --fresh-child with WCPROF_PREFAULT and
 * WCPROF_HUGEPAGES set as given (and --reserve, --no-pin passed on). */
static int fresh_spawn(int n, long events, int prefault, int huge, int reserve, int floor,
                       fresh_run *f)
{
    char nbuf[16], ebuf[32], pbuf[32], hbuf[32];
    snprintf(nbuf, sizeof nbuf, "%d", n);
    snprintf(ebuf, sizeof ebuf, "%ld", events);
    snprintf(pbuf, sizeof pbuf, "WCPROF_PREFAULT=%d", prefault);
    snprintf(hbuf, sizeof hbuf, "WCPROF_HUGEPAGES=%d", huge);
    char *argv[7] = {"wcprof-bench-recorder", "--fresh-child", nbuf, ebuf};
    int a = 4;
    if (reserve)
        argv[a++] = "--reserve";
    if (floor)
        argv[a++] = "--floor";
    if (!pin)
        argv[a++] = "--no-pin";
    argv[a] = NULL;
    size_t ne = 0;
    while (environ[ne])
        ne++;
    char **envp = calloc(ne + 3, sizeof *envp);
    size_t k = 0;
    for (size_t i = 0; i < ne; i++)
        if (strncmp(environ[i], "WCPROF", 6) != 0)
            envp[k++] = environ[i];
    envp[k++] = pbuf;
    envp[k++] = hbuf;
    int fd[2];
    if (pipe(fd) != 0) {
        free(envp);
        return -1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], 1);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    pid_t pid;
    int rc = posix_spawn(&pid, "/proc/self/exe", &fa, NULL, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    free(envp);
    close(fd[1]);
    char buf[512] = "";
    size_t len = 0;
    ssize_t got;
    while (len + 1 < sizeof buf && (got = read(fd[0], buf + len, sizeof buf - 1 - len)) > 0)
        len += (size_t)got;
    buf[len] = '\0';
    close(fd[0]);
    int status = 0;
    if (rc == 0)
        waitpid(pid, &status, 0);
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || fresh_parse(buf, f) != 0) {
        fprintf(stderr, "wcprof-bench-recorder: fresh child failed: %s\n", buf);
        return -1;
    }
    return 0;
}

static int fresh(long events, int reps)
{
    static const struct {
        int prefault, huge, reserve, floor;
        const char *name;
    } cfg[] = {
        {0, 1, 0, 1, "floor"},
        {0, 1, 0, 0, "pre-fault off"},
        {1, 0, 0, 0, "on, 4 KiB pages"},
        {1, 1, 0, 0, "on (default)"},
        {0, 1, 1, 0, "off, wcp_reserve"},
    };
    enum { DEFAULT = 3 };
    enum { NCFG = sizeof cfg / sizeof cfg[0] };
    static fresh_run r[2][NCFG][MAXREPS];
    for (int k = 0; k < reps; k++)
        for (int n = 1; n <= 2; n++)
            for (int c = 0; c < NCFG; c++)
                if (fresh_spawn(n, events, cfg[c].prefault, cfg[c].huge, cfg[c].reserve,
                                cfg[c].floor, &r[n - 1][c][k]) != 0)
                    return 1;
    printf("fresh memory: each thread records %ld pairs (one event each) into "
           "never-touched memory,\none process per repetition; medians of %d; "
           "threads %s\n",
           events, reps, pin ? "pinned, one per CPU" : "not pinned");
    printf("%-7s %-16s %18s %18s %12s %11s %12s %8s %14s %11s\n", "threads", "pre-fault",
           "thread 1 wall/cpu", "thread 2 wall/cpu", "self-mapped", "helper cpu", "helper ns/ev",
           "huge", "desched/block", "reserve");
    for (int n = 1; n <= 2; n++)
        for (int c = 0; c < NCFG; c++) {
            double v[MAXREPS], w[2], u[2], self, mapped, ms, huge, small, ds, bl, rs;
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < reps; k++)
                    v[k] = r[n - 1][c][k].wall[i];
                w[i] = med(v, reps);
                for (int k = 0; k < reps; k++)
                    v[k] = r[n - 1][c][k].cpu[i];
                u[i] = med(v, reps);
            }
#define FIELD_MED(out, field)                                                                      \
    do {                                                                                           \
        for (int k = 0; k < reps; k++)                                                             \
            v[k] = r[n - 1][c][k].field;                                                           \
        out = med(v, reps);                                                                        \
    } while (0)
            FIELD_MED(self, by_threads);
            FIELD_MED(mapped, mapped);
            FIELD_MED(ms, helper_ms);
            FIELD_MED(huge, huge);
            FIELD_MED(small, small);
            FIELD_MED(ds, desched);
            FIELD_MED(bl, blocked);
            FIELD_MED(rs, reserve_ms);
#undef FIELD_MED
            char t2[32] = "-";
            if (n == 2)
                snprintf(t2, sizeof t2, "%.1f/%.1f", w[1], u[1]);
            char t1[32], sm[32], hs[32], cs[32];
            snprintf(t1, sizeof t1, "%.1f/%.1f", w[0], u[0]);
            snprintf(sm, sizeof sm, "%.0f%%", mapped > 0 ? 100 * self / mapped : 0);
            snprintf(hs, sizeof hs, "%.0f/%.0f", huge, huge + small);
            snprintf(cs, sizeof cs, "%.0f/%.0f", ds, bl);
            printf("%-7d %-16s %18s %18s %12s %8.1f ms %12.2f %8s %14s %8.1f ms\n", n, cfg[c].name,
                   t1, t2, sm, ms, ms * 1e6 / ((double)events * n), hs, cs, rs);
        }
    /* the ratio to the floor: each thread's median, averaged over threads */
    for (int n = 1; n <= 2; n++) {
        double v[MAXREPS], fw = 0, fc = 0, ow = 0, oc = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < reps; k++)
                v[k] = r[n - 1][0][k].wall[i];
            fw += med(v, reps) / n;
            for (int k = 0; k < reps; k++)
                v[k] = r[n - 1][0][k].cpu[i];
            fc += med(v, reps) / n;
            for (int k = 0; k < reps; k++)
                v[k] = r[n - 1][DEFAULT][k].wall[i];
            ow += med(v, reps) / n;
            for (int k = 0; k < reps; k++)
                v[k] = r[n - 1][DEFAULT][k].cpu[i];
            oc += med(v, reps) / n;
        }
        printf("%d thread%s: on (default) / floor = %.2fx wall, %.2fx cpu\n", n, n > 1 ? "s" : "",
               ow / fw, oc / fc);
    }
    printf("floor: the 48-byte ring append with rdtsc, its rings in "
           "never-touched memory\n(each thread faults in its own pages); "
           "self-mapped: share of the chunks the recording threads mapped "
           "themselves (reserve empty);\nhelper: CPU time of the pre-fault "
           "thread, in all and per event recorded; huge: slabs mapped with "
           "huge pages / all slabs;\ndesched/block: times the recording "
           "threads were descheduled / gave up the CPU (blocked);\nreserve: "
           "wall time of wcp_reserve for every event, before recording\n");
    return 0;
}

int main(int argc, char **argv)
{
    int maxth = 2, reps = 7, fresh_mode = 0, child = 0, reserve = 0, floor = 0;
    long pairs = 500000, events = 4194304;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            maxth = atoi(argv[++i]);
        else if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc)
            pairs = atol(argv[++i]);
        else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc)
            reps = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-pin") == 0)
            pin = 0;
        else if (strcmp(argv[i], "--fresh") == 0)
            fresh_mode = 1;
        else if (strcmp(argv[i], "--reserve") == 0)
            reserve = 1;
        else if (strcmp(argv[i], "--floor") == 0)
            floor = 1;
        else if (strcmp(argv[i], "--events") == 0 && i + 1 < argc)
            events = atol(argv[++i]);
        else if (strcmp(argv[i], "--fresh-child") == 0 && i + 2 < argc) {
            child = atoi(argv[++i]);
            events = atol(argv[++i]);
        } else {
            fprintf(stderr, "usage: wcprof-bench-recorder [--threads N] [--pairs P] "
                            "[--reps R] [--no-pin]\n"
                            "       wcprof-bench-recorder --fresh [--events N] [--reps R] "
                            "[--no-pin]\n");
            return 2;
        }
    }
    if (fresh_mode && !reps_given(argc, argv))
        reps = 5;
    if (maxth < 1 || maxth > MAXTH || reps < 1 || reps > MAXREPS || pairs < 1 || events < 1 ||
        child < 0 || child > 2) {
        fprintf(stderr,
                "wcprof-bench-recorder: --threads 1..%d, --reps 1..%d, "
                "--pairs >= 1, --events >= 1\n",
                MAXTH, MAXREPS);
        return 2;
    }
    if (wcp_active()) {
        fprintf(stderr, "wcprof-bench-recorder: run it without WCPROF=1\n");
        return 2;
    }
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || (ncpus = CPU_COUNT(&allowed)) < 1) {
        CPU_ZERO(&allowed);
        CPU_SET(0, &allowed);
        ncpus = 1;
        pin = 0;
    }
    if (child)
        return fresh_child(child, events, reserve, floor);
    if (fresh_mode)
        return fresh(events, reps);
    for (int i = 0; i < 16; i++)
        pthread_mutex_init(&shards[i].mu, NULL);
    int counts[3] = {1, 2, maxth}, nc = maxth > 2 ? 3 : maxth;
    static fig never[3], out[3], on[3], off[3], base[3], flo[3], mutex, hold;
    /* the cap must hold one repetition's events (one per pair) */
    wcp_set_limit((uint64_t)pairs * (uint64_t)maxth + WCP_CHUNK_EVENTS * (uint64_t)maxth,
                  WCP_LIMIT_DROP);
    floor_setup(maxth, pairs, 1);
    for (int c = 0; c < nc; c++) {
        median(&never[c], loop_wcprof, counts[c], pairs, reps, NULL);
        median(&out[c], bench_loop_compiled_out, counts[c], pairs, reps, NULL);
    }
    wcp_enable();
    /* warm both: the first repetition of each takes its memory once */
    median(&on[0], loop_wcprof, maxth > 2 ? maxth : 2, pairs, 1, discard_events);
    for (int c = 0; c < nc; c++) {
        /* the floor and libwcprof take turns, one repetition each */
        interleave(&flo[c], &on[c], loop_floor, loop_wcprof, counts[c], pairs, reps,
                   discard_events);
        median(&base[c], loop_baseline, counts[c], pairs, reps, baseline_reset);
    }
    /* the uncontended lock, plain and recorded, taking turns, 1 thread */
    interleave(&mutex, &hold, loop_mutex, loop_hold, 1, pairs, reps, discard_events);
    wcp_disable();
    for (int c = 0; c < nc; c++)
        median(&off[c], loop_wcprof, counts[c], pairs, reps, NULL);
    if (wcp_dropped_events())
        fprintf(stderr, "warning: %llu events dropped\n", (unsigned long long)wcp_dropped_events());

    printf("ns per begin+end pair, per thread; median of %d reps of %ld pairs; "
           "threads %s\n"
           "wall = elapsed time per pair; cpu = thread CPU time per pair; "
           "floor = a 48-byte ring append\nwith rdtsc (see bench.c), taking "
           "turns with libwcprof; ratio = enabled / floor (wall, and cpu)\n",
           reps, pairs, pin ? "pinned, one per CPU" : "not pinned");
    printf("%-7s %8s %9s %8s %9s %9s %8s %6s %6s %8s %9s %9s %8s\n", "threads", "compiled",
           "never-en.", "floor", "fl. cpu", "enabled", "en. cpu", "ratio", "r.cpu", "en.-off",
           "mutex16", "m16 cpu", "speed-up");
    for (int c = 0; c < nc; c++)
        printf("%-7d %8.2f %9.2f %8.2f %9.2f %9.2f %8.2f %5.2fx %5.2fx %8.2f %9.2f "
               "%9.2f %7.1fx\n",
               counts[c], out[c].wall, never[c].wall, flo[c].wall, flo[c].cpu, on[c].wall,
               on[c].cpu, on[c].wall / flo[c].wall, on[c].cpu / flo[c].cpu, off[c].wall,
               base[c].wall, base[c].cpu, base[c].wall / on[c].wall);
    printf("least disturbed repetition (minimum over the %d, wall/cpu ns; on a "
           "busy machine\nthe medians include other processes' "
           "interference):\n",
           reps);
    for (int c = 0; c < nc; c++)
        printf("  %d thread%s: floor %.2f/%.2f, enabled %.2f/%.2f, ratio %.2fx/%.2fx\n", counts[c],
               counts[c] > 1 ? "s" : " ", flo[c].best_wall, flo[c].best_cpu, on[c].best_wall,
               on[c].best_cpu, on[c].best_wall / flo[c].best_wall,
               on[c].best_cpu / flo[c].best_cpu);
    printf("uncontended lock+unlock, 1 thread (wall/cpu ns, medians): pthread %.2f/%.2f, "
           "wcp_lock+wcp_unlock %.2f/%.2f;\n  the hold's cost %.2f/%.2f = %.2fx/%.2fx of one "
           "begin+end pair (goal: <= 1x)\n",
           mutex.wall, mutex.cpu, hold.wall, hold.cpu, hold.wall - mutex.wall, hold.cpu - mutex.cpu,
           (hold.wall - mutex.wall) / on[0].wall, (hold.cpu - mutex.cpu) / on[0].cpu);
    for (int c = 1; c < nc; c++) {
        printf("each thread, %d threads (wall/cpu ns, medians):\n", counts[c]);
        per_thread("floor", &flo[c], counts[c]);
        per_thread("enabled", &on[c], counts[c]);
        per_thread("mutex16", &base[c], counts[c]);
    }
    return 0;
}
