/* sqlite_cmds.c - the dot-commands the shell has because sqlite3 has them,
** worded and behaving as sqlite3 3.40's: .print, .nullvalue, .separator,
** .width, .show, .echo, .eqp, .changes, .prompt, .databases, .indexes,
** .shell (.system), .open, .parameter, .dump and .import. Where the shell
** differs on purpose, README.md "sqlite3 habits" says how.
**
** Each is a row of wcp_dot_cmds[] (commands.c) and a function here; they
** return 0, or 1 after printing an error (shell_error()).
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "shell.h"

DotFn cmd_print, cmd_nullvalue, cmd_separator, cmd_width, cmd_show, cmd_echo, cmd_eqp, cmd_changes,
    cmd_prompt, cmd_databases, cmd_indexes, cmd_shell, cmd_open, cmd_parameter, cmd_dump,
    cmd_import;

/* Copies s into a fixed field, turning the escapes \t \n \\ into characters
** (as sqlite3's .separator and .prompt do). */
static void unescape_into(char *dst, size_t size, const char *s)
{
    size_t n = 0;
    for (; *s && n + 1 < size; s++) {
        if (s[0] == '\\' && s[1]) {
            s++;
            dst[n++] = *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s;
        } else {
            dst[n++] = *s;
        }
    }
    dst[n] = 0;
}

/* Runs sql (no parameters), its rows printed in the current mode. */
static int run_query(ShellState *p, const char *sql)
{
    sqlite3_stmt *st;
    if (shell_prepare(p, sql, &st))
        return 1;
    return shell_exec_stmt(p, st);
}

int cmd_print(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    (void)c;
    for (int i = 1; i < argc; i++)
        fprintf(p->out, "%s%s", i > 1 ? " " : "", argv[i]);
    fputc('\n', p->out);
    fflush(p->out);
    return 0;
}

int cmd_nullvalue(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc != 2)
        return dot_usage(p, c);
    unescape_into(p->nullvalue, sizeof p->nullvalue, argv[1]);
    return 0;
}

int cmd_separator(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return dot_usage(p, c);
    unescape_into(p->colsep, sizeof p->colsep, argv[1]);
    if (argc == 3)
        unescape_into(p->rowsep, sizeof p->rowsep, argv[2]);
    return 0;
}

int cmd_width(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc - 1 > WCP_MAX_WIDTHS)
        return dot_usage(p, c);
    for (int i = 1; i < argc; i++) {
        char *end;
        long v = strtol(argv[i], &end, 10);
        if (end == argv[i] || *end || v > 1000 || v < -1000) {
            shell_error(p,
                        ".width: a width is a whole number (0: fit, < 0: right-aligned), "
                        "not \"%s\"",
                        argv[i]);
            return 1;
        }
        p->widths[i - 1] = (int)v;
    }
    p->nwidths = argc - 1;
    return 0;
}

/* Prints a string as sqlite3's .show does: in double quotes, escaped. */
static void put_quoted(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", out);
        else if (*s == '\t')
            fputs("\\t", out);
        else if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else
            fputc(*s, out);
    }
    fputc('"', out);
}

int cmd_show(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    FILE *o = p->out;
    (void)argv;
    if (argc != 1)
        return dot_usage(p, c);
    fprintf(o, "%12s: %s\n", "echo", p->echo ? "on" : "off");
    fprintf(o, "%12s: %s\n", "eqp", p->eqp ? "on" : "off");
    fprintf(o, "%12s: %s\n", "headers", p->headers == -1 ? "auto" : p->headers ? "on" : "off");
    fprintf(o, "%12s: %s\n", "mode", wcp_mode_name(p->mode));
    fprintf(o, "%12s: ", "nullvalue");
    put_quoted(o, p->nullvalue);
    fprintf(o, "\n%12s: %s\n", "output", p->out == stdout ? "stdout" : "(a file or pipe)");
    fprintf(o, "%12s: ", "colseparator");
    put_quoted(o, p->colsep);
    fprintf(o, "\n%12s: ", "rowseparator");
    put_quoted(o, p->rowsep);
    fprintf(o, "\n%12s: %s\n", "changes", p->changes ? "on" : "off");
    fprintf(o, "%12s: %s\n", "timer", p->timer ? "on" : "off");
    fprintf(o, "%12s:", "width");
    for (int i = 0; i < p->nwidths; i++)
        fprintf(o, " %d", p->widths[i]);
    fprintf(o, "\n%12s: %s\n", "filename", p->db_path);
    if (p->run_id)
        fprintf(o, "%12s: %lld\n", "run", p->run_id);
    else
        fprintf(o, "%12s: latest\n", "run");
    fflush(o);
    return 0;
}

