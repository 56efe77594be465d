/* export_html.c - the html export: one self-contained page about one run.
 *
 *   SELECT wcprof_export('html', 'report.html');
 *   SELECT wcprof_export('html', 'report.html', 'top=20 max_ops=5000');
 *
 * The page holds, in this order: the run's summary (run_summary and
 * replay_summary), a zoomable timeline of the ops with the baseline's
 * critical path, the what-if ranking (whatif_rank at factors 0.9 ... 0,
 * with a speed-up curve per class) and the class table (class_stats, with
 * each class's critical time). Nothing is computed here: every number
 * comes from the views and table-valued functions, queried on the export's
 * own connection, and the op graph from the run's model.
 *
 * Everything is in the one file: the CSS and the script (html/report.css,
 * html/report.js, embedded at build time), and the data, as JSON in a
 * <script type="application/json" id="wcprof-data"> block, with every "<"
 * written \u003c so that no string can end the block. The summary and the
 * tables are plain HTML and need no script; the script draws the timeline
 * from the data. Strings from the database are escaped (wcp_out_html,
 * wcp_out_json) wherever they go.
 *
 * Options: top=N, the classes of the ranking shown (default 10; 0: all);
 * max_ops=N, the most ops the timeline draws (default 20000). A larger run
 * shows the ops on the critical path and then the longest ones, each with
 * its ancestors, and the page says how many were left out.
 */
#define _GNU_SOURCE
#include "export.h"

#include "wcp_report_css.h"
#include "wcp_report_js.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_TOP 10
#define DEFAULT_MAX_OPS 20000
/* The ranking's factors, from the largest speed-up to the smallest; the
 * middle one (0.5, "twice as fast") orders the ranking (whatif_rank). */
#define RANK_FACTORS "[0,0.25,0.5,0.75,0.9]"
#define N_FACTORS 5
static const double factors[N_FACTORS] = {0, 0.25, 0.5, 0.75, 0.9};

/* The summary's columns, in the order of SUMMARY_SQL. */
enum { S_EPOCH, S_DUMPS, S_OPS, S_ROOTS, S_OPEN, S_DROPPED, S_ORPHANS, S_SPAN, S_MAKESPAN,
       S_BASELINE, S_DRIFT, S_CYCLES, S_FALLBACKS, S_UNFINISHED, S_WARNING, S_SOURCES, S_N };
#define SUMMARY_SQL                                                                               \
    "SELECT s.epoch_unix_nano, s.dumps, s.ops, s.roots, s.open_ops, s.dropped_events,"           \
    " s.orphan_waits, s.span_ns, s.makespan_ns, f.baseline_ns, f.drift_pct, f.cycles_broken,"    \
    " f.fallback_anchors, f.unfinished_ops, s.warning,"                                          \
    " (SELECT group_concat(source, ', ') FROM"                                                   \
    "   (SELECT source FROM dumps WHERE run_id = ?1 ORDER BY id)) AS sources"                    \
    " FROM run_summary s JOIN replay_summary(?1) f WHERE s.run_id = ?1"

/* One class of the ranking: whatif_rank's rows for it, pivoted. */
typedef struct ranked {
    char *key, *work_type;
    int64_t rank, total_self, critical;
    int64_t saved[N_FACTORS];  /* at factors[i] */
} ranked;

/* One row of class_stats. */
typedef struct class_row {
    char *key, *work_type;
    int64_t count, self, wall, p50, p95, max, dup;
    int64_t cls;               /* the model's class index */
} class_row;

/* One segment of the critical path. */
typedef struct segment {
    int32_t op;                /* op index */
    char what[8];
    char *resource;            /* NULL: none */
    int64_t start, end;
} segment;

typedef struct html {
    wcp_export *e;
    const wcp_model *m;
    wcp_out *o;
    int64_t top, max_ops;
    sqlite3_value *summary[S_N];   /* the summary row (sqlite3_value_dup) */
    ranked *rank;
    size_t n_rank;
    class_row *classes;
    size_t n_classes;
    segment *path;             /* the segments drawn, in path order */
    size_t n_path, path_total; /* drawn, and on the path */
    int32_t *shown;            /* per op: its position among the ops drawn, -1: left out */
    uint32_t n_shown;
    uint8_t *crit;             /* per op: on the critical path */
} html;

/* ---- small helpers */

static void *grow(void *p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return p;
    size_t c = *cap ? *cap * 2 : 16;
    void *q = realloc(p, c * size);
    if (q)
        *cap = c;
    return q;
}

static char *dup_text(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return strdup(s ? s : "");
}

/* ns as people read them, three significant digits: "456 µs", "1.23 s" (the
 * shell's rule, repl/format_ns.c; report.js has the same for the timeline). */
static const char *fmt_ns(char *buf, size_t size, int64_t ns)
{
    static const char *const units[] = {"ns", "µs", "ms", "s"};
    double v = ns < 0 ? -(double)ns : (double)ns;
    const char *sign = ns < 0 ? "-" : "";
    int u = 0;
    if (ns == 0)
        return "0";
    while (u < 3 && v >= 999.5) {
        v /= 1000;
        u++;
    }
    snprintf(buf, size, "%s%.*f %s", sign, u == 0 || v >= 99.95 ? 0 : v >= 9.995 ? 1 : 2, v,
             units[u]);
    return buf;
}

