/* test_chrome.c - unit tests of the Chrome trace reader (import/chrome.c, chrome_nest.c).
 *
 *   test_chrome TESTS_INGEST_DIR
 *
 * - Streaming: every Chrome case under TESTS_INGEST_DIR (good/chrome-*,
 *   bad/chrome-*, and the analysis case beside it) is read with reads of 1,
 *   2, 3, 7, 64 and 4093 bytes, so events, strings, escapes and UTF-8
 *   sequences are cut at every possible place; the converted events (or the
 *   error) must be exactly those of one whole read.
 * - Syntax: values of every JSON kind, valid and not, inside an event: the
 *   reader accepts exactly what jansson accepts.
 * - Times: microseconds to nanoseconds from the decimal digits, rounded to
 *   the nearest; out of range refused.
 * - Detection: which first bytes make a Chrome trace.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chrome.h"
#include "chrome_render.h"
#include "dump.h"

static const char *cases_dir;

static char *write_tmp(const char *text, size_t n)
{
    char *path = strdup("/tmp/wcp_chrome_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static void test_reads_cut_anywhere(void **s)
{
    (void)s;
    static const char *const patterns[] = {"%s/good/chrome-*/input*.json",
                                           "%s/bad/chrome-*/input.json",
                                           "%s/../analysis/cases/chrome-*/input.json"};
    static const size_t sizes[] = {1, 2, 3, 7, 64, 4093};
    size_t files = 0;
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++) {
        char pat[4096];
        snprintf(pat, sizeof pat, patterns[p], cases_dir);
        glob_t g;
        if (glob(pat, 0, NULL, &g) != 0)
            continue;
        for (size_t k = 0; k < g.gl_pathc; k++) {
            const char *path = g.gl_pathv[k];
            FILE *in = fopen(path, "rb");
            assert_non_null(in);
            fseek(in, 0, SEEK_END);
            long size = ftell(in);
            fclose(in);
            char *whole = chrome_render(path, 0);
            for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
                if (size > 8192 && sizes[j] < 4093)
                    continue; /* re-parsing a long event byte by byte is quadratic */
                char *cut = chrome_render(path, sizes[j]);
                if (strcmp(whole, cut) != 0)
                    fail_msg("%s read %zu bytes at a time:\n%s\nwhole:\n%s", path, sizes[j], cut,
                             whole);
                free(cut);
            }
            free(whole);
            files++;
        }
        globfree(&g);
    }
    assert_true(files >= 30);
}

static void test_syntax_as_jansson(void **s)
{
    (void)s;
    static const char *const values[] = {
        "1",
        "-0",
        "0.5",
        "-1.5e-3",
        "1E+5",
        "1e5",
        "\"\"",
        "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\u20ac\\ud83d\\ude00\"",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        "[1,[2,[3,{}]],{\"a\":[]}]",
        "{\"a\":{\"b\":{\"c\":null}},\"d\":[true,false]}",
        " [ 1 , 2 ] ",
        "{ \"a\" : 1 }",
        "\"\x7f\"",
        /* refused */
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x1",
        "tru",
        "nul",
        "True",
        "\"\\x\"",
        "\"\\u12\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\u0000\"",
        "\"a\tb\"",
        "\"\xc3\"",
        "\"\xc0\x80\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xff\"",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{1:2}",
        "{\"a\"}",
        "[1 2]",
        "[",
        "{",
        "\"abc",
        "'a'",
        "NaN",
        "Infinity",
        "[1]]",
        "{}}",
    };
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        char text[256];
        int n = snprintf(text, sizeof text, "[{\"ph\":\"C\",\"ts\":1,\"v\":%s}]", values[k]);
        char *path = write_tmp(text, (size_t)n);
        char *got = chrome_render(path, 0);
        bool ours = strncmp(got, "ERROR", 5) != 0;
        json_error_t je;
        json_t *j = json_loadb(text, (size_t)n, 0, &je);
        if (ours != (j != NULL))
            fail_msg("value %s: jansson %s, the reader %s (%s)", values[k],
                     j ? "accepts" : "refuses", ours ? "accepts" : "refuses", got);
        json_decref(j);
        free(got);
        unlink(path);
        free(path);
    }
}

