/* htmlcheck.c - checks a page written by the html export, without a browser.
 *
 *   htmlcheck FILE [--ops N] [--shown N] [--path-shown N] [--top KEY]
 *                  [--text TEXT]... [--absent TEXT]...
 *
 * Always:
 *   - the page loads nothing: no element that fetches (img, link, iframe,
 *     ...), no script with a src, no @import, no url() but url(#id), and no
 *     "://" outside the data but the SVG namespace name;
 *   - one data block, <script type="application/json" id="wcprof-data">,
 *     holding no "<" at all, that parses (jansson) into what report.js
 *     reads: the timeline's columns all as long as ops_shown <= max_ops,
 *     parents and classes that exist, critical-path entries whose op is
 *     drawn and flagged critical;
 *   - the page says how many ops it left out ("X of Y ops are left out"),
 *     or that it shows them all;
 *   - every class of class_stats, HTML-escaped, is in the class table
 *     (its cell read without the <wbr>s that let it break at its parts);
 *   - one clock: every critical-path segment lies on the recorded axis,
 *     within its op's recorded interval, and has its replayed times;
 *   - the classes the page names (ranking, class table, legend) have
 *     distinct palette colours; the others muted shades.
 * --ops N: the run has N ops (summary and timeline agree); --shown N: the
 * timeline draws N; --path-shown N: N critical-path segments are drawn;
 * --top KEY: the ranking's first class is KEY, and the page shows it
 * (escaped) outside the data; --class-rows N: the class table has N rows; --text: the page holds TEXT; --absent: it
 * does not.
 *
 * Exit status 0 when every check passes; 1 otherwise, saying which failed.
 */
#define _GNU_SOURCE
#include <jansson.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *file;
static int failures;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "htmlcheck: %s: ", file);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0, r;
    if (!f)
        return NULL;
    do {
        if (n + 65536 > cap) {
            cap = (n + 65536) * 2;
            buf = realloc(buf, cap + 1);
            if (!buf)
                break;
        }
        r = fread(buf + n, 1, 65536, f);
        n += r;
    } while (r > 0);
    fclose(f);
    if (buf)
        buf[n] = 0;
    *len = n;
    return buf;
}

/* s escaped as the export escapes text (wcp_out_html). */
static char *html_escape(const char *s)
{
    char *out = malloc(strlen(s) * 6 + 1), *p = out;
    for (; *s; s++) {
        switch (*s) {
        case '&': p = stpcpy(p, "&amp;"); break;
        case '<': p = stpcpy(p, "&lt;"); break;
        case '>': p = stpcpy(p, "&gt;"); break;
        case '"': p = stpcpy(p, "&quot;"); break;
        case '\'': p = stpcpy(p, "&#39;"); break;
        default: *p++ = *s;
        }
    }
    *p = 0;
    return out;
}

static const char *with_commas(long long v)
{
    static char out[64];
    char d[32];
    int n = snprintf(d, sizeof d, "%lld", v), k = 0;
    for (int i = 0; i < n; i++) {
        if (i && (n - i) % 3 == 0)
            out[k++] = ',';
        out[k++] = d[i];
    }
    out[k] = 0;
    return out;
}

/* The page, outside the data: nothing that loads. */
static void check_self_contained(const char *page)
{
    static const char *const tags[] = {
        "<img",    "<link", "<iframe", "<frame", "<object",          "<embed", "<video", "<audio",
        "<source", "<base", "<image",  "<use",   "<meta http-equiv", "<form",  "@import"};
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strcasestr(page, tags[i]))
            fail("the page has \"%s\"", tags[i]);
    for (const char *p = page; (p = strcasestr(p, "<script")); p++) {
        const char *end = strchr(p, '>');
        if (!end)
            fail("a <script tag that does not end");
        else if (memmem(p, (size_t)(end - p), "src", 3))
            fail("a script with a src: %.*s", (int)(end - p + 1), p);
    }
    for (const char *p = page; (p = strstr(p, "url(")); p++)
        if (p[4] != '#')
            fail("a url() that is not url(#id): %.40s", p);
    for (const char *p = page; (p = strstr(p, "://")); p++) {
        const char *b = p;
        while (b > page && (b[-1] >= 'a' && b[-1] <= 'z'))
            b--;
        if (strncmp(b, "http://www.w3.org/2000/svg", 26) != 0)
            fail("a reference to load: %.60s", b);
    }
}

