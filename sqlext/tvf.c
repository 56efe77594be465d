/* tvf.c - the virtual table behind every analysis function. See tvf.h.
 *
 * Each function is an eponymous virtual table (no CREATE VIRTUAL TABLE, as
 * series.c's generate_series) whose schema is its columns, then its own
 * arguments and run as HIDDEN columns:
 *
 *   CREATE TABLE x(class_key, work_type, ..., factors HIDDEN, min_self_ns HIDDEN,
 *                  prune HIDDEN, run HIDDEN)
 *
 * The arguments are equality constraints on the hidden columns; idxNum has
 * bit j set when argument j (run last) is given, and xFilter receives the
 * given ones in column order. An argument SQLite cannot know before the
 * scan (a constraint other than =, or one not usable) makes the plan
 * unusable: SQLITE_CONSTRAINT. xFilter resolves the run, takes the cached
 * model, and runs the function's fill, which appends every row; errors go
 * to zErrMsg as "NAME: message".
 *
 * A function with a rank column is also told of a constraint rank <= N
 * (rank < N, rank = N): call->top is then N, and the fill may leave out the
 * rows of a rank above it (SQLite still checks the constraint), so that
 * whatif_rank ranks the top N without replaying every class. */
#define _GNU_SOURCE
#include "fns.h"
#include "ids.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The module's client data: one per registered function. */
typedef struct tvf_aux {
    wcp_ext *ext;     /* the connection's registration state (a reference) */
    const wcp_fn *fn; /* the function */
    int ncol, nargs;  /* visible columns; hidden ones (own arguments + run) */
    int rank_col;     /* the visible column named rank, or -1 */
} tvf_aux;

typedef struct tvf_vtab {
    sqlite3_vtab base; /* Base class - must be first */
    tvf_aux *aux;      /* the function */
} tvf_vtab;

typedef struct tvf_cursor {
    sqlite3_vtab_cursor base;                    /* Base class - must be first */
    wcp_call call;                               /* the call: the model and the rows */
    sqlite3_value *hidden[WCP_TVF_MAX_ARGS + 1]; /* the arguments as given, run last */
    size_t row, n_rows;                          /* the current row, and how many */
} tvf_cursor;

/* ---- cells */

static wcp_cell *put(wcp_call *c, int type)
{
    /* a function's rows can be millions (every step of utilization): its
     * loop is polled here, and stops appending once stopped */
    if (c->stopped || wcp_stop_every(c->stop, c->n_cells + 1, WCP_PUT_POLL)) {
        c->stopped = true;
        return NULL;
    }
    if (c->n_cells == c->cap_cells) {
        size_t n = c->cap_cells ? c->cap_cells * 2 : 256;
        wcp_cell *p = c->oom ? NULL : realloc(c->cells, n * sizeof *p);
        if (!p) {
            c->oom = true;
            return NULL;
        }
        c->cells = p;
        c->cap_cells = n;
    }
    wcp_cell *cell = &c->cells[c->n_cells++];
    cell->type = type;
    return cell;
}

void wcp_put_int(wcp_call *c, int64_t v)
{
    wcp_cell *x = put(c, SQLITE_INTEGER);
    if (x)
        x->v.i = v;
}

void wcp_put_real(wcp_call *c, double v)
{
    wcp_cell *x = put(c, SQLITE_FLOAT);
    if (x)
        x->v.d = v;
}

void wcp_put_null(wcp_call *c)
{
    put(c, SQLITE_NULL);
}

void wcp_put_static(wcp_call *c, const char *s)
{
    wcp_cell *x = put(c, s ? SQLITE_TEXT : SQLITE_NULL);
    if (x)
        x->v.s = s;
}

void wcp_put_text(wcp_call *c, const char *s)
{
    char *d = s ? strdup(s) : NULL;
    if (s && !d) {
        c->oom = true;
        return;
    }
    if (d && c->n_owned == c->cap_owned) {
        size_t n = c->cap_owned ? c->cap_owned * 2 : 64;
        char **o = realloc(c->owned, n * sizeof *o);
        if (!o) {
            free(d);
            c->oom = true;
            return;
        }
        c->owned = o;
        c->cap_owned = n;
    }
    wcp_cell *x = put(c, s ? SQLITE_TEXT : SQLITE_NULL);
    if (!x) {
        free(d);
        return;
    }
    x->v.s = d;
    if (d)
        c->owned[c->n_owned++] = d;
}

