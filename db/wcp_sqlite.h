/* wcp_sqlite.h - the SQLite API for code that is also built into the
 * loadable module (sqlext/, build/lib/wcprof.so): there, WCPROF_LOADABLE routes every
 * sqlite3_* call through the host's API table (sqlite3ext.h), so the module
 * never links a second SQLite library into the host process. */
#ifndef WCP_SQLITE_H
#define WCP_SQLITE_H

#ifdef WCPROF_LOADABLE
#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT3
#else
#include <sqlite3.h>
#endif

#endif
