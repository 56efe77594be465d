/* output.c - result sets in the shell's output modes, as sqlite3 prints them.
**
**   table  +----+-------+   box  ┌────┬───────┐   markdown | id | name  |
**          | id | name  |        │ id │ name  │            |----|-------|
**          +----+-------+        ├────┼───────┤   column   id  name
**                                                          --  -----
**          (human modes: columns sized to the terminal, see fit_grid();
**          numbers right-aligned; *_ns and *_ns_at_* columns as "1.23 s",
**          start_ns and end_ns with the digits that tell them apart)
**          (every mode but quote and insert: an op id above 2^63, stored as
**          its negative bit pattern, printed as the uint64 it is: is_id_column())
**   line   one "name = value" per line, a blank line between rows (human)
**   list   values separated by .separator ("|")   (machine modes: raw values)
**   tabs   values separated by tabs
**   csv    RFC 4180 quoting, "\n" line ends
**   json   [{"name":value,...},\n{...}]
**   quote  SQL literals ('it''s', NULL, X'01')
**   insert INSERT INTO "table" VALUES(...); as .dump writes them
**   html   <TR><TD>...</TD>\n</TR>
**
** Headers: table, box, markdown and column show them unless .headers off;
** list, tabs, csv, quote, html and insert only with .headers on; line and
** json always name every value. NULL prints as .nullvalue (default "") in
** every mode but json, quote and insert.
**
** Output goes to p->out: stdout, or the file or pipe of .output and .once
** (output_open(), output_reset(), output_once_done(), at the end).
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "escape.h"
#include "ids.h"
#include "shell.h"

static const char *const mode_names[WCP_NMODES] = {"table", "box",   "csv",    "json",
                                                   "line",  "list",  "column", "markdown",
                                                   "tabs",  "quote", "insert", "html"};

const char *wcp_mode_name(enum wcp_mode m)
{
    return mode_names[m];
}

/* Sets *m from a mode name. Returns 0, or -1 for an unknown name, leaving
** *m alone. */
int wcp_mode_from_name(const char *name, enum wcp_mode *m)
{
    for (int i = 0; i < WCP_NMODES; i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *m = (enum wcp_mode)i;
            return 0;
        }
    }
    return -1;
}

/* The width to fit table output into: out's terminal, else $COLUMNS, else
** 0 meaning no limit (output to a file or a pipe is never cut). */
int wcp_term_width(FILE *out)
{
    struct winsize ws;
    const char *env = getenv("COLUMNS");
    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col;
    if (env && atoi(env) > 0)
        return atoi(env);
    return 0;
}

/* Display width of UTF-8 text: one column per code point. */
static int utf8_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            w++;
    return w;
}

/* 1 for a column of nanoseconds: its name ends in "_ns", or holds "_ns_at_"
** (.rank's saved_ns_at_0.5). */
static int is_ns_column(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return (n >= 3 && strcasecmp(name + n - 3, "_ns") == 0) || (name && strstr(name, "_ns_at_"));
}

/* 1 for a column of op ids (db/README.md, "Ids"): named id or ending in
** _id, but not thread_id (a signed thread number). A negative integer there
** is an id above 2^63 stored as its bit pattern: shown unsigned. The other
** *_id columns (run, dump, string ids) are never negative. */
static int is_id_column(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return (n == 2 && strcasecmp(name, "id") == 0) ||
           (n > 3 && strcasecmp(name + n - 3, "_id") == 0 && strcasecmp(name, "thread_id") != 0);
}

/* The uint64 id column i of the current row holds, when it is one stored
** negative (is_id_column()), into buf; else NULL. */
static const char *big_id(sqlite3_stmt *st, int i, char *buf)
{
    if (sqlite3_column_type(st, i) != SQLITE_INTEGER || sqlite3_column_int64(st, i) >= 0 ||
        !is_id_column(sqlite3_column_name(st, i)))
        return NULL;
    return wcp_id_text(buf, sqlite3_column_int64(st, i));
}

static int is_human(enum wcp_mode m)
{
    return m == MODE_TABLE || m == MODE_BOX || m == MODE_LINE || m == MODE_COLUMN ||
           m == MODE_MARKDOWN;
}

