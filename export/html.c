/* html.c - the html export: one self-contained page about one run.
 *
 *   SELECT wcprof_export('html', 'report.html');
 *   SELECT wcprof_export('html', 'report.html', 'top=20 max_ops=5000');
 *
 * The page holds, in this order: the run's summary (run_summary and
 * replay_summary), a zoomable timeline of the ops with the baseline's
 * critical path, the what-if ranking (whatif_rank's, at factor 0.5, with a
 * speed-up curve per class shown: its replays at 0.9 ... 0), the resources
 * (model/resources.h: resource_stats' rows; the top summary card names the
 * resource instead of the top class when its critical sections, halved,
 * save more) and the class
 * table (class_stats, with each class's critical time), then where the
 * time went (docs/spec/analysis.md §7: the utilization and concurrency
 * curves, the MMU curve, work/span/parallelism with Brent's bounds, a
 * duration histogram per task class key, the roots being the tasks; drawn
 * as SVG, no script needed). Nothing is
 * computed here: every number comes from the views and table-valued
 * functions, queried on the export's own connection, and from the run's
 * model: its op graph, and the ranking (wcp_rank, whatif_rank's own).
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
 * classes=N, the rows of the class table (default 20, those with the most
 * self time; 0: all); max_ops=N, the most ops the timeline draws (default
 * 20000). A larger run shows the ops on the critical path and then the
 * longest ones, each with its ancestors; a longer critical path shows its
 * longest segments. The page says how many of each were left out.
 *
 * One clock on the timeline: ops at their recorded times, and each
 * critical-path segment (the baseline replay's) drawn within its op's
 * recorded interval, at the offset it has from the op's replayed start;
 * its tooltip gives its replayed times and length. Savings are replay
 * times, so their share is of the baseline replay's makespan, and the page
 * says so.
 *
 * Colours: the classes the page names (the ranking's, the class table's,
 * the timeline legend's) each get a distinct colour of a palette; the
 * others a muted shade (colors()).
 */
#define _GNU_SOURCE
#include "export.h"
#include "resources.h"
#include "sat.h"
#include "tasks.h"
#include "util.h"
#include "whatif.h"
#include "format_ns.h"
#include "ids.h"

#include "wcp_report_css.h"
#include "wcp_report_js.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DEFAULT_TOP 10
#define DEFAULT_CLASSES 20
#define DEFAULT_MAX_OPS 20000
#define MAX_LEGEND 16 /* classes named in the timeline's legend */
/* The curves' factors, from the largest speed-up to the smallest; the
 * middle one (0.5, "twice as fast") orders the ranking (whatif_rank). Only
 * the classes shown are replayed at the others (wcp_rank). */
#define N_FACTORS 5
#define RANK_FACTOR 2
static const double factors[N_FACTORS] = {0, 0.25, 0.5, 0.75, 0.9};
_Static_assert(RANK_FACTOR == N_FACTORS / 2, "wcp_rank ranks at the middle factor");

/* The summary's columns, in the order of SUMMARY_SQL. */
enum {
    S_EPOCH,
    S_DUMPS,
    S_OPS,
    S_ROOTS,
    S_OPEN,
    S_DROPPED,
    S_ORPHANS,
    S_SPAN,
    S_MAKESPAN,
    S_BASELINE,
    S_DRIFT,
    S_CYCLES,
    S_FALLBACKS,
    S_UNFINISHED,
    S_WARNING,
    S_SOURCES,
    S_N
};
#define SUMMARY_SQL                                                                                \
    "SELECT s.epoch_unix_nano, s.dumps, s.ops, s.roots, s.open_ops, s.dropped_events,"             \
    " s.orphan_waits, s.span_ns, s.makespan_ns, f.baseline_ns, f.drift_pct, f.cycles_broken,"      \
    " f.fallback_anchors, f.unfinished_ops, s.warning,"                                            \
    " (SELECT group_concat(source, ', ') FROM"                                                     \
    "   (SELECT source FROM dumps WHERE run_id = ?1 ORDER BY id)) AS sources"                      \
    " FROM run_summary s JOIN replay_summary(?1) f WHERE s.run_id = ?1"

/* The class table's rows, the path's. */
#define CLASSES_SQL                                                                                \
    "SELECT class_key, work_type, count, total_self_ns, total_wall_ns, p50_self_ns,"               \
    " p95_self_ns, max_self_ns, dup_executed FROM class_stats WHERE run_id = ?1"                   \
    " ORDER BY total_self_ns DESC, class_key"
#define PATH_SQL                                                                                   \
    "SELECT op_id, what, resource, start_ns, end_ns FROM critical_path(NULL, ?1) ORDER BY seq"

/* One class of the ranking. */
typedef struct ranked {
    const char *key, *work_type; /* the model's */
    int64_t rank, total_self, critical;
    int64_t saved[N_FACTORS]; /* at factors[i] */
} ranked;

/* One row of class_stats. */
typedef struct class_row {
    char *key, *work_type;
    int64_t count, self, wall, p50, p95, max, dup;
    int64_t cls; /* the model's class index */
} class_row;

/* One segment of the critical path. */
typedef struct segment {
    int32_t op; /* op index */
    char what[8];
    char *resource;     /* NULL: none */
    int64_t start, end; /* replayed times */
} segment;

/* A class's colour: "#rrggbb" or "hsl(H,S%,L%)". */
typedef struct color {
    char css[24];
} color;

typedef struct html {
    wcp_export *e;
    const wcp_model *m;
    wcp_out *o;
    int64_t top, max_classes, max_ops;
    sqlite3_value *summary[S_N]; /* the summary row (sqlite3_value_dup) */
    ranked *rank;                /* the classes shown, best first */
    size_t n_rank;
    class_row *classes; /* the class table's rows (at most max_classes) */
    size_t n_classes, cap_classes, classes_total;
    segment *path;                       /* the segments drawn, in path order */
    size_t n_path, cap_path, path_total; /* drawn, room, on the path */
    int32_t *shown; /* per op: its position among the ops drawn, -1: left out */
    uint32_t n_shown;
    uint8_t *crit;                       /* per op: on the critical path */
    color *color;                        /* per class of the model */
    uint32_t *legend, n_legend, n_drawn; /* the legend's classes; classes drawn */
    wcp_resource *res;                   /* the resources (model/resources.h), n_res */
    size_t n_res;
} html;

/* ---- small helpers */

/* A new zeroed element at the end of *arr (n elements, room for *cap),
 * or NULL when out of memory (*arr unchanged). */