int cmd_echo(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->echo);
}

int cmd_eqp(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->eqp);
}

int cmd_changes(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    return set_onoff(p, c, argc, argv, &p->changes);
}

int cmd_prompt(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc < 2 || argc > 3)
        return dot_usage(p, c);
    unescape_into(p->prompt, sizeof p->prompt, argv[1]);
    if (argc == 3)
        unescape_into(p->cont_prompt, sizeof p->cont_prompt, argv[2]);
    return 0;
}

int cmd_databases(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    sqlite3_stmt *st;
    (void)argv;
    if (argc != 1)
        return dot_usage(p, c);
    if (shell_prepare(p, "SELECT name, file FROM pragma_database_list ORDER BY seq", &st))
        return 1;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *file = (const char *)sqlite3_column_text(st, 1);
        fprintf(p->out, "%s: %s %s\n", name, file && *file ? file : "\"\"",
                sqlite3_db_readonly(p->db, name) ? "r/o" : "r/w");
    }
    sqlite3_finalize(st);
    fflush(p->out);
    return 0;
}

int cmd_indexes(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    if (argc > 2)
        return dot_usage(p, c);
    return print_names(p,
                       "SELECT name FROM sqlite_schema WHERE type = 'index'"
                       " AND tbl_name LIKE coalesce(?1, '%') ORDER BY name",
                       argc == 2 ? argv[1] : NULL);
}

/* .shell CMD ... and .system CMD ...: the words joined and run by sh. */
int cmd_shell(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    sqlite3_str *s;
    char *cmd;
    int rc;
    if (argc < 2)
        return dot_usage(p, c);
    s = sqlite3_str_new(NULL);
    for (int i = 1; i < argc; i++) {
        int plain = strpbrk(argv[i], " \t\"'") == NULL;
        sqlite3_str_appendf(s, i > 1 ? " %s%s%s" : "%s%s%s", plain ? "" : "\"", argv[i],
                            plain ? "" : "\"");
    }
    cmd = sqlite3_str_finish(s);
    if (!cmd) {
        shell_error(p, "out of memory");
        return 1;
    }
    fflush(p->out);
    rc = system(cmd);
    sqlite3_free(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
        shell_error(p, "System command returns %d",
                    rc == -1        ? -1
                    : WIFEXITED(rc) ? WEXITSTATUS(rc)
                                    : 128 + WTERMSIG(rc));
        return 1;
    }
    return 0;
}

/* .open FILE: another wcprof database, checked as the one on the command
** line is; the old one stays open when the new one is refused. */
int cmd_open(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    ShellState t = *p;
    static char *path; /* the name the state points to, kept for its life */
    char *copy;
    int readonly = p->readonly;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--readonly") == 0 || strcmp(argv[i], "-readonly") == 0) {
            readonly = 1;
            memmove(argv + i, argv + i + 1, sizeof *argv * (size_t)(argc - i));
            argc--;
            i--;
        }
    if (argc != 2)
        return dot_usage(p, c);
    copy = strdup(argv[1]);
    if (!copy) {
        shell_error(p, "out of memory");
        return 1;
    }
    t.db = NULL;
    t.db_path = copy;
    t.readonly = readonly;
    fflush(p->out);
    if (shell_open_db(&t)) {
        free(copy);
        return 1;
    }
    sqlite3_close(p->db);
    free(path);
    path = copy;
    p->db = t.db;
    p->db_path = path;
    p->readonly = readonly;
    p->run_id = 0;
    shell_attach(p);
    return 0;
}

