/* shell.h - the wcprof shell's state and the functions its files share.
**
** One ShellState lives for the whole process (main.c owns it). Each file
** implements one part (README.md has the table): main.c (options, opening
** the database), input.c (process_input(), running SQL, Ctrl-C, the timer),
** commands.c (the dot-command table and the generic commands), args.c (what
** the commands share: arguments, the run, the extension check), analysis.c
** (the analysis commands and .report), export_cmd.c (.export),
** sqlite_cmds.c (the commands sqlite3 has: .width, .dump, .import, ...),
** output.c (output modes and targets), complete.c (tab completion); human-readable
** nanoseconds are base/'s wcp_format_ns(). Functions that can fail return 0
** on success and 1 after printing an error on stderr, so callers can add
** them up into an error count.
*/
#ifndef WCPROF_SHELL_H
#define WCPROF_SHELL_H

#include <stddef.h>
#include <stdio.h>
#include <sqlite3.h>

#include "store.h"             /* wcp_db_open(): the one check of a wcprof database */
#define WCP_HISTORY_LINES 2000 /* history file trimmed to this many lines */
#define WCP_SELFTIME_ROWS 20   /* .selftime's default row limit */
#define WCP_TOP_ROWS 20        /* .rank's and .critpath's default row limit, for people */
/* The user's tables and views (.tables, completion). */
#define WCP_USER_TABLES_SQL                                                                        \
    "SELECT name FROM sqlite_schema WHERE type IN ('table','view') "                               \
    "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"

/* The run ?1's dropped events by cause, as the recorder's dump header gives
** them (dropped_by_cause, kept in dumps.extra; cumulative, so the dump that
** counted most): a JSON object such as {"cap":2,"oom":1}, or NULL. */
#define DROPPED_BY_CAUSE_SQL                                                                       \
    "(SELECT json_extract(d.extra, '$.dropped_by_cause') FROM dumps d"                             \
    " WHERE d.run_id = ?1 AND json_valid(d.extra)"                                                 \
    " AND json_type(d.extra, '$.dropped_by_cause') = 'object'"                                     \
    " ORDER BY d.dropped_events DESC, d.id DESC LIMIT 1)"

/* Output modes, as sqlite3's. */
enum wcp_mode {
    MODE_TABLE,
    MODE_BOX,
    MODE_CSV,
    MODE_JSON,
    MODE_LINE,
    MODE_LIST,
    MODE_COLUMN,
    MODE_MARKDOWN,
    MODE_TABS,
    MODE_QUOTE,
    MODE_INSERT,
    MODE_HTML,
    WCP_NMODES /* how many */
};
#define WCP_MAX_WIDTHS 64 /* .width: columns at most */

/* What tab completion offers for a dot-command's arguments. */
enum wcp_args {
    ARGS_NONE,     /* nothing */
    ARGS_FILE,     /* file names */
    ARGS_MODE,     /* output mode names */
    ARGS_ONOFF,    /* on, off */
    ARGS_COMMAND,  /* dot-command names (for .help) */
    ARGS_TABLE,    /* table and view names */
    ARGS_CLASSKEY, /* class keys kind:class (for .whatif, .critpath) */
    ARGS_DRIFT,    /* the word "origins" (for .drift) */
    ARGS_RUN,      /* run ids */
    ARGS_EXPORT,   /* .export: formats, then a file, then the format's options */
    ARGS_SQL       /* not a dot-command argument: SQL words */
};

typedef struct ShellState ShellState;
typedef struct DotCmd DotCmd;

/* A dot-command: argv[0] is the command as typed; returns 0, or 1 after
** printing an error. Each file declares the ones it defines with this type,
** and commands.c the ones its table names, so that a definition that does
** not match fails to compile. */
typedef int DotFn(ShellState *p, const DotCmd *cmd, int argc, char **argv);
/* What ".help NAME" prints after a row's detail, generated from a table
** (the export formats, the report's sections) so that no help keeps a list. */
typedef void DotHelp(ShellState *p, FILE *out);

/* One row of the dot-command table (commands.c): adding a command is adding
** a row and a function. */
struct DotCmd {
    const char *name;   /* without the leading dot */
    DotFn *fn;          /* runs it */
    const char *usage;  /* its arguments, as .help shows them ("" for none) */
    const char *help;   /* one line for .help */
    const char *detail; /* more for ".help NAME", or NULL */
    enum wcp_args args; /* what completes its arguments */
    const char *tvf;    /* for analyses: the SQL function it wraps, or NULL */
    DotHelp *more_help; /* prints what ".help NAME" adds after detail, or NULL */
};