static void *append(void *arr, size_t *n, size_t *cap, size_t size)
{
    void **p = arr;
    if (!wcp_grow(p, cap, *n + 1, size))
        return NULL;
    char *e = (char *)*p + (*n)++ * size;
    memset(e, 0, size);
    return e;
}

static char *dup_text(sqlite3_stmt *st, int col)
{
    const char *s = (const char *)sqlite3_column_text(st, col);
    return strdup(s ? s : "");
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

/* A class key's hash (FNV-1a, then murmur3's finish): its colours'
 * starting point, so that a class keeps its colour from report to report. */
static uint32_t key_hash(const char *key)
{
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

/* The colours of the classes the page names, far from each other and from
 * the critical path's red outline: 11 strong ones (Tableau 10 without its
 * red and grey, and three darker ones), used first, then 10 light ones. */
static const char *const palette[] = {
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#393b79", "#637939", "#7b4173", /* strong */
    "#aec7e8", "#ffbb78", "#98df8a", "#c5b0d5", "#c49c94", "#f7b6d2",
    "#dbdb8d", "#9edae5", "#cedb9c", "#e7cb94"}; /* light */
#define N_STRONG 11
#define N_PALETTE (sizeof palette / sizeof palette[0])

/* Runs sql with ?1 bound to the run, and hands each row to row (which
 * returns -1 when out of memory). 0, or -1 with the error. */
static int each_row(html *h, const char *sql, int (*row)(html *h, sqlite3_stmt *st))
{
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(h->e->db, sql, -1, &st, NULL) != SQLITE_OK)
        return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
    sqlite3_bind_int64(st, 1, h->e->run);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (row(h, st) < 0) {
            rc = SQLITE_NOMEM;
            break;
        }
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_NOMEM)
        return wcp_export_fail(h->e, "out of memory");
    return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
}

/* ---- options */

/* Option name as a whole number >= min (def when absent). 0, or -1 with
 * the error. */
static int count_option(html *h, const char *name, int64_t def, int64_t min, int64_t *out)
{
    char *v;
    int rc = wcp_export_int_option(h->e, name, def, min, out, &v);
    if (rc == WCP_OPT_REPEATED)
        wcp_export_fail(h->e, "option %s is given more than once", name);
    else if (rc == WCP_OPT_BAD)
        wcp_export_fail(h->e, "option %s: expected a whole number >= %lld, got \"%s\"", name,
                        (long long)min, v);
    free(v);
    return rc == 0 ? 0 : -1;
}

/* ---- the data, from the views and the analyses */

static int summary_row(html *h, sqlite3_stmt *st)
{
    for (int i = 0; i < S_N; i++)
        if (!(h->summary[i] = sqlite3_value_dup(sqlite3_column_value(st, i))))
            return -1;
    return 0;
}

static int64_t sum_int(const html *h, int col)
{
    return sqlite3_value_int64(h->summary[col]);
}

/* The ranking: every class by its saving at factors[RANK_FACTOR], the top
 * ones kept and replayed at the other factors (wcp_rank, as whatif_rank
 * ranks). 0, or -1 when out of memory. */
static int load_rank(html *h)
{
    wcp_ranking rk;
    if (wcp_rank(h->m, h->e->stop, factors, N_FACTORS, 0, (size_t)h->top, true, &rk) < 0)
        return -1;
    h->rank = calloc(rk.n ? rk.n : 1, sizeof *h->rank);
    for (size_t i = 0; h->rank && i < rk.n; i++) {
        const wcp_class *k = &h->m->classes.cls[rk.r[i].cls];
        ranked *r = &h->rank[h->n_rank++];
        *r = (ranked){k->key, k->work_type, (int64_t)i + 1, k->total_self, k->critical, {0}};
        memcpy(r->saved, rk.r[i].saved, sizeof r->saved);
    }
    wcp_ranking_free(&rk);
    return h->rank ? 0 : -1;
}

static int class_row_add(html *h, sqlite3_stmt *st)
{
    if (h->max_classes && (int64_t)h->classes_total++ >= h->max_classes)
        return 0; /* counted, not shown */
    if (!h->max_classes)
        h->classes_total++;
    class_row *c = append(&h->classes, &h->n_classes, &h->cap_classes, sizeof *c);
    if (!c)
        return -1;
    *c = (class_row){.key = dup_text(st, 0),
                     .work_type = dup_text(st, 1),
                     .count = sqlite3_column_int64(st, 2),
                     .self = sqlite3_column_int64(st, 3),
                     .wall = sqlite3_column_int64(st, 4),
                     .p50 = sqlite3_column_int64(st, 5),
                     .p95 = sqlite3_column_int64(st, 6),
                     .max = sqlite3_column_int64(st, 7),
                     .dup = sqlite3_column_int64(st, 8)};
    if (!c->key || !c->work_type)
        return -1;
    c->cls = wcp_classes_find(&h->m->classes, c->key);
    return 0;
}

static int path_row(html *h, sqlite3_stmt *st)
{
    segment *s = append(&h->path, &h->n_path, &h->cap_path, sizeof *s);
    if (!s)
        return -1;
    *s = (segment){.op = wcp_graph_find(&h->m->g, sqlite3_column_int64(st, 0)),
                   .start = sqlite3_column_int64(st, 3),
                   .end = sqlite3_column_int64(st, 4)};
    snprintf(s->what, sizeof s->what, "%s", (const char *)sqlite3_column_text(st, 1));
    if (sqlite3_column_type(st, 2) != SQLITE_NULL && !(s->resource = dup_text(st, 2)))
        return -1;
    if (s->op >= 0)
        h->crit[s->op] = 1;
    return 0;
}

/* Everything the page shows, from the views and the analyses. */
static int load(html *h)
{
    if (each_row(h, SUMMARY_SQL, summary_row) < 0)
        return -1;
    if (!h->summary[0])
        return wcp_export_fail(h->e, "no summary for run %lld", (long long)h->e->run);
    if (load_rank(h) < 0)
        return wcp_export_fail(h->e, "out of memory");
    if (each_row(h, CLASSES_SQL, class_row_add) < 0)
        return -1;
    if (wcp_resources(h->e->db, h->m, h->e->stop, &h->res, &h->n_res, h->e->err, sizeof h->e->err) <
        0)
        return -1;
    return each_row(h, PATH_SQL, path_row);
}

/* The resource whose critical sections, halved, save the most, when that
 * is more than the ranking's first class saves at twice as fast (the true
 * bottleneck is then the lock, not one class of the work under it); else
 * NULL. Ties: the first in critical-time order. */
