/*
 * test_prefault.c - buffer memory: wcp_reserve fills the pool within the
 * cap; the pre-fault thread fills it after a thread's first event, blocks
 * every signal, keeps the cap exact, can be switched off (at start-up or
 * at run time) and on again; WCPROF_RESERVE and WCPROF_HUGEPAGES; a
 * forked child starts its own; a process exits while it works, with a
 * complete exit dump.
 *
 *   test_recorder_prefault CASE   (one case per process: ctest runs each,
 *                                  since mapped memory is never given back)
 */
#define _GNU_SOURCE
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define C WCP_CHUNK_EVENTS

static wcp_memstats st(void)
{
    wcp_memstats s;
    wcp_memstats_get(&s);
    return s;
}

static void record(long n)
{
    for (long i = 0; i < n; i++)
        wcp_end(wcp_begin(WCP_KIND_CALL, "pf"), 0);
}

/* The OS thread id of this process's pre-fault thread, or 0. */
static int prefault_tid(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int tid = 0;
    while (d && !tid && (e = readdir(d))) {
        char path[300], comm[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f) && strcmp(comm, "wcprof-prefault\n") == 0)
            tid = atoi(e->d_name);
        fclose(f);
    }
    if (d)
        closedir(d);
    return tid;
}

static int running(void)
{
    return st().prefault_running && prefault_tid();
}
static int gone(void)
{
    return !st().prefault_running && !prefault_tid();
}

/* Polls cond for up to 20 s; returns its last value. */
static int wait_for(int (*cond)(void))
{
    for (int i = 0; i < 2000; i++) {
        if (cond())
            return 1;
        usleep(10000);
    }
    return cond();
}

/* Events in a flushing dump (checked strictly); *dropped from its header. */
static long dump_events(long *dropped)
{
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    long n = (long)json_array_size(d.events);
    *dropped = (long)dc_int(d.header, "dropped_events");
    dc_free(&d);
    return n;
}

/* ---- cases ------------------------------------------------------------- */

static void test_reserve(void **state)
{
    (void)state;
    wcp_set_prefault(0);
    assert_int_equal(wcp_reserve(5 * C - 100), 0); /* rounds up to 5 chunks */
    wcp_memstats s = st();
    assert_int_equal(s.chunks_ready, 5);
    assert_int_equal(s.chunks_reserved, 5);
    assert_int_equal(s.chunks_mapped, 5);
    assert_true(s.chunk_bytes >= C * 64);
    wcp_enable();
    record(5 * C); /* every chunk comes from the pool */
    s = st();
    assert_int_equal(s.chunks_by_threads, 0);
    assert_int_equal(s.chunks_held, 5);
    assert_int_equal(s.chunks_ready, 0);
    record(1); /* pool empty, pre-faulting off: the thread maps one */
    s = st();
    assert_int_equal(s.chunks_by_threads, 1);
    assert_int_equal(s.chunks_prefaulted, 0);
    assert_int_equal(s.prefault_running, 0);
    assert_int_equal(prefault_tid(), 0);
    long dropped;
    assert_int_equal(dump_events(&dropped), 5 * C + 1);
    assert_int_equal(dropped, 0);
    s = st(); /* the flush recycled the chunks the thread has left */
    assert_int_equal(s.chunks_ready, 5);
    assert_int_equal(s.chunks_held, 1);
}

static void test_reserve_within_cap(void **state)
{
    (void)state;
    assert_int_equal(wcp_set_limit(3 * C, WCP_LIMIT_DROP), 0);
    assert_int_equal(wcp_reserve(100 * C), 0);
    wcp_memstats s = st();
    assert_int_equal(s.chunks_mapped, 3);
    assert_int_equal(s.chunks_ready, 3);
    wcp_enable();
    record(5 * C);
    long dropped;
    assert_int_equal(dump_events(&dropped), 3 * C);
    assert_int_equal(dropped, 2 * C);
    s = st();
    assert_int_equal(s.chunks_mapped, 3); /* at the cap: nothing more mapped */
    assert_int_equal(s.chunks_by_threads, 0);
    assert_int_equal(s.chunks_prefaulted, 0);
    assert_int_equal(prefault_tid(), 0);
}

static int reserve_ready(void)
{
    wcp_memstats s = st();
    return s.chunks_ready >= s.reserve_chunks && s.chunks_prefaulted >= 16;
}