/* A whole number >= 0 with thousands separated: "1,234,567". */
static const char *fmt_int(char *buf, size_t size, int64_t v)
{
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%lld", (long long)v), k = 0;
    for (int i = 0; i < n && (size_t)k + 2 < size; i++) {
        if (i && (n - i) % 3 == 0 && digits[i - 1] != '-')
            buf[k++] = ',';
        buf[k++] = digits[i];
    }
    buf[k] = 0;
    return buf;
}

/* The color of a class, from its key alone (FNV-1a), so a class has the
 * same color in every report: one of 24 hues, 15 degrees apart, each in two
 * lightnesses. A CSS color, "hsl(H,S%,L%)". */
static const char *class_color(char *buf, size_t size, const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    h ^= h >> 16;          /* mix the high bits into the low ones (murmur3's finish) */
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    snprintf(buf, size, "hsl(%u,%u%%,%u%%)", h % 24 * 15, (h / 24) % 2 ? 55u : 65u,
             (h / 24) % 2 ? 60u : 70u);
    return buf;
}

static int prepare(html *h, sqlite3_stmt **st, const char *sql)
{
    if (sqlite3_prepare_v2(h->e->db, sql, -1, st, NULL) != SQLITE_OK)
        return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
    sqlite3_bind_int64(*st, 1, h->e->run);
    return 0;
}

/* Finishes a query stepped to its end: 0, or -1 with the error. */
static int finish(html *h, sqlite3_stmt *st, int rc)
{
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_NOMEM || rc == -1)
        return wcp_export_fail(h->e, "out of memory");
    return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
}

/* ---- options */

static int count_option(html *h, const char *name, int64_t def, int64_t min, int64_t *out)
{
    bool oom;
    char *v = wcp_export_option(h->e, name, &oom), *end;
    *out = def;
    if (oom)
        return -1;
    if (!v)
        return 0;
    long long n = strtoll(v, &end, 10);
    int rc = 0;
    if (strchr(v, ' '))
        rc = wcp_export_fail(h->e, "option %s is given more than once", name);
    else if (end == v || *end || n < min)
        rc = wcp_export_fail(h->e, "option %s: expected a whole number >= %lld, got \"%s\"", name,
                             (long long)min, v);
    *out = n;
    free(v);
    return rc;
}

/* ---- the data, from the views and the analyses */

static int load_summary(html *h)
{
    sqlite3_stmt *st;
    int rc;
    if (prepare(h, &st, SUMMARY_SQL) < 0)
        return -1;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < S_N; i++)
            if (!(h->summary[i] = sqlite3_value_dup(sqlite3_column_value(st, i))))
                rc = -1;
        if (rc == SQLITE_ROW)
            rc = sqlite3_step(st);
    } else if (rc == SQLITE_DONE) {
        sqlite3_finalize(st);
        return wcp_export_fail(h->e, "no summary for run %lld", (long long)h->e->run);
    }
    return finish(h, st, rc);
}

static int64_t sum_int(const html *h, int col)
{
    return sqlite3_value_int64(h->summary[col]);
}

static int load_rank(html *h)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;
    if (prepare(h, &st,
                "SELECT class_key, work_type, factor, saved_ns, total_self_ns, critical_ns, rank"
                " FROM whatif_rank(?2, 0, 1, ?1) WHERE ?3 <= 0 OR rank <= ?3"
                " ORDER BY rank, factor") < 0)
        return -1;
    sqlite3_bind_text(st, 2, RANK_FACTORS, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, h->top);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rank = sqlite3_column_int64(st, 6);
        if (!h->n_rank || h->rank[h->n_rank - 1].rank != rank) {
            ranked *r = grow(h->rank, &cap, h->n_rank, sizeof *r);
            if (!r) {
                rc = -1;
                break;
            }
            h->rank = r;
            r = &h->rank[h->n_rank++];
            *r = (ranked){.key = dup_text(st, 0), .work_type = dup_text(st, 1), .rank = rank,
                          .total_self = sqlite3_column_int64(st, 4),
                          .critical = sqlite3_column_int64(st, 5)};
            if (!r->key || !r->work_type) {
                rc = -1;
                break;
            }
        }
        double f = sqlite3_column_double(st, 2);
        for (int i = 0; i < N_FACTORS; i++)
            if (f == factors[i])
                h->rank[h->n_rank - 1].saved[i] = sqlite3_column_int64(st, 3);
    }
    return finish(h, st, rc);
}

