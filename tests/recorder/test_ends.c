/*
 * test_ends.c - who ends an op (issue 14, items 3 and 4), under
 * ThreadSanitizer too (ctest label tsan):
 *   - an op begun with wcp_begin and ended on another thread is ended
 *     (with that thread's end time), counted as end_other_thread, and its
 *     own thread's chain of current ops no longer points at it: the next
 *     op there is a child of the op below it;
 *   - two threads ending the same op at once (a cancel racing a
 *     completion): exactly one end is recorded, the other is counted as
 *     end_twice, and nothing else is touched: of the clean ops recorded
 *     meanwhile, none goes missing and none is doubled.
 */
#define _GNU_SOURCE /* CPU sets */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

/* ---- ended on another thread ---------------------------------------------- */

typedef struct ender {
    wcp_op op;
    wcp_outcome outcome;
} ender;

static void *end_it(void *p)
{
    ender *e = p;
    wcp_end(e->op, e->outcome);
    return NULL;
}

static void end_on_another_thread(wcp_op op, wcp_outcome outcome)
{
    pthread_t th;
    ender e = {op, outcome};
    assert_int_equal(pthread_create(&th, NULL, end_it, &e), 0);
    pthread_join(th, NULL);
}

static void test_current_op_ended_elsewhere(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    uint64_t other0 = wcp_misuse_count(WCP_MISUSE_END_OTHER_THREAD);
    wcp_op w = wcp_begin(WCP_KIND_SESSION_PHASE, "w");
    wcp_op x = wcp_begin(WCP_KIND_CALL, "x");
    int64_t before = wcp_now();
    end_on_another_thread(x, WCP_OUTCOME_CANCELED);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OTHER_THREAD), other0 + 1);
    /* this thread's current op is the one below, not the ended one */
    assert_int_equal(wcp_current().id, w.id);
    wcp_op y = wcp_begin(WCP_KIND_CALL, "y");
    wcp_end(y, 0);
    wcp_end(x, 0); /* the owner ends it too: too late, counted */
    wcp_end(w, 0);
    assert_int_equal(wcp_current().id, 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 3);
    json_t *ex = find_event(&d, "op", "id", (json_int_t)x.id);
    assert_non_null(ex);
    assert_string_equal(dc_s(ex, "o"), "canceled"); /* the other thread's end */
    assert_int_equal(dc_int(ex, "p"), w.id);
    assert_true(dc_int(ex, "d") >= before);
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)y.id), "p"), w.id);
    assert_int_equal(dc_int(json_object_get(d.header, "misuse"), "end_twice"),
                     (json_int_t)wcp_misuse_count(WCP_MISUSE_END_TWICE));
    assert_null(json_object_get(d.header, "open_ops"));
    dc_free(&d);
}

/* Ended elsewhere while below the current op: spliced out of the chain,
 * so the op above it returns to the one below it. */
static void test_op_below_current_ended_elsewhere(void **state)
{
    (void)state;
    drain();
    uint64_t twice0 = wcp_misuse_count(WCP_MISUSE_END_TWICE);
    wcp_op w = wcp_begin(WCP_KIND_SESSION_PHASE, "w");
    wcp_op x = wcp_begin(WCP_KIND_CALL, "x");
    wcp_op z = wcp_begin(WCP_KIND_CALL, "z");
    end_on_another_thread(x, WCP_OUTCOME_OK);
    assert_int_equal(wcp_current().id, z.id);
    wcp_end(z, 0);
    assert_int_equal(wcp_current().id, w.id);
    wcp_op y = wcp_begin(WCP_KIND_CALL, "y");
    wcp_end(y, 0);
    wcp_end(w, 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), twice0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 4);
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)z.id), "p"),
                     x.id); /* its parent stays what it was */
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)y.id), "p"), w.id);
    dc_free(&d);
}

/* The end is applied by the op's thread at its next recording call; a
 * dump before that lists the op as open, after it as ended. An op ended
 * after its thread exited is applied by the next dump. */
static wcp_op parked;
static pthread_mutex_t park_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cv = PTHREAD_COND_INITIALIZER;
static int park_state;

static void *parker(void *p)
{
    (void)p;
    wcp_op a = wcp_begin(WCP_KIND_CALL, "parked");
    pthread_mutex_lock(&park_mu);
    parked = a;
    park_state = 1;
    pthread_cond_broadcast(&park_cv);
    while (park_state != 2)
        pthread_cond_wait(&park_cv, &park_mu);
    pthread_mutex_unlock(&park_mu);
    return NULL; /* exits with the end requested but not applied */
}

