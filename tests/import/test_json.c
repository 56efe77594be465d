/* test_json.c - unit tests of the JSON tokenizer (base/json.h), as the
 * readers of other formats use it.
 *
 * - Pieces: a text walked with wcp_json_next(), strings in parts, given
 *   1, 2, 3, 7 or all bytes at a time, gives the same tokens and the same
 *   error (the cursor goes on where it was after each WCP_JSON_MORE).
 * - Syntax: a value is accepted exactly when jansson accepts it.
 * - Skip: wcp_json_skip() gives an object's or array's raw text; nesting
 *   is limited from the skipped value.
 * - Members: an object's keys and values; a member cut by the end of the
 *   text is read again whole.
 * - Errors: text, line and column of the offending byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/* The tokens of text, fed `piece` bytes at a time (0: all at once), one
 * line each ("ERROR line:col text" at a failure). A new string. */
static char *walk(const char *text, size_t n, size_t piece)
{
    char *out = NULL, *buf = malloc(n + 1);
    size_t len = 0, have = piece && piece < n ? piece : n;
    FILE *f = open_memstream(&out, &len);
    wcp_errpos err;
    wcp_json j;
    memcpy(buf, text, n);
    wcp_json_init(&j, buf, have, &err);
    j.last = have == n;
    j.flags = WCP_JSON_PARTS;
    for (;;) {
        wcp_json_tok t;
        int rc = wcp_json_next(&j, &t);
        if (rc < 0) {
            fprintf(f, "ERROR %ld:%llu %s\n", err.line, (unsigned long long)err.column, err.text);
            break;
        }
        if (rc > 0) {
            if (have == n) {
                fprintf(f, "END INSIDE %d\n", wcp_json_stopped(&j));
                break;
            }
            size_t at = (size_t)(j.p - buf);
            have = have + piece < n ? have + piece : n;
            wcp_json_text(&j, buf, at, have, 0);
            j.last = have == n;
            continue;
        }
        if (t.type == WCP_JSON_NONE)
            break;
        /* a string in parts is one token, decoded */
        if (t.type == WCP_JSON_STRING || t.type == WCP_JSON_KEY) {
            char d[256];
            size_t dn = t.esc ? wcp_json_decode(t.p, t.n, d) : (memcpy(d, t.p, t.n), t.n);
            fprintf(f, "%.*s", (int)dn, d);
            if (!t.part)
                fprintf(f, " <%s>\n", t.type == WCP_JSON_KEY ? "key" : "string");
            continue;
        }
        fprintf(f, "%.*s <%s>\n", (int)t.n, t.p, wcp_json_type_name(t.type));
    }
    fclose(f);
    free(buf);
    return out;
}

static const char *const texts[] = {
    "{\"a\":[1,-2.5e3,true,false,null,{\"b\":\"c\\u00e9\\n\"}],\"d\":{},\"e\":[],\"\":\"\\ud83d\\ude00\"}",
    " [ \"long string with some words in it, long enough to be cut\" , \"\xc3\xa9\xe2\x82\xac\" ] ",
    "\n{\n  \"x\" : 12345678901234567890 ,\n  \"y\" : [ [ [ 0 ] ] ]\n}\n",
    "[1,2",
    "{\"a\" 1}",
    "{\"a\":1,}",
    "[1,]",
    "[1 2]",
    "{\"a\":\"\\x\"}",
    "[\"\\ud800\"]",
    "[01]",
    "[1.]",
    "[\"\x01\"]",
    "[\"\xff\"]",
    "{\"k\":tru",
    "\"abc",
    "123",
    "-",
};

static void test_pieces(void **s)
{
    (void)s;
    static const size_t pieces[] = {1, 2, 3, 7};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        char *whole = walk(texts[k], strlen(texts[k]), 0);
        for (size_t p = 0; p < sizeof pieces / sizeof pieces[0]; p++) {
            char *cut = walk(texts[k], strlen(texts[k]), pieces[p]);
            if (strcmp(whole, cut) != 0)
                fail_msg("%s in pieces of %zu:\n%s\nwhole:\n%s", texts[k], pieces[p], cut, whole);
            free(cut);
        }
        free(whole);
    }
    char *got = walk(texts[2], strlen(texts[2]), 0);
    assert_string_equal(
        got,
        "{ <an object>\nx <key>\n12345678901234567890 <a number>\ny <key>\n[ <an array>\n"
        "[ <an array>\n[ <an array>\n0 <a number>\n] <the end of a container>\n"
        "] <the end of a container>\n] <the end of a container>\n} <the end of a container>\n");
    free(got);
    got = walk("{\"a\" 1}", 7, 0);
    assert_string_equal(got, "{ <an object>\na <key>\nERROR 1:6 expected ':' after a key\n");
    free(got);
    got = walk("[1,2", 4, 0);
    assert_string_equal(got, "[ <an array>\n1 <a number>\n2 <a number>\nEND INSIDE 0\n");
    free(got);
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
        "\"\"",
        "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"",
        "\"\\u00e9\\ud83d\\ude00\"",
        "\"\xf0\x9f\x98\x80\"",
        "true",
        "false",
        "null",
        "[]",
        "{}",
        "[1,[2,{}]]",
        "{\"a\":{\"b\":null}}",
        "\"\x7f\"",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "1e+",
        "0x1",
        "tru",
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
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{1:2}",
        "[1 2]",
        "[",
        "\"abc",
        "'a'",
        "NaN",
        "[1]]",
    };
    for (size_t k = 0; k < sizeof values / sizeof values[0]; k++) {
        const char *v = values[k];
        wcp_errpos err;
        wcp_json j;
        wcp_json_tok t;
        wcp_json_init(&j, v, strlen(v), &err);
        int rc;
        while ((rc = wcp_json_next(&j, &t)) == 0 && t.type != WCP_JSON_NONE)
            ;
        bool ours = rc == 0 && j.p == j.end; /* the value, and nothing after it */
        json_t *x = json_loads(v, JSON_DECODE_ANY, NULL);
        if (ours != (x != NULL))
            fail_msg("%s: jansson %s, the tokenizer %s", v, x ? "accepts" : "refuses",
                     ours ? "accepts" : "refuses");
        json_decref(x);
    }
}

