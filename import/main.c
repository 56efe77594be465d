/* main.c - wcprof-ingest: load wcprof dumps (or Chrome traces) into a SQLite database.
 *
 *   wcprof-ingest [-o DB] [-q] [--new-run] [--format F] DUMP...
 *
 * Each dump is one transaction: a dump that is refused leaves the database
 * as it was, and the error names file, line and reason. Exit status: 0 all
 * loaded, 1 some dump refused (the others still loaded), 2 bad usage.
 */
#include "load.h"
#include "source.h"
#include "store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef WCPROF_VERSION
#define WCPROF_VERSION "0"
#endif

static const char usage_head[] =
    "usage: wcprof-ingest [OPTIONS] DUMP...\n"
    "Load wcprof dumps (NDJSON, schema version 1), Chrome trace event JSON files,\n"
    "OpenTelemetry traces (OTLP JSON) or Jaeger JSON into a SQLite database.\n"
    "\n"
    "  -o, --db FILE   the database (created if missing, appended to if present);\n"
    "                  default: the first dump's name with its extension replaced by .db\n"
    "  -q, --quiet     no progress and no per-dump summary (errors still go to stderr)\n"
    "      --new-run   load each dump as a run of its own, even if a run with the\n"
    "                  same epoch is already there (default: dumps of one run merge)\n"
    "      --busy-timeout MS  how long to wait for a database another process has\n"
    "                  locked, at the start and at the commit (default 5000)\n"
    /* --format: from the table of formats (usage()) */
    ;
static const char usage_imports[] =
    "      --one-run   an OpenTelemetry or Jaeger file of several traces is one run\n"
    "                  (default: one run per trace id)\n"
    "      --allow-incomplete  load an OpenTelemetry or Jaeger trace that misses spans,\n"
    "                  links or attributes (default: refused, saying what is missing);\n"
    "                  every analysis of its run then warns that its numbers are\n"
    "                  incomplete\n";
static const char usage_tail[] =
    "  -h, --help      this help\n"
    "      --version   print the version\n"
    "\n"
    "DUMP may be - for standard input. Each dump is one transaction: a dump that is\n"
    "refused leaves the database exactly as it was. Loading a dump twice changes nothing.\n"
    "Exit status: 0 all loaded, 1 some dump refused, 2 bad usage.\n";

/* "wcprof or chrome": the formats' names, into f. */
static void format_names(FILE *f)
{
    int n = wcp_format_count();
    for (int k = 1; k <= n; k++)
        fprintf(f, "%s%s", k == 1 ? "" : k == n ? " or " : ", ", wcp_format_get(k)->name);
}

/* After a usage error (said first): the usage line and where the rest is,
 * so that the error is not lost above a screen of help. */
static void usage_hint(void)
{
    fwrite(usage_head, 1, (size_t)(strchr(usage_head, '\n') + 1 - usage_head), stderr);
    fputs("Try 'wcprof-ingest --help' for the options.\n", stderr);
}

/* The usage, its --format option from the table of formats, into f. */
static void usage(FILE *f)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    if (!m)
        return;
    fputs("auto (default), ", m);
    format_names(m);
    fputs(": how to read the files; auto reads", m);
    for (int k = 1, first = 1; k <= wcp_format_count(); k++)
        if (wcp_format_get(k)->detect) {
            fprintf(m, "%s %s", first ? "" : ";", wcp_format_get(k)->detect);
            first = 0;
        }
    fclose(m);
    fputs(usage_head, f);
    /* the words of text, in lines as wide as the others (83 columns) */
    const char *indent = "                  ";
    fputs("      --format F  ", f);
    size_t col = 18;
    for (char *w = strtok(text, " "); w; w = strtok(NULL, " ")) {
        size_t n = strlen(w);
        if (col > 18 && col + 1 + n > 83) {
            fprintf(f, "\n%s", indent);
            col = 18;
        }
        fprintf(f, "%s%s", col > 18 ? " " : "", w);
        col += (col > 18) + n;
    }
    fputc('\n', f);
    fputs(usage_imports, f);
    fputs(usage_tail, f);
    free(text);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

typedef struct progress {
    const char *path;
    double t0, last;
} progress;

