/*
 * stampede.c - wcprof-sample-stampede: a cache stampede behind
 * singleflight, instrumented with libwcprof, with a planted bottleneck
 * (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=stampede.dump wcprof-sample-stampede
 *       [--threads T] [--requests R] [--seed S] [--scale CLASS=F,...]
 *
 * T threads (default 8) each serve R requests (default 12). Request i
 * parses (exec request.parse, 200 us), gets the hot key of epoch i from a
 * cache (call cache.get) and renders (exec request.render, 300 us). Every
 * epoch the hot key has expired, so all T threads miss it at once: the
 * first computes it (call_exec backend.load, 3 to 5 ms by key, drawn from
 * --seed; outcome "executed"), the others join that computation
 * (singleflight: a wait with the loading op as its target; outcome
 * "joined"). The planted bottleneck: the backend load every request waits
 * for; the run is R loads end to end. Halving it saves about half of each
 * load. The cache's mutex, held for a few instructions around the state,
 * is not recorded. Sleep-based (two cores do not limit it), deterministic
 * by seed. --scale multiplies the work of a class (request.parse,
 * backend.load, request.render) by F: the real run a what-if predicts
 * (bench/accuracy). Prints its wall time ("in X ms").
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { PARSE, LOAD, RENDER, NCLASS };
static const char *const class_name[NCLASS] = {"request.parse", "backend.load", "request.render"};
static double scale[NCLASS] = {1, 1, 1};

typedef struct entry {
    int state;        /* 0 missing, 1 being loaded, 2 cached */
    wcp_op loading;   /* the op loading it while state == 1 */
    const char *name; /* interned "hot-key-N" */
    long load_us;     /* from the seed */
} entry;

static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    entry *keys;
    int nrequests;
    wcp_op session;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void work(int cls, long us)
{
    WCP_OP(op, WCP_KIND_EXEC, class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)us, scale[cls]);
}

/* The value of key k, loaded at most once (singleflight). */
static void cache_get(int k)
{
    entry *e = &C.keys[k];
    WCP_OP_EX(op, .kind = WCP_KIND_CALL, .work = WCP_WORK_ENGINE, .cls = "cache.get",
              .ident = e->name);
    pthread_mutex_lock(&C.mu);
    if (e->state == 2) {
        pthread_mutex_unlock(&C.mu);
        wcp_op_set_outcome(op, WCP_OUTCOME_HIT);
        return;
    }
    if (e->state == 1) { /* join the load in flight */
        wcp_wait w = wcp_wait_begin(WCP_REASON_SINGLEFLIGHT, e->loading);
        while (e->state != 2)
            pthread_cond_wait(&C.cv, &C.mu);
        wcp_wait_end(&w);
        pthread_mutex_unlock(&C.mu);
        wcp_op_set_outcome(op, WCP_OUTCOME_JOINED);
        return;
    }
    e->state = 1;
    wcp_op exec = wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_CALL_EXEC,
                                              .work = WCP_WORK_EXTERNAL,
                                              .cls = class_name[LOAD],
                                              .ident = e->name});
    e->loading = exec;
    pthread_mutex_unlock(&C.mu);
    wcp_sample_sleep_us((double)e->load_us, scale[LOAD]);
    wcp_end(exec, WCP_OUTCOME_OK); /* before the joiners can wake */
    pthread_mutex_lock(&C.mu);
    e->state = 2;
    pthread_cond_broadcast(&C.cv);
    pthread_mutex_unlock(&C.mu);
    wcp_op_set_outcome(op, WCP_OUTCOME_EXECUTED);
}

static void *serve(void *arg)
{
    (void)arg;
    WCP_ADOPT(C.session);
    for (int i = 0; i < C.nrequests; i++) {
        WCP_OP(req, WCP_KIND_CALL, "request");
        (void)req;
        work(PARSE, 200);
        cache_get(i); /* epoch i's hot key, expired: everyone misses it */
        work(RENDER, 300);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int nthreads = 8;
    unsigned long seed = 1;
    C.nrequests = 12;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            nthreads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--requests") == 0 && i + 1 < argc)
            C.nrequests = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-stampede", argv[++i], class_name, NCLASS, scale) <
                0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-stampede [--threads T] [--requests R] "
                            "[--seed S] [--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (nthreads < 1 || nthreads > 256 || C.nrequests < 1) {
        fprintf(stderr, "wcprof-sample-stampede: --threads 1..256, --requests >= 1\n");
        return 2;
    }
    C.keys = calloc((size_t)C.nrequests, sizeof *C.keys);
    if (!C.keys)
        return 1;
    srand48((long)seed);
    char buf[32];
    for (int k = 0; k < C.nrequests; k++) {
        snprintf(buf, sizeof buf, "hot-key-%d", k);
        C.keys[k].name = wcp_intern(buf);
        C.keys[k].load_us = 3000 + (long)(drand48() * 2000);
    }

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    C.session = wcp_begin(WCP_KIND_SESSION_PHASE, "stampede.serve");
    pthread_t th[256];
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, serve, NULL);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    wcp_end(C.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("served %d requests on %d threads in %.1f ms\n", nthreads * C.nrequests, nthreads,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    free(C.keys);
    return 0;
}