/* 1 for a mode that lays rows out in a grid (buffered to size the columns). */
static int is_grid(enum wcp_mode m)
{
    return m == MODE_TABLE || m == MODE_BOX || m == MODE_COLUMN || m == MODE_MARKDOWN;
}

/* 1 for a column of points in time rather than lengths: start_ns, end_ns
** (and names ending so). Their cells are kept raw until the whole column is
** known, then written with the digits that tell them apart (abs_format()). */
static int is_time_column(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return (n >= 8 && strcasecmp(name + n - 8, "start_ns") == 0) ||
           (n >= 6 && strcasecmp(name + n - 6, "end_ns") == 0);
}

/* The text of column i of the current row, as this mode shows it: a new
** malloc'd string (NULL only when out of memory). raw_time: leave the
** integers of time columns raw (the grid formats them per column). */
static char *cell_text(ShellState *p, sqlite3_stmt *st, int i, int raw_time)
{
    int type = sqlite3_column_type(st, i);
    char id[WCP_ID_TEXT_MAX];
    if (type == SQLITE_NULL)
        return strdup(p->nullvalue);
    if (big_id(st, i, id))
        return strdup(id);
    if (is_human(p->mode) && (type == SQLITE_INTEGER || type == SQLITE_FLOAT) &&
        is_ns_column(sqlite3_column_name(st, i)) &&
        !(raw_time && type == SQLITE_INTEGER && is_time_column(sqlite3_column_name(st, i)))) {
        char buf[64];
        double d = sqlite3_column_double(st, i);
        long long v = type == SQLITE_INTEGER            ? sqlite3_column_int64(st, i)
                      : (isfinite(d) && fabs(d) < 9e18) ? llround(d)
                                                        : 0;
        return strdup(wcp_format_ns(buf, sizeof buf, v));
    }
    const char *t = (const char *)sqlite3_column_text(st, i);
    return strdup(t ? t : "");
}

/* ---- table, box, markdown, column: buffered, so that columns can be sized */

typedef struct Grid {
    int ncol;             /* columns */
    int nrow;             /* rows buffered (not counting the header) */
    int cap;              /* rows allocated */
    char **cell;          /* (nrow + 1) * ncol strings, row 0 the header */
    unsigned char *right; /* same shape: 1 to right-align (numbers) */
    unsigned char *raw;   /* same shape: 1 for a raw integer of a time column */
} Grid;

static int grid_add_row(Grid *g)
{
    if (g->nrow + 1 >= g->cap) {
        int cap = g->cap ? g->cap * 2 : 64;
        char **c = realloc(g->cell, (size_t)cap * g->ncol * sizeof *c);
        if (!c)
            return -1;
        g->cell = c;
        unsigned char *r = realloc(g->right, (size_t)cap * g->ncol);
        if (!r)
            return -1;
        g->right = r;
        r = realloc(g->raw, (size_t)cap * g->ncol);
        if (!r)
            return -1;
        g->raw = r;
        g->cap = cap;
    }
    return 0;
}

static void grid_free(Grid *g)
{
    for (int i = 0; g->cell && i < (g->nrow + 1) * g->ncol; i++)
        free(g->cell[i]);
    free(g->cell);
    free(g->right);
    free(g->raw);
}