static void test_end_of_an_exited_threads_op(void **state)
{
    (void)state;
    drain();
    pthread_t th;
    pthread_create(&th, NULL, parker, NULL);
    pthread_mutex_lock(&park_mu);
    while (park_state != 1)
        pthread_cond_wait(&park_cv, &park_mu);
    pthread_mutex_unlock(&park_mu);
    wcp_end(parked, WCP_OUTCOME_OK); /* its thread is blocked */
    dc_dump d;
    assert_int_equal(take_dump(0, &d), 0);
    assert_non_null(find_open(&d, (json_int_t)parked.id));
    dc_free(&d);
    pthread_mutex_lock(&park_mu);
    park_state = 2;
    pthread_cond_broadcast(&park_cv);
    pthread_mutex_unlock(&park_mu);
    pthread_join(th, NULL); /* its exit applied the end */
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_null(json_object_get(d.header, "open_ops"));
    assert_non_null(find_event(&d, "op", "id", (json_int_t)parked.id));
    dc_free(&d);
}

/* Adopting ops of the thread's own chain out of order can bring back an
 * op that ended as the current op: ending it again must count end_twice
 * and touch nothing, even once its record serves another op. */
static void test_stale_current_op(void **state)
{
    (void)state;
    drain();
    uint64_t twice0 = wcp_misuse_count(WCP_MISUSE_END_TWICE);
    wcp_op x = wcp_begin(WCP_KIND_CALL, "x");
    wcp_op y = wcp_begin(WCP_KIND_CALL, "y");
    wcp_adopt(x);
    wcp_end(x, 0); /* x ended; current: what was below x */
    wcp_adopt(y);
    wcp_end(y, 0); /* current: y's previous op, x, which ended */
    assert_int_equal(wcp_current().id, x.id);
    wcp_op z = wcp_begin_in(WCP_NIL, &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "z"});
    wcp_end(x, 0); /* stale: counted, nothing else */
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), twice0 + 1);
    wcp_end(z, WCP_OUTCOME_OK);
    wcp_adopt(WCP_NIL);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 3);
    assert_string_equal(dc_s(find_event(&d, "op", "id", (json_int_t)z.id), "o"), "ok");
    assert_null(json_object_get(d.header, "open_ops"));
    dc_free(&d);
}

/* ---- two ends at once ---------------------------------------------------- */

#define BATCH 64
#define BATCHES 80
#define CLEAN 2 /* clean ops per raced op, per racer */

static wcp_op raced[BATCH];
static pthread_barrier_t go, done;
static atomic_int clean_seq, arrived;

/* A unique result id for every clean op. */
static uint64_t clean_tag(void)
{
    return 2000000 + (uint64_t)atomic_fetch_add(&clean_seq, 1);
}

/* Each racer on a CPU of its own where there are two: a real race. */
static void pin_to(int k)
{
    cpu_set_t allowed, one;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0 || CPU_COUNT(&allowed) < 2)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed) && k-- == 0) {
            CPU_ZERO(&one);
            CPU_SET(c, &one);
            pthread_setaffinity_np(pthread_self(), sizeof one, &one);
            return;
        }
}

static void *racer(void *p)
{
    int me = (int)(intptr_t)p;
    pin_to(me);
    for (int b = 0; b < BATCHES; b++) {
        pthread_barrier_wait(&go);
        for (int i = 0; i < BATCH; i++) {
            /* both racers end raced[i] at the same moment (a two-thread spin
       * barrier per op) */
            int goal = 2 * (b * BATCH + i + 1);
            atomic_fetch_add(&arrived, 1);
            for (int spin = 0; atomic_load(&arrived) < goal; spin++)
                if (spin > 2000)
                    sched_yield(); /* the other racer lost its CPU */
            wcp_end(raced[i], me ? WCP_OUTCOME_CANCELED : WCP_OUTCOME_OK);
            for (int c = 0; c < CLEAN; c++) {
                wcp_op n = wcp_begin_ex(&(wcp_op_args){
                    .kind = WCP_KIND_CALL, .cls = "clean.nested", .result = clean_tag()});
                wcp_op x = wcp_begin_in(
                    WCP_NIL,
                    &(wcp_op_args){.kind = WCP_KIND_IO, .cls = "clean.in", .result = clean_tag()});
                wcp_end(x, 0);
                wcp_end(n, 0);
            }
        }
        pthread_barrier_wait(&done);
    }
    return NULL;
}

