/*
 * pool.c - wcprof-sample-pool: a worker pool that builds a dependency
 * graph of tasks, instrumented with libwcprof, with a planted bottleneck.
 *
 *   WCPROF=1 WCPROF_OUT=pool.dump wcprof-sample-pool [--tasks N] [--workers W]
 *                                                    [--scale CLASS=F,...]
 *
 * Task i depends on tasks i/2 and i/3 (a task starts once its dependencies
 * finished) and needs two digests from a shared cache. A digest is computed
 * once: the first task to ask computes it (outcome "executed"), tasks that
 * ask while it is being computed join that computation (a singleflight
 * wait, outcome "joined"), later ones hit the cache ("hit"). The cache is
 * guarded by one mutex. The planted bottleneck: every task ends by
 * committing its result to an index under a second, global mutex, and
 * holds it for 400 us, so the workers queue on "index.lock" and adding
 * workers hardly helps. The lock is taken with wcp_lock, so the dump has
 * who held it (holds, docs/spec/analysis.md §6). --scale multiplies the
 * work of a class (index.commit, task.compile, digest.compute) by F: the
 * real run a what-if predicts (bench/accuracy). See README.md for what the
 * dump shows.
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DIGESTS 24

typedef struct digest {
    int state;        /* 0 missing, 1 being computed, 2 cached */
    wcp_op computing; /* the op computing it while state == 1 */
    const char *name; /* interned "sha256:..." */
} digest;

typedef struct task {
    int id, deps[2], ndeps, done;
    const char *name; /* interned "task-N" */
    wcp_op op;        /* while running, for dependency waits */
} task;

static struct {
    pthread_mutex_t cache_mu, index_mu, sched_mu;
    pthread_cond_t cache_cv, sched_cv;
    digest digests[DIGESTS];
    task *tasks;
    int ntasks, next; /* next task to hand out (sched_mu) */
    wcp_op session;   /* the root op the workers' tasks belong to */
    int reason_dep;   /* registered wait reason "dependency" */
    int kind_task;    /* registered op kind "task" */
    long index_size;
} P = {
    .cache_mu = PTHREAD_MUTEX_INITIALIZER,
    .index_mu = PTHREAD_MUTEX_INITIALIZER,
    .sched_mu = PTHREAD_MUTEX_INITIALIZER,
    .cache_cv = PTHREAD_COND_INITIALIZER,
    .sched_cv = PTHREAD_COND_INITIALIZER,
};

/* --scale: the factor of each class's work */
enum { COMMIT, COMPILE, DIGEST, NCLASS };
static const char *const class_name[NCLASS] = {"index.commit", "task.compile", "digest.compute"};
static double scale[NCLASS] = {1, 1, 1};

static void work_us(int cls, long us)
{ /* stands for CPU or I/O work */
    wcp_sample_sleep_us((double)us, scale[cls]);
}

/* The cached digest k, computed at most once (singleflight). */
static void get_digest(int k)
{
    digest *d = &P.digests[k];
    WCP_OP_EX(op, .kind = WCP_KIND_CALL, .work = WCP_WORK_ENGINE, .cls = "cache.get",
              .ident = d->name);
    wcp_op held;
    wcp_lock(&P.cache_mu, "cache.lock", &held);
    if (d->state == 2) {
        wcp_unlock(&P.cache_mu, held);
        wcp_op_set_outcome(op, WCP_OUTCOME_HIT);
        return;
    }
    if (d->state == 1) {    /* join the computation in flight */
        wcp_hold_end(held); /* pthread_cond_wait lets the lock go */
        wcp_wait w = wcp_wait_begin(WCP_REASON_SINGLEFLIGHT, d->computing);
        while (d->state != 2)
            pthread_cond_wait(&P.cache_cv, &P.cache_mu);
        wcp_wait_end(&w);
        pthread_mutex_unlock(&P.cache_mu);
        wcp_op_set_outcome(op, WCP_OUTCOME_JOINED);
        return;
    }
    d->state = 1;
    wcp_hold_end(held); /* the computation is no work under the lock: not the hold's child */
    wcp_op exec = wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_CALL_EXEC,
                                              .work = WCP_WORK_USER,
                                              .cls = "digest.compute",
                                              .ident = d->name});
    d->computing = exec;
    pthread_mutex_unlock(&P.cache_mu);
    work_us(DIGEST, 300 + 150 * (k % 5)); /* hashing */
    wcp_lock(&P.cache_mu, "cache.lock", &held);
    d->state = 2;
    pthread_cond_broadcast(&P.cache_cv);
    wcp_unlock(&P.cache_mu, held);
    wcp_end_result(exec, WCP_OUTCOME_OK, (uint64_t)k + 1);
    wcp_op_set_outcome(op, WCP_OUTCOME_EXECUTED);
}

