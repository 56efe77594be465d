/* fuzz_dump.c - differential fuzz target for the dump reader.
 *
 * Each input is one event line. The fast path (jscan) and the reference path
 * (jansson alone) must agree: both refuse it, or both accept it with the same
 * fields. Built with -DWCPROF_FUZZ=ON (clang) it is a libFuzzer target; built
 * normally it is a program that replays the files named on its command line
 * (the seed corpus, run by ctest), so every crash found becomes a test.
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_dump
 *   build-fuzz/tests/import/fuzz_dump -max_total_time=60 tests/import/fuzz-corpus
 */
#include "dump.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int str_eq(wcp_str a, wcp_str b)
{
    return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0);
}

static int json_text_eq(wcp_str a, wcp_str b)
{
    if (!a.n || !b.n)
        return a.n == b.n;
    json_t *x = json_loadb(a.p, a.n, 0, NULL), *y = json_loadb(b.p, b.n, 0, NULL);
    int eq = x && y && json_equal(x, y);
    json_decref(x);
    json_decref(y);
    return eq;
}

static void check(int cond, const char *what, const uint8_t *data, size_t size)
{
    if (cond)
        return;
    fprintf(stderr, "fuzz_dump: the two parse paths disagree on %s for: %.*s\n", what, (int)size,
            (const char *)data);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, '\n', size))
        return 0; /* one line at a time */
    char *a = malloc(size + 1), *b = malloc(size + 1);
    memcpy(a, data, size);
    memcpy(b, data, size);
    wcp_reader r1, r2;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    r1.path = r2.path = "fuzz";
    r1.hdr.n_strings = r2.hdr.n_strings = 8;
    jscan_init(&r1.js);
    jscan_init(&r2.js);
    wcp_event e1, e2;
    int ok1 = wcp_reader_parse_event(&r1, a, size, &e1) == 0;
    int ok2 = wcp_reader_parse_event_jansson(&r2, b, size, &e2) == 0;
    /* one difference by design (base/jscan.h): the scanner reads a known
     * key's integer above INT64_MAX (a uint64 id), which jansson refuses */
    check(ok1 == ok2 || (ok1 && strstr(r2.err, "too big integer")), "acceptance", data, size);
    if (ok1) {
        check(e1.type == e2.type && str_eq(e1.e, e2.e), "e", data, size);
        check(str_eq(e1.k, e2.k) && str_eq(e1.w, e2.w) && str_eq(e1.o, e2.o) &&
                  str_eq(e1.rs, e2.rs) && str_eq(e1.lk, e2.lk),
              "a string key", data, size);
        check(e1.id == e2.id && e1.p == e2.p && e1.t == e2.t && e1.r == e2.r && e1.s == e2.s &&
                  e1.d == e2.d && e1.c == e2.c && e1.i == e2.i && e1.cl == e2.cl &&
                  e1.has_th == e2.has_th && (!e1.has_th || e1.th == e2.th) &&
                  e1.clamped == e2.clamped,
              "an integer key", data, size);
        check(json_text_eq(e1.extra, e2.extra), "the unknown keys", data, size);
    }
    if (r2.jroot)
        json_decref(r2.jroot);
    if (r1.jroot)
        json_decref(r1.jroot);
    jscan_free(&r1.js);
    jscan_free(&r2.js);
    free(a);
    free(b);
    return 0;
}

#ifndef WCPROF_FUZZ
/* Replays corpus files (or every file in a directory listed one per line on
 * stdin when no argument is given). */
int main(int argc, char **argv)
{
    int n = 0;
    for (int k = 1; k < argc; k++) {
        FILE *f = fopen(argv[k], "rb");
        if (!f) {
            perror(argv[k]);
            return 2;
        }
        char buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        n++;
    }
    printf("fuzz_dump: %d inputs replayed, both parse paths agree\n", n);
    return 0;
}
#endif