static const wcp_resource *top_resource(const html *h)
{
    const wcp_resource *best = NULL;
    for (size_t i = 0; i < h->n_res; i++)
        if (h->res[i].saved_half_ns > 0 && (!best || h->res[i].saved_half_ns > best->saved_half_ns))
            best = &h->res[i];
    if (best && h->n_rank && h->rank[0].saved[RANK_FACTOR] >= best->saved_half_ns)
        return NULL;
    return best;
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
            uint32_t need = 0; /* need <= n: the cycle guard (the graph has none, §1.7) */
            for (int32_t a = (int32_t)order[k]; a >= 0 && h->shown[a] < 0 && need < n;
                 a = g->parent[a])
                need++;
            if (count + need > h->max_ops)
                continue;
            for (int32_t a = (int32_t)order[k]; a >= 0 && h->shown[a] < 0; a = g->parent[a])
                h->shown[a] = 0; /* stops: each step shows one more op */
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

/* ---- colours */

/* Classes by total self time (largest first), then index: the legend's order. */
static int by_self(const void *a, const void *b, void *ctx)
{
    const wcp_class *cls = ((const html *)ctx)->m->classes.cls;
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (cls[i].total_self != cls[j].total_self)
        return cls[i].total_self > cls[j].total_self ? -1 : 1;
    return i < j ? -1 : i > j;
}

/* Gives class c a colour of the palette, unless it has one: a strong one
 * while any is free, else a light one; within either, the one its key
 * hashes to or, when an earlier class took that, the next free one. */
static void name_class(html *h, int64_t c, uint8_t *taken, uint8_t *named)
{
    if (c < 0 || named[c])
        return;
    named[c] = 1;
    uint32_t hash = key_hash(h->m->classes.cls[c].key);
    for (uint32_t base = 0, n = N_STRONG; base < N_PALETTE; base += n, n = N_PALETTE - N_STRONG)
        for (uint32_t k = 0; k < n; k++) {
            uint32_t slot = base + (hash % n + k) % n;
            if (!taken[slot]) {
                taken[slot] = 1;
                snprintf(h->color[c].css, sizeof h->color[c].css, "%s", palette[slot]);
                return;
            }
        }
    named[c] = 0; /* the palette is used up: it keeps its muted shade */
}

/* The classes' colours. The classes the page names get distinct ones, in
 * this order: the ranking's, the class table's, the legend's (the
 * MAX_LEGEND classes drawn with the most self time). Every other class
 * (and any beyond the palette) gets a muted shade of the hue its key
 * hashes to, which no palette colour is. A class keeps its colour in every
 * report where no class named before it wants the same one. */
static int colors(html *h)
{
    const wcp_model *m = h->m;
    uint32_t nc = m->classes.n;
    uint8_t *taken = calloc(N_PALETTE, 1), *named = calloc(nc ? nc : 1, 1),
            *drawn = calloc(nc ? nc : 1, 1);
    h->color = calloc(nc ? nc : 1, sizeof *h->color);
    h->legend = malloc((nc ? nc : 1) * sizeof *h->legend);
    if (!taken || !named || !drawn || !h->color || !h->legend) {
        free(taken), free(named), free(drawn);
        return wcp_export_fail(h->e, "out of memory");
    }
    for (uint32_t c = 0; c < nc; c++)
        snprintf(h->color[c].css, sizeof h->color[c].css, "hsl(%u,14%%,78%%)",
                 key_hash(m->classes.cls[c].key) % 24 * 15);
    for (uint32_t i = 0; i < m->g.n_ops; i++)
        if (h->shown[i] >= 0 && !drawn[m->classes.of_op[i]]) {
            drawn[m->classes.of_op[i]] = 1;
            h->legend[h->n_drawn++] = m->classes.of_op[i];
        }
    qsort_r(h->legend, h->n_drawn, sizeof *h->legend, by_self, h);
    h->n_legend = h->n_drawn < MAX_LEGEND ? h->n_drawn : MAX_LEGEND;
    for (size_t i = 0; i < h->n_rank; i++)
        name_class(h, wcp_classes_find(&m->classes, h->rank[i].key), taken, named);
    for (size_t i = 0; i < h->n_classes; i++)
        name_class(h, h->classes[i].cls, taken, named);
    for (uint32_t i = 0; i < h->n_legend; i++)
        name_class(h, h->legend[i], taken, named);
    free(taken), free(named), free(drawn);
    return 0;
}

/* The colour of the class with key key. */
static const char *class_css(const html *h, const char *key)
{
    int64_t c = wcp_classes_find(&h->m->classes, key);
    return c >= 0 ? h->color[c].css : "#d0d5dd";
}

/* ---- the page */

static void put_ns(wcp_out *o, int64_t ns)
{
    char buf[32];
    wcp_out_puts(o, wcp_format_ns(buf, sizeof buf, ns));
}

static void put_int(wcp_out *o, int64_t v)
{
    char buf[48];
    wcp_out_puts(o, fmt_int(buf, sizeof buf, v));
}

static void swatch(const html *h, const char *key)
{
    wcp_out_printf(h->o, "<i class=\"sw\" style=\"--c:%s\"></i>", class_css(h, key));
}

static void card(wcp_out *o, const char *label, const char *cls)
{
    wcp_out_printf(o, "<div class=\"card%s%s\"><div class=\"lbl\">%s</div><div class=\"val\">",
                   cls ? " " : "", cls ? cls : "", label);
}

/* A section's start: its id, title and introduction (static text). */
static void open_section(wcp_out *o, const char *id, const char *title, const char *intro)
{
    wcp_out_printf(o, "<section id=\"%s\">\n<h2>%s</h2>\n<p class=\"intro\">%s</p>\n", id, title,
                   intro);
}

/* A table of classes' start; a column named "#name" is numeric
 * (right-aligned). With no rows, says so and ends the section: false. */
static bool open_table(wcp_out *o, const char *id, const char *const *cols, size_t n, size_t rows)
{
    if (!rows) {
        wcp_out_puts(o, "<p>No classes.</p>\n</section>\n");
        return false;
    }
    wcp_out_printf(o, "<div class=\"scroll\"><table class=\"data\" id=\"%s\">\n<thead><tr>", id);
    for (size_t i = 0; i < n; i++)
        wcp_out_printf(o,
                       cols[i][0] == '#' && cols[i][1] ? "<th class=\"n\">%s</th>" : "<th>%s</th>",
                       cols[i] + (cols[i][0] == '#' && cols[i][1]));
    wcp_out_puts(o, "</tr></thead>\n<tbody>\n");
    return true;
}

/* Cells: a class key with its color, escaped text, a duration. */
/* A class key, escaped, each of its parts (up to and with a ':', '.',
 * '/', ',' or '(') a <span> the stylesheet keeps on one line, with a
 * line-break opportunity (<wbr>) between them, so that a narrow column
 * breaks it into its parts, never into fragments of them. td_key opens the
 * first part's span, to keep the swatch with it. */
static void put_key(wcp_out *o, const char *key)
{
    char part[256];
    bool first = true;
    while (*key) {
        if (!first)
            wcp_out_puts(o, "<wbr><span>");
        size_t n = strcspn(key, ":./,(");
        n += key[n] != 0; /* the separator ends its part */
        if (n >= sizeof part)
            n = sizeof part - 1;
        memcpy(part, key, n);
        part[n] = 0;
        wcp_out_html(o, part);
        wcp_out_puts(o, "</span>");
        key += n;
        first = false;
    }
    if (first)
        wcp_out_puts(o, "</span>");
}

static void td_key(const html *h, const char *key)
{
    wcp_out_puts(h->o, "<td class=\"key\"><span>");
    swatch(h, key);
    put_key(h->o, key);
    wcp_out_puts(h->o, "</td>");
}

static void td_text(wcp_out *o, const char *s)
{
    wcp_out_puts(o, "<td>");
    wcp_out_html(o, s);
    wcp_out_puts(o, "</td>");
}

static void td_ns(wcp_out *o, int64_t ns, bool strong)
{
    wcp_out_puts(o, strong ? "<td class=\"n strong\">" : "<td class=\"n\">");
    put_ns(o, ns);
    wcp_out_puts(o, "</td>");
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
    wcp_out_printf(o,
                   "<header>\n<h1>wcprof report <span class=\"run\">run %lld</span></h1>\n"
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
    wcp_out_puts(o,
                 "</div><div class=\"note\">first root's start to last root's end</div></div>\n");
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
    const wcp_resource *tr = top_resource(h);
    if (tr) {
        card(o, "top resource to shorten", "top");
        wcp_out_html(o, tr->name);
        wcp_out_puts(o, "</div><div class=\"note\">its critical sections twice as short save ");
        put_ns(o, tr->saved_half_ns);
        int64_t baseline = sum_int(h, S_BASELINE);
        if (baseline > 0)
            wcp_out_printf(o, " (%.1f %% of the baseline replay)",
                           100.0 * (double)tr->saved_half_ns / (double)baseline);
        if (h->n_rank) {
            wcp_out_puts(o, "; the top class, ");
            wcp_out_html(o, h->rank[0].key);
            wcp_out_puts(o, ", twice as fast: ");
            put_ns(o, h->rank[0].saved[RANK_FACTOR]);
        }
        wcp_out_puts(o, "</div></div>\n");
    } else if (h->n_rank) {
        const ranked *r = &h->rank[0];
        card(o, "top class to speed up", "top");
        swatch(h, r->key);
        wcp_out_html(o, r->key);
        wcp_out_puts(o, "</div><div class=\"note\">twice as fast saves ");
        put_ns(o, r->saved[RANK_FACTOR]);
        int64_t baseline = sum_int(h, S_BASELINE);
        if (baseline > 0)
            wcp_out_printf(o, " (%.1f %% of the baseline replay)",
                           100.0 * (double)r->saved[RANK_FACTOR] / (double)baseline);
        wcp_out_puts(o, "</div></div>\n");
    }
    wcp_out_puts(o, "</section>\n<p class=\"diag\">");
    static const struct {
        int col;
        const char *one, *many;
    } diag[] = {{S_DROPPED, "dropped event", "dropped events"},
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
    open_section(o, "timeline", "Timeline",
                 "One clock, the recorded one: each op is a bar at its recorded times, under its "
                 "parent; the ops on the baseline's critical path are outlined, and the top row "
                 "is the critical path itself, each segment drawn within its op's recorded "
                 "interval (hover a segment for its replayed times and length). Scroll to zoom, "
                 "drag to pan, double-click a bar to zoom to it, hover for details.");
    wcp_out_puts(o, "<p class=\"count\" id=\"tl-count\">");
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
    wcp_out_puts(
        o, "</p>\n<div class=\"toolbar\"><button type=\"button\" id=\"tl-in\">Zoom in</button>"
           "<button type=\"button\" id=\"tl-out\">Zoom out</button>"
           "<button type=\"button\" id=\"tl-reset\">Reset</button>"
           "<span id=\"tl-view\"></span></div>\n"
           "<div id=\"tl\"><noscript><p class=\"warning\">The timeline is drawn by a script: "
           "enable JavaScript to see it. The tables below need none.</p></noscript></div>\n"
           "<div id=\"tl-legend\" class=\"legend\"></div>\n</section>\n");
}

/* A speed-up curve: saved time (y, 0..ymax) against the share of the
 * class's self time removed (x, 0..100 %). */
static void write_curve(const html *h, const ranked *r, int64_t ymax, int w, int ht)
{
    wcp_out *o = h->o;
    wcp_out_printf(o,
                   "<svg class=\"curve\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                   "role=\"img\"><title>",
                   w, ht, w, ht);
    for (int i = N_FACTORS - 1; i >= 0; i--) {
        wcp_out_printf(o, "%s%.0f %% faster: ", i == N_FACTORS - 1 ? "" : "; ",
                       100 * (1 - factors[i]));
        put_ns(o, r->saved[i]);
    }
    wcp_out_printf(o,
                   "</title><line class=\"ax\" x1=\"1\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>"
                   "<polyline style=\"--c:%s\" points=\"1,%d",
                   ht - 1, w - 1, ht - 1, class_css(h, r->key), ht - 1);
    for (int i = N_FACTORS - 1; i >= 0; i--) {
        double x = 1 + (1 - factors[i]) * (w - 2);
        double y = ht - 1 - (ymax > 0 ? (double)r->saved[i] / (double)ymax : 0) * (ht - 3);
        wcp_out_printf(o, " %.1f,%.1f", x, y);
    }
    wcp_out_puts(o, "\"/></svg>");
}

static void write_rank(html *h)
{
    static const char *const cols[] = {"#",
                                       "class",
                                       "work type",
                                       "#self",
                                       "#critical",
                                       "#saved if 2× faster",
                                       "#of baseline",
                                       "#saved if removed",
                                       "self time cut 0 → 100 %"};
    wcp_out *o = h->o;
    int64_t baseline = sum_int(h, S_BASELINE), ymax = 0;
    for (size_t i = 0; i < h->n_rank; i++)
        if (h->rank[i].saved[0] > ymax)
            ymax = h->rank[i].saved[0];
    open_section(o, "whatif", "What to speed up",
                 "What the replay saves when one class's self time is cut, every other class "
                 "unchanged (whatif_rank), ranked by the saving when it runs twice as fast. The "
                 "curve is the saving as the class's self time is cut from 0 % (as recorded, "
                 "left) to 100 % (removed, right), on one scale for every row; hover it for the "
                 "numbers. The class's critical time bounds its saving. Savings are times of the "
                 "replay, so \"of baseline\" divides them by the baseline replay's makespan "
                 "(the replay with every class as recorded), not by the recorded makespan.");
    if (!open_table(o, "rank", cols, sizeof cols / sizeof cols[0], h->n_rank))
        return;
    for (size_t i = 0; i < h->n_rank; i++) {
        const ranked *r = &h->rank[i];
        wcp_out_printf(o, "<tr><td class=\"n\">%lld</td>", (long long)r->rank);
        td_key(h, r->key);
        td_text(o, r->work_type);
        td_ns(o, r->total_self, false);
        td_ns(o, r->critical, false);
        td_ns(o, r->saved[RANK_FACTOR], true);
        wcp_out_printf(o, "<td class=\"n\">%.1f %%</td>",
                       baseline > 0 ? 100.0 * (double)r->saved[RANK_FACTOR] / (double)baseline
                                    : 0.0);
        td_ns(o, r->saved[0], false);
        wcp_out_puts(o, "<td>");
        write_curve(h, r, ymax, 120, 28);
        wcp_out_puts(o, "</td></tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table></div>\n");
    int64_t n_cls = h->m->classes.n;
    if ((int64_t)h->n_rank < n_cls) {
        wcp_out_puts(o, "<p class=\"count\">The top ");
        put_int(o, (int64_t)h->n_rank);
        wcp_out_puts(o, " of ");
        put_int(o, n_cls);
        wcp_out_puts(o, " classes (top=N shows more, top=0 all).</p>\n");
    }
    wcp_out_puts(o, "</section>\n");
}

/* §6 rule 5: per resource, its waits, holds, critical time and savings
 * (resource_stats); only for a run that has resources. */
static void write_resources(html *h)
{
    static const char *const cols[] = {"resource",
                                       "#waits",
                                       "#waiting",
                                       "#holds",
                                       "#held",
                                       "#critical waiting",
                                       "#critical holding",
                                       "#saved if halved",
                                       "#saved if removed"};
    wcp_out *o = h->o;
    if (h->n_res == 0)
        return;
    open_section(o, "resources", "Resources",
                 "Per named resource (a lock, a pool of slots, a queue; resource_stats): the "
                 "waits for it and their total, its holds (critical sections) and the time held, "
                 "the time of the baseline's critical path spent waiting for it and holding it "
                 "(the work under its holds), and what the replay saves when every critical "
                 "section of it is halved or removed (its hold class with the classes that only "
                 "run under it). A lock's waiters are joined on the hold that let them in, so "
                 "these savings count the queue.");
    if (!open_table(o, "resource-table", cols, sizeof cols / sizeof cols[0], h->n_res))
        return;
    for (size_t i = 0; i < h->n_res; i++) {
        const wcp_resource *r = &h->res[i];
        wcp_out_puts(o, "<tr>");
        td_text(o, r->name);
        wcp_out_puts(o, "<td class=\"n\">");
        put_int(o, r->waits);
        wcp_out_puts(o, "</td>");
        td_ns(o, r->wait_ns, false);
        wcp_out_puts(o, "<td class=\"n\">");
        put_int(o, r->holds);
        wcp_out_puts(o, "</td>");
        td_ns(o, r->held_ns, false);
        td_ns(o, r->critical_wait_ns, false);
        td_ns(o, r->critical_hold_ns, false);
        td_ns(o, r->saved_half_ns, true);
        td_ns(o, r->saved_removed_ns, false);
        wcp_out_puts(o, "</tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table></div>\n</section>\n");
}

static void write_classes(html *h)
{
    static const char *const cols[] = {"class", "work type", "#count", "#total self", "share",
                                       "#p50",  "#p95",      "#max",   "#critical",   "#wall"};
    wcp_out *o = h->o;
    int64_t total = 0; /* every class's, shown or not */
    for (uint32_t c = 0; c < h->m->classes.n; c++)
        wcp_sat_inc(&total, h->m->classes.cls[c].total_self);
    open_section(o, "classes", "Classes by self time",
                 "Per class key (class_stats): its ops, their total self time (time spent in the "
                 "op itself, not in its children or waits) and its distribution, and how much of "
                 "it lies on the baseline's critical path.");
    if (!open_table(o, "class-table", cols, sizeof cols / sizeof cols[0], h->n_classes))
        return;
    for (size_t i = 0; i < h->n_classes; i++) {
        const class_row *c = &h->classes[i];
        double share = total > 0 ? 100.0 * (double)c->self / (double)total : 0;
        wcp_out_puts(o, "<tr>");
        td_key(h, c->key);
        td_text(o, c->work_type);
        wcp_out_puts(o, "<td class=\"n\">");
        put_int(o, c->count);
        wcp_out_puts(o, "</td>");
        td_ns(o, c->self, true);
        wcp_out_printf(o,
                       "<td class=\"bar\"><span class=\"track\"><i style=\"--w:%.1f%%;"
                       "--c:%s\"></i></span>%.1f %%</td>",
                       share, class_css(h, c->key), share);
        td_ns(o, c->p50, false);
        td_ns(o, c->p95, false);
        td_ns(o, c->max, false);
        td_ns(o, c->cls >= 0 ? h->m->classes.cls[c->cls].critical : 0, false);
        td_ns(o, c->wall, false);
        wcp_out_puts(o, "</tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table></div>\n");
    if (h->n_classes < h->classes_total) {
        wcp_out_puts(o, "<p class=\"count\" id=\"classes-count\">The ");
        put_int(o, (int64_t)h->n_classes);
        wcp_out_puts(o, " of ");
        put_int(o, (int64_t)h->classes_total);
        wcp_out_puts(o, " classes with the most self time (classes=N shows more, classes=0 all; "
                        "<code>SELECT * FROM class_stats</code> lists every one).</p>\n");
    }
    wcp_out_puts(o, "</section>\n");
}

/* ---- where the time went (§7) */

#define UTIL_SLICES 200
#define MMU_WIDTHS 50
#define HIST_BINS 16
#define HIST_KEYS 10

/* A polyline of n points (x in [0, w], y in [0, 1] scaled to the height). */
static void polyline(wcp_out *o, const double *x, const double *y, size_t n, int w, int ht,
                     const char *cls)
{
    wcp_out_printf(o, "<polyline class=\"%s\" points=\"", cls);
    for (size_t k = 0; k < n; k++)
        wcp_out_printf(o, "%s%.1f,%.1f", k ? " " : "", 1 + x[k] * (w - 2),
                       ht - 1 -
                           (y[k] < 0   ? 0
                            : y[k] > 1 ? 1
                                       : y[k]) *
                               (ht - 3));
    wcp_out_puts(o, "\"/>");
}

static void write_util(html *h, const wcp_util *u)
{
    wcp_out *o = h->o;
    int64_t t0 = u->t[0], len = u->t[u->n] - t0;
    double x[UTIL_SLICES], uy[UTIL_SLICES], cy[UTIL_SLICES], cmax = 0;
    size_t k = 0;
    for (int b = 0; b < UTIL_SLICES; b++) {
        /* t0 + len * b / UTIL_SLICES, without the product (len is up to 2^62) */
        int64_t q = len / UTIL_SLICES, r = len % UTIL_SLICES;
        int64_t a = t0 + q * b + r * b / UTIL_SLICES,
                e = t0 + q * (b + 1) + r * (b + 1) / UTIL_SLICES;
        double ui = 0, run = 0;
        while (k + 1 < u->n && u->t[k + 1] <= a)
            k++;
        for (size_t j = k; j < u->n && u->t[j] < e; j++) {
            int64_t lo = u->t[j] > a ? u->t[j] : a, hi = u->t[j + 1] < e ? u->t[j + 1] : e;
            ui += (double)(hi - lo) * wcp_util_u(u, j);
            run += (double)(hi - lo) * u->running[j];
        }
        x[b] = (b + 0.5) / UTIL_SLICES;
        uy[b] = e > a ? ui / (double)(e - a) : 0;
        cy[b] = e > a ? run / (double)(e - a) : 0;
        cmax = cy[b] > cmax ? cy[b] : cmax;
    }
    for (int b = 0; b < UTIL_SLICES; b++)
        cy[b] = cmax > 0 ? cy[b] / cmax : 0;
    wcp_out_puts(o, "<h3>Utilization and concurrency over time</h3>\n<svg class=\"gocurve\" "
                    "width=\"600\" height=\"120\" viewBox=\"0 0 600 120\" role=\"img\"><title>"
                    "utilization u(t) (0 to 1) and concurrency (0 to ");
    wcp_out_printf(o, "%.1f", cmax);
    wcp_out_puts(o, " ops in self), in 200 slices of the trace span</title>");
    polyline(o, x, uy, UTIL_SLICES, 600, 120, "u");
    polyline(o, x, cy, UTIL_SLICES, 600, 120, "conc");
    wcp_out_puts(o, "</svg>\n<p class=\"count\">Utilization (1 − blocked / activities, 0 where "
                    "nothing runs) and, scaled to its peak of ");
    wcp_out_printf(o, "%.1f", cmax);
    wcp_out_puts(o, ", the number of ops running their own code; from 0 to ");
    put_ns(o, len);
    wcp_out_puts(o, ". In SQL: utilization(blocked_states, buckets).</p>\n");

    double mx[MMU_WIDTHS], my[MMU_WIDTHS];
    size_t n = 0;
    double lo = log(1000.0), hi = log((double)(len > 1000 ? len : 1001));
    for (int i = 0; i < MMU_WIDTHS; i++) {
        int64_t w = i == MMU_WIDTHS - 1
                        ? len
                        : (int64_t)llround(exp(lo + (hi - lo) * i / (MMU_WIDTHS - 1)));
        int64_t at;
        mx[n] = (double)i / (MMU_WIDTHS - 1);
        my[n++] = wcp_mmu(u, w, &at);
    }
    wcp_out_puts(o, "<h3>Minimum mean utilization</h3>\n<svg class=\"gocurve\" width=\"600\" "
                    "height=\"120\" viewBox=\"0 0 600 120\" role=\"img\"><title>MMU from 1 µs "
                    "(left) to ");
    put_ns(o, len);
    wcp_out_printf(o, " (right), log scale: %.3f to %.3f</title>", my[0], my[n - 1]);
    polyline(o, mx, my, n, 600, 120, "mmu");
    wcp_out_puts(o, "</svg>\n<p class=\"count\">The lowest mean utilization over any window of "
                    "each width, from 1 µs (left) to the whole span (right, log scale). In SQL: "
                    "mmu(width), mud(width), worst_windows(width, k).</p>\n");
}

static void write_parallelism(html *h)
{
    wcp_out *o = h->o;
    const wcp_graph *g = &h->m->g;
    int64_t work = wcp_run_work(g), span = h->m->baseline, lo, hi;
    wcp_out_puts(o, "<h3>Would more workers help?</h3>\n<p>Work (all self time) ");
    put_ns(o, work);
    wcp_out_puts(o, ", span (the baseline makespan) ");
    put_ns(o, span);
    wcp_out_printf(o,
                   ", parallelism %.2f. With P workers a greedy schedule needs between "
                   "max(work/P, span) and work/P + span:</p>\n<table class=\"data\" "
                   "id=\"brent\">\n<thead><tr><th class=\"n\">workers</th><th class=\"n\">"
                   "at least</th><th class=\"n\">at most</th></tr></thead>\n<tbody>\n",
                   span > 0 ? (double)work / (double)span : 0.0);
    for (int64_t p = 1; p <= 64; p *= 2) {
        wcp_brent_bounds(work, span, p, &lo, &hi);
        wcp_out_printf(o, "<tr><td class=\"n\">%lld</td>", (long long)p);
        td_ns(o, lo, false);
        td_ns(o, hi, false);
        wcp_out_puts(o, "</tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table>\n");
}

static int by_count_desc(const void *a, const void *b)
{
    const wcp_task_class *x = a, *y = b;
    return x->count != y->count ? (x->count > y->count ? -1 : 1)
                                : (x->cls > y->cls) - (x->cls < y->cls);
}

static int write_tasks(html *h)
{
    wcp_out *o = h->o;
    const wcp_model *m = h->m;
    const wcp_graph *g = &m->g;
    uint32_t *tasks;
    size_t n, nc;
    wcp_task_class *tc;
    if (wcp_tasks(m, 0, &tasks, &n) < 0)
        return -1;
    if (wcp_task_classes(m, tasks, n, &tc, &nc) < 0) {
        free(tasks);
        return -1;
    }
    qsort(tc, nc, sizeof *tc, by_count_desc);
    wcp_out_puts(o, "<h3>Tasks: the roots, per class key</h3>\n<table class=\"data\" "
                    "id=\"tasks\">\n<thead><tr><th>class</th><th class=\"n\">tasks</th>"
                    "<th class=\"n\">p50</th><th class=\"n\">p95</th><th class=\"n\">max</th>"
                    "<th>durations (log scale, shortest left)</th></tr></thead>\n<tbody>\n");
    for (size_t k = 0; k < nc && k < HIST_KEYS; k++) {
        const wcp_task_class *t = &tc[k];
        int64_t lo = -1, hi = 0, bins[HIST_BINS] = {0}, top = 0;
        for (size_t i = 0; i < n; i++)
            if (m->classes.of_op[tasks[i]] == t->cls) {
                int64_t d = g->end[tasks[i]] - g->start[tasks[i]];
                lo = lo < 0 || d < lo ? d : lo;
                hi = d > hi ? d : hi;
            }
        double l0 = log((double)(lo > 0 ? lo : 1)), l1 = log((double)(hi > 0 ? hi : 1));
        for (size_t i = 0; i < n; i++)
            if (m->classes.of_op[tasks[i]] == t->cls) {
                int64_t d = g->end[tasks[i]] - g->start[tasks[i]];
                double f = l1 > l0 ? (log((double)(d > 0 ? d : 1)) - l0) / (l1 - l0) : 0;
                int b = (int)(f * HIST_BINS);
                b = b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b;
                top = ++bins[b] > top ? bins[b] : top;
            }
        wcp_out_puts(o, "<tr>");
        td_key(h, m->classes.cls[t->cls].key);
        wcp_out_printf(o, "<td class=\"n\">%lld</td>", (long long)t->count);
        td_ns(o, t->p50, false);
        td_ns(o, t->p95, false);
        td_ns(o, t->max, false);
        wcp_out_puts(o, "<td><svg class=\"hist\" width=\"160\" height=\"28\" viewBox=\"0 0 "
                        "160 28\" role=\"img\"><title>");
        put_ns(o, lo < 0 ? 0 : lo);
        wcp_out_puts(o, " to ");
        put_ns(o, hi);
        wcp_out_puts(o, "</title>");
        for (int b = 0; b < HIST_BINS; b++)
            if (bins[b])
                wcp_out_printf(o, "<rect x=\"%d\" y=\"%.1f\" width=\"9\" height=\"%.1f\"/>", b * 10,
                               28 - 27.0 * (double)bins[b] / (double)top,
                               27.0 * (double)bins[b] / (double)top);
        wcp_out_puts(o, "</svg></td></tr>\n");
    }
    wcp_out_puts(o, "</tbody>\n</table>\n");
    if (nc > HIST_KEYS)
        wcp_out_printf(o,
                       "<p class=\"count\">The %d task class keys with most tasks of %zu "
                       "(task_summary() has them all).</p>\n",
                       HIST_KEYS, nc);
    free(tasks);
    free(tc);
    return 0;
}

static int write_gotrace(html *h)
{
    wcp_out *o = h->o;
    wcp_util u;
    open_section(o, "where", "Where the time went",
                 "How much of the run made progress over time, the worst stretches, whether more "
                 "workers would help, and how long the tasks took (docs/spec/analysis.md §7).");
    if (h->m->g.n_ops == 0) {
        wcp_out_puts(o, "<p>No ops.</p>\n</section>\n");
        return 0;
    }
    if (wcp_util_build(&h->m->g, NULL, 0, NULL, &u) < 0)
        return wcp_export_fail(h->e, "out of memory");
    write_util(h, &u);
    wcp_util_free(&u);
    write_parallelism(h);
    if (write_tasks(h) < 0)
        return wcp_export_fail(h->e, "out of memory");
    wcp_out_puts(o, "</section>\n");
    return 0;
}

/* ---- the data block */

static void json_summary(html *h, wcp_out *o)
{
    static const char *const names[S_N] = {
        "epoch_unix_nano",  "dumps",          "ops",          "roots",
        "open_ops",         "dropped_events", "orphan_waits", "span_ns",
        "makespan_ns",      "baseline_ns",    "drift_pct",    "cycles_broken",
        "fallback_anchors", "unfinished_ops", "warning",      "sources"};
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
    for (uint32_t c = 0; c < h->m->classes.n; c++) {
        const wcp_class *k = &h->m->classes.cls[c];
        wcp_out_puts(o, c ? ",{\"class_key\":" : "{\"class_key\":");
        wcp_out_json(o, k->key);
        wcp_out_puts(o, ",\"work_type\":");
        wcp_out_json(o, k->work_type);
        wcp_out_printf(o,
                       ",\"color\":\"%s\",\"count\":%lld,\"total_self_ns\":%lld,"
                       "\"critical_ns\":%lld}",
                       h->color[c].css, (long long)k->count, (long long)k->total_self,
                       (long long)k->critical);
    }
    wcp_out_puts(o, "],\"class_stats\":[");
    for (size_t i = 0; i < h->n_classes; i++) {
        const class_row *c = &h->classes[i];
        wcp_out_puts(o, i ? ",{\"class_key\":" : "{\"class_key\":");
        wcp_out_json(o, c->key);
        wcp_out_printf(o,
                       ",\"count\":%lld,\"total_self_ns\":%lld,\"total_wall_ns\":%lld,"
                       "\"p50_self_ns\":%lld,\"p95_self_ns\":%lld,\"max_self_ns\":%lld,"
                       "\"dup_executed\":%lld}",
                       (long long)c->count, (long long)c->self, (long long)c->wall,
                       (long long)c->p50, (long long)c->p95, (long long)c->max, (long long)c->dup);
    }
    wcp_out_puts(o, "]");
}

/* A replayed time t of op i (a critical-path segment's end) on the
 * recorded clock: at the offset it has from the op's replayed start, from
 * the op's recorded start, within the op's recorded interval. */
static int64_t recorded_at(const html *h, int32_t i, int64_t t)
{
    if (i < 0)
        return t;
    const wcp_graph *g = &h->m->g;
    int64_t r = g->start[i] + (t - h->m->start[i]);
    return r < g->start[i] ? g->start[i] : r > g->end[i] ? g->end[i] : r;
}

/* The timeline: times in ns from t0 (the earliest start), ops as columns
 * (one array per attribute, position = the op's place among those drawn),
 * parent as a position (-1: a root). */
/* ,"NAME":[...]: per op drawn, the string sql gives for it (?1 the run,
 * ?2 the op id, ?3 its ident's string id), "" when none. */
static int op_strings(html *h, wcp_out *o, const char *name, const char *sql)
{
    const wcp_graph *g = &h->m->g;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h->e->db, sql, -1, &st, NULL) != SQLITE_OK)
        return wcp_export_fail(h->e, "%s", sqlite3_errmsg(h->e->db));
    wcp_out_printf(o, ",\"%s\":[", name);
    bool first = true;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (h->shown[i] < 0)
            continue;
        for (int k = 1; k <= sqlite3_bind_parameter_count(st); k++)
            sqlite3_bind_int64(st, k, k == 1 ? h->e->run : k == 2 ? g->id[i] : g->ident[i]);
        const char *v =
            sqlite3_step(st) == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
        wcp_out_puts(o, first ? "" : ",");
        wcp_out_json(o, v ? v : "");
        sqlite3_reset(st);
        first = false;
    }
    sqlite3_finalize(st);
    wcp_out_puts(o, "]");
    return 0;
}

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
    wcp_out_printf(o,
                   ",\"timeline\":{\"t0\":%lld,\"length_ns\":%lld,\"ops_total\":%u,"
                   "\"ops_shown\":%u,\"path_total\":%zu,\"path_shown\":%zu,\"max_ops\":%lld",
                   (long long)t0, (long long)(t1 - t0), g->n_ops, h->n_shown, h->path_total,
                   h->n_path, (long long)h->max_ops);
#define COLUMN(name, expr)                                                                         \
    do {                                                                                           \
        wcp_out_puts(o, ",\"" name "\":[");                                                        \
        bool first = true;                                                                         \
        for (uint32_t i = 0; i < g->n_ops; i++)                                                    \
            if (h->shown[i] >= 0) {                                                                \
                wcp_out_printf(o, first ? "%lld" : ",%lld", (long long)(expr));                    \
                first = false;                                                                     \
            }                                                                                      \
        wcp_out_puts(o, "]");                                                                      \
    } while (0)
    /* op ids beyond 2^53 would lose digits as JavaScript numbers: strings
     * (those above 2^63 too, printed unsigned: base/ids.h) */
    wcp_out_puts(o, ",\"id\":[");
    for (uint32_t i = 0, k = 0; i < g->n_ops; i++)
        if (h->shown[i] >= 0) {
            char t[WCP_ID_TEXT_MAX];
            wcp_out_printf(o, (uint64_t)g->id[i] > (1ULL << 53) ? "%s\"%s\"" : "%s%s",
                           k++ ? "," : "", wcp_id_text(t, g->id[i]));
        }
    wcp_out_puts(o, "]");
    COLUMN("parent", g->parent[i] >= 0 ? h->shown[g->parent[i]] : -1);
    COLUMN("cls", h->m->classes.of_op[i]);
    COLUMN("start", g->start[i] - t0);
    COLUMN("end", g->end[i] - t0);
    COLUMN("self", g->self_ns[i]);
    COLUMN("open", (g->flags[i] & WCP_OP_OPEN) != 0);
    COLUMN("crit", h->crit[i]);
#undef COLUMN
    /* each op's ident, and its metadata (an exec's argv); "" when none */
    if (op_strings(h, o, "ident", "SELECT value FROM strings WHERE id = ?3") < 0 ||
        op_strings(h, o, "meta",
                   "SELECT s.value FROM ops o JOIN strings s ON s.id = o.meta_id"
                   " WHERE o.run_id = ?1 AND o.id = ?2") < 0)
        return -1;
    /* The critical path: [op position (-1: not drawn), class, what, start, end,
     * resource, replayed start, replayed end]; start and end on the recorded
     * clock (recorded_at), the replayed ones relative to the baseline's start. */
    wcp_out_printf(o, ",\"path\":[");
    for (size_t s = 0; s < h->n_path; s++) {
        const segment *p = &h->path[s];
        int64_t r0 = h->m->n_path ? h->m->path[0].start : 0;
        wcp_out_printf(o, "%s[%d,%lld,\"%s\",%lld,%lld,", s ? "," : "",
                       p->op >= 0 ? h->shown[p->op] : -1,
                       p->op >= 0 ? (long long)h->m->classes.of_op[p->op] : -1LL, p->what,
                       (long long)(recorded_at(h, p->op, p->start) - t0),
                       (long long)(recorded_at(h, p->op, p->end) - t0));
        wcp_out_json(o, p->resource);
        wcp_out_printf(o, ",%lld,%lld]", (long long)(p->start - r0), (long long)(p->end - r0));
    }
    /* The legend: the classes it names (colors()), of classes_drawn drawn. */
    wcp_out_printf(o, "],\"classes_drawn\":%u,\"legend\":[", h->n_drawn);
    for (uint32_t k = 0; k < h->n_legend; k++)
        wcp_out_printf(o, "%s%u", k ? "," : "", h->legend[k]);
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
        count_option(&h, "classes", DEFAULT_CLASSES, 0, &h.max_classes) < 0 ||
        count_option(&h, "max_ops", DEFAULT_MAX_OPS, 1, &h.max_ops) < 0)
        return -1;
    h.shown = malloc((n ? n : 1) * sizeof *h.shown);
    h.crit = calloc(n ? n : 1, 1);
    if (!h.shown || !h.crit) {
        wcp_export_fail(e, "out of memory");
        goto out;
    }
    if (load(&h) < 0 || choose_ops(&h) < 0 || choose_segments(&h) < 0 || colors(&h) < 0)
        goto out;
    write_head(&h);
    write_summary(&h);
    write_timeline(&h);
    write_rank(&h);
    write_resources(&h);
    write_classes(&h);
    if (write_gotrace(&h) < 0)
        goto out;
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
    for (size_t i = 0; i < h.n_classes; i++) {
        free(h.classes[i].key);
        free(h.classes[i].work_type);
    }
    for (size_t i = 0; i < h.n_path; i++)
        free(h.path[i].resource);
    wcp_resources_free(h.res, h.n_res);
    free(h.rank);
    free(h.classes);
    free(h.path);
    free(h.shown);
    free(h.crit);
    free(h.color);
    free(h.legend);
    return rc;
}

const wcp_exporter wcp_export_html = {
    "html", "one self-contained page for a browser", "top,classes,max_ops",
    "one self-contained HTML page: summary, zoomable timeline with the critical path, "
    "what-if ranking with speed-up curves, resources, class table, utilization and MMU curves, "
    "parallelism, "
    "task durations; top: the ranked classes shown (default 10), classes: the class table's rows "
    "(default 20), 0: all",
    write_page};