static int load_classes(html *h)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;
    if (prepare(h, &st,
                "SELECT class_key, work_type, count, total_self_ns, total_wall_ns, p50_self_ns,"
                " p95_self_ns, max_self_ns, dup_executed FROM class_stats WHERE run_id = ?1"
                " ORDER BY total_self_ns DESC, class_key") < 0)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        class_row *c = grow(h->classes, &cap, h->n_classes, sizeof *c);
        if (!c) {
            rc = -1;
            break;
        }
        h->classes = c;
        c = &h->classes[h->n_classes++];
        *c = (class_row){.key = dup_text(st, 0), .work_type = dup_text(st, 1),
                         .count = sqlite3_column_int64(st, 2), .self = sqlite3_column_int64(st, 3),
                         .wall = sqlite3_column_int64(st, 4), .p50 = sqlite3_column_int64(st, 5),
                         .p95 = sqlite3_column_int64(st, 6), .max = sqlite3_column_int64(st, 7),
                         .dup = sqlite3_column_int64(st, 8)};
        if (!c->key || !c->work_type) {
            rc = -1;
            break;
        }
        c->cls = wcp_model_class(h->m, c->key);
    }
    return finish(h, st, rc);
}

static int load_path(html *h)
{
    sqlite3_stmt *st;
    size_t cap = 0;
    int rc;
    if (prepare(h, &st,
                "SELECT op_id, what, resource, start_ns, end_ns FROM critical_path(NULL, ?1)"
                " ORDER BY seq") < 0)
        return -1;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        segment *s = grow(h->path, &cap, h->n_path, sizeof *s);
        if (!s) {
            rc = -1;
            break;
        }
        h->path = s;
        s = &h->path[h->n_path++];
        *s = (segment){.op = wcp_graph_find(&h->m->g, sqlite3_column_int64(st, 0)),
                       .start = sqlite3_column_int64(st, 3), .end = sqlite3_column_int64(st, 4)};
        snprintf(s->what, sizeof s->what, "%s", (const char *)sqlite3_column_text(st, 1));
        if (sqlite3_column_type(st, 2) != SQLITE_NULL && !(s->resource = dup_text(st, 2))) {
            rc = -1;
            break;
        }
        if (s->op >= 0)
            h->crit[s->op] = 1;
    }
    return finish(h, st, rc);
}

/* ---- which ops the timeline draws */

