/* tvf.h - one virtual-table implementation for every analysis function.
 *
 * An analysis is a row in a table of wcp_fn: its name, its columns, its
 * arguments (hidden columns; `run` is added last) and a fill function that
 * appends its rows. tvf.c does the rest: argument binding, the run (default
 * the most recent), the cached model, errors, the cursor.
 */
#ifndef WCP_TVF_H
#define WCP_TVF_H

#include "model.h"

#define WCP_TVF_MAX_ARGS 6

typedef struct wcp_cell {
    int type;              /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
    bool owned;            /* TEXT: freed with the rows */
    union {
        int64_t i;
        double d;
        const char *s;
    } v;
} wcp_cell;

typedef struct wcp_call {
    sqlite3 *db;
    wcp_model *model;      /* the run's, held for the cursor's life */
    sqlite3_value *arg[WCP_TVF_MAX_ARGS];  /* the function's own arguments; NULL: not given */
    wcp_cell *cells;       /* the result, row after row */
    size_t n_cells, cap_cells;
    bool oom;
    char err[512];
} wcp_call;

typedef struct wcp_fn {
    const char *name;
    const char *columns;   /* "a, b, c" */
    const char *args;      /* "x, y" (own arguments, in order), or "" */
    int (*fill)(wcp_call *c);   /* 0, or -1 with c->err set */
} wcp_fn;

/* Appending cells (a row is as many cells as the function has columns). */
void wcp_put_int(wcp_call *c, int64_t v);
void wcp_put_real(wcp_call *c, double v);
void wcp_put_null(wcp_call *c);
void wcp_put_text(wcp_call *c, const char *s);         /* copied */
void wcp_put_static(wcp_call *c, const char *s);       /* lives as long as the model */
int wcp_fail(wcp_call *c, const char *fmt, ...);       /* sets c->err, returns -1 */

/* Argument i as an integer >= min (def when absent or NULL); -1 on a bad one. */
int wcp_arg_int(wcp_call *c, int i, const char *name, int64_t def, int64_t min, int64_t *out);
/* Argument i as text, or NULL when absent or NULL. */
const char *wcp_arg_text(wcp_call *c, int i);


/* Drops a reference to x (one per registered function), freeing it and its
 * cached model with the last. */
void wcp_ext_unref(wcp_ext *x);

/* Registers fn as an eponymous table-valued function of x->db. */
int wcp_tvf_register(wcp_ext *x, const wcp_fn *fn);

#endif
