/* analysis.c - the analysis commands (.summary, .selftime, .rank, .whatif,
** .critpath, .chain, .simchain, .deadair, .drift) and .report, which runs
** them in turn for people.
**
** An analysis command is a thin wrapper over a table-valued function of the
** analyses extension (../sqlext/README.md), named in its row's tvf field
** (commands.c): need_extension() says so when no extension provides it,
** take_run() handles its "--run N" (args.c), and run_tvf() runs
**
**   SELECT COLUMNS FROM tvf(?2, ?3, ...) WHERE run = ?1
**
** (the command's own arguments first, the run bound to the hidden column
** `run`, which every analysis has last) and warns when the run dropped
** events. The columns are named, in ../docs/spec/interfaces.md's order, so
** that what a command prints is the shell's contract whatever else the
** extension adds. .summary and .selftime also work without the extension
** (their rows name no tvf). Each command returns 0, or 1 after printing an
** error.
**
** Adding an analysis command: its row in wcp_dot_cmds[] (commands.c) and its
** function here, declared with the DotFn list below; a row in parts[] if
** .report should show it (".help report" lists the sections from there).
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format_ns.h"
#include "sat.h"
#include "shell.h"
#include "whatif.h" /* WCP_RANK_MIN_SELF_NS: whatif_rank's default min_self_ns */

#define MAX_FACTORS 16      /* .rank's factor columns at most */
#define DRIFT_ROWS 10       /* .drift's default row limit */
#define PARALLELISM_ROWS 10 /* .parallelism's default number of roots */
#define UTIL_BUCKETS 20     /* .util's default number of slices */

/* An argument of an analysis statement, bound to ?2, ?3, ... */
typedef struct AnaArg {
    const char *text; /* bound as text when not NULL, */
    long long num;    /* else as this integer */
} AnaArg;

/* The rows of wcp_dot_cmds[] (commands.c) whose functions live here, and
** the generated part of ".help report". */
DotFn cmd_summary, cmd_selftime, cmd_chain, cmd_critpath, cmd_whatif, cmd_deadair, cmd_drift,
    cmd_rank, cmd_report, cmd_resources;
DotFn cmd_breakdown, cmd_parallelism, cmd_related, cmd_util, cmd_mmu, cmd_tasks;
DotHelp report_help;

/* ---- helpers */

/* Parses one what-if factor, a decimal number >= 0 ("0.5", ".5", "2",
** "1e-3"), and writes it into name as C's %g writes it ("0.5"): the name of
** its .rank column and the text passed to the extension. Returns 0, or -1. */
static int parse_factor(const char *s, char *name, size_t size)
{
    char *end;
    double x;
    if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '.')
        return -1; /* no sign, "inf", "nan" or white space */
    if (s[strspn(s, "0123456789.eE+-")] != 0)
        return -1; /* no hexadecimal */
    x = strtod(s, &end);
    if (end == s || *end || !isfinite(x) || x < 0)
        return -1;
    snprintf(name, size, "%g", x);
    return 0;
}