/* Critical ops first, then the longest, then by index. */
static int by_priority(const void *a, const void *b, void *ctx)
{
    const html *h = ctx;
    const wcp_graph *g = &h->m->g;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (h->crit[i] != h->crit[j])
        return h->crit[j] - h->crit[i];
    int64_t di = g->end[i] - g->start[i], dj = g->end[j] - g->start[j];
    if (di != dj)
        return di > dj ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Every op when there are at most max_ops; else, in priority order, each op
 * that fits with those of its ancestors not yet shown (a drawn op's parent
 * is always drawn). Positions follow op order. */
static int choose_ops(html *h)
{
    const wcp_graph *g = &h->m->g;
    uint32_t n = g->n_ops, count = 0;
    for (uint32_t i = 0; i < n; i++)
        h->shown[i] = n <= h->max_ops ? 0 : -1;
    if (n > h->max_ops) {
        uint32_t *order = malloc((size_t)n * sizeof *order);
        if (!order)
            return wcp_export_fail(h->e, "out of memory");
        for (uint32_t i = 0; i < n; i++)
            order[i] = i;
        qsort_r(order, n, sizeof *order, by_priority, h);
        for (uint32_t k = 0; k < n && count < h->max_ops; k++) {
            uint32_t need = 0;
            for (int32_t a = (int32_t)order[k]; a >= 0 && h->shown[a] < 0; a = g->parent[a])
                need++;
            if (count + need > h->max_ops)
                continue;
            for (int32_t a = (int32_t)order[k]; a >= 0 && h->shown[a] < 0; a = g->parent[a])
                h->shown[a] = 0;
            count += need;
        }
        free(order);
    }
    h->n_shown = 0;
    for (uint32_t i = 0; i < n; i++)
        if (h->shown[i] >= 0)
            h->shown[i] = (int32_t)h->n_shown++;
    return 0;
}

static int by_length(const void *a, const void *b, void *ctx)
{
    const segment *p = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int64_t li = llabs(p[i].end - p[i].start), lj = llabs(p[j].end - p[j].start);
    if (li != lj)
        return li > lj ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* At most max_ops segments of the critical path are drawn: the longest, in
 * path order. */
static int choose_segments(html *h)
{
    h->path_total = h->n_path;
    if (h->n_path <= (size_t)h->max_ops)
        return 0;
    size_t *order = malloc(h->n_path * sizeof *order);
    uint8_t *keep = calloc(h->n_path, 1);
    if (!order || !keep) {
        free(order);
        free(keep);
        return wcp_export_fail(h->e, "out of memory");
    }
    for (size_t i = 0; i < h->n_path; i++)
        order[i] = i;
    qsort_r(order, h->n_path, sizeof *order, by_length, h->path);
    for (size_t k = 0; k < (size_t)h->max_ops; k++)
        keep[order[k]] = 1;
    size_t n = 0;
    for (size_t i = 0; i < h->n_path; i++) {
        if (keep[i])
            h->path[n++] = h->path[i];
        else
            free(h->path[i].resource);
    }
    h->n_path = n;
    free(order);
    free(keep);
    return 0;
}

/* ---- the page */

static void put_ns(wcp_out *o, int64_t ns)
{
    char buf[32];
    wcp_out_puts(o, fmt_ns(buf, sizeof buf, ns));
}

static void put_int(wcp_out *o, int64_t v)
{
    char buf[48];
    wcp_out_puts(o, fmt_int(buf, sizeof buf, v));
}

static void swatch(wcp_out *o, const char *key)
{
    char c[32];
    wcp_out_printf(o, "<i class=\"sw\" style=\"--c:%s\"></i>", class_color(c, sizeof c, key));
}

static void card(wcp_out *o, const char *label, const char *cls)
{
    wcp_out_printf(o, "<div class=\"card%s%s\"><div class=\"lbl\">%s</div><div class=\"val\">",
                   cls ? " " : "", cls ? cls : "", label);
}

static void write_head(html *h)
{
    wcp_out *o = h->o;
    wcp_out_printf(o,
                   "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                   "<title>wcprof report: run %lld</title>\n<style>\n",
                   (long long)h->e->run);
    wcp_out_write(o, wcp_report_css, sizeof wcp_report_css - 1);
    wcp_out_puts(o, "</style>\n</head>\n<body>\n");
}

static void write_summary(html *h)
{
    wcp_out *o = h->o;
    char when[64] = "";
    time_t t = (time_t)(sum_int(h, S_EPOCH) / 1000000000);
    struct tm tm;
    if (t > 0 && gmtime_r(&t, &tm))
        strftime(when, sizeof when, " · recorder started %Y-%m-%d %H:%M:%S UTC", &tm);
    const char *src = (const char *)sqlite3_value_text(h->summary[S_SOURCES]);
    wcp_out_printf(o, "<header>\n<h1>wcprof report <span class=\"run\">run %lld</span></h1>\n"
                      "<p class=\"sub\">",
                   (long long)h->e->run);
    wcp_out_html(o, src ? src : "");
    wcp_out_printf(o, "%s</p>\n</header>\n<main>\n", when);
    const char *warning = (const char *)sqlite3_value_text(h->summary[S_WARNING]);
    if (warning && *warning) {
        wcp_out_puts(o, "<p class=\"warning\" id=\"dropped\">");
        wcp_out_html(o, warning);
        wcp_out_puts(o, "</p>\n");
    }

    int64_t makespan = sum_int(h, S_MAKESPAN);
    wcp_out_puts(o, "<section id=\"summary\" class=\"cards\">\n");
    card(o, "makespan", "big");
    put_ns(o, makespan);
    wcp_out_puts(o, "</div><div class=\"note\">first root's start to last root's end</div></div>\n");
    card(o, "baseline replay", NULL);
    put_ns(o, sum_int(h, S_BASELINE));
    wcp_out_printf(o, "</div><div class=\"note\">drift %+.2f %%</div></div>\n",
                   sqlite3_value_double(h->summary[S_DRIFT]));
    card(o, "ops", NULL);
    put_int(o, sum_int(h, S_OPS));
    wcp_out_puts(o, "</div><div class=\"note\">");
    put_int(o, sum_int(h, S_ROOTS));
    wcp_out_puts(o, sum_int(h, S_ROOTS) == 1 ? " root · " : " roots · ");
    put_int(o, sum_int(h, S_OPEN));
    wcp_out_puts(o, " open at the dump</div></div>\n");
    card(o, "span", NULL);
    put_ns(o, sum_int(h, S_SPAN));
    wcp_out_puts(o, "</div><div class=\"note\">");
    put_int(o, sum_int(h, S_DUMPS));
    wcp_out_printf(o, " dump%s</div></div>\n", sum_int(h, S_DUMPS) == 1 ? "" : "s");
    if (h->n_rank) {
        const ranked *r = &h->rank[0];
        card(o, "top class to speed up", "top");
        swatch(o, r->key);
        wcp_out_html(o, r->key);
        wcp_out_puts(o, "</div><div class=\"note\">twice as fast saves ");
        put_ns(o, r->saved[2]);
        if (makespan > 0)
            wcp_out_printf(o, " (%.1f %% of the makespan)",
                           100.0 * (double)r->saved[2] / (double)makespan);
        wcp_out_puts(o, "</div></div>\n");
    }
    wcp_out_puts(o, "</section>\n<p class=\"diag\">");
    static const struct { int col; const char *one, *many; } diag[] = {
        {S_DROPPED, "dropped event", "dropped events"},
        {S_ORPHANS, "orphan wait", "orphan waits"},
        {S_CYCLES, "cycle broken", "cycles broken"},
        {S_FALLBACKS, "fallback anchor", "fallback anchors"},
        {S_UNFINISHED, "op the replay never finished", "ops the replay never finished"}};
    for (size_t i = 0; i < sizeof diag / sizeof diag[0]; i++) {
        int64_t v = sum_int(h, diag[i].col);
        wcp_out_printf(o, "%s<span%s>", i ? " · " : "", v ? " class=\"nz\"" : "");
        put_int(o, v);
        wcp_out_printf(o, " %s</span>", v == 1 ? diag[i].one : diag[i].many);
    }
    wcp_out_puts(o, "</p>\n");
}

static void write_timeline(html *h)
{
    wcp_out *o = h->o;
    uint32_t n = h->m->g.n_ops;
    wcp_out_puts(o, "<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"intro\">"
                    "Each op is a bar on the recorded clock, under its parent; the ops on the "
                    "baseline's critical path are outlined, and the top row is the critical "
                    "path itself, segment by segment (its times are the replay's). Scroll to "
                    "zoom, drag to pan, hover for details.</p>\n<p class=\"count\" id=\"tl-count\">");
    if (h->n_shown < n) {
        wcp_out_puts(o, "<strong>");
        put_int(o, n - h->n_shown);
        wcp_out_puts(o, " of ");
        put_int(o, n);
        wcp_out_puts(o, " ops are left out</strong> (max_ops=");
        put_int(o, h->max_ops);
        wcp_out_puts(o, "): the timeline shows the ");
        put_int(o, h->n_shown);
        wcp_out_puts(o, " on the critical path and the longest, each with its parents.");
    } else if (n == 0) {
        wcp_out_puts(o, "The run has no ops.");
    } else {
        wcp_out_puts(o, "All ");
        put_int(o, n);
        wcp_out_printf(o, " op%s shown.", n == 1 ? "" : "s");
    }
    if (h->n_path < h->path_total) {
        wcp_out_puts(o, " <strong>");
        put_int(o, (int64_t)(h->path_total - h->n_path));
        wcp_out_puts(o, " of the critical path's ");
        put_int(o, (int64_t)h->path_total);
        wcp_out_puts(o, " segments are left out</strong>: the top row shows the ");
        put_int(o, (int64_t)h->n_path);
        wcp_out_puts(o, " longest.");
    }
    wcp_out_puts(o, "</p>\n<div class=\"toolbar\"><button type=\"button\" id=\"tl-in\">Zoom in</button>"
                    "<button type=\"button\" id=\"tl-out\">Zoom out</button>"
                    "<button type=\"button\" id=\"tl-reset\">Reset</button>"
                    "<span id=\"tl-view\"></span></div>\n"
                    "<div id=\"tl\"><noscript><p class=\"warning\">The timeline is drawn by a script: "
                    "enable JavaScript to see it. The tables below need none.</p></noscript></div>\n"
                    "<div id=\"tl-legend\" class=\"legend\"></div>\n</section>\n");
}

/* A speed-up curve: saved time (y, 0..ymax) against the share of the
 * class's self time removed (x, 0..100 %). */
static void write_curve(wcp_out *o, const ranked *r, int64_t ymax, int w, int ht)
{
    wcp_out_printf(o, "<svg class=\"curve\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                      "role=\"img\"><title>",
                   w, ht, w, ht);
    for (int i = N_FACTORS - 1; i >= 0; i--) {
        wcp_out_printf(o, "%s%.0f %% faster: ", i == N_FACTORS - 1 ? "" : "; ",
                       100 * (1 - factors[i]));
        put_ns(o, r->saved[i]);
    }
    char c[32];
    wcp_out_printf(o, "</title><line class=\"ax\" x1=\"1\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                      "<polyline style=\"--c:%s\" points=\"1,%d",
                   ht - 1, w - 1, ht - 1, class_color(c, sizeof c, r->key), ht - 1);
    for (int i = N_FACTORS - 1; i >= 0; i--) {
        double x = 1 + (1 - factors[i]) * (w - 2);
        double y = ht - 1 - (ymax > 0 ? (double)r->saved[i] / (double)ymax : 0) * (ht - 3);
        wcp_out_printf(o, " %.1f,%.1f", x, y);
    }
    wcp_out_puts(o, "\"/></svg>");
}

static void write_rank(html *h)
{
    wcp_out *o = h->o;
    int64_t makespan = sum_int(h, S_MAKESPAN), ymax = 0;
    for (size_t i = 0; i < h->n_rank; i++)
        if (h->rank[i].saved[0] > ymax)
            ymax = h->rank[i].saved[0];
    wcp_out_puts(o, "<section id=\"whatif\">\n<h2>What to speed up</h2>\n<p class=\"intro\">"
                    "What the replay saves when one class's self time is cut, every other class "
                    "unchanged (whatif_rank), ranked by the saving when it runs twice as fast. "
                    "The curve is the saving as the class's self time is cut from 0 % (as "
                    "recorded, left) to 100 % (removed, right), on one scale for every row; "
                    "hover it for the numbers. The class's critical time bounds its saving.</p>\n");
    if (!h->n_rank) {
        wcp_out_puts(o, "<p>No classes.</p>\n</section>\n");
        return;
    }
    wcp_out_puts(o, "<table class=\"data\" id=\"rank\">\n<thead><tr><th>#</th><th>class</th>"
                    "<th>work type</th><th class=\"n\">self</th><th class=\"n\">critical</th>"
                    "<th class=\"n\">saved if 2× faster</th><th class=\"n\">of makespan</th>"
                    "<th class=\"n\">saved if removed</th><th>self time cut 0 → 100 %</th>"
                    "</tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < h->n_rank; i++) {
        const ranked *r = &h->rank[i];
        wcp_out_printf(o, "<tr><td class=\"n\">%lld</td><td class=\"key\">", (long long)r->rank);
        swatch(o, r->key);
        wcp_out_html(o, r->key);
        wcp_out_puts(o, "</td><td>");
        wcp_out_html(o, r->work_type);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, r->total_self);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, r->critical);
        wcp_out_puts(o, "</td><td class=\"n strong\">");
        put_ns(o, r->saved[2]);
        wcp_out_printf(o, "</td><td class=\"n\">%.1f %%</td><td class=\"n\">",
                       makespan > 0 ? 100.0 * (double)r->saved[2] / (double)makespan : 0.0);
        put_ns(o, r->saved[0]);
        wcp_out_puts(o, "</td><td>");
        write_curve(o, r, ymax, 120, 28);
        wcp_out_puts(o, "</td></tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table>\n");
    int64_t n_cls = h->m->n_cls;
    if ((int64_t)h->n_rank < n_cls) {
        wcp_out_puts(o, "<p class=\"count\">The top ");
        put_int(o, (int64_t)h->n_rank);
        wcp_out_puts(o, " of ");
        put_int(o, n_cls);
        wcp_out_puts(o, " classes (top=N shows more, top=0 all).</p>\n");
    }
    wcp_out_puts(o, "</section>\n");
}

static void write_classes(html *h)
{
    wcp_out *o = h->o;
    int64_t total = 0;
    for (size_t i = 0; i < h->n_classes; i++)
        total += h->classes[i].self;
    wcp_out_puts(o, "<section id=\"classes\">\n<h2>Classes by self time</h2>\n<p class=\"intro\">"
                    "Per class key (class_stats): its ops, their total self time (time spent in "
                    "the op itself, not in its children or waits) and its distribution, and how "
                    "much of it lies on the baseline's critical path.</p>\n");
    if (!h->n_classes) {
        wcp_out_puts(o, "<p>No classes.</p>\n</section>\n");
        return;
    }
    wcp_out_puts(o, "<table class=\"data\" id=\"class-table\">\n<thead><tr><th>class</th>"
                    "<th>work type</th><th class=\"n\">count</th><th class=\"n\">total self</th>"
                    "<th class=\"bar\">share</th><th class=\"n\">p50</th><th class=\"n\">p95</th>"
                    "<th class=\"n\">max</th><th class=\"n\">critical</th>"
                    "<th class=\"n\">wall</th></tr></thead>\n<tbody>\n");
    for (size_t i = 0; i < h->n_classes; i++) {
        const class_row *c = &h->classes[i];
        double share = total > 0 ? 100.0 * (double)c->self / (double)total : 0;
        char color[32];
        wcp_out_puts(o, "<tr><td class=\"key\">");
        swatch(o, c->key);
        wcp_out_html(o, c->key);
        wcp_out_puts(o, "</td><td>");
        wcp_out_html(o, c->work_type);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_int(o, c->count);
        wcp_out_puts(o, "</td><td class=\"n strong\">");
        put_ns(o, c->self);
        wcp_out_printf(o, "</td><td class=\"bar\"><span class=\"track\"><i style=\"--w:%.1f%%;"
                          "--c:%s\"></i></span>%.1f %%</td><td class=\"n\">",
                       share, class_color(color, sizeof color, c->key), share);
        put_ns(o, c->p50);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, c->p95);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, c->max);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, c->cls >= 0 ? h->m->cls[c->cls].critical : 0);
        wcp_out_puts(o, "</td><td class=\"n\">");
        put_ns(o, c->wall);
        wcp_out_puts(o, "</td></tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table>\n</section>\n");
}

