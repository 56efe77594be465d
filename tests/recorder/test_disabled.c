/*
 * test_disabled.c - a program compiled with -DWCPROF_DISABLE: the control
 * calls link and work (enable, limits, names, intern, dumps), and every
 * recording call (disabled_calls.c) records nothing: the dump is empty,
 * no misuse, nothing dropped. (test_recorder_disabled_nolib checks that
 * the recording calls need no library at all.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

int disabled_calls(void);

static void test_recording_calls_do_nothing(void **state)
{
    (void)state;
    assert_int_equal(wcp_enable(), 0);
    assert_int_equal(wcp_is_enabled(), 1);
    assert_int_equal(wcp_active(), 0);
    assert_int_equal(wcp_set_limit(1000, WCP_LIMIT_RING), 0);
    assert_true(wcp_name_register(WCP_NAMES_KIND, "compile") > 0);
    assert_string_equal(wcp_intern("dyn"), "dyn");
    assert_int_equal(disabled_calls(), 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 0);
    assert_null(json_object_get(d.header, "open_ops"));
    assert_null(json_object_get(d.header, "misuse"));
    assert_int_equal(dc_int(d.header, "dropped_events"), 0);
    dc_free(&d);
    for (int k = 0; k < WCP_MISUSE__COUNT; k++)
        assert_int_equal(wcp_misuse_count((wcp_misuse)k), 0);
    assert_int_equal(wcp_dropped_events(), 0);
    wcp_memstats m;
    wcp_memstats_get(&m);
    assert_int_equal(m.chunks_held, 0);
    wcp_disable();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recording_calls_do_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