extern const DotCmd wcp_dot_cmds[]; /* the table, ended by a row with name NULL */

struct ShellState {
    sqlite3 *db;                /* the open wcprof database */
    const char *db_path;        /* its name as given on the command line */
    int readonly;               /* 1: opened with SQLITE_OPEN_READONLY (-readonly) */
    int busy_ms;                /* the busy timeout (-busy-timeout, .timeout) */
    enum wcp_mode mode;         /* output mode for result sets */
    int headers;                /* -1: the mode's default (on for table/box), 0: off, 1: on */
    int timer;                  /* 1: print sqlite3's "Run Time:" line after each statement */
    int bail;                   /* 1: stop at the first error (-bail) */
    int interactive;            /* 1: reading a terminal: prompt, history, completion */
    FILE *out;                  /* where result sets go: stdout, or an .output/.once target */
    int out_is_pipe;            /* 1: out came from popen() ("|command") */
    int once;                   /* >0: put stdout back after this many more commands (.once) */
    long long run_id;           /* the .run selection; 0: the most recent run */
    int quit;                   /* stop reading input: 1 after .quit, 2 after .exit */
    int exit_code;              /* the status .exit asked for (0 without N) */
    int sql_pending;            /* 1: an unfinished SQL statement is being read (completion) */
    const char *src_name;       /* input being read, for messages: NULL (terminal or arguments),
                           ** "stdin" (a script), or a .read file */
    int src_line;               /* line of src_name where the current command began */
    int read_depth;             /* .read nesting, to stop a file reading itself forever */
    int hold_warning;           /* 1: analyses leave the dropped-events warning to .report */
    long long rows;             /* rows the last result set printed (.report: "(none)") */
    char *history_path;         /* history file (interactive only), or NULL */
    char nullvalue[64];         /* .nullvalue: how NULL prints (default "") */
    char colsep[32];            /* .separator: list mode's column separator (default "|") */
    char rowsep[32];            /* .separator: list mode's row separator (default "\n") */
    char insert_table[128];     /* .mode insert TABLE: the table named (default "table") */
    int widths[WCP_MAX_WIDTHS]; /* .width: column widths (0 auto, < 0 right-aligned) */
    int nwidths;                /* how many widths were set */
    int echo;                   /* .echo on: print each command before running it */
    int eqp;                    /* .eqp on: EXPLAIN QUERY PLAN before each statement */
    int sql_rc;                 /* SQLite's code for the last SQL that failed (exit status) */
    int changes;                /* .changes on: "changes: N   total_changes: M" after each */
    char prompt[64];            /* .prompt: the main prompt (default "wcprof> ") */
    char cont_prompt[64];       /* .prompt: the continuation prompt (default "   ...> ") */
};

/* main.c */
int shell_open_db(ShellState *p);
void shell_attach(ShellState *p); /* registers completion and the analyses on p->db */

/* input.c */
int process_input(ShellState *p, FILE *in, const char *name);
/* reads commands from in (NULL: the terminal, through
                           ** readline) until EOF or .quit; returns the error count */
int shell_run_command(ShellState *p, const char *cmd);
/* one complete command (-cmd, arguments): 0 ok, 1 failed */
int shell_run_sql(ShellState *p, const char *sql);
/* every statement in sql, output in p->mode: 0 ok, 1 failed */
int shell_prepare(ShellState *p, const char *sql, sqlite3_stmt **st);
/* one statement into *st: 0 ok, 1 failed (error printed) */
int shell_exec_stmt(ShellState *p, sqlite3_stmt *st);
/* steps st to the end printing rows, with the timer and
                           ** Ctrl-C; finalizes st; 0 ok, 1 failed (error printed) */