/* Creates temp.sqlite_parameters: a name SQLite keeps for itself, allowed
** with the schema writable for the moment, as sqlite3 does it. */
static int make_table(ShellState *p, const char *create)
{
    int rc;
    sqlite3_db_config(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 1, (int *)0);
    rc = sqlite3_exec(p->db, create, NULL, NULL, NULL);
    sqlite3_db_config(p->db, SQLITE_DBCONFIG_WRITABLE_SCHEMA, 0, (int *)0);
    if (rc != SQLITE_OK) {
        shell_error(p, "%s", sqlite3_errmsg(p->db));
        return 1;
    }
    return 0;
}

/* .parameter: the values bound to ?NNN, :NAME, @NAME and $NAME in SQL, kept
** in temp.sqlite_parameters as sqlite3 keeps them. */
int cmd_parameter(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    static const char create[] = "CREATE TABLE IF NOT EXISTS temp.sqlite_parameters("
                                 "key TEXT PRIMARY KEY, value) WITHOUT ROWID";
    if (argc < 2)
        return dot_usage(p, c);
    if (strcmp(argv[1], "clear") == 0 && argc == 2)
        return sqlite3_exec(p->db, "DROP TABLE IF EXISTS temp.sqlite_parameters", NULL, NULL,
                            NULL) != SQLITE_OK;
    if (strcmp(argv[1], "init") == 0 && argc == 2)
        return make_table(p, create);
    if (strcmp(argv[1], "list") == 0 && argc == 2) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(p->db, "SELECT key, quote(value) FROM temp.sqlite_parameters", -1,
                               &st, NULL) != SQLITE_OK)
            return 0; /* none set */
        while (sqlite3_step(st) == SQLITE_ROW)
            fprintf(p->out, "%s %s\n", (const char *)sqlite3_column_text(st, 0),
                    (const char *)sqlite3_column_text(st, 1));
        sqlite3_finalize(st);
        fflush(p->out);
        return 0;
    }
    if (strcmp(argv[1], "set") == 0 && argc == 4) {
        sqlite3_stmt *st;
        char *sql;
        int rc;
        if (make_table(p, create))
            return 1;
        /* the value is SQL (a number, 'text', an expression), else taken as text */
        sql = sqlite3_mprintf("REPLACE INTO temp.sqlite_parameters(key, value) VALUES(?1, %s)",
                              argv[3]);
        rc = sqlite3_prepare_v2(p->db, sql, -1, &st, NULL);
        sqlite3_free(sql);
        if (rc != SQLITE_OK) {
            if (sqlite3_prepare_v2(p->db,
                                   "REPLACE INTO temp.sqlite_parameters(key, value) "
                                   "VALUES(?1, ?2)",
                                   -1, &st, NULL) != SQLITE_OK) {
                shell_error(p, "%s", sqlite3_errmsg(p->db));
                return 1;
            }
            sqlite3_bind_text(st, 2, argv[3], -1, SQLITE_STATIC);
        }
        sqlite3_bind_text(st, 1, argv[2], -1, SQLITE_STATIC);
        rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE) {
            shell_error(p, "%s", sqlite3_errmsg(p->db));
            return 1;
        }
        return 0;
    }
    if (strcmp(argv[1], "unset") == 0 && argc == 3) {
        char *sql = sqlite3_mprintf("DELETE FROM temp.sqlite_parameters WHERE key = %Q", argv[2]);
        sqlite3_exec(p->db, sql, NULL, NULL, NULL);
        sqlite3_free(sql);
        return 0;
    }
    return dot_usage(p, c);
}

