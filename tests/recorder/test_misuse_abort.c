/*
 * test_misuse_abort.c - the debug aid WCPROF_ABORT_ON_MISUSE=1 (set by
 * ctest, with WCPROF=1): each kind of misuse makes the process print what
 * happened and abort. Each case runs in a forked child; the parent checks
 * that it died of SIGABRT and what it wrote to stderr. Correct use, in a
 * child too, must exit normally.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn in a child with stderr captured; returns its wait status and
 * what it wrote (up to size - 1 bytes) in buf. */
static int run_child(void (*fn)(void), char *buf, size_t size)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        struct rlimit no_core = {0, 0};
        setrlimit(RLIMIT_CORE, &no_core);
        dup2(fds[1], 2);
        close(fds[0]);
        fn();
        _exit(0);
    }
    close(fds[1]);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < size && (r = read(fds[0], buf + n, size - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = '\0';
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return status;
}

static void end_out_of_order(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_op b = wcp_begin(WCP_KIND_CALL, "b");
    wcp_end(a, 0);
    wcp_end(b, 0);
}

static void end_twice(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_end(a, 0);
    wcp_end(a, 0);
}

static void wait_outside_op(void)
{
    wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, WCP_NIL);
    wcp_wait_end(&w);
}

static void wait_end_twice(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, "mu");
    wcp_wait_end(&w);
    wcp_wait_end(&w);
    wcp_end(a, 0);
}

static void link_outside_op(void)
{
    wcp_link(WCP_LINK_RESULT, WCP_NIL, NULL, 1);
}

static void copied_wait_end_twice(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, "mu");
    wcp_wait copy = w;
    wcp_wait_end(&w);
    wcp_wait_end(&copy);
    wcp_end(a, 0);
}

static void wait_no_target(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_wait w = wcp_wait_begin(WCP_REASON_LOCK, WCP_NIL);
    wcp_wait_end(&w);
    wcp_end(a, 0);
}

static void adopt_ended(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_end(a, 0);
    wcp_adopt(a);
}

static wcp_op other_threads_op;
static void *end_it(void *p)
{
    (void)p;
    wcp_end(other_threads_op, 0);
    return NULL;
}

static void end_other_thread(void)
{
    other_threads_op = wcp_begin(WCP_KIND_CALL, "a");
    pthread_t th;
    pthread_create(&th, NULL, end_it, NULL);
    pthread_join(th, NULL);
}

static void correct_use(void)
{
    wcp_op a = wcp_begin(WCP_KIND_CALL, "a");
    wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, "mu");
    wcp_wait_end(&w);
    wcp_link(WCP_LINK_RESULT, a, NULL, 1);
    wcp_end(a, 0);
    wcp_end(WCP_NIL, 0); /* nil handles are not misuse */
}

static void expect_abort(void (*fn)(void), const char *said)
{
    char err[1024];
    int status = run_child(fn, err, sizeof err);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT || !strstr(err, said))
        fail_msg("expected an abort saying \"%s\"; status %#x, stderr: %s", said, status, err);
}

static void test_each_misuse_aborts(void **state)
{
    (void)state;
    expect_abort(end_out_of_order, "wcprof: misuse: end_out_of_order (op ");
    expect_abort(end_twice, "wcprof: misuse: end_twice (op ");
    expect_abort(wait_outside_op, "wcprof: misuse: wait_outside_op; aborting");
    expect_abort(wait_end_twice, "wcprof: misuse: wait_end_twice (op ");
    expect_abort(link_outside_op, "wcprof: misuse: link_outside_op; aborting");
    expect_abort(copied_wait_end_twice, "wcprof: misuse: wait_end_twice (op ");
    expect_abort(wait_no_target, "wcprof: misuse: wait_no_target (op ");
    expect_abort(adopt_ended, "wcprof: misuse: adopt_ended (op ");
    expect_abort(end_other_thread, "wcprof: misuse: end_other_thread (op ");
}

static void test_correct_use_runs_on(void **state)
{
    (void)state;
    char err[1024];
    int status = run_child(correct_use, err, sizeof err);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    assert_string_equal(err, "");
}

int main(void)
{
    if (!wcp_is_enabled()) {
        fprintf(stderr, "test_misuse_abort: run with WCPROF=1 "
                        "WCPROF_ABORT_ON_MISUSE=1 (as ctest does)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_misuse_aborts),
        cmocka_unit_test(test_correct_use_runs_on),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
