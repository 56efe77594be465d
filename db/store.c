/* store.c - opening wcprof databases: create the schema, or check it is ours. */
#include "store.h"

#include "wcp_schema_sql.h"
#include "wcp_views_sql.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int64_t pragma_int(sqlite3 *db, const char *sql, int *rc)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    *rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
    if (*rc != SQLITE_OK)
        return 0;
    *rc = sqlite3_step(st);
    if (*rc == SQLITE_ROW) {
        v = sqlite3_column_int64(st, 0);
        *rc = SQLITE_OK;
    } else if (*rc == SQLITE_DONE)
        *rc = SQLITE_OK;
    sqlite3_finalize(st);
    return v;
}

/* ---- migrations: an older database brought to this schema version
 *
 * migrations[k] takes a database of version k + 1 to version k + 2: its
 * tables' changes (columns added with a default, so that every existing
 * row reads as the loader would have written it). Then every view is
 * dropped and views.sql creates them again, so a changed view needs no
 * step of its own. Adding a schema version: its step here, as well as the
 * new schema in schema.sql. */
static const char *const migrations[] = {
    /* 1 -> 2: op metadata; imported traces' completeness and inferred waits */
    "ALTER TABLE ops ADD COLUMN meta_id INTEGER NOT NULL DEFAULT 0;"
    /* and locks (§6): how each wait's target was found (a version-1 run has
     * no holds: its targets are recorded or exec idents), its resource waits
     * without a target, its holds (columns in schema.sql's order) */
    "ALTER TABLE waits ADD COLUMN resolved_by TEXT NOT NULL DEFAULT 'none';"
    "ALTER TABLE runs ADD COLUMN unresolved_waits INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN holds INTEGER NOT NULL DEFAULT 0;"
    "ALTER TABLE runs ADD COLUMN incomplete TEXT;"
    "ALTER TABLE runs ADD COLUMN waits_inferred INTEGER NOT NULL DEFAULT 0;"
    "UPDATE waits SET resolved_by = CASE WHEN target_id IS NULL THEN 'none' "
    "WHEN target_id = recorded_target_id THEN 'recorded' ELSE 'exec_ident' END;"
    "UPDATE runs SET unresolved_waits = (SELECT count(*) FROM waits w WHERE w.run_id = runs.id "
    "AND w.orphan = 0 AND w.target_id IS NULL AND w.ident_id != 0);",
    /* 2 -> 3: per-class statistics materialised at ingest; until a load
     * into it fills them, a run's class_stats are computed from its ops
     * (runs.class_stats 0, db/views.sql) */
    "CREATE TABLE class_stats_data(run_id INTEGER NOT NULL REFERENCES runs(id), "
    "kind INTEGER NOT NULL, class_id INTEGER NOT NULL, work_type INTEGER NOT NULL, "
    "count INTEGER NOT NULL, total_self_ns INTEGER NOT NULL, total_wall_ns INTEGER NOT NULL, "
    "p50_self_ns INTEGER NOT NULL, p95_self_ns INTEGER NOT NULL, max_self_ns INTEGER NOT NULL, "
    "outcomes TEXT NOT NULL, dup_executed INTEGER NOT NULL, "
    "PRIMARY KEY (run_id, kind, class_id)) WITHOUT ROWID;"
    "ALTER TABLE runs ADD COLUMN class_stats INTEGER NOT NULL DEFAULT 0;",
};
_Static_assert(sizeof migrations / sizeof migrations[0] == WCP_SCHEMA_VERSION - 1,
               "one migration per schema version after the first");

/* after_views[k]: what the step migrations[k] needs done once the views are
 * made again (NULL: nothing). */
static const char *const after_views[] = {
    NULL,
    /* 2 -> 3: the class statistics of every run, computed once by the
     * class_stats view from the ops (as the views compute them for a run
     * with runs.class_stats 0), so that every later read is quick */
    "INSERT INTO class_stats_data SELECT s.run_id, k.id, c.id, w.id, s.count, s.total_self_ns, "
    "s.total_wall_ns, s.p50_self_ns, s.p95_self_ns, s.max_self_ns, s.outcomes, s.dup_executed "
    "FROM class_stats s JOIN strings k ON k.value = s.kind JOIN strings c ON c.value = s.class "
    "JOIN strings w ON w.value = s.work_type;"
    "UPDATE runs SET class_stats = 1;",
};
_Static_assert(sizeof after_views / sizeof after_views[0] == WCP_SCHEMA_VERSION - 1,
               "one entry per migration");

/* Runs the migrations from version `from` to WCP_SCHEMA_VERSION in one
 * transaction, then the views again and what a step needs after them
 * (after_views). 0, or -1 with a message (the database
 * unchanged). */
