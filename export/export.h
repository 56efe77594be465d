/* export.h - the exports: one run written in a format other tools read
 * (README.md has every format and option).
 *
 * One SQL function serves them all (sqlext/fn_export.c), over this C side
 * (export.c: the sink, the options, the format table, wcp_export_run):
 *
 *   SELECT wcprof_export('chrome', 'trace.json');            -- writes the file, returns its size
 *   SELECT wcprof_export('folded', NULL, 'weight=critical'); -- returns the text itself
 *   SELECT wcprof_export(format, path, options, run);
 *
 * Options are words "name=value" separated by spaces; a value with spaces
 * is quoted, name='value' (it holds no quote then); a name may repeat
 * (the values are then joined with spaces, so "whatif=a:b=0.5
 * whatif=c:d=0" gives the spec "a:b=0.5 c:d=0"). Each format lists the
 * names it accepts; any other name is an error. A file replaces only a
 * file of ours, is written unnamed and named when complete (a FIFO or a
 * device is written through; README.md, "Where an export writes"), so a
 * failed export leaves no partial file. The formats, for shells and scripts to list:
 *
 *   SELECT * FROM json_each(wcprof_export_formats());        -- name, options, help, summary
 *
 * A format is a wcp_exporter wcp_export_<name>, one per file (<name>.c),
 * listed in export.c's table wcp_exporters[]: everything that lists the formats (.export's help
 * and usage, the shell's completion, wcprof_export's errors) reads it.
 */
#ifndef WCP_EXPORT_H
#define WCP_EXPORT_H

#include "model.h"

#include <stdbool.h>
#include <stdio.h>

/* Where an export goes: a FILE, or (f NULL) a growing buffer. */
typedef struct wcp_out {
    FILE *f;
    char *buf; /* the buffer's text (NUL-terminated), malloc'd */
    size_t len, cap;
    bool failed;     /* a write failed, memory ran out or stop said so: nothing more is written */
    wcp_stop *stop;  /* polled every WCP_OUT_POLL writes (NULL: never) */
    unsigned writes; /* so far (wrapping) */
} wcp_out;

#define WCP_OUT_POLL 1024

void wcp_out_write(wcp_out *o, const void *p, size_t n);
void wcp_out_puts(wcp_out *o, const char *s);
void wcp_out_printf(wcp_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string literal, quotes included (NULL: null); base/escape.h's
 * escapes, as every other writer of wcprof's. */
void wcp_out_json(wcp_out *o, const char *s);
/* s with &, <, >, " and ' escaped for HTML text and attributes. */
void wcp_out_html(wcp_out *o, const char *s);
/* s as one field of a line-based format: tabs and line breaks as spaces,
 * and sep (a field separator; 0: none) as sep_as. */
void wcp_out_field(wcp_out *o, const char *s, char sep, char sep_as);

typedef struct wcp_export {
    sqlite3 *db;
    wcp_model *model; /* the run's (held for the export) */
    int64_t run;
    const char *options; /* as given ("" when none) */
    wcp_out *out;
    wcp_stop *stop; /* the SQL call's: polled by long work, and by out */
    char err[512];
} wcp_export;

typedef struct wcp_exporter {
    const char *name;            /* "chrome" */
    const char *summary;         /* what it is, for whom, in a few words: a list's entry
                            * ("Chrome trace JSON for ui.perfetto.dev, chrome://tracing") */
    const char *options;         /* accepted option names, "weight,whatif", or "" */
    const char *help;            /* one line: what it writes and each option, with its default */
    int (*write)(wcp_export *e); /* 0, or -1 with e->err set (also when e->stop says stop) */
} wcp_exporter;

/* Option name's value (repeated values joined with spaces), malloc'd;
 * NULL when absent (or out of memory, with e->err set and *oom true). */
char *wcp_export_option(wcp_export *e, const char *name, bool *oom);
/* Option name as a whole number >= min (def when absent): 0 with *out set,
 * or -1 with e->err set (out of memory). A value the format must refuse
 * returns WCP_OPT_BAD (not a whole number, or one below min or out of
 * range) or WCP_OPT_REPEATED (the option given more than once), e->err
 * untouched, so that the format words the error. *value receives the value
 * as given (malloc'd, NULL when absent; the caller frees it). */
enum { WCP_OPT_BAD = 1, WCP_OPT_REPEATED = 2 };
int wcp_export_int_option(wcp_export *e, const char *name, int64_t def, int64_t min, int64_t *out,
                          char **value);
/* Sets e->err (printf-style, base/err.h) and returns -1. */
#define wcp_export_fail(e, ...) wcp_errf((e)->err, sizeof(e)->err, __VA_ARGS__)

/* The formats, NULL-terminated, in the order .help lists them (wcprof_export_formats()). */
extern const wcp_exporter *const wcp_exporters[];

/* The format named name, or NULL. */
const wcp_exporter *wcp_exporter_find(const char *name);
/* The formats' names, "a, b, c", into buf (len bytes). */
void wcp_exporter_names(char *buf, size_t len);

/* Runs exporter ex on e (db, model, run, options and stop set): checks the
 * options, then writes path (as README.md's "Where an export writes" says:
 * a failure, an interruption among them, leaves nothing behind) or, with
 * path NULL, makes the text (*text malloc'd, NULL when empty; *len its
 * length). Returns the bytes written, or -1 with e->err set ("interrupted"
 * when e->stop stopped it). */
int64_t wcp_export_run(wcp_export *e, const wcp_exporter *ex, const char *path, char **text,
                       size_t *len);

#endif
