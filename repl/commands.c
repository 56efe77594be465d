/* commands.c - the dot-commands: one table that dispatches, documents
** (.help) and drives tab completion (complete.c).
**
** Adding a command is adding a row to wcp_dot_cmds[] and its function. An
** analysis command is a thin wrapper over an SQL (table-valued) function:
** take_run() handles its "--run N", run_analysis() runs its statement and
** warns when the run dropped events. A row whose function is cmd_tvf()
** only names the SQL function in its tvf field: it runs
** "SELECT * FROM tvf(run, ARG...)" once an extension provides that function.
*/
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

#define MAX_ARGS 64

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

/* Picks the run an analysis uses: the "--run N" (or "--run=N") in argv, which
** it removes from argv, else the .run selection, else the most recent run.
** Returns 0 with *run set, or 1 after printing an error. */
static int take_run(ShellState *p, const DotCmd *c, int *argc, char **argv, long long *run) {
  const char *want = NULL;
  int n = 1;
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--run") == 0) {
      if (i + 1 >= *argc)
        return usage(p, c);
      want = argv[++i];
    } else if (strncmp(argv[i], "--run=", 6) == 0) {
      want = argv[i] + 6;
    } else {
      argv[n++] = argv[i];
    }
  }
  *argc = n;
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

/* When the run lost events, says so on stderr, whatever the output mode:
** every number is then incomplete. */
static void warn_dropped(ShellState *p, long long run) {
  sqlite3_stmt *st;
  if (p->hold_warning)
    return;
  if (sqlite3_prepare_v2(p->db, "SELECT warning FROM run_summary WHERE run_id = ?1", -1, &st,
                         NULL) != SQLITE_OK)
    return;
  sqlite3_bind_int64(st, 1, run);
  if (sqlite3_step(st) == SQLITE_ROW) {
    const char *w = (const char *)sqlite3_column_text(st, 0);
    if (w && *w) {
      fflush(p->out);
      fprintf(stderr, "%s (run %lld)\n", w, run);
      fflush(stderr);
    }
  }
  sqlite3_finalize(st);
}

