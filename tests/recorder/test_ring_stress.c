/*
 * test_ring_stress.c - ring mode (flight recorder) under concurrency
 * (ctest label tsan): worker threads record nested ops, waits, links and
 * ops with explicit times into a ring far smaller than what they record,
 * in two rounds of threads (so exited threads' buffers are reused), while
 * a dumper thread takes dumps without pause, most flushing, some not. A
 * round's workers keep recording until the dumper has taken at least
 * DUMPS_PER_ROUND dumps since the round began.
 * Ring mode cannot promise that every event arrives; it promises:
 *   - no event twice: each worker's events arrive in the order it
 *     recorded them, across all flushing dumps, and a non-flushing dump
 *     repeats nothing a flushing dump already wrote;
 *   - exact accounting: events dumped + dropped_events = events recorded;
 *   - no torn events: every dump passes the strict checker, and every
 *     event's fields (id, parent, target, class, kind, outcome, thread)
 *     agree with what its worker recorded;
 *   - an op listed open in a dump has not ended in an earlier dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <unistd.h>

#define THREADS 6
#define ROUNDS 2
#define WORKERS (THREADS * ROUNDS)
#define ITERS_MIN 1000     /* iterations a worker records at least */
#define ITERS 8000         /* and at most */
#define DUMPS_PER_ROUND 10 /* dumps taken while a round's workers run */
#define PER_ITER 5         /* wait, link, recorded op, inner, outer */
#define CAP (4 * WCP_CHUNK_EVENTS)

/* What each worker recorded (written by the worker, read after join). */
static struct worker {
    uint32_t tid;
    int iters; /* iterations recorded */
    uint64_t outer[ITERS], inner[ITERS], rec[ITERS];
} W[WORKERS];

/* Every op and link carries a result id naming its worker, iteration and
 * place in the iteration (k: 1 outer, 2 inner, 3 link, 4 recorded op);
 * a wait is known by its waiter, the inner op (k 0). */
static uint64_t tag(int w, int i, int k)
{
    return ((uint64_t)(w + 1) << 32) | ((uint64_t)i << 3) | (uint64_t)k;
}

static atomic_uint dumps_taken; /* by the dumper, so far */
static unsigned round_base;     /* dumps_taken when the round began */

static int enough_dumps(void)
{
    return atomic_load(&dumps_taken) - round_base >= DUMPS_PER_ROUND;
}

static void *worker(void *p)
{
    int w = (int)(intptr_t)p, i;
    W[w].tid = (uint32_t)syscall(SYS_gettid);
    for (i = 0; i < ITERS && (i < ITERS_MIN || !enough_dumps()); i++) {
        wcp_op outer = wcp_begin_ex(
            &(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "ring.outer", .result = tag(w, i, 1)});
        wcp_op inner = wcp_begin(WCP_KIND_CALL_EXEC, "ring.inner");
        wcp_op_set_result(inner, tag(w, i, 2));
        W[w].outer[i] = outer.id;
        W[w].inner[i] = inner.id;
        wcp_wait wt = wcp_wait_begin(WCP_REASON_LOCK, outer);
        wcp_wait_end(&wt);
        wcp_link(WCP_LINK_RESULT, outer, NULL, tag(w, i, 3));
        W[w].rec[i] = wcp_record(
            inner, &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "ring.rec", .result = tag(w, i, 4)},
            0, wcp_now(), wcp_now());
        wcp_end(inner, WCP_OUTCOME_OK);
        wcp_end(outer, WCP_OUTCOME_EXECUTED);
    }
    W[w].iters = i;
    while (!enough_dumps())
        sched_yield();
    return NULL;
}

/* One dumped event, kept compactly until the workers are done. */
typedef struct ev {
    uint64_t id, p, t, r;
    uint32_t th;
    char type; /* 'o' op, 'w' wait, 'l' link */
    char cls;  /* op: 1 outer, 2 inner, 4 recorded, 0 other */
} ev;

typedef struct dumpinfo {
    size_t first, n;
    int flush;
} dumpinfo;

static struct {
    ev *evs;
    size_t nev, cap;
    dumpinfo *dumps;
    size_t ndumps, dcap;
    json_t *ended; /* op id -> true: its end was dumped */
    size_t bad, torn, open_ended_before;
} S;