/* Binds the statement's parameters from temp.sqlite_parameters (.parameter
** set), as sqlite3 does; unset ones stay NULL. */
void bind_parameters(ShellState *p, sqlite3_stmt *st)
{
    int n = sqlite3_bind_parameter_count(st);
    sqlite3_stmt *q;
    if (n == 0 ||
        sqlite3_prepare_v2(p->db, "SELECT value FROM temp.sqlite_parameters WHERE key = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return;
    for (int i = 1; i <= n; i++) {
        const char *name = sqlite3_bind_parameter_name(st, i);
        char num[16];
        if (!name) {
            snprintf(num, sizeof num, "?%d", i);
            name = num;
        }
        sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW)
            sqlite3_bind_value(st, i, sqlite3_column_value(q, 0));
        sqlite3_reset(q);
    }
    sqlite3_finalize(q);
}

/* .dump ?PATTERN?: the schema and rows as SQL that rebuilds them, as
** sqlite3 writes it (tables' rows as INSERT statements, then indexes,
** views and triggers). */
int cmd_dump(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    sqlite3_stmt *st;
    enum wcp_mode mode = p->mode;
    int headers = p->headers, errors = 0;
    char table[sizeof p->insert_table];
    if (argc > 2)
        return dot_usage(p, c);
    memcpy(table, p->insert_table, sizeof table);
    fputs("PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n", p->out);
    if (shell_prepare(p,
                      "SELECT name, type, sql FROM sqlite_schema WHERE sql IS NOT NULL"
                      " AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
                      " AND (?1 IS NULL OR tbl_name LIKE ?1)"
                      " ORDER BY type = 'table' DESC, type = 'index' DESC, rowid",
                      &st))
        return 1;
    if (argc == 2)
        sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
    p->mode = MODE_INSERT;
    p->headers = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *type = (const char *)sqlite3_column_text(st, 1);
        fprintf(p->out, "%s;\n", (const char *)sqlite3_column_text(st, 2));
        if (strcmp(type, "table") == 0) {
            char *sql = sqlite3_mprintf("SELECT * FROM \"%w\"", name);
            snprintf(p->insert_table, sizeof p->insert_table, "%s", name);
            errors += run_query(p, sql);
            sqlite3_free(sql);
        }
    }
    sqlite3_finalize(st);
    p->mode = mode;
    p->headers = headers;
    memcpy(p->insert_table, table, sizeof table);
    fputs(errors ? "ROLLBACK; -- due to errors\n" : "COMMIT;\n", p->out);
    fflush(p->out);
    return errors > 0;
}

/* One CSV field from *z (RFC 4180: "..." with "" for a quote) into a new
** string; *z moves past it and its separator. *end is set at a line's end. */
static char *csv_field(const char **z, char sep, int *end)
{
    sqlite3_str *s = sqlite3_str_new(NULL);
    const char *q = *z;
    if (*q == '"') {
        q++;
        while (*q) {
            if (q[0] == '"' && q[1] == '"') {
                sqlite3_str_appendchar(s, 1, '"');
                q += 2;
            } else if (*q == '"') {
                q++;
                break;
            } else {
                sqlite3_str_appendchar(s, 1, *q++);
            }
        }
    }
    while (*q && *q != sep && *q != '\n' && *q != '\r')
        sqlite3_str_appendchar(s, 1, *q++);
    if (*q == '\r')
        q++;
    *end = *q == '\n' || *q == 0;
    if (*q)
        q++;
    *z = q;
    return sqlite3_str_finish(s);
}