static int migrate(sqlite3 *db, const char *path, int64_t from, char *err, size_t errlen)
{
    char *msg = NULL;
    sqlite3_stmt *st = NULL;
    sqlite3_str *drop = sqlite3_str_new(db);
    char *drops = NULL;
    if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
        goto fail;
    for (int64_t v = from; v < WCP_SCHEMA_VERSION; v++)
        if (sqlite3_exec(db, migrations[v - 1], NULL, NULL, &msg) != SQLITE_OK)
            goto rollback;
    if (sqlite3_prepare_v2(db, "SELECT name FROM sqlite_schema WHERE type = 'view'", -1, &st,
                           NULL) != SQLITE_OK)
        goto rollback;
    while (sqlite3_step(st) == SQLITE_ROW)
        sqlite3_str_appendf(drop, "DROP VIEW \"%w\";", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    drops = sqlite3_str_finish(drop);
    drop = NULL;
    char version[64];
    snprintf(version, sizeof version, "PRAGMA user_version = %d", WCP_SCHEMA_VERSION);
    if ((drops && sqlite3_exec(db, drops, NULL, NULL, &msg) != SQLITE_OK) ||
        sqlite3_exec(db, wcp_views_sql, NULL, NULL, &msg) != SQLITE_OK)
        goto rollback;
    for (int64_t v = from; v < WCP_SCHEMA_VERSION; v++)
        if (after_views[v - 1] &&
            sqlite3_exec(db, after_views[v - 1], NULL, NULL, &msg) != SQLITE_OK)
            goto rollback;
    if (sqlite3_exec(db, version, NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
        goto rollback;
    sqlite3_free(drops);
    return 0;
rollback:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
fail:
    snprintf(err, errlen, "cannot migrate \"%s\" from wcprof schema version %lld to %d: %s", path,
             (long long)from, WCP_SCHEMA_VERSION, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    sqlite3_free(drops);
    sqlite3_free(sqlite3_str_finish(drop));
    return -1;
}

/* "X is not a wcprof database (why)", and what to do: a reader is told how
 * to make one, a writer (which would have made one) to pick another file.
 * empty: the file is an empty SQLite database, which wcprof-ingest fills;
 * any other is left alone, so the reader is told to make a new file. */
static void not_ours(char *err, size_t errlen, const char *path, const char *why, int flags,
                     int empty)
{
    if (flags & WCP_DB_CREATE)
        snprintf(err, errlen,
                 "\"%s\" is not a wcprof database (%s); it is left as it is: "
                 "give another file with -o",
                 path, why);
    else if (empty)
        snprintf(err, errlen,
                 "\"%s\" is not a wcprof database (%s); make one with: wcprof-ingest -o %s DUMP",
                 path, why, path);
    else
        snprintf(err, errlen,
                 "\"%s\" is not a wcprof database (%s); make one in a new file with: "
                 "wcprof-ingest -o NEW.db DUMP",
                 path, why);
}

/* The message for a database another process holds, or one a read-only
 * opening cannot read (a hot journal); NULL for any other failure. */
static const char *busy_or_hot(sqlite3 *db, int rc, int busy_ms, const char *path, char *err,
                               size_t errlen)
{
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        snprintf(err, errlen,
                 "\"%s\": the database is locked by another process (waited %d ms for it); "
                 "run again when it is done, or wait longer (wcprof-ingest --busy-timeout MS, "
                 "wcprof -busy-timeout MS)",
                 path, busy_ms);
        return err;
    }
    if (sqlite3_extended_errcode(db) == SQLITE_READONLY_ROLLBACK ||
        (rc == SQLITE_READONLY && sqlite3_extended_errcode(db) != SQLITE_READONLY)) {
        snprintf(err, errlen,
                 "\"%s\" has a transaction a writer left unfinished (a hot journal, %s-journal), "
                 "which a read-only connection cannot roll back: open it once without "
                 "-readonly (or run wcprof-ingest on it) to roll it back",
                 path, path);
        return err;
    }
    return NULL;
}

/* 1, with the reason in err, when path (missing) cannot be created: its
** folder is missing or not writable. SQLite would only say "unable to open
** database file", and its system errno is that of its last, read-only try. */
static int cannot_create(const char *path, char *err, size_t errlen)
{
    char *copy = strdup(path);
    if (!copy)
        return 0;
    const char *dir = dirname(copy);
    struct stat sb;
    int bad = 1;
    if (stat(dir, &sb) != 0)
        snprintf(err, errlen, "cannot create \"%s\": folder \"%s\": %s", path, dir,
                 strerror(errno));
    else if (!S_ISDIR(sb.st_mode))
        snprintf(err, errlen, "cannot create \"%s\": \"%s\" is not a folder", path, dir);
    else if (access(dir, W_OK | X_OK) != 0)
        snprintf(err, errlen, "cannot create \"%s\": folder \"%s\": %s", path, dir,
                 strerror(errno));
    else
        bad = 0;
    free(copy);
    return bad;
}

int wcp_db_open(const char *path, int flags, sqlite3 **out, char *err, size_t errlen)
{
    return wcp_db_open_busy(path, flags, WCP_DB_BUSY_MS, out, err, errlen);
}

int wcp_db_open_busy(const char *path, int flags, int busy_ms, sqlite3 **out, char *err,
                     size_t errlen)
{
    *out = NULL;
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (!(flags & WCP_DB_CREATE) || errno != ENOENT) {
            snprintf(err, errlen, "cannot open \"%s\": %s", path,
                     errno == ENOENT ? "no such file" : strerror(errno));
            return -1;
        }
        if (cannot_create(path, err, errlen))
            return -1;
    } else if (S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "cannot open \"%s\": it is a directory", path);
        return -1;
    }
    int oflags = (flags & WCP_DB_READONLY)
                     ? SQLITE_OPEN_READONLY
                     : SQLITE_OPEN_READWRITE | ((flags & WCP_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
    if (flags & WCP_DB_ONE_THREAD)
        oflags |= SQLITE_OPEN_NOMUTEX;
    sqlite3 *db;
    int rc = sqlite3_open_v2(path, &db, oflags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open \"%s\": %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, busy_ms); /* another wcprof-ingest may be writing */
    int64_t app = pragma_int(db, "PRAGMA application_id", &rc);
    int64_t objects =
        rc == SQLITE_OK ? pragma_int(db, "SELECT count(*) FROM sqlite_schema", &rc) : 0;
    if (rc != SQLITE_OK) {
        if (!busy_or_hot(db, rc, busy_ms, path, err, errlen))
            not_ours(err, errlen, path, sqlite3_errmsg(db), flags, 0);
        goto fail;
    }
    if (app == 0 && objects == 0 && (flags & WCP_DB_CREATE)) {
        char *msg = NULL;
        /* 16 KiB pages (SQLite's default is 4): fewer, larger b-tree pages
         * for these wide rows; a first ingest of 1M events takes about 10 %
         * less (README, "Performance"). Only takes effect before the first
         * table, and not inside a transaction. */
        if (sqlite3_exec(db, "PRAGMA page_size = 16384", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, wcp_schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, wcp_views_sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            if (!busy_or_hot(db, sqlite3_errcode(db), busy_ms, path, err, errlen))
                snprintf(err, errlen, "cannot create the wcprof schema in \"%s\": %s", path,
                         msg ? msg : "?");
            sqlite3_free(msg);
            goto fail;
        }
        app = WCP_APPLICATION_ID;
    }
    if (app != WCP_APPLICATION_ID) {
        const char *why = objects == 0 ? "it is an empty SQLite database"
                          : app == 0   ? "it is an SQLite database without the wcprof schema"
                                       : "its application_id is not wcprof's";
        not_ours(err, errlen, path, why, flags, objects == 0);
        goto fail;
    }
    int64_t version = pragma_int(db, "PRAGMA user_version", &rc);
    if (version >= 1 && version < WCP_SCHEMA_VERSION) {
        if (flags & WCP_DB_READONLY) {
            snprintf(err, errlen,
                     "\"%s\" has wcprof schema version %lld; this wcprof reads version %d: open "
                     "it once for writing (without -readonly) to migrate it in place",
                     path, (long long)version, WCP_SCHEMA_VERSION);
            goto fail;
        }
        if ((flags & WCP_DB_SAY_MIGRATING) && isatty(STDERR_FILENO))
            fprintf(stderr,
                    "%s: migrating from wcprof schema version %lld to %d, once\n"
                    "  (about 10 s a million ops; Ctrl-C leaves it as it was)...\n",
                    path, (long long)version, WCP_SCHEMA_VERSION);
        if (migrate(db, path, version, err, errlen) < 0)
            goto fail;
        version = WCP_SCHEMA_VERSION;
    }
    if (version != WCP_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "\"%s\" has wcprof schema version %lld; this wcprof reads version %d%s", path,
                 (long long)version, WCP_SCHEMA_VERSION,
                 version > WCP_SCHEMA_VERSION ? " (it was made by a newer wcprof-ingest)" : "");
        goto fail;
    }
    *out = db;
    return 0;
fail:
    sqlite3_close(db);
    return -1;
}

int wcp_db_drop_bulk_indexes(sqlite3 *db, char **recreate, char *err, size_t errlen)
{
    *recreate = NULL;
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(
            db,
            "SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('ops', 'waits', 'links') ORDER BY rowid",
            -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "indexes: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_str *create = sqlite3_str_new(db), *drop = sqlite3_str_new(db);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_str_appendf(create, "%s;\n", (const char *)sqlite3_column_text(st, 1));
        sqlite3_str_appendf(drop, "DROP INDEX \"%w\";\n", (const char *)sqlite3_column_text(st, 0));
    }
    sqlite3_finalize(st);
    char *c = sqlite3_str_finish(create), *d = sqlite3_str_finish(drop), *msg = NULL;
    if (rc != SQLITE_DONE || (d && sqlite3_exec(db, d, NULL, NULL, &msg) != SQLITE_OK)) {
        snprintf(err, errlen, "indexes: %s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        sqlite3_free(c);
        sqlite3_free(d);
        return -1;
    }
    sqlite3_free(d);
    *recreate = c ? c : sqlite3_mprintf("");
    return 0;
}

int64_t wcp_db_string_id(sqlite3 *db, const char *s)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db, "SELECT id FROM strings WHERE value = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

int64_t wcp_db_latest_run(sqlite3 *db)
{
    sqlite3_stmt *st;
    int64_t run = -1;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(id), 0) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return -1;
    if (sqlite3_step(st) == SQLITE_ROW)
        run = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return run;
}

char *wcp_db_string_at(sqlite3_stmt *st, uint32_t id, int *len, bool *failed)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    const char *v = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : "";
    int n = rc == SQLITE_ROW ? sqlite3_column_bytes(st, 0) : 0;
    char *out = v && (rc == SQLITE_ROW || rc == SQLITE_DONE) ? malloc((size_t)n + 1) : NULL;
    if (out)
        memcpy(out, v, (size_t)n + 1);
    if (len)
        *len = n;
    if (failed)
        *failed = rc != SQLITE_ROW && rc != SQLITE_DONE;
    return out;
}

char *wcp_db_string(sqlite3 *db, uint32_t id)
{
    sqlite3_stmt *st;
    bool failed;
    if (sqlite3_prepare_v2(db, "SELECT value FROM strings WHERE id = ?1", -1, &st, NULL) !=
        SQLITE_OK)
        return strdup("");
    char *out = wcp_db_string_at(st, id, NULL, &failed);
    sqlite3_finalize(st);
    return out || !failed ? out : strdup("");
}

int wcp_db_check(sqlite3 *db, char *err, size_t errlen)
{
    int rc;
    int64_t app = pragma_int(db, "PRAGMA application_id", &rc);
    int64_t version = rc == SQLITE_OK ? pragma_int(db, "PRAGMA user_version", &rc) : 0;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
        snprintf(err, errlen, "the database is locked by another process (%s)", sqlite3_errstr(rc));
    else if (rc != SQLITE_OK)
        snprintf(err, errlen, "cannot read the database: %s", sqlite3_errmsg(db));
    else if (app != WCP_APPLICATION_ID)
        snprintf(err, errlen, "not a wcprof database (its application_id is %lld, not wcprof's %d)",
                 (long long)app, WCP_APPLICATION_ID);
    else if (version != WCP_SCHEMA_VERSION)
        snprintf(err, errlen,
                 "the database has wcprof schema version %lld; this wcprof reads "
                 "version %d%s",
                 (long long)version, WCP_SCHEMA_VERSION,
                 version > WCP_SCHEMA_VERSION ? " (it was made by a newer wcprof-ingest)" : "");
    else
        return 0;
    return -1;
}

int wcp_db_resolve_run(sqlite3 *db, sqlite3_value *v, int64_t *run, char *err, size_t errlen)
{
    if (wcp_db_check(db, err, errlen) < 0)
        return -1;
    if (v && sqlite3_value_type(v) != SQLITE_NULL) {
        if (sqlite3_value_numeric_type(v) != SQLITE_INTEGER || sqlite3_value_int64(v) <= 0) {
            snprintf(err, errlen, "run must be a run id (SELECT id FROM runs), not \"%s\"",
                     (const char *)sqlite3_value_text(v));
            return -1;
        }
        *run = sqlite3_value_int64(v);
        return 0;
    }
    *run = wcp_db_latest_run(db);
    if (*run < 0)
        snprintf(err, errlen, "not a wcprof database (it has no runs table)");
    else if (*run == 0)
        snprintf(err, errlen,
                 "no runs in this database: load a dump first (wcprof-ingest -o DB DUMP)");
    return *run > 0 ? 0 : -1;
}
