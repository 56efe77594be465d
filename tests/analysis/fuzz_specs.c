/* fuzz_specs.c - fuzz target for the arguments of the analyses extension
 * (sqlext/, model/whatif.c): what-if specs (`KEY=F ...` and JSON
 * objects), factor lists (`[0,0.5]`), export formats and options, run
 * arguments, numbers and names, of every function that takes them.
 *
 * Each input is SQL-like text: every call in it of a function of the
 * extension, `name(arg, ...)` with quoted strings, numbers or NULL as
 * arguments (the seeds are the analysis cases' check.sql files), is run
 * with those arguments bound, on a fixed database of two runs (the worked
 * example and a reference fixture); wcprof_export always with a NULL path,
 * so that it returns the text and writes no file. It must never crash,
 * leak or hang, and a refusal must say why (more than the function's
 * name). A what-if spec the model accepts must round-trip: written back
 * as a JSON object, and as KEY=F words when its keys allow, it parses to
 * the same factors and whatif() gives the same makespan; an accepted
 * factor list written back parses to the same factors.
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_specs
 *   build-fuzz/tests/analysis/fuzz_specs -max_total_time=600 -max_len=1024 \
 *       build-fuzz/tests/analysis/fuzz_specs-seeds
 */
#define _GNU_SOURCE /* memfd_create (fuzz.h) */
#include "fuzz.h"
#include "whatif.h"
#include "wcprof_ext.h"

#include <ctype.h>
#include <jansson.h>
#include <math.h>

/* The functions called, and which argument is export's path (0: none). */
static const struct {
    const char *name;
    int tvf, path_arg;
} fns[] = {
    {"whatif", 1, 0},
    {"critical_path", 1, 0},
    {"whatif_rank", 1, 0},
    {"blocking_chain", 1, 0},
    {"simulated_chain", 1, 0},
    {"dead_air", 1, 0},
    {"replay_summary", 1, 0},
    {"replay_drift", 1, 0},
    {"resource_stats", 1, 0},
    {"op_breakdown", 1, 0},
    {"class_breakdown", 1, 0},
    {"utilization", 1, 0},
    {"mmu", 1, 0},
    {"mud", 1, 0},
    {"worst_windows", 1, 0},
    {"related_ops", 1, 0},
    {"parallelism", 1, 0},
    {"parallelism_bounds", 1, 0},
    {"task_summary", 1, 0},
    {"tasks", 1, 0},
    {"wcprof_export", 0, 2},
};
#define MAX_ARGS 5

static sqlite3 *db;
static wcp_model_cache cache;

static void init(void)
{
    if (db)
        return;
    db = fuzz_db(WCPROF_SOURCE_DIR "/samples/worked-example.dump");
    wcp_load_opts o = {.serial = true};
    wcp_load_stats st;
    char err[512];
    if (wcp_load_dump(db, WCPROF_SOURCE_DIR "/tests/fixtures/singleflight.dump", &o, &st, err,
                      sizeof err) != 0 ||
        wcprof_register_extension(db) != SQLITE_OK) {
        fprintf(stderr, "fuzz_specs: %s\n", err);
        abort();
    }
    cache.db = db;
}

typedef struct arg {
    int type; /* SQLITE_TEXT, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_NULL */
    char *text;
} arg;

/* One argument at *p: 'text' ('' for a quote), a number, or NULL. Returns
 * the end, or NULL when it is none of those. */
static const char *scan_arg(const char *p, const char *end, arg *a)
{
    while (p < end && isspace((unsigned char)*p))
        p++;
    if (p < end && *p == '\'') {
        size_t n = 0;
        a->text = malloc((size_t)(end - p));
        for (p++; p < end; p++) {
            if (*p == '\'') {
                if (p + 1 < end && p[1] == '\'')
                    p++;
                else
                    break;
            }
            a->text[n++] = *p;
        }
        if (p >= end) {
            free(a->text);
            return NULL;
        }
        a->text[n] = 0;
        a->type = SQLITE_TEXT;
        return p + 1;
    }
    if (end - p >= 4 && strncasecmp(p, "null", 4) == 0) {
        a->type = SQLITE_NULL;
        a->text = NULL;
        return p + 4;
    }
    size_t n = strspn(p, "+-0123456789.eE");
    if (n == 0 || (size_t)(end - p) < n)
        return NULL;
    a->text = strndup(p, n);
    a->type = strpbrk(a->text, ".eE") ? SQLITE_FLOAT : SQLITE_INTEGER;
    return p + n;
}