/* ---- the data block */

static void json_summary(html *h, wcp_out *o)
{
    static const char *const names[S_N] = {
        "epoch_unix_nano", "dumps", "ops", "roots", "open_ops", "dropped_events", "orphan_waits",
        "span_ns", "makespan_ns", "baseline_ns", "drift_pct", "cycles_broken", "fallback_anchors",
        "unfinished_ops", "warning", "sources"};
    wcp_out_printf(o, "\"run\":%lld,\"summary\":{", (long long)h->e->run);
    for (int i = 0; i < S_N; i++) {
        sqlite3_value *v = h->summary[i];
        wcp_out_printf(o, "%s\"%s\":", i ? "," : "", names[i]);
        switch (sqlite3_value_type(v)) {
        case SQLITE_INTEGER: wcp_out_printf(o, "%lld", (long long)sqlite3_value_int64(v)); break;
        case SQLITE_FLOAT: wcp_out_printf(o, "%.17g", sqlite3_value_double(v)); break;
        case SQLITE_NULL: wcp_out_puts(o, "null"); break;
        default: wcp_out_json(o, (const char *)sqlite3_value_text(v));
        }
    }
    wcp_out_puts(o, "}");
}

static void json_tables(html *h, wcp_out *o)
{
    wcp_out_puts(o, ",\"factors\":[");
    for (int i = 0; i < N_FACTORS; i++)
        wcp_out_printf(o, "%s%g", i ? "," : "", factors[i]);
    wcp_out_puts(o, "],\"rank\":[");
    for (size_t i = 0; i < h->n_rank; i++) {
        const ranked *r = &h->rank[i];
        wcp_out_printf(o, "%s{\"rank\":%lld,\"class_key\":", i ? "," : "", (long long)r->rank);
        wcp_out_json(o, r->key);
        wcp_out_puts(o, ",\"work_type\":");
        wcp_out_json(o, r->work_type);
        wcp_out_printf(o, ",\"total_self_ns\":%lld,\"critical_ns\":%lld,\"saved_ns\":[",
                       (long long)r->total_self, (long long)r->critical);
        for (int k = 0; k < N_FACTORS; k++)
            wcp_out_printf(o, "%s%lld", k ? "," : "", (long long)r->saved[k]);
        wcp_out_puts(o, "]}");
    }
    /* Every class of the model, in the order the ops' "cls" index. */
    wcp_out_puts(o, "],\"classes\":[");
    for (uint32_t c = 0; c < h->m->n_cls; c++) {
        const wcp_class *k = &h->m->cls[c];
        char color[32];
        wcp_out_puts(o, c ? ",{\"class_key\":" : "{\"class_key\":");
        wcp_out_json(o, k->key);
        wcp_out_puts(o, ",\"work_type\":");
        wcp_out_json(o, k->work_type);
        wcp_out_printf(o, ",\"color\":\"%s\",\"count\":%lld,\"total_self_ns\":%lld,"
                          "\"critical_ns\":%lld}",
                       class_color(color, sizeof color, k->key), (long long)k->count, (long long)k->total_self,
                       (long long)k->critical);
    }
    wcp_out_puts(o, "],\"class_stats\":[");
    for (size_t i = 0; i < h->n_classes; i++) {
        const class_row *c = &h->classes[i];
        wcp_out_puts(o, i ? ",{\"class_key\":" : "{\"class_key\":");
        wcp_out_json(o, c->key);
        wcp_out_printf(o, ",\"count\":%lld,\"total_self_ns\":%lld,\"total_wall_ns\":%lld,"
                          "\"p50_self_ns\":%lld,\"p95_self_ns\":%lld,\"max_self_ns\":%lld,"
                          "\"dup_executed\":%lld}",
                       (long long)c->count, (long long)c->self, (long long)c->wall,
                       (long long)c->p50, (long long)c->p95, (long long)c->max, (long long)c->dup);
    }
    wcp_out_puts(o, "]");
}

