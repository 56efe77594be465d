/* test_format_ns.c - wcp_format_ns(): nanoseconds as people read them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "format_ns.h"

static void check(long long ns, const char *want)
{
    char buf[32];
    assert_string_equal(wcp_format_ns(buf, sizeof buf, ns), want);
}

static void test_units(void **state)
{
    (void)state;
    check(0, "0");
    check(1, "1 ns");
    check(999, "999 ns");
    check(1000, "1.00 µs");
    check(1234, "1.23 µs");
    check(12345, "12.3 µs");
    check(456000, "456 µs");
    check(1000000, "1.00 ms");
    check(12300000, "12.3 ms");
    check(400000000, "400 ms");
    check(1000000000, "1.00 s");
    check(1234567890, "1.23 s");
    check(123456789000LL, "123 s");
    check(3600000000000LL, "3600 s");
}

static void test_rounding_moves_up_a_unit(void **state)
{
    (void)state;
    check(999499, "999 µs");
    check(999500, "1.00 ms");
    check(999999, "1.00 ms");
    check(9995, "10.0 µs");
    check(99950, "100 µs");
    check(999999999, "1.00 s");
}

static void test_negative_and_extremes(void **state)
{
    (void)state;
    check(-1, "-1 ns");
    check(-1234567890, "-1.23 s");
    check(INT64_MAX, "9223372037 s");
    check(INT64_MIN, "-9223372037 s");
}

static void test_small_buffer_is_cut_not_overrun(void **state)
{
    char buf[4] = "xxx";
    (void)state;
    assert_string_equal(wcp_format_ns(buf, sizeof buf, 1234567890), "1.2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units),
        cmocka_unit_test(test_rounding_moves_up_a_unit),
        cmocka_unit_test(test_negative_and_extremes),
        cmocka_unit_test(test_small_buffer_is_cut_not_overrun),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