static void keep(const ev *e)
{
    if (S.nev == S.cap) {
        S.cap = S.cap ? 2 * S.cap : 4096;
        S.evs = realloc(S.evs, S.cap * sizeof *S.evs);
        assert_non_null(S.evs);
    }
    S.evs[S.nev++] = *e;
}

/* Checks what one dump can say by itself, and keeps its events. The
 * names each kind of event must carry are fixed by the worker above. */
static void absorb(const dc_dump *d, int flush)
{
    size_t i;
    json_t *x;
    char key[32];
    json_array_foreach(json_object_get(d->header, "open_ops"), i, x)
    {
        snprintf(key, sizeof key, "%lld", (long long)dc_int(x, "op_id"));
        if (json_object_get(S.ended, key))
            S.open_ended_before++;
    }
    if (S.ndumps == S.dcap) {
        S.dcap = S.dcap ? 2 * S.dcap : 256;
        S.dumps = realloc(S.dumps, S.dcap * sizeof *S.dumps);
        assert_non_null(S.dumps);
    }
    dumpinfo *di = &S.dumps[S.ndumps++];
    di->first = S.nev;
    di->flush = flush;
    json_array_foreach(d->events, i, x)
    {
        const char *type = dc_s(x, "e");
        ev e = {(uint64_t)dc_int(x, "id"),
                (uint64_t)dc_int(x, "p"),
                (uint64_t)dc_int(x, "t"),
                (uint64_t)dc_int(x, "r"),
                (uint32_t)dc_int(x, "th"),
                type[0],
                0};
        if (e.type == 'o') {
            const char *cls = dc_str(d, dc_int(x, "c"));
            const char *k = dc_s(x, "k"), *o = dc_s(x, "o");
            if (strcmp(cls, "ring.outer") == 0 && strcmp(k, "call") == 0 &&
                strcmp(o, "executed") == 0)
                e.cls = 1;
            else if (strcmp(cls, "ring.inner") == 0 && strcmp(k, "call_exec") == 0 &&
                     strcmp(o, "ok") == 0)
                e.cls = 2;
            else if (strcmp(cls, "ring.rec") == 0 && strcmp(k, "io") == 0 && !*o)
                e.cls = 4;
            else
                S.torn++;
            snprintf(key, sizeof key, "%llu", (unsigned long long)e.id);
            json_object_set_new(S.ended, key, json_true());
        } else if (e.type == 'w') {
            if (strcmp(dc_s(x, "rs"), "lock") != 0)
                S.torn++;
        } else if (e.type == 'l') {
            if (strcmp(dc_s(x, "lk"), "result") != 0)
                S.torn++;
        }
        keep(&e);
    }
    di->n = S.nev - di->first;
}

static atomic_int stop;

static void *dumper(void *p)
{
    (void)p;
    for (unsigned n = 0; !atomic_load(&stop); n++) {
        int flush = n % 4 != 3; /* every fourth dump keeps what it writes */
        dc_dump d = {0};
        if (take_dump(flush ? WCP_DUMP_FLUSH : 0, &d) != 0)
            S.bad++;
        else
            absorb(&d, flush);
        dc_free(&d);
        atomic_fetch_add(&dumps_taken, 1);
    }
    return NULL;
}

/* The worker and iteration of inner op id (ids of one worker increase
 * with the iteration), or -1. */
static int find_inner(uint64_t id, int *iter)
{
    for (int w = 0; w < WORKERS; w++) {
        int lo = 0, hi = W[w].iters;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (W[w].inner[mid] < id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < W[w].iters && W[w].inner[lo] == id) {
            *iter = lo;
            return w;
        }
    }
    return -1;
}

/* The worker of e, its place in that worker's stream of events, or -1
 * when e disagrees with what the worker recorded. */