int shell_step(ShellState *p, sqlite3_stmt *st);
/* one sqlite3_step of st that Ctrl-C interrupts (.export) */
void shell_error(ShellState *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "Error: [near line N: ]message" on stderr */
void shell_install_signals(ShellState *p);
int shell_interrupted(void); /* 1 once Ctrl-C was seen (cleared by the prompt) */

/* commands.c */
int do_dot_command(ShellState *p, const char *line); /* 0 ok, 1 failed */
int parse_bool(const char *s); /* on/off, yes/no, true/false, 1/0: 1, 0, or -1 */
int set_onoff(ShellState *p, const DotCmd *c, int argc, char **argv, int *field);
/* "CMD on|off" into *field; 1 after the usage */
const DotCmd *find_dot_cmd(const char *name, int *ambiguous);
int print_names(ShellState *p, const char *sql, const char *pattern);
/* names in columns, as .tables lists them (?1: pattern) */
/* exact name or unique prefix; NULL if none */

/* args.c: what the dot-commands share */
int shell_for_people(ShellState *p); /* 1 in table, box, line, column, markdown */
int dot_usage(ShellState *p, const DotCmd *c);
/* "Error: usage: .NAME USAGE"; returns 1 */
int parse_count(const char *s, long long *v);
/* a whole number >= 0: 0, or -1 leaving *v alone */
int parse_op_id(const char *s, long long *v);
/* an op id, 0 to 18446744073709551615, as the ops table stores it (above
** 2^63, negative: base/ids.h): 0, or -1 leaving *v alone */
int parse_ns(const char *s, long long *v);
/* nanoseconds, or a number with a unit ns us ms s ("1.5ms"):
                           ** 0, or -1 leaving *v alone */
int take_option(ShellState *p, const DotCmd *c, int *argc, char **argv, const char *opt,
                const char **value);
/* removes "OPT VALUE" / "OPT=VALUE" from argv (*value NULL
                           ** without it); 1 after the usage when OPT lacks a value */
int take_flag(int *argc, char **argv, const char *opt); /* removes OPT; 1 if it was there */
int take_run(ShellState *p, const DotCmd *c, int *argc, char **argv, long long *run);
/* removes "--run N" from argv; *run: N, else the .run
                           ** selection, else the latest; 1 after an error */
long long latest_run(ShellState *p);                            /* max run id, 0 for none */
int run_exists(ShellState *p, long long id);                    /* 1 if run id is in the database */
int run_has_row(ShellState *p, const char *sql, long long run); /* 1 if sql (?1: run) has a row */
int shell_has_table(ShellState *p, const char *name); /* 1 if a table or view is so named */
int shell_has_function(ShellState *p, const char *name);
/* 1 if name is an SQL function or table-valued function */
int need_extension(ShellState *p, const DotCmd *c);
/* 0 if c->tvf is there, else 1 after saying c needs it */
char *dropped_warning(ShellState *p, long long run, char *buf, size_t size);
/* the run's "WARNING: N events were dropped ..." or "" */
void warn_dropped(ShellState *p, long long run);
void put_wrapped(FILE *out, int col, int indent, const char *text);
/* text wrapped at 80 columns from column col, new lines indented */
/* that warning on stderr (unless p->hold_warning) */

/* sqlite_cmds.c */
void bind_parameters(ShellState *p, sqlite3_stmt *st);
/* binds st's parameters from .parameter set */

/* export_cmd.c */
sqlite3_stmt *export_formats(ShellState *p);
/* rows name, help, options ("--a --b") of the extension's
                           ** wcprof_export_formats(); NULL without it; caller finalizes */

/* output.c */
int wcp_print_stmt(ShellState *p, sqlite3_stmt *st);
void wcp_print_plan(ShellState *p, sqlite3_stmt *st);
/* steps an EXPLAIN QUERY PLAN statement printing its rows as
                           ** sqlite3's tree ("QUERY PLAN", "|--", "`--") */
/* steps st to the end printing its rows (p->rows: how many);
                           ** returns SQLITE_DONE or the code of the step that failed;
                           ** does not finalize */
const char *wcp_mode_name(enum wcp_mode m);
int wcp_mode_from_name(const char *name, enum wcp_mode *m); /* 0 ok, -1 unknown */
int wcp_term_width(FILE *out); /* columns of out's terminal, $COLUMNS, else 0 (no limit) */
int output_open(ShellState *p, const char *file);
/* output to file ("|CMD": a pipe); 0 ok, 1 error */
void output_reset(ShellState *p); /* back to stdout, closing any file or pipe */
void output_once_done(ShellState *p);
/* after each command: ends a .once target after its command */

/* base/format_ns.c */
#include "format_ns.h"
/* "0", "999 ns", "456 µs", "12.3 ms", "1.23 s": 3 significant
                           ** digits; writes at most size bytes; returns buf */

/* complete.c */
enum wcp_args wcp_complete(ShellState *p, const char *line, const char *word, char ***out, int *n);
/* candidates for word, the end of line (up to the cursor):
                           ** *out is a malloc'd array of *n malloc'd strings, sorted and
                           ** unique; returns what kind of words they are */
void wcp_free_list(char **list, int n);
int wcp_completion_register(ShellState *p);
/* the table-valued function wcprof_completion(prefix, line) */
void wcp_readline_init(ShellState *p); /* hooks wcp_complete() into readline */

#endif /* WCPROF_SHELL_H */