/* The factors spec gives (per class), or -1. */
static int parse(const wcp_model *m, const char *spec, double *f)
{
    char err[512] = "";
    int rc = wcp_parse_spec(db, m, spec, f, err, sizeof err);
    FUZZ_CHECK(rc == 0 || err[0], "spec \"%s\" refused without a reason", spec);
    return rc;
}

static int64_t whatif_makespan(const char *spec)
{
    sqlite3_stmt *st;
    int64_t ms = -1;
    if (sqlite3_prepare_v2(db, "SELECT makespan_ns FROM whatif(?1, 1)", -1, &st, NULL) != SQLITE_OK)
        abort();
    sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        ms = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return ms;
}

static bool same_factor(double a, double b)
{
    return a == b || fabs(a - b) <= 1e-15 * fmax(fabs(a), fabs(b));
}

/* An accepted spec of run 1 written back (JSON, and KEY=F words) parses
 * to the same factors, and whatif() agrees. */
static void round_trip(const char *spec)
{
    char err[512];
    wcp_model *m = wcp_model_get(&cache, 1, NULL, err, sizeof err);
    if (!m)
        abort();
    uint32_t nc = m->classes.n;
    double *f = malloc((nc + 1) * sizeof *f), *g = malloc((nc + 1) * sizeof *g);
    if (parse(m, spec, f) == 0) {
        json_t *o = json_object();
        size_t cap = 64, n = 0;
        char *words = malloc(cap);
        bool plain = true;
        words[0] = 0;
        for (uint32_t c = 0; c < nc; c++) {
            if (f[c] == 1 && !(c == nc - 1 && json_object_size(o) == 0))
                continue;
            const char *key = m->classes.cls[c].key;
            json_object_set_new(o, key, json_real(f[c]));
            plain = plain && !key[strcspn(key, ", \t\n\r\v\f")] && key[0] != '{' && key[0];
            size_t need = strlen(key) + 40;
            if (n + need > cap)
                words = realloc(words, cap = 2 * (n + need));
            n += (size_t)snprintf(words + n, cap - n, "%s%s=%.17g", n ? " " : "", key, f[c]);
        }
        char *js = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
        FUZZ_CHECK(parse(m, js, g) == 0, "\"%s\" accepted, written back as %s refused", spec, js);
        for (uint32_t c = 0; c < nc; c++)
            FUZZ_CHECK(same_factor(f[c], g[c]), "\"%s\" gives %s %.17g, written back as %s %.17g",
                       spec, m->classes.cls[c].key, f[c], js, g[c]);
        FUZZ_CHECK(whatif_makespan(spec) == whatif_makespan(js),
                   "whatif(\"%s\") and whatif('%s') differ", spec, js);
        if (plain) {
            FUZZ_CHECK(parse(m, words, g) == 0, "\"%s\" accepted, written back as \"%s\" refused",
                       spec, words);
            for (uint32_t c = 0; c < nc; c++)
                FUZZ_CHECK(same_factor(f[c], g[c]), "\"%s\" gives %s %.17g, as \"%s\" %.17g", spec,
                           m->classes.cls[c].key, f[c], words, g[c]);
        }
        free(js);
        free(words);
        json_decref(o);
    }
    free(f);
    free(g);
    wcp_model_release(m);

    double *v;
    size_t nv;
    if (wcp_parse_factors(spec, &v, &nv, err, sizeof err) == 0) {
        size_t cap = 32 * nv + 3, n = 1;
        char *text = malloc(cap);
        text[0] = '[';
        for (size_t k = 0; k < nv; k++)
            n += (size_t)snprintf(text + n, cap - n, "%s%.17g", k ? "," : "", v[k]);
        snprintf(text + n, cap - n, "]");
        double *w;
        size_t nw;
        FUZZ_CHECK(wcp_parse_factors(text, &w, &nw, err, sizeof err) == 0,
                   "factors \"%s\" accepted, written back as %s refused: %s", spec, text, err);
        FUZZ_CHECK(nw == nv, "factors \"%s\": %zu, written back %zu", spec, nv, nw);
        for (size_t k = 0; k < nv; k++)
            FUZZ_CHECK(same_factor(v[k], w[k]), "factors \"%s\" [%zu]: %.17g, then %.17g", spec, k,
                       v[k], w[k]);
        free(text);
        free(v);
        free(w);
    } else {
        FUZZ_CHECK(err[0], "factors \"%s\" refused without a reason", spec);
    }
}

