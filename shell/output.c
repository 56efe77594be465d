/* output.c - result sets in the shell's output modes, as sqlite3 prints them.
**
**   table  +----+-------+   box  ┌────┬───────┐   (human modes: columns sized to
**          | id | name  |        │ id │ name  │    the terminal, long text cut
**          +----+-------+        ├────┼───────┤    with "…", numbers right-aligned,
**                                                   *_ns and *_ns_at_*
**                                                   columns as "1.23 s")
**   line   one "name = value" per line, a blank line between rows (human)
**   list   values separated by "|"            (machine modes: raw values)
**   csv    RFC 4180 quoting, "\n" line ends
**   json   [{"name":value,...},\n{...}]
**
** Headers: table and box show them unless .headers off; list and csv only
** with .headers on; line and json always name every value.
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
#include "shell.h"

static const char *const mode_names[] = {"table", "box", "csv", "json", "line", "list"};

const char *wcp_mode_name(enum wcp_mode m)
{
    return mode_names[m];
}

/* Sets *m from a mode name ("column" is taken as "table"). Returns 0, or -1
** for an unknown name, leaving *m alone. */
int wcp_mode_from_name(const char *name, enum wcp_mode *m)
{
    for (int i = 0; i < (int)(sizeof mode_names / sizeof *mode_names); i++) {
        if (strcmp(name, mode_names[i]) == 0) {
            *m = (enum wcp_mode)i;
            return 0;
        }
    }
    if (strcmp(name, "column") == 0) {
        *m = MODE_TABLE;
        return 0;
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

static int is_human(enum wcp_mode m)
{
    return m == MODE_TABLE || m == MODE_BOX || m == MODE_LINE;
}

/* The text of column i of the current row, as this mode shows it: a new
** malloc'd string (NULL only when out of memory). */
static char *cell_text(ShellState *p, sqlite3_stmt *st, int i)
{
    int type = sqlite3_column_type(st, i);
    if (type == SQLITE_NULL)
        return strdup("");
    if (is_human(p->mode) && (type == SQLITE_INTEGER || type == SQLITE_FLOAT) &&
        is_ns_column(sqlite3_column_name(st, i))) {
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

/* ---- table and box: buffered, so that columns can be sized */

typedef struct Grid {
    int ncol;             /* columns */
    int nrow;             /* rows buffered (not counting the header) */
    int cap;              /* rows allocated */
    char **cell;          /* (nrow + 1) * ncol strings, row 0 the header */
    unsigned char *right; /* same shape: 1 to right-align (numbers) */
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
}

/* Control characters would break the grid: show them as spaces. */
static void flatten(char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

static void put_rule(FILE *out, const char *left, const char *mid, const char *right,
                     const char *fill, const int *w, int ncol)
{
    fputs(left, out);
    for (int j = 0; j < ncol; j++) {
        for (int k = 0; k < w[j] + 2; k++)
            fputs(fill, out);
        fputs(j + 1 < ncol ? mid : right, out);
    }
    fputc('\n', out);
}

/* Prints s in a field of width w: cut with "…" when longer, padded on the
** right (or on the left when right is set). */
static void put_cell(FILE *out, const char *s, int w, int right)
{
    int sw = utf8_width(s);
    if (sw > w) {
        int cols = 0;
        const char *q = s;
        while (*q) {
            const char *next = q + 1;
            while (((unsigned char)*next & 0xC0) == 0x80)
                next++;
            if (cols + 1 > w - 1)
                break;
            cols++;
            q = next;
        }
        fwrite(s, 1, (size_t)(q - s), out);
        if (w > 0)
            fputs("…", out);
        for (int k = cols + (w > 0); k < w; k++)
            fputc(' ', out);
        return;
    }
    if (right)
        for (int k = sw; k < w; k++)
            fputc(' ', out);
    fputs(s, out);
    if (!right)
        for (int k = sw; k < w; k++)
            fputc(' ', out);
}

static void print_grid(ShellState *p, Grid *g, int header)
{
    int box = p->mode == MODE_BOX;
    int n = g->ncol;
    int *w = calloc((size_t)n, sizeof *w);
    if (!w)
        return;
    for (int r = header ? 0 : 1; r <= g->nrow; r++)
        for (int j = 0; j < n; j++) {
            int cw = utf8_width(g->cell[r * n + j]);
            if (cw > w[j])
                w[j] = cw;
        }
    /* Fit the terminal, cutting what matters least first: headers wider than
  ** their column's values, then long text (down to 10 columns), then text
  ** again, then numbers, down to 5 columns each at the least. */
    int limit = wcp_term_width(p->out);
    if (limit > 0) {
        int total = 1;
        int *data = calloc((size_t)n, sizeof *data); /* widest value per column */
        char *text = calloc((size_t)n, 1);           /* 1: some value is text */
        if (!data || !text) {
            free(data);
            free(text);
            free(w);
            return;
        }
        for (int r = 1; r <= g->nrow; r++)
            for (int j = 0; j < n; j++) {
                int cw = utf8_width(g->cell[r * n + j]);
                if (cw > data[j])
                    data[j] = cw;
                if (!g->right[r * n + j] && cw > 0)
                    text[j] = 1;
            }
        for (int j = 0; j < n; j++)
            total += w[j] + 3;
        for (int phase = 0; phase < 4 && total > limit; phase++) {
            while (total > limit) {
                int pick = -1;
                for (int j = 0; j < n; j++) {
                    int floor = phase == 0   ? (data[j] > 5 ? data[j] : 5)
                                : phase == 1 ? (text[j] ? 10 : w[j])
                                : phase == 2 ? (text[j] ? 5 : w[j])
                                             : 5;
                    if (w[j] > floor && (pick < 0 || w[j] > w[pick]))
                        pick = j;
                }
                if (pick < 0)
                    break;
                w[pick]--;
                total--;
            }
        }
        free(data);
        free(text);
    }
    const char *v = box ? "│" : "|";
    if (box)
        put_rule(p->out, "┌", "┬", "┐", "─", w, n);
    else
        put_rule(p->out, "+", "+", "+", "-", w, n);
    for (int r = header ? 0 : 1; r <= g->nrow; r++) {
        fputs(v, p->out);
        for (int j = 0; j < n; j++) {
            fputc(' ', p->out);
            put_cell(p->out, g->cell[r * n + j], w[j], r > 0 && g->right[r * n + j]);
            fputc(' ', p->out);
            fputs(v, p->out);
        }
        fputc('\n', p->out);
        if (r == 0) {
            if (box)
                put_rule(p->out, "├", "┼", "┤", "─", w, n);
            else
                put_rule(p->out, "+", "+", "+", "-", w, n);
        }
    }
    if (box)
        put_rule(p->out, "└", "┴", "┘", "─", w, n);
    else
        put_rule(p->out, "+", "+", "+", "-", w, n);
    free(w);
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
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_NULL: fputs("null", out); break;
    case SQLITE_INTEGER: fprintf(out, "%lld", (long long)sqlite3_column_int64(st, i)); break;
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

/* Steps st to its end, printing each row in p->mode. Returns SQLITE_DONE, or
** the error code of the step that failed (rows before it are printed; a
** table in progress is printed as far as it got). Does not finalize st. */
int wcp_print_stmt(ShellState *p, sqlite3_stmt *st)
{
    FILE *out = p->out;
    int n = sqlite3_column_count(st);
    int rc, row = 0;
    int header =
        p->headers == 1 || (p->headers == -1 && (p->mode == MODE_TABLE || p->mode == MODE_BOX));
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
        switch (p->mode) {
        case MODE_TABLE:
        case MODE_BOX:
            if (grid_add_row(&g) != 0) {
                rc = SQLITE_NOMEM;
                goto done;
            }
            if (row == 0) {
                for (int j = 0; j < n; j++) {
                    g.cell[j] = strdup(sqlite3_column_name(st, j));
                    flatten(g.cell[j]);
                    g.right[j] = 0;
                }
            }
            for (int j = 0; j < n; j++) {
                int t = sqlite3_column_type(st, j);
                char *s = cell_text(p, st, j);
                flatten(s);
                g.cell[(row + 1) * n + j] = s ? s : strdup("");
                g.right[(row + 1) * n + j] = t == SQLITE_INTEGER || t == SQLITE_FLOAT;
            }
            g.nrow++;
            break;
        case MODE_LINE:
            if (row > 0)
                fputc('\n', out);
            for (int j = 0; j < n; j++) {
                char *s = cell_text(p, st, j);
                const char *name = sqlite3_column_name(st, j);
                fprintf(out, "%*s%s = %s\n", namew - utf8_width(name), "", name, s ? s : "");
                free(s);
            }
            break;
        case MODE_LIST:
        case MODE_CSV:
            if (row == 0 && header) {
                for (int j = 0; j < n; j++) {
                    if (j)
                        fputc(p->mode == MODE_CSV ? ',' : '|', out);
                    if (p->mode == MODE_CSV)
                        put_csv(out, sqlite3_column_name(st, j));
                    else
                        fputs(sqlite3_column_name(st, j), out);
                }
                fputc('\n', out);
            }
            for (int j = 0; j < n; j++) {
                char *s = cell_text(p, st, j);
                if (j)
                    fputc(p->mode == MODE_CSV ? ',' : '|', out);
                if (p->mode == MODE_CSV)
                    put_csv(out, s ? s : "");
                else
                    fputs(s ? s : "", out);
                free(s);
            }
            fputc('\n', out);
            break;
        case MODE_JSON:
            fputs(row == 0 ? "[{" : ",\n{", out);
            for (int j = 0; j < n; j++) {
                if (j)
                    fputc(',', out);
                put_json_string(out, sqlite3_column_name(st, j));
                fputc(':', out);
                put_json_value(out, st, j);
            }
            fputc('}', out);
            break;
        }
        row++;
    }
done:
    p->rows = row;
    if (p->mode == MODE_JSON && row > 0)
        fputs("]\n", out);
    if ((p->mode == MODE_TABLE || p->mode == MODE_BOX) && g.nrow > 0) {
        print_grid(p, &g, header);
    }
    grid_free(&g);
    fflush(out);
    return rc;
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