/* Control characters would break the grid: show them as spaces. */
static void flatten(char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Rewrites the raw cells of the time columns (start_ns, end_ns) as people
** read them, all in one unit with the decimals that tell any two different
** values apart (217.0 s and 217.4 s, not 217 s twice), and at least three
** significant digits for the largest. */
static void abs_format(Grid *g)
{
    static const struct {
        long long scale;
        const char *unit;
    } units[] = {{1000000000LL, "s"}, {1000000LL, "ms"}, {1000LL, "\xc2\xb5s"}, {1, "ns"}};
    int n = g->ncol, count = 0, u = 3, dec;
    long long max = 0, diff = 0;
    long long *v = malloc(sizeof *v * (size_t)(g->nrow * n + 1));
    if (!v)
        return;
    for (int i = n; i < (g->nrow + 1) * n; i++)
        if (g->raw[i]) {
            v[count] = strtoll(g->cell[i], NULL, 10);
            if (llabs(v[count]) > max)
                max = llabs(v[count]);
            count++;
        }
    qsort(v, (size_t)count, sizeof *v, cmp_ll);
    for (int i = 1; i < count; i++)
        if (v[i] != v[i - 1] && (diff == 0 || v[i] - v[i - 1] < diff))
            diff = v[i] - v[i - 1];
    free(v);
    if (count == 0)
        return;
    for (u = 0; u < 3 && max < units[u].scale; u++)
        ;
    /* three significant digits of the largest, then as many as the smallest
    ** difference needs, down to nanoseconds */
    dec = max / units[u].scale >= 100 ? 0 : max / units[u].scale >= 10 ? 1 : 2;
    long long step = units[u].scale;
    for (int k = 0; k < dec && step > 1; k++)
        step /= 10;
    while (diff > 0 && step > diff && step > 1) {
        step /= 10;
        dec++;
    }
    if (units[u].scale == 1)
        dec = 0;
    for (int i = n; i < (g->nrow + 1) * n; i++) {
        if (!g->raw[i])
            continue;
        long long x = strtoll(g->cell[i], NULL, 10);
        char buf[64] = "0";
        if (x != 0)
            snprintf(buf, sizeof buf, "%.*f %s", dec, (double)x / (double)units[u].scale,
                     units[u].unit);
        char *t = strdup(buf);
        if (t) {
            free(g->cell[i]);
            g->cell[i] = t;
        }
    }
}

/* The bytes of s that fit in w display columns, as one line of a wrapped
** cell: broken after the last space, '_', ':', '.', '/', ',' or '-' that
** fits, past its third column, when there is one, else at w. *next: where the following line
** starts (spaces skipped). */
static size_t wrap_line(const char *s, int w, const char **next)
{
    const char *q = s, *brk = NULL;
    int cols = 0, brk_cols = 0;
    while (*q && cols < w) {
        const char *c = q + 1;
        while (((unsigned char)*c & 0xC0) == 0x80)
            c++;
        cols++;
        if (strchr(" _:./,-", *q) && cols >= 3) {
            brk = c;
            brk_cols = cols;
        }
        q = c;
    }
    if (*q && brk && brk_cols < cols)
        q = brk;
    *next = q;
    while (**next == ' ')
        (*next)++;
    return (size_t)(q - s);
}

/* How many lines s takes in a field of w columns. */
static int wrap_count(const char *s, int w)
{
    int lines = 1;
    if (w <= 0)
        return 1;
    while (utf8_width(s) > w) {
        const char *next;
        wrap_line(s, w, &next);
        s = next;
        lines++;
    }
    return lines;
}

/* The widest piece of a header split after each '_': the narrowest it can
** be wrapped to ("total_self_ns" → "total_" "self_" "ns": 6). */
static int header_min(const char *h)
{
    int best = 0, cur = 0;
    for (; *h; h++) {
        if (((unsigned char)*h & 0xC0) != 0x80)
            cur++;
        if (*h == '_') {
            best = cur > best ? cur : best;
            cur = 0;
        }
    }
    return cur > best ? cur : best;
}

#define TEXT_MIN 12 /* text columns are wrapped down to this width, not below */

/* Sizes the columns to fit the terminal (limit columns; 0: no limit) and
** says which are shown (show[j]). Returns 1 when a one-row result should be
** printed as lines instead (it does not fit as it is). The stated order:
** .width first (a width the user set is kept, and wraps its cells); then
** headers wider than their values wrap at their '_'s; then text columns
** wrap, widest first, down to TEXT_MIN; then columns are left out: those
** empty in every row first, then from the right (never the first), and a
** line under the table names them. Numbers
** and their units are never cut. */
static int fit_grid(ShellState *p, Grid *g, int header, int *w, char *show)
{
    int n = g->ncol, sep = p->mode == MODE_COLUMN ? 2 : 3, edge = p->mode == MODE_COLUMN ? -2 : 1;
    int limit = wcp_term_width(p->out), total;
    int *data = calloc((size_t)n, sizeof *data), *floor = calloc((size_t)n, sizeof *floor);
    char *text = calloc((size_t)n, 1);
    int one_row = 0;
    if (!data || !text || !floor) {
        free(data);
        free(floor);
        free(text);
        return 0;
    }
    for (int j = 0; j < n; j++) {
        show[j] = 1;
        w[j] = header ? utf8_width(g->cell[j]) : 0;
    }
    for (int r = 1; r <= g->nrow; r++)
        for (int j = 0; j < n; j++) {
            int cw = utf8_width(g->cell[r * n + j]);
            if (cw > data[j])
                data[j] = cw;
            if (!g->right[r * n + j] && cw > 0)
                text[j] = 1;
        }
    for (int j = 0; j < n; j++) {
        if (data[j] > w[j])
            w[j] = data[j];
        if (j < p->nwidths && p->widths[j] != 0) /* .width: as set, wrapping */
            w[j] = abs(p->widths[j]);
    }
    total = edge;
    for (int j = 0; j < n; j++)
        total += w[j] + sep;
    if (limit > 0 && total > limit && g->nrow == 1 && p->nwidths == 0)
        one_row = 1;
    for (int phase = 0; phase < 2 && limit > 0 && total > limit && !one_row; phase++) {
        for (int j = 0; j < n; j++) {
            int hmin = header ? header_min(g->cell[j]) : 0;
            if (j < p->nwidths && p->widths[j] != 0)
                floor[j] = w[j];
            else if (phase == 0 || !text[j])
                floor[j] = data[j] > hmin ? data[j] : hmin;
            else
                floor[j] = data[j] < TEXT_MIN ? data[j] : TEXT_MIN;
            if (floor[j] < hmin)
                floor[j] = hmin;
        }
        while (total > limit) {
            int pick = -1;
            for (int j = 0; j < n; j++)
                if (w[j] > floor[j] && (pick < 0 || w[j] > w[pick]))
                    pick = j;
            if (pick < 0)
                break;
            w[pick]--;
            total--;
        }
    }
    for (int j = n - 1; j > 0 && limit > 0 && total > limit && !one_row; j--)
        if (data[j] == 0) { /* empty in every row: it says nothing */
            show[j] = 0;
            total -= w[j] + sep;
        }
    for (int j = n - 1; j > 0 && limit > 0 && total > limit && !one_row; j--) {
        if (!show[j])
            continue;
        show[j] = 0;
        total -= w[j] + sep;
    }
    while (limit > 0 && total < limit && !one_row) { /* the room freed to the wrapped */
        int pick = -1;
        for (int j = 0; j < n; j++)
            if (show[j] && w[j] < data[j] && !(j < p->nwidths && p->widths[j] != 0) &&
                (pick < 0 || data[j] - w[j] > data[pick] - w[pick]))
                pick = j;
        if (pick < 0)
            break;
        w[pick]++;
        total++;
    }
    free(data);
    free(floor);
    free(text);
    return one_row;
}

static void put_rule(FILE *out, const char *left, const char *mid, const char *right,
                     const char *fill, const int *w, const char *show, int ncol, int pad)
{
    int first = 1;
    fputs(left, out);
    for (int j = 0; j < ncol; j++) {
        if (!show[j])
            continue;
        if (!first)
            fputs(mid, out);
        first = 0;
        for (int k = 0; k < w[j] + pad; k++)
            fputs(fill, out);
    }
    fputs(right, out);
    fputc('\n', out);
}

/* Prints the first len bytes of s in a field of width w, padded on the
** right (or on the left when right is set). */
static void put_field(FILE *out, const char *s, size_t len, int w, int right)
{
    char tmp[1024];
    int sw;
    snprintf(tmp, sizeof tmp, "%.*s", (int)(len < sizeof tmp ? len : sizeof tmp - 1), s);
    sw = utf8_width(tmp);
    if (right)
        for (int k = sw; k < w; k++)
            fputc(' ', out);
    fwrite(s, 1, len, out);
    if (!right)
        for (int k = sw; k < w; k++)
            fputc(' ', out);
}

/* One row of the grid (r 0: the header), its cells wrapped to their widths
** over as many lines as the longest needs. */
static void put_grid_row(ShellState *p, Grid *g, int r, const int *w, const char *show)
{
    int n = g->ncol, lines = 1;
    const char *v = p->mode == MODE_BOX ? "│" : "|";
    const char **at = malloc(sizeof *at * (size_t)n);
    if (!at)
        return;
    for (int j = 0; j < n; j++) {
        at[j] = g->cell[r * n + j];
        if (show[j]) {
            int k = wrap_count(at[j], w[j]);
            lines = k > lines ? k : lines;
        }
    }
    for (int line = 0; line < lines; line++) {
        int first = 1;
        if (p->mode != MODE_COLUMN)
            fputs(v, p->out);
        for (int j = 0; j < n; j++) {
            const char *next = at[j];
            size_t len;
            int right = r > 0 && g->right[r * n + j] && !(j < p->nwidths && p->widths[j] > 0);
            if (!show[j])
                continue;
            if (j < p->nwidths && p->widths[j] < 0)
                right = 1;
            len = utf8_width(at[j]) <= w[j] ? strlen(at[j]) : wrap_line(at[j], w[j], &next);
            if (len == strlen(at[j]))
                next = at[j] + len;
            if (p->mode == MODE_COLUMN) {
                if (!first)
                    fputs("  ", p->out);
                put_field(p->out, at[j], len, w[j], right);
            } else {
                fputc(' ', p->out);
                put_field(p->out, at[j], len, w[j], right);
                fputc(' ', p->out);
                fputs(v, p->out);
            }
            first = 0;
            at[j] = next;
        }
        fputc('\n', p->out);
    }
    free(at);
}

/* A one-row result too wide for the terminal, as line mode prints it. */
static void put_grid_lines(ShellState *p, Grid *g)
{
    int n = g->ncol, namew = 0;
    for (int j = 0; j < n; j++)
        if (utf8_width(g->cell[j]) > namew)
            namew = utf8_width(g->cell[j]);
    for (int j = 0; j < n; j++)
        fprintf(p->out, "%*s%s = %s\n", namew - utf8_width(g->cell[j]), "", g->cell[j],
                g->cell[n + j]);
}

static void print_grid(ShellState *p, Grid *g, int header)
{
    int n = g->ncol, left_out = 0, tall = 0;
    int *w = calloc((size_t)n, sizeof *w);
    char *show = calloc((size_t)n, 1);
    if (!w || !show) {
        free(w);
        free(show);
        return;
    }
    abs_format(g);
    if (fit_grid(p, g, header, w, show)) {
        put_grid_lines(p, g);
        free(w);
        free(show);
        return;
    }
    switch (p->mode) {
    case MODE_BOX: put_rule(p->out, "┌", "┬", "┐", "─", w, show, n, 2); break;
    case MODE_TABLE: put_rule(p->out, "+", "+", "+", "-", w, show, n, 2); break;
    default: break;
    }
    for (int r = 1; r <= g->nrow && !tall; r++)
        for (int j = 0; j < n && !tall; j++)
            tall = show[j] && utf8_width(g->cell[r * n + j]) > w[j];
    for (int r = header ? 0 : 1; r <= g->nrow; r++) {
        put_grid_row(p, g, r, w, show);
        if (tall && r > 0 && r < g->nrow) { /* rows over several lines: a rule between */
            if (p->mode == MODE_BOX)
                put_rule(p->out, "├", "┼", "┤", "─", w, show, n, 2);
            else if (p->mode == MODE_TABLE)
                put_rule(p->out, "+", "+", "+", "-", w, show, n, 2);
        }
        if (r == 0) {
            switch (p->mode) {
            case MODE_BOX: put_rule(p->out, "├", "┼", "┤", "─", w, show, n, 2); break;
            case MODE_TABLE: put_rule(p->out, "+", "+", "+", "-", w, show, n, 2); break;
            case MODE_MARKDOWN: put_rule(p->out, "|", "|", "|", "-", w, show, n, 2); break;
            default: put_rule(p->out, "", "  ", "", "-", w, show, n, 0); break;
            }
        }
    }
    switch (p->mode) {
    case MODE_BOX: put_rule(p->out, "└", "┴", "┘", "─", w, show, n, 2); break;
    case MODE_TABLE: put_rule(p->out, "+", "+", "+", "-", w, show, n, 2); break;
    default: break;
    }
    for (int j = 0; j < n; j++)
        left_out += !show[j];
    if (left_out) { /* say which, wrapped at the terminal's width */
        int limit = wcp_term_width(p->out), col = 0;
        char word[256];
        snprintf(word, sizeof word, "(left out to fit %d columns:", limit);
        col = fprintf(p->out, "%s", word);
        for (int j = 0, k = 0; j <= n; j++) {
            if (j < n && show[j])
                continue;
            if (j < n)
                snprintf(word, sizeof word, "%s%s", g->cell[j], ++k < left_out ? "," : ";");
            else
                snprintf(word, sizeof word, ".mode line shows all)");
            const char *t = word;
            while (*t) {
                size_t len = strcspn(t, " ");
                if (col + 1 + (int)len > limit && col > 0)
                    col = fprintf(p->out, "\n") - 1;
                col += fprintf(p->out, "%s%.*s", col ? " " : "", (int)len, t);
                t += len + (t[len] == ' ');
            }
        }
        fputc('\n', p->out);
    }
    free(w);
    free(show);
}

/* ---- streaming modes */

/* The escapers' sink (base/escape.h): out, a FILE. */
static void put_file(void *out, const char *s, size_t n)
{
    fwrite(s, 1, n, out);
}

static void put_csv(FILE *out, const char *s)
{
    wcp_escape_csv(put_file, out, s);
}

static void put_json_string(FILE *out, const char *s)
{
    wcp_escape_json(put_file, out, s);
}

static void put_json_value(FILE *out, sqlite3_stmt *st, int i)
{
    char id[WCP_ID_TEXT_MAX];
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER:
        if (big_id(st, i, id))
            fputs(id, out);
        else
            fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        if (isfinite(d))
            fprintf(out, "%.17g", d);
        else
            fputs("null", out);
        break;
    }
    case SQLITE_BLOB: { /* as a hex string */
        const unsigned char *b = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        fputc('"', out);
        for (int k = 0; k < n; k++)
            fprintf(out, "%02x", b[k]);
        fputc('"', out);
        break;
    }
    default: put_json_string(out, (const char *)sqlite3_column_text(st, i));
    }
}