/* The timeline: times in ns from t0 (the earliest start), ops as columns
 * (one array per attribute, position = the op's place among those drawn),
 * parent as a position (-1: a root). */
static int json_timeline(html *h, wcp_out *o)
{
    const wcp_graph *g = &h->m->g;
    int64_t t0 = 0, t1 = 0;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (i == 0 || g->start[i] < t0)
            t0 = g->start[i];
        if (i == 0 || g->end[i] > t1)
            t1 = g->end[i];
    }
    for (size_t s = 0; s < h->n_path; s++)
        if (h->path[s].end > t1)
            t1 = h->path[s].end;
    wcp_out_printf(o, ",\"timeline\":{\"t0\":%lld,\"length_ns\":%lld,\"ops_total\":%u,"
                      "\"ops_shown\":%u,\"path_total\":%zu,\"path_shown\":%zu,\"max_ops\":%lld",
                   (long long)t0, (long long)(t1 - t0), g->n_ops, h->n_shown, h->path_total,
                   h->n_path, (long long)h->max_ops);
#define COLUMN(name, expr)                                                                        \
    do {                                                                                          \
        wcp_out_puts(o, ",\"" name "\":[");                                                       \
        bool first = true;                                                                        \
        for (uint32_t i = 0; i < g->n_ops; i++)                                                   \
            if (h->shown[i] >= 0) {                                                               \
                wcp_out_printf(o, first ? "%lld" : ",%lld", (long long)(expr));                   \
                first = false;                                                                    \
            }                                                                                     \
        wcp_out_puts(o, "]");                                                                     \
    } while (0)
    /* op ids beyond 2^53 would lose digits as JavaScript numbers: strings */
    wcp_out_puts(o, ",\"id\":[");
    for (uint32_t i = 0, k = 0; i < g->n_ops; i++)
        if (h->shown[i] >= 0)
            wcp_out_printf(o, g->id[i] > (1LL << 53) ? "%s\"%lld\"" : "%s%lld", k++ ? "," : "",
                           (long long)g->id[i]);
    wcp_out_puts(o, "]");
    COLUMN("parent", g->parent[i] >= 0 ? h->shown[g->parent[i]] : -1);
    COLUMN("cls", h->m->op_cls[i]);
    COLUMN("start", g->start[i] - t0);
    COLUMN("end", g->end[i] - t0);
    COLUMN("self", g->self_ns[i]);
    COLUMN("open", (g->flags[i] & WCP_OP_OPEN) != 0);
    COLUMN("crit", h->crit[i]);