int wcp_arg_int(wcp_call *c, int i, const char *name, int64_t def, int64_t min, int64_t *out)
{
    sqlite3_value *v = c->arg[i];
    *out = def;
    if (!v || sqlite3_value_type(v) == SQLITE_NULL)
        return 0;
    int t = sqlite3_value_numeric_type(v);
    if (t == SQLITE_INTEGER ||
        (t == SQLITE_FLOAT && sqlite3_value_double(v) == (double)sqlite3_value_int64(v)))
        *out = sqlite3_value_int64(v);
    else
        return wcp_fail(c, "%s must be an integer, not \"%s\"", name,
                        (const char *)sqlite3_value_text(v));
    if (*out < min)
        return wcp_fail(c, "%s must be at least %lld, not %lld", name, (long long)min,
                        (long long)*out);
    return 0;
}

int wcp_arg_id(wcp_call *c, int i, const char *name, int64_t *out)
{
    sqlite3_value *v = c->arg[i];
    *out = 0;
    if (!v || sqlite3_value_type(v) == SQLITE_NULL)
        return wcp_fail(c, "%s (an op id) is required", name);
    if (sqlite3_value_type(v) == SQLITE_INTEGER) {
        *out = sqlite3_value_int64(v);
        return 0;
    }
    const char *t = (const char *)sqlite3_value_text(v);
    uint64_t x;
    if (sqlite3_value_type(v) == SQLITE_TEXT && t && wcp_parse_u64(t, &x) == 0) {
        *out = (int64_t)x;
        return 0;
    }
    if (sqlite3_value_type(v) == SQLITE_FLOAT && sqlite3_value_double(v) >= 0x1p63)
        return wcp_fail(c,
                        "%s: %s is a real number (SQL reads an integer above 2^63 as one): write "
                        "the op id as text, '18446744073709551615', or as the ops table stores "
                        "it, the id minus 2^64",
                        name, t ? t : "?");
    return wcp_fail(c, "%s must be an op id (0 to 18446744073709551615), not \"%s\"", name,
                    t ? t : "");
}

const char *wcp_arg_text(wcp_call *c, int i)
{
    sqlite3_value *v = c->arg[i];
    return v && sqlite3_value_type(v) != SQLITE_NULL ? (const char *)sqlite3_value_text(v) : NULL;
}

static void call_reset(wcp_call *c)
{
    for (size_t k = 0; k < c->n_owned; k++) /* not a pass over every cell: millions */
        free(c->owned[k]);
    free(c->owned);
    free(c->cells);
    wcp_model_release(c->model);
    memset(c, 0, sizeof *c);
}

/* ---- the virtual table */

static int tvf_connect(sqlite3 *db, void *paux, int argc, const char *const *argv,
                       sqlite3_vtab **out, char **err)
{
    tvf_aux *aux = paux;
    (void)argc, (void)argv, (void)err;
    /* CREATE TABLE x(columns, arg HIDDEN, ..., run HIDDEN) */
    char *sql = sqlite3_mprintf("CREATE TABLE x(%s", aux->fn->columns);
    for (const char *p = aux->fn->args; sql && *p;) {
        p += strspn(p, ", ");
        size_t len = strcspn(p, ", ");
        if (!len)
            break;
        char *next = sqlite3_mprintf("%s, %.*s HIDDEN", sql, (int)len, p);
        sqlite3_free(sql);
        sql = next;
        p += len;
    }
    char *full = sql ? sqlite3_mprintf("%s, run HIDDEN)", sql) : NULL;
    sqlite3_free(sql);
    if (!full)
        return SQLITE_NOMEM;
    int rc = sqlite3_declare_vtab(db, full);
    sqlite3_free(full);
    if (rc != SQLITE_OK)
        return rc;
    tvf_vtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->aux = aux;
    sqlite3_vtab_config(db, SQLITE_VTAB_INNOCUOUS);
    *out = &v->base;
    return SQLITE_OK;
}