/* Binds ?1 to run and ?2, ?3, ... to args. */
static void bind_args(sqlite3_stmt *st, long long run, int nargs, const AnaArg *args)
{
    sqlite3_bind_int64(st, 1, run);
    for (int i = 0; i < nargs; i++) {
        if (args[i].text)
            sqlite3_bind_text(st, i + 2, args[i].text, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_int64(st, i + 2, args[i].num);
    }
}

/* Prepares sql, binds ?1 to run and ?2, ?3, ... to args, prints its rows,
** then, when it printed them all, warns about dropped events. Returns 0, or
** 1 after printing an error. */
static int run_analysis(ShellState *p, long long run, const char *sql, int nargs,
                        const AnaArg *args)
{
    sqlite3_stmt *st;
    if (shell_prepare(p, sql, &st))
        return 1;
    bind_args(st, run, nargs, args);
    if (shell_exec_stmt(p, st))
        return 1;
    warn_dropped(p, run);
    return 0;
}

/* Writes into buf the line under a limited result, from what count gave:
** the rows shown, the rows in all, and one more number; "" for none. */
typedef void Footer(char *buf, size_t size, long long shown, long long total, long long more);

/* Runs sql (?1 the run, ?2... args) into temp.wcp_rows (sql NULL: the
** caller filled it), then prints show
** (a query over temp.wcp_rows) and, for people, the line footer makes of
** what count (a query over it) gives. With the dropped-events warning, as
** run_analysis(). Returns 0, or 1 after printing an error. */
static int run_top(ShellState *p, long long run, const char *sql, int nargs, const AnaArg *args,
                   const char *show, const char *count, Footer *footer)
{
    sqlite3_stmt *st;
    int rc = 1;
    if (sql) {
        char *create = sqlite3_mprintf("CREATE TEMP TABLE wcp_rows AS %s", sql);
        sqlite3_exec(p->db, "DROP TABLE IF EXISTS temp.wcp_rows", NULL, NULL, NULL);
        if (!create || shell_prepare(p, create, &st)) {
            sqlite3_free(create);
            return 1;
        }
        sqlite3_free(create);
        bind_args(st, run, nargs, args);
        if (shell_exec_stmt(p, st))
            goto done;
    }
    if (shell_prepare(p, show, &st) || shell_exec_stmt(p, st))
        goto done;
    if (shell_for_people(p) && sqlite3_prepare_v2(p->db, count, -1, &st, NULL) == SQLITE_OK) {
        char line[512] = "";
        if (sqlite3_step(st) == SQLITE_ROW)
            footer(line, sizeof line, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                   sqlite3_column_int64(st, 2));
        if (*line)
            put_wrapped(p->out, 0, 1, line);
        sqlite3_finalize(st);
    }
    fflush(p->out);
    warn_dropped(p, run);
    rc = 0;
done:
    sqlite3_exec(p->db, "DROP TABLE IF EXISTS temp.wcp_rows", NULL, NULL, NULL);
    return rc;
}

/* Takes the row limit N out of argv: the one word that is a whole number
** (digits only; a factor or a spec has a '.', ',' or '='). *limit: N, else
** dflt for people, else 0 (all). Returns 1 when N was given. */
static int take_limit(ShellState *p, int *argc, char **argv, long long dflt, long long *limit)
{
    int n = 1, given = 0;
    *limit = shell_for_people(p) ? dflt : 0;
    for (int i = 1; i < *argc; i++) {
        if (argv[i][0] && strspn(argv[i], "0123456789") == strlen(argv[i]) &&
            parse_count(argv[i], limit) == 0)
            given = 1;
        else
            argv[n++] = argv[i];
    }
    *argc = n;
    return given;
}

/* Runs "SELECT cols FROM tvf(?2, ...) WHERE run = ?1 tail" (tvf: c's
** function; no parentheses without args) through run_analysis(). */
static int run_tvf(ShellState *p, const DotCmd *c, long long run, const char *cols, int nargs,
                   const AnaArg *args, const char *tail)
{
    sqlite3_str *q = sqlite3_str_new(p->db);
    char *sql;
    int rc;
    sqlite3_str_appendf(q, "SELECT %s FROM %s", cols, c->tvf);
    for (int i = 0; i < nargs; i++)
        sqlite3_str_appendf(q, "%s?%d", i ? ", " : "(", i + 2);
    sqlite3_str_appendf(q, "%s WHERE run = ?1%s%s", nargs ? ")" : "", *tail ? " " : "", tail);
    sql = sqlite3_str_finish(q);
    if (!sql) {
        shell_error(p, "out of memory");
        return 1;
    }
    rc = run_analysis(p, run, sql, nargs, args);
    sqlite3_free(sql);
    return rc;
}

/* The what-if spec of the words argv[1..argc-1], a new malloc'd string
** (NULL when out of memory): the words joined with single spaces ("KEY=F
** KEY=F"), or, when a key has white space in it (typed quoted, "kind:class
** name"=0.5), the same as the JSON object the extension also reads
** ({"kind:class name":0.5,...}), where a key can have spaces. */
static char *join_words(int argc, char **argv)
{
    sqlite3_str *q = sqlite3_str_new(NULL);
    char *r, *out;
    int spaced = 0, all = 1; /* a key with a space; every word KEY=F */
    for (int i = 1; i < argc; i++) {
        const char *eq = strrchr(argv[i], '=');
        if (argv[i][0] == '{' || !eq)
            all = 0;
        else if (strcspn(argv[i], " \t") < (size_t)(eq - argv[i]))
            spaced = 1;
    }
    spaced = spaced && all;
    for (int i = 1; i < argc; i++) {
        const char *eq = strrchr(argv[i], '=');
        if (!spaced || !eq) {
            sqlite3_str_appendf(q, "%s%s", i > 1 ? " " : "", argv[i]);
            continue;
        }
        sqlite3_str_appendall(q, i > 1 ? "," : "{\"");
        if (i > 1)
            sqlite3_str_appendchar(q, 1, '"');
        for (const char *k = argv[i]; k < eq; k++) {
            if (*k == '"' || *k == '\\')
                sqlite3_str_appendchar(q, 1, '\\');
            sqlite3_str_appendchar(q, 1, *k);
        }
        sqlite3_str_appendf(q, "\":%s%s", eq + 1, i + 1 == argc ? "}" : "");
    }
    r = sqlite3_str_finish(q);
    out = r ? strdup(r) : NULL;
    sqlite3_free(r);
    return out;
}

/* ---- the analyses */

/* .summary: run_summary's header facts; the replay's columns come from
** replay_summary(run) when the analyses extension provides it, else they
** are NULL (the command works without the extension, so its row names no
** tvf and .report always has it). */
int cmd_summary(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    if (take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc != 1)
        return dot_usage(p, c);
    if (shell_has_function(p, "replay_summary"))
        return run_analysis(
            p, run,
            "SELECT s.ops, s.roots, s.open_ops, s.dropped_events, s.orphan_waits,"
            " s.span_ns, s.makespan_ns, f.baseline_ns, round(f.drift_pct, 3) AS drift_pct,"
            " f.cycles_broken, f.fallback_anchors, f.unfinished_ops, " DROPPED_BY_CAUSE_SQL
            " AS dropped_by_cause FROM run_summary s LEFT JOIN replay_summary(?1) f ON 1"
            " WHERE s.run_id = ?1",
            0, NULL);
    return run_analysis(p, run,
                        "SELECT ops, roots, open_ops, dropped_events, orphan_waits, span_ns,"
                        " makespan_ns, NULL AS baseline_ns, NULL AS drift_pct,"
                        " NULL AS cycles_broken, NULL AS fallback_anchors,"
                        " NULL AS unfinished_ops, " DROPPED_BY_CAUSE_SQL " AS dropped_by_cause"
                        " FROM run_summary WHERE run_id = ?1",
                        0, NULL);
}

int cmd_selftime(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg limit = {NULL, WCP_SELFTIME_ROWS};
    if (take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2 || (argc == 2 && parse_count(argv[1], &limit.num) != 0))
        return dot_usage(p, c);
    if (limit.num == 0)
        limit.num = -1; /* all */
    return run_analysis(p, run,
                        "SELECT class_key, work_type, count, total_self_ns, total_wall_ns,"
                        " p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed"
                        " FROM class_stats WHERE run_id = ?1"
                        " ORDER BY total_self_ns DESC, class_key LIMIT ?2",
                        1, &limit);
}

/* .chain ?DEPTH? and .simchain ?DEPTH?: blocking_chain(depth, run) and
** simulated_chain(depth, run); without DEPTH the extension's default. */
int cmd_chain(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg depth = {NULL, 0};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2 || (argc == 2 && parse_count(argv[1], &depth.num) != 0))
        return dot_usage(p, c);
    return run_tvf(p, c, run, "seq, op_id, class_key, start_ns, end_ns, dur_ns, self_ns", argc - 1,
                   &depth, "ORDER BY seq");
}

/* Checks the KEY=F words of a what-if spec before the extension reads them,
** as .rank checks its factors: a key given twice, or a factor that is not a
** finite number >= 0 ("=1e400": out of range), is refused. A word that is
** not KEY=F (a JSON spec) is left to the extension. Returns 0, or 1 after
** printing an error. */
static int check_spec(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *eq = strrchr(argv[i], '=');
        char *end;
        double f;
        if (!eq || argv[i][0] == '{' || argv[i][0] == '-')
            continue;
        f = strtod(eq + 1, &end);
        if (end != eq + 1 && *end == 0 && (!isfinite(f) || f > 1e300)) {
            shell_error(p, ".%s: factor out of range in \"%s\": a factor is a number >= 0 (0.5)",
                        c->name, argv[i]);
            return 1;
        }
        for (int k = 1; k < i; k++) {
            const char *e2 = strrchr(argv[k], '=');
            if (e2 && e2 - argv[k] == eq - argv[i] &&
                strncmp(argv[k], argv[i], (size_t)(eq - argv[i])) == 0) {
                shell_error(p, ".%s: class key %.*s given twice", c->name, (int)(eq - argv[i]),
                            argv[i]);
                return 1;
            }
        }
    }
    return 0;
}

/* .critpath and .whatif: every KEY=F word joined with spaces into the one
** spec argument (none: the baseline, for .critpath; .whatif needs one). The
** extension checks the spec and says what is wrong with it. */
static int run_spec(ShellState *p, const DotCmd *c, long long run, int argc, char **argv,
                    int required, const char *cols, const char *tail)
{
    AnaArg spec = {NULL, 0};
    int rc;
    if (required && argc < 2)
        return dot_usage(p, c);
    if (argc > 1 && !(spec.text = join_words(argc, argv))) {
        shell_error(p, "out of memory");
        return 1;
    }
    rc = run_tvf(p, c, run, cols, argc > 1, &spec, tail);
    free((char *)spec.text);
    return rc;
}

