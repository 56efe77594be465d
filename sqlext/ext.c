/* ext.c - registering the analyses: linked into the wcprof shell
 * (wcprof_register_extension) or loaded by any SQLite client as the module
 * wcprof.so (sqlite3_wcprof_init). Every function of fns.h's list, and
 * wcprof_export(), share one wcp_ext per connection: its model cache. */
#include "fns.h"

#include <stdlib.h>

#ifdef WCPROF_LOADABLE
SQLITE_EXTENSION_INIT1
#endif

#define WCP_FN_ADDRESS(name) &wcp_fn_##name,
static const wcp_fn *const fns[] = {WCP_FUNCTIONS(WCP_FN_ADDRESS)};
#undef WCP_FN_ADDRESS

void wcp_ext_unref(wcp_ext *x)
{
    if (--x->refs == 0) {
        wcp_model_cache_clear(&x->cache);
        free(x);
    }
}

int wcprof_register_extension(sqlite3 *db)
{
    wcp_ext *x = calloc(1, sizeof *x);
    if (!x)
        return SQLITE_NOMEM;
    x->cache.db = db;
    x->refs = 1; /* ours while registering; each module holds one more */
    int rc = SQLITE_OK;
    for (size_t k = 0; k < sizeof fns / sizeof *fns && rc == SQLITE_OK; k++)
        rc = wcp_tvf_register(x, fns[k]);
    if (rc == SQLITE_OK)
        rc = wcp_fn_export_register(x);
    if (--x->refs == 0)
        free(x);
    return rc;
}

#ifdef WCPROF_LOADABLE
__attribute__((visibility("default"))) int sqlite3_wcprof_init(sqlite3 *db, char **err,
                                                               const sqlite3_api_routines *api)
{
    SQLITE_EXTENSION_INIT2(api);
    int rc = wcprof_register_extension(db);
    if (rc != SQLITE_OK)
        *err = sqlite3_mprintf("wcprof: cannot register the analyses (%s)", sqlite3_errstr(rc));
    return rc;
}
#endif