static int tvf_disconnect(sqlite3_vtab *v)
{
    sqlite3_free(v);
    return SQLITE_OK;
}

/* Equality constraints on the hidden columns are the arguments: bit j of
 * idxNum says argument j is given; they come to xFilter in column order.
 * Then a constraint on rank, last, when RANK_LE or RANK_LT is set. */
#define RANK_LE (1 << 29)
#define RANK_LT (1 << 30)

static int tvf_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    tvf_aux *aux = ((tvf_vtab *)vt)->aux;
    int use[WCP_TVF_MAX_ARGS + 1];
    for (int j = 0; j < aux->nargs; j++)
        use[j] = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *k = &info->aConstraint[i];
        int j = k->iColumn - aux->ncol;
        if (j < 0 || j >= aux->nargs)
            continue;
        if (!k->usable || k->op != SQLITE_INDEX_CONSTRAINT_EQ)
            return SQLITE_CONSTRAINT; /* an argument must be known before the scan */
        use[j] = i;
    }
    int n = 0, mask = 0;
    for (int j = 0; j < aux->nargs; j++)
        if (use[j] >= 0) {
            info->aConstraintUsage[use[j]].argvIndex = ++n;
            info->aConstraintUsage[use[j]].omit = 1;
            mask |= 1 << j;
        }
    for (int i = 0; i < info->nConstraint && aux->rank_col >= 0; i++) {
        const struct sqlite3_index_constraint *k = &info->aConstraint[i];
        if (k->iColumn == aux->rank_col && k->usable &&
            (k->op == SQLITE_INDEX_CONSTRAINT_LE || k->op == SQLITE_INDEX_CONSTRAINT_LT ||
             k->op == SQLITE_INDEX_CONSTRAINT_EQ)) {
            info->aConstraintUsage[i].argvIndex = ++n; /* last, after the arguments */
            mask |= k->op == SQLITE_INDEX_CONSTRAINT_LT ? RANK_LT : RANK_LE;
            break;
        }
    }
    info->idxNum = mask;
    info->estimatedCost = 1000.0;
    info->estimatedRows = 100;
    return SQLITE_OK;
}

static int tvf_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
    (void)vt;
    tvf_cursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *out = &c->base;
    return SQLITE_OK;
}

static void cursor_reset(tvf_cursor *c)
{
    call_reset(&c->call);
    for (int j = 0; j <= WCP_TVF_MAX_ARGS; j++) {
        sqlite3_value_free(c->hidden[j]);
        c->hidden[j] = NULL;
    }
    c->row = c->n_rows = 0;
}

