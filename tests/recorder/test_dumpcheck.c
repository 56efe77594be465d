/*
 * test_dumpcheck.c - the strict checker itself: it accepts the reference
 * fixture shapes and refuses each kind of bad dump with a line and reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dumpcheck.h"

#include <string.h>

#define HDR(n)                                                                                     \
    "{\"schema_version\":1,\"epoch_unix_nano\":5,\"dumped_unix_nano\":9,"                          \
    "\"dropped_events\":0,\"event_count\":" #n ",\"strings\":[\"\",\"a\"]}\n"
#define OP "{\"e\":\"op\",\"k\":\"call\",\"id\":1,\"c\":1,\"s\":0,\"d\":4,\"th\":7}\n"

static void expect(const char *text, const char *reason)
{
    dc_dump d;
    char err[256];
    int rc = dc_parse(text, strlen(text), &d, err, sizeof err);
    if (!reason) {
        if (rc != 0)
            fail_msg("refused: %s", err);
        dc_free(&d);
        return;
    }
    assert_int_equal(rc, -1);
    if (!strstr(err, reason))
        fail_msg("error \"%s\" lacks \"%s\"", err, reason);
}

static void test_checker(void **state)
{
    (void)state;
    expect(HDR(1) OP, NULL);
    expect(HDR(0), NULL);
    expect(HDR(2) OP, "event_count is 2 but 1");
    expect(HDR(0) OP, "event_count is 0 but 1");
    expect(HDR(1) "{\"e\":\"op\",\"k\":\"call\",\"id\":1,\"c\":2,\"s\":0,\"d\":4,\"th\":7}\n",
           "line 2: \"c\" 2 is past the string table");
    expect(HDR(1) "{\"e\":\"op\",\"k\":\"call\",\"id\":0,\"s\":0,\"d\":4,\"th\":7}\n",
           "\"id\" is 0, below 1");
    expect(HDR(1) "{\"e\":\"op\",\"k\":\"call\",\"id\":1,\"s\":5,\"d\":4,\"th\":7}\n",
           "\"d\" is 4, below 5");
    expect(HDR(1) "{\"e\":\"op\",\"k\":\"call\",\"id\":1,\"s\":0,\"d\":4,\"th\":7}", "truncated");
    expect(HDR(2) OP OP, "op id 1 appears twice");
    expect(HDR(1) "{\"e\":\"link\",\"lk\":\"result\",\"p\":1,\"s\":3,\"d\":4}\n",
           "link with d != s");
    expect(HDR(1) "{\"e\":\"wait\",\"rs\":\"lock\",\"p\":1,\"s\":0,\"d\":4,\"th\":7,\"zz\":1}\n",
           "unknown key \"zz\"");
    expect("{\"schema_version\":2,\"event_count\":0,\"strings\":[\"\"]}\n",
           "schema_version is not 1");
    expect("{\"schema_version\":1,\"epoch_unix_nano\":5,\"dumped_unix_nano\":9,"
           "\"dropped_events\":0,\"event_count\":0,\"strings\":[\"x\"]}\n",
           "strings[0] is not \"\"");
    expect("not json\n", "line 1: not JSON");
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_checker)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