static int place(const ev *e, long *seq)
{
    static const int pos[5] = {0, 4, 3, 1, 2}; /* by k: wait, outer, ... */
    int w, i, k;
    if (e->type == 'w') {
        w = find_inner(e->p, &i);
        k = 0;
        if (w < 0 || e->t != W[w].outer[i])
            return -1;
    } else {
        w = (int)(e->r >> 32) - 1;
        i = (int)((e->r & 0xffffffffu) >> 3);
        k = (int)(e->r & 7);
        if (w < 0 || w >= WORKERS || i >= W[w].iters || k < 1 || k > 4)
            return -1;
        if (e->type == 'l') {
            if (k != 3 || e->p != W[w].inner[i] || e->t != W[w].outer[i])
                return -1;
        } else if (e->type != 'o' || k == 3 || e->cls != k) {
            return -1;
        } else {
            uint64_t id = k == 1 ? W[w].outer[i] : k == 2 ? W[w].inner[i] : W[w].rec[i];
            uint64_t parent = k == 1 ? 0 : k == 2 ? W[w].outer[i] : W[w].inner[i];
            if (e->id != id || e->p != parent)
                return -1;
        }
    }
    if (e->type != 'l' && e->th != W[w].tid)
        return -1;
    *seq = (long)i * PER_ITER + pos[k];
    return w;
}

static void test_ring_under_concurrent_dumps(void **state)
{
    (void)state;
    assert_int_equal(wcp_set_limit(CAP, WCP_LIMIT_RING), 0);
    wcp_enable();
    S.ended = json_object();
    pthread_t dt;
    pthread_create(&dt, NULL, dumper, NULL);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t th[THREADS];
        round_base = atomic_load(&dumps_taken);
        for (int t = 0; t < THREADS; t++)
            pthread_create(&th[t], NULL, worker, (void *)(intptr_t)(round * THREADS + t));
        for (int t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
    }
    atomic_store(&stop, 1);
    pthread_join(dt, NULL);
    dc_dump d; /* the last dump takes the rest */
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_null(json_object_get(d.header, "open_ops"));
    absorb(&d, 1);
    uint64_t dropped = (uint64_t)dc_int(d.header, "dropped_events");
    assert_int_equal(wcp_dropped_events(), dropped);
    /* lost by overwriting (or to a non-flushing dump reading in place),
   * never to the cap or for memory */
    json_t *by = json_object_get(d.header, "dropped_by_cause");
    assert_int_equal(dc_int(by, "ring") + dc_int(by, "dump"), dropped);
    assert_int_equal(wcp_dropped_by_cause(WCP_DROP_CAP), 0);
    assert_int_equal(wcp_dropped_by_cause(WCP_DROP_OOM), 0);
    dc_free(&d);

    assert_int_equal(S.bad, 0);
    assert_int_equal(S.torn, 0);
    assert_int_equal(S.open_ended_before, 0);

    /* Replay the dumps in order: each worker's events must come in the
   * order recorded, past everything earlier flushing dumps wrote. */
    long flushed[WORKERS], last[WORKERS];
    size_t kept = 0, repeats = 0, wrong = 0, disorder = 0;
    for (int w = 0; w < WORKERS; w++)
        flushed[w] = -1;
    for (size_t k = 0; k < S.ndumps; k++) {
        const dumpinfo *di = &S.dumps[k];
        memcpy(last, flushed, sizeof last);
        for (size_t j = di->first; j < di->first + di->n; j++) {
            long seq;
            int w = place(&S.evs[j], &seq);
            if (w < 0) {
                wrong++;
                continue;
            }
            if (seq <= flushed[w])
                repeats++;
            else if (seq <= last[w])
                disorder++;
            last[w] = seq;
        }
        if (di->flush) {
            memcpy(flushed, last, sizeof last);
            kept += di->n;
        }
    }
    size_t recorded = 0;
    for (int w = 0; w < WORKERS; w++)
        recorded += (size_t)W[w].iters * PER_ITER;
    print_message("%zu dumps; of %zu events %zu dumped, %llu overwritten or "
                  "dropped\n",
                  S.ndumps, recorded, kept, (unsigned long long)dropped);
    assert_int_equal(wrong, 0);
    assert_int_equal(repeats, 0);
    assert_int_equal(disorder, 0);
    assert_int_equal(kept + dropped, recorded);
    assert_true(dropped > 0);     /* the ring did overwrite */
    assert_true(kept >= CAP / 2); /* and kept something */
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), 0);
    json_decref(S.ended);
    free(S.evs);
    free(S.dumps);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_under_concurrent_dumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
