/*
 * test_holds.c - the hold API (issue 16, item 1), under ThreadSanitizer
 * too (ctest label tsan):
 *   - an uncontended wcp_lock records one hold (kind hold, class the
 *     resource, child of the current op, the parent of the work done under
 *     it) and no wait;
 *   - a contended one records a lock wait on the resource, and the hold
 *     that let it in ended no later than the wait (the release time is
 *     taken before the release), and the waiter's hold begins after it;
 *   - rwlock readers are shared holds (ident "shared"), writers are not;
 *   - a semaphore slot is a hold (ident "slot"); wcp_signal is a
 *     zero-length hold (ident "signal");
 *   - outside any op nothing is recorded and nothing counted as misuse;
 *     holds released hand over hand are no end_out_of_order.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <unistd.h>

/* The op events of kind k and class c, in dump order (at most max). */
static size_t ops_of(const dc_dump *d, const char *k, const char *c, json_t **out, size_t max)
{
    size_t i, n = 0;
    json_t *x;
    json_array_foreach(d->events, i, x)
    {
        if (strcmp(dc_s(x, "e"), "op") == 0 && strcmp(dc_s(x, "k"), k) == 0 &&
            strcmp(dc_str(d, dc_int(x, "c")), c) == 0 && n < max)
            out[n++] = x;
    }
    return n;
}

/* The wait events on resource c, in dump order (at most max). */
static size_t waits_on(const dc_dump *d, const char *c, json_t **out, size_t max)
{
    size_t i, n = 0;
    json_t *x;
    json_array_foreach(d->events, i, x)
    {
        if (strcmp(dc_s(x, "e"), "wait") == 0 && strcmp(dc_str(d, dc_int(x, "i")), c) == 0 &&
            n < max)
            out[n++] = x;
    }
    return n;
}

static void test_uncontended_lock(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    wcp_op top = wcp_begin(WCP_KIND_CALL, "top");
    wcp_op h;
    assert_int_equal(wcp_lock(&mu, "t.lock", &h), 0);
    assert_int_not_equal(h.id, 0);
    assert_int_equal(wcp_current().id, h.id); /* the work under the lock is its child */
    wcp_op inner = wcp_begin(WCP_KIND_EXEC, "under");
    wcp_end(inner, WCP_OUTCOME_OK);
    assert_int_equal(wcp_unlock(&mu, h), 0);
    assert_int_equal(wcp_current().id, top.id);
    assert_int_equal(pthread_mutex_trylock(&mu), 0); /* really released */
    pthread_mutex_unlock(&mu);
    wcp_end(top, WCP_OUTCOME_OK);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *hold[4], *w[4];
    assert_int_equal(ops_of(&d, "hold", "t.lock", hold, 4), 1);
    assert_int_equal(dc_int(hold[0], "p"), (json_int_t)top.id);
    assert_int_equal(dc_int(find_event(&d, "op", "id", (json_int_t)inner.id), "p"),
                     (json_int_t)h.id);
    assert_int_equal(waits_on(&d, "t.lock", w, 4), 0);
    dc_free(&d);
}

typedef struct contender {
    pthread_mutex_t *mu;
    atomic_int *started;
    wcp_op op, hold;
} contender;

static void *contend(void *p)
{
    contender *c = p;
    c->op = wcp_begin(WCP_KIND_CALL, "waiter");
    atomic_store(c->started, 1);
    wcp_lock(c->mu, "t.lock", &c->hold);
    wcp_unlock(c->mu, c->hold);
    wcp_end(c->op, WCP_OUTCOME_OK);
    return NULL;
}

