/* args.c - what the dot-commands share: their usage error, the numbers and
** durations they take, "--OPTION VALUE" and "--run N" (the run a command
** reads), whether the analyses extension is there, and the dropped-events
** warning that every command reading a run ends with.
**
** commands.c (.exit, .run), analysis.c (every analysis and .report) and
** export_cmd.c (.export) use them. Each says how it fails: the parsers
** return -1 and leave their output alone; the others print an error (as
** shell_error() words it) and return 1.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "shell.h"

/* 1 for the output modes meant for people (table, box, line, column,
** markdown): .rank and .critpath show their top rows, .runs the epoch as a
** date; json, csv and the other machine modes get every row and raw values
** unless asked (docs/spec/interfaces.md). */
int shell_for_people(ShellState *p)
{
    return p->mode == MODE_TABLE || p->mode == MODE_BOX || p->mode == MODE_LINE ||
           p->mode == MODE_COLUMN || p->mode == MODE_MARKDOWN;
}

/* Prints "usage: .NAME USAGE" as an error. Returns 1. */
int dot_usage(ShellState *p, const DotCmd *c)
{
    shell_error(p, "usage: .%s%s%s", c->name, *c->usage ? " " : "", c->usage);
    return 1;
}

/* Parses a whole number >= 0 into *v. Returns 0, or -1 leaving *v alone. */
int parse_count(const char *s, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < 0)
        return -1;
    *v = x;
    return 0;
}

/* Parses an op id, 0 to 18446744073709551615, into *v as the ops table stores
** it (its bit pattern: above 2^63, negative; base/ids.h). Returns 0, or -1
** leaving *v alone. */
int parse_op_id(const char *s, long long *v)
{
    uint64_t x;
    if (wcp_parse_u64(s, &x) < 0)
        return -1;
    *v = (long long)(int64_t)x;
    return 0;
}

/* Parses a duration into *v nanoseconds: a whole number of nanoseconds, or a
** number with a unit ns, us (or µs), ms or s ("1.5ms"). Returns 0, or -1
** leaving *v alone. */
int parse_ns(const char *s, long long *v)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    size_t digits = strspn(s, "0123456789.");
    double x;
    char *end;
    if (digits == 0 || strchr(s, '.') != strrchr(s, '.') || (s[0] == '.' && digits == 1))
        return -1;
    if (s[digits] == 0)
        return strchr(s, '.') ? -1 : parse_count(s, v);
    x = strtod(s, &end);
    if (end != s + digits)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
        if (strcmp(s + digits, units[i].unit) == 0) {
            x = round(x * units[i].scale);
            if (x > 9e18)
                return -1;
            *v = (long long)x;
            return 0;
        }
    }
    return -1;
}

/* 1 if sql, with ?1 bound to name, gives a row (0 also when it cannot run). */
static int has_row(ShellState *p, const char *sql, const char *name)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* 1 if name is an SQL function or a (table-valued) module of the connection. */
int shell_has_function(ShellState *p, const char *name)
{
    return has_row(p,
                   "SELECT 1 FROM pragma_function_list WHERE name = ?1 "
                   "UNION ALL SELECT 1 FROM pragma_module_list WHERE name = ?1",
                   name);
}

/* 1 if the database has a table or view called name. */
int shell_has_table(ShellState *p, const char *name)
{
    return has_row(p,
                   "SELECT 1 FROM sqlite_schema WHERE type IN ('table','view')"
                   " AND name = ?1 COLLATE NOCASE",
                   name);
}

/* 1 if sql, with ?1 bound to the run id run, gives a row (0 also when it
 * cannot run). */
int run_has_row(ShellState *p, const char *sql, long long run)
{
    sqlite3_stmt *st;
    int found = 0;
    if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_int64(st, 1, run);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* 1 if the database has run id (0 also when it cannot be asked). */
int run_exists(ShellState *p, long long id)
{
    return run_has_row(p, "SELECT 1 FROM runs WHERE id = ?1", id);
}

/* The most recent run (max id), or 0 when there is none. */
long long latest_run(ShellState *p)
{
    sqlite3_stmt *st;
    long long id = 0;
    if (sqlite3_prepare_v2(p->db, "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/* Takes the option opt ("--run") out of argv: "--run N" or "--run=N" sets
** *value to N (the last one given wins); without it *value is NULL. Returns
** 0, or 1 after printing the usage when opt has no value. */
int take_option(ShellState *p, const DotCmd *c, int *argc, char **argv, const char *opt,
                const char **value)
{
    size_t len = strlen(opt);
    int n = 1;
    *value = NULL;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], opt) == 0) {
            if (i + 1 >= *argc)
                return dot_usage(p, c);
            *value = argv[++i];
        } else if (strncmp(argv[i], opt, len) == 0 && argv[i][len] == '=') {
            *value = argv[i] + len + 1;
        } else {
            argv[n++] = argv[i];
        }
    }
    *argc = n;
    return 0;
}

