/* main.c - wcprof, the interactive shell over a wcprof database: options,
** opening (and refusing) databases, and the three ways of running.
**
**   wcprof [OPTIONS] DB [COMMAND...]
**
** With COMMAND arguments it runs each (SQL or a dot-command) and exits. With
** none, a terminal on stdin gets the interactive shell (banner, prompt,
** readline editing, history, completion); anything else is read as a script.
** Exit status 1 when any command failed (with -bail, at the first).
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "shell.h"
#include "wcprof_ext.h" /* wcprof_register_extension(): the analyses */

#ifndef WCPROF_VERSION
#define WCPROF_VERSION "0.0.0"
#endif

static const char usage_text[] =
    "Usage: wcprof [OPTIONS] DB [COMMAND...]\n"
    "The wcprof shell: SQL and dot-commands over a database made by wcprof-ingest.\n"
    "With COMMANDs (SQL or dot-commands) it runs them and exits; otherwise it reads\n"
    "them from standard input, interactively when that is a terminal.\n"
    "\n"
    "OPTIONS:\n"
    "  -table         output as an ASCII table (default on a terminal)\n"
    "  -box           output as a table drawn with box characters\n"
    "  -csv           output as CSV\n"
    "  -json          output as a JSON array of objects\n"
    "  -line          output one \"column = value\" per line\n"
    "  -list          output values separated by \"|\" (default otherwise)\n"
    "  -column -markdown -tabs -quote -insert -html   the other modes, as sqlite3's\n"
    "  -header        show column names\n"
    "  -noheader      do not show column names\n"
    "  -cmd CMD       run CMD before reading input\n"
    "  -bail          stop at the first error\n"
    "  -readonly      open the database read-only\n"
    "  -busy-timeout MS  wait MS ms for a database another process has locked\n"
    "                 (default 5000; .timeout MS later)\n"
    "  -version       show the version and exit\n"
    "  -help          show this message and exit\n"
    "\n"
    "Enter \".help\" in the shell for the dot-commands.\n";

/* Opens p->db_path, never creating it, and checks it holds a wcprof schema.
** Returns 0, or 1 after saying on stderr what is wrong and what to do. */
int shell_open_db(ShellState *p)
{
    char err[1024];
    if (wcp_db_open_busy(p->db_path, p->readonly ? WCP_DB_READONLY : WCP_DB_SAY_MIGRATING,
                         p->busy_ms, &p->db, err, sizeof err) != 0) {
        fprintf(stderr, "Error: %s\n", err);
        return 1;
    }
    return 0;
}

/* Makes p->db the shell's: tab completion and the analyses registered on it,
** Ctrl-C pointed at it (at the start, and after .open). */
void shell_attach(ShellState *p)
{
    if (wcp_completion_register(p) != SQLITE_OK)
        fprintf(stderr, "Warning: tab completion unavailable: %s\n", sqlite3_errmsg(p->db));
    if (wcprof_register_extension(p->db) != SQLITE_OK)
        fprintf(stderr, "Warning: the analyses extension failed to register: %s\n",
                sqlite3_errmsg(p->db));
    shell_install_signals(p);
}

/* The history file: $XDG_STATE_HOME/wcprof/history, else ~/.wcprof_history;
** NULL when neither can be named. Creates the wcprof folder. */
static char *history_path(void)
{
    const char *state = getenv("XDG_STATE_HOME");
    const char *home = getenv("HOME");
    char *path = NULL;
    if (state && *state) {
        size_t n = strlen(state) + 32;
        if ((path = malloc(n)) == NULL)
            return NULL;
        snprintf(path, n, "%s/wcprof", state);
        mkdir(state, 0700);
        mkdir(path, 0700);
        snprintf(path, n, "%s/wcprof/history", state);
    } else if (home && *home) {
        size_t n = strlen(home) + 32;
        if ((path = malloc(n)) == NULL)
            return NULL;
        snprintf(path, n, "%s/.wcprof_history", home);
    }
    return path;
}

/* An option's name: arg ("-NAME" or "--NAME") without its dashes. Option
** names match with one dash or two, as sqlite3's. */
static const char *opt_name(const char *arg)
{
    return arg + (arg[1] == '-' ? 2 : 1);
}

static int is_opt(const char *arg, const char *name)
{
    return arg[0] == '-' && strcmp(opt_name(arg), name) == 0;
}