/* Under .critpath's merged rows: how many, of how many, from how many
** segments. */
static void critpath_footer(char *buf, size_t size, long long shown, long long total,
                            long long segments)
{
    char head[96] = "";
    if (shown == total && segments == total)
        return;
    if (shown < total)
        snprintf(head, sizeof head, "the %lld longest of %lld rows, in time order", shown, total);
    else
        snprintf(head, sizeof head, "%lld rows", total);
    snprintf(buf, size,
             "(%s: the path's %lld segments, those in a row of one op merged into one row; "
             ".critpath 0 shows every segment)",
             head, segments);
}

/* The kinds (what) of a merged .critpath row, each once, in alphabetical
** order, joined by '+'. The five kinds are interfaces.md's; a kind not among
** them would still show (the greatest one), after them. */
static const char *const critpath_kinds[] = {"cycle", "gap", "offset", "self", "wait"};

/* One merged .critpath row: consecutive segments of one op (op_id NULL
** counts as one op too). */
typedef struct CritRow {
    int n;                 /* segments; 0: none yet */
    sqlite3_int64 seq, op; /* the first segment's seq; op_id */
    int op_null;           /* op_id is NULL */
    /* critical_path's class_key and resource are text or NULL: copies
    ** (sqlite3_malloc'd), written back with %Q */
    char *class_key; /* the last segment's */
    char *resource;  /* the greatest by bytes, as max() (NULLs aside), NULL: none */
    sqlite3_int64 start, end, dur;
    unsigned kinds; /* critpath_kinds[k] met: bit k */
    char *other;    /* the greatest kind not among them, or NULL */
} CritRow;

/* r's kinds joined by '+' (sqlite3_malloc'd), NULL out of memory. */
static char *critpath_what(const CritRow *r)
{
    char what[64] = "";
    size_t len = 0;
    for (size_t k = 0; k < sizeof critpath_kinds / sizeof *critpath_kinds; k++)
        if (r->kinds & 1u << k)
            len += (size_t)snprintf(what + len, sizeof what - len, "+%s", critpath_kinds[k]);
    char *joined = sqlite3_mprintf("%s%s%s", what, r->other ? "+" : "", r->other ? r->other : "");
    if (joined && *joined)
        memmove(joined, joined + 1, strlen(joined)); /* the first '+' off */
    return joined;
}

static void critrow_free(CritRow *r)
{
    sqlite3_free(r->class_key);
    sqlite3_free(r->resource);
    sqlite3_free(r->other);
    memset(r, 0, sizeof *r);
}

/* Whether row a comes before row b in .critpath's choice: longer, then
** earlier. */
static int crit_before(const CritRow *a, const CritRow *b)
{
    return a->dur != b->dur ? a->dur > b->dur : a->seq < b->seq;
}

/* The N rows kept: a heap whose top is the one that comes last. */
typedef struct CritTop {
    CritRow *row;
    size_t n, room, cap;      /* kept, room for, the limit */
    long long rows, segments; /* merged rows and segments in all */
} CritTop;

static void crit_sift_down(CritTop *t, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < t->n && crit_before(&t->row[m], &t->row[l]))
            m = l;
        if (r < t->n && crit_before(&t->row[m], &t->row[r]))
            m = r;
        if (m == i)
            return;
        CritRow x = t->row[i];
        t->row[i] = t->row[m];
        t->row[m] = x;
        i = m;
    }
}

/* Takes the finished row *r into t when it is among the cap first (its
** values then t's), and starts *r afresh. Returns 0, or -1 out of memory. */
static int critpath_keep(CritTop *t, CritRow *r)
{
    if (!r->n)
        return 0;
    t->rows++;
    t->segments += r->n;
    if (t->n < t->cap && t->n == t->room) { /* grown as needed, up to the limit */
        size_t room = t->room ? t->room * 2 : 64;
        CritRow *nr = sqlite3_realloc64(t->row, (room < t->cap ? room : t->cap) * sizeof *nr);
        if (!nr)
            return -1;
        t->row = nr;
        t->room = room < t->cap ? room : t->cap;
    }
    if (t->n < t->cap) {
        size_t i = t->n++;
        t->row[i] = *r;
        while (i > 0 && crit_before(&t->row[(i - 1) / 2], &t->row[i])) {
            CritRow x = t->row[i];
            t->row[i] = t->row[(i - 1) / 2];
            t->row[(i - 1) / 2] = x;
            i = (i - 1) / 2;
        }
        memset(r, 0, sizeof *r);
    } else if (t->n && crit_before(r, &t->row[0])) {
        critrow_free(&t->row[0]);
        t->row[0] = *r;
        memset(r, 0, sizeof *r);
        crit_sift_down(t, 0);
    } else
        critrow_free(r);
    return 0;
}

