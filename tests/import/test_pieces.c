/* test_pieces.c - an OTLP file read in pieces on several threads
 * (otel.c's wcp_otel_read_pieces) hands out exactly what it hands out
 * read from start to end: the same strings, runs, ops, waits, links and
 * lines, or the same error.
 *
 *   test_pieces TESTS_DIR
 *
 * Inputs: every OTLP case (tests/import good and bad, the analysis cases,
 * the Dagger-style trace, the fuzz corpus), and files made of their lines:
 * all of them one after the other (many traces, copies of spans, a bad
 * line among good ones), with blank lines, CRLF line ends, a byte order
 * mark, no newline at the end, an object written over many lines, a line
 * that is not an object. Each is read with pieces of at least one byte
 * and at most 2, 3, 4, 5 and 7 pieces (so every line end is a cut in some
 * read), and must read as it reads from start to end; the files of many
 * lines must have been read in pieces (a read that always fell back to
 * start to end would pass the comparison and test nothing). And a load
 * of a file of some MB tells how far its reading has got, in bytes, read
 * whole or in pieces, before the events.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chrome_render.h"
#include "load.h"
#include "otel_impl.h"
#include "store.h"

static const char *tests_dir;

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)size + 1);
    assert_non_null(p);
    assert_int_equal(fread(p, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    p[size] = 0;
    *n = (size_t)size;
    return p;
}

static char *write_tmp(const char *text, size_t n)
{
    char *path = strdup("/tmp/wcp_pieces_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

/* What the reader hands out, plainly and with --allow-incomplete (what is
 * refused plainly may hold much to compare) */
static char *render(const char *path, int pieces)
{
    wcp_otel_piece_min = pieces ? 1 : 0; /* 0: never in pieces */
    wcp_otel_pieces_max = pieces;
    char *plain = chrome_render_flags(path, 0, 0);
    char *allow = chrome_render_flags(path, 0, WCP_READ_ALLOW_INCOMPLETE);
    char *text;
    if (asprintf(&text, "%s--- --allow-incomplete:\n%s", plain, allow) < 0)
        abort();
    free(plain);
    free(allow);
    wcp_otel_piece_min = WCP_OTEL_PIECE_MIN;
    wcp_otel_pieces_max = 0;
    return text;
}

/* Reads path in 2, 3, 4, 5 and 7 pieces; each as from start to end.
 * Returns how many of the reads were in pieces. */
static long check(const char *path, const char *what)
{
    static const int counts[] = {2, 3, 4, 5, 7};
    char *whole = render(path, 0);
    long before = wcp_otel_read_in_pieces;
    /* (each render reads twice: plainly, then with --allow-incomplete) */
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        char *cut = render(path, counts[k]);
        if (strcmp(whole, cut) != 0)
            fail_msg("%s read in at most %d pieces:\n%s\nfrom start to end:\n%s", what, counts[k],
                     cut, whole);
        free(cut);
    }
    free(whole);
    return (wcp_otel_read_in_pieces - before) / 2;
}

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void add(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = 2 * (t->n + n + 1);
        t->p = realloc(t->p, t->cap);
        assert_non_null(t->p);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = 0;
}

static void adds(text *t, const char *s)
{
    add(t, s, strlen(s));
}

/* Every line of every OTLP input, good ones first, then the bad ones' */
static void gather(text *good, text *bad, const char *pattern, bool is_bad)
{
    char pat[4096];
    snprintf(pat, sizeof pat, pattern, tests_dir);
    glob_t g;
    if (glob(pat, 0, NULL, &g) != 0)
        return;
    for (size_t k = 0; k < g.gl_pathc; k++) {
        size_t n;
        char *s = slurp(g.gl_pathv[k], &n);
        if (n && strncmp(s, "{\"resourceSpans\"", 16) == 0) {
            add(is_bad ? bad : good, s, n);
            if (s[n - 1] != '\n')
                adds(is_bad ? bad : good, "\n");
        }
        free(s);
    }
    globfree(&g);
}

