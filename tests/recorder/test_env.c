/*
 * test_env.c - start-up from the environment, run by ctest with WCPROF=1,
 * WCPROF_MAX_EVENTS=5000, WCPROF_RING=1, WCPROF_SIGNAL=USR2,
 * WCPROF_SIGNAL_OUT=$WCPROF_TEST_DIR/sig-%n.dump and
 * WCPROF_OUT=$WCPROF_TEST_DIR/exit.dump (checked by the next ctest test).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#include <signal.h>
#include <unistd.h>

static void test_enabled_from_env(void **state)
{
    (void)state;
    assert_int_equal(wcp_is_enabled(), 1);
    assert_int_equal(wcp_active(), 1);
}

static void test_ring_limit_from_env(void **state)
{
    (void)state;
    for (int i = 0; i < 20000; i++) {
        wcp_op op = wcp_begin(WCP_KIND_CALL, "env");
        wcp_end_result(op, 0, (uint64_t)i + 1);
    }
    dc_dump d;
    assert_int_equal(take_dump(0, &d), 0);
    size_t kept = json_array_size(d.events);
    /* the cap counts events: ring mode keeps the newest 5000 at most,
   * less the chunk (2048) it overwrites at a time */
    print_message("ring of 5000: kept %zu\n", kept);
    assert_true(kept > 5000 - WCP_CHUNK_EVENTS && kept <= 5000);
    assert_int_equal(dc_int(d.header, "dropped_events"), 20000 - (json_int_t)kept);
    assert_int_equal(dc_int(json_array_get(d.events, kept - 1), "r"), 20000);
    dc_free(&d);
}

static void test_signal_dump(void **state)
{
    (void)state;
    const char *dir = getenv("WCPROF_TEST_DIR");
    assert_non_null(dir);
    char path[512];
    snprintf(path, sizeof path, "%s/sig-0.dump", dir);
    unlink(path);
    raise(SIGUSR2);
    for (int i = 0; i < 500 && access(path, F_OK) != 0; i++)
        usleep(10000);
    dc_dump d;
    char err[256];
    assert_int_equal(dc_parse_file(path, &d, err, sizeof err), 0);
    assert_true(json_array_size(d.events) > 5000 - WCP_CHUNK_EVENTS);
    dc_free(&d);
    /* it flushed: what follows goes to the WCPROF_OUT dump at exit */
    for (int i = 0; i < 10; i++)
        wcp_end(wcp_begin(WCP_KIND_CALL, "after"), 0);
    char out[512];
    snprintf(out, sizeof out, "%s/exit.dump", dir);
    unlink(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enabled_from_env),
        cmocka_unit_test(test_ring_limit_from_env),
        cmocka_unit_test(test_signal_dump),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