/* .critpath's merged rows, in one pass over critical_path in time order:
** consecutive segments of one op make one row (the first seq, the kinds
** met, the greatest resource, the earliest start, the latest end, the
** durations summed, how many), as a GROUP BY over window-numbered groups
** did, without sorting the path twice. The limit longest (ties: the
** earlier) become temp.wcp_rows(seq, op_id, class_key, what, resource,
** start_ns, end_ns, dur_ns, segments), made by one CREATE TABLE AS: rows
** inserted one by one would move the connection's change count, which
** makes the extension build the model again for the next analysis. *rows
** and *segments: how many in all. Returns 0, or 1 after printing an error. */
static int critpath_merge(ShellState *p, long long run, const AnaArg *spec, long long limit,
                          long long *rows, long long *segments)
{
    sqlite3_stmt *sel = NULL;
    CritRow r = {0};
    CritTop t = {0};
    sqlite3_str *q = NULL;
    char *create = NULL;
    int rc = 1, step;
    char *sql = sqlite3_mprintf("SELECT seq, op_id, class_key, what, resource, start_ns, end_ns,"
                                " dur_ns FROM critical_path%s WHERE run = ?1",
                                spec->text ? "(?2)" : "");
    sqlite3_exec(p->db, "DROP TABLE IF EXISTS temp.wcp_rows", NULL, NULL, NULL);
    t.cap = (size_t)limit;
    if (!sql)
        goto oom;
    if (shell_prepare(p, sql, &sel))
        goto done;
    bind_args(sel, run, spec->text ? 1 : 0, spec);
    while ((step = shell_step(p, sel)) == SQLITE_ROW) {
        int op_null = sqlite3_column_type(sel, 1) == SQLITE_NULL;
        sqlite3_int64 op = sqlite3_column_int64(sel, 1);
        if (r.n && (op_null != r.op_null || (!op_null && op != r.op)) && critpath_keep(&t, &r) < 0)
            goto oom;
        sqlite3_int64 start = sqlite3_column_int64(sel, 5), end = sqlite3_column_int64(sel, 6);
        if (!r.n) {
            r.seq = sqlite3_column_int64(sel, 0);
            r.op = op;
            r.op_null = op_null;
            r.start = start;
            r.end = end;
        }
        r.n++;
        r.start = start < r.start ? start : r.start;
        r.end = end > r.end ? end : r.end;
        r.dur = wcp_sat_add(r.dur, sqlite3_column_int64(sel, 7));
        if (!r.class_key || op_null) { /* an op's class key is its own: copied once */
            const char *key = (const char *)sqlite3_column_text(sel, 2);
            sqlite3_free(r.class_key);
            if (!(r.class_key = key ? sqlite3_mprintf("%s", key) : NULL) && key)
                goto oom;
        }
        const char *res = (const char *)sqlite3_column_text(sel, 4);
        if (res && (!r.resource || strcmp(res, r.resource) > 0)) {
            sqlite3_free(r.resource);
            if (!(r.resource = sqlite3_mprintf("%s", res)))
                goto oom;
        }
        const char *what = (const char *)sqlite3_column_text(sel, 3);
        if (what) {
            size_t k = 0, nk = sizeof critpath_kinds / sizeof *critpath_kinds;
            while (k < nk && strcmp(what, critpath_kinds[k]) != 0)
                k++;
            if (k < nk)
                r.kinds |= 1u << k;
            else if (!r.other || strcmp(what, r.other) > 0) {
                sqlite3_free(r.other);
                if (!(r.other = sqlite3_mprintf("%s", what)))
                    goto oom;
            }
        }
    }
    if (step != SQLITE_DONE) {
        if (step == SQLITE_INTERRUPT)
            shell_error(p, "interrupted");
        else
            shell_error(p, "%s", sqlite3_errmsg(p->db));
        goto done;
    }
    if (critpath_keep(&t, &r) < 0)
        goto oom;
    q = sqlite3_str_new(p->db);
    sqlite3_str_appendall(q, "CREATE TEMP TABLE wcp_rows AS SELECT column1 AS seq, column2 AS"
                             " op_id, column3 AS class_key, column4 AS what, column5 AS resource,"
                             " column6 AS start_ns, column7 AS end_ns, column8 AS dur_ns,"
                             " column9 AS segments FROM (VALUES ");
    if (!t.n)
        sqlite3_str_appendall(q, "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)) WHERE 0");
    for (size_t k = 0; k < t.n; k++) {
        const CritRow *x = &t.row[k];
        char *what = critpath_what(x);
        if (!what)
            goto oom;
        sqlite3_str_appendf(q, "%s(%lld, ", k ? ", " : "", (long long)x->seq);
        if (x->op_null)
            sqlite3_str_appendall(q, "NULL");
        else
            sqlite3_str_appendf(q, "%lld", (long long)x->op);
        sqlite3_str_appendf(q, ", %Q, %Q, %Q, %lld, %lld, %lld, %d)", x->class_key, what,
                            x->resource, (long long)x->start, (long long)x->end, (long long)x->dur,
                            x->n);
        sqlite3_free(what);
    }
    if (t.n)
        sqlite3_str_appendchar(q, 1, ')');
    create = sqlite3_str_finish(q);
    q = NULL;
    if (!create)
        goto oom;
    if (sqlite3_exec(p->db, create, NULL, NULL, NULL) != SQLITE_OK) {
        shell_error(p, "%s", sqlite3_errmsg(p->db));
        goto done;
    }
    *rows = t.rows;
    *segments = t.segments;
    rc = 0;
    goto done;
oom:
    shell_error(p, "out of memory");
done:
    critrow_free(&r);
    for (size_t k = 0; k < t.n; k++)
        critrow_free(&t.row[k]);
    sqlite3_free(t.row);
    sqlite3_free(sqlite3_str_finish(q));
    sqlite3_free(create);
    sqlite3_finalize(sel);
    sqlite3_free(sql);
    return rc;
}

/* .critpath ?N? ?KEY=F ...?: critical_path(spec, run). With a row limit
** (N, or WCP_TOP_ROWS for people), consecutive segments of one op are
** merged into one row (what: their kinds, segments: how many) and the N
** longest rows are shown in time order, with a line saying what was left
** out; N 0 (or a machine mode without N) shows every segment as it is. */
int cmd_critpath(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    /* each op's metadata (an exec's argv): which command is on the path */
    const char *cols = "seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns,"
                       " coalesce((SELECT m.value FROM ops o JOIN strings m ON m.id = o.meta_id"
                       " WHERE o.run_id = ?1 AND o.id = op_id), '') AS meta";
    long long run, limit;
    AnaArg spec = {NULL, 0};
    char *show, *count = NULL;
    int rc;
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    take_limit(p, &argc, argv, WCP_TOP_ROWS, &limit);
    if (take_flag(&argc, argv, "--ident")) /* the op's ident: which file, which URL */
        cols = "seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns,"
               " coalesce((SELECT m.value FROM ops o JOIN strings m ON m.id = o.meta_id"
               " WHERE o.run_id = ?1 AND o.id = op_id), '') AS meta,"
               " (SELECT i.value FROM ops o JOIN strings i ON i.id = o.ident_id"
               "  WHERE o.run_id = ?1 AND o.id = op_id) AS ident";
    if (check_spec(p, c, argc, argv))
        return 1;
    if (limit == 0)
        return run_spec(p, c, run, argc, argv, 0, cols, "ORDER BY seq");
    if (argc > 1 && !(spec.text = join_words(argc, argv))) {
        shell_error(p, "out of memory");
        return 1;
    }
    /* merged in one pass; each shown row's metadata (and ident) looked up
     * then, for the N rows shown rather than for every segment */
    int meta = run_has_row(p, "SELECT 1 FROM ops WHERE run_id = ?1 AND meta_id != 0 LIMIT 1", run);
    char *meta_col = meta /* for people only when the run has metadata */
                         ? sqlite3_mprintf(", coalesce((SELECT m.value FROM ops o JOIN strings m"
                                           " ON m.id = o.meta_id WHERE o.run_id = %lld AND"
                                           " o.id = op_id), '') AS meta",
                                           run)
                         : sqlite3_mprintf("");
    char *ident_col = strstr(cols, " ident")
                          ? sqlite3_mprintf(", (SELECT i.value FROM ops o JOIN strings i ON"
                                            " i.id = o.ident_id WHERE o.run_id = %lld AND"
                                            " o.id = op_id) AS ident",
                                            run)
                          : sqlite3_mprintf("");
    show = sqlite3_mprintf(
        "SELECT seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns, segments%s%s"
        " FROM (SELECT * FROM temp.wcp_rows ORDER BY dur_ns DESC, seq LIMIT %lld) ORDER BY seq",
        meta_col ? meta_col : "", ident_col ? ident_col : "", limit);
    if (!meta_col || !ident_col) {
        sqlite3_free(show);
        show = NULL;
    }
    sqlite3_free(meta_col);
    sqlite3_free(ident_col);
    long long rows = 0, segments = 0;
    if (!show) {
        shell_error(p, "out of memory");
        rc = 1;
    } else if (critpath_merge(p, run, &spec, limit, &rows, &segments)) {
        sqlite3_exec(p->db, "DROP TABLE IF EXISTS temp.wcp_rows", NULL, NULL, NULL);
        rc = 1;
    } else if (!(count = sqlite3_mprintf("SELECT %lld, %lld, %lld", rows < limit ? rows : limit,
                                         rows, segments))) {
        shell_error(p, "out of memory");
        rc = 1;
    } else {
        rc = run_top(p, run, NULL, 0, NULL, show, count, critpath_footer);
    }
    sqlite3_free(show);
    sqlite3_free(count);
    free((char *)spec.text);
    return rc;
}