static json_t *get(json_t *o, const char *key, json_type type)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_typeof(v) != type) {
        fail("data: \"%s\" is missing or of the wrong type", key);
        return NULL;
    }
    return v;
}

static long long iget(json_t *o, const char *key)
{
    json_t *v = get(o, key, JSON_INTEGER);
    return v ? json_integer_value(v) : -1;
}

static void check_timeline(json_t *t, size_t n_classes, long long want_ops, long long want_shown,
                           long long want_path, const char *page)
{
    static const char *const cols[] = {"id",   "parent", "cls",  "start", "end",
                                       "self", "open",   "crit", "ident", "meta"};
    long long total = iget(t, "ops_total"), shown = iget(t, "ops_shown");
    long long max = iget(t, "max_ops"), ptotal = iget(t, "path_total"),
              pshown = iget(t, "path_shown");
    if (shown > max || shown > total)
        fail("timeline: %lld ops shown, max_ops %lld, %lld in all", shown, max, total);
    if (want_ops >= 0 && total != want_ops)
        fail("timeline: ops_total %lld, expected %lld", total, want_ops);
    if (want_shown >= 0 && shown != want_shown)
        fail("timeline: ops_shown %lld, expected %lld", shown, want_shown);
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++) {
        json_t *a = get(t, cols[c], JSON_ARRAY);
        if (a && (long long)json_array_size(a) != shown)
            fail("timeline: \"%s\" has %zu entries, ops_shown is %lld", cols[c], json_array_size(a),
                 shown);
    }
    if (failures)
        return;
    json_t *parent = json_object_get(t, "parent"), *cls = json_object_get(t, "cls");
    json_t *start = json_object_get(t, "start"), *end = json_object_get(t, "end");
    json_t *crit = json_object_get(t, "crit");
    for (long long i = 0; i < shown; i++) {
        long long p = json_integer_value(json_array_get(parent, (size_t)i));
        long long c = json_integer_value(json_array_get(cls, (size_t)i));
        if (p < -1 || p >= shown || p == i)
            fail("timeline: op %lld has parent %lld", i, p);
        if (c < 0 || (size_t)c >= n_classes)
            fail("timeline: op %lld has class %lld of %zu", i, c, n_classes);
        if (json_integer_value(json_array_get(start, (size_t)i)) >
            json_integer_value(json_array_get(end, (size_t)i)))
            fail("timeline: op %lld ends before it starts", i);
    }
    json_t *path = get(t, "path", JSON_ARRAY), *seg;
    size_t k;
    if (path && (long long)json_array_size(path) != pshown)
        fail("timeline: %zu path segments, path_shown %lld", json_array_size(path), pshown);
    if (pshown > ptotal || pshown > max)
        fail("timeline: %lld path segments shown of %lld, max_ops %lld", pshown, ptotal, max);
    if (want_path >= 0 && pshown != want_path)
        fail("timeline: path_shown %lld, expected %lld", pshown, want_path);
    long long length = iget(t, "length_ns");
    json_array_foreach(path, k, seg)
    {
        long long op = json_integer_value(json_array_get(seg, 0));
        const char *what = json_string_value(json_array_get(seg, 2));
        long long s0 = json_integer_value(json_array_get(seg, 3)),
                  s1 = json_integer_value(json_array_get(seg, 4));
        if (op < -1 || op >= shown)
            fail("path segment %zu: op %lld", k, op);
        else if (op >= 0 && json_integer_value(json_array_get(crit, (size_t)op)) != 1)
            fail("path segment %zu: its op %lld is not flagged critical", k, op);
        /* one clock: a segment lies within its op's recorded interval, on
         * the recorded axis, whatever the replay's drift */
        if (s0 > s1 || s0 < 0 || s1 > length)
            fail("path segment %zu: [%lld, %lld] is not on the axis [0, %lld]", k, s0, s1, length);
        if (op >= 0 && (s0 < json_integer_value(json_array_get(start, (size_t)op)) ||
                        s1 > json_integer_value(json_array_get(end, (size_t)op))))
            fail("path segment %zu: [%lld, %lld] is outside its op's recorded [%lld, %lld]", k, s0,
                 s1, json_integer_value(json_array_get(start, (size_t)op)),
                 json_integer_value(json_array_get(end, (size_t)op)));
        if (!json_is_integer(json_array_get(seg, 6)) || !json_is_integer(json_array_get(seg, 7)))
            fail("path segment %zu: no replayed times", k);
        char word[16];
        snprintf(word, sizeof word, " %s ", what ? what : "");
        if (!what || !strstr(" self wait gap offset cycle ", word))
            fail("path segment %zu: what is \"%s\"", k, what ? what : "(none)");
    }
    char want[256];
    if (shown < total) {
        snprintf(want, sizeof want, "<strong>%s", with_commas(total - shown));
        snprintf(want + strlen(want), sizeof want - strlen(want),
                 " of %s ops are left out</strong>", with_commas(total));
    } else if (total == 0) {
        snprintf(want, sizeof want, "The run has no ops.");
    } else {
        snprintf(want, sizeof want, "All %s op%s shown.", with_commas(total),
                 total == 1 ? "" : "s");
    }
    if (!strstr(page, want))
        fail("the page does not say \"%s\"", want);
    if (pshown < ptotal) {
        snprintf(want, sizeof want, "<strong>%s", with_commas(ptotal - pshown));
        snprintf(want + strlen(want), sizeof want - strlen(want),
                 " of the critical path's %s segments are left out</strong>", with_commas(ptotal));
        if (!strstr(page, want))
            fail("the page does not say \"%s\"", want);
    }
}

