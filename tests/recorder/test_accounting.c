/*
 * test_accounting.c - every event is accounted for, by cause (issue 14):
 * worker threads (in rounds: threads exit, later ones reuse their state)
 * record ops, waits, links and ops with explicit times while a dumper
 * takes flushing and non-flushing dumps without pause and, outside
 * the sanitizers, a forker forks children that record, dump and exit.
 * In each mode, at the end:
 *
 *   events recorded = events in flushing dumps (each once) + dropped,
 *   dropped = the sum of dropped_by_cause, with only the causes the mode
 *   can have.
 *
 *   test_recorder_accounting drop|cap|ring
 *     drop: the default cap, far above what is recorded: nothing dropped
 *     cap:  a cap of 3,000 events: drops, cause cap only
 *     ring: ring mode, 4 chunks: overwrites, causes ring and dump only
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

/* No forks under ThreadSanitizer (no threads in a child of a
 * multi-threaded fork) nor AddressSanitizer (GCC 12's allocator keeps no
 * lock across fork: a child may hang in malloc while the dumper
 * allocates in the parent). */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define NO_FORKS 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define NO_FORKS 1
#endif
#endif

#define THREADS 4
#define ROUNDS 3
#ifdef NO_FORKS /* under a sanitizer: shorter */
#define ITERS 700
#else
#define ITERS 1500
#endif
#define PER_ITER 5 /* outer op, inner op, recorded op, link, wait */

static const char *mode;

static uint64_t tag(int round, int th, int i, int k)
{
    return ((uint64_t)(round * THREADS + th + 1) << 32) | ((uint64_t)i << 3) | (uint64_t)k;
}

typedef struct wargs {
    int round, th;
} wargs;

static void *worker(void *p)
{
    wargs *a = p;
    for (int i = 0; i < ITERS; i++) {
        wcp_op outer = wcp_begin_ex(&(wcp_op_args){
            .kind = WCP_KIND_CALL, .cls = "acct.outer", .result = tag(a->round, a->th, i, 1)});
        wcp_op inner = wcp_begin_in(outer, &(wcp_op_args){.kind = WCP_KIND_IO,
                                                          .cls = "acct.inner",
                                                          .result = tag(a->round, a->th, i, 2)});
        wcp_wait w = wcp_wait_begin(WCP_REASON_IO, inner);
        wcp_wait_end(&w);
        wcp_link(WCP_LINK_RESULT, inner, NULL, tag(a->round, a->th, i, 3));
        wcp_record(outer,
                   &(wcp_op_args){.kind = WCP_KIND_INTERNAL,
                                  .cls = "acct.rec",
                                  .result = tag(a->round, a->th, i, 4)},
                   0, wcp_now(), wcp_now());
        wcp_end(inner, WCP_OUTCOME_OK);
        wcp_end(outer, WCP_OUTCOME_OK);
    }
    return NULL;
}

static atomic_int stop;

typedef struct ledger {
    json_t *tags; /* result id -> true, from flushing dumps */
    size_t waits; /* waits in flushing dumps */
    size_t dup, bad, dumps;
} ledger;

static void *dumper(void *p)
{
    ledger *l = p;
    for (unsigned n = 0; !atomic_load(&stop); n++) {
        int flush = n % 3 != 2; /* every third dump keeps what it writes */
        dc_dump d;
        if (take_dump(flush ? WCP_DUMP_FLUSH : 0, &d) != 0) {
            l->bad++;
            break;
        }
        l->dumps++;
        if (flush) {
            size_t i;
            json_t *e;
            char key[32];
            json_array_foreach(d.events, i, e)
            {
                if (strcmp(dc_s(e, "e"), "wait") == 0) {
                    l->waits++;
                    continue;
                }
                snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "r"));
                if (json_object_get(l->tags, key))
                    l->dup++;
                json_object_set_new(l->tags, key, json_true());
            }
        }
        dc_free(&d);
    }
    return NULL;
}

/* Forks children that record, dump and leave: the parent's accounting
 * must not notice. (They leave by _exit: exit() in a child is
 * test_fork.c's, where LeakSanitizer is told that the parent's other
 * threads' memory is not the child's leak.) */