int cmd_whatif(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run) || check_spec(p, c, argc, argv))
        return 1;
    return run_spec(p, c, run, argc, argv, 1, "baseline_ns, makespan_ns, saved_ns, factors", "");
}

/* Under .deadair's gaps for people: how many of how many. */
static void deadair_footer(char *buf, size_t size, long long shown, long long total,
                           long long unused)
{
    (void)unused;
    if (shown < total)
        snprintf(buf, size,
                 "(the %lld longest of %lld gaps, in time order; .deadair NS 0 shows them all)",
                 shown, total);
}

/* .deadair ?NS? ?N?: dead_air(min_ns, run); NS in nanoseconds or with a
** unit. For people the N longest gaps (default 20, 0 for all) in time
** order; other modes every gap unless N. */
int cmd_deadair(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run, limit = shell_for_people(p) ? WCP_TOP_ROWS : 0;
    AnaArg min = {NULL, 0};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 3 || (argc == 3 && parse_count(argv[2], &limit) != 0))
        return dot_usage(p, c);
    if (argc >= 2 && parse_ns(argv[1], &min.num) != 0) {
        shell_error(p,
                    ".%s: NS is a length in nanoseconds (50000000) or with a unit ns, us, ms "
                    "or s (50ms), not \"%s\"",
                    c->name, argv[1]);
        return 1;
    }
    char *show = sqlite3_mprintf("SELECT * FROM (SELECT * FROM temp.wcp_rows ORDER BY dur_ns DESC,"
                                 " start_ns LIMIT %lld) ORDER BY start_ns",
                                 limit > 0 ? limit : -1);
    char *count = sqlite3_mprintf("SELECT min(count(*), %lld), count(*), 0 FROM temp.wcp_rows",
                                  limit > 0 ? limit : (long long)1 << 62);
    /* without NS the extension's default (50 ms) */
    const char *sql = argc >= 2 ? "SELECT start_ns, end_ns, dur_ns FROM dead_air(?2) WHERE run = ?1"
                                : "SELECT start_ns, end_ns, dur_ns FROM dead_air WHERE run = ?1";
    int rc = show && count ? run_top(p, run, sql, argc >= 2, &min, show, count, deadair_footer)
                           : (shell_error(p, "out of memory"), 1);
    sqlite3_free(show);
    sqlite3_free(count);
    return rc;
}

/* .resources: resource_stats(run), the named resources (spec/analysis.md §6). */
int cmd_resources(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 1)
        return dot_usage(p, c);
    return run_tvf(p, c, run,
                   "resource, waits, wait_ns, wait_p95_ns, unresolved_waits, holds, held_ns, "
                   "longest_hold_ns, critical_wait_ns, critical_hold_ns, saved_half_ns, "
                   "saved_removed_ns",
                   0, NULL, "");
}

/* 1 if run has the class key key (a row of class_stats), else 0. */
static int class_key_exists(ShellState *p, long long run, const char *key)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM class_stats WHERE run_id = ?1 AND class_key = ?2",
                           -1, &st, NULL) != SQLITE_OK)
        return 1; /* let the analysis say what is wrong */
    sqlite3_bind_int64(st, 1, run);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* WCP_TOP_ROWS as text, for SQL put together at compile time */
#define TOP_STR_(n) #n
#define TOP_STR(n) TOP_STR_(n)
#define BREAKDOWN_CLASSES TOP_STR(WCP_TOP_ROWS) /* for people, as .rank's rows */

/* Under .breakdown's class keys for people: how many of how many. */
static void breakdown_footer(char *buf, size_t size, long long shown, long long total,
                             long long unused)
{
    (void)unused;
    if (shown < total)
        snprintf(buf, size,
                 "(the %lld class keys with the most time of %lld; .breakdown KEY shows "
                 "one, the csv and json modes all)",
                 shown, total);
}

/* .breakdown ?OP|KEY?: where the time went (§7.1): of op OP (an op id,
** op_breakdown(op, run)), of class key KEY, or of every class key
** (class_breakdown(run), its 'class' rows). A KEY that names no class of
** the run is refused as .whatif refuses it. */
int cmd_breakdown(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg arg = {NULL, 0};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2)
        return dot_usage(p, c);
    if (argc == 2 && parse_op_id(argv[1], &arg.num) == 0)
        return run_analysis(p, run,
                            "SELECT op_id, state, dur_ns, round(pct, 1) AS pct"
                            " FROM op_breakdown(?2) WHERE run = ?1 ORDER BY seq",
                            1, &arg);
    arg.text = argc == 2 ? argv[1] : "";
    if (argc == 2 && !class_key_exists(p, run, argv[1])) {
        shell_error(p,
                    ".%s: no class key \"%s\" in run %lld (class keys are kind:class; "
                    "SELECT class_key FROM class_stats lists them)",
                    c->name, argv[1], run);
        return 1;
    }
    if (!shell_for_people(p))
        return run_analysis(p, run,
                            "SELECT class_key, state, ops, total_ns, round(pct, 1) AS pct"
                            " FROM class_breakdown WHERE run = ?1 AND scope = 'class'"
                            " AND (?2 = '' OR class_key = ?2) ORDER BY class_key, seq",
                            1, &arg);
    /* for people: the BREAKDOWN_CLASSES class keys with the most time,
    ** most first, each with its states (every key of a 1M-op run made
    ** 32,000 lines) */
    return run_top(p, run,
                   "SELECT class_key, state, ops, total_ns, round(pct, 1) AS pct, seq,"
                   " sum(total_ns) OVER (PARTITION BY class_key) AS class_ns"
                   " FROM class_breakdown WHERE run = ?1 AND scope = 'class'"
                   " AND (?2 = '' OR class_key = ?2)",
                   1, &arg,
                   "SELECT class_key, state, ops, total_ns, pct FROM temp.wcp_rows"
                   " WHERE class_key IN (SELECT class_key FROM temp.wcp_rows GROUP BY class_key"
                   " ORDER BY max(class_ns) DESC, class_key LIMIT " BREAKDOWN_CLASSES ")"
                   " ORDER BY class_ns DESC, class_key, seq",
                   "SELECT min(count(DISTINCT class_key), " BREAKDOWN_CLASSES
                   "), count(DISTINCT class_key), 0 FROM temp.wcp_rows",
                   breakdown_footer);
}