/* Runs fns[k] with args, checks that an error says something. */
static void call(size_t k, arg *args, int n)
{
    char sql[256];
    int len =
        snprintf(sql, sizeof sql, fns[k].tvf ? "SELECT * FROM %s(" : "SELECT %s(", fns[k].name);
    for (int j = 0; j < n; j++)
        len += snprintf(sql + len, sizeof sql - (size_t)len, "%s?%d", j ? "," : "", j + 1);
    snprintf(sql + len, sizeof sql - (size_t)len, ")");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        FUZZ_CHECK(sqlite3_errmsg(db)[0], "%s: no message", sql);
        return; /* too many arguments for this one */
    }
    for (int j = 0; j < n; j++) {
        if (j + 1 == fns[k].path_arg || args[j].type == SQLITE_NULL)
            sqlite3_bind_null(st, j + 1);
        else if (args[j].type == SQLITE_INTEGER)
            sqlite3_bind_int64(st, j + 1, strtoll(args[j].text, NULL, 10));
        else if (args[j].type == SQLITE_FLOAT)
            sqlite3_bind_double(st, j + 1, strtod(args[j].text, NULL));
        else
            sqlite3_bind_text(st, j + 1, args[j].text, -1, SQLITE_STATIC);
    }
    int rc, rows = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && rows < 100000)
        rows++;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        const char *msg = sqlite3_errmsg(db);
        size_t n = msg ? strlen(msg) : 0;
        while (n && isspace((unsigned char)msg[n - 1]))
            n--;
        /* "fn: " alone is no message either */
        FUZZ_CHECK(n && msg[n - 1] != ':' && strcmp(msg, "not an error") != 0,
                   "%s: failed (%d) without saying why: \"%s\"", sql, rc, msg ? msg : "");
    }
    sqlite3_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    init();
    char *text = strndup((const char *)data, size); /* up to a NUL */
    const char *end = text + strlen(text);
    int calls = 0;
    for (const char *p = text; p < end && calls < 8;) {
        size_t k = 0, len = 0;
        for (; k < sizeof fns / sizeof *fns; k++) {
            len = strlen(fns[k].name);
            if (strncmp(p, fns[k].name, len) == 0 && p[len] == '(' &&
                (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '_')))
                break;
        }
        if (k == sizeof fns / sizeof *fns) {
            p++;
            continue;
        }
        arg args[MAX_ARGS];
        int n = 0;
        const char *q = p + len + 1, *r;
        while (n < MAX_ARGS && (r = scan_arg(q, end, &args[n])) != NULL) {
            n++;
            while (r < end && isspace((unsigned char)*r))
                r++;
            q = r;
            if (q < end && *q == ',')
                q++;
            else
                break;
        }
        call(k, args, n);
        for (int j = 0; j < n; j++)
            if (args[j].type == SQLITE_TEXT)
                round_trip(args[j].text);
        for (int j = 0; j < n; j++)
            free(args[j].text);
        calls++;
        p = q;
    }
    free(text);
    return 0;
}

FUZZ_MAIN("fuzz_specs")
