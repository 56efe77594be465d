/* fn_export.c - wcprof_export(format, path, options, run) and
 * wcprof_export_formats(): the exports of export/ as SQL functions (scalar
 * ones: an export is one value, a file's size or the text itself).
 *
 *   SELECT wcprof_export('chrome', 'trace.json');            -- writes the file, returns its size
 *   SELECT wcprof_export('folded', NULL, 'weight=critical'); -- returns the text itself
 *   SELECT wcprof_export('coz', 'profile.coz', 'top=5', 1);  -- run 1
 *   SELECT * FROM json_each(wcprof_export_formats());        -- name, options, help, summary of each
 *
 * wcprof_export takes 1 to 4 arguments (format, path, options, run; path
 * NULL: return the text); the formats, their options and output are
 * export/README.md's. It is SQLITE_DIRECTONLY: it writes files, so it
 * never runs from a trigger or a view of an untrusted database.
 *
 * Errors (sqlite3_result_error): "wcprof_export: unknown format ...
 * (formats: ...)", "wcprof_export: the path is empty ...", and
 * "wcprof_export(FORMAT): ..." for a bad run, a bad option or a failed
 * write. */
#define _GNU_SOURCE
#include "export.h"
#include "fns.h"

#include <stdlib.h>
#include <string.h>

/* wcprof_export(format, path [, options [, run]]) */
static void export_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    wcp_ext *x = sqlite3_user_data(ctx);
    wcp_export e = {.db = sqlite3_context_db_handle(ctx), .options = ""};
    const char *fmt = (const char *)sqlite3_value_text(argv[0]);
    const char *path = argc > 1 ? (const char *)sqlite3_value_text(argv[1]) : NULL;
    if (argc > 2 && sqlite3_value_type(argv[2]) != SQLITE_NULL)
        e.options = (const char *)sqlite3_value_text(argv[2]);
    const wcp_exporter *ex = fmt ? wcp_exporter_find(fmt) : NULL;
    if (!ex) {
        char list[256];
        wcp_exporter_names(list, sizeof list);
        char *msg = sqlite3_mprintf("wcprof_export: unknown format \"%s\" (formats: %s)",
                                    fmt ? fmt : "NULL", list);
        sqlite3_result_error(ctx, msg ? msg : "wcprof_export: unknown format", -1);
        sqlite3_free(msg);
        return;
    }
    if (path && !*path) {
        sqlite3_result_error(ctx, "wcprof_export: the path is empty (NULL returns the text)", -1);
        return;
    }
    int64_t n = -1;
    wcp_stop stop;
    wcp_stop_init(&stop, e.db);
    e.stop = &stop;
    if (wcp_db_resolve_run(e.db, argc > 3 ? argv[3] : NULL, &e.run, e.err, sizeof e.err) == 0 &&
        (e.model = wcp_model_get(&x->cache, e.run, &stop, e.err, sizeof e.err)) != NULL) {
        char *text = NULL;
        size_t len = 0;
        n = wcp_export_run(&e, ex, path, path ? NULL : &text, &len);
        if (n >= 0 && path)
            sqlite3_result_int64(ctx, n);
        else if (n >= 0 && text) /* the text is handed over, not copied: it can be large */
            sqlite3_result_text64(ctx, text, len, free, SQLITE_UTF8);
        else if (n >= 0)
            sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
    }
    wcp_model_release(e.model);
    if (n < 0 && (wcp_stopped(&stop) || wcp_stop_check(&stop)))
        sqlite3_result_error_code(ctx, SQLITE_INTERRUPT); /* SQLite says "interrupted" */
    else if (n < 0) {
        char *msg = sqlite3_mprintf("wcprof_export(%s): %s", ex->name, e.err);
        sqlite3_result_error(ctx, msg ? msg : e.err, -1);
        sqlite3_free(msg);
    }
    wcp_stop_finish(&stop);
}

/* wcprof_export_formats(): the formats as a JSON array of objects
 * {"name", "options" (the accepted names, comma-separated), "help" (a line:
 * what it writes, each option and its default), "summary" (a few words:
 * what it is, for whom)}, in the table's order, so that a shell or a
 * script can list them. */
static void formats_func(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    wcp_out o = {0};
    wcp_out_puts(&o, "[");
    for (const wcp_exporter *const *p = wcp_exporters; *p; p++) {
        wcp_out_puts(&o, p == wcp_exporters ? "{\"name\":" : ",{\"name\":");
        wcp_out_json(&o, (*p)->name);
        wcp_out_puts(&o, ",\"options\":");
        wcp_out_json(&o, (*p)->options);
        wcp_out_puts(&o, ",\"help\":");
        wcp_out_json(&o, (*p)->help);
        wcp_out_puts(&o, ",\"summary\":");
        wcp_out_json(&o, (*p)->summary);
        wcp_out_puts(&o, "}");
    }
    wcp_out_puts(&o, "]");
    if (o.failed) {
        free(o.buf);
        sqlite3_result_error_nomem(ctx);
        return;
    }
    sqlite3_result_text64(ctx, o.buf, o.len, free, SQLITE_UTF8);
}

static void ext_unref(void *p)
{
    wcp_ext_unref(p);
}

int wcp_fn_export_register(wcp_ext *x)
{
    /* DIRECTONLY: it writes files, so never from a trigger or a view of an
     * untrusted database. */
    int rc = SQLITE_OK;
    for (int argc = 1; argc <= 4 && rc == SQLITE_OK; argc++) {
        x->refs++;
        rc = sqlite3_create_function_v2(x->cache.db, "wcprof_export", argc,
                                        SQLITE_UTF8 | SQLITE_DIRECTONLY, x, export_func, NULL, NULL,
                                        ext_unref);
    }
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(x->cache.db, "wcprof_export_formats", 0,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
                                     formats_func, NULL, NULL);
    return rc;
}