static const char *const good_inputs[] = {"%s/import/good/otlp-*/input*.json",
                                          "%s/analysis/cases/otlp-*/input*.json",
                                          "%s/import/dagger-style/*.otlp.json"};
static const char *const bad_inputs[] = {"%s/import/bad/otlp-*/input*.json",
                                         "%s/import/fuzz-corpus-otlp/*"};

static void test_cases(void **s)
{
    (void)s;
    size_t files = 0;
    for (int bad = 0; bad < 2; bad++) {
        const char *const *pats = bad ? bad_inputs : good_inputs;
        size_t npat = bad ? 2 : 3;
        for (size_t p = 0; p < npat; p++) {
            char pat[4096];
            snprintf(pat, sizeof pat, pats[p], tests_dir);
            glob_t g;
            if (glob(pat, 0, NULL, &g) != 0)
                continue;
            for (size_t k = 0; k < g.gl_pathc; k++, files++)
                check(g.gl_pathv[k], g.gl_pathv[k]);
            globfree(&g);
        }
    }
    assert_true(files >= 25);
}

/* An id of 8 bytes as OTLP JSON writes it (hex), or as some exporters do
 * (base64, counted as a note) */
static void span_id(text *t, uint64_t id, bool b64)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char buf[32];
    if (!b64) {
        snprintf(buf, sizeof buf, "\"%016llx\"", (unsigned long long)id);
        adds(t, buf);
        return;
    }
    unsigned char b[9] = {0}; /* 8 bytes, big-endian: 11 characters and one '=' */
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(id >> (56 - 8 * k));
    char *o = buf;
    *o++ = '"';
    for (int k = 0; k < 9; k += 3) {
        unsigned v = (unsigned)b[k] << 16 | (unsigned)b[k + 1] << 8 | b[k + 2];
        *o++ = a[v >> 18 & 63];
        *o++ = a[v >> 12 & 63];
        *o++ = a[v >> 6 & 63];
        *o++ = k == 6 ? '=' : a[v & 63];
    }
    *o++ = '"';
    *o = 0;
    adds(t, buf);
}

/* Lines of three traces whose spans are spread over every line: a root
 * span a trace whose first copy (not ended) is on an early line and its
 * ended copy on the last, three spans a line under it, ids in hex (upper
 * case on some lines) and base64, wait links to spans and waits on named
 * resources, errors, idents. Read in pieces, each piece meets the traces
 * in another order, and copies of one span in two pieces. */
