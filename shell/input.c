/* input.c - the shell's input loop: terminal, .read files and scripts alike.
**
** process_input() reads lines from a file or, for the terminal, through
** readline. A line that starts with "." while no SQL is pending is a
** dot-command; anything else accumulates until sqlite3_complete() says the
** statement is whole, then runs. It returns the number of commands that
** failed, so main() can exit with status 1.
**
** Ctrl-C: while a statement runs, the SIGINT handler calls sqlite3_interrupt()
** and the statement fails with "interrupted". At the prompt it throws away
** the line being edited and any unfinished statement. In a script it stops
** the script.
*/
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "shell.h"

static volatile sig_atomic_t g_sigint;  /* Ctrl-C seen and not yet handled */
static volatile sig_atomic_t g_running; /* a statement is running: interrupt it */
static volatile sig_atomic_t g_winch;   /* the terminal was resized */
static sqlite3 *volatile g_db;          /* the connection to interrupt */

static void on_sigint(int sig)
{
    (void)sig;
    g_sigint = 1;
    if (g_running && g_db)
        sqlite3_interrupt(g_db);
}

static void on_sigwinch(int sig)
{
    (void)sig;
    g_winch = 1;
}

/* SIGINT without SA_RESTART, so that a blocked read returns and the loop can
** look at the flag. */
void shell_install_signals(ShellState *p)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_sigint;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = on_sigwinch;
    sa.sa_flags = SA_RESTART; /* a resize must not end a script's read */
    sigaction(SIGWINCH, &sa, NULL);
    g_db = p->db;
}

int shell_interrupted(void)
{
    return g_sigint != 0;
}

