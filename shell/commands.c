/* commands.c - the dot-commands: one table, wcp_dot_cmds[], that dispatches,
** documents (.help) and drives tab completion (complete.c), and the generic
** commands: .help, .quit, .exit, .tables, .schema, .mode, .headers, .timer,
** .bail, .read, .output, .once, .load, .runs, .run.
**
** Adding a command is adding a row to the table and its function: here for
** a generic command; in analysis.c for an analysis (a table-valued function
** of the extension, named in the row's tvf field) or a section of .report;
** export_cmd.c has .export, sqlite_cmds.c the commands the shell has
** because sqlite3 has them (.width, .show, .dump, .import, ...). What the commands share (usage errors, counts
** and durations, --run N, the extension check, the dropped-events warning)
** is args.c. ".help NAME" prints a row's detail, then what its more_help
** function generates from a table (the export formats, the report's
** sections), so that no help text keeps a list of its own.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

#define MAX_ARGS 64
#define HELP_COLUMN 24 /* .help: where the one-line help starts, less one */

/* Parses on/off (also yes/no, true/false, 1/0). Returns 1, 0, or -1. */
int parse_bool(const char *s)
{
    static const char *const yes[] = {"on", "yes", "true", "1"};
    static const char *const no[] = {"off", "no", "false", "0"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return 1;
        if (strcasecmp(s, no[i]) == 0)
            return 0;
    }
    return -1;
}

/* ---- the commands, in the table's order */

static int cmd_help(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    int width = 0, found = 0;
    const char *want = NULL;
    if (argc > 2)
        return dot_usage(p, c);
    if (argc == 2)
        want = argv[1][0] == '.' ? argv[1] + 1 : argv[1];
    width = HELP_COLUMN;
    for (const DotCmd *d = wcp_dot_cmds; d->name; d++) {
        char head[160];
        int col;
        if (want && strncmp(d->name, want, strlen(want)) != 0)
            continue;
        found++;
        /* ".name USAGE" then the help from column HELP_COLUMN + 2, on the
        ** next line when the usage reaches it; wrapped at 80 columns */
        snprintf(head, sizeof head, ".%s%s%s", d->name, *d->usage ? " " : "", d->usage);
        col = fprintf(p->out, "%s", head);
        if (col > width)
            col = fprintf(p->out, "\n%*s", width + 1, "") - 1;
        else
            col += fprintf(p->out, "%*s", width + 1 - col, "");
        put_wrapped(p->out, col, width + 1, d->help);
        if (want && d->detail)
            fprintf(p->out, "%s\n", d->detail);
        if (want && d->more_help)
            d->more_help(p, p->out);
    }
    if (want && !found) {
        shell_error(p, "no command matches \"%s\"; enter \".help\" for the list", argv[1]);
        return 1;
    }
    fflush(p->out);
    return 0;
}

static int cmd_quit(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    (void)argv;
    if (argc > 1)
        return dot_usage(p, c);
    p->quit = 1;
    return 0;
}

static int cmd_exit(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long code = 0;
    if (argc > 2 || (argc == 2 && (parse_count(argv[1], &code) != 0 || code > 255)))
        return dot_usage(p, c);
    p->quit = 2;
    p->exit_code = (int)code;
    return 0;
}

/* Prints the names sql gives (?1 bound to pattern, or NULL) in columns,
** top to bottom then left to right, as sqlite3's .tables and .indexes do.
** Returns 0, or 1 after printing an error. */
int print_names(ShellState *p, const char *sql, const char *pattern)
{
    sqlite3_stmt *st;
    char **names = NULL;
    int n = 0, cap = 0, w = 0;
    if (shell_prepare(p, sql, &st))
        return 1;
    if (pattern)
        sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            char **m = realloc(names, (size_t)cap * sizeof *m);
            if (!m)
                break;
            names = m;
        }
        names[n] = strdup((const char *)sqlite3_column_text(st, 0));
        if (!names[n])
            break;
        if ((int)strlen(names[n]) > w)
            w = (int)strlen(names[n]);
        n++;
    }
    sqlite3_finalize(st);
    /* In columns, top to bottom then left to right, as sqlite3 does. */
    if (n > 0) {
        int ncol = 80 / (w + 2);
        if (ncol < 1)
            ncol = 1;
        int nrow = (n + ncol - 1) / ncol;
        for (int r = 0; r < nrow; r++) {
            for (int i = r; i < n; i += nrow) {
                const char *sp = i + nrow < n ? "  " : "";
                fprintf(p->out, "%-*s%s", i + nrow < n ? w : 0, names[i], sp);
            }
            fputc('\n', p->out);
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    fflush(p->out);
    return 0;
}

static int cmd_tables(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc > 2)
        return dot_usage(p, c);
    return print_names(p, WCP_USER_TABLES_SQL " AND name LIKE coalesce(?1, '%') ORDER BY 1",
                       argc == 2 ? argv[1] : NULL);
}

