/*
 * workers.c - wcprof-sample-workers: a worker pool smaller than the ready
 * work, instrumented with libwcprof, with a planted bottleneck (issue
 * 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=workers.dump wcprof-sample-workers [--jobs J]
 *       [--workers W] [--seed S] [--scale CLASS=F,...]
 *
 * The main thread plans J jobs (default 48; exec job.plan, 100 us each)
 * and submits each to a FIFO served by W worker threads (default 2). A
 * worker runs a job (exec job.run, 1 to 3 ms, drawn from --seed) and logs
 * it (exec job.log, 200 us). The planted bottleneck: the jobs' own work,
 * which two workers cannot keep up with, so the ready jobs queue for a
 * worker (the run takes about J x 2.2 ms / W, 55 ms). Halving job.run
 * nearly halves the run; removing it leaves the planning pace.
 * Recording: each job is an op (call job, ident job-N) begun by the main
 * thread at submission, as a child of the session (wcp_begin_in); a job
 * that finds no idle worker waits (reason lock) on "workers" from
 * submission until a worker takes it; the worker then holds one slot of
 * "workers" for it (a hold of WCP_HOLD_SLOT, the job's child) and does
 * the job's work under that hold, so the analyses resolve each queued
 * job's wait to the job whose end freed its worker. Sleep-based (two
 * cores do not limit it), deterministic by seed. --scale multiplies the
 * work of a class (job.plan, job.run, job.log) by F: the real run a
 * what-if predicts (bench/accuracy). Prints its wall time ("in X ms").
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PLAN, RUN, LOG, NCLASS };
static const char *const class_name[NCLASS] = {"job.plan", "job.run", "job.log"};
static double scale[NCLASS] = {1, 1, 1};

typedef struct job {
    wcp_op op;     /* begun at submission, ended by its worker */
    wcp_wait wait; /* for a worker, when none was idle at submission */
    long run_us;   /* from the seed */
} job;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job *jobs;
    int njobs, submitted, taken, idle; /* under mu */
    wcp_op session;
} W = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

/* us of the work of class cls, as an op of that class */
static void work(int cls, long us)
{
    WCP_OP(op, WCP_KIND_EXEC, class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)us, scale[cls]);
}

static void *worker(void *arg)
{
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&W.mu);
        W.idle++;
        while (W.taken == W.submitted && W.taken < W.njobs)
            pthread_cond_wait(&W.cv, &W.mu);
        W.idle--;
        if (W.taken == W.njobs) {
            pthread_mutex_unlock(&W.mu);
            return NULL;
        }
        job *j = &W.jobs[W.taken++];
        wcp_wait_end(&j->wait); /* a no-op when it did not queue */
        pthread_mutex_unlock(&W.mu);

        wcp_op slot = wcp_hold_begin_in(j->op, "workers", WCP_HOLD_SLOT);
        {
            WCP_ADOPT(slot); /* the job's work is done under its slot */
            work(RUN, j->run_us);
            work(LOG, 200);
        }
        wcp_hold_end(slot);
        wcp_end(j->op, WCP_OUTCOME_OK);
    }
}

int main(int argc, char **argv)
{
    int nworkers = 2;
    unsigned long seed = 1;
    W.njobs = 48;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--jobs") == 0 && i + 1 < argc)
            W.njobs = atoi(argv[++i]);
        else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc)
            nworkers = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-workers", argv[++i], class_name, NCLASS, scale) < 0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-workers [--jobs J] [--workers W] [--seed S] "
                            "[--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (W.njobs < 1 || nworkers < 1 || nworkers > 256) {
        fprintf(stderr, "wcprof-sample-workers: --jobs >= 1, --workers 1..256\n");
        return 2;
    }
    W.jobs = calloc((size_t)W.njobs, sizeof *W.jobs);
    if (!W.jobs)
        return 1;
    srand48((long)seed);
    for (int i = 0; i < W.njobs; i++)
        W.jobs[i].run_us = 1000 + (long)(drand48() * 2000);
    char buf[32];

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    W.session = wcp_begin(WCP_KIND_SESSION_PHASE, "workers.run");
    pthread_t th[256];
    for (int i = 0; i < nworkers; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < W.njobs; i++) {
        work(PLAN, 100);
        job *j = &W.jobs[i];
        snprintf(buf, sizeof buf, "job-%d", i);
        j->op = wcp_begin_in(W.session, &(wcp_op_args){.kind = WCP_KIND_CALL,
                                                       .work = WCP_WORK_USER,
                                                       .cls = "job",
                                                       .ident = wcp_intern(buf)});
        pthread_mutex_lock(&W.mu);
        /* queued behind others, or no idle worker: it waits for one */
        if (W.submitted > W.taken || W.idle == 0)
            j->wait = wcp_wait_begin_in(j->op, WCP_REASON_LOCK, WCP_NIL, "workers");
        W.submitted++;
        pthread_cond_signal(&W.cv);
        pthread_mutex_unlock(&W.mu);
    }
    pthread_mutex_lock(&W.mu);
    pthread_cond_broadcast(&W.cv); /* nothing more: idle workers leave */
    pthread_mutex_unlock(&W.mu);
    for (int i = 0; i < nworkers; i++)
        pthread_join(th[i], NULL);
    wcp_end(W.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("ran %d jobs on %d workers in %.1f ms\n", W.njobs, nworkers,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    free(W.jobs);
    return 0;
}
