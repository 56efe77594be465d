/* export_cmd.c - .export: the run written in a format other tools read,
** through the extension's wcprof_export(format, path, options, run).
**
**   .export chrome trace.json --whatif call:Compile=0.5
**   .export folded - --weight critical
**   .export                      -- the formats, with their options
**
** The formats, their options and their one-line help come from the
** extension's wcprof_export_formats() (a JSON array of {name, options, help},
** ../sqlext/README.md), never from a list kept here: .export's usage, ".help
** export" and the completion of formats and options (complete.c) all read
** export_formats().
*/
#include <string.h>

#include "shell.h"

/* The row of wcp_dot_cmds[] (commands.c) whose function lives here, and the
** generated part of ".help export". */
DotFn cmd_export;
DotHelp export_help;

/* Prepares the statement whose rows are the formats wcprof_export_formats()
** lists, in its order: name, help, and the options as .export takes them
** ("--min-self --top"; "" for none). NULL when the connection has no such
** function (no analyses extension). The caller finalizes it. */
sqlite3_stmt *export_formats(ShellState *p)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(p->db,
                           "SELECT json_extract(value, '$.name'), json_extract(value, '$.help'),"
                           " coalesce('--' || nullif(replace(replace(json_extract(value, "
                           "'$.options'), '_', '-'), ',', ' --'), ''), '')"
                           " FROM json_each(wcprof_export_formats())",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

/* Prints "formats:" and one line per format (name, help, "; options: ...")
** to out, each line after indent. Returns 0, or -1 (nothing printed) when
** the extension lists none. */
static int print_formats(ShellState *p, FILE *out, const char *indent)
{
    sqlite3_stmt *st = export_formats(p);
    if (!st)
        return -1;
    fprintf(out, "%sformats:\n", indent);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *opts = (const char *)sqlite3_column_text(st, 2);
        char *line = sqlite3_mprintf("%s%s%s", (const char *)sqlite3_column_text(st, 1),
                                     opts && *opts ? "; options: " : "", opts ? opts : "");
        int col = fprintf(out, "%s  %-8s ", indent, (const char *)sqlite3_column_text(st, 0));
        put_wrapped(out, col, col, line ? line : "");
        sqlite3_free(line);
    }
    sqlite3_finalize(st);
    return 0;
}

/* ".help export" after its detail: the formats, with their options. */
void export_help(ShellState *p, FILE *out)
{
    if (print_formats(p, out, "  ") != 0)
        fprintf(out, "  formats: none in this build (the analyses extension lists them; .load "
                     "one)\n");
}

/* Prints .export's usage and the formats the extension lists on stderr.
** Returns 1. */
static int export_usage(ShellState *p, const DotCmd *c)
{
    dot_usage(p, c);
    print_formats(p, stderr, "");
    return 1;
}

/* Appends the option "NAME=VALUE" to q: NAME's dashes as underscores, a
** VALUE with white space (or starting with a quote) quoted 'VALUE', which
** wcprof_export() reads as one value. Returns 0, or 1 after printing an
** error (such a value cannot hold a quote as well). */
static int export_option(ShellState *p, sqlite3_str *q, const char *name, size_t len,
                         const char *value)
{
    int quote = value[0] == '\'' || value[strcspn(value, " \t\n")] != 0;
    if (quote && strchr(value + 1, '\'')) {
        shell_error(p,
                    ".export: the value \"%s\" of --%.*s has spaces and quotes; it can have "
                    "one or the other",
                    value, (int)len, name);
        return 1;
    }
    long long ns;
    char num[32];
    const char *opt;
    int start;
    if (sqlite3_str_length(q))
        sqlite3_str_appendchar(q, 1, ' ');
    start = sqlite3_str_length(q);
    for (size_t i = 0; i < len; i++)
        sqlite3_str_appendchar(q, 1, name[i] == '-' ? '_' : name[i]);
    /* --min-self is a duration, "5ms", as .rank takes it (the extension wants ns);
  ** the NAME just appended is compared, with its dashes as underscores */
    opt = sqlite3_str_value(q);
    if (opt && strcmp(opt + start, "min_self") == 0 && parse_ns(value, &ns) == 0) {
        snprintf(num, sizeof num, "%lld", ns);
        value = num;
    }
    sqlite3_str_appendf(q, quote ? "='%s'" : "=%s", value);
    return 0;
}

/* .export FORMAT FILE ?--NAME VALUE ...? ?--run N?: wcprof_export(format,
** path, options, run). Each word after "--NAME" (until the next --) is an
** option NAME=VALUE, so "--whatif a:b=0.5 c:d=0" is "whatif=a:b=0.5
** whatif=c:d=0" (the extension joins repeated values with spaces);
** "--NAME=VALUE" is one. FILE "-" writes the text to the output. A written
** file is reported as "wrote FILE (N bytes)", except in the json and csv
** modes, whose output stays machine-readable. */
int cmd_export(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    long long run;
    const char *name = NULL; /* the --NAME whose values follow */
    size_t len = 0;
    int values = 0, rc = 1;
    sqlite3_stmt *st = NULL;
    char *opts;
    if (need_extension(p, c))
        return 1;
    if (argc == 1) { /* the formats, as .help export lists them */
        fprintf(p->out, ".export %s\n", c->usage);
        print_formats(p, p->out, "");
        fflush(p->out);
        return 0;
    }
    if (take_run(p, c, &argc, argv, &run))
        return 1;
    if (argc < 3 || strncmp(argv[1], "--", 2) == 0 || strncmp(argv[2], "--", 2) == 0)
        return export_usage(p, c);
    sqlite3_str *q = sqlite3_str_new(p->db);
    for (int i = 3; i < argc; i++) {
        if (strncmp(argv[i], "--", 2) == 0 && argv[i][2]) {
            if (name && values == 0)
                break;
            name = argv[i] + 2;
            len = strcspn(name, "=");
            values = 0;
            if (name[len] == '=') {
                if (export_option(p, q, name, len, name + len + 1))
                    goto done;
                values = 1;
            }
        } else if (name) {
            if (export_option(p, q, name, len, argv[i]))
                goto done;
            values++;
        } else {
            shell_error(p, ".export: \"%s\": after FORMAT and FILE come options, --NAME VALUE",
                        argv[i]);
            goto done;
        }
    }
    if (name && values == 0) {
        shell_error(p, ".export: --%.*s needs a value (--%.*s VALUE)", (int)len, name, (int)len,
                    name);
        goto done;
    }
    if (shell_prepare(p, "SELECT wcprof_export(?1, ?2, ?3, ?4)", &st))
        goto done;
    opts = sqlite3_str_value(q);
    sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
    if (strcmp(argv[2], "-") != 0)
        sqlite3_bind_text(st, 2, argv[2], -1, SQLITE_STATIC);
    if (opts)
        sqlite3_bind_text(st, 3, opts, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, run);
    if (shell_step(p, st) != SQLITE_ROW) {
        shell_error(p, "%s", sqlite3_errmsg(p->db));
        goto done;
    }
    if (strcmp(argv[2], "-") == 0)
        fwrite(sqlite3_column_text(st, 0), 1, (size_t)sqlite3_column_bytes(st, 0), p->out);
    else if (p->mode != MODE_JSON && p->mode != MODE_CSV)
        fprintf(p->out, "wrote %s (%lld bytes)\n", argv[2], sqlite3_column_int64(st, 0));
    fflush(p->out);
    warn_dropped(p, run);
    rc = 0;
done:
    sqlite3_finalize(st);
    sqlite3_free(sqlite3_str_finish(q));
    return rc;
}