int main(int argc, char **argv)
{
    ShellState s;
    const char **cmds = calloc((size_t)argc, sizeof *cmds); /* -cmd CMDs */
    const char **args = calloc((size_t)argc, sizeof *args); /* COMMAND arguments */
    int ncmd = 0, narg = 0, errors = 0, status;

    memset(&s, 0, sizeof s);
    s.headers = -1;
    strcpy(s.colsep, "|");
    strcpy(s.rowsep, "\n");
    strcpy(s.insert_table, "table");
    strcpy(s.prompt, "wcprof> ");
    strcpy(s.cont_prompt, "   ...> ");
    s.busy_ms = WCP_DB_BUSY_MS;
    s.out = stdout;
    s.mode = isatty(STDOUT_FILENO) ? MODE_TABLE : MODE_LIST;
    if (!cmds || !args) {
        fprintf(stderr, "Error: out of memory\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') {
            if (!s.db_path)
                s.db_path = a;
            else
                args[narg++] = a;
            continue;
        }
        if (wcp_mode_from_name(opt_name(a), &s.mode) == 0) /* -table, --box, -column */
            continue;
        if (is_opt(a, "header") || is_opt(a, "headers"))
            s.headers = 1;
        else if (is_opt(a, "noheader") || is_opt(a, "noheaders"))
            s.headers = 0;
        else if (is_opt(a, "bail"))
            s.bail = 1;
        else if (is_opt(a, "readonly"))
            s.readonly = 1;
        else if (is_opt(a, "busy-timeout")) {
            char *end = NULL;
            long v = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
            if (v < 0 || v > 86400000 || !end || *end || end == argv[i + 1]) {
                fprintf(stderr, "Error: %s needs a number of ms (0 to 86400000)\n", a);
                goto fail;
            }
            s.busy_ms = (int)v;
            i++;
        } else if (is_opt(a, "cmd")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "Error: missing argument to %s\nUse -help for a list of options.\n",
                        a);
                goto fail;
            }
            cmds[ncmd++] = argv[++i];
        } else if (is_opt(a, "version")) {
            printf("wcprof %s (SQLite %s)\n", WCPROF_VERSION, sqlite3_libversion());
            free(cmds);
            free(args);
            return 0;
        } else if (is_opt(a, "help") || is_opt(a, "h")) {
            fputs(usage_text, stdout);
            free(cmds);
            free(args);
            return 0;
        } else {
            fprintf(stderr, "Error: unknown option: %s\nUse -help for a list of options.\n", a);
            goto fail;
        }
    }
    if (!s.db_path) {
        fprintf(stderr, "Error: no database given\n%s", usage_text);
        goto fail;
    }
    if (shell_open_db(&s))
        goto fail;
    s.interactive = narg == 0 && isatty(STDIN_FILENO);
    shell_attach(&s);

    for (int i = 0; i < ncmd && !s.quit; i++) {
        int rc = shell_run_command(&s, cmds[i]);
        errors += rc;
        if ((rc && s.bail) || shell_interrupted())
            goto done;
        output_once_done(&s);
    }
    if (narg > 0) {
        for (int i = 0; i < narg && !s.quit; i++) {
            int rc = shell_run_command(&s, args[i]);
            errors += rc;
            if (rc || shell_interrupted()) /* as sqlite3: a failure stops the rest; Ctrl-C too */
                break;
            output_once_done(&s);
        }
    } else if (!s.quit && s.interactive) {
        printf("wcprof %s (SQLite %s): %s\nEnter \".help\" for usage hints.\n", WCPROF_VERSION,
               sqlite3_libversion(), s.db_path);
        s.history_path = history_path();
        wcp_readline_init(&s);
        if (s.history_path)
            read_history(s.history_path);
        errors += process_input(&s, NULL, NULL);
        if (s.history_path) {
            write_history(s.history_path);
            history_truncate_file(s.history_path, WCP_HISTORY_LINES);
        }
        clear_history();
        free(s.history_path);
    } else if (!s.quit) {
        errors += process_input(&s, stdin, "stdin");
    }
done:
    output_reset(&s);
    sqlite3_close(s.db);
    free(cmds);
    free(args);
    if (s.quit == 2)
        return s.exit_code;
    status = errors > 0 || (shell_interrupted() && !s.interactive);
    if (status && narg > 0 && s.sql_rc > 1) /* as sqlite3: SQLite's code (8: read-only) */
        status = s.sql_rc;
    return status;
fail:
    if (s.db)
        sqlite3_close(s.db);
    free(cmds);
    free(args);
    return 1;
}