#undef COLUMN
    wcp_out_puts(o, ",\"ident\":[");
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->e->db, "SELECT value FROM strings WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
    bool first = true;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (h->shown[i] < 0)
            continue;
        sqlite3_bind_int64(st, 1, g->ident[i]);
        const char *v = sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
        wcp_out_puts(o, first ? "" : ",");
        wcp_out_json(o, v ? v : "");
        sqlite3_reset(st);
        first = false;
    }
    sqlite3_finalize(st);
    /* The critical path: [op position (-1: not drawn), class, what, start, end, resource]. */
    wcp_out_printf(o, "],\"path\":[");
    for (size_t s = 0; s < h->n_path; s++) {
        const segment *p = &h->path[s];
        wcp_out_printf(o, "%s[%d,%lld,\"%s\",%lld,%lld,", s ? "," : "",
                       p->op >= 0 ? h->shown[p->op] : -1,
                       p->op >= 0 ? (long long)h->m->op_cls[p->op] : -1LL, p->what,
                       (long long)(p->start - t0), (long long)(p->end - t0));
        wcp_out_json(o, p->resource);
        wcp_out_puts(o, "]");
    }
    wcp_out_puts(o, "]}");
    return 0;
}

/* The data as JSON, then into the page with every "<" escaped, so that no
 * string in it can close the script element or open a comment. */