static void test_skip(void **s)
{
    (void)s;
    const char *text = "{\"a\": [1, {\"b\": [true]}] , \"c\": 2}";
    wcp_errpos err;
    wcp_json j;
    wcp_json_tok t, v;
    wcp_json_init(&j, text, strlen(text), &err);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(t.type, WCP_JSON_KEY);
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(v.type, WCP_JSON_ARRAY);
    assert_int_equal(wcp_json_skip(&j, &v), 0);
    assert_int_equal(v.n, strlen("[1, {\"b\": [true]}]"));
    assert_memory_equal(v.p, "[1, {\"b\": [true]}]", v.n);
    assert_int_equal(v.col, 7);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(t.type, WCP_JSON_KEY);
    assert_memory_equal(t.p, "c", 1);
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(v.type, WCP_JSON_NUMBER);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(t.type, WCP_JSON_END);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(t.type, WCP_JSON_NONE);

    /* nesting: max_depth counted from the skipped value */
    char deep[64];
    snprintf(deep, sizeof deep, "{\"a\":[[[[]]]],\"b\":[[[[[]]]]]}");
    wcp_json_init(&j, deep, strlen(deep), &err);
    j.max_depth = 4;
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(wcp_json_skip(&j, &v), 0);
    assert_int_equal(wcp_json_next(&j, &t), 0);
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(wcp_json_skip(&j, &v), -1);
    assert_string_equal(err.text, "nested deeper than 4 levels");
    assert_int_equal(err.column, 23);
}

/* An object's members, the text cut inside one: it is read again whole. */
static void test_members(void **s)
{
    (void)s;
    const char *text = "{\"a\": 1, \"bb\": [2, 3], \"c\": {\"d\": null}}";
    size_t n = strlen(text), cut = strlen("{\"a\": 1, \"bb\": [2");
    wcp_errpos err;
    wcp_json j;
    wcp_json_tok k, v;
    wcp_json_init(&j, text, cut, &err);
    j.last = false;
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(v.type, WCP_JSON_OBJECT);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_memory_equal(k.p, "a", 1);
    assert_int_equal(v.type, WCP_JSON_NUMBER);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_memory_equal(k.p, "bb", 2);
    assert_int_equal(v.type, WCP_JSON_ARRAY);
    const char *at = j.p;
    assert_int_equal(wcp_json_skip(&j, &v), WCP_JSON_MORE);
    /* start the member over, with all of the text */
    wcp_json_init(&j, text, n, &err);
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_true(j.p == at);
    assert_int_equal(wcp_json_skip(&j, &v), 0);
    assert_int_equal(v.n, strlen("[2, 3]"));
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_memory_equal(k.p, "c", 1);
    assert_int_equal(wcp_json_skip(&j, &v), 0);
    assert_memory_equal(v.p, "{\"d\": null}", v.n);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    assert_int_equal(k.type, WCP_JSON_END);
    /* a member cut before its value: nothing of it consumed */
    wcp_json_init(&j, text, strlen("{\"a\": 1, \"bb\":"), &err);
    j.last = false;
    assert_int_equal(wcp_json_next(&j, &v), 0);
    assert_int_equal(wcp_json_member(&j, &k, &v), 0);
    at = j.p;
    assert_int_equal(wcp_json_member(&j, &k, &v), WCP_JSON_MORE);
    assert_true(j.p == at);
}

static void test_errors(void **s)
{
    (void)s;
    const char *text = "[\n  \"ok\",\n  \"bad\\q\"\n]";
    wcp_errpos err;
    wcp_json j;
    wcp_json_tok t;
    wcp_json_init(&j, text, strlen(text), &err);
    int rc;
    while ((rc = wcp_json_next(&j, &t)) == 0)
        ;
    assert_int_equal(rc, -1);
    assert_string_equal(err.text, "invalid escape in a string");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 7);
    assert_int_equal(err.position, 16);
    char msg[128];
    wcp_errpos_print(msg, sizeof msg, "x.json", err.line, err.column, "value 2: ", "%s", err.text);
    assert_string_equal(msg, "x.json:3: value 2: invalid escape in a string (column 7)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces), cmocka_unit_test(test_syntax_as_jansson),
        cmocka_unit_test(test_skip),   cmocka_unit_test(test_members),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests_name("json tokenizer", tests, NULL, NULL);
}