/* Takes every cut out of s, in place. */
static void remove_all(char *s, const char *cut)
{
    size_t n = strlen(cut);
    char *w = s;
    for (const char *r = s; *r;)
        if (strncmp(r, cut, n) == 0)
            r += n;
        else
            *w++ = *r++;
    *w = 0;
}

/* Whether class index c is named by the page: in the ranking, the class
 * table or the timeline's legend. */
static bool named(json_t *classes, json_t *rank, json_t *stats, json_t *legend, size_t c)
{
    const char *key = json_string_value(json_object_get(json_array_get(classes, c), "class_key"));
    size_t k;
    json_t *v;
    json_array_foreach(legend, k, v) if ((size_t)json_integer_value(v) == c) return true;
    json_array_foreach(rank, k, v) if (strcmp(json_string_value(json_object_get(v, "class_key")),
                                              key) == 0) return true;
    json_array_foreach(stats, k, v) if (strcmp(json_string_value(json_object_get(v, "class_key")),
                                               key) == 0) return true;
    return false;
}

/* The classes the page names have distinct palette colours ("#rrggbb")
 * while the palette lasts (PALETTE of them); every other class a muted
 * shade ("hsl(...)"), which no named class has. */
#define PALETTE 21
static void check_colors(json_t *classes, json_t *rank, json_t *stats, json_t *legend)
{
    size_t n = json_array_size(classes), n_named = 0, n_hex = 0;
    for (size_t c = 0; c < n; c++) {
        const char *col = json_string_value(json_object_get(json_array_get(classes, c), "color"));
        bool is_named = named(classes, rank, stats, legend, c), hex = col && col[0] == '#';
        n_named += is_named;
        n_hex += hex;
        if (hex && !is_named)
            fail("class %zu is not named on the page but has a palette colour %s", c, col);
        for (size_t d = 0; hex && d < c; d++) {
            const char *o = json_string_value(json_object_get(json_array_get(classes, d), "color"));
            if (o && strcmp(o, col) == 0)
                fail("classes %zu and %zu, both named on the page, share the colour %s", d, c, col);
        }
    }
    if (n_hex != (n_named < PALETTE ? n_named : PALETTE))
        fail("%zu classes are named on the page, %zu have palette colours", n_named, n_hex);
}

