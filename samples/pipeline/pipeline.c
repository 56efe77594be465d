/*
 * pipeline.c - wcprof-sample-pipeline: a three-stage pipeline, one thread
 * per stage, bounded queues between the stages, instrumented with
 * libwcprof, with a planted bottleneck (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=pipeline.dump wcprof-sample-pipeline [--items N]
 *       [--cap K] [--scale CLASS=F,...]
 *
 * N items (default 48) go through parse (exec stage.parse, 300 us),
 * transform (exec stage.transform, 1.5 ms) and write (io stage.write,
 * 500 us); between two stages a queue of K slots (default 2, samples/
 * bqueue.h: "parsed.*" and "transformed.*"). The planted bottleneck: the
 * slow middle stage. The pipeline moves at its pace (48 x 1.5 ms, about
 * 75 ms): parse waits for room in "parsed", write waits for items in
 * "transformed". Halving it halves the run; removing it leaves write's
 * pace (about 25 ms). Every sleep of a stage on a queue is a lock wait on
 * the queue's name, resolved to the other side's put or take
 * (wcp_signal). Sleep-based, nothing random. --scale multiplies the work
 * of a class (stage.parse, stage.transform, stage.write) by F: the real
 * run a what-if predicts (bench/accuracy). Prints its wall time ("in X
 * ms").
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

enum { PARSE, TRANSFORM, WRITE, NCLASS };
static const char *const class_name[NCLASS] = {"stage.parse", "stage.transform", "stage.write"};
static const wcp_kind class_kind[NCLASS] = {WCP_KIND_EXEC, WCP_KIND_EXEC, WCP_KIND_IO};
static const long class_us[NCLASS] = {300, 1500, 500};
static double scale[NCLASS] = {1, 1, 1};

static struct {
    bqueue parsed, transformed;
    int nitems;
    wcp_op session;
} L;

/* the work of class cls on one item, as an op of that class */
static void work(int cls)
{
    WCP_OP(op, class_kind[cls], class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)class_us[cls], scale[cls]);
}

static void *parse_stage(void *arg)
{
    (void)arg;
    WCP_ADOPT(L.session);
    WCP_OP(op, WCP_KIND_CALL, "stage1");
    (void)op;
    for (int i = 0; i < L.nitems; i++) {
        work(PARSE);
        bq_put(&L.parsed, i);
    }
    bq_put(&L.parsed, -1);
    return NULL;
}

static void *transform_stage(void *arg)
{
    (void)arg;
    WCP_ADOPT(L.session);
    WCP_OP(op, WCP_KIND_CALL, "stage2");
    (void)op;
    for (int i; (i = bq_take(&L.parsed)) >= 0;) {
        work(TRANSFORM);
        bq_put(&L.transformed, i);
    }
    bq_put(&L.transformed, -1);
    return NULL;
}

static void *write_stage(void *arg)
{
    (void)arg;
    WCP_ADOPT(L.session);
    WCP_OP(op, WCP_KIND_CALL, "stage3");
    (void)op;
    while (bq_take(&L.transformed) >= 0)
        work(WRITE);
    return NULL;
}

int main(int argc, char **argv)
{
    int cap = 2;
    L.nitems = 48;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--items") == 0 && i + 1 < argc)
            L.nitems = atoi(argv[++i]);
        else if (strcmp(argv[i], "--cap") == 0 && i + 1 < argc)
            cap = atoi(argv[++i]);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-pipeline", argv[++i], class_name, NCLASS, scale) <
                0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-pipeline [--items N] [--cap K] "
                            "[--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (L.nitems < 1 || cap < 1 || cap > BQ_MAX) {
        fprintf(stderr, "wcprof-sample-pipeline: --items >= 1, --cap 1..%d\n", BQ_MAX);
        return 2;
    }
    bq_init(&L.parsed, cap, "parsed.items", "parsed.space");
    bq_init(&L.transformed, cap, "transformed.items", "transformed.space");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    L.session = wcp_begin(WCP_KIND_SESSION_PHASE, "pipeline.run");
    pthread_t th[3];
    pthread_create(&th[0], NULL, parse_stage, NULL);
    pthread_create(&th[1], NULL, transform_stage, NULL);
    pthread_create(&th[2], NULL, write_stage, NULL);
    for (int i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    wcp_end(L.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("piped %d items through 3 stages in %.1f ms\n", L.nitems,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    bq_destroy(&L.parsed);
    bq_destroy(&L.transformed);
    return 0;
}
