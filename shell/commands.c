/* commands.c - the dot-commands: one table that dispatches, documents
** (.help) and drives tab completion (complete.c).
**
** Adding a command is adding a row to wcp_dot_cmds[] and its function. An
** analysis command is a thin wrapper over a table-valued function of the
** analyses extension (sql/ext/README.md), named in its row's tvf field:
** need_extension() says so when no extension provides it, take_run()
** handles its "--run N", and run_analysis() runs
**
**   SELECT COLUMNS FROM tvf(?2, ?3, ...) WHERE run = ?1
**
** (the command's own arguments first, the run bound to the hidden column
** `run`, which every analysis has last) and warns when the run dropped
** events. The columns are named, in interfaces.md's order, so that what a
** command prints is the shell's contract whatever else the extension adds.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

#define MAX_ARGS 64
#define MAX_FACTORS 16          /* .rank's factor columns at most */
#define DRIFT_ROWS 10           /* .drift's default row limit */

/* An argument of an analysis statement, bound to ?2, ?3, ... */
typedef struct AnaArg {
  const char *text;        /* bound as text when not NULL, */
  long long num;           /* else as this integer */
} AnaArg;

/* ---- helpers */

static int usage(ShellState *p, const DotCmd *c) {
  shell_error(p, "usage: .%s%s%s", c->name, *c->usage ? " " : "", c->usage);
  return 1;
}