/* A string as an SQL literal: 'it''s'. */
static void put_sql_string(FILE *out, const char *s)
{
    fputc('\'', out);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', out);
        fputc(*s, out);
    }
    fputc('\'', out);
}

/* Column i as an SQL literal, as sqlite3's quote and insert modes write it. */
static void put_sql_value(FILE *out, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: fputs("NULL", out); break;
    case SQLITE_INTEGER: fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i)); break;
    case SQLITE_FLOAT: {
        double d = sqlite3_column_double(st, i);
        char buf[64];
        snprintf(buf, sizeof buf, "%.17g", d);
        if (strtod(buf, NULL) == d) /* the shortest that reads back the same */
            for (int prec = 1; prec <= 17; prec++) {
                snprintf(buf, sizeof buf, "%.*g", prec, d);
                if (strtod(buf, NULL) == d)
                    break;
            }
        if (!strpbrk(buf, ".eEin"))
            strcat(buf, ".0");
        fputs(buf, out);
        break;
    }
    case SQLITE_BLOB: {
        const unsigned char *b = sqlite3_column_blob(st, i);
        int n = sqlite3_column_bytes(st, i);
        fputs("X'", out);
        for (int k = 0; k < n; k++)
            fprintf(out, "%02x", b[k]);
        fputc('\'', out);
        break;
    }
    default: put_sql_string(out, (const char *)sqlite3_column_text(st, i));
    }
}