static int cmd_schema(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    sqlite3_stmt *st;
    int rc;
    if (argc > 2)
        return dot_usage(p, c);
    if (shell_prepare(p,
                      "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL "
                      "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                      "AND (?1 IS NULL OR name LIKE ?1 OR tbl_name LIKE ?1) ORDER BY rowid",
                      &st))
        return 1;
    if (argc == 2)
        sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        fprintf(p->out, "%s;\n", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    fflush(p->out);
    if (rc != SQLITE_DONE) {
        shell_error(p, "%s", sqlite3_errmsg(p->db));
        return 1;
    }
    return 0;
}

static int cmd_mode(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc == 1) {
        fprintf(p->out, "current output mode: %s\n", wcp_mode_name(p->mode));
        fflush(p->out);
        return 0;
    }
    if (argc > 3 || (argc == 3 && strcmp(argv[1], "insert") != 0))
        return dot_usage(p, c);
    if (wcp_mode_from_name(argv[1], &p->mode) != 0) {
        char list[256];
        size_t n = 0;
        for (int m = 0; m < WCP_NMODES; m++)
            n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
                                  m == 0                ? ""
                                  : m + 1 == WCP_NMODES ? " or "
                                                        : ", ",
                                  wcp_mode_name((enum wcp_mode)m));
        shell_error(p, "unknown mode \"%s\": use %s", argv[1], list);
        return 1;
    }
    if (p->mode == MODE_INSERT)
        snprintf(p->insert_table, sizeof p->insert_table, "%s", argc == 3 ? argv[2] : "table");
    return 0;
}

/* .headers, .timer, .bail (and sqlite_cmds.c's .echo, .eqp, .changes): "on" or "off"
** into *field. */
int set_onoff(ShellState *p, const DotCmd *c, int argc, char **argv, int *field)
{
    int b = argc == 2 ? parse_bool(argv[1]) : -1;
    if (b < 0)
        return dot_usage(p, c);
    *field = b;
    return 0;
}

static int cmd_headers(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->headers);
}

static int cmd_timer(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->timer);
}

/* .timeout MS: how long to wait for a lock another process holds, as
 * sqlite3's .timeout (sqlite3_busy_timeout); -busy-timeout at start. */
static int cmd_timeout(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    char *end;
    long v = argc == 2 ? strtol(argv[1], &end, 10) : -1;
    if (argc != 2 || v < 0 || v > 86400000 || *end || end == argv[1])
        return dot_usage(p, c);
    p->busy_ms = (int)v;
    sqlite3_busy_timeout(p->db, p->busy_ms);
    return 0;
}

static int cmd_bail(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->bail);
}

static int cmd_read(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    FILE *f;
    int errors;
    if (argc != 2)
        return dot_usage(p, c);
    if (p->read_depth >= 20) {
        shell_error(p, ".read nested too deeply (does \"%s\" read itself?)", argv[1]);
        return 1;
    }
    f = fopen(argv[1], "r");
    if (!f) {
        shell_error(p, "cannot open \"%s\": %s", argv[1], strerror(errno));
        return 1;
    }
    p->read_depth++;
    errors = process_input(p, f, argv[1]);
    p->read_depth--;
    fclose(f);
    return errors > 0;
}