static void synthetic(text *t, int lines)
{
    char buf[512];
    const long long t0 = 1700000000000000000LL;
    for (int l = 0; l < lines; l++) {
        int tr = l % 3;
        snprintf(buf, sizeof buf,
                 "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                 "\"value\":{\"stringValue\":\"svc-%d\"}}]},\"scopeSpans\":[{\"spans\":[",
                 l % 4);
        adds(t, buf);
        char trace[40];
        snprintf(trace, sizeof trace, l % 5 ? "%032x" : "%032X", 0xabc0 + tr);
        for (int s = 0; s < 3; s++) {
            uint64_t id = (uint64_t)(l * 3 + s + 1);
            snprintf(buf, sizeof buf, "%s{\"traceId\":\"%s\",\"spanId\":", s ? "," : "", trace);
            adds(t, buf);
            span_id(t, id, l % 4 == 1);
            adds(t, ",\"parentSpanId\":");
            span_id(t, 1000 + (uint64_t)tr, false);
            long long st = t0 + l * 1000LL + s * 100;
            snprintf(
                buf, sizeof buf,
                ",\"name\":\"step%d\",\"kind\":%d,\"startTimeUnixNano\":\"%lld\","
                "\"endTimeUnixNano\":\"%lld\",\"attributes\":[{\"key\":\"dagger.io/dag.digest\","
                "\"value\":{\"stringValue\":\"sha256:%d\"}}],\"status\":{%s}",
                s, s + 1, st, st + 50 + s, l % 7, s == 1 && l % 6 == 0 ? "\"code\":2" : "");
            adds(t, buf);
            if (s == 0) { /* what it ran; a link that is not a wait */
                snprintf(
                    buf, sizeof buf,
                    ",\"attributes\":[{\"key\":\"wcprof.exec.argv\",\"value\":{\"arrayValue\":"
                    "{\"values\":[{\"stringValue\":\"make\"},{\"stringValue\":\"-j%d\"}]}}}],"
                    "\"links\":[{\"traceId\":\"%s\",\"spanId\":\"%016x\",\"attributes\":[{"
                    "\"key\":\"dagger.io/link.purpose\",\"value\":{\"stringValue\":\"follows%d\"}}]}]",
                    l % 3, trace, 1000 + tr, l % 2);
                adds(t, buf);
            }
            if (s == 1) { /* waits on the line's first span */
                snprintf(buf, sizeof buf, ",\"links\":[{\"traceId\":\"%s\",\"spanId\":", trace);
                adds(t, buf);
                span_id(t, id - 1, false);
                snprintf(
                    buf, sizeof buf,
                    ",\"attributes\":[{\"key\":\"dagger.io/link.purpose\",\"value\":{"
                    "\"stringValue\":\"wait\"}},{\"key\":\"wcprof.wait.start_unix_ns\","
                    "\"value\":{\"stringValue\":\"%lld\"}},{\"key\":\"wcprof.wait.end_unix_ns\","
                    "\"value\":{\"stringValue\":\"%lld\"}}]}]",
                    st + 5, st + 20);
                adds(t, buf);
            } else if (s == 2) { /* on a named resource */
                snprintf(
                    buf, sizeof buf,
                    ",\"links\":[{\"attributes\":[{\"key\":\"dagger.io/link.purpose\","
                    "\"value\":{\"stringValue\":\"wait\"}},{\"key\":\"wcprof.wait.ident\","
                    "\"value\":{\"stringValue\":\"lock:%d\"}},{\"key\":\"wcprof.wait.reason\","
                    "\"value\":{\"stringValue\":\"lock\"}},{\"key\":\"wcprof.wait.start_unix_ns\","
                    "\"value\":{\"stringValue\":\"%lld\"}},{\"key\":\"wcprof.wait.end_unix_ns\","
                    "\"value\":{\"stringValue\":\"%lld\"}}]}]",
                    l % 2, st + 1, st + 30);
                adds(t, buf);
            }
            adds(t, "}");
        }
        for (int r = 0; r < 3; r++) /* the roots: started early, ended on the last line */
            if ((l == r && l != lines - 1) || l == lines - 1) {
                snprintf(buf, sizeof buf,
                         ",{\"traceId\":\"%032x\",\"spanId\":\"%016x\",\"name\":\"root\","
                         "\"kind\":2,\"startTimeUnixNano\":\"%lld\"%s%lld%s}",
                         0xabc0 + r, 1000 + r, t0 - 10,
                         l == lines - 1 ? ",\"endTimeUnixNano\":\"" : "",
                         l == lines - 1 ? t0 + lines * 1000LL : 0LL, l == lines - 1 ? "\"" : "");
                if (l != lines - 1) /* no end: cut the number written for none */
                    *strstr(buf, "0}") = '}', buf[strlen(buf) - 1] = 0;
                adds(t, buf);
            }
        adds(t, "]}]}]}\n");
    }
}

