/* tvf.h - one virtual-table implementation for every analysis function.
 *
 * An analysis is a wcp_fn: its name, its columns, its arguments (hidden
 * columns; `run` is added last) and a fill function that appends its rows.
 * tvf.c does the rest: argument binding, the run (default the most
 * recent), the cached model, errors, the cursor. So a function's file
 * (fn_NAME.c) holds what it computes and nothing of SQLite's vtab API.
 */
#ifndef WCP_TVF_H
#define WCP_TVF_H

#include "model.h"

/* The registration state of one connection (fns.h). */
typedef struct wcp_ext wcp_ext;

#define WCP_TVF_MAX_ARGS 6

/* One value of a result row. */
typedef struct wcp_cell {
    int type; /* SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_NULL */
    union {
        int64_t i;     /* SQLITE_INTEGER */
        double d;      /* SQLITE_FLOAT */
        const char *s; /* SQLITE_TEXT */
    } v;
} wcp_cell;

/* One call of an analysis function: what its fill function reads and writes. */
typedef struct wcp_call {
    sqlite3 *db;                          /* the connection it runs on */
    wcp_stop *stop;                       /* polled by long work (model.h); NULL after the fill */
    wcp_model *model;                     /* the run's, held for the cursor's life */
    sqlite3_value *arg[WCP_TVF_MAX_ARGS]; /* the function's own arguments; NULL: not given */
    int64_t top;     /* a function with a rank column: the rows of rank <= top suffice (0: all) */
    wcp_cell *cells; /* the result, row after row */
    size_t n_cells, cap_cells; /* cells appended, and room for */
    char **owned;              /* the texts they hold, to free */
    size_t n_owned, cap_owned;
    bool oom;      /* an append ran out of memory: the call fails with SQLITE_NOMEM */
    bool stopped;  /* interrupted (stop polled every WCP_PUT_POLL cells): appends are dropped,
                   * the call fails with SQLITE_INTERRUPT; a long loop of rows may check it */
    char err[512]; /* the message of a fill that failed */
} wcp_call;

/* An analysis function: one per fn_NAME.c, listed in fns.h. */
typedef struct wcp_fn {
    const char *name;         /* the SQL name, "whatif_rank" */
    const char *columns;      /* "a, b, c" */
    const char *args;         /* "x, y" (own arguments, in order), or "" */
    int (*fill)(wcp_call *c); /* 0, or -1 with c->err set */
} wcp_fn;

/* Appending cells (a row is as many cells as the function has columns);
 * every WCP_PUT_POLL of them, c->stop is polled (c->stopped). */
#define WCP_PUT_POLL 4096
void wcp_put_int(wcp_call *c, int64_t v);
void wcp_put_real(wcp_call *c, double v);
void wcp_put_null(wcp_call *c);
void wcp_put_text(wcp_call *c, const char *s);   /* copied */
void wcp_put_static(wcp_call *c, const char *s); /* lives as long as the model */
/* Sets c->err (printf-style, base/err.h) and returns -1: return wcp_fail(c, "...", ...). */
#define wcp_fail(c, ...) wcp_errf((c)->err, sizeof(c)->err, __VA_ARGS__)

/* Argument i as an integer >= min (def when absent or NULL); -1 on a bad one. */
int wcp_arg_int(wcp_call *c, int i, const char *name, int64_t def, int64_t min, int64_t *out);
/* Argument i as an op id (required): an integer, the id as the ops table
 * stores it (its uint64 bit pattern: db/README.md), or text of its decimal
 * digits, 0 to 18446744073709551615 (how an id above 2^63 is written: SQL
 * reads such a literal as a real). -1 on a bad one. */
int wcp_arg_id(wcp_call *c, int i, const char *name, int64_t *out);
/* Argument i as text, or NULL when absent or NULL. */
const char *wcp_arg_text(wcp_call *c, int i);

/* Registers fn as an eponymous table-valued function of x's connection;
 * the module holds a reference to x. SQLITE_OK or an error code. */
int wcp_tvf_register(wcp_ext *x, const wcp_fn *fn);

#endif