static void test_contended_lock(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    atomic_int started = 0;
    wcp_op top = wcp_begin(WCP_KIND_CALL, "holder");
    wcp_op h;
    assert_int_equal(wcp_lock(&mu, "t.lock", &h), 0);
    contender c = {&mu, &started, WCP_NIL, WCP_NIL};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, contend, &c), 0);
    while (!atomic_load(&started))
        usleep(100);
    usleep(20000); /* the other thread is blocked in the lock by now */
    wcp_unlock(&mu, h);
    pthread_join(th, NULL);
    wcp_end(top, WCP_OUTCOME_OK);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *hold[4], *w[4];
    assert_int_equal(ops_of(&d, "hold", "t.lock", hold, 4), 2);
    assert_int_equal(waits_on(&d, "t.lock", w, 4), 1);
    json_t *mine = find_event(&d, "op", "id", (json_int_t)h.id);
    json_t *theirs = find_event(&d, "op", "id", (json_int_t)c.hold.id);
    assert_non_null(mine);
    assert_non_null(theirs);
    assert_string_equal(dc_s(w[0], "rs"), "lock");
    assert_int_equal(dc_int(w[0], "p"), (json_int_t)c.op.id);
    assert_int_equal(dc_int(w[0], "t"), 0); /* targetless: resolved by the analyses */
    /* the releasing hold ends within the wait; the waiter's begins after it */
    assert_true(dc_int(mine, "d") >= dc_int(w[0], "s"));
    assert_true(dc_int(mine, "d") <= dc_int(w[0], "d"));
    assert_true(dc_int(theirs, "s") >= dc_int(w[0], "d"));
    assert_true(dc_int(w[0], "d") - dc_int(w[0], "s") >= 10000000); /* it really waited */
    dc_free(&d);
}

static void test_rwlock_and_semaphore(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
    sem_t sem;
    assert_int_equal(sem_init(&sem, 0, 2), 0);
    wcp_op top = wcp_begin(WCP_KIND_CALL, "top");
    wcp_op r1, r2, wr, s1, s2;
    assert_int_equal(wcp_rdlock(&rw, "t.rw", &r1), 0);
    assert_int_equal(wcp_rdlock(&rw, "t.rw", &r2), 0); /* readers share: no wait */
    wcp_rwunlock(&rw, r1);                             /* hand over hand: any order */
    wcp_rwunlock(&rw, r2);
    assert_int_equal(wcp_wrlock(&rw, "t.rw", &wr), 0);
    wcp_rwunlock(&rw, wr);
    uint64_t ooo = wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER);
    assert_int_equal(wcp_sem_wait(&sem, "t.pool", &s1), 0);
    assert_int_equal(wcp_sem_wait(&sem, "t.pool", &s2), 0);
    wcp_sem_post(&sem, s1); /* not the current op: no misuse for a hold */
    wcp_sem_post(&sem, s2);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), ooo);
    assert_int_equal(wcp_current().id, top.id);
    wcp_signal("t.queue");
    wcp_end(top, WCP_OUTCOME_OK);
    int v;
    sem_getvalue(&sem, &v);
    assert_int_equal(v, 2);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    json_t *x[8];
    assert_int_equal(ops_of(&d, "hold", "t.rw", x, 8), 3);
    assert_string_equal(dc_str(&d, dc_int(find_event(&d, "op", "id", (json_int_t)r1.id), "i")),
                        "shared");
    assert_string_equal(dc_str(&d, dc_int(find_event(&d, "op", "id", (json_int_t)r2.id), "i")),
                        "shared");
    assert_string_equal(dc_str(&d, dc_int(find_event(&d, "op", "id", (json_int_t)wr.id), "i")), "");
    assert_int_equal(ops_of(&d, "hold", "t.pool", x, 8), 2);
    assert_string_equal(dc_str(&d, dc_int(x[0], "i")), "slot");
    assert_int_equal(ops_of(&d, "hold", "t.queue", x, 8), 1);
    assert_string_equal(dc_str(&d, dc_int(x[0], "i")), "signal");
    assert_int_equal(dc_int(x[0], "d"), dc_int(x[0], "s"));
    assert_int_equal(dc_int(x[0], "p"), (json_int_t)top.id);
    assert_int_equal(waits_on(&d, "t.rw", x, 8) + waits_on(&d, "t.pool", x, 8), 0);
    dc_free(&d);
    sem_destroy(&sem);
}

static void test_outside_any_op(void **state)
{
    (void)state;
    wcp_enable();
    drain();
    uint64_t ooo = wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER);
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    wcp_op h;
    assert_int_equal(wcp_lock(&mu, "t.lock", &h), 0);
    assert_int_equal(h.id, 0);
    assert_int_equal(wcp_unlock(&mu, h), 0);
    wcp_signal("t.queue");
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), ooo);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 0);
    dc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uncontended_lock),
        cmocka_unit_test(test_contended_lock),
        cmocka_unit_test(test_rwlock_and_semaphore),
        cmocka_unit_test(test_outside_any_op),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