static void *forker(void *p)
{
    int *forks = p;
    while (!atomic_load(&stop)) {
        pid_t pid = fork();
        if (pid == 0) {
            alarm(20);
            for (int i = 0; i < 100; i++)
                wcp_end(wcp_begin(WCP_KIND_CALL, "kid"), 0);
            FILE *f = fopen("/dev/null", "w");
            int n = wcp_dump_file(f, WCP_DUMP_FLUSH);
            fclose(f);
            if (n != 100 && wcp_dropped_events() == 0)
                _exit(3);
            _exit(0);
        }
        if (pid > 0) {
            int status;
            waitpid(pid, &status, 0);
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                (*forks) = -10000;
            (*forks)++;
        }
        usleep(3000);
    }
    return NULL;
}

static void test_accounting(void **state)
{
    (void)state;
    if (strcmp(mode, "cap") == 0)
        assert_int_equal(wcp_set_limit(3000, WCP_LIMIT_DROP), 0);
    else if (strcmp(mode, "ring") == 0)
        assert_int_equal(wcp_set_limit(4 * WCP_CHUNK_EVENTS, WCP_LIMIT_RING), 0);
    wcp_enable();
    ledger l = {json_object(), 0, 0, 0, 0};
    int forks = 0;
    pthread_t dt, ft;
    pthread_create(&dt, NULL, dumper, &l);
#ifndef NO_FORKS
    pthread_create(&ft, NULL, forker, &forks);
#else
    (void)ft;
    (void)forker;
#endif
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
    atomic_store(&stop, 1);
    pthread_join(dt, NULL);
#ifndef NO_FORKS
    pthread_join(ft, NULL);
    assert_true(forks > 0);
#endif
    /* the last dump takes the rest */
    atomic_store(&stop, 0);
    l.dumps--;
    {
        dc_dump d;
        assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
        assert_null(json_object_get(d.header, "open_ops"));
        size_t i;
        json_t *e;
        char key[32];
        json_array_foreach(d.events, i, e)
        {
            if (strcmp(dc_s(e, "e"), "wait") == 0) {
                l.waits++;
                continue;
            }
            snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "r"));
            if (json_object_get(l.tags, key))
                l.dup++;
            json_object_set_new(l.tags, key, json_true());
        }
        uint64_t dropped = (uint64_t)dc_int(d.header, "dropped_events");
        json_t *by = json_object_get(d.header, "dropped_by_cause");
        uint64_t cap = (uint64_t)dc_int(by, "cap"), ring = (uint64_t)dc_int(by, "ring"),
                 dump = (uint64_t)dc_int(by, "dump"), oom = (uint64_t)dc_int(by, "oom");
        dc_free(&d);
        size_t recorded = (size_t)ROUNDS * THREADS * ITERS * PER_ITER;
        size_t dumped = json_object_size(l.tags) + l.waits;
        print_message("%s: %zu dumps, %d forks; %zu recorded = %zu dumped + %llu "
                      "dropped (cap %llu, ring %llu, dump %llu, oom %llu)\n",
                      mode, l.dumps + 1, forks, recorded, dumped, (unsigned long long)dropped,
                      (unsigned long long)cap, (unsigned long long)ring, (unsigned long long)dump,
                      (unsigned long long)oom);
        assert_int_equal(l.bad, 0);
        assert_int_equal(l.dup, 0);
        assert_int_equal(dumped + dropped, recorded);
        assert_int_equal(cap + ring + dump + oom, dropped);
        assert_int_equal(wcp_dropped_events(), dropped);
        assert_int_equal(oom, 0);
        if (strcmp(mode, "drop") == 0) {
            assert_int_equal(dropped, 0);
        } else if (strcmp(mode, "cap") == 0) {
            assert_int_equal(ring + dump, 0);
            assert_true(cap > 0);
        } else {
            assert_int_equal(cap, 0);
            assert_true(ring > 0);
        }
    }
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_TWICE), 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_END_OUT_OF_ORDER), 0);
    json_decref(l.tags);
}

int main(int argc, char **argv)
{
    if (argc != 2 ||
        (strcmp(argv[1], "drop") && strcmp(argv[1], "cap") && strcmp(argv[1], "ring"))) {
        fprintf(stderr, "usage: test_recorder_accounting drop|cap|ring\n");
        return 2;
    }
    mode = argv[1];
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