/* .parallelism ?N?: parallelism(run)'s run row and its N roots with most
** work (default 10, 0 for all), then parallelism_bounds(64, run): would more
** workers help? (§7.5) */
int cmd_parallelism(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg limit = {NULL, PARALLELISM_ROWS};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2 || (argc == 2 && parse_count(argv[1], &limit.num) != 0))
        return dot_usage(p, c);
    if (limit.num == 0)
        limit.num = -1; /* all */
    if (run_analysis(
            p, run,
            "SELECT * FROM (SELECT root_id, class_key, ops, work_ns, span_ns,"
            " round(parallelism, 3) AS parallelism FROM parallelism WHERE run = ?1"
            " ORDER BY root_id IS NOT NULL, work_ns DESC, root_id < 0, root_id LIMIT ?2 + 1)",
            1, &limit))
        return 1;
    return run_analysis(p, run,
                        "SELECT workers, lower_ns, upper_ns FROM parallelism_bounds"
                        " WHERE run = ?1 ORDER BY workers",
                        0, NULL);
}

/* .related OP ?DEPTH?: related_ops(op, depth, run) (§7.4). */
int cmd_related(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg args[2] = {{NULL, 0}, {NULL, 2}};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc < 2 || argc > 3)
        return dot_usage(p, c);
    if (parse_op_id(argv[1], &args[0].num) != 0) {
        shell_error(
            p, ".related: \"%s\" is no op id (OP is ops.id: a whole number from 0 to 2^64 - 1)",
            argv[1]);
        return 1;
    }
    if (argc == 3 && parse_count(argv[2], &args[1].num) != 0)
        return dot_usage(p, c);
    return run_tvf(p, c, run, "op_id, depth, tie, via_id, class_key, start_ns, end_ns", 2, args,
                   "ORDER BY depth, op_id < 0, op_id"); /* ids as uint64 */
}

/* .util ?N?: utilization(NULL, N, run), the run in N equal slices (§7.2). */
int cmd_util(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg args[2] = {{NULL, 0}, {NULL, UTIL_BUCKETS}};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2 || (argc == 2 && (parse_count(argv[1], &args[1].num) != 0 || !args[1].num)))
        return dot_usage(p, c);
    return run_analysis(p, run,
                        "SELECT start_ns, end_ns, round(activities, 3) AS activities,"
                        " round(blocked, 3) AS blocked, round(running, 3) AS running,"
                        " round(utilization, 4) AS utilization FROM utilization(NULL, ?2)"
                        " WHERE run = ?1 ORDER BY start_ns",
                        1, &args[1]);
}

#define MMU_EVERY "5"

/* Under .mmu's curve for people: which widths it shows. */
static void mmu_footer(char *buf, size_t size, long long shown, long long total, long long unused)
{
    (void)unused;
    if (shown < total)
        snprintf(buf, size,
                 "(every " MMU_EVERY
                 "th of the %lld widths; the csv and json modes give all, .mmu W "
                 "one width with its worst windows)",
                 total);
}

/* .mmu ?W?: mmu(NULL, run), the curve over 50 widths; with a width W, its
** MMU, the MUD quantiles and the 5 worst windows (§7.3). */
int cmd_mmu(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg w = {NULL, 0};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc > 2)
        return dot_usage(p, c);
    if (argc == 1 && !shell_for_people(p))
        return run_analysis(p, run,
                            "SELECT width_ns, round(mmu, 4) AS mmu, at_ns FROM mmu"
                            " WHERE run = ?1 ORDER BY width_ns",
                            0, NULL);
    if (argc == 1) /* for people: every 5th width, the curve's shape in 10 rows */
        return run_top(p, run,
                       "SELECT width_ns, round(mmu, 4) AS mmu, at_ns FROM mmu"
                       " WHERE run = ?1 ORDER BY width_ns",
                       0, NULL,
                       "SELECT * FROM temp.wcp_rows WHERE rowid % " MMU_EVERY " = 0 ORDER BY rowid",
                       "SELECT count(*) FILTER (WHERE rowid % " MMU_EVERY " = 0), count(*), 0"
                       " FROM temp.wcp_rows",
                       mmu_footer);
    if (parse_ns(argv[1], &w.num) != 0 || w.num < 1) {
        shell_error(p,
                    ".%s: W is a window width in nanoseconds (1000000) or with a unit ns, us, "
                    "ms or s (1ms), not \"%s\"",
                    c->name, argv[1]);
        return 1;
    }
    if (run_analysis(p, run,
                     "SELECT width_ns, round(mmu, 4) AS mmu, at_ns FROM mmu(?2) WHERE run = ?1", 1,
                     &w) ||
        run_analysis(p, run,
                     "SELECT quantile, round(utilization, 4) AS utilization FROM mud(?2)"
                     " WHERE run = ?1 ORDER BY quantile",
                     1, &w))
        return 1;
    return run_analysis(p, run,
                        "SELECT rank, start_ns, end_ns, round(utilization, 4) AS utilization,"
                        " op_id, class_key, state, blocked_ns FROM worst_windows(?2)"
                        " WHERE run = ?1 ORDER BY rank, blocked_ns DESC",
                        1, &w);
}

/* .tasks ?--task-kind KIND?: task_summary(kind, run), the roots or the ops
** of kind KIND as tasks (§7.6). */
int cmd_tasks(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    AnaArg kind = {NULL, 0};
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc == 3 && strcmp(argv[1], "--task-kind") == 0)
        kind.text = argv[2];
    else if (argc != 1)
        return dot_usage(p, c);
    if (!kind.text)
        return run_tvf(p, c, run,
                       "class_key, tasks, complete, open, p50_ns, p95_ns, max_ns, self_ns,"
                       " children_ns, waiting_ns, descendants",
                       0, NULL, "ORDER BY class_key");
    return run_tvf(p, c, run,
                   "class_key, tasks, complete, open, p50_ns, p95_ns, max_ns, self_ns,"
                   " children_ns, waiting_ns, descendants",
                   1, &kind, "ORDER BY class_key");
}

/* .drift ?N?: the N ops (default 10, 0 for all) whose baseline replay drifts
** most from what was recorded; .drift origins ?N?: those where drift starts
** (origin_ns > 0, the growth their dependencies do not explain). */
int cmd_drift(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run, limit = DRIFT_ROWS;
    int origins;
    char tail[128];
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
        return 1;
    origins = argc > 1 && strcmp(argv[1], "origins") == 0;
    if (origins) {
        argv++;
        argc--;
    }
    if (argc > 2 || (argc == 2 && parse_count(argv[1], &limit) != 0))
        return dot_usage(p, c);
    snprintf(tail, sizeof tail, "%s LIMIT %lld",
             origins ? "AND origin_ns > 0 ORDER BY origin_ns DESC, op_id < 0, op_id"
                     : "ORDER BY drift_ns DESC, op_id < 0, op_id",
             limit ? limit : -1);
    return run_tvf(p, c, run, "op_id, class_key, start_ns, dur_ns, sim_dur_ns, drift_ns, origin_ns",
                   0, NULL, tail);
}