/* .import FILE TABLE: CSV (in csv mode; else fields separated by the
** .separator) into TABLE, created from the first line's names when it does
** not exist; one transaction, so that a failure adds nothing. */
int cmd_import(ShellState *p, const DotCmd *c, int argc, char **argv)
{
    FILE *f;
    char *text = NULL;
    size_t len = 0, cap = 0, got;
    char buf[65536];
    char sep = p->mode == MODE_CSV ? ',' : p->mode == MODE_TABS ? '\t' : p->colsep[0];
    const char *z;
    int ncol = 0, line = 1, rc = 0, end;
    sqlite3_str *sql;
    sqlite3_stmt *ins = NULL;
    char *q;
    if (argc != 3)
        return dot_usage(p, c);
    if (!(f = fopen(argv[1], "r"))) {
        shell_error(p, "cannot open \"%s\": %s", argv[1], strerror(errno));
        return 1;
    }
    while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
        if (len + got + 1 > cap) {
            char *t = realloc(text, cap = (len + got + 1) * 2);
            if (!t) {
                free(text);
                fclose(f);
                shell_error(p, "out of memory");
                return 1;
            }
            text = t;
        }
        memcpy(text + len, buf, got);
        len += got;
    }
    fclose(f);
    if (!text || len == 0) {
        free(text);
        shell_error(p, "\"%s\" is empty: nothing to import", argv[1]);
        return 1;
    }
    text[len] = 0;
    sqlite3_exec(p->db, "SAVEPOINT wcprof_import", NULL, NULL, NULL);
    z = text;
    if (!shell_has_table(p, argv[2])) { /* the first line names the columns */
        sql = sqlite3_str_new(p->db);
        sqlite3_str_appendf(sql, "CREATE TABLE \"%w\"(", argv[2]);
        do {
            char *name = csv_field(&z, sep, &end);
            sqlite3_str_appendf(sql, "%s\"%w\" TEXT", ncol++ ? ", " : "", name ? name : "");
            sqlite3_free(name);
        } while (!end);
        sqlite3_str_appendall(sql, ")");
        q = sqlite3_str_finish(sql);
        line++;
        if (sqlite3_exec(p->db, q, NULL, NULL, NULL) != SQLITE_OK) {
            shell_error(p, "%s", sqlite3_errmsg(p->db));
            rc = 1;
        }
        sqlite3_free(q);
    }
    if (!rc) {
        sql = sqlite3_str_new(p->db);
        sqlite3_str_appendf(sql, "SELECT * FROM \"%w\"", argv[2]);
        q = sqlite3_str_finish(sql);
        if (sqlite3_prepare_v2(p->db, q, -1, &ins, NULL) == SQLITE_OK)
            ncol = sqlite3_column_count(ins);
        sqlite3_finalize(ins);
        sqlite3_free(q);
        sql = sqlite3_str_new(p->db);
        sqlite3_str_appendf(sql, "INSERT INTO \"%w\" VALUES(", argv[2]);
        for (int i = 0; i < ncol; i++)
            sqlite3_str_appendf(sql, "%s?", i ? "," : "");
        sqlite3_str_appendall(sql, ")");
        q = sqlite3_str_finish(sql);
        if (sqlite3_prepare_v2(p->db, q, -1, &ins, NULL) != SQLITE_OK) {
            shell_error(p, "%s", sqlite3_errmsg(p->db));
            rc = 1;
        }
        sqlite3_free(q);
    }
    while (!rc && *z) {
        int n = 0;
        do {
            char *v = csv_field(&z, sep, &end);
            if (n < ncol)
                sqlite3_bind_text(ins, n + 1, v ? v : "", -1, SQLITE_TRANSIENT);
            n++;
            sqlite3_free(v);
        } while (!end);
        if (n != ncol) {
            shell_error(p, "%s:%d: expected %d columns but found %d: nothing imported", argv[1],
                        line, ncol, n);
            rc = 1;
        } else if (sqlite3_step(ins) != SQLITE_DONE) {
            shell_error(p, "%s:%d: %s: nothing imported", argv[1], line, sqlite3_errmsg(p->db));
            rc = 1;
        }
        sqlite3_reset(ins);
        sqlite3_clear_bindings(ins);
        line++;
    }
    sqlite3_finalize(ins);
    if (rc)
        sqlite3_exec(p->db, "ROLLBACK TO wcprof_import", NULL, NULL, NULL);
    sqlite3_exec(p->db, "RELEASE wcprof_import", NULL, NULL, NULL);
    free(text);
    return rc;
}
