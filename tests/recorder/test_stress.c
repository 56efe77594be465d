/*
 * test_stress.c - the concurrency stress test (ctest label tsan): worker
 * threads record nested ops, waits, links and ops handed between threads
 * (begun on one, ended on another), in two rounds of threads (so exited
 * threads' state is reused), while a dumper thread takes flushing dumps
 * without pause and a third switches the pre-fault thread off and on and
 * reserves memory. Every event must arrive exactly once across all dumps,
 * every dump must pass the strict checker, and an op listed open in a
 * dump must not have ended in an earlier one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#define THREADS 6
#define ROUNDS 2
#define ITERS 1500

/* A tiny shared mailbox of handed-off ops (begun by one thread, ended by
 * whichever thread takes it). */
static pthread_mutex_t box_lk = PTHREAD_MUTEX_INITIALIZER;
static wcp_op box[64];
static int box_n;

/* Every op, wait and link carries a unique tag (result id or wait target)
 * so arrivals can be counted one by one. Per iteration: 4 ops (outer,
 * inner, handed, recorded), 1 wait, 1 link. */
static uint64_t tag(int round, int th, int i, int k)
{
    return ((uint64_t)(round * THREADS + th) << 32) | ((uint64_t)i << 3) | (uint64_t)k;
}

typedef struct {
    int round, th;
} wargs;

static void *worker(void *p)
{
    wargs *a = p;
    for (int i = 0; i < ITERS; i++) {
        wcp_op outer = wcp_begin_ex(&(wcp_op_args){
            .kind = WCP_KIND_CALL, .cls = "stress.outer", .result = tag(a->round, a->th, i, 1)});
        wcp_op inner = wcp_begin(WCP_KIND_CALL_EXEC, "stress.inner");
        wcp_op_set_result(inner, tag(a->round, a->th, i, 2));
        wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, WCP_NIL);
        wcp_wait_end(&w);
        wcp_link(WCP_LINK_RESULT, outer, NULL, tag(a->round, a->th, i, 3));
        wcp_op handed =
            wcp_begin_in(wcp_current(), &(wcp_op_args){.kind = WCP_KIND_LAZY,
                                                       .cls = "stress.handed",
                                                       .result = tag(a->round, a->th, i, 4)});
        wcp_op take = WCP_NIL;
        pthread_mutex_lock(&box_lk);
        if (box_n == 64)
            take = box[--box_n];
        box[box_n++] = handed;
        if (take.id == 0 && box_n > 8 && (i & 1))
            take = box[--box_n];
        pthread_mutex_unlock(&box_lk);
        wcp_end(take, WCP_OUTCOME_OK);
        wcp_record(inner,
                   &(wcp_op_args){.kind = WCP_KIND_IO,
                                  .cls = "stress.rec",
                                  .result = tag(a->round, a->th, i, 5)},
                   0, wcp_now(), wcp_now());
        wcp_end(inner, WCP_OUTCOME_OK);
        wcp_end(outer, WCP_OUTCOME_EXECUTED);
        (void)w;
    }
    return NULL;
}

/* What the dumper saw, by tag: ops/links by r, waits are counted. */
typedef struct seen {
    json_t *tags;  /* "tag" -> 1 */
    json_t *ended; /* op id -> 1 */
    size_t waits, dumps, dup, bad, open_ended_before;
} seen;

static void absorb(seen *s, const dc_dump *d)
{
    size_t i;
    json_t *e;
    char key[32];
    json_array_foreach(json_object_get(d->header, "open_ops"), i, e)
    {
        snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "op_id"));
        if (json_object_get(s->ended, key))
            s->open_ended_before++;
    }
    json_array_foreach(d->events, i, e)
    {
        const char *t = dc_s(e, "e");
        if (strcmp(t, "wait") == 0) {
            s->waits++;
            continue;
        }
        snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "r"));
        if (json_object_get(s->tags, key))
            s->dup++;
        json_object_set_new(s->tags, key, json_true());
        if (strcmp(t, "op") == 0) {
            snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "id"));
            json_object_set_new(s->ended, key, json_true());
        }
    }
    s->dumps++;
}