/* Under .rank's top rows: how many of how many, those ranked being the
** class keys with min_self of self time at least (the page's and
** class_stats's count is of every class key). */
static void rank_footer(char *buf, size_t size, long long shown, long long total,
                        long long min_self)
{
    char least[64];
    if (shown < total)
        snprintf(buf, size,
                 "(the top %lld of %lld class keys with at least %s of self time; .rank 0 "
                 "shows them all)",
                 shown, total, wcp_format_ns(least, sizeof least, min_self));
}

/* The same, under .rank --by meta. */
static void rank_meta_footer(char *buf, size_t size, long long shown, long long total,
                             long long unused)
{
    (void)unused;
    if (shown < total)
        snprintf(buf, size,
                 "(the top %lld of %lld metadata values; .rank 0 --by meta shows them all)", shown,
                 total);
}

/* .rank ?N? ?F,F,...? ?--min-self NS?: whatif_rank(factors, min_self_ns, run)
** gives one row per class key and factor; this pivots them into one row per
** class key with a saved_ns_at_F column per factor, in the order given, the
** rows by rank. F is written as %g writes it (".5" is "0.5"), in the column
** name and in the JSON array passed to the extension alike, so the two
** always agree. N, a whole number word (factors have a '.' or a ','),
** limits the rows: by default WCP_TOP_ROWS for people, every row in the
** machine modes; 0 for all. --by meta: the same for the metadata values of
** the ops instead of class keys (whatif_rank_meta(factors, run): the ops of
** one value scaled together), with meta, ops, total_self_ns, critical_ns
** before the saved_ns_at_F columns; --min-self and --ident do not apply. */
int cmd_rank(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    static const char *const dflt[] = {"0", "0.5", "0.9"};
    char name[MAX_FACTORS][32];
    const char *min_text;
    long long run, limit;
    AnaArg args[2] = {{NULL, 0}, {NULL, 0}};
    int nf = 0, rc, ident;
    sqlite3_str *json, *q;
    char *sql;

    const char *by;
    if (need_extension(p, c) || take_run(p, c, &argc, argv, &run) ||
        take_option(p, c, &argc, argv, "--min-self", &min_text) ||
        take_option(p, c, &argc, argv, "--by", &by))
        return 1;
    take_limit(p, &argc, argv, WCP_TOP_ROWS, &limit);
    ident = take_flag(&argc, argv, "--ident");
    if (by && strcmp(by, "meta") != 0) {
        shell_error(p, ".rank: --by takes meta (ops grouped by their metadata), not \"%s\"", by);
        return 1;
    }
    if (by && (min_text || ident)) {
        shell_error(p, ".rank --by meta: %s applies to class keys only",
                    min_text ? "--min-self" : "--ident");
        return 1;
    }
    if (min_text && parse_ns(min_text, &args[1].num) != 0) {
        shell_error(p,
                    ".rank: --min-self wants a length in nanoseconds (1000000) or with a unit "
                    "ns, us, ms or s (1ms), not \"%s\"",
                    min_text);
        return 1;
    }
    /* The factors: every word, split at commas. */
    for (int i = 1; i < argc; i++) {
        char *w = argv[i];
        for (;;) {
            size_t len = strcspn(w, ",");
            char item[64];
            snprintf(item, sizeof item, "%.*s", (int)len, w);
            if (nf == MAX_FACTORS) {
                shell_error(p, ".rank: at most %d factors", MAX_FACTORS);
                return 1;
            }
            if (len >= sizeof item || parse_factor(item, name[nf], sizeof name[nf]) != 0) {
                shell_error(p,
                            ".rank: bad factor \"%.*s\": factors are numbers >= 0 separated by "
                            "commas (.rank 0,0.5,0.9)",
                            (int)len, w);
                return 1;
            }
            for (int k = 0; k < nf; k++) {
                if (strcmp(name[k], name[nf]) == 0) {
                    shell_error(p, ".rank: factor %s given twice", name[nf]);
                    return 1;
                }
            }
            nf++;
            if (w[len] == 0)
                break;
            w += len + 1;
        }
    }
    if (nf == 0)
        for (; nf < 3; nf++)
            snprintf(name[nf], sizeof name[nf], "%s", dflt[nf]);

    json = sqlite3_str_new(p->db);
    q = sqlite3_str_new(p->db);
    for (int k = 0; k < nf; k++)
        sqlite3_str_appendf(json, "%s%s", k ? "," : "[", name[k]);
    sqlite3_str_appendall(json, "]");
    if (by) {
        sqlite3_str_appendall(q,
                              "SELECT meta, min(ops) AS ops, min(total_self_ns) AS total_self_ns,"
                              " min(critical_ns) AS critical_ns");
    } else {
        /* --ident: the class key's three idents with the most self time */
        if (ident)
            sqlite3_str_appendall(
                q, "WITH per AS (SELECT k.value || ':' || c.value AS ck, i.value AS ident,"
                   "  sum(o.self_ns) AS self FROM ops o JOIN strings k ON k.id = o.kind"
                   "  JOIN strings c ON c.id = o.class_id JOIN strings i ON i.id = o.ident_id"
                   "  WHERE o.run_id = ?1 AND i.value <> '' GROUP BY ck, ident),"
                   " top AS (SELECT ck, group_concat(ident, ', ') AS idents FROM"
                   "  (SELECT ck, ident, row_number() OVER (PARTITION BY ck ORDER BY self DESC,"
                   "   ident) AS n FROM per ORDER BY ck, n) WHERE n <= 3 GROUP BY ck) ");
        sqlite3_str_appendall(
            q, "SELECT class_key, min(work_type) AS work_type,"
               " min(total_self_ns) AS total_self_ns, min(critical_ns) AS critical_ns");
    }
    /* factor is matched within a relative 1e-9: equal to F however the
  ** extension stores it (a double, or text). */
    for (int k = 0; k < nf; k++)
        sqlite3_str_appendf(q,
                            ", max(CASE WHEN abs(factor - %s) <= 1e-9 * (1 + %s)"
                            " THEN saved_ns END) AS \"saved_ns_at_%w\"",
                            name[k], name[k], name[k]);
    if (by) {
        sqlite3_str_appendall(q, " FROM whatif_rank_meta(?2) WHERE run = ?1"
                                 " GROUP BY meta ORDER BY min(rank), meta");
    } else {
        /* rank <= N: whatif_rank ranks the top N alone (sqlext/tvf.c), the same
        ** rows as the full ranking's first N */
        char top[48] = "";
        if (limit)
            snprintf(top, sizeof top, " AND rank <= %lld", limit);
        sqlite3_str_appendf(q,
                            "%s FROM %s(?2%s)%s WHERE run = ?1%s"
                            " GROUP BY class_key ORDER BY min(rank), class_key",
                            ident ? ", min(top.idents) AS top_idents" : "", c->tvf,
                            min_text ? ", ?3" : "",
                            ident ? " LEFT JOIN top ON top.ck = class_key" : "", top);
    }
    args[0].text = sqlite3_str_finish(json);
    sql = sqlite3_str_finish(q);
    if (!args[0].text || !sql) {
        shell_error(p, "out of memory");
        rc = 1;
    } else if (limit == 0) {
        rc = run_analysis(p, run, sql, min_text ? 2 : 1, args);
    } else {
        char *show =
            sqlite3_mprintf("SELECT * FROM temp.wcp_rows ORDER BY rowid LIMIT %lld", limit);
        /* the rows ranked: every metadata value (whatif_rank_meta ranks them
        ** all), or the class keys with min_self_ns of self time at least
        ** (whatif_rank's default 1 ms): class_stats's total_self_ns, the
        ** model's sum (saturated) */
        long long least = min_text ? args[1].num : WCP_RANK_MIN_SELF_NS;
        char *count =
            by ? sqlite3_mprintf("SELECT min(count(*), %lld), count(*), 0 FROM temp.wcp_rows",
                                 limit)
               : sqlite3_mprintf("SELECT min(count(*), %lld), count(*), %lld FROM class_stats"
                                 " WHERE run_id = %lld AND total_self_ns >= %lld",
                                 limit, least, run, least);
        rc = show && count ? run_top(p, run, sql, min_text ? 2 : 1, args, show, count,
                                     by ? rank_meta_footer : rank_footer)
                           : (shell_error(p, "out of memory"), 1);
        sqlite3_free(show);
        sqlite3_free(count);
    }
    sqlite3_free((char *)args[0].text);
    sqlite3_free(sql);
    return rc;
}

