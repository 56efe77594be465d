/* wcprof_ext.h - the analyses extension (see README.md). */
#ifndef WCPROF_EXT_H
#define WCPROF_EXT_H

#include <sqlite3.h>

/* Registers every analysis function in db. SQLITE_OK or an error code. */
int wcprof_register_extension(sqlite3 *db);

#endif