static void test_prefault_fills_pool(void **state)
{
    (void)state;
    wcp_enable(); /* the first enable: a chunk per CPU (at most 16), 4 KiB pages */
    cpu_set_t set;
    int cpus = sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 1;
    unsigned long want = cpus < 1 ? 1 : cpus > 16 ? 16 : (unsigned long)cpus;
    wcp_memstats e = st();
    assert_int_equal(e.chunks_reserved, want);
    assert_int_equal(e.chunks_ready, want);
    assert_int_equal(e.slabs_small, 1);
    assert_int_equal(e.slabs_huge, 0);
    assert_int_equal(e.prefault_running, 0); /* not started by enable */
    record(1);
    assert_int_equal(st().chunks_by_threads, 0); /* the first chunk: ready */
    assert_true(wait_for(reserve_ready));
    assert_true(running());
    wcp_memstats s = st();
    assert_true(s.chunks_mapped <= s.chunks_ready + s.chunks_held);
    assert_true(s.reserve_chunks >= 16);
    assert_true(s.slabs_huge >= 1); /* the first slab asks for huge pages */
    assert_true(s.prefault_cpu_ns > 0);
    /* it blocks every signal: handlers run on the program's threads */
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", prefault_tid());
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    unsigned long long blk = 0;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "SigBlk: %llx", &blk) == 1)
            break;
    fclose(f);
    for (int sig = 1; sig < 32; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            assert_true(blk & (1ull << (sig - 1)));
    /* the rest of the first chunk and the pool's worth: all taken ready */
    long n = (long)st().chunks_ready;
    record(C - 1 + n * C);
    assert_int_equal(st().chunks_by_threads, 0);
    long dropped;
    assert_int_equal(dump_events(&dropped), (n + 1) * C);
}

typedef struct {
    long n;
} rec_args;
static void *recorder_thread(void *p)
{
    record(((rec_args *)p)->n);
    return NULL;
}

static void test_cap_exact_with_prefault(void **state)
{
    (void)state;
    assert_int_equal(wcp_set_limit(10 * C, WCP_LIMIT_DROP), 0);
    wcp_enable();
    pthread_t th[2];
    rec_args a = {30000};
    for (int i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&th[i], NULL, recorder_thread, &a), 0);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    long dropped;
    assert_int_equal(dump_events(&dropped), 10 * C);
    assert_int_equal(dropped, 60000 - 10 * C);
    assert_int_equal(wcp_dropped_events(), 60000 - 10 * C);
    wcp_memstats s = st();
    assert_true(s.chunks_prefaulted <= 10);
    /* the cap bounds memory too, give or take the one slab (16 chunks) the
   * pre-fault thread may be mapping while threads find the pool empty */
    assert_true(s.chunks_mapped <= 10 + 16);
    /* after the flush the whole cap is there again: the workers exited
   * (their unused grants went back) and the flush gave back the capacity
   * of every event it took; every event is kept or counted */
    long before = dropped;
    record(12 * C);
    assert_int_equal(dump_events(&dropped), 10 * C);
    assert_int_equal(dropped - before, 2 * C);
}

static void test_off_at_run_time(void **state)
{
    (void)state;
    wcp_enable();
    record(1);
    assert_true(wait_for(running));
    assert_int_equal(wcp_set_prefault(0), 0);
    assert_true(wait_for(gone));
    wcp_memstats s0 = st();
    /* use up the pool and more: no pre-fault thread comes back */
    record((long)(s0.chunks_ready + 5) * C);
    wcp_memstats s = st();
    assert_int_equal(s.chunks_prefaulted, s0.chunks_prefaulted);
    assert_true(s.chunks_by_threads >= s0.chunks_by_threads + 4);
    assert_int_equal(prefault_tid(), 0);
    /* switched on again, the next chunk a thread needs starts it */
    assert_int_equal(wcp_set_prefault(1), 0);
    record(2 * C);
    assert_true(wait_for(running));
}

/* Run with WCPROF=1 WCPROF_PREFAULT=0: no thread is ever started. */
static void test_off_from_env(void **state)
{
    (void)state;
    assert_int_equal(wcp_is_enabled(), 1);
    record(40 * C);
    usleep(50000);
    wcp_memstats s = st();
    assert_int_equal(s.chunks_prefaulted, 0);
    assert_int_equal(s.prefault_running, 0);
    assert_int_equal(s.chunks_by_threads, s.chunks_mapped);
    assert_true(s.chunks_mapped >= 40);
    assert_int_equal(prefault_tid(), 0);
}

