/*
 * forkjoin.c - wcprof-sample-forkjoin: rounds of fork/join with one
 * straggler per round, instrumented with libwcprof, with a planted
 * bottleneck (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=forkjoin.dump wcprof-sample-forkjoin [--rounds R]
 *       [--fanout N] [--seed S] [--scale CLASS=F,...]
 *
 * R rounds (default 6). Each round splits the job (exec job.split,
 * 300 us), forks N shards (default 6), one thread each, joins them all
 * and merges (exec job.merge, 500 us). A shard scans its part (exec
 * shard.scan, 1 to 2 ms), except one, drawn from --seed, that holds the
 * round's hot key (exec shard.hot, 6 to 10 ms). The planted bottleneck:
 * that straggler; the join waits for it while the other threads are long
 * done. Halving it saves about half of it; removing it leaves the slowest
 * ordinary shard. Each shard is an op (call shard) begun by the forking
 * op (wcp_begin_in) and ended by its thread, with the scan its child (so
 * the thread's start-up is the shard's self time, not the scan's: --scale
 * does not scale it either); the join is a wait (reason exec) on each
 * shard's op, so the replay knows whom it waited for. Sleep-based (two
 * cores do not limit it), deterministic by seed. --scale multiplies the
 * work of a class (job.split, shard.scan, shard.hot, job.merge) by F: the
 * real run a what-if predicts (bench/accuracy). Prints its wall time ("in
 * X ms").
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SPLIT, SCAN, HOT, MERGE, NCLASS };
static const char *const class_name[NCLASS] = {"job.split", "shard.scan", "shard.hot", "job.merge"};
static double scale[NCLASS] = {1, 1, 1, 1};

static void work(int cls, long us)
{
    WCP_OP(op, WCP_KIND_EXEC, class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)us, scale[cls]);
}

typedef struct shard {
    pthread_t th;
    wcp_op op; /* begun by the round, ended by the shard's thread */
    int cls;
    long us;
} shard;

static void *run_shard(void *arg)
{
    shard *s = arg;
    {
        WCP_ADOPT(s->op); /* the scan is the shard's child: the thread's start is not scan */
        work(s->cls, s->us);
    }
    wcp_end(s->op, WCP_OUTCOME_OK);
    return NULL;
}

int main(int argc, char **argv)
{
    int nrounds = 6, fanout = 6;
    unsigned long seed = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc)
            nrounds = atoi(argv[++i]);
        else if (strcmp(argv[i], "--fanout") == 0 && i + 1 < argc)
            fanout = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-forkjoin", argv[++i], class_name, NCLASS, scale) <
                0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-forkjoin [--rounds R] [--fanout N] [--seed S] "
                            "[--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (nrounds < 1 || fanout < 1 || fanout > 256) {
        fprintf(stderr, "wcprof-sample-forkjoin: --rounds >= 1, --fanout 1..256\n");
        return 2;
    }
    srand48((long)seed);
    shard sh[256];
    char buf[32];

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    wcp_op session = wcp_begin(WCP_KIND_SESSION_PHASE, "forkjoin.run");
    for (int r = 0; r < nrounds; r++) {
        snprintf(buf, sizeof buf, "round-%d", r);
        WCP_OP_EX(round, .kind = WCP_KIND_CALL, .cls = "round", .ident = wcp_intern(buf));
        work(SPLIT, 300);
        int hot = (int)(drand48() * fanout);
        for (int i = 0; i < fanout; i++) { /* fork */
            shard *s = &sh[i];
            s->cls = i == hot ? HOT : SCAN;
            s->us = i == hot ? 6000 + (long)(drand48() * 4000) : 1000 + (long)(drand48() * 1000);
            snprintf(buf, sizeof buf, "shard-%d", i);
            s->op = wcp_begin_in(round, &(wcp_op_args){.kind = WCP_KIND_CALL,
                                                       .work = WCP_WORK_USER,
                                                       .cls = "shard",
                                                       .ident = wcp_intern(buf)});
            if (pthread_create(&s->th, NULL, run_shard, s) != 0)
                return 1;
        }
        for (int i = 0; i < fanout; i++) { /* join: whom it waits for is known */
            wcp_wait w = wcp_wait_begin(WCP_REASON_EXEC, sh[i].op);
            pthread_join(sh[i].th, NULL);
            wcp_wait_end(&w);
        }
        work(MERGE, 500);
        wcp_op_set_outcome(round, WCP_OUTCOME_OK);
    }
    wcp_end(session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("ran %d rounds of %d shards in %.1f ms\n", nrounds, fanout,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    return 0;
}
