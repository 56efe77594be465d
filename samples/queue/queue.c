/*
 * queue.c - wcprof-sample-queue: producer/consumer on a bounded queue
 * (a mutex and two condition variables), instrumented with libwcprof,
 * with a planted bottleneck (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=queue.dump wcprof-sample-queue [--items N]
 *       [--consumers C] [--cap K] [--seed S] [--scale CLASS=F,...]
 *
 * One producer makes N items (default 32; exec item.make, 300 us each) and
 * puts them into a queue of K slots (default 4); C consumers (default 2)
 * take them, decode (exec item.decode, 200 us) and store them (io
 * item.store, 2.5 to 4.5 ms by the item's size, drawn from --seed). The
 * planted bottleneck: the store. Two consumers store about 3.5 ms each,
 * so the queue stays full and the producer sleeps for space (the run
 * takes about 32 x 3.7 ms / 2, 60 ms); halving the store nearly halves
 * the run, removing it leaves the producer's pace (about 10 ms). The
 * store is long beside the make so that the consumers stay the
 * bottleneck on a loaded machine too, where every sleep overshoots.
 * The queue is samples/bqueue.h: a put signals "queue.items", a take
 * "queue.space" (wcp_signal), and a side that sleeps records a lock wait
 * on the other's name, so the replay knows whom each sleeper waited for.
 * Sleep-based (two cores do not limit it), deterministic by seed. --scale
 * multiplies the work of a class (item.make, item.decode, item.store) by
 * F: the real run a what-if predicts (bench/accuracy). Prints its wall
 * time ("in X ms").
 */
#define _GNU_SOURCE
#include "../bqueue.h"
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAKE, DECODE, STORE, NCLASS };
static const char *const class_name[NCLASS] = {"item.make", "item.decode", "item.store"};
static const wcp_kind class_kind[NCLASS] = {WCP_KIND_EXEC, WCP_KIND_EXEC, WCP_KIND_IO};
static double scale[NCLASS] = {1, 1, 1};

static struct {
    bqueue q;
    int nitems, nconsumers;
    long *store_us; /* per item, from the seed */
    wcp_op session;
} Q;

/* us of the work of class cls, as an op of that class */
static void work(int cls, long us)
{
    WCP_OP(op, class_kind[cls], class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)us, scale[cls]);
}

static void *producer(void *arg)
{
    (void)arg;
    WCP_ADOPT(Q.session);
    WCP_OP(op, WCP_KIND_CALL, "producer");
    (void)op;
    for (int i = 0; i < Q.nitems; i++) {
        work(MAKE, 300);
        bq_put(&Q.q, i);
    }
    for (int i = 0; i < Q.nconsumers; i++)
        bq_put(&Q.q, -1); /* one end marker per consumer */
    return NULL;
}

static void *consumer(void *arg)
{
    (void)arg;
    WCP_ADOPT(Q.session);
    WCP_OP(op, WCP_KIND_CALL, "consumer");
    (void)op;
    for (int i; (i = bq_take(&Q.q)) >= 0;) {
        work(DECODE, 200);
        work(STORE, Q.store_us[i]);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int cap = 4;
    unsigned long seed = 1;
    Q.nitems = 32;
    Q.nconsumers = 2;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--items") == 0 && i + 1 < argc)
            Q.nitems = atoi(argv[++i]);
        else if (strcmp(argv[i], "--consumers") == 0 && i + 1 < argc)
            Q.nconsumers = atoi(argv[++i]);
        else if (strcmp(argv[i], "--cap") == 0 && i + 1 < argc)
            cap = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-queue", argv[++i], class_name, NCLASS, scale) < 0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-queue [--items N] [--consumers C] [--cap K] "
                            "[--seed S] [--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (Q.nitems < 1 || Q.nconsumers < 1 || Q.nconsumers > 256 || cap < 1 || cap > BQ_MAX) {
        fprintf(stderr, "wcprof-sample-queue: --items >= 1, --consumers 1..256, --cap 1..%d\n",
                BQ_MAX);
        return 2;
    }
    Q.store_us = malloc((size_t)Q.nitems * sizeof *Q.store_us);
    if (!Q.store_us)
        return 1;
    srand48((long)seed);
    for (int i = 0; i < Q.nitems; i++)
        Q.store_us[i] = 2500 + (long)(drand48() * 2000); /* the item's size */
    bq_init(&Q.q, cap, "queue.items", "queue.space");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    Q.session = wcp_begin(WCP_KIND_SESSION_PHASE, "queue.run");
    pthread_t prod, th[256];
    pthread_create(&prod, NULL, producer, NULL);
    for (int i = 0; i < Q.nconsumers; i++)
        pthread_create(&th[i], NULL, consumer, NULL);
    pthread_join(prod, NULL);
    for (int i = 0; i < Q.nconsumers; i++)
        pthread_join(th[i], NULL);
    wcp_end(Q.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("moved %d items through a queue of %d to %d consumers in %.1f ms\n", Q.nitems, cap,
           Q.nconsumers,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    bq_destroy(&Q.q);
    free(Q.store_us);
    return 0;
}
