/* store.c - opening wcprof databases: create the schema, or check it is ours. */
#include "store.h"

#include "wcp_schema_sql.h"
#include "wcp_views_sql.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

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

int wcp_db_open(const char *path, int flags, sqlite3 **out, char *err, size_t errlen)
{
    *out = NULL;
    struct stat sb;
    if (!(flags & WCP_DB_CREATE) && stat(path, &sb) != 0) {
        snprintf(err, errlen, "cannot open \"%s\": no such file", path);
        return -1;
    }
    int oflags = (flags & WCP_DB_READONLY) ? SQLITE_OPEN_READONLY
               : SQLITE_OPEN_READWRITE | ((flags & WCP_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, oflags, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot open \"%s\": %s", path, db ? sqlite3_errmsg(db) : "out of memory");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, 5000);
    int rc;
    int64_t app = pragma_int(db, "PRAGMA application_id", &rc);
    int64_t objects = rc == SQLITE_OK ? pragma_int(db, "SELECT count(*) FROM sqlite_schema", &rc) : 0;
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot read \"%s\": %s", path, sqlite3_errmsg(db));
        goto fail;
    }
    if (app == 0 && objects == 0 && (flags & WCP_DB_CREATE)) {
        char *msg = NULL;
        if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, wcp_schema_sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, wcp_views_sql, NULL, NULL, &msg) != SQLITE_OK ||
            sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
            snprintf(err, errlen, "cannot create the wcprof schema in \"%s\": %s", path, msg ? msg : "?");
            sqlite3_free(msg);
            goto fail;
        }
        app = WCP_APPLICATION_ID;
    }
    if (app != WCP_APPLICATION_ID) {
        snprintf(err, errlen, "\"%s\" is not a wcprof database (make one with: wcprof-ingest -o %s DUMP)",
                 path, path);
        goto fail;
    }
    int64_t version = pragma_int(db, "PRAGMA user_version", &rc);
    if (version != WCP_SCHEMA_VERSION) {
        snprintf(err, errlen, "\"%s\" has wcprof schema version %lld; this program reads version %d",
                 path, (long long)version, WCP_SCHEMA_VERSION);
        goto fail;
    }
    *out = db;
    return 0;
fail:
    sqlite3_close(db);
    return -1;
}

int64_t wcp_db_string_id(sqlite3 *db, const char *s)
{
    sqlite3_stmt *st;
    int64_t id = 0;
    if (sqlite3_prepare_v2(db, "SELECT id FROM strings WHERE value = ?1", -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, s, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}