/* "Error: [near line N[ of FILE]: ]message" on stderr. Lines are named for
** scripts and .read files, not for the terminal or command arguments. */
void shell_error(ShellState *p, const char *fmt, ...)
{
    va_list ap;
    fflush(p->out);
    fputs("Error: ", stderr);
    if (p->src_name && strcmp(p->src_name, "stdin") == 0)
        fprintf(stderr, "near line %d: ", p->src_line);
    else if (p->src_name)
        fprintf(stderr, "near line %d of %s: ", p->src_line, p->src_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

/* ---- timer: sqlite3's "Run Time: real R user U sys S" */

typedef struct Timer {
    struct timespec real; /* wall clock at the start */
    struct rusage usage;  /* CPU times at the start */
} Timer;

static double tv_sec(struct timeval tv)
{
    return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void timer_start(Timer *t)
{
    clock_gettime(CLOCK_MONOTONIC, &t->real);
    getrusage(RUSAGE_SELF, &t->usage);
}

static void timer_end(ShellState *p, const Timer *t)
{
    struct timespec now;
    struct rusage u;
    clock_gettime(CLOCK_MONOTONIC, &now);
    getrusage(RUSAGE_SELF, &u);
    double real = (double)(now.tv_sec - t->real.tv_sec) + (now.tv_nsec - t->real.tv_nsec) / 1e9;
    fprintf(p->out, "Run Time: real %.3f user %f sys %f\n", real,
            tv_sec(u.ru_utime) - tv_sec(t->usage.ru_utime),
            tv_sec(u.ru_stime) - tv_sec(t->usage.ru_stime));
    fflush(p->out);
}

/* An SQL error as sqlite3 words it: "Parse error near line N: MSG" (a
** statement that did not prepare) or "Runtime error near line N: MSG" (one
** that failed while running) in scripts, "Parse error: MSG" and "Runtime
** error: MSG" at the terminal, "Error: in prepare, MSG" and "Error:
** stepping, MSG" for command arguments; a parse error then shows the
** statement (on one line, around the place when it is long) and "^--- error
** here" under the place SQLite names. Sets p->sql_rc to SQLite's code. */
static int g_in_sql; /* 1: running SQL typed as SQL (not a dot-command's own) */

static void sql_error(ShellState *p, int parse, const char *sql, int offset, const char *msg)
{
    int code = sqlite3_errcode(p->db);
    if (!g_in_sql) { /* a dot-command's query: its own words */
        shell_error(p, "%s", msg);
        return;
    }
    p->sql_rc = code ? code & 0xff : 1;
    fflush(p->out);
    char num[16] = ""; /* a run-time error other than SQLITE_ERROR names its code */
    if (!parse && p->sql_rc != SQLITE_ERROR)
        snprintf(num, sizeof num, " (%d)", p->sql_rc);
    if (p->src_name && strcmp(p->src_name, "stdin") == 0)
        fprintf(stderr, "%s error near line %d: %s%s\n", parse ? "Parse" : "Runtime", p->src_line,
                msg, num);
    else if (p->src_name)
        fprintf(stderr, "%s error near line %d of %s: %s%s\n", parse ? "Parse" : "Runtime",
                p->src_line, p->src_name, msg, num);
    else if (p->interactive)
        fprintf(stderr, "%s error: %s%s\n", parse ? "Parse" : "Runtime", msg, num);
    else
        fprintf(stderr, "Error: %s%s%s\n", parse ? "in prepare, " : "stepping, ", msg, num);
    if (parse && sql && offset >= 0) {
        const char *start = sql, *end;
        while (*start == ' ' || *start == '\t' || *start == '\n' || *start == '\r')
            start++, offset--;
        end = start + strcspn(start, ";");
        if (*end == ';')
            end++;
        if (offset < 0 || start + offset > end) {
            fflush(stderr);
            return;
        }
        /* at most 76 columns of it, the place in the middle when it is long */
        const char *from = start, *to = end;
        if (to - from > 76) {
            from = start + offset > start + 38 ? start + offset - 38 : start;
            to = from + 76 < end ? from + 76 : end;
        }
        fputs("  ", stderr);
        for (const char *c = from; c < to; c++)
            fputc(*c == '\n' || *c == '\t' || *c == '\r' ? ' ' : *c, stderr);
        fprintf(stderr, "\n  %*s^--- error here\n", (int)(start + offset - from), "");
    }
    fflush(stderr);
}

/* Prints "changes: N   total_changes: M" after a statement (.changes on),
** in scripts and at the terminal (as sqlite3, not for command arguments). */
static void print_changes(ShellState *p)
{
    if (p->changes && (p->src_name || p->interactive)) {
        fprintf(p->out, "changes: %d   total_changes: %d\n", sqlite3_changes(p->db),
                sqlite3_total_changes(p->db));
        fflush(p->out);
    }
}

/* Steps st to its end printing rows, under the timer and Ctrl-C. Always
** finalizes st. Returns 0, or 1 after printing the error. */
int shell_exec_stmt(ShellState *p, sqlite3_stmt *st)
{
    Timer t;
    int rc;
    if (p->timer)
        timer_start(&t);
    g_running = 1;
    if (g_sigint) /* Ctrl-C came after Enter, before the statement began */
        sqlite3_interrupt(p->db);
    if (sqlite3_stmt_isexplain(st) == 2) {
        wcp_print_plan(p, st);
        rc = sqlite3_reset(st) == SQLITE_OK ? SQLITE_DONE : sqlite3_errcode(p->db);
    } else
        rc = wcp_print_stmt(p, st);
    g_running = 0;
    if (p->timer)
        timer_end(p, &t);
    if (rc != SQLITE_DONE) {
        if (rc == SQLITE_INTERRUPT)
            shell_error(p, "interrupted");
        else
            sql_error(p, 0, NULL, -1, sqlite3_errmsg(p->db));
        sqlite3_finalize(st);
        return 1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* One sqlite3_step of st under Ctrl-C, as shell_exec_stmt's: a SIGINT
** meanwhile interrupts it (for commands that step a statement themselves,
** like .export). */
int shell_step(ShellState *p, sqlite3_stmt *st)
{
    g_running = 1;
    if (g_sigint) /* Ctrl-C came after Enter, before the statement began */
        sqlite3_interrupt(p->db);
    int rc = sqlite3_step(st);
    g_running = 0;
    return rc;
}

/* Prepares sql, one statement, into *st. Returns 0, or 1 after printing
** SQLite's error (*st then NULL). */
int shell_prepare(ShellState *p, const char *sql, sqlite3_stmt **st)
{
    if (sqlite3_prepare_v2(p->db, sql, -1, st, NULL) == SQLITE_OK)
        return 0;
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
}

/* .eqp on: the plan of st, as EXPLAIN QUERY PLAN shows it, before it runs. */
static void show_plan(ShellState *p, sqlite3_stmt *st)
{
    sqlite3_stmt *eqp;
    char *sql;
    if (!p->eqp || sqlite3_stmt_isexplain(st))
        return;
    sql = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sqlite3_sql(st));
    if (sql && sqlite3_prepare_v2(p->db, sql, -1, &eqp, NULL) == SQLITE_OK) {
        bind_parameters(p, eqp);
        wcp_print_plan(p, eqp);
        sqlite3_finalize(eqp);
    }
    sqlite3_free(sql);
}

/* Runs every statement of sql in turn, stopping at the first that fails.
** Returns 0, or 1 after printing the error. */
int shell_run_sql(ShellState *p, const char *sql)
{
    const char *tail = sql;
    while (tail && *tail) {
        sqlite3_stmt *st = NULL;
        const char *here = tail;
        if (sqlite3_prepare_v2(p->db, tail, -1, &st, &tail) != SQLITE_OK) {
            g_in_sql = 1;
            sql_error(p, 1, here, sqlite3_error_offset(p->db), sqlite3_errmsg(p->db));
            g_in_sql = 0;
            return 1;
        }
        if (st == NULL) /* only white space or a comment */
            continue;
        bind_parameters(p, st);
        show_plan(p, st);
        g_in_sql = 1;
        int rc = shell_exec_stmt(p, st);
        g_in_sql = 0;
        if (rc)
            return 1;
        print_changes(p);
    }
    return 0;
}

/* .echo on: the command, as given, before it runs. */
static void echo(ShellState *p, const char *cmd)
{
    if (p->echo) {
        fprintf(p->out, "%s\n", cmd);
        fflush(p->out);
    }
}

/* One complete command: a dot-command or SQL (run even without its ';'). */
int shell_run_command(ShellState *p, const char *cmd)
{
    while (*cmd == ' ' || *cmd == '\t' || *cmd == '\n')
        cmd++;
    echo(p, cmd);
    if (*cmd == '.')
        return do_dot_command(p, cmd);
    return shell_run_sql(p, cmd);
}

/* 1 if sql is only white space and comments: nothing to run. */
static int all_whitespace(const char *z)
{
    for (; *z; z++) {
        if (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r' || *z == '\f')
            continue;
        if (z[0] == '/' && z[1] == '*') {
            z += 2;
            while (*z && !(z[0] == '*' && z[1] == '/'))
                z++;
            if (*z == 0)
                return 0;
            z++;
            continue;
        }
        if (z[0] == '-' && z[1] == '-') {
            z += 2;
            while (*z && *z != '\n')
                z++;
            if (*z == 0)
                return 1;
            continue;
        }
        return 0;
    }
    return 1;
}

/* ---- the terminal, through readline's callback interface, so that a
** Ctrl-C at the prompt can clear the line instead of killing the shell. */

static char *g_line;    /* the line readline handed over */
static int g_line_done; /* 1 once it has (g_line NULL: end of input) */

static void line_handler(char *line)
{
    g_line = line;
    g_line_done = 1;
    rl_callback_handler_remove();
}

/* Reads one line at prompt. Returns a malloc'd line, or NULL at end of input
** or after Ctrl-C (then *interrupted is 1). SIGINT and SIGWINCH are blocked
** except inside pselect(), so that none slips in between looking at the
** flags and waiting. */
static char *read_tty_line(const char *prompt, int *interrupted)
{
    sigset_t block, old;
    FILE *rlout = rl_outstream ? rl_outstream : stdout;
    int fd = fileno(rl_instream ? rl_instream : stdin);

    *interrupted = 0;
    g_line = NULL;
    g_line_done = 0;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGWINCH);
    sigprocmask(SIG_BLOCK, &block, &old);
    rl_callback_handler_install(prompt, line_handler);
    while (!g_line_done) {
        fd_set fds;
        if (g_sigint) {
            g_sigint = 0;
            rl_free_line_state();
            rl_callback_sigcleanup();
            rl_callback_handler_remove();
            fputs("^C\n", rlout);
            fflush(rlout);
            *interrupted = 1;
            break;
        }
        if (g_winch) {
            g_winch = 0;
            rl_resize_terminal();
        }
        FD_ZERO(&fds);
        FD_SET(fd, &fds);
        int r = pselect(fd + 1, &fds, NULL, NULL, NULL, &old);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            rl_callback_handler_remove();
            break;
        }
        rl_callback_read_char();
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    return *interrupted ? NULL : g_line;
}

/* After each command: a .once target lasts for one command. */
static void after_command(ShellState *p)
{
    output_once_done(p);
    if (p->interactive && p->src_name == NULL)
        g_sigint = 0; /* a Ctrl-C that stopped a statement is dealt with */
}

static int append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 2 > *cap) {
        size_t c = (*len + n + 2) * 2;
        char *b = realloc(*buf, c);
        if (!b)
            return -1;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[(*len)++] = '\n';
    (*buf)[*len] = 0;
    return 0;
}

/* Reads and runs commands from in (NULL: the terminal) until end of input,
** .quit, or with -bail the first error. name is what error messages call the
** input ("stdin" or a file name; NULL for the terminal). Returns the number
** of commands that failed. */
int process_input(ShellState *p, FILE *in, const char *name)
{
    const char *saved_name = p->src_name;
    int saved_line = p->src_line;
    char *line = NULL; /* getline's buffer */
    size_t line_cap = 0;
    char *sql = NULL; /* the statement being gathered */
    size_t nsql = 0, sql_cap = 0;
    int lineno = 0, start = 0, errors = 0;

    p->src_name = name;
    while (!p->quit) {
        char *l;
        if (in == NULL) {
            int intr;
            char *tl = read_tty_line(nsql ? p->cont_prompt : p->prompt, &intr);
            if (intr) { /* Ctrl-C at the prompt: start afresh */
                nsql = 0;
                p->sql_pending = 0;
                continue;
            }
            if (tl == NULL) {
                putchar('\n');
                break;
            }
            if (*tl)
                add_history(tl);
            free(line);
            line = l = tl;
            line_cap = 0;
        } else {
            ssize_t r = getline(&line, &line_cap, in);
            if (r < 0)
                break;
            if (r > 0 && line[r - 1] == '\n')
                line[--r] = 0;
            if (r > 0 && line[r - 1] == '\r')
                line[--r] = 0;
            l = line;
        }
        lineno++;
        if (in != NULL && g_sigint) /* Ctrl-C stops a script or .read file */
            break;
        if (nsql == 0) {
            const char *t = l;
            while (*t == ' ' || *t == '\t')
                t++;
            if (*t == 0)
                continue;
            if (*t == '.') {
                p->src_line = lineno;
                echo(p, t);
                int rc = do_dot_command(p, t);
                errors += rc;
                after_command(p);
                if (rc && p->bail)
                    break;
                continue;
            }
            start = lineno;
        }
        if (append(&sql, &nsql, &sql_cap, l) != 0) {
            shell_error(p, "out of memory");
            errors++;
            break;
        }
        p->sql_pending = 1;
        if (all_whitespace(sql)) {
            nsql = 0;
            p->sql_pending = 0;
        } else if (sqlite3_complete(sql)) {
            p->src_line = start;
            if (sql[nsql - 1] == '\n')
                sql[--nsql] = 0;
            echo(p, sql);
            int rc = shell_run_sql(p, sql);
            nsql = 0;
            p->sql_pending = 0;
            errors += rc;
            after_command(p);
            if (rc && p->bail)
                break;
            if (in != NULL && g_sigint)
                break;
        }
    }
    /* At the end of input, SQL without its final ';' still runs, as in sqlite3
  ** (a statement cut short fails to prepare and says why). */
    if (nsql > 0 && !p->quit && !(p->bail && errors) && !g_sigint) {
        p->src_line = start;
        errors += shell_run_sql(p, sql);
        after_command(p);
    }
    p->sql_pending = 0;
    free(sql);
    free(line);
    p->src_name = saved_name;
    p->src_line = saved_line;
    return errors;
}