/* Text for HTML: & < > " ' as entities. */
static void put_html(FILE *out, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        case '\'': fputs("&#39;", out); break;
        default: fputc(*s, out);
        }
    }
}

/* A name as SQL writes an identifier: bare when it can be, else "quoted". */
static void put_sql_name(FILE *out, const char *s)
{
    int bare = (s[0] < '0' || s[0] > '9') && *s;
    for (const char *q = s; *q; q++)
        if (!(*q == '_' || (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
              (*q >= '0' && *q <= '9')))
            bare = 0;
    if (bare && !sqlite3_keyword_check(s, (int)strlen(s))) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* One row in a streaming mode (list, tabs, csv, quote, insert, html). */
static void put_stream_row(ShellState *p, sqlite3_stmt *st, int n, int row, int header)
{
    FILE *out = p->out;
    const char *sep = p->mode == MODE_TABS ? "\t" : p->mode == MODE_LIST ? p->colsep : ",";
    const char *rowsep = p->mode == MODE_LIST ? p->rowsep : "\n";
    if (p->mode == MODE_INSERT) {
        fputs("INSERT INTO ", out);
        put_sql_name(out, p->insert_table);
        if (header) {
            fputc('(', out);
            for (int j = 0; j < n; j++) {
                if (j)
                    fputc(',', out);
                put_sql_name(out, sqlite3_column_name(st, j));
            }
            fputc(')', out);
        }
        fputs(" VALUES(", out);
        for (int j = 0; j < n; j++) {
            if (j)
                fputc(',', out);
            put_sql_value(out, st, j);
        }
        fputs(");\n", out);
        return;
    }
    if (p->mode == MODE_HTML) {
        if (row == 0 && header) {
            fputs("<TR>", out);
            for (int j = 0; j < n; j++) {
                fputs("<TH>", out);
                put_html(out, sqlite3_column_name(st, j));
                fputs("</TH>\n", out);
            }
            fputs("</TR>\n", out);
        }
        fputs("<TR>", out);
        for (int j = 0; j < n; j++) {
            char *s = cell_text(p, st, j, 0);
            fputs("<TD>", out);
            put_html(out, s ? s : "");
            fputs("</TD>\n", out);
            free(s);
        }
        fputs("</TR>\n", out);
        return;
    }
    if (row == 0 && header) {
        for (int j = 0; j < n; j++) {
            if (j)
                fputs(sep, out);
            if (p->mode == MODE_CSV)
                put_csv(out, sqlite3_column_name(st, j));
            else if (p->mode == MODE_QUOTE)
                put_sql_string(out, sqlite3_column_name(st, j));
            else
                fputs(sqlite3_column_name(st, j), out);
        }
        fputs(rowsep, out);
    }
    for (int j = 0; j < n; j++) {
        if (j)
            fputs(sep, out);
        if (p->mode == MODE_QUOTE) {
            put_sql_value(out, st, j);
            continue;
        }
        char *s = cell_text(p, st, j, 0);
        if (p->mode == MODE_CSV)
            put_csv(out, s ? s : "");
        else
            fputs(s ? s : "", out);
        free(s);
    }
    fputs(rowsep, out);
}

/* Steps st to its end, printing each row in p->mode. Returns SQLITE_DONE, or
** the error code of the step that failed (rows before it are printed; a
** table in progress is printed as far as it got). Does not finalize st. */
int wcp_print_stmt(ShellState *p, sqlite3_stmt *st)
{
    FILE *out = p->out;
    int n = sqlite3_column_count(st);
    int rc, row = 0;
    int header = p->headers == 1 || (p->headers == -1 && is_grid(p->mode));
    Grid g = {.ncol = n};
    int namew = 0;

    if (p->mode == MODE_LINE)
        for (int j = 0; j < n; j++) {
            int w = utf8_width(sqlite3_column_name(st, j));
            if (w > namew)
                namew = w;
        }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (n == 0)
            continue;
        if (is_grid(p->mode)) {
            if (grid_add_row(&g) != 0) {
                rc = SQLITE_NOMEM;
                goto done;
            }
            if (row == 0) {
                for (int j = 0; j < n; j++) {
                    g.cell[j] = strdup(sqlite3_column_name(st, j));
                    flatten(g.cell[j]);
                    g.right[j] = 0;
                    g.raw[j] = 0;
                }
            }
            for (int j = 0; j < n; j++) {
                int t = sqlite3_column_type(st, j);
                char *s = cell_text(p, st, j, 1);
                flatten(s);
                g.cell[(row + 1) * n + j] = s ? s : strdup("");
                g.right[(row + 1) * n + j] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
                g.raw[(row + 1) * n + j] = t == SQLITE_INTEGER &&
                                           is_ns_column(sqlite3_column_name(st, j)) &&
                                           is_time_column(sqlite3_column_name(st, j));
            }
            g.nrow++;
        } else if (p->mode == MODE_LINE) {
            if (row > 0)
                fputc('\n', out);
            for (int j = 0; j < n; j++) {
                char *s = cell_text(p, st, j, 0);
                const char *name = sqlite3_column_name(st, j);
                fprintf(out, "%*s%s = %s\n", namew - utf8_width(name), "", name, s ? s : "");
                free(s);
            }
        } else if (p->mode == MODE_JSON) {
            fputs(row == 0 ? "[{" : ",\n{", out);
            for (int j = 0; j < n; j++) {
                if (j)
                    fputc(',', out);
                put_json_string(out, sqlite3_column_name(st, j));
                fputc(':', out);
                put_json_value(out, st, j);
            }
            fputc('}', out);
        } else {
            put_stream_row(p, st, n, row, header);
        }
        row++;
    }
done:
    p->rows = row;
    if (p->mode == MODE_JSON && row > 0)
        fputs("]\n", out);
    if (is_grid(p->mode) && g.nrow > 0)
        print_grid(p, &g, header);
    grid_free(&g);
    fflush(out);
    return rc;
}

/* ---- EXPLAIN QUERY PLAN as sqlite3 draws it */

typedef struct PlanRow {
    int id, parent;
    char *detail;
} PlanRow;

static void put_plan(FILE *out, const PlanRow *r, int n, int parent, char *prefix, size_t len,
                     size_t cap)
{
    for (int i = 0; i < n; i++) {
        int last = 1;
        if (r[i].parent != parent)
            continue;
        for (int k = i + 1; k < n; k++)
            if (r[k].parent == parent)
                last = 0;
        fprintf(out, "%.*s%s%s\n", (int)len, prefix, last ? "`--" : "|--", r[i].detail);
        if (len + 3 < cap) {
            memcpy(prefix + len, last ? "   " : "|  ", 3);
            put_plan(out, r, n, r[i].id, prefix, len + 3, cap);
        }
    }
}

/* Steps an EXPLAIN QUERY PLAN statement (columns id, parent, notused,
** detail) and prints its rows as sqlite3's tree. Does not finalize st. */
void wcp_print_plan(ShellState *p, sqlite3_stmt *st)
{
    PlanRow *r = NULL;
    int n = 0, cap = 0;
    char prefix[256];
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            PlanRow *t = realloc(r, sizeof *r * (size_t)(cap = cap ? cap * 2 : 16));
            if (!t)
                break;
            r = t;
        }
        r[n].id = sqlite3_column_int(st, 0);
        r[n].parent = sqlite3_column_int(st, 1);
        r[n].detail = strdup((const char *)sqlite3_column_text(st, 3));
        n++;
    }
    fputs("QUERY PLAN\n", p->out);
    put_plan(p->out, r, n, 0, prefix, 0, sizeof prefix);
    for (int i = 0; i < n; i++)
        free(r[i].detail);
    free(r);
    p->rows = n;
    fflush(p->out);
}

/* ---- output targets: where the output goes (.output, .once) */

/* Puts output back on stdout, closing any .output/.once file or pipe. */
void output_reset(ShellState *p)
{
    if (p->out && p->out != stdout) {
        if (p->out_is_pipe)
            pclose(p->out);
        else
            fclose(p->out);
    }
    p->out = stdout;
    p->out_is_pipe = 0;
    p->once = 0;
}

/* After each command: a .once target lasts for one command. */
void output_once_done(ShellState *p)
{
    if (p->once > 0 && --p->once == 0)
        output_reset(p);
}

/* Sends output to file ("|command": a pipe to it), closing the file or pipe
** it went to before. Returns 0, or 1 after printing an error, the output
** left where it was. */
int output_open(ShellState *p, const char *file)
{
    FILE *f;
    int pipe = file[0] == '|';
    fflush(p->out);
    f = pipe ? popen(file + 1, "w") : fopen(file, "w");
    if (!f) {
        shell_error(p, "cannot open \"%s\": %s", file, strerror(errno));
        return 1;
    }
    output_reset(p);
    p->out = f;
    p->out_is_pipe = pipe;
    return 0;
}