static void show_progress(void *ctx, const char *phase, const wcp_load_stats *st, int64_t total)
{
    progress *p = ctx;
    double t = now_s();
    bool scanning = strcmp(phase, "scanning") == 0;
    if (t - p->last < 0.2 && (scanning || strcmp(phase, "reading") == 0))
        return;
    p->last = t;
    if (scanning) { /* a trace read whole before its first event: bytes */
        fprintf(stderr, "\r\033[K%s: reading %.1f", p->path, (double)st->bytes / 1e6);
        if (total > 0)
            fprintf(stderr, "/%.1f MB (%d%%)", (double)total / 1e6,
                    (int)(100.0 * (double)st->bytes / (double)total));
        else
            fputs(" MB", stderr);
        fflush(stderr);
        return;
    }
    double rate = st->events / (t - p->t0 > 1e-9 ? t - p->t0 : 1e-9);
    fprintf(stderr, "\r\033[K%s: %s %lld/%lld events (%d%%), %.2fM events/s", p->path, phase,
            (long long)st->events, (long long)total,
            total ? (int)(100.0 * (double)st->events / (double)total) : 100, rate / 1e6);
    fflush(stderr);
}

/* "12 to " for the runs of a file of several (their ids are consecutive). */
static const char *runs_text(const wcp_load_stats *st, char *buf, size_t size)
{
    snprintf(buf, size, "%lld to ", (long long)st->first_run_id);
    return buf;
}

/* "run.dump" -> "run.db"; "dir.x/run" -> "dir.x/run.db" */
/* true when db holds a run (or cannot say): a database with one is kept. */
static bool has_runs(sqlite3 *db)
{
    sqlite3_stmt *st;
    bool yes = true;
    if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM runs)", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        yes = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return yes;
}

/* Does path start as an SQLite database does? */
static bool is_sqlite(const char *path)
{
    char head[16];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(head, 1, sizeof head, f) : 0;
    if (f)
        fclose(f);
    return wcp_sqlite_magic(head, n);
}

static char *default_db(const char *dump)
{
    const char *slash = strrchr(dump, '/');
    const char *dot = strrchr(dump, '.');
    size_t stem = dot && (!slash || dot > slash + 1) ? (size_t)(dot - dump) : strlen(dump);
    char *db = malloc(stem + 4);
    if (db) {
        memcpy(db, dump, stem);
        memcpy(db + stem, ".db", 4);
    }
    return db;
}