static void test_synthetic(void **s)
{
    (void)s;
    text t = {0};
    synthetic(&t, 40);
    char *path = write_tmp(t.p, t.n);
    wcp_otel_piece_min = 0;
    char *plain = chrome_render_flags(path, 0, 0);
    wcp_otel_piece_min = WCP_OTEL_PIECE_MIN;
    if (strncmp(plain, "ERROR", 5) == 0 || strstr(plain, "\nERROR"))
        fail_msg("the synthetic trace is refused:\n%s\n%s", plain, t.p);
    /* what it must hold for the comparison to mean something */
    assert_non_null(strstr(plain, "\"base64_ids\":30")); /* 10 lines of 3 spans */
    assert_non_null(strstr(plain, "rs=lock"));
    assert_non_null(strstr(plain, "lk=follows1"));
    assert_non_null(strstr(plain, "-j2")); /* an argv kept */
    assert_true(check(path, "the synthetic trace") == 5);
    free(plain);
    unlink(path);
    free(path);
    /* larger: pieces of thousands of spans, each merged by two threads */
    t.n = 0;
    synthetic(&t, 3000);
    path = write_tmp(t.p, t.n);
    assert_true(check(path, "the synthetic trace of 3,000 lines") == 5);
    unlink(path);
    free(path);
    free(t.p);
}

typedef struct seen {
    int scans, reads, resolves, out_of_order; /* calls of each phase; a phase after a later one */
    uint64_t last, most;                      /* bytes of the last "scanning" call, the most */
    int64_t size;                             /* its event_count: the file's size */
} seen;

static void on_progress(void *ctx, const char *phase, const wcp_load_stats *st, int64_t count)
{
    seen *s = ctx;
    if (strcmp(phase, "scanning") == 0) {
        s->out_of_order += s->reads + s->resolves > 0 || st->bytes < s->last;
        s->scans++;
        s->last = st->bytes;
        s->size = count;
    } else if (strcmp(phase, "reading") == 0) {
        s->out_of_order += s->resolves > 0;
        s->reads++;
    } else
        s->resolves++;
}

/* A load shows how far the reading has got, in bytes, before the first
 * event (the whole file is read first), whole or in pieces. */
static void test_progress_while_reading(void **s)
{
    (void)s;
    text t = {0};
    synthetic(&t, 3000); /* about 5 MB */
    char *path = write_tmp(t.p, t.n);
    for (int pieces = 0; pieces < 2; pieces++) {
        wcp_otel_piece_min = pieces ? (size_t)1 << 20 : 0;
        wcp_otel_pieces_max = pieces ? 3 : 0;
        long before = wcp_otel_read_in_pieces;
        sqlite3 *db;
        char err[1024];
        if (wcp_db_open(":memory:", WCP_DB_CREATE, &db, err, sizeof err) != 0)
            fail_msg("%s", err);
        seen got = {0};
        wcp_load_opts o = {.progress = on_progress, .progress_ctx = &got};
        wcp_load_stats st;
        if (wcp_load_dump(db, path, &o, &st, err, sizeof err) != 0)
            fail_msg("%s", err);
        sqlite3_close(db);
        wcp_otel_piece_min = WCP_OTEL_PIECE_MIN;
        wcp_otel_pieces_max = 0;
        assert_int_equal(wcp_otel_read_in_pieces - before, pieces);
        assert_int_equal(got.size, (int64_t)t.n);
        /* a call a fill of the buffer (1 MiB at first); in pieces, the first piece's */
        assert_true(got.scans >= (pieces ? 2 : 3));
        assert_true(got.last > 0 && got.last <= t.n);
        assert_int_equal(got.out_of_order, 0);
        assert_true(got.resolves >= 1); /* (9,000 ops: no "reading", every 65,536) */
    }
    unlink(path);
    free(path);
    free(t.p);
}