static void test_two_ends_at_once(void **state)
{
    (void)state;
    drain();
    uint64_t twice0 = wcp_misuse_count(WCP_MISUSE_END_TWICE);
    atomic_store(&arrived, 0);
    pthread_barrier_init(&go, NULL, 3);
    pthread_barrier_init(&done, NULL, 3);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, racer, (void *)(intptr_t)i);
    json_t *seen = json_object();
    size_t raced_seen = 0, clean_seen = 0, dup = 0;
    char key[32];
    for (int b = 0; b < BATCHES; b++) {
        for (int i = 0; i < BATCH; i++)
            raced[i] = wcp_begin_in(WCP_NIL,
                                    &(wcp_op_args){.kind = WCP_KIND_LAZY,
                                                   .cls = "raced",
                                                   .result = 1000000 + (uint64_t)(b * BATCH + i)});
        pthread_barrier_wait(&go);
        pthread_barrier_wait(&done);
        dc_dump d;
        assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
        size_t j;
        json_t *e;
        json_array_foreach(d.events, j, e)
        {
            snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "r"));
            if (json_object_get(seen, key))
                dup++;
            json_object_set_new(seen, key, json_true());
            if (dc_int(e, "r") < 2000000)
                raced_seen++;
            else
                clean_seen++;
        }
        assert_null(json_object_get(d.header, "open_ops"));
        dc_free(&d);
    }
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&go);
    pthread_barrier_destroy(&done);
    size_t clean = (size_t)atomic_load(&clean_seq);
    print_message("%d raced ops, %zu clean: %zu and %zu arrived, %zu twice\n", BATCH * BATCHES,
                  clean, raced_seen, clean_seen, dup);
    assert_int_equal(dup, 0);
    assert_int_equal(raced_seen, BATCH * BATCHES);
    assert_int_equal(clean_seen, clean);
    assert_int_equal(json_object_size(seen), BATCH * BATCHES + clean);
    /* one loser per raced op, nothing else */
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE) - twice0, BATCH * BATCHES);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    json_decref(seen);
}

/* A wcp_begin op ended by its own thread and by another at once: one
 * end recorded (whichever came first), the other counted. */
static wcp_op contested;
static atomic_int contest_go;

static void *contender(void *p)
{
    (void)p;
    for (int i = 0; i < 300; i++) {
        while (atomic_load(&contest_go) != 2 * i + 1)
            sched_yield();
        wcp_end(contested, WCP_OUTCOME_CANCELED);
        atomic_store(&contest_go, 2 * i + 2);
    }
    return NULL;
}

static void test_owner_and_other_end_at_once(void **state)
{
    (void)state;
    drain();
    uint64_t twice0 = wcp_misuse_count(WCP_MISUSE_END_TWICE);
    atomic_store(&contest_go, 0);
    pthread_t th;
    pthread_create(&th, NULL, contender, NULL);
    wcp_op root = wcp_begin(WCP_KIND_SESSION_PHASE, "root");
    uint64_t ids[300];
    for (int i = 0; i < 300; i++) {
        contested = wcp_begin(WCP_KIND_CALL, "contested");
        ids[i] = contested.id;
        atomic_store(&contest_go, 2 * i + 1);
        wcp_end(contested, WCP_OUTCOME_OK);
        while (atomic_load(&contest_go) != 2 * i + 2)
            sched_yield();
        assert_int_equal(wcp_current().id, root.id);
    }
    pthread_join(th, NULL);
    wcp_end(root, 0);
    assert_int_equal(wcp_current().id, 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 301);
    for (int i = 0; i < 300; i++) {
        json_t *e = find_event(&d, "op", "id", (json_int_t)ids[i]);
        assert_non_null(e);
        assert_int_equal(dc_int(e, "p"), root.id);
    }
    assert_null(json_object_get(d.header, "open_ops"));
    dc_free(&d);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE) - twice0, 300);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_current_op_ended_elsewhere),
        cmocka_unit_test(test_op_below_current_ended_elsewhere),
        cmocka_unit_test(test_end_of_an_exited_threads_op),
        cmocka_unit_test(test_stale_current_op),
        cmocka_unit_test(test_two_ends_at_once),
        cmocka_unit_test(test_owner_and_other_end_at_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
