/*
 * rwlock.c - wcprof-sample-rwlock: readers behind a reader/writer lock
 * with a rare, long writer, instrumented with libwcprof, with a planted
 * bottleneck (issue 16's truth suite).
 *
 *   WCPROF=1 WCPROF_OUT=rwlock.dump wcprof-sample-rwlock [--readers T]
 *       [--reads N] [--writes W] [--seed S] [--scale CLASS=F,...]
 *
 * T reader threads (default 4) each do N reads (default 40): a lookup
 * under the read lock of "config.lock" (exec read.lookup, 500 us), then
 * use of the result outside it (exec read.use, 300 to 700 us, drawn from
 * --seed). One writer thread, every 8 ms, W times (default 4), reloads
 * the configuration under the write lock (io config.reload, 6 ms). The
 * lock prefers writers (glibc's PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP),
 * so a waiting writer holds new readers back. The planted bottleneck: the
 * reload. While it runs every reader stops (about 4 x 6 ms of a run of
 * about 65 ms); halving it saves about half of that. The lock is taken
 * with wcp_rdlock / wcp_wrlock: each critical section is a hold (shared
 * for a reader) and each blocked acquisition a lock wait on
 * "config.lock", resolved by the analyses to the hold that let it in.
 * Sleep-based (two cores do not limit it), deterministic by seed. --scale
 * multiplies the work of a class (read.lookup, read.use, config.reload)
 * by F: the real run a what-if predicts (bench/accuracy). Prints its wall
 * time ("in X ms").
 */
#define _GNU_SOURCE
#include "../scale.h"
#include "wcprof.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { LOOKUP, USE, RELOAD, NCLASS };
static const char *const class_name[NCLASS] = {"read.lookup", "read.use", "config.reload"};
static const wcp_kind class_kind[NCLASS] = {WCP_KIND_EXEC, WCP_KIND_EXEC, WCP_KIND_IO};
static double scale[NCLASS] = {1, 1, 1};

static struct {
    pthread_rwlock_t lock;
    int nreads, nwrites;
    long *use_us; /* per reader and read, from the seed */
    wcp_op session;
    long version;
} R;

/* us of the work of class cls, as an op of that class */
static void work(int cls, long us)
{
    WCP_OP(op, class_kind[cls], class_name[cls]);
    (void)op;
    wcp_sample_sleep_us((double)us, scale[cls]);
}

static void *reader(void *arg)
{
    long *use_us = arg;
    WCP_ADOPT(R.session);
    WCP_OP(op, WCP_KIND_CALL, "reader");
    (void)op;
    for (int i = 0; i < R.nreads; i++) {
        wcp_op held;
        wcp_rdlock(&R.lock, "config.lock", &held);
        work(LOOKUP, 500); /* the hold's child */
        wcp_rwunlock(&R.lock, held);
        work(USE, use_us[i]);
    }
    return NULL;
}

static void *writer(void *arg)
{
    (void)arg;
    WCP_ADOPT(R.session);
    WCP_OP(op, WCP_KIND_CALL, "writer");
    (void)op;
    for (int i = 0; i < R.nwrites; i++) {
        wcp_sample_sleep_us(8000, 1); /* the reload interval: a timer, not work */
        wcp_op held;
        wcp_wrlock(&R.lock, "config.lock", &held);
        work(RELOAD, 6000);
        R.version++;
        wcp_rwunlock(&R.lock, held);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    int nreaders = 4;
    unsigned long seed = 1;
    R.nreads = 40;
    R.nwrites = 4;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--readers") == 0 && i + 1 < argc)
            nreaders = atoi(argv[++i]);
        else if (strcmp(argv[i], "--reads") == 0 && i + 1 < argc)
            R.nreads = atoi(argv[++i]);
        else if (strcmp(argv[i], "--writes") == 0 && i + 1 < argc)
            R.nwrites = atoi(argv[++i]);
        else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
            seed = strtoul(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--scale") == 0 && i + 1 < argc) {
            if (wcp_sample_scale("wcprof-sample-rwlock", argv[++i], class_name, NCLASS, scale) < 0)
                return 2;
        } else {
            fprintf(stderr, "usage: wcprof-sample-rwlock [--readers T] [--reads N] [--writes W] "
                            "[--seed S] [--scale CLASS=F,...]\n");
            return 2;
        }
    }
    if (nreaders < 1 || nreaders > 256 || R.nreads < 1 || R.nwrites < 0) {
        fprintf(stderr, "wcprof-sample-rwlock: --readers 1..256, --reads >= 1, --writes >= 0\n");
        return 2;
    }
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&R.lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    R.use_us = malloc((size_t)nreaders * (size_t)R.nreads * sizeof *R.use_us);
    if (!R.use_us)
        return 1;
    srand48((long)seed);
    for (int i = 0; i < nreaders * R.nreads; i++)
        R.use_us[i] = 300 + (long)(drand48() * 400);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    R.session = wcp_begin(WCP_KIND_SESSION_PHASE, "rwlock.serve");
    pthread_t th[257];
    pthread_create(&th[0], NULL, writer, NULL);
    for (int i = 0; i < nreaders; i++)
        pthread_create(&th[i + 1], NULL, reader, R.use_us + (size_t)i * (size_t)R.nreads);
    for (int i = 0; i <= nreaders; i++)
        pthread_join(th[i], NULL);
    wcp_end(R.session, WCP_OUTCOME_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%d readers did %d reads each beside %d writes in %.1f ms\n", nreaders, R.nreads,
           R.nwrites,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    pthread_rwlock_destroy(&R.lock);
    free(R.use_us);
    return 0;
}