/* Parses on/off (also yes/no, true/false, 1/0). Returns 1, 0, or -1. */
static int parse_bool(const char *s) {
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

/* Parses a whole number >= 0 into *v. Returns 0, or -1 leaving *v alone. */
static int parse_count(const char *s, long long *v) {
  char *end;
  errno = 0;
  long long x = strtoll(s, &end, 10);
  if (errno || end == s || *end || x < 0)
    return -1;
  *v = x;
  return 0;
}

/* Parses a duration into *v nanoseconds: a whole number of nanoseconds, or a
** number with a unit ns, us (or µs), ms or s ("1.5ms"). Returns 0, or -1
** leaving *v alone. */
static int parse_ns(const char *s, long long *v) {
  static const struct { const char *unit; double scale; } units[] = {
    {"ns", 1}, {"us", 1e3}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}};
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

/* Parses one what-if factor, a decimal number >= 0 ("0.5", ".5", "2",
** "1e-3"), and writes it into name as C's %g writes it ("0.5"): the name of
** its .rank column and the text passed to the extension. Returns 0, or -1. */
static int parse_factor(const char *s, char *name, size_t size) {
  char *end;
  double x;
  if (!(s[0] >= '0' && s[0] <= '9') && s[0] != '.')
    return -1;                    /* no sign, "inf", "nan" or white space */
  if (s[strspn(s, "0123456789.eE+-")] != 0)
    return -1;                    /* no hexadecimal */
  x = strtod(s, &end);
  if (end == s || *end || !isfinite(x) || x < 0)
    return -1;
  snprintf(name, size, "%g", x);
  return 0;
}

/* 1 if name is an SQL function or a (table-valued) module of the connection. */
int shell_has_function(ShellState *p, const char *name) {
  sqlite3_stmt *st;
  int found = 0;
  if (sqlite3_prepare_v2(p->db,
                         "SELECT 1 FROM pragma_function_list WHERE name = ?1 "
                         "UNION ALL SELECT 1 FROM pragma_module_list WHERE name = ?1",
                         -1, &st, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
  found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}

static int run_exists(ShellState *p, long long id) {
  sqlite3_stmt *st;
  int found = 0;
  if (sqlite3_prepare_v2(p->db, "SELECT 1 FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK)
    return 0;
  sqlite3_bind_int64(st, 1, id);
  found = sqlite3_step(st) == SQLITE_ROW;
  sqlite3_finalize(st);
  return found;
}

/* The most recent run (max id), or 0 when there is none. */
static long long latest_run(ShellState *p) {
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
static int take_option(ShellState *p, const DotCmd *c, int *argc, char **argv, const char *opt,
                       const char **value) {
  size_t len = strlen(opt);
  int n = 1;
  *value = NULL;
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], opt) == 0) {
      if (i + 1 >= *argc)
        return usage(p, c);
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

/* Picks the run an analysis uses: the "--run N" (or "--run=N") in argv, which
** it removes from argv, else the .run selection, else the most recent run.
** Returns 0 with *run set, or 1 after printing an error. */
static int take_run(ShellState *p, const DotCmd *c, int *argc, char **argv, long long *run) {
  const char *want;
  if (take_option(p, c, argc, argv, "--run", &want))
    return 1;
  if (want) {
    if (parse_count(want, run) != 0 || *run == 0) {
      shell_error(p, ".%s: --run wants a run id, not \"%s\" (.runs lists them)", c->name, want);
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

/* Writes into buf the run's dropped-events warning ("WARNING: N events were
** dropped by the recorder; every number is incomplete (run R)"), or "" when
** it lost none. Returns buf. */
static char *dropped_warning(ShellState *p, long long run, char *buf, size_t size) {
  sqlite3_stmt *st;
  buf[0] = 0;
  if (sqlite3_prepare_v2(p->db, "SELECT warning FROM run_summary WHERE run_id = ?1", -1, &st,
                         NULL) != SQLITE_OK)
    return buf;
  sqlite3_bind_int64(st, 1, run);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *w = (const char *)sqlite3_column_text(st, 0);
    if (w && *w)
      snprintf(buf, size, "%s (run %lld)", w, run);
  }
  sqlite3_finalize(st);
  return buf;
}

/* When the run lost events, says so on stderr, whatever the output mode:
** every number is then incomplete. */
static void warn_dropped(ShellState *p, long long run) {
  char w[256];
  if (p->hold_warning || !*dropped_warning(p, run, w, sizeof w))
    return;
  fflush(p->out);
  fprintf(stderr, "%s\n", w);
  fflush(stderr);
}

/* Prepares sql, binds ?1 to run and ?2, ?3, ... to args, prints its rows,
** then, when it printed them all, warns about dropped events. Returns 0, or
** 1 after printing an error. */
static int run_analysis(ShellState *p, long long run, const char *sql, int nargs,
                        const AnaArg *args) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
  }
  sqlite3_bind_int64(st, 1, run);
  for (int i = 0; i < nargs; i++) {
    if (args[i].text)
      sqlite3_bind_text(st, i + 2, args[i].text, -1, SQLITE_TRANSIENT);
    else
      sqlite3_bind_int64(st, i + 2, args[i].num);
  }
  if (shell_exec_stmt(p, st))
    return 1;
  warn_dropped(p, run);
  return 0;
}

/* 0 when the connection has c's table-valued function; else 1 after saying
** that c needs the analyses extension. */
static int need_extension(ShellState *p, const DotCmd *c) {
  if (shell_has_function(p, c->tvf))
    return 0;
  shell_error(p, ".%s needs the analyses extension, which provides %s(); this build has "
                 "none (.load one)", c->name, c->tvf);
  return 1;
}

/* Runs "SELECT cols FROM tvf(?2, ...) WHERE run = ?1 tail" (tvf: c's
** function; no parentheses without args) through run_analysis(). */
static int run_tvf(ShellState *p, const DotCmd *c, long long run, const char *cols,
                   int nargs, const AnaArg *args, const char *tail) {
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

/* Joins argv[1..argc-1] with single spaces into one malloc'd string: the
** what-if spec "KEY=F KEY=F". NULL when out of memory. */
static char *join_words(int argc, char **argv) {
  size_t n = 1;
  char *s;
  for (int i = 1; i < argc; i++)
    n += strlen(argv[i]) + 1;
  s = malloc(n);
  if (!s)
    return NULL;
  s[0] = 0;
  for (int i = 1; i < argc; i++) {
    if (i > 1)
      strcat(s, " ");
    strcat(s, argv[i]);
  }
  return s;
}

/* ---- output targets */

/* Puts output back on stdout, closing any .output/.once file or pipe. */
void output_reset(ShellState *p) {
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
void output_once_done(ShellState *p) {
  if (p->once > 0 && --p->once == 0)
    output_reset(p);
}

/* Sends output to file ("|command": a pipe to it). 0 ok, 1 error. */
static int output_open(ShellState *p, const char *file) {
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

/* ---- the commands, in the table's order */

static int cmd_help(ShellState *p, const DotCmd *c, int argc, char **argv) {
  int width = 0, found = 0;
  const char *want = NULL;
  if (argc > 2)
    return usage(p, c);
  if (argc == 2)
    want = argv[1][0] == '.' ? argv[1] + 1 : argv[1];
  for (const DotCmd *d = wcp_dot_cmds; d->name; d++) {
    int w = (int)strlen(d->name) + 1 + (*d->usage ? 1 + (int)strlen(d->usage) : 0);
    if (w > width)
      width = w;
  }
  for (const DotCmd *d = wcp_dot_cmds; d->name; d++) {
    char head[160];
    if (want && strncmp(d->name, want, strlen(want)) != 0)
      continue;
    found++;
    snprintf(head, sizeof head, ".%s%s%s", d->name, *d->usage ? " " : "", d->usage);
    fprintf(p->out, "%-*s  %s\n", width, head, d->help);
    if (want && d->detail)
      fprintf(p->out, "%s\n", d->detail);
  }
  if (want && !found) {
    shell_error(p, "no command matches \"%s\"; enter \".help\" for the list", argv[1]);
    return 1;
  }
  fflush(p->out);
  return 0;
}

static int cmd_quit(ShellState *p, const DotCmd *c, int argc, char **argv) {
  (void)argv;
  if (argc > 1)
    return usage(p, c);
  p->quit = 1;
  return 0;
}

static int cmd_exit(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long code = 0;
  if (argc > 2 || (argc == 2 && (parse_count(argv[1], &code) != 0 || code > 255)))
    return usage(p, c);
  p->quit = 2;
  p->exit_code = (int)code;
  return 0;
}

static int cmd_tables(ShellState *p, const DotCmd *c, int argc, char **argv) {
  sqlite3_stmt *st;
  char **names = NULL;
  int n = 0, cap = 0, w = 0;
  if (argc > 2)
    return usage(p, c);
  if (sqlite3_prepare_v2(p->db, WCP_USER_TABLES_SQL " AND name LIKE coalesce(?1, '%') ORDER BY 1",
                         -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
  }
  if (argc == 2)
    sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
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

static int cmd_schema(ShellState *p, const DotCmd *c, int argc, char **argv) {
  sqlite3_stmt *st;
  int rc;
  if (argc > 2)
    return usage(p, c);
  if (sqlite3_prepare_v2(p->db,
                         "SELECT sql FROM sqlite_schema WHERE sql IS NOT NULL "
                         "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                         "AND (?1 IS NULL OR name LIKE ?1 OR tbl_name LIKE ?1) ORDER BY rowid",
                         -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
  }
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

static int cmd_mode(ShellState *p, const DotCmd *c, int argc, char **argv) {
  if (argc == 1) {
    fprintf(p->out, "current output mode: %s\n", wcp_mode_name(p->mode));
    fflush(p->out);
    return 0;
  }
  if (argc > 2)
    return usage(p, c);
  if (wcp_mode_from_name(argv[1], &p->mode) != 0) {
    shell_error(p, "unknown mode \"%s\": use table, box, csv, json, line or list", argv[1]);
    return 1;
  }
  return 0;
}

/* .headers, .timer, .bail: "on" or "off" into *field. */
static int set_onoff(ShellState *p, const DotCmd *c, int argc, char **argv, int *field) {
  int b = argc == 2 ? parse_bool(argv[1]) : -1;
  if (b < 0)
    return usage(p, c);
  *field = b;
  return 0;
}

static int cmd_headers(ShellState *p, const DotCmd *c, int argc, char **argv) {
  return set_onoff(p, c, argc, argv, &p->headers);
}

static int cmd_timer(ShellState *p, const DotCmd *c, int argc, char **argv) {
  return set_onoff(p, c, argc, argv, &p->timer);
}

static int cmd_bail(ShellState *p, const DotCmd *c, int argc, char **argv) {
  return set_onoff(p, c, argc, argv, &p->bail);
}

static int cmd_read(ShellState *p, const DotCmd *c, int argc, char **argv) {
  FILE *f;
  int errors;
  if (argc != 2)
    return usage(p, c);
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
static void join_pipe(int *argc, char **argv) {
  static char buf[4096];
  size_t n = 0;
  if (*argc <= 2 || argv[1][0] != '|')
    return;
  for (int i = 1; i < *argc; i++)
    n += (size_t)snprintf(buf + n, n < sizeof buf ? sizeof buf - n : 0, "%s%s", i > 1 ? " " : "", argv[i]);
  argv[1] = buf;
  *argc = 2;
}

static int cmd_output(ShellState *p, const DotCmd *c, int argc, char **argv) {
  join_pipe(&argc, argv);
  if (argc > 2)
    return usage(p, c);
  if (argc == 1 || strcmp(argv[1], "stdout") == 0) {
    output_reset(p);
    return 0;
  }
  return output_open(p, argv[1]);
}

static int cmd_once(ShellState *p, const DotCmd *c, int argc, char **argv) {
  join_pipe(&argc, argv);
  if (argc != 2)
    return usage(p, c);
  if (output_open(p, argv[1]))
    return 1;
  p->once = 2;     /* this command, then the next one */
  return 0;
}

static int cmd_load(ShellState *p, const DotCmd *c, int argc, char **argv) {
  char *err = NULL;
  if (argc < 2 || argc > 3)
    return usage(p, c);
  sqlite3_enable_load_extension(p->db, 1);
  if (sqlite3_load_extension(p->db, argv[1], argc == 3 ? argv[2] : NULL, &err) != SQLITE_OK) {
    shell_error(p, "%s", err ? err : "cannot load the extension");
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

static int cmd_runs(ShellState *p, const DotCmd *c, int argc, char **argv) {
  sqlite3_stmt *st;
  (void)argv;
  if (argc != 1)
    return usage(p, c);
  if (sqlite3_prepare_v2(p->db,
                         "SELECT r.id, r.epoch_unix_nano AS epoch, r.dumps, r.ops, r.span_ns,"
                         " r.dropped_events,"
                         " (SELECT group_concat(source, ', ') FROM"
                         "   (SELECT source FROM dumps d WHERE d.run_id = r.id ORDER BY d.id))"
                         "   AS sources"
                         " FROM runs r ORDER BY r.id",
                         -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
  }
  return shell_exec_stmt(p, st);
}

static int cmd_run(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long id;
  if (argc > 2)
    return usage(p, c);
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
    return usage(p, c);
  if (!run_exists(p, id)) {
    shell_error(p, "no run %lld in \"%s\" (.runs lists them)", id, p->db_path);
    return 1;
  }
  p->run_id = id;
  return 0;
}

/* .summary: run_summary's header facts; the replay's columns come from
** replay_summary(run) when the analyses extension provides it, else they
** are NULL (the command works without the extension, so its row names no
** tvf and .report always has it). */
static int cmd_summary(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc != 1)
    return usage(p, c);
  if (shell_has_function(p, "replay_summary"))
    return run_analysis(p, run,
                        "SELECT s.ops, s.roots, s.open_ops, s.dropped_events, s.orphan_waits,"
                        " s.span_ns, s.makespan_ns, f.baseline_ns, round(f.drift_pct, 3) AS drift_pct,"
                        " f.cycles_broken, f.fallback_anchors"
                        " FROM run_summary s LEFT JOIN replay_summary(?1) f ON 1"
                        " WHERE s.run_id = ?1",
                        0, NULL);
  return run_analysis(p, run,
                      "SELECT ops, roots, open_ops, dropped_events, orphan_waits, span_ns,"
                      " makespan_ns, NULL AS baseline_ns, NULL AS drift_pct,"
                      " NULL AS cycles_broken, NULL AS fallback_anchors"
                      " FROM run_summary WHERE run_id = ?1",
                      0, NULL);
}

static int cmd_selftime(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  AnaArg limit = {NULL, WCP_SELFTIME_ROWS};
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc > 2 || (argc == 2 && parse_count(argv[1], &limit.num) != 0))
    return usage(p, c);
  if (limit.num == 0)
    limit.num = -1;                 /* all */
  return run_analysis(p, run,
                      "SELECT class_key, work_type, count, total_self_ns, total_wall_ns,"
                      " p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed"
                      " FROM class_stats WHERE run_id = ?1"
                      " ORDER BY total_self_ns DESC, class_key LIMIT ?2",
                      1, &limit);
}

/* .chain ?DEPTH? and .simchain ?DEPTH?: blocking_chain(depth, run) and
** simulated_chain(depth, run); without DEPTH the extension's default. */
static int cmd_chain(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  AnaArg depth = {NULL, 0};
  if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc > 2 || (argc == 2 && parse_count(argv[1], &depth.num) != 0))
    return usage(p, c);
  return run_tvf(p, c, run, "seq, op_id, class_key, start_ns, end_ns, dur_ns, self_ns",
                 argc - 1, &depth, "ORDER BY seq");
}

/* .critpath and .whatif: every KEY=F word joined with spaces into the one
** spec argument (none: the baseline, for .critpath; .whatif needs one). The
** extension checks the spec and says what is wrong with it. */
static int run_spec(ShellState *p, const DotCmd *c, int argc, char **argv, int required,
                    const char *cols, const char *tail) {
  long long run;
  AnaArg spec = {NULL, 0};
  int rc;
  if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
    return 1;
  if (required && argc < 2)
    return usage(p, c);
  if (argc > 1 && !(spec.text = join_words(argc, argv))) {
    shell_error(p, "out of memory");
    return 1;
  }
  rc = run_tvf(p, c, run, cols, argc > 1, &spec, tail);
  free((char *)spec.text);
  return rc;
}

static int cmd_critpath(ShellState *p, const DotCmd *c, int argc, char **argv) {
  return run_spec(p, c, argc, argv, 0,
                  "seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns",
                  "ORDER BY seq");
}

static int cmd_whatif(ShellState *p, const DotCmd *c, int argc, char **argv) {
  return run_spec(p, c, argc, argv, 1, "baseline_ns, makespan_ns, saved_ns, factors", "");
}

/* .deadair ?NS?: dead_air(min_ns, run); NS in nanoseconds or with a unit. */
static int cmd_deadair(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  AnaArg min = {NULL, 0};
  if (need_extension(p, c) || take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc > 2)
    return usage(p, c);
  if (argc == 2 && parse_ns(argv[1], &min.num) != 0) {
    shell_error(p, ".%s: NS is a length in nanoseconds (50000000) or with a unit ns, us, ms "
                   "or s (50ms), not \"%s\"", c->name, argv[1]);
    return 1;
  }
  return run_tvf(p, c, run, "start_ns, end_ns, dur_ns", argc - 1, &min, "ORDER BY start_ns");
}

/* .drift ?N?: the N ops (default 10, 0 for all) whose baseline replay drifts
** most from what was recorded; .drift origins ?N?: those where drift starts
** (origin_ns > 0, the growth their dependencies do not explain). */
static int cmd_drift(ShellState *p, const DotCmd *c, int argc, char **argv) {
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
    return usage(p, c);
  snprintf(tail, sizeof tail, "%s LIMIT %lld",
           origins ? "AND origin_ns > 0 ORDER BY origin_ns DESC, op_id"
                   : "ORDER BY drift_ns DESC, op_id",
           limit ? limit : -1);
  return run_tvf(p, c, run, "op_id, class_key, start_ns, dur_ns, sim_dur_ns, drift_ns, origin_ns",
                 0, NULL, tail);
}

/* .rank ?F,F,...? ?--min-self NS?: whatif_rank(factors, min_self_ns, run)
** gives one row per class key and factor; this pivots them into one row per
** class key with a saved_ns_at_F column per factor, in the order given, the
** rows by rank. F is written as %g writes it (".5" is "0.5"), in the column
** name and in the JSON array passed to the extension alike, so the two
** always agree. */
static int cmd_rank(ShellState *p, const DotCmd *c, int argc, char **argv) {
  static const char *const dflt[] = {"0", "0.5", "0.9"};
  char name[MAX_FACTORS][32];
  const char *min_text;
  long long run;
  AnaArg args[2] = {{NULL, 0}, {NULL, 0}};
  int nf = 0, rc;
  sqlite3_str *json, *q;
  char *sql;

  if (need_extension(p, c) || take_run(p, c, &argc, argv, &run) ||
      take_option(p, c, &argc, argv, "--min-self", &min_text))
    return 1;
  if (min_text && parse_ns(min_text, &args[1].num) != 0) {
    shell_error(p, ".rank: --min-self wants a length in nanoseconds (1000000) or with a unit "
                   "ns, us, ms or s (1ms), not \"%s\"", min_text);
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
        shell_error(p, ".rank: bad factor \"%.*s\": factors are numbers >= 0 separated by "
                       "commas (.rank 0,0.5,0.9)", (int)len, w);
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
  sqlite3_str_appendall(q, "SELECT class_key, min(work_type) AS work_type,"
                           " min(total_self_ns) AS total_self_ns, min(critical_ns) AS critical_ns");
  /* factor is matched within a relative 1e-9: equal to F however the
  ** extension stores it (a double, or text). */
  for (int k = 0; k < nf; k++)
    sqlite3_str_appendf(q, ", max(CASE WHEN abs(factor - %s) <= 1e-9 * (1 + %s)"
                           " THEN saved_ns END) AS \"saved_ns_at_%w\"",
                        name[k], name[k], name[k]);
  sqlite3_str_appendf(q, " FROM %s(?2%s) WHERE run = ?1"
                         " GROUP BY class_key ORDER BY min(rank), class_key",
                      c->tvf, min_text ? ", ?3" : "");
  args[0].text = sqlite3_str_finish(json);
  sql = sqlite3_str_finish(q);
  if (!args[0].text || !sql) {
    shell_error(p, "out of memory");
    rc = 1;
  } else {
    rc = run_analysis(p, run, sql, min_text ? 2 : 1, args);
  }
  sqlite3_free((char *)args[0].text);
  sqlite3_free(sql);
  return rc;
}

/* ---- .export */

/* Prints .export's usage and the formats the extension lists
** (wcprof_export_formats()) on stderr. Returns 1. */
static int export_usage(ShellState *p, const DotCmd *c) {
  sqlite3_stmt *st;
  usage(p, c);
  if (sqlite3_prepare_v2(p->db,
                         "SELECT json_extract(value, '$.name'), json_extract(value, '$.help'),"
                         " replace(replace(json_extract(value, '$.options'), '_', '-'), ',', ' --')"
                         " FROM json_each(wcprof_export_formats())",
                         -1, &st, NULL) != SQLITE_OK)
    return 1;
  fprintf(stderr, "formats:\n");
  while (sqlite3_step(st) == SQLITE_ROW) {
    const char *opts = (const char *)sqlite3_column_text(st, 2);
    fprintf(stderr, "  %-8s %s%s%s\n", (const char *)sqlite3_column_text(st, 0),
            (const char *)sqlite3_column_text(st, 1), opts && *opts ? "; options: --" : "",
            opts && *opts ? opts : "");
  }
  sqlite3_finalize(st);
  return 1;
}

/* Appends the option "NAME=VALUE" to q: NAME's dashes as underscores, a
** VALUE with white space (or starting with a quote) quoted 'VALUE', which
** wcprof_export() reads as one value. Returns 0, or 1 after printing an
** error (such a value cannot hold a quote as well). */
static int export_option(ShellState *p, sqlite3_str *q, const char *name, size_t len,
                         const char *value) {
  int quote = value[0] == '\'' || value[strcspn(value, " \t\n")] != 0;
  if (quote && strchr(value + 1, '\'')) {
    shell_error(p, ".export: the value \"%s\" of --%.*s has spaces and quotes; it can have "
                   "one or the other", value, (int)len, name);
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
static int cmd_export(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  const char *name = NULL;      /* the --NAME whose values follow */
  size_t len = 0;
  int values = 0, rc = 1;
  sqlite3_stmt *st = NULL;
  char *opts;
  if (need_extension(p, c))
    return 1;
  if (argc == 1)
    return export_usage(p, c);
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
      shell_error(p, ".export: \"%s\": after FORMAT and FILE come options, --NAME VALUE", argv[i]);
      goto done;
    }
  }
  if (name && values == 0) {
    shell_error(p, ".export: --%.*s needs a value (--%.*s VALUE)", (int)len, name, (int)len, name);
    goto done;
  }
  if (sqlite3_prepare_v2(p->db, "SELECT wcprof_export(?1, ?2, ?3, ?4)", -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    goto done;
  }
  opts = sqlite3_str_value(q);
  sqlite3_bind_text(st, 1, argv[1], -1, SQLITE_STATIC);
  if (strcmp(argv[2], "-") != 0)
    sqlite3_bind_text(st, 2, argv[2], -1, SQLITE_STATIC);
  if (opts)
    sqlite3_bind_text(st, 3, opts, -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 4, run);
  if (sqlite3_step(st) != SQLITE_ROW) {
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

/* The whole report, for people: each analysis in turn, under a title, in
** table mode unless box or line was chosen, in the reference analyzer's
** order. A run that dropped events says so in the report itself, under the
** header's title, and once more on stderr at the end. */
static int cmd_report(ShellState *p, const DotCmd *c, int argc, char **argv) {
  static const struct {
    const char *cmd;          /* the command */
    const char *arg;          /* its argument, or NULL */
    const char *title;        /* the section's title */
    int show_warning;         /* 1: the dropped-events warning goes under the title */
  } parts[] = {
    {"summary", NULL, "Header", 1},
    {"rank", NULL, "What-if ranking: what making each class key faster would save", 0},
    {"selftime", NULL, "Classes by total self time (top 20)", 0},
    {"chain", NULL, "Blocking chain", 0},
    {"deadair", NULL, "Dead air: gaps of 50 ms and more where no op ran", 0},
    {"drift", NULL, "Diagnostics: the ops whose replay drifts most from the recording (top 10)", 0},
    {"drift", "origins", "Diagnostics: where drift starts (top 10)", 0},
    {"critpath", NULL, "Critical path, in time order", 0},
  };
  long long run;
  char runbuf[32], warning[256], left_out[256] = "";
  int errors = 0, sections = 0;
  size_t nleft = 0;
  enum wcp_mode mode = p->mode;
  int headers = p->headers;
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc != 1)
    return usage(p, c);
  if (p->mode != MODE_BOX && p->mode != MODE_LINE) {
    p->mode = MODE_TABLE;
    p->headers = -1;
  }
  snprintf(runbuf, sizeof runbuf, "%lld", run);
  dropped_warning(p, run, warning, sizeof warning);
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
    const DotCmd *d = find_dot_cmd(parts[i].cmd, NULL);
    char name[32], arg[32], opt[] = "--run";
    char *av[5];
    int ac = 0;
    if (!d)
      continue;
    if (d->tvf && !shell_has_function(p, d->tvf)) {
      if (!parts[i].arg && nleft < sizeof left_out)
        nleft += (size_t)snprintf(left_out + nleft, sizeof left_out - nleft, " .%s", d->name);
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
    else if (p->rows == 0)          /* a table prints nothing for no rows */
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

/* The table. Keep it in alphabetical order: .help lists it as it is. */
const DotCmd wcp_dot_cmds[] = {
  {"bail", cmd_bail, "on|off", "Stop at the first error (as -bail)", NULL, ARGS_ONOFF, NULL},
  {"chain", cmd_chain, "?DEPTH? ?--run N?", "The blocking chain, DEPTH ops at most (default 25)",
   "  Columns: seq op_id class_key start_ns end_ns dur_ns self_ns (recorded times),\n"
   "  from blocking_chain(depth, run).",
   ARGS_NONE, "blocking_chain"},
  {"critpath", cmd_critpath, "?KEY=F ...? ?--run N?",
   "The critical path, in time order (of the what-if KEY=F ..., if given)",
   "  Columns: seq op_id class_key what resource start_ns end_ns dur_ns (simulated\n"
   "  times), from critical_path(spec, run); the words are joined into one spec.",
   ARGS_CLASSKEY, "critical_path"},
  {"deadair", cmd_deadair, "?NS? ?--run N?",
   "Gaps where no op was running, NS and longer (default 50ms)",
   "  NS: nanoseconds, or with a unit ns, us, ms or s. Columns: start_ns end_ns\n"
   "  dur_ns, from dead_air(min_ns, run).",
   ARGS_NONE, "dead_air"},
  {"drift", cmd_drift, "?origins? ?N? ?--run N?",
   "Replay diagnostics: the top N ops (default 10, 0 for all) by drift",
   "  drift_ns is the baseline replay's duration minus the recorded one, largest\n"
   "  first. \".drift origins\": the ops where drift starts (origin_ns > 0, the\n"
   "  growth their dependencies do not explain), largest first. Columns: op_id\n"
   "  class_key start_ns dur_ns sim_dur_ns drift_ns origin_ns, from replay_drift(run).",
   ARGS_DRIFT, "replay_drift"},
  {"exit", cmd_exit, "?CODE?", "Exit now with status CODE (default 0), whatever failed before", NULL, ARGS_NONE, NULL},
  {"export", cmd_export, "FORMAT FILE ?--OPTION VALUE ...?",
   "Write the run to FILE in FORMAT for other tools (\"-\": to the output)",
   "  FORMAT: chrome (Chrome trace JSON for ui.perfetto.dev, chrome://tracing),\n"
   "  folded (stacks for flamegraph.pl, speedscope), coz (curves for Coz's viewer);\n"
   "  \".export\" alone lists the formats with their options. --NAME VALUE passes the\n"
   "  option NAME=VALUE (dashes as underscores: --min-self is min_self); several\n"
   "  words after one --NAME repeat it (--whatif a:b=0.5 c:d=0). --run N picks the\n"
   "  run. Prints \"wrote FILE (N bytes)\" (nothing in json and csv modes), from\n"
   "  wcprof_export(format, path, options, run).",
   ARGS_EXPORT, "wcprof_export"},
  {"headers", cmd_headers, "on|off", "Show column names (default: on in table and box)",
   NULL, ARGS_ONOFF, NULL},
  {"help", cmd_help, "?COMMAND?", "Show help, for all commands or those starting COMMAND",
   NULL, ARGS_COMMAND, NULL},
  {"load", cmd_load, "FILE ?ENTRY?", "Load an SQLite extension library", NULL, ARGS_FILE, NULL},
  {"mode", cmd_mode, "?MODE?", "Set the output mode: table box csv json line list", NULL,
   ARGS_MODE, NULL},
  {"once", cmd_once, "FILE", "Send the next command's output to FILE (\"|CMD\": a pipe)",
   NULL, ARGS_FILE, NULL},
  {"output", cmd_output, "?FILE?", "Send output to FILE (\"|CMD\": a pipe), or to stdout",
   NULL, ARGS_FILE, NULL},
  {"quit", cmd_quit, "", "Exit the shell", NULL, ARGS_NONE, NULL},
  {"rank", cmd_rank, "?F,F,...? ?--min-self NS? ?--run N?",
   "Class keys by what speeding them up would save",
   "  One saved_ns_at_F column per factor F (default 0,0.5,0.9), ranked by the\n"
   "  saving at the middle factor; class keys with NS of self time or more (default\n"
   "  1ms; a unit ns, us, ms or s, or nanoseconds). Columns: class_key work_type\n"
   "  total_self_ns critical_ns saved_ns_at_F..., from whatif_rank(factors,\n"
   "  min_self_ns, prune, run).",
   ARGS_NONE, "whatif_rank"},
  {"read", cmd_read, "FILE", "Run the SQL and dot-commands in FILE", NULL, ARGS_FILE, NULL},
  {"report", cmd_report, "?--run N?", "The full report: every analysis available",
   "  For people: printed as a table whatever the mode (box and line are kept).\n"
   "  Sections: .summary .rank .selftime .chain .deadair .drift, \".drift origins\",\n"
   "  .critpath; those the analyses extension provides are left out without it.",
   ARGS_NONE, NULL},
  {"run", cmd_run, "?N|latest?", "Pick the run analyses use (default: the most recent)",
   NULL, ARGS_RUN, NULL},
  {"runs", cmd_runs, "", "List the runs and the dumps they came from", NULL, ARGS_NONE, NULL},
  {"schema", cmd_schema, "?PATTERN?", "Show the CREATE statements (matching a LIKE PATTERN)",
   NULL, ARGS_TABLE, NULL},
  {"selftime", cmd_selftime, "?N? ?--run N?",
   "Class keys by total self time: the top N (default 20, 0 for all)",
   "  Columns: class_key work_type count total_self_ns total_wall_ns p50_self_ns\n"
   "  p95_self_ns max_self_ns outcomes dup_executed (spec/analysis.md section 5).",
   ARGS_NONE, NULL},
  {"simchain", cmd_chain, "?DEPTH? ?--run N?",
   "The blocking chain walked by simulated finish (default depth 25)",
   "  Columns: seq op_id class_key start_ns end_ns dur_ns (simulated times) self_ns,\n"
   "  from simulated_chain(depth, run).",
   ARGS_NONE, "simulated_chain"},
  {"summary", cmd_summary, "?--run N?", "The run's header facts and replay diagnostics",
   "  Columns: ops roots open_ops dropped_events orphan_waits span_ns makespan_ns\n"
   "  baseline_ns drift_pct cycles_broken fallback_anchors (the last four from\n"
   "  replay_summary(run): NULL without the analyses extension).",
   ARGS_NONE, NULL},
  {"tables", cmd_tables, "?PATTERN?", "List tables and views (matching a LIKE PATTERN)", NULL,
   ARGS_TABLE, NULL},
  {"timer", cmd_timer, "on|off", "Time each statement (\"Run Time: real ... user ... sys ...\")",
   NULL, ARGS_ONOFF, NULL},
  {"whatif", cmd_whatif, "KEY=F ?KEY=F ...? ?--run N?",
   "The makespan if class KEY (kind:class) took F times as long",
   "  Columns: baseline_ns makespan_ns saved_ns factors (the spec as understood),\n"
   "  from whatif(spec, run); the words are joined into one spec. A key with spaces:\n"
   "  .whatif '{\"kind:class name\": 0.5}'.",
   ARGS_CLASSKEY, "whatif"},
  {NULL, NULL, NULL, NULL, NULL, ARGS_NONE, NULL},
};

/* The command named name: an exact name, or a prefix of exactly one. Returns
** NULL when there is none (*ambiguous, if given, is 1 when several match). */
const DotCmd *find_dot_cmd(const char *name, int *ambiguous) {
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
** everything; "..." understands \\, \" \n and \t. Returns the word count. */
static int split_args(char *z, char **argv, int max) {
  int n = 0;
  while (*z && n < max) {
    while (*z == ' ' || *z == '\t' || *z == '\n' || *z == '\r')
      z++;
    if (!*z)
      break;
    if (*z == '\'' || *z == '"') {
      char q = *z++, *w = z;
      argv[n++] = w;
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
      *w = 0;
    } else {
      argv[n++] = z;
      while (*z && *z != ' ' && *z != '\t' && *z != '\n' && *z != '\r')
        z++;
      if (*z)
        *z++ = 0;
    }
  }
  return n;
}

/* Runs one dot-command line (starting with '.'). Returns 0, or 1 after
** printing an error. */
int do_dot_command(ShellState *p, const char *line) {
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
      shell_error(p, "unknown command or invalid arguments: \".%s\". Enter \".help\" for help",
                  argv[0]);
    }
    free(copy);
    return 1;
  }
  rc = c->fn(p, c, argc, argv);
  free(copy);
  return rc;
}