/* Takes the flag opt ("--ident") out of argv. Returns 1 if it was there. */
int take_flag(int *argc, char **argv, const char *opt)
{
    int n = 1, found = 0;
    for (int i = 1; i < *argc; i++) {
        if (strcmp(argv[i], opt) == 0)
            found = 1;
        else
            argv[n++] = argv[i];
    }
    *argc = n;
    return found;
}

/* Picks the run an analysis uses: the "--run N" (or "--run=N") in argv, which
** it removes from argv, else the .run selection, else the most recent run.
** Returns 0 with *run set, or 1 after printing an error. */
int take_run(ShellState *p, const DotCmd *c, int *argc, char **argv, long long *run)
{
    const char *want;
    if (take_option(p, c, argc, argv, "--run", &want))
        return 1;
    if (want) {
        if (parse_count(want, run) != 0 || *run == 0) {
            shell_error(p, ".%s: --run wants a run id, not \"%s\" (.runs lists them)", c->name,
                        want);
            return 1;
        }
    } else if (p->run_id) {
        *run = p->run_id;
    } else {
        *run = latest_run(p);
        if (*run == 0) {
            shell_error(p, "no runs in \"%s\": load a dump first (wcprof-ingest -o %s DUMP)",
                        p->db_path, p->db_path);
            return 1;
        }
    }
    if (!run_exists(p, *run)) {
        shell_error(p, "no run %lld in \"%s\" (.runs lists them)", *run, p->db_path);
        return 1;
    }
    return 0;
}

/* 0 when the connection has c's table-valued function; else 1 after saying
** that c needs the analyses extension. */
int need_extension(ShellState *p, const DotCmd *c)
{
    if (shell_has_function(p, c->tvf))
        return 0;
    shell_error(p,
                ".%s needs the analyses extension, which provides %s(); this build has "
                "none (.load one)",
                c->name, c->tvf);
    return 1;
}

/* Writes into buf the run's dropped-events warning ("WARNING: N events were
** dropped by the recorder (cap 2, oom 1); every number is incomplete (run
** R)", the causes when the dump header gives them), or "" when it lost none
** (or cannot be asked). Returns buf. */
char *dropped_warning(ShellState *p, long long run, char *buf, size_t size)
{
    sqlite3_stmt *st;
    buf[0] = 0;
    if (sqlite3_prepare_v2(p->db,
                           "SELECT dropped_events, (SELECT group_concat(key || ' ' || value, ', ')"
                           " FROM json_each(" DROPPED_BY_CAUSE_SQL "))"
                           " FROM run_summary WHERE run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return buf;
    sqlite3_bind_int64(st, 1, run);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 0) > 0) {
        const char *causes = (const char *)sqlite3_column_text(st, 1);
        long long n = sqlite3_column_int64(st, 0);
        snprintf(buf, size,
                 "WARNING: %lld event%s dropped by the recorder%s%s%s; every number is "
                 "incomplete (run %lld)",
                 n, n == 1 ? " was" : "s were", causes ? " (" : "", causes ? causes : "",
                 causes ? ")" : "", run);
    }
    sqlite3_finalize(st);
    return buf;
}

/* When the run lost events, says so on stderr, whatever the output mode:
** every number is then incomplete. Nothing while .report holds the warning
** (p->hold_warning). */
void warn_dropped(ShellState *p, long long run)
{
    char w[1024];
    if (p->hold_warning || !*dropped_warning(p, run, w, sizeof w))
        return;
    fflush(p->out);
    fprintf(stderr, "%s\n", w);
    fflush(stderr);
}

/* Prints text word by word from column col (what is on the line already),
** starting a new line indented by indent wherever a word would pass column
** 80, and ends the line: help for an 80-column terminal. */
void put_wrapped(FILE *out, int col, int indent, const char *text)
{
    while (*text) {
        size_t len = strcspn(text, " ");
        if (col + 1 + (int)len > 80 && col > indent)
            col = fprintf(out, "\n%*s", indent, "") - 1;
        col += fprintf(out, "%s%.*s", col > indent ? " " : "", (int)len, text);
        text += len;
        while (*text == ' ')
            text++;
    }
    fputc('\n', out);
}
