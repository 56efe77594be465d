/*
 * test_check.c - the checking mode WCPROF_CHECK=1 (issue 14, item 8).
 * Strings are interned by address: a buffer reused for other content is
 * recorded with the content it had first (the address rule, broken by the
 * program). With WCPROF_CHECK=1 each string's content is checked against
 * what its address held before: a change is counted (string_changed) and
 * the new content recorded. ctest runs this twice: with WCPROF_CHECK=1,
 * and without (the rule as documented: the first content stays).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

static void test_reused_buffer(void **state)
{
    (void)state;
    int check = getenv("WCPROF_CHECK") && strcmp(getenv("WCPROF_CHECK"), "1") == 0;
    wcp_enable();
    char buf[32];
    static const char *const idents[] = {"digest-a", "digest-b", "digest-c"};
    uint64_t ids[4];
    for (int i = 0; i < 3; i++) {
        strcpy(buf, idents[i]); /* one buffer, three contents */
        wcp_op op =
            wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "check.op", .ident = buf});
        ids[i] = op.id;
        wcp_end(op, 0);
    }
    /* the same content again at the same address, and a literal used
   * over and over: no misuse */
    wcp_op again =
        wcp_begin_ex(&(wcp_op_args){.kind = WCP_KIND_CALL, .cls = "check.op", .ident = buf});
    ids[3] = again.id;
    wcp_end(again, 0);
    for (int i = 0; i < 1000; i++)
        wcp_end(wcp_begin(WCP_KIND_IO, "check.io"), 0);
    dc_dump d;
    assert_int_equal(take_dump(WCP_DUMP_FLUSH, &d), 0);
    for (int i = 0; i < 4; i++) {
        json_t *e = find_event(&d, "op", "id", (json_int_t)ids[i]);
        assert_non_null(e);
        const char *got = dc_str(&d, dc_int(e, "i"));
        /* checked: what the buffer held; unchecked: what it held first */
        assert_string_equal(got, check ? idents[i < 3 ? i : 2] : idents[0]);
    }
    json_t *m = json_object_get(d.header, "misuse");
    assert_int_equal(dc_int(m, "string_changed"), check ? 2 : 0);
    assert_int_equal(wcp_misuse_count(WCP_MISUSE_STRING_CHANGED), check ? 2 : 0);
    dc_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reused_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