/* Run with WCPROF_RESERVE=20000 WCPROF_PREFAULT=0: 10 chunks faulted in
 * at start-up, before anything is recorded. */
static void test_reserve_from_env(void **state)
{
    (void)state;
    wcp_memstats s = st();
    assert_int_equal(s.chunks_reserved, 10);
    assert_int_equal(s.chunks_ready, 10);
    wcp_enable();
    record(10 * C);
    assert_int_equal(st().chunks_by_threads, 0);
}

/* Run with WCPROF=1 WCPROF_HUGEPAGES=0: slabs never ask for huge pages. */
static void test_hugepages_off_from_env(void **state)
{
    (void)state;
    record(1);
    assert_true(wait_for(reserve_ready));
    wcp_memstats s = st();
    assert_int_equal(s.slabs_huge, 0);
    assert_true(s.slabs_small >= 1);
}

static void test_fork_child_starts_its_own(void **state)
{
    (void)state;
    wcp_enable();
    record(1);
    assert_true(wait_for(running));
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(30);
        if (st().prefault_running || prefault_tid())
            _exit(2);   /* not copied */
        record(40 * C); /* takes the pool's chunks, then needs more */
        if (!wait_for(running))
            _exit(3);
        record(2 * C);
        _exit(0);
    }
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_true(running()); /* the parent's is still there */
}

/* The child of test_exit_dump: records with the pre-fault thread busy
 * and returns from main; WCPROF_OUT writes the dump at exit. */
static int exit_child(void)
{
    pthread_t th[2];
    rec_args a = {50000};
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, recorder_thread, &a);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    return st().prefault_running ? 0 : 3;
}

static void test_exit_dump(void **state)
{
    (void)state;
    char path[128], out[160];
    snprintf(path, sizeof path, "/tmp/wcprof-prefault-exit-%d.dump", (int)getpid());
    snprintf(out, sizeof out, "WCPROF_OUT=%s", path);
    char *envp[256];
    size_t k = 0;
    for (char **e = environ; *e && k < 253; e++)
        if (strncmp(*e, "WCPROF", 6) != 0)
            envp[k++] = *e;
    envp[k++] = "WCPROF=1";
    envp[k++] = out;
    envp[k] = NULL;
    char *argv[] = {"test_recorder_prefault", "exit-child", NULL};
    unlink(path);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, "/proc/self/exe", NULL, NULL, argv, envp), 0);
    int status = 0;
    pid_t w = 0;
    for (int i = 0; i < 3000 && (w = waitpid(pid, &status, WNOHANG)) == 0; i++)
        usleep(10000);
    if (w == 0) { /* still alive after 30 s: kept alive by a thread? */
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        fail_msg("the process did not exit");
    }
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    dc_dump d;
    char err[512];
    assert_int_equal(dc_parse_file(path, &d, err, sizeof err), 0);
    assert_int_equal(json_array_size(d.events), 100000);
    assert_int_equal(dc_int(d.header, "dropped_events"), 0);
    dc_free(&d);
    unlink(path);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "exit-child") == 0)
        return exit_child();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_reserve_within_cap),
        cmocka_unit_test(test_prefault_fills_pool),
        cmocka_unit_test(test_cap_exact_with_prefault),
        cmocka_unit_test(test_off_at_run_time),
        cmocka_unit_test(test_off_from_env),
        cmocka_unit_test(test_reserve_from_env),
        cmocka_unit_test(test_hugepages_off_from_env),
        cmocka_unit_test(test_fork_child_starts_its_own),
        cmocka_unit_test(test_exit_dump),
    };
    if (argc != 2) {
        fprintf(stderr, "usage: test_recorder_prefault CASE (test_ name without "
                        "the prefix; one case per process)\n");
        return 2;
    }
    char pattern[128];
    snprintf(pattern, sizeof pattern, "test_%s", argv[1]);
    size_t i = 0, n = sizeof tests / sizeof tests[0];
    while (i < n && strcmp(tests[i].name, pattern) != 0)
        i++;
    if (i == n) {
        fprintf(stderr, "test_recorder_prefault: no case %s\n", argv[1]);
        return 2;
    }
    cmocka_set_test_filter(pattern);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
