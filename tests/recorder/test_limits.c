/*
 * test_limits.c - the event cap (exact dropped count, cumulative across
 * flushing dumps) and ring mode (keeps the newest events). Its own process:
 * the dropped count is per run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

static void record(int n, uint64_t first_result)
{
    for (int i = 0; i < n; i++) {
        wcp_op op = wcp_begin(WCP_KIND_CALL, "limited");
        wcp_end_result(op, WCP_OUTCOME_OK, first_result + (uint64_t)i);
    }
}

static void test_cap_drops_exactly(void **state)
{
    (void)state;
    assert_int_equal(wcp_set_limit(2 * WCP_CHUNK_EVENTS, WCP_LIMIT_DROP), 0);
    wcp_enable();
    record(10000, 1);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    size_t kept = json_array_size(d.events);
    assert_int_equal(kept, 2 * WCP_CHUNK_EVENTS);
    assert_int_equal(dc_int(d.header, "dropped_events"), 10000 - (json_int_t)kept);
    assert_int_equal(wcp_dropped_events(), 10000 - kept);
    /* lost to the cap, and said so by cause */
    json_t *by = json_object_get(d.header, "dropped_by_cause");
    assert_int_equal(json_object_size(by), 1);
    assert_int_equal(dc_int(by, "cap"), 10000 - (json_int_t)kept);
    assert_int_equal(wcp_dropped_by_cause(WCP_DROP_CAP), 10000 - kept);
    assert_int_equal(wcp_dropped_by_cause(WCP_DROP_RING), 0);
    assert_int_equal(wcp_dropped_by_cause((wcp_drop_cause)99), 0);
    /* the cap keeps the oldest: results 1..kept */
    assert_int_equal(dc_int(json_array_get(d.events, 0), "r"), 1);
    assert_int_equal(dc_int(json_array_get(d.events, kept - 1), "r"), (json_int_t)kept);
    dc_free(&d);
    /* after a flush there is room again; the dropped count is per run */
    record(100, 20000);
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    assert_int_equal(json_array_size(d.events), 100);
    assert_int_equal(dc_int(d.header, "dropped_events"), 10000 - (json_int_t)kept);
    dc_free(&d);
}

static void test_ring_keeps_newest(void **state)
{
    (void)state;
    uint64_t dropped0 = wcp_dropped_events();
    assert_int_equal(wcp_set_limit(2 * WCP_CHUNK_EVENTS, WCP_LIMIT_RING), 0);
    record(10000, 1);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    size_t kept = json_array_size(d.events);
    assert_true(kept >= WCP_CHUNK_EVENTS && kept <= 2 * WCP_CHUNK_EVENTS);
    assert_int_equal(wcp_dropped_events() - dropped0, 10000 - kept);
    assert_int_equal(dc_int(d.header, "dropped_events"), (json_int_t)wcp_dropped_events());
    /* overwritten: cause ring */
    json_t *by = json_object_get(d.header, "dropped_by_cause");
    assert_int_equal(dc_int(by, "ring"), 10000 - (json_int_t)kept);
    assert_int_equal(wcp_dropped_by_cause(WCP_DROP_RING), 10000 - kept);
    for (size_t i = 0; i < kept; i++) /* the newest, in order */
        assert_int_equal(dc_int(json_array_get(d.events, i), "r"),
                         (json_int_t)(10000 - kept + 1 + i));
    dc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cap_drops_exactly),
        cmocka_unit_test(test_ring_keeps_newest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