int main(int argc, char **argv)
{
    long long want_ops = -1, want_shown = -1, want_path = -1, want_rows = -1;
    const char *top = NULL;
    if (argc < 2) {
        fprintf(stderr, "usage: htmlcheck FILE [--ops N] [--shown N] [--path-shown N] [--top KEY] "
                        "[--class-rows N] [--text TEXT]... [--absent TEXT]...\n");
        return 2;
    }
    file = argv[1];
    size_t len;
    char *page = slurp(file, &len);
    if (!page) {
        perror(file);
        return 1;
    }
    if (strlen(page) != len)
        fail("the page holds a NUL byte");
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *opt = argv[i], *val = argv[i + 1];
        if (strcmp(opt, "--ops") == 0)
            want_ops = atoll(val);
        else if (strcmp(opt, "--shown") == 0)
            want_shown = atoll(val);
        else if (strcmp(opt, "--path-shown") == 0)
            want_path = atoll(val);
        else if (strcmp(opt, "--top") == 0)
            top = val;
        else if (strcmp(opt, "--class-rows") == 0)
            want_rows = atoll(val);
        else if (strcmp(opt, "--text") == 0 && !strstr(page, val))
            fail("the page does not hold \"%s\"", val);
        else if (strcmp(opt, "--absent") == 0 && strstr(page, val))
            fail("the page holds \"%s\"", val);
    }

    /* the data block, cut out of the page */
    static const char open_tag[] = "<script type=\"application/json\" id=\"wcprof-data\">";
    char *d0 = strstr(page, open_tag), *d1 = d0 ? strstr(d0, "</script>") : NULL;
    if (!d0 || !d1) {
        fail("no data block");
        return 1;
    }
    if (strstr(d1, open_tag))
        fail("two data blocks");
    d0 += sizeof open_tag - 1;
    if (memchr(d0, '<', (size_t)(d1 - d0)))
        fail("the data holds a \"<\"");
    json_error_t err;
    json_t *data = json_loadb(d0, (size_t)(d1 - d0), 0, &err);
    if (!data) {
        fail("data: line %d, column %d: %s", err.line, err.column, err.text);
        return 1;
    }
    memmove(d0, d1, strlen(d1) + 1); /* the page without its data */
    check_self_contained(page);

    json_t *format = json_object_get(data, "format");
    if (!json_is_string(format) || strcmp(json_string_value(format), "wcprof-html/1") != 0)
        fail("data: format is not \"wcprof-html/1\"");
    json_t *summary = get(data, "summary", JSON_OBJECT),
           *classes = get(data, "classes", JSON_ARRAY);
    json_t *stats = get(data, "class_stats", JSON_ARRAY), *rank = get(data, "rank", JSON_ARRAY);
    json_t *timeline = get(data, "timeline", JSON_OBJECT), *v;
    size_t k;
    if (failures)
        return 1;
    if (want_ops >= 0 && iget(summary, "ops") != want_ops)
        fail("summary: %lld ops, expected %lld", iget(summary, "ops"), want_ops);
    check_timeline(timeline, json_array_size(classes), want_ops, want_shown, want_path, page);
    /* the page with the keys' line-break opportunities and their parts'
     * spans taken out: a key cell reads </i>KEY</td> */
    char *plain = strdup(page);
    remove_all(plain, "<wbr>");
    remove_all(plain, "<span>");
    remove_all(plain, "</span>");
    json_array_foreach(stats, k, v)
    {
        char *esc = html_escape(json_string_value(json_object_get(v, "class_key")));
        char *cell = NULL;
        if (asprintf(&cell, "</i>%s</td>", esc) < 0 || !strstr(plain, cell))
            fail("the class table lacks \"%s\"", esc);
        free(cell);
        free(esc);
    }
    if (want_rows >= 0 && (long long)json_array_size(stats) != want_rows)
        fail("the class table has %zu rows, expected %lld", json_array_size(stats), want_rows);
    check_colors(classes, rank, stats, get(timeline, "legend", JSON_ARRAY));
    free(plain);
    if (top) {
        json_t *first = json_array_get(rank, 0);
        const char *key = json_string_value(json_object_get(first, "class_key"));
        char *esc = html_escape(top);
        if (!key || strcmp(key, top) != 0)
            fail("the ranking's first class is \"%s\", expected \"%s\"", key ? key : "(none)", top);
        if (!strstr(page, esc))
            fail("the page does not show the top class \"%s\"", esc);
        free(esc);
    }
    json_decref(data);
    free(page);
    return failures ? 1 : 0;
}