static int tvf_close(sqlite3_vtab_cursor *cur)
{
    cursor_reset((tvf_cursor *)cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

static int vt_error(sqlite3_vtab *vt, const char *name, const char *msg)
{
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = sqlite3_mprintf("%s: %s", name, msg);
    return SQLITE_ERROR;
}

static int tvf_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                      sqlite3_value **argv)
{
    tvf_cursor *c = (tvf_cursor *)cur;
    tvf_vtab *vt = (tvf_vtab *)cur->pVtab;
    tvf_aux *aux = vt->aux;
    (void)idxStr;
    cursor_reset(c);
    int k = 0;
    for (int j = 0; j < aux->nargs && k < argc; j++)
        if (idxNum & (1 << j)) {
            c->hidden[j] = sqlite3_value_dup(argv[k++]);
            if (!c->hidden[j])
                return SQLITE_NOMEM;
        }
    wcp_call *call = &c->call;
    if ((idxNum & (RANK_LE | RANK_LT)) && k < argc &&
        sqlite3_value_type(argv[k]) == SQLITE_INTEGER) {
        /* rank <= N: the top N; rank < N: the top N - 1; none: rows of no rank */
        int64_t n = sqlite3_value_int64(argv[k]);
        if ((idxNum & RANK_LT) && n > INT64_MIN)
            n--;
        call->top = n > 0 ? n : 1;
    }
    call->db = aux->ext->cache.db;
    for (int j = 0; j + 1 < aux->nargs; j++)
        call->arg[j] = c->hidden[j];
    int64_t run;
    if (wcp_db_resolve_run(call->db, c->hidden[aux->nargs - 1], &run, call->err, sizeof call->err) <
        0)
        return vt_error(&vt->base, aux->fn->name, call->err);
    wcp_stop stop;
    wcp_stop_init(&stop, call->db);
    call->stop = &stop;
    int rc = SQLITE_OK;
    call->model = wcp_model_get(&aux->ext->cache, run, &stop, call->err, sizeof call->err);
    if (!call->model || aux->fn->fill(call) < 0 || call->stopped)
        rc = wcp_stopped(&stop) || wcp_stop_check(&stop)
                 ? SQLITE_INTERRUPT /* SQLite says "interrupted" */
                 : vt_error(&vt->base, aux->fn->name, call->err);
    else if (call->oom)
        rc = SQLITE_NOMEM;
    else
        c->n_rows = call->n_cells / (size_t)aux->ncol;
    call->stop = NULL;
    wcp_stop_finish(&stop);
    return rc;
}

static int tvf_next(sqlite3_vtab_cursor *cur)
{
    ((tvf_cursor *)cur)->row++;
    return SQLITE_OK;
}

static int tvf_eof(sqlite3_vtab_cursor *cur)
{
    tvf_cursor *c = (tvf_cursor *)cur;
    return c->row >= c->n_rows;
}

static int tvf_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    tvf_cursor *c = (tvf_cursor *)cur;
    tvf_aux *aux = ((tvf_vtab *)cur->pVtab)->aux;
    if (col >= aux->ncol) {
        sqlite3_value *v = c->hidden[col - aux->ncol];
        if (v)
            sqlite3_result_value(ctx, v);
        return SQLITE_OK;
    }
    const wcp_cell *x = &c->call.cells[c->row * (size_t)aux->ncol + (size_t)col];
    switch (x->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, x->v.i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, x->v.d); break;
    case SQLITE_TEXT: sqlite3_result_text(ctx, x->v.s, -1, SQLITE_STATIC); break;
    default: sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int tvf_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
    *rowid = (sqlite3_int64)((tvf_cursor *)cur)->row + 1;
    return SQLITE_OK;
}

static const sqlite3_module tvf_module = {
    .iVersion = 0,
    .xConnect = tvf_connect,
    .xBestIndex = tvf_best_index,
    .xDisconnect = tvf_disconnect,
    .xOpen = tvf_open,
    .xClose = tvf_close,
    .xFilter = tvf_filter,
    .xNext = tvf_next,
    .xEof = tvf_eof,
    .xColumn = tvf_column,
    .xRowid = tvf_rowid,
};

static int count_list(const char *s)
{
    int n = *s ? 1 : 0;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

static void aux_free(void *p)
{
    tvf_aux *aux = p;
    wcp_ext_unref(aux->ext);
    free(aux);
}

int wcp_tvf_register(wcp_ext *x, const wcp_fn *fn)
{
    tvf_aux *aux = malloc(sizeof *aux);
    if (!aux)
        return SQLITE_NOMEM;
    aux->ext = x;
    aux->fn = fn;
    aux->ncol = count_list(fn->columns);
    aux->nargs = count_list(fn->args) + 1;
    aux->rank_col = -1;
    for (int i = 0, at = 0; fn->columns[at]; i++) { /* "a, b, rank, c": rank's index */
        at += (int)strspn(fn->columns + at, ", ");
        size_t len = strcspn(fn->columns + at, ", ");
        if (len == 4 && strncmp(fn->columns + at, "rank", 4) == 0)
            aux->rank_col = i;
        at += (int)len;
    }
    if (aux->nargs > WCP_TVF_MAX_ARGS + 1) {
        free(aux);
        return SQLITE_MISUSE;
    }
    x->refs++;
    return sqlite3_create_module_v2(x->cache.db, fn->name, &tvf_module, aux, aux_free);
}