/* ---- .report */

/* .report's sections, in the reference analyzer's order: adding a section is
** adding a row (".help report" lists them from here). */
static const struct {
    const char *cmd;   /* the command */
    const char *arg;   /* its argument, or NULL */
    const char *title; /* the section's title */
    int show_warning;  /* 1: the dropped-events warning goes under the title */
} parts[] = {
    {"summary", NULL, "Header", 1},
    {"rank", NULL, "What-if ranking: what speeding up each class saves (top 20)", 0},
    {"resources", NULL, "Named resources: waits, holds, what shortening saves", 0},
    {"selftime", NULL, "Classes by total self time (top 20)", 0},
    {"chain", NULL, "Blocking chain", 0},
    {"deadair", NULL, "Dead air: gaps of 50 ms and more where no op ran", 0},
    {"drift", NULL, "Diagnostics: the ops whose replay drifts most (top 10)", 0},
    {"drift", "origins", "Diagnostics: where drift starts (top 10)", 0},
    {"critpath", NULL, "Critical path: the 20 longest stretches, in time order", 0},
    {"parallelism", NULL, "Parallelism: would more workers help? (top 10 roots)", 0},
    {"tasks", NULL, "Tasks (the roots) per class key: how long, where time went", 0},
    {"util", NULL, "Utilization and concurrency over time (20 slices)", 0},
    {"mmu", NULL, "Minimum mean utilization by window width", 0},
};

#define NPARTS (sizeof parts / sizeof *parts)

/* The whole report, for people: each analysis in turn, under a title, in
** table mode unless box or line was chosen, in the reference analyzer's
** order. A run that dropped events says so in the report itself, under the
** header's title, and once more on stderr at the end. */
int cmd_report(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    char runbuf[32], warning[1024], left_out[256] = "";
    int errors = 0, sections = 0;
    size_t nleft = 0;
    enum wcp_mode mode = p->mode;
    int headers = p->headers;
    if (take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc != 1)
        return dot_usage(p, c);
    if (p->mode != MODE_BOX && p->mode != MODE_LINE) {
        p->mode = MODE_TABLE;
        p->headers = -1;
    }
    snprintf(runbuf, sizeof runbuf, "%lld", run);
    dropped_warning(p, run, warning, sizeof warning);
    for (size_t i = 0; i < NPARTS; i++) {
        const DotCmd *d = find_dot_cmd(parts[i].cmd, NULL);
        char name[32], arg[32], opt[] = "--run";
        char *av[5];
        int ac = 0;
        if (!d)
            continue;
        if (d->tvf && !shell_has_function(p, d->tvf)) {
            if (!parts[i].arg && nleft < sizeof left_out)
                nleft +=
                    (size_t)snprintf(left_out + nleft, sizeof left_out - nleft, " .%s", d->name);
            continue;
        }
        snprintf(name, sizeof name, ".%s", d->name);
        av[ac++] = name;
        if (parts[i].arg) {
            snprintf(arg, sizeof arg, "%s", parts[i].arg);
            av[ac++] = arg;
        }
        av[ac++] = opt;
        av[ac++] = runbuf;
        av[ac] = NULL;
        fprintf(p->out, "%s== .%s%s%s (run %lld): %s\n", sections++ ? "\n" : "", d->name,
                parts[i].arg ? " " : "", parts[i].arg ? parts[i].arg : "", run, parts[i].title);
        if (parts[i].show_warning && *warning)
            fprintf(p->out, "%s\n", warning);
        fflush(p->out);
        p->hold_warning = 1;
        p->rows = -1;
        if (d->fn(p, d, ac, av) != 0)
            errors++;
        else if (p->rows == 0) /* a table prints nothing for no rows */
            fprintf(p->out, "(none)\n");
        p->hold_warning = 0;
    }
    if (nleft)
        fprintf(p->out, "\n== left out:%s (they need the analyses extension; .load one)\n",
                left_out);
    fflush(p->out);
    p->mode = mode;
    p->headers = headers;
    warn_dropped(p, run);
    return errors > 0;
}

/* Prints word after a space at column col, or on a new line indented by two
** when it would pass column 80. Returns the column it ends at. */
static int put_word(FILE *out, int col, const char *word)
{
    int len = (int)strlen(word);
    if (col + 1 + len > 80)
        return fprintf(out, "\n  %s", word) - 1;
    return col + fprintf(out, " %s", word);
}

/* ".help report" after its detail: the sections, from parts[], as
** "Sections: .summary .rank ... .critpath; ...", a section with an argument
** quoted and set off by commas (.drift, ".drift origins", .critpath), the
** whole wrapped at 80 columns. */
void report_help(ShellState *p, FILE *out)
{
    static const char tail[] = "those the analyses extension provides are left out without it.";
    char word[96];
    int col;
    (void)p;
    col = fprintf(out, "  Sections:");
    for (size_t i = 0; i < NPARTS; i++) {
        const char *sep = i + 1 == NPARTS ? ";" : parts[i].arg || parts[i + 1].arg ? "," : "";
        if (parts[i].arg)
            snprintf(word, sizeof word, "\".%s %s\"%s", parts[i].cmd, parts[i].arg, sep);
        else
            snprintf(word, sizeof word, ".%s%s", parts[i].cmd, sep);
        col = put_word(out, col, word);
    }
    for (const char *t = tail; *t;) {
        size_t len = strcspn(t, " ");
        snprintf(word, sizeof word, "%.*s", (int)len, t);
        col = put_word(out, col, word);
        t += len + (t[len] == ' ');
    }
    fputc('\n', out);
}