static void run_task(task *t)
{
    WCP_OP_EX(op, .kind = (wcp_kind)P.kind_task, .work = WCP_WORK_USER, .cls = "task.build",
              .ident = t->name);
    pthread_mutex_lock(&P.sched_mu);
    t->op = op;
    for (int i = 0; i < t->ndeps; i++) { /* wait for the dependencies */
        task *dep = &P.tasks[t->deps[i]];
        if (dep->done)
            continue;
        wcp_wait w = wcp_wait_begin((wcp_reason)P.reason_dep, dep->op);
        while (!dep->done)
            pthread_cond_wait(&P.sched_cv, &P.sched_mu);
        wcp_wait_end(&w);
    }
    pthread_mutex_unlock(&P.sched_mu);

    get_digest((t->id * 7) % DIGESTS);
    get_digest((t->id * 5 + 3) % DIGESTS);
    {
        WCP_OP(compile, WCP_KIND_EXEC, "task.compile");
        (void)compile;
        work_us(COMPILE, 200 + 50 * (t->id % 4));
    }
    /* the planted bottleneck: a global lock held for the whole commit */
    wcp_op held;
    wcp_lock(&P.index_mu, "index.lock", &held);
    {
        WCP_OP(commit, WCP_KIND_IO, "index.commit");
        (void)commit;
        work_us(COMMIT, 400);
        P.index_size++;
    }
    wcp_unlock(&P.index_mu, held);
    wcp_op_set_outcome(op, WCP_OUTCOME_OK);

    pthread_mutex_lock(&P.sched_mu);
    t->done = 1;
    pthread_cond_broadcast(&P.sched_cv);
    pthread_mutex_unlock(&P.sched_mu);
}

static void *worker(void *arg)
{
    (void)arg;
    WCP_ADOPT(P.session); /* tasks are children of the session */
    for (;;) {
        pthread_mutex_lock(&P.sched_mu);
        int i = P.next < P.ntasks ? P.next++ : -1;
        pthread_mutex_unlock(&P.sched_mu);
        if (i < 0)
            return NULL;
        run_task(&P.tasks[i]);
    }
}

int main(int argc, char **argv)
{
    int ntasks = 200, nworkers = 4;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--tasks") == 0 && i + 1 < argc)
            ntasks = atoi(argv[++i]);
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            nworkers = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-pool", argv[++i], class_name, NCLASS, scale) < 0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-pool [--tasks N] [--workers W] "
                            "[--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (ntasks < 1 || nworkers < 1 || nworkers > 256) {
        fprintf(stderr, "wcprof-sample-pool: --tasks must be >= 1, --workers 1..256\n");
        return 2;
    }
    if (!wcp_is_enabled())
        fprintf(stderr, "wcprof-sample-pool: recording is off; run with WCPROF=1 "
                        "WCPROF_OUT=pool.dump to get a dump\n");
    P.kind_task = wcp_name_register(WCP_NAMES_KIND, "task");
    P.reason_dep = wcp_name_register(WCP_NAMES_REASON, "dependency");
    if (P.kind_task < 0 || P.reason_dep < 0)
        return 1;
    char buf[64];
    for (int k = 0; k < DIGESTS; k++) {
        snprintf(buf, sizeof buf, "sha256:%08x", (unsigned)(k * 2654435761u));
        P.digests[k].name = wcp_intern(buf);
    }
    P.tasks = calloc((size_t)ntasks, sizeof *P.tasks);
    if (!P.tasks)
        return 1;
    P.ntasks = ntasks;
    for (int i = 0; i < ntasks; i++) {
        task *t = &P.tasks[i];
        t->id = i;
        snprintf(buf, sizeof buf, "task-%d", i);
        t->name = wcp_intern(buf);
        if (i / 2 != i && i > 0)
            t->deps[t->ndeps++] = i / 2;
        if (i / 3 != i / 2 && i / 3 != i && i > 0)
            t->deps[t->ndeps++] = i / 3;
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    P.session = wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_SESSION_PHASE,
                                            .work = WCP_WORK_USER,
                                            .cls = "pool.build",
                                            .client = "sample-client"});
    pthread_t th[256];
    for (int i = 0; i < nworkers; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < nworkers; i++)
        pthread_join(th[i], NULL);
    wcp_end(P.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("built %d tasks with %d workers in %.1f ms (index: %ld entries)\n", ntasks, nworkers,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
           P.index_size);
    free(P.tasks);
    return 0;
}