/* "|command with words" arrives split into words: join them back with one
** space between, as sqlite3 does (quote the whole to keep quotes inside). */
static void join_pipe(int *argc, char **argv)
{
    static char buf[4096];
    size_t n = 0;
    if (*argc <= 2 || argv[1][0] != '|')
        return;
    for (int i = 1; i < *argc; i++)
        n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0, "%s%s",
                              i > 1 ? " " : "", argv[i]);
    argv[1] = buf;
    *argc = 2;
}

static int cmd_output(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    join_pipe(&argc, argv);
    if (argc > 2)
        return dot_usage(p, c);
    if (argc == 1 || strcmp(argv[1], "stdout") == 0) {
        output_reset(p);
        return 0;
    }
    return output_open(p, argv[1]);
}

static int cmd_once(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    join_pipe(&argc, argv);
    if (argc != 2)
        return dot_usage(p, c);
    if (output_open(p, argv[1]))
        return 1;
    p->once = 2; /* this command, then the next one */
    return 0;
}

static int cmd_load(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    char *err = NULL;
    if (argc < 2 || argc > 3)
        return dot_usage(p, c);
    sqlite3_enable_load_extension(p->db, 1);
    if (sqlite3_load_extension(p->db, argv[1], argc == 3 ? argv[2] : NULL, &err) != SQLITE_OK) {
        shell_error(p, "%s", err ? err : "cannot load the extension");
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

static int cmd_runs(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    sqlite3_stmt *st;
    (void)argv;
    if (argc != 1)
        return dot_usage(p, c);
    /* for people the epoch as a date, UTC; raw nanoseconds for programs */
    if (shell_prepare(
            p,
            shell_for_people(p)
                ? "SELECT r.id, strftime('%Y-%m-%d %H:%M:%f', r.epoch_unix_nano / 1e9,"
                  " 'unixepoch') || ' UTC' AS epoch, r.dumps, r.ops, r.span_ns,"
                  " r.dropped_events,"
                  " (SELECT group_concat(source, ', ') FROM"
                  "   (SELECT source || coalesce(' (trace ' || json_extract(d.extra, '$.trace_id')"
                  "    || ')', '') AS source FROM dumps d WHERE d.run_id = r.id ORDER BY d.id))"
                  "   AS sources"
                  " FROM runs r ORDER BY r.id"
                : "SELECT r.id, r.epoch_unix_nano AS epoch, r.dumps, r.ops, r.span_ns,"
                  " r.dropped_events,"
                  " (SELECT group_concat(source, ', ') FROM"
                  "   (SELECT source || coalesce(' (trace ' || json_extract(d.extra, '$.trace_id')"
                  "    || ')', '') AS source FROM dumps d WHERE d.run_id = r.id ORDER BY d.id))"
                  "   AS sources"
                  " FROM runs r ORDER BY r.id",
            &st))
        return 1;
    return shell_exec_stmt(p, st);
}

static int cmd_run(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long id;
    if (argc > 2)
        return dot_usage(p, c);
    if (argc == 1) {
        long long latest = latest_run(p);
        if (p->run_id)
            fprintf(p->out, "run %lld (selected with .run)\n", p->run_id);
        else if (latest)
            fprintf(p->out, "run %lld (the most recent)\n", latest);
        else
            fprintf(p->out, "no runs in \"%s\"\n", p->db_path);
        fflush(p->out);
        return 0;
    }
    if (strcmp(argv[1], "latest") == 0) {
        p->run_id = 0;
        return 0;
    }
    if (parse_count(argv[1], &id) != 0 || id == 0)
        return dot_usage(p, c);
    if (!run_exists(p, id)) {
        shell_error(p, "no run %lld in \"%s\" (.runs lists them)", id, p->db_path);
        return 1;
    }
    p->run_id = id;
    return 0;
}

/* The functions of the rows that live in other files. */
DotFn cmd_summary, cmd_selftime, cmd_chain, cmd_critpath, cmd_whatif, cmd_deadair, cmd_drift,
    cmd_rank, cmd_report, cmd_resources; /* analysis.c */
DotHelp report_help;                     /* analysis.c */
DotFn cmd_export;                        /* export_cmd.c */
DotFn cmd_print, cmd_nullvalue, cmd_separator, cmd_width, cmd_show, cmd_echo, cmd_eqp, cmd_changes,
    cmd_prompt, cmd_databases, cmd_indexes, cmd_shell, cmd_open, cmd_parameter, cmd_dump,
    cmd_import;                                                                  /* sqlite_cmds.c */
DotHelp export_help;                                                             /* export_cmd.c */
DotFn cmd_breakdown, cmd_parallelism, cmd_related, cmd_util, cmd_mmu, cmd_tasks; /* analysis.c */

/* The table. Keep it in alphabetical order: .help lists it as it is. */
const DotCmd wcp_dot_cmds[] = {
    {"bail", cmd_bail, "on|off", "Stop at the first error (as -bail)", NULL, ARGS_ONOFF, NULL,
     NULL},
    {"breakdown", cmd_breakdown, "?OP|KEY? ?--run N?",
     "Where the time went: of op OP, of class key KEY, or of every class key",
     "  States: self, children, wait:REASON, lock:RESOURCE (spec/analysis.md 7.1);\n"
     "  the parts add up to the durations. Columns: op_id state dur_ns pct, from\n"
     "  op_breakdown(op, run); or class_key state ops total_ns pct, from\n"
     "  class_breakdown(run) (which also sums each root's tree: scope 'root'). For\n"
     "  people (table, box, line, column, markdown) every class key means the 20\n"
     "  with the most time, most first; other modes give all, by key.",
     ARGS_CLASSKEY, "class_breakdown", NULL},
    {"changes", cmd_changes, "on|off", "Show the rows each statement changed", NULL, ARGS_ONOFF,
     NULL, NULL},
    {"chain", cmd_chain, "?DEPTH? ?--run N?", "The blocking chain, DEPTH ops at most (default 25)",
     "  Columns: seq op_id class_key start_ns end_ns dur_ns self_ns (recorded times),\n"
     "  from blocking_chain(depth, run).",
     ARGS_NONE, "blocking_chain", NULL},
    {"critpath", cmd_critpath, "?N? ?KEY=F ...? ?--ident? ?--run N?",
     "The critical path in time order (of the what-if KEY=F ..., if given)",
     "  Columns: seq op_id class_key what resource start_ns end_ns dur_ns (simulated\n"
     "  times), from critical_path(spec, run); the words are joined into one spec.\n"
     "  For people (table, box, line, column, markdown) segments in a row of one op\n"
     "  are merged (what: their kinds, segments: how many) and the N longest rows\n"
     "  (default 20) shown; N 0: every segment. Other modes: every segment unless N.\n"
     "  --ident adds the op's ident (the file, the URL: which header is slow); meta\n"
     "  is the op's metadata (an exec's argv), from ops.",
     ARGS_CLASSKEY, "critical_path", NULL},
    {"databases", cmd_databases, "", "List the names and files of attached databases", NULL,
     ARGS_NONE, NULL, NULL},
    {"deadair", cmd_deadair, "?NS? ?N? ?--run N?",
     "Gaps where no op was running, NS and longer (default 50ms)",
     "  NS: nanoseconds, or with a unit ns, us, ms or s. Columns: start_ns end_ns\n"
     "  dur_ns, from dead_air(min_ns, run). For people (table, box, line, column,\n"
     "  markdown) the N longest gaps (default 20, 0 for all) in time order; other\n"
     "  modes every gap unless N.",
     ARGS_NONE, "dead_air", NULL},
    {"drift", cmd_drift, "?origins? ?N? ?--run N?",
     "Replay diagnostics: the top N ops (default 10, 0 for all) by drift",
     "  drift_ns is the baseline replay's duration minus the recorded one, largest\n"
     "  first. \".drift origins\": the ops where drift starts (origin_ns > 0, the\n"
     "  growth their dependencies do not explain), largest first. Columns: op_id\n"
     "  class_key start_ns dur_ns sim_dur_ns drift_ns origin_ns, from replay_drift(run).",
     ARGS_DRIFT, "replay_drift", NULL},
    {"dump", cmd_dump, "?PATTERN?", "The database (tables LIKE PATTERN) as SQL text", NULL,
     ARGS_TABLE, NULL, NULL},
    {"echo", cmd_echo, "on|off", "Print each command before running it", NULL, ARGS_ONOFF, NULL,
     NULL},
    {"eqp", cmd_eqp, "on|off", "Show the query plan (EXPLAIN QUERY PLAN) before each query", NULL,
     ARGS_ONOFF, NULL, NULL},
    {"exit", cmd_exit, "?CODE?", "Exit now with status CODE (default 0), whatever failed before",
     NULL, ARGS_NONE, NULL, NULL},
    {"export", cmd_export, "FORMAT FILE ?--OPTION VALUE ...?",
     "Write the run to FILE in FORMAT: an html page, a chrome trace, ... (\".export\" lists them; FILE \"-\": to the output)",
     "  FORMAT: one of the formats below (\".export\" alone lists them too). --NAME\n"
     "  VALUE passes the option NAME=VALUE (dashes as underscores: --min-self is\n"
     "  min_self); several words after one --NAME repeat it (--whatif a:b=0.5\n"
     "  c:d=0). --run N picks the run. Prints \"wrote FILE (N bytes)\" (nothing in\n"
     "  json and csv modes), from wcprof_export(format, path, options, run).",
     ARGS_EXPORT, "wcprof_export", export_help},
    {"headers", cmd_headers, "on|off", "Show column names (default: on in table and box)", NULL,
     ARGS_ONOFF, NULL, NULL},
    {"help", cmd_help, "?COMMAND?", "Show help, for all commands or those starting COMMAND", NULL,
     ARGS_COMMAND, NULL, NULL},
    {"import", cmd_import, "FILE TABLE", "Import CSV FILE into TABLE (created from its header)",
     "  Fields separated by commas in csv mode, by tabs in tabs mode, else by the\n"
     "  .separator; a TABLE that does not exist is created from the first line's\n"
     "  names. All or nothing: a bad line imports nothing.",
     ARGS_FILE, NULL, NULL},
    {"indexes", cmd_indexes, "?TABLE?", "List the indexes (of tables LIKE TABLE)", NULL, ARGS_TABLE,
     NULL, NULL},
    {"load", cmd_load, "FILE ?ENTRY?", "Load an SQLite extension library", NULL, ARGS_FILE, NULL,
     NULL},
    {"mmu", cmd_mmu, "?W? ?--run N?",
     "Minimum mean utilization: the curve, or for width W the worst windows",
     "  u(t) = 1 - blocked/activities (spec/analysis.md 7.2-3): an op in self or\n"
     "  waiting is an activity, waiting is blocked. Without W: width_ns mmu at_ns for\n"
     "  50 widths from 1us to the span (for people every 5th), from mmu(width,\n"
     "  blocked_states, run). With W (ns, or a unit ns, us, ms or s): its mmu; the\n"
     "  quantiles of the window mean, from mud(width, blocked_states, run); the 5\n"
     "  worst disjoint windows with the ops blocked there, from worst_windows(width,\n"
     "  k, blocked_states, run).",
     ARGS_NONE, "mmu", NULL},
    {"mode", cmd_mode, "?MODE? ?TABLE?",
     "Set the output mode: table box markdown column line list tabs csv json quote html insert",
     "  table box markdown column line: for people (durations as 1.23 s, fitted to\n"
     "  the terminal); list tabs csv json quote html, and insert TABLE (INSERT INTO\n"
     "  TABLE statements): raw values for programs.",
     ARGS_MODE, NULL, NULL},
    {"nullvalue", cmd_nullvalue, "TEXT", "Print NULL as TEXT (default \"\")", NULL, ARGS_NONE, NULL,
     NULL},
    {"once", cmd_once, "FILE", "Send the next command's output to FILE (\"|CMD\": a pipe)", NULL,
     ARGS_FILE, NULL, NULL},
    {"open", cmd_open, "?--readonly? FILE", "Close this database and open the wcprof database FILE",
     NULL, ARGS_FILE, NULL, NULL},
    {"output", cmd_output, "?FILE?", "Send output to FILE (\"|CMD\": a pipe), or to stdout", NULL,
     ARGS_FILE, NULL, NULL},
    {"parallelism", cmd_parallelism, "?N? ?--run N?",
     "Work, span and parallelism of the run and its N roots with most work (default 10)",
     "  work = self time summed, span = the baseline's duration, parallelism = work /\n"
     "  span (spec/analysis.md 7.5); then Brent's bounds on the makespan with P\n"
     "  workers, P = 1, 2, 4, ... 64: lower max(work/P, span), upper work/P + span.\n"
     "  Columns: root_id class_key ops work_ns span_ns parallelism (the run first,\n"
     "  root_id NULL), from parallelism(run); workers lower_ns upper_ns, from\n"
     "  parallelism_bounds(max_workers, run).",
     ARGS_NONE, "parallelism", NULL},
    {"parameter", cmd_parameter, "init|list|clear|set KEY VALUE|unset KEY",
     "Values for SQL parameters (?1, :name, @name, $name)", NULL, ARGS_NONE, NULL, NULL},
    {"print", cmd_print, "TEXT ...", "Print the words of TEXT", NULL, ARGS_NONE, NULL, NULL},
    {"prompt", cmd_prompt, "MAIN ?CONTINUE?", "Set the prompts", NULL, ARGS_NONE, NULL, NULL},
    {"quit", cmd_quit, "", "Exit the shell", NULL, ARGS_NONE, NULL, NULL},
    {"rank", cmd_rank, "?N? ?F,F,...? ?--min-self NS? ?--ident? ?--by meta? ?--run N?",
     "Class keys by what speeding them up would save: the top N",
     "  One saved_ns_at_F column per factor F (default 0,0.5,0.9; a factor has a\n"
     "  '.' or a ',', a whole number alone is N), ranked by the saving at the middle\n"
     "  factor; class keys with NS of self time or more (default 1ms; a unit ns, us,\n"
     "  ms or s, or nanoseconds). N: default 20 for people (table, box, line,\n"
     "  column, markdown), all in other modes; 0 for all. Columns: class_key\n"
     "  work_type total_self_ns critical_ns saved_ns_at_F..., from\n"
     "  whatif_rank(factors, min_self_ns, prune, run); --ident adds top_idents, the\n"
     "  class key's three idents with the most self time. --by meta: the same for\n"
     "  the ops' metadata values (an exec's argv), each value's ops scaled together;\n"
     "  columns meta ops total_self_ns critical_ns saved_ns_at_F..., from\n"
     "  whatif_rank_meta(factors, run).",
     ARGS_NONE, "whatif_rank", NULL},
    {"read", cmd_read, "FILE", "Run the SQL and dot-commands in FILE", NULL, ARGS_FILE, NULL, NULL},
    {"related", cmd_related, "OP ?DEPTH? ?--run N?",
     "The ops tied to op OP, breadth first to DEPTH steps (default 2)",
     "  Ties: parent, child, awaited (via waited on it), waiter (it waited on via),\n"
     "  linked, linked_by (spec/analysis.md 7.4); via_id is the op one\n"
     "  step nearer. Columns: op_id depth tie via_id class_key start_ns end_ns,\n"
     "  from related_ops(op, depth, run).",
     ARGS_NONE, "related_ops", NULL},
    {"report", cmd_report, "?--run N?", "The full report: every analysis available",
     "  For people: printed as a table whatever the mode (box and line are kept).", ARGS_NONE, NULL,
     report_help},
    {"resources", cmd_resources, "?--run N?",
     "Named resources (locks, pools, queues): who waited, who held, what it costs",
     "  Per resource: waits (count, total, p95), unresolved waits, holds (count,\n"
     "  total held, longest), time on the critical path waiting for it and holding\n"
     "  it (with the work under its holds), and the replay's saving when every\n"
     "  critical section of it is halved / removed, from resource_stats(run)\n"
     "  (spec/analysis.md section 6).",
     ARGS_NONE, "resource_stats", NULL},
    {"run", cmd_run, "?N|latest?", "Pick the run analyses use (default: the most recent)", NULL,
     ARGS_RUN, NULL, NULL},
    {"runs", cmd_runs, "", "List the runs and the dumps they came from (an OTel trace's id)", NULL,
     ARGS_NONE, NULL, NULL},
    {"schema", cmd_schema, "?PATTERN?", "Show the CREATE statements (matching a LIKE PATTERN)",
     NULL, ARGS_TABLE, NULL, NULL},
    {"selftime", cmd_selftime, "?N? ?--run N?",
     "Class keys by total self time: the top N (default 20, 0 for all)",
     "  Columns: class_key work_type count total_self_ns total_wall_ns p50_self_ns\n"
     "  p95_self_ns max_self_ns outcomes dup_executed (spec/analysis.md section 5).",
     ARGS_NONE, NULL, NULL},
    {"separator", cmd_separator, "COL ?ROW?", "Separators for list mode (\\t, \\n understood)",
     NULL, ARGS_NONE, NULL, NULL},
    {"shell", cmd_shell, "CMD ARGS...", "Run CMD ARGS... in a system shell", NULL, ARGS_FILE, NULL,
     NULL},
    {"show", cmd_show, "", "Show the current settings", NULL, ARGS_NONE, NULL, NULL},
    {"simchain", cmd_chain, "?DEPTH? ?--run N?",
     "The blocking chain walked by simulated finish (default depth 25)",
     "  Columns: seq op_id class_key start_ns end_ns dur_ns (simulated times) self_ns,\n"
     "  from simulated_chain(depth, run).",
     ARGS_NONE, "simulated_chain", NULL},
    {"summary", cmd_summary, "?--run N?", "The run's header facts and replay diagnostics",
     "  Columns: ops roots open_ops dropped_events orphan_waits span_ns makespan_ns\n"
     "  baseline_ns drift_pct cycles_broken fallback_anchors unfinished_ops (those\n"
     "  five from replay_summary(run): NULL without the analyses extension)\n"
     "  dropped_by_cause (the recorder's reasons: cap, ring, dump, oom).\n"
     "  fallback_anchors: ops the replay had to start at their recorded offset\n"
     "  because nothing that ran before them started them (spec/analysis.md,\n"
     "  \"Anchoring\"); unfinished_ops: ops the replay never finished (never\n"
     "  reached, or left open by the recording). Both make what-ifs less certain.",
     ARGS_NONE, NULL, NULL},
    {"system", cmd_shell, "CMD ARGS...", "Run CMD ARGS... in a system shell (as .shell)", NULL,
     ARGS_FILE, NULL, NULL},
    {"tables", cmd_tables, "?PATTERN?", "List tables and views (matching a LIKE PATTERN)", NULL,
     ARGS_TABLE, NULL, NULL},
    {"tasks", cmd_tasks, "?--task-kind KIND? ?--run N?",
     "Tasks (the roots, or the ops of kind KIND) per class key: durations, breakdown",
     "  Columns: class_key tasks complete open p50_ns p95_ns max_ns self_ns\n"
     "  children_ns waiting_ns descendants (spec/analysis.md 7.6), from\n"
     "  task_summary(kind, run); each task's span and critical path: tasks(kind, run).",
     ARGS_NONE, "task_summary", NULL},
    {"timeout", cmd_timeout, "MS", "Wait MS ms for a database another process has locked", NULL,
     ARGS_NONE, NULL, NULL},
    {"timer", cmd_timer, "on|off", "Time each statement (\"Run Time: real ... user ... sys ...\")",
     NULL, ARGS_ONOFF, NULL, NULL},
    {"util", cmd_util, "?N? ?--run N?",
     "Utilization and concurrency over time, in N equal slices (default 20)",
     "  Per slice, time-weighted means: activities (ops in self or waiting), blocked\n"
     "  (waiting), running (in self: the concurrency curve) and utilization = 1 -\n"
     "  blocked/activities, 0 where nothing runs (spec/analysis.md 7.2). Columns:\n"
     "  start_ns end_ns activities blocked running utilization, from\n"
     "  utilization(blocked_states, buckets, run) (without buckets: every step).",
     ARGS_NONE, "utilization", NULL},
    {"whatif", cmd_whatif, "KEY=F ?KEY=F ...? ?--run N?",
     "The makespan if class KEY (kind:class) took F times as long",
     "  Columns: baseline_ns makespan_ns saved_ns factors (the spec as understood),\n"
     "  from whatif(spec, run); the words are joined into one spec. A key with spaces:\n"
     "  .whatif '{\"kind:class name\": 0.5}'.",
     ARGS_CLASSKEY, "whatif", NULL},
    {"width", cmd_width, "N1 N2 ...", "Column widths for the table modes (0: fit, < 0: right)",
     "  Cells wider than their column wrap onto more lines; the terminal's width no\n"
     "  longer applies to the columns set. \".width\" alone clears them.",
     ARGS_NONE, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, ARGS_NONE, NULL, NULL},
};

/* The command named name: an exact name, or a prefix of exactly one. Returns
** NULL when there is none (*ambiguous, if given, is 1 when several match). */
const DotCmd *find_dot_cmd(const char *name, int *ambiguous)
{
    const DotCmd *match = NULL;
    int n = 0;
    size_t len = strlen(name);
    if (ambiguous)
        *ambiguous = 0;
    if (len == 0)
        return NULL;
    for (const DotCmd *d = wcp_dot_cmds; d->name; d++) {
        if (strcmp(d->name, name) == 0)
            return d;
        if (strncmp(d->name, name, len) == 0) {
            match = d;
            n++;
        }
    }
    if (n > 1) {
        if (ambiguous)
            *ambiguous = 1;
        return NULL;
    }
    return match;
}

/* Splits line into words in place: white space separates them; '...' keeps
** everything; "..." understands \\, \" \n and \t. What follows a closing
** quote up to white space belongs to the same word ("a b:c"=0.5 is the word
** a b:c=0.5); a quote inside a bare word is just a character. Returns the
** word count. */
static int split_args(char *z, char **argv, int max)
{
    int n = 0;
    while (*z && n < max) {
        char *w;
        while (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r')
            z++;
        if (!*z)
            break;
        argv[n++] = w = z;
        int first = 1; /* a quote opens only at the word's start */
        while (*z && *z != ' ' && *z != '\t' && *z != '\n' && *z != '\r') {
            if (first && (*z == '\'' || *z == '"')) {
                char q = *z++;
                while (*z && *z != q) {
                    if (q == '"' && *z == '\\' && z[1]) {
                        z++;
                        *w++ = *z == 'n' ? '\n' : *z == 't' ? '\t' : *z;
                        z++;
                    } else {
                        *w++ = *z++;
                    }
                }
                if (*z)
                    z++;
            } else {
                *w++ = *z++;
            }
            first = 0;
        }
        if (*z)
            z++;
        *w = 0;
    }
    return n;
}

/* Runs one dot-command line (starting with '.'). Returns 0, or 1 after
** printing an error. */
int do_dot_command(ShellState *p, const char *line)
{
    char *copy = strdup(line + 1);
    char *argv[MAX_ARGS];
    int argc, ambiguous, rc;
    const DotCmd *c;

    if (!copy) {
        shell_error(p, "out of memory");
        return 1;
    }
    argc = split_args(copy, argv, MAX_ARGS);
    if (argc == 0) {
        free(copy);
        shell_error(p, "unknown command or invalid arguments: \".\". Enter \".help\" for help");
        return 1;
    }
    c = find_dot_cmd(argv[0], &ambiguous);
    if (!c) {
        if (ambiguous) {
            char list[512];
            size_t n = 0;
            list[0] = 0;
            for (const DotCmd *d = wcp_dot_cmds; d->name && n < sizeof list - 40; d++)
                if (strncmp(d->name, argv[0], strlen(argv[0])) == 0)
                    n += (size_t)snprintf(list + n, sizeof list - n, " .%s", d->name);
            shell_error(p, "ambiguous command \".%s\": could be%s", argv[0], list);
        } else {
            shell_error(p,
                        "unknown command or invalid arguments: \".%s\". Enter \".help\" for help",
                        argv[0]);
        }
        free(copy);
        return 1;
    }
    rc = c->fn(p, c, argc, argv);
    free(copy);
    return rc;
}
