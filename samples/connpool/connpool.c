/*
 * connpool.c - wcprof-sample-connpool: requests served by a pool of
 * threads that share a connection pool of N slots, instrumented with
 * libwcprof, with a planted bottleneck (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=connpool.dump wcprof-sample-connpool [--requests R]
 *       [--threads T] [--conns N] [--scale CLASS=F,...]
 *
 * T threads (default 8) serve R requests (default 48). A request prepares
 * (exec req.prepare, 300 us), takes one of N database connections
 * (default 2; a semaphore, recorded with wcp_sem_wait: a wait on db.conn
 * when none is free, then a hold of one slot), runs its query on it (io
 * db.query, 2 ms: the planted bottleneck, slow I/O behind too few
 * connections), gives the connection back and renders (exec req.render,
 * 200 us). The work is sleeps, so two cores do not limit it; nothing is
 * random. --scale multiplies the work of a class (req.prepare, db.query,
 * req.render) by F: the real run a what-if predicts (bench/accuracy).
 * Prints its wall time ("in X ms").
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PREPARE, QUERY, RENDER, NCLASS };
static const char *const class_name[NCLASS] = {"req.prepare", "db.query", "req.render"};
static const long class_us[NCLASS] = {300, 2000, 200};
static double scale[NCLASS] = {1, 1, 1};

static struct {
    sem_t conns;
    pthread_mutex_t mu;
    int next, nrequests;
    wcp_op session;
} S = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* the work of class cls, as an op of kind kind */
static void work(wcp_kind kind, int cls)
{
    WCP_OP(op, kind, class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)class_us[cls], scale[cls]);
}

static void serve(void)
{
    WCP_OP(req, WCP_KIND_CALL, "request");
    (void)req;
    work(WCP_KIND_EXEC, PREPARE);
    wcp_op slot;
    wcp_sem_wait(&S.conns, "db.conn", &slot);
    work(WCP_KIND_IO, QUERY);
    wcp_sem_post(&S.conns, slot);
    work(WCP_KIND_EXEC, RENDER);
}

static void *worker(void *arg)
{
    (void)arg;
    WCP_ADOPT(S.session);
    for (;;) {
        pthread_mutex_lock(&S.mu);
        int i = S.next < S.nrequests ? S.next++ : -1;
        pthread_mutex_unlock(&S.mu);
        if (i < 0)
            return NULL;
        serve();
    }
}

int main(int argc, char **argv)
{
    int nthreads = 8, nconns = 2;
    S.nrequests = 48;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            S.nrequests = atoi(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            nthreads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--conns") == 0 && i + 1 < argc)
            nconns = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-connpool", argv[++i], class_name, NCLASS, scale) <
                0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-connpool [--requests R] [--threads T] "
                            "[--conns N] [--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (S.nrequests < 1 || nthreads < 1 || nthreads > 256 || nconns < 1) {
        fprintf(stderr, "wcprof-sample-connpool: --requests >= 1, --threads 1..256, "
                        "--conns >= 1\n");
        return 2;
    }
    if (sem_init(&S.conns, 0, (unsigned)nconns) != 0)
        return 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    S.session = wcp_begin(WCP_KIND_SESSION_PHASE, "connpool.serve");
    pthread_t th[256];
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    wcp_end(S.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("served %d requests with %d threads and %d connections in %.1f ms\n", S.nrequests,
           nthreads, nconns,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    sem_destroy(&S.conns);
    return 0;
}
