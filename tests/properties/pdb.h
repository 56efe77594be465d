/* pdb.h - scratch folders, dumps ingested into scratch databases, rows read
 * back as text, and wcprof-gen run as a child process: the plumbing of the
 * property tests.
 *
 * Errors are returned (NULL or -1) with a message in the caller's err
 * buffer; nothing here aborts, so a test can say which seed failed.
 */
#ifndef PDB_H
#define PDB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Makes a fresh folder under $TMPDIR (or /tmp) named wcprof-prop-XXXXXX into
 * dir. Returns 0, or -1 with err set. */
int pdb_mkdtemp(char *dir, size_t dirlen, char *err, size_t errlen);
/* Removes the files directly in dir, then dir. Leaves anything else alone. */
void pdb_rmdir(const char *dir);

/* The running cmocka test's scratch folder: pdb_setup makes it; a test sets
 * pdb_passed when every check held, and pdb_teardown then removes the
 * folder, else keeps it (the failing case's files) and names it on stderr. */
extern char pdb_scratch[512];
extern int pdb_passed;
int pdb_setup(void **state);
int pdb_teardown(void **state);

/* Creates (or opens) the wcprof database at dbpath and loads the dumps, in
 * order, with wcp_load_dump. A new database is a copy of an empty one made
 * once per folder (template.wcprof-db beside it), without syncs to disk.
 * *run (may be NULL) gets the run of the last dump. Returns the open
 * database, or NULL with err set (nothing to close). */
sqlite3 *pdb_ingest(const char *dbpath, const char *const *dumps, size_t ndumps, int64_t *run,
                    char *err, size_t errlen);
/* Loads more dumps into an open database; as pdb_ingest. Returns 0 or -1. */
int pdb_load(sqlite3 *db, const char *const *dumps, size_t ndumps, int64_t *run, char *err,
             size_t errlen);

/* Runs the query made by sqlite3_vmprintf(fmt, ...) (so %Q, %lld work) and
 * returns every row as text: columns by tabs, rows by newlines, NULL as
 * "NULL", reals with %.17g. The caller frees it with sqlite3_free(). NULL
 * on error, with the query and SQLite's message in err. */
char *pdb_rows(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...);
/* Prepares the query made as above. NULL on error, with err set. */
sqlite3_stmt *pdb_prepare(sqlite3 *db, char *err, size_t errlen, const char *fmt, ...);

/* Runs argv (argv[0] a path) and waits; stdout goes to /dev/null. Returns its
 * exit status, or -1 when it could not run or was killed. */
int pdb_spawn(char *const argv[]);

#endif