/* Prepares sql, binds ?1 to run, prints its rows, then warns about dropped
** events. Returns 0, or 1 after printing an error. */
static int run_analysis(ShellState *p, long long run, const char *sql, int nargs,
                        char **args) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(p->db, sql, -1, &st, NULL) != SQLITE_OK) {
    shell_error(p, "%s", sqlite3_errmsg(p->db));
    return 1;
  }
  sqlite3_bind_int64(st, 1, run);
  for (int i = 0; i < nargs; i++)
    sqlite3_bind_text(st, i + 2, args[i], -1, SQLITE_TRANSIENT);
  int rc = shell_exec_stmt(p, st);
  warn_dropped(p, run);
  return rc;
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
  if (sqlite3_prepare_v2(p->db,
                         "SELECT name FROM sqlite_schema WHERE type IN ('table','view') "
                         "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                         "AND name LIKE coalesce(?1, '%') ORDER BY 1",
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

static int cmd_headers(ShellState *p, const DotCmd *c, int argc, char **argv) {
  int b = argc == 2 ? parse_bool(argv[1]) : -1;
  if (b < 0)
    return usage(p, c);
  p->headers = b;
  return 0;
}

static int cmd_timer(ShellState *p, const DotCmd *c, int argc, char **argv) {
  int b = argc == 2 ? parse_bool(argv[1]) : -1;
  if (b < 0)
    return usage(p, c);
  p->timer = b;
  return 0;
}

static int cmd_bail(ShellState *p, const DotCmd *c, int argc, char **argv) {
  int b = argc == 2 ? parse_bool(argv[1]) : -1;
  if (b < 0)
    return usage(p, c);
  p->bail = b;
  return 0;
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

static int cmd_summary(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc != 1)
    return usage(p, c);
  /* The replay columns come from wcprof_summary(run) once the analyses
  ** extension provides it; until then they are NULL. */
  if (shell_has_function(p, "wcprof_summary"))
    return run_analysis(p, run,
                        "SELECT s.ops, s.roots, s.open_ops, s.dropped_events, s.orphan_waits,"
                        " s.span_ns, s.makespan_ns, f.baseline_ns, f.drift_pct,"
                        " f.cycles_broken, f.fallback_anchors"
                        " FROM run_summary s, wcprof_summary(?1) f WHERE s.run_id = ?1",
                        0, NULL);
  return run_analysis(p, run,
                      "SELECT ops, roots, open_ops, dropped_events, orphan_waits, span_ns,"
                      " makespan_ns, NULL AS baseline_ns, NULL AS drift_pct,"
                      " NULL AS cycles_broken, NULL AS fallback_anchors"
                      " FROM run_summary WHERE run_id = ?1",
                      0, NULL);
}

static int cmd_selftime(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run, limit = WCP_SELFTIME_ROWS;
  char buf[32];
  char *args[1] = {buf};
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  if (argc > 2 || (argc == 2 && parse_count(argv[1], &limit) != 0))
    return usage(p, c);
  snprintf(buf, sizeof buf, "%lld", limit ? limit : -1);
  return run_analysis(p, run,
                      "SELECT class_key, work_type, count, total_self_ns, total_wall_ns,"
                      " p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed"
                      " FROM class_stats WHERE run_id = ?1"
                      " ORDER BY total_self_ns DESC, class_key LIMIT CAST(?2 AS INTEGER)",
                      1, args);
}

/* An analysis the extension provides as tvf(run_id, ARG...). */
static int cmd_tvf(ShellState *p, const DotCmd *c, int argc, char **argv) {
  long long run;
  char sql[256];
  int n;
  if (!shell_has_function(p, c->tvf)) {
    shell_error(p, ".%s needs the analyses extension, which provides %s(); this build has "
                   "none (.load one)", c->name, c->tvf);
    return 1;
  }
  if (take_run(p, c, &argc, argv, &run))
    return 1;
  n = snprintf(sql, sizeof sql, "SELECT * FROM %s(?1", c->tvf);
  for (int i = 1; i < argc && n < (int)sizeof sql - 16; i++)
    n += snprintf(sql + n, sizeof sql - (size_t)n, ", ?%d", i + 1);
  snprintf(sql + n, sizeof sql - (size_t)n, ")");
  return run_analysis(p, run, sql, argc - 1, argv + 1);
}

/* The whole report, for people: each analysis in turn, under a title, in
** table mode unless box or line was chosen. */
static int cmd_report(ShellState *p, const DotCmd *c, int argc, char **argv) {
  static const char *const parts[] = {"summary", "selftime", "critpath", "rank", "chain", "deadair"};
  long long run;
  char runbuf[32];
  int errors = 0;
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
  for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
    const DotCmd *d = find_dot_cmd(parts[i], NULL);
    char name[32], opt[] = "--run";
    char *av[] = {name, opt, runbuf, NULL};
    if (!d || (d->tvf && !shell_has_function(p, d->tvf)))
      continue;
    snprintf(name, sizeof name, ".%s", d->name);
    fprintf(p->out, "%s== .%s (run %lld): %s\n", i ? "\n" : "", d->name, run, d->help);
    fflush(p->out);
    p->hold_warning = 1;
    errors += d->fn(p, d, 3, av);
    p->hold_warning = 0;
  }
  p->mode = mode;
  p->headers = headers;
  warn_dropped(p, run);
  return errors > 0;
}

/* The table. Keep it in alphabetical order: .help lists it as it is. */
const DotCmd wcp_dot_cmds[] = {
  {"bail", cmd_bail, "on|off", "Stop at the first error (as -bail)", NULL, ARGS_ONOFF, NULL},
  {"chain", cmd_tvf, "?DEPTH? ?--run N?", "The blocking chain", NULL, ARGS_NONE,
   "wcprof_chain"},
  {"critpath", cmd_tvf, "?--run N?", "The critical path, in time order", NULL, ARGS_NONE,
   "wcprof_critpath"},
  {"deadair", cmd_tvf, "?NS? ?--run N?", "Gaps where no op was running (50 ms and longer)",
   NULL, ARGS_NONE, "wcprof_deadair"},
  {"exit", cmd_exit, "?CODE?", "Exit now with status CODE (default 0), whatever failed before", NULL, ARGS_NONE, NULL},
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
  {"rank", cmd_tvf, "?F,F,...? ?--min-self NS? ?--run N?",
   "Class keys by what speeding them up would save", NULL, ARGS_NONE, "wcprof_rank"},
  {"read", cmd_read, "FILE", "Run the SQL and dot-commands in FILE", NULL, ARGS_FILE, NULL},
  {"report", cmd_report, "?--run N?", "The full report: every analysis available",
   "  For people: printed as a table whatever the mode (box and line are kept).",
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
  {"summary", cmd_summary, "?--run N?", "The run's header facts and replay diagnostics",
   "  Columns: ops roots open_ops dropped_events orphan_waits span_ns makespan_ns\n"
   "  baseline_ns drift_pct cycles_broken fallback_anchors (the last four need the\n"
   "  analyses extension; NULL without it).",
   ARGS_NONE, NULL},
  {"tables", cmd_tables, "?PATTERN?", "List tables and views (matching a LIKE PATTERN)", NULL,
   ARGS_TABLE, NULL},
  {"timer", cmd_timer, "on|off", "Time each statement (\"Run Time: real ... user ... sys ...\")",
   NULL, ARGS_ONOFF, NULL},
  {"whatif", cmd_tvf, "KEY=F ?KEY=F ...? ?--run N?",
   "The makespan if class KEY (kind:class) took F times as long", NULL, ARGS_CLASSKEY,
   "wcprof_whatif"},
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