/* The lines of every input one after the other, and made worse. */
static void test_files_of_many_lines(void **s)
{
    (void)s;
    text good = {0}, bad = {0};
    for (size_t p = 0; p < 3; p++)
        gather(&good, &bad, good_inputs[p], false);
    for (size_t p = 0; p < 2; p++)
        gather(&good, &bad, bad_inputs[p], true);
    assert_true(good.n > 1000);
    /* good lines only: read in pieces, and as from start to end */
    char *path = write_tmp(good.p, good.n);
    assert_true(check(path, "the good inputs' lines") >= 4);
    unlink(path);
    free(path);
    /* twice (every span copied), with blank lines and spaces between */
    text t = {0};
    for (int k = 0; k < 2; k++)
        for (const char *l = good.p; *l;) {
            const char *e = strchr(l, '\n');
            add(&t, l, (size_t)(e - l) + 1);
            adds(&t, k ? "  \n\n" : "\n");
            l = e + 1;
        }
    path = write_tmp(t.p, t.n);
    assert_true(check(path, "the good lines twice, blank lines between") >= 4);
    unlink(path);
    free(path);
    /* variations: each read in pieces must read as from start to end */
    struct {
        const char *what;
        const char *head, *sep, *tail; /* before, between lines (for "\n"), after */
        bool pieces;                   /* read in pieces (else from start to end) */
    } v[] = {
        {"CRLF line ends", "", "\r\n", "", true},
        {"a byte order mark", "\xef\xbb\xbf", "\n", "", true},
        {"no newline at the end", "", "\n", "\x01", true}, /* \x01: drop the last newline */
        {"one object over many lines", "", ",\n", "", false},
        {"a line that is not an object", "", "\n", "[1]\n", false},
        {"a byte order mark on a later line", "", "\n", "\xef\xbb\xbf{\"resourceSpans\":[]}\n",
         false},
        {"garbage at the end", "", "\n", "}\n", false},
    };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        text u = {0};
        adds(&u, v[k].head);
        bool one = strcmp(v[k].sep, ",\n") == 0;
        if (one)
            adds(&u, "{\"resourceSpans\":[\n");
        bool first = true;
        for (const char *l = good.p; *l;) {
            const char *e = strchr(l, '\n');
            if (one) { /* the resourceSpans arrays' elements, one a line */
                const char *a = l + strlen("{\"resourceSpans\":[");
                const char *z = e;
                while (z > a && z[-1] != ']')
                    z--;
                if (!first)
                    adds(&u, ",\n");
                add(&u, a, (size_t)(z - 1 - a));
            } else {
                add(&u, l, (size_t)(e - l));
                adds(&u, v[k].sep);
            }
            first = false;
            l = e + 1;
        }
        if (one)
            adds(&u, "\n]}\n");
        if (strcmp(v[k].tail, "\x01") == 0)
            u.p[--u.n] = 0;
        else
            adds(&u, v[k].tail);
        path = write_tmp(u.p, u.n);
        long in_pieces = check(path, v[k].what);
        if (v[k].pieces ? in_pieces < 4 : in_pieces != 0)
            fail_msg("%s: read in pieces %ld times of 5", v[k].what, in_pieces);
        unlink(path);
        free(path);
        free(u.p);
    }
    /* a bad line among good ones: the same error whichever piece meets it
     * (refused in pieces: read from start to end, which says what is wrong) */
    size_t bads = 0, lines = 0;
    for (const char *l = bad.p; l && *l;) {
        const char *e = strchr(l, '\n');
        size_t half = 0; /* the good lines cut at a line end near the middle */
        for (const char *q = good.p; q < good.p + good.n / 2; q = strchr(q, '\n') + 1)
            half = (size_t)(q - good.p);
        text u = {0};
        add(&u, good.p, half);
        add(&u, l, (size_t)(e - l) + 1);
        add(&u, good.p + half, good.n - half);
        path = write_tmp(u.p, u.n);
        bads += check(path, "a bad line among good ones") == 0;
        unlink(path);
        free(path);
        free(u.p);
        l = e + 1;
        lines++;
    }
    assert_true(lines >= 15);
    assert_true(bads >= 5); /* those the reader refuses (a fuzz input may be good) */
    free(t.p);
    free(good.p);
    free(bad.p);
}

int main(int argc, char **argv)
{
    tests_dir = argc > 1 ? argv[1] : ".";
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_files_of_many_lines),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_progress_while_reading),
    };
    return cmocka_run_group_tests_name("OTLP in pieces", tests, NULL, NULL);
}