int main(int argc, char **argv)
{
    static const struct option longopts[] = {{"db", required_argument, NULL, 'o'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"new-run", no_argument, NULL, 'n'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"one-run", no_argument, NULL, '1'},
                                             {"allow-incomplete", no_argument, NULL, 'a'},
                                             {"busy-timeout", required_argument, NULL, 'b'},
                                             {NULL, 0, NULL, 0}};
    const char *dbpath = NULL;
    bool quiet = false;
    int busy_ms = WCP_DB_BUSY_MS;
    wcp_load_opts opts = {0};
    int c;
    while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': dbpath = optarg; break;
        case 'q': quiet = true; break;
        case 'n': opts.new_run = true; break;
        case '1': opts.read_flags |= WCP_READ_ONE_RUN; break;
        case 'a': opts.read_flags |= WCP_READ_ALLOW_INCOMPLETE; break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end || v > 86400000) {
                fprintf(stderr,
                        "wcprof-ingest: --busy-timeout: \"%s\" is not a number of ms "
                        "(0 to 86400000)\n",
                        optarg);
                return 2;
            }
            busy_ms = (int)v;
            break;
        }
        case 'f':
            if ((opts.format = wcp_format_from_name(optarg)) < 0) {
                fprintf(stderr, "wcprof-ingest: --format: unknown format \"%s\" (auto, ", optarg);
                format_names(stderr);
                fputs(")\n", stderr);
                usage_hint();
                return 2;
            }
            break;
        case 'h': usage(stdout); return 0;
        case 'V':
            printf("wcprof-ingest %s (SQLite %s)\n", WCPROF_VERSION, sqlite3_libversion());
            return 0;
        default: usage_hint(); return 2;
        }
    }
    if (optind >= argc) {
        fputs("wcprof-ingest: no dump given\n", stderr);
        usage(stderr);
        return 2;
    }
    char *owned = NULL;
    if (!dbpath) {
        if (strcmp(argv[optind], "-") == 0) {
            fprintf(stderr, "wcprof-ingest: reading standard input needs -o DB\n");
            return 2;
        }
        dbpath = owned = default_db(argv[optind]);
        if (!dbpath)
            return 1;
        /* `wcprof-ingest out.db trace.json`, as sqlite3 takes its database
        ** first: the "dump" would be read as one, and the traces loaded
        ** into it anyway */
        if (strcmp(dbpath, argv[optind]) == 0 || is_sqlite(argv[optind])) {
            fprintf(stderr,
                    "wcprof-ingest: %s looks like a database, not a dump: the database is given "
                    "with -o (wcprof-ingest -o %s DUMP...)\n",
                    argv[optind], argv[optind]);
            usage_hint();
            free(owned);
            return 2;
        }
    }
    char err[1024];
    sqlite3 *db;
    /* A database this run creates and then loads nothing into is removed
    ** again: a typo in a dump's name, or a file that is not a dump, leaves
    ** no empty database behind. */
    struct stat before;
    bool created = stat(dbpath, &before) != 0 && errno == ENOENT;
    if (wcp_db_open_busy(dbpath, WCP_DB_CREATE | WCP_DB_ONE_THREAD | WCP_DB_SAY_MIGRATING, busy_ms,
                         &db, err, sizeof err) < 0) {
        fprintf(stderr, "wcprof-ingest: %s\n", err);
        free(owned);
        return 1;
    }
    if (sqlite3_db_readonly(db, "main") == 1) {
        /* SQLite opens a file it may not write read-only without a word;
        ** every dump would then fail on its first insert */
        fprintf(stderr, "wcprof-ingest: cannot write \"%s\": %s\n", dbpath,
                access(dbpath, W_OK) != 0 ? strerror(errno) : "it is read-only");
        sqlite3_close(db);
        free(owned);
        return 1;
    }
    sqlite3_exec(db, "PRAGMA cache_size = -16384; PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    bool tty = isatty(2) && !quiet;
    int failed = 0, loaded = 0;
    for (int k = optind; k < argc; k++) {
        progress p = {argv[k], now_s(), 0};
        opts.progress = tty ? show_progress : NULL;
        opts.progress_ctx = &p;
        wcp_load_stats st;
        int rc = wcp_load_dump(db, argv[k], &opts, &st, err, sizeof err);
        if (tty)
            fputs("\r\033[K", stderr);
        if (rc < 0) {
            fprintf(stderr, "%s\n", err);
            failed++;
            continue;
        }
        loaded++;
        double secs = now_s() - p.t0;
        if (st.already_loaded) {
            if (!quiet)
                fprintf(stderr, "%s: already loaded (run %lld, dump %lld): nothing changed\n",
                        argv[k], (long long)st.run_id, (long long)st.dump_id);
            continue;
        }
        char runs[64];
        if (!quiet)
            fprintf(
                stderr,
                "%s: run %s%lld%s: %lld events in %.2f s (%.2fM/s): %lld ops added, %lld completed, "
                "%lld waits, %lld links%s\n",
                argv[k], st.runs > 1 ? runs_text(&st, runs, sizeof runs) : "", (long long)st.run_id,
                st.new_run ? " (new)" : "", (long long)st.events, secs,
                secs > 0 ? st.events / secs / 1e6 : 0.0, (long long)st.ops_added,
                (long long)st.ops_completed, (long long)st.waits_added, (long long)st.links_added,
                st.events && !st.ops_added && !st.ops_completed && !st.waits_added &&
                        !st.links_added
                    ? " (all already present)"
                    : "");
        char *notes = quiet ? NULL : wcp_source_notes(db, st.dump_id, argv[k]);
        if (notes)
            fputs(notes, stderr);
        free(notes);
        if (st.other_added && !quiet)
            fprintf(stderr, "%s: note: %lld events of an unknown type kept in other_events\n",
                    argv[k], (long long)st.other_added);
        if (st.warnings)
            fprintf(
                stderr,
                "%s: warning: %lld events with d < s were kept with d = s, or repeated an op id "
                "within the dump (the last was kept)\n",
                argv[k], (long long)st.warnings);
        if (st.parent_cycles)
            fprintf(
                stderr,
                "%s: warning: run %lld has %lld parent cycles (ops whose parents lead back to "
                "themselves); each was broken at its earliest op, which is analysed as a root\n",
                argv[k], (long long)st.run_id, (long long)st.parent_cycles);
        if (st.dropped_events)
            fprintf(stderr,
                    "%s: WARNING: the recorder dropped %lld events: every analysis of run %lld "
                    "is incomplete\n",
                    argv[k], (long long)st.dropped_events, (long long)st.run_id);
    }
    /* removed when nothing is in it, not even another process's run */
    created = created && loaded == 0 && !has_runs(db);
    if (sqlite3_close(db) != SQLITE_OK)
        fprintf(stderr, "wcprof-ingest: closing %s: %s\n", dbpath, sqlite3_errmsg(db));
    else if (created && unlink(dbpath) == 0 && !quiet)
        fprintf(stderr, "wcprof-ingest: nothing loaded: %s not created\n", dbpath);
    free(owned);
    return failed ? 1 : 0;
}