static int write_data(html *h)
{
    wcp_out j = {0};
    int rc = 0;
    wcp_out_puts(&j, "{\"format\":\"wcprof-html/1\",");
    json_summary(h, &j);
    json_tables(h, &j);
    if (json_timeline(h, &j) < 0)
        rc = -1;
    wcp_out_puts(&j, "}");
    if (rc == 0 && j.failed)
        rc = wcp_export_fail(h->e, "out of memory");
    if (rc == 0) {
        wcp_out_puts(h->o, "<script type=\"application/json\" id=\"wcprof-data\">");
        const char *run = j.buf;
        for (const char *p = j.buf; *p; p++)
            if (*p == '<') {
                wcp_out_write(h->o, run, (size_t)(p - run));
                wcp_out_puts(h->o, "\\u003c");
                run = p + 1;
            }
        wcp_out_puts(h->o, run);
        wcp_out_puts(h->o, "</script>\n");
    }
    free(j.buf);
    return rc;
}

static int write_page(wcp_export *e)
{
    html h = {.e = e, .m = e->model, .o = e->out};
    uint32_t n = e->model->g.n_ops;
    int rc = -1;
    if (count_option(&h, "top", DEFAULT_TOP, 0, &h.top) < 0 ||
        count_option(&h, "max_ops", DEFAULT_MAX_OPS, 1, &h.max_ops) < 0)
        return -1;
    h.shown = malloc((n ? n : 1) * sizeof *h.shown);
    h.crit = calloc(n ? n : 1, 1);
    if (!h.shown || !h.crit) {
        wcp_export_fail(e, "out of memory");
        goto out;
    }
    if (load_summary(&h) < 0 || load_rank(&h) < 0 || load_classes(&h) < 0 || load_path(&h) < 0 ||
        choose_ops(&h) < 0 || choose_segments(&h) < 0)
        goto out;
    write_head(&h);
    write_summary(&h);
    write_timeline(&h);
    write_rank(&h);
    write_classes(&h);
    wcp_out_puts(h.o, "</main>\n<footer>Written by wcprof's html export: one file, no network. "
                      "The data is in the script element wcprof-data, as JSON.</footer>\n");
    if (write_data(&h) < 0)
        goto out;
    wcp_out_puts(h.o, "<script>\n");
    wcp_out_write(h.o, wcp_report_js, sizeof wcp_report_js - 1);
    wcp_out_puts(h.o, "</script>\n</body>\n</html>\n");
    rc = 0;
out:
    for (int i = 0; i < S_N; i++)
        sqlite3_value_free(h.summary[i]);
    for (size_t i = 0; i < h.n_rank; i++) {
        free(h.rank[i].key);
        free(h.rank[i].work_type);
    }
    for (size_t i = 0; i < h.n_classes; i++) {
        free(h.classes[i].key);
        free(h.classes[i].work_type);
    }
    for (size_t i = 0; i < h.n_path; i++)
        free(h.path[i].resource);
    free(h.rank);
    free(h.classes);
    free(h.path);
    free(h.shown);
    free(h.crit);
    return rc;
}

const wcp_exporter wcp_export_html = {
    "html", "top,max_ops",
    "one self-contained HTML page: summary, zoomable timeline with the critical path, "
    "what-if ranking with speed-up curves, class table",
    write_page};
