/*
 * test_oom.c - events lost for want of memory are counted, cause oom
 * (issue 14, item 7): a buffer chunk that cannot be mapped, and an op
 * whose record cannot be allocated (before, not counted at all). A forked
 * child limits its address space (RLIMIT_AS) to what it has mapped, uses
 * up the heap, records, then lifts the limit and dumps.
 * Skipped under AddressSanitizer (its shadow memory needs the address
 * space the limit takes away).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#define CHILD_CHECK(cond, code)                                                                    \
    do {                                                                                           \
        if (!(cond))                                                                               \
            _exit(code);                                                                           \
    } while (0)

static long vm_size_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void child(void)
{
    alarm(30);
    wcp_set_prefault(0);
    wcp_enable();
    /* the thread's state and a block of op records exist; no chunk yet */
    wcp_op first = wcp_begin(WCP_KIND_CALL, "oom.first");
    CHILD_CHECK(first.id != 0, 2);
    struct rlimit old, lim;
    CHILD_CHECK(getrlimit(RLIMIT_AS, &old) == 0, 3);
    lim = old;
    lim.rlim_cur = (rlim_t)(vm_size_kb() + 256) * 1024;
    CHILD_CHECK(setrlimit(RLIMIT_AS, &lim) == 0, 4);
    /* use up the heap: no record block can be allocated any more */
    void *fill[100000];
    int nfill = 0;
    while (nfill < 100000 && (fill[nfill] = malloc(1024)) != NULL)
        nfill++;
    CHILD_CHECK(nfill < 100000, 5);
    wcp_end(first, 0); /* no chunk can be mapped: lost, cause oom */
    CHILD_CHECK(wcp_dropped_by_cause(WCP_DROP_OOM) == 1, 6);
    wcp_op ops[300];
    int got = 0;
    for (int i = 0; i < 300; i++) {
        ops[i] = wcp_begin(WCP_KIND_CALL, "oom.op");
        got += ops[i].id != 0;
    }
    /* the records the thread had were used, then none could be had */
    CHILD_CHECK(got > 0 && got < 300, 7);
    CHILD_CHECK(wcp_dropped_by_cause(WCP_DROP_OOM) == 1 + (uint64_t)(300 - got), 8);
    for (int i = 299; i >= 0; i--)
        wcp_end(ops[i], 0); /* no chunk: lost */
    uint64_t lost = 1 + (uint64_t)(300 - got) + (uint64_t)got;
    CHILD_CHECK(wcp_dropped_by_cause(WCP_DROP_OOM) == lost, 9);
    CHILD_CHECK(wcp_dropped_events() == lost, 10);
    /* memory again: recording and dumping work, and the dump says why */
    for (int i = 0; i < nfill; i++)
        free(fill[i]);
    CHILD_CHECK(setrlimit(RLIMIT_AS, &old) == 0, 11);
    wcp_op after = wcp_begin(WCP_KIND_CALL, "oom.after");
    wcp_end(after, 0);
    dc_dump d;
    CHILD_CHECK(take_dump(WCP_DUMP_FLUSH, &d) == 0, 12);
    CHILD_CHECK(json_array_size(d.events) == 1, 13);
    json_t *by = json_object_get(d.header, "dropped_by_cause");
    CHILD_CHECK(dc_int(by, "oom") == (json_int_t)lost, 14);
    CHILD_CHECK(dc_int(d.header, "dropped_events") == (json_int_t)lost, 15);
    dc_free(&d);
    _exit(0);
}

static void test_oom_is_counted(void **state)
{
    (void)state;
#ifdef UNDER_ASAN
    skip();
#endif
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        child();
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fail_msg("the child failed: status %#x (exit code = the check)", status);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oom_is_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
