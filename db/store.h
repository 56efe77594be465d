/* store.h - opening wcprof databases: create the schema, or check it is ours.
 *
 * A wcprof database has PRAGMA application_id 0x77637066 ('wcpf') and
 * user_version WCP_SCHEMA_VERSION (db/schema.sql). Every program opens
 * databases through wcp_db_open() so that a typo never creates a file and a
 * foreign file is never written to. A database of an older schema version is
 * migrated when opened for writing (store.c, `migrations`).
 */
#ifndef WCP_STORE_H
#define WCP_STORE_H

#include "wcp_sqlite.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WCP_APPLICATION_ID 0x77637066
#define WCP_SCHEMA_VERSION 3

enum {
    WCP_DB_CREATE = 1,        /* create the file and the schema when missing */
    WCP_DB_READONLY = 2,      /* open read-only (never with WCP_DB_CREATE) */
    WCP_DB_ONE_THREAD = 4,    /* the connection is only ever used by one thread at a time:
                               * SQLite skips its per-call locking (SQLITE_OPEN_NOMUTEX) */
    WCP_DB_SAY_MIGRATING = 8, /* a program's: before migrating, say so on stderr when it is a
                               * terminal (it can take seconds); a library stays quiet */
};

/* Opens path. Without WCP_DB_CREATE a missing file is an error. A file that
 * is not SQLite, or a SQLite database without the wcprof schema (other than
 * an empty one, which WCP_DB_CREATE initialises), is refused, and so is one
 * of a newer schema version. One of an older version is migrated to this
 * one in one transaction (nothing changes when that fails), unless opened
 * with WCP_DB_READONLY: then it is refused with a message that says how to
 * migrate it. Returns 0 with *db open, or -1 with a message in err (and *db
 * NULL). */
int wcp_db_open(const char *path, int flags, sqlite3 **db, char *err, size_t errlen);

/* How long a connection waits for a lock another process holds (SQLite's
 * busy timeout) unless told otherwise, in ms. */
#define WCP_DB_BUSY_MS 5000

/* wcp_db_open, waiting busy_ms (not WCP_DB_BUSY_MS) for a lock. A database
 * still locked then is "locked by another process" (never "not a wcprof
 * database"); one opened read-only with a hot journal says to open it once
 * writable. */
int wcp_db_open_busy(const char *path, int flags, int busy_ms, sqlite3 **db, char *err,
                     size_t errlen);

/* Drops the secondary indexes of ops, waits and links: the ones a bulk load
 * would otherwise update row by row (CREATE INDEX sorts once, several times
 * faster). *recreate receives the statements that create them again
 * (sqlite3_malloc'd; run it with sqlite3_exec, then sqlite3_free it). Run
 * inside a transaction, so that a failure or a kill before the indexes are
 * back rolls the drop back too. Returns 0, or -1 with err set (*recreate NULL). */
int wcp_db_drop_bulk_indexes(sqlite3 *db, char **recreate, char *err, size_t errlen);

/* The id of string s in the strings table, or 0 when it is not there. */
int64_t wcp_db_string_id(sqlite3 *db, const char *s);

/* The most recent run (max(runs.id)), 0 when there is none, -1 on error. */
int64_t wcp_db_latest_run(sqlite3 *db);

/* Whether the open database db is one this wcprof reads: wcprof's
 * application_id and schema version (user_version), as wcp_db_open checks
 * on opening; the extension checks it on every use, since it is loaded
 * into connections it did not open. 0, or -1 with a message (a locked
 * database says so). */
int wcp_db_check(sqlite3 *db, char *err, size_t errlen);

/* The run v names (NULL or SQL NULL: the most recent), after wcp_db_check.
 * 0, or -1 with a message. */
int wcp_db_resolve_run(sqlite3 *db, sqlite3_value *v, int64_t *run, char *err, size_t errlen);

/* A string of the database by id (malloc'd; "" when unknown or when SQLite
 * fails), NULL on OOM. One lookup: wcp_db_string_at for many. */
char *wcp_db_string(sqlite3 *db, uint32_t id);

/* The value of strings.id id through st, which a caller looking up many
 * strings prepares once: "SELECT value[, more columns] FROM strings WHERE
 * id = ?1". Resets, binds and steps st and leaves it on its row (the other
 * columns can be read until the caller resets it or calls again). Returns
 * the value malloc'd ("" when unknown) with its length in bytes in *len
 * (NULL: not wanted); NULL when out of memory or when SQLite failed, then
 * *failed (NULL: not wanted) says whether SQLite failed. The one lookup of
 * a string by id (wcp_db_string, classes). */
char *wcp_db_string_at(sqlite3_stmt *st, uint32_t id, int *len, bool *failed);

#endif