static atomic_int stop;

static void *dumper(void *p)
{
    seen *s = p;
    while (!atomic_load(&stop)) {
        dc_dump d;
        if (take_dump(WCP_DUMP_FLUSH, &d) != 0) {
            s->bad++;
            break;
        }
        absorb(s, &d);
        dc_free(&d);
    }
    return NULL;
}

/* Once the pre-fault thread has mapped a slab, switches it off and on
 * (it leaves and is started again) and reserves chunks, while the
 * workers take chunks and the dumper recycles them. */
static void *memory_churn(void *p)
{
    int *cycles = p;
    wcp_memstats m;
    for (int i = 0; i < 5000 && !atomic_load(&stop); i++) {
        wcp_memstats_get(&m);
        if (m.chunks_prefaulted)
            break;
        usleep(1000);
    }
    while (!atomic_load(&stop)) {
        wcp_set_prefault(0);
        usleep(500);
        wcp_set_prefault(1);
        wcp_reserve(40 * WCP_CHUNK_EVENTS);
        usleep(2000);
        ++*cycles;
    }
    return NULL;
}

static void test_concurrent_flushing_dumps(void **state)
{
    (void)state;
    wcp_enable();
    seen s = {json_object(), json_object(), 0, 0, 0, 0, 0};
    pthread_t dt, mt;
    int cycles = 0;
    pthread_create(&dt, NULL, dumper, &s);
    pthread_create(&mt, NULL, memory_churn, &cycles);
    for (int round = 0; round < ROUNDS; round++) {
        pthread_t th[THREADS];
        wargs args[THREADS];
        for (int t = 0; t < THREADS; t++) {
            args[t] = (wargs){round, t};
            pthread_create(&th[t], NULL, worker, &args[t]);
        }
        for (int t = 0; t < THREADS; t++)
            pthread_join(th[t], NULL);
    }
    while (box_n)
        wcp_end(box[--box_n], 0); /* end what is left, here */
    atomic_store(&stop, 1);
    pthread_join(dt, NULL);
    pthread_join(mt, NULL);
    dc_dump d; /* the last dump takes the rest */
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_null(json_object_get(d.header, "open_ops"));
    absorb(&s, &d);
    assert_int_equal(dc_int(d.header, "dropped_events"), 0);
    dc_free(&d);

    size_t total = (size_t)ROUNDS * THREADS * ITERS;
    assert_int_equal(s.bad, 0);
    assert_int_equal(s.dup, 0);
    assert_int_equal(s.open_ended_before, 0);
    assert_int_equal(s.waits, total);
    assert_int_equal(json_object_size(s.tags), total * 5);
    assert_int_equal(json_object_size(s.ended), total * 4);
    char key[32];
    for (int r = 0; r < ROUNDS; r++)
        for (int t = 0; t < THREADS; t++)
            for (int i = 0; i < ITERS; i++)
                for (int k = 1; k <= 5; k++) {
                    snprintf(key, sizeof key, "%llu", (unsigned long long)tag(r, t, i, k));
                    assert_non_null(json_object_get(s.tags, key));
                }
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), 0);
    wcp_memstats m;
    wcp_memstats_get(&m);
    assert_true(m.chunks_prefaulted > 0);
    print_message("%zu dumps, %zu events each arrived once; pre-fault thread "
                  "switched off and on %d times, %llu chunks pre-faulted, %llu "
                  "reserved, %llu mapped by threads\n",
                  s.dumps, total * 6, cycles, (unsigned long long)m.chunks_prefaulted,
                  (unsigned long long)m.chunks_reserved, (unsigned long long)m.chunks_by_threads);
    json_decref(s.tags);
    json_decref(s.ended);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_flushing_dumps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