/* The start of op 2 (ts as given) after op 1 at -1000000 us sets the origin. */
static void check_ts(const char *ts, long long want_ns, bool ok)
{
    char text[256];
    int n = snprintf(
        text, sizeof text,
        "[{\"ph\":\"X\",\"ts\":-1000000,\"dur\":0},{\"ph\":\"X\",\"ts\":%s,\"dur\":0}]", ts);
    char *path = write_tmp(text, (size_t)n);
    char *got = chrome_render(path, 0);
    const char *op2 = strstr(got, "op id=2 ");
    if (!ok) {
        if (!strstr(got, "is out of range"))
            fail_msg("ts %s: not refused: %s", ts, got);
    } else {
        if (!op2)
            fail_msg("ts %s: %s", ts, got);
        long long s = 0;
        assert_int_equal(sscanf(strstr(op2, " s=") + 3, "%lld", &s), 1);
        if (s - 1000000000LL != want_ns)
            fail_msg("ts %s: %lld ns, expected %lld", ts, s - 1000000000LL, want_ns);
    }
    free(got);
    unlink(path);
    free(path);
}

static void test_microseconds_to_ns(void **s)
{
    (void)s;
    check_ts("0", 0, true);
    check_ts("0.0005", 1, true); /* 0.5 ns: halves away from zero */
    check_ts("-0.0005", -1, true);
    check_ts("0.0004999", 0, true);
    check_ts("1.0015", 1002, true);
    check_ts("123456789.123456789", 123456789123LL, true); /* .456789 ns rounds down */
    check_ts("1E3", 1000000, true);
    check_ts("1.5e-3", 2, true);
    check_ts("2.5e+2", 250000, true);
    check_ts("12345678901234567890e-10", 1234567890123LL, true); /* digits past 19 */
    check_ts("1e-30", 0, true);
    check_ts("4611686018427387", 4611686018427387000LL, true); /* < 2^62 ns */
    check_ts("4611686018427388", 0, false);
    check_ts("1e300", 0, false);
    check_ts("-4611686018427388", 0, false);
}

static bool is_chrome(const char *text)
{
    char *path = write_tmp(text, strlen(text));
    wcp_reader r;
    assert_int_equal(wcp_source_open(&r, path, WCP_FORMAT_AUTO), 0);
    bool chrome = r.src != NULL;
    wcp_reader_close(&r);
    unlink(path);
    free(path);
    return chrome;
}

static void test_detection(void **s)
{
    (void)s;
    assert_true(is_chrome("[{\"ph\":\"X\"}]"));
    assert_true(is_chrome("\xef\xbb\xbf  [\n"));
    assert_true(is_chrome("{\"traceEvents\":[]}"));
    assert_true(is_chrome(" \n{ \"otherData\": {}, \"traceEvents\": [] }"));
    assert_true(is_chrome("{}"));
    assert_false(is_chrome("{\"schema_version\":1,\"event_count\":0,\"strings\":[\"\"]}\n"));
    assert_false(is_chrome("{ \"strings\":[\"\"],\"schema_version\":1,\"event_count\":0}\n"));
    assert_false(is_chrome("{\"epoch_unix_nano\":5,\"schema_version\":1}\n"));
    assert_false(is_chrome(""));
    assert_false(is_chrome("garbage"));
    assert_int_equal(wcp_format_from_name("chrome"), WCP_FORMAT_CHROME);
    assert_int_equal(wcp_format_from_name("wcprof"), WCP_FORMAT_WCPROF);
    assert_int_equal(wcp_format_from_name("auto"), WCP_FORMAT_AUTO);
    assert_int_equal(wcp_format_from_name("json"), -1);
}

int main(int argc, char **argv)
{
    cases_dir = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_cut_anywhere),
        cmocka_unit_test(test_syntax_as_jansson),
        cmocka_unit_test(test_microseconds_to_ns),
        cmocka_unit_test(test_detection),
    };
    return cmocka_run_group_tests_name("chrome reader", tests, NULL, NULL);
}
