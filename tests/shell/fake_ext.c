/* fake_ext.c - a stand-in for the analyses extension, for the shell's tests.
**
** ".load fake_ext" registers the eight table-valued functions of
** ../../sqlext/README.md under their real names, with their real columns and
** hidden arguments (the function's own first, `run` last; a missing or NULL
** argument takes its default; `run` defaults to max(runs.id)). Their rows
** are made up, but each says which arguments arrived, so a test of the
** shell can see what a dot-command passed:
**
**   replay_summary(run)         one row: baseline_ns = run seconds,
**                               makespan_ns 1 s, drift_pct 0.5,
**                               cycles_broken 2, fallback_anchors 3
**   whatif(spec, run)           one row: baseline_ns = run seconds,
**                               makespan_ns 600 ms, saved_ns, factors = spec
**                               exactly as received (an error without one)
**   whatif_rank(factors, min_self_ns, prune, run)
**                               long rows, factor-major, for four classes:
**                               saved_ns = critical_ns * (1 - factor); rank
**                               by the saving at factors[n/2] (ties: class
**                               key); total_self_ns >= min_self_ns (default
**                               1 ms) only; factors a JSON array or "F,F"
**                               (default [0,0.5,0.9]), a bad one an error
**   critical_path(spec, run)    3 rows: op_id = run * 10 + seq, resource =
**                               spec as received (NULL without one)
**   blocking_chain(depth, run)  min(depth, 3) rows (depth < 1: an error):
**                               op_id = run * 10 + seq
**   simulated_chain(depth, run) the same, class keys "sim:...", durations
**                               doubled
**   dead_air(min_ns, run)       of three gaps (100 ms, 60 ms, 20 ms, start
**                               = run * 10 s + k s) those >= min_ns
**                               (default 50 ms)
**   replay_drift(run)           12 ops in op_id order with ties in drift_ns
**                               and origin_ns, two negative drifts, five
**                               origins of 0; start_ns = run * 10 s + op_id *
**                               100 ms
**
**   SELECT * FROM critical_path('a:b=0.5', 2);
**   SELECT * FROM whatif_rank WHERE factors = '[1,0]' AND run = 1;
**
** ".load fake_ext without_analyses" instead drops those eight functions (and
** wcprof_export(), wcprof_export_formats()) from
** the connection, whoever registered them: the shell as it is built without
** the extension, so that those cases pass whether or not the real one is
** linked in. Loading the stand-in over the real extension replaces it.
*/
#include <stdlib.h>
#include <string.h>

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

#define MAX_COLS 12
#define MAX_ROWS 32
#define MAX_FACTORS 16

/* One value of a row. */
typedef struct Cell {
    int type;        /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT or SQLITE_TEXT */
    sqlite3_int64 i; /* SQLITE_INTEGER */
    double d;        /* SQLITE_FLOAT */
    char *t;         /* SQLITE_TEXT, sqlite3_malloc'd */
} Cell;

typedef struct FakeCursor FakeCursor;

/* One function: its columns and how it makes its rows. */
typedef struct FakeFn {
    const char *name;   /* the SQL name */
    const char *schema; /* visible columns, then the HIDDEN arguments, run last */
    int ncol;           /* visible columns */
    int nargs;          /* hidden argument columns, run included */
    int (*fill)(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run);
    /* adds the rows; SQLITE_OK, or an error with c's message set */
} FakeFn;

typedef struct FakeVtab {
    sqlite3_vtab base; /* Base class - must be first */
    sqlite3 *db;       /* for run's default, max(runs.id) */
    const FakeFn *fn;  /* what this table is */
} FakeVtab;

struct FakeCursor {
    sqlite3_vtab_cursor base;      /* Base class - must be first */
    int nrow;                      /* rows made by xFilter */
    int row;                       /* 0-based current row */
    Cell cell[MAX_ROWS][MAX_COLS]; /* the rows' visible values */
    sqlite3_value *arg[MAX_COLS];  /* the arguments as received (NULL: missing) */
    sqlite3_int64 run;             /* the run used */
};

/* ---- building rows */

static void cells_free(FakeCursor *c)
{
    for (int r = 0; r < c->nrow; r++)
        for (int k = 0; k < MAX_COLS; k++)
            sqlite3_free(c->cell[r][k].t);
    memset(c->cell, 0, sizeof c->cell);
    for (int k = 0; k < MAX_COLS; k++) {
        sqlite3_value_free(c->arg[k]);
        c->arg[k] = NULL;
    }
    c->nrow = 0;
}

static Cell *new_row(FakeCursor *c)
{
    return c->nrow < MAX_ROWS ? c->cell[c->nrow++] : NULL;
}

static void put_int(Cell *row, int k, sqlite3_int64 v)
{
    row[k].type = SQLITE_INTEGER;
    row[k].i = v;
}

static void put_real(Cell *row, int k, double v)
{
    row[k].type = SQLITE_FLOAT;
    row[k].d = v;
}

static void put_text(Cell *row, int k, const char *v)
{
    if (!v)
        return; /* stays NULL */
    row[k].type = SQLITE_TEXT;
    row[k].t = sqlite3_mprintf("%s", v);
}

static int fail(FakeCursor *c, const char *msg)
{
    sqlite3_vtab *vt = c->base.pVtab;
    sqlite3_free(vt->zErrMsg);
    vt->zErrMsg = sqlite3_mprintf("%s", msg);
    return SQLITE_ERROR;
}

static const char *arg_text(sqlite3_value *v)
{
    return v && sqlite3_value_type(v) != SQLITE_NULL ? (const char *)sqlite3_value_text(v) : NULL;
}

static sqlite3_int64 arg_int(sqlite3_value *v, sqlite3_int64 dflt)
{
    return v && sqlite3_value_type(v) != SQLITE_NULL ? sqlite3_value_int64(v) : dflt;
}

/* ---- the functions */

static int fill_summary(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    (void)arg;
    Cell *r = new_row(c);
    put_int(r, 0, run * 1000000000);
    put_int(r, 1, 1000000000);
    put_real(r, 2, 0.5);
    put_int(r, 3, 2);
    put_int(r, 4, 3);
    put_int(r, 5, 0);
    return SQLITE_OK;
}

static int fill_whatif(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    const char *spec = arg_text(arg[0]);
    if (!spec)
        return fail(c, "whatif(): spec missing: want KEY=F items (KEY kind:class)");
    Cell *r = new_row(c);
    put_int(r, 0, run * 1000000000);
    put_int(r, 1, 600000000);
    put_int(r, 2, run * 1000000000 - 600000000);
    put_text(r, 3, spec);
    return SQLITE_OK;
}

static const struct {
    const char *key, *work_type;
    sqlite3_int64 self, critical;
} rank_classes[] = {
    {"tiny:op", "engine", 500000, 500000},
    {"cache:lookup", "cache", 700000000, 0},
    {"call_exec:Container.withExec", "engine", 400000000, 400000000},
    {"call_exec:Container.from", "engine", 600000000, 600000000},
};
#define N_RANK_CLASSES (int)(sizeof rank_classes / sizeof *rank_classes)

/* Parses "[F,F,...]" or "F,F,..." into f. Returns the count, or -1. */
static int parse_factors(const char *s, double *f)
{
    int n = 0;
    while (*s == ' ' || *s == '[')
        s++;
    while (*s && *s != ']') {
        char *end;
        if (n == MAX_FACTORS)
            return -1;
        f[n] = strtod(s, &end);
        if (end == s || f[n] < 0)
            return -1;
        n++;
        s = end;
        while (*s == ' ')
            s++;
        if (*s == ',')
            s++;
        else if (*s && *s != ']')
            return -1;
    }
    return n > 0 ? n : -1;
}

static int fill_rank(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    double f[MAX_FACTORS];
    const char *factors = arg_text(arg[0]);
    sqlite3_int64 min_self = arg_int(arg[1], 1000000);
    int nf = parse_factors(factors ? factors : "[0,0.5,0.9]", f);
    int rank[N_RANK_CLASSES];
    (void)run;
    if (nf < 0)
        return fail(c, "whatif_rank(): factors: want a JSON array of numbers >= 0");
    /* rank: by the saving at the middle factor, largest first; ties: class key */
    for (int i = 0; i < N_RANK_CLASSES; i++) {
        rank[i] = 1;
        double si = rank_classes[i].critical * (1 - f[nf / 2]);
        for (int j = 0; j < N_RANK_CLASSES; j++) {
            double sj = rank_classes[j].critical * (1 - f[nf / 2]);
            if (rank_classes[j].self < min_self || j == i)
                continue;
            if (sj > si || (sj == si && strcmp(rank_classes[j].key, rank_classes[i].key) < 0))
                rank[i]++;
        }
    }
    for (int k = 0; k < nf; k++) {
        for (int i = 0; i < N_RANK_CLASSES; i++) {
            if (rank_classes[i].self < min_self)
                continue;
            Cell *r = new_row(c);
            if (!r)
                return fail(c, "whatif_rank(): too many rows for the stand-in");
            put_text(r, 0, rank_classes[i].key);
            put_text(r, 1, rank_classes[i].work_type);
            put_real(r, 2, f[k]);
            double saved = rank_classes[i].critical * (1 - f[k]);
            put_int(r, 3, (sqlite3_int64)(saved < 0 ? saved - 0.5 : saved + 0.5));
            put_int(r, 4, rank_classes[i].self);
            put_int(r, 5, rank_classes[i].critical);
            put_int(r, 6, rank[i]);
        }
    }
    return SQLITE_OK;
}

static int fill_critpath(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    static const char *const what[] = {"self", "wait", "self"};
    const char *spec = arg_text(arg[0]);
    for (int s = 0; s < 3; s++) {
        Cell *r = new_row(c);
        put_int(r, 0, s + 1);
        put_int(r, 1, run * 10 + s + 1);
        put_text(r, 2, "call_exec:Container.from");
        put_text(r, 3, what[s]);
        put_text(r, 4, spec);
        put_int(r, 5, s * 1500);
        put_int(r, 6, (s + 1) * 1500);
        put_int(r, 7, 1500);
    }
    return SQLITE_OK;
}

static int fill_chain(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run, int sim)
{
    static const char *const keys[] = {"session_phase:session.query", "call:Container.from",
                                       "call_exec:Container.from"};
    sqlite3_int64 depth = arg_int(arg[0], 25);
    if (depth < 1)
        return fail(c, sim ? "simulated_chain(): depth: want a whole number >= 1"
                           : "blocking_chain(): depth: want a whole number >= 1");
    for (int s = 0; s < 3 && s < depth; s++) {
        Cell *r = new_row(c);
        char key[64];
        sqlite3_snprintf(sizeof key, key, "%s%s", sim ? "sim:" : "", keys[s]);
        put_int(r, 0, s + 1);
        put_int(r, 1, run * 10 + s + 1);
        put_text(r, 2, key);
        put_int(r, 3, s * 100000000);
        put_int(r, 4, (sim ? 2 : 1) * 1000000000);
        put_int(r, 5, (sim ? 2 : 1) * 1000000000 - s * 100000000);
        put_int(r, 6, s == 2 ? 600000000 : 0);
    }
    return SQLITE_OK;
}

static int fill_blocking(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    return fill_chain(c, arg, run, 0);
}

static int fill_simulated(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    return fill_chain(c, arg, run, 1);
}

static int fill_deadair(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    static const sqlite3_int64 gap[] = {100000000, 60000000, 20000000};
    sqlite3_int64 min_ns = arg_int(arg[0], 50000000);
    for (int k = 0; k < 3; k++) {
        if (gap[k] < min_ns)
            continue;
        Cell *r = new_row(c);
        sqlite3_int64 start = run * 10000000000LL + (k + 1) * 1000000000LL;
        put_int(r, 0, start);
        put_int(r, 1, start + gap[k]);
        put_int(r, 2, gap[k]);
    }
    return SQLITE_OK;
}

static int fill_drift(FakeCursor *c, sqlite3_value **arg, sqlite3_int64 run)
{
    static const sqlite3_int64 drift[12][2] = {
        /* drift_ns, origin_ns of ops 1..12 */
        {5000000, 5000000},     {20000000, 0}, {-3000000, 0},      {20000000, 15000000},
        {1000, 1000},           {7000000, 0},  {7000000, 7000000}, {-1000000, 0},
        {300000000, 250000000}, {2000000, 0},  {50000, 50000},     {15000000, 15000000},
    };
    (void)arg;
    for (int k = 0; k < 12; k++) {
        Cell *r = new_row(c);
        char key[32];
        sqlite3_int64 start = run * 10000000000LL + (k + 1) * 100000000LL;
        sqlite3_snprintf(sizeof key, key, "call_exec:step%d", k + 1);
        put_int(r, 0, k + 1);
        put_text(r, 1, key);
        put_int(r, 2, start);
        put_int(r, 3, 50000000);
        put_int(r, 4, start);
        put_int(r, 5, 50000000 + drift[k][0]);
        put_int(r, 6, drift[k][0]);
        put_int(r, 7, drift[k][1]);
    }
    return SQLITE_OK;
}

static const FakeFn fake_fns[] = {
    {"replay_summary",
     "CREATE TABLE x(baseline_ns, makespan_ns, drift_pct, cycles_broken, fallback_anchors,"
     " unfinished_ops, run HIDDEN)",
     6, 1, fill_summary},
    {"whatif",
     "CREATE TABLE x(baseline_ns, makespan_ns, saved_ns, factors, spec HIDDEN, run HIDDEN)", 4, 2,
     fill_whatif},
    {"whatif_rank",
     "CREATE TABLE x(class_key, work_type, factor, saved_ns, total_self_ns, critical_ns, rank,"
     " factors HIDDEN, min_self_ns HIDDEN, prune HIDDEN, run HIDDEN)",
     7, 4, fill_rank},
    {"critical_path",
     "CREATE TABLE x(seq, op_id, class_key, what, resource, start_ns, end_ns, dur_ns,"
     " spec HIDDEN, run HIDDEN)",
     8, 2, fill_critpath},
    {"blocking_chain",
     "CREATE TABLE x(seq, op_id, class_key, start_ns, end_ns, dur_ns, self_ns,"
     " depth HIDDEN, run HIDDEN)",
     7, 2, fill_blocking},
    {"simulated_chain",
     "CREATE TABLE x(seq, op_id, class_key, start_ns, end_ns, dur_ns, self_ns,"
     " depth HIDDEN, run HIDDEN)",
     7, 2, fill_simulated},
    {"dead_air", "CREATE TABLE x(start_ns, end_ns, dur_ns, min_ns HIDDEN, run HIDDEN)", 3, 2,
     fill_deadair},
    {"replay_drift",
     "CREATE TABLE x(op_id, class_key, start_ns, dur_ns, sim_start_ns, sim_dur_ns, drift_ns,"
     " origin_ns, run HIDDEN)",
     8, 1, fill_drift},
};
#define N_FAKE_FNS (int)(sizeof fake_fns / sizeof *fake_fns)

/* ---- the virtual table */

static int fake_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **vt, char **err)
{
    const FakeFn *fn = aux;
    (void)argc, (void)argv, (void)err;
    int rc = sqlite3_declare_vtab(db, fn->schema);
    if (rc != SQLITE_OK)
        return rc;
    FakeVtab *v = sqlite3_malloc(sizeof *v);
    if (!v)
        return SQLITE_NOMEM;
    memset(v, 0, sizeof *v);
    v->db = db;
    v->fn = fn;
    *vt = &v->base;
    return SQLITE_OK;
}

static int fake_disconnect(sqlite3_vtab *vt)
{
    sqlite3_free(vt);
    return SQLITE_OK;
}

/* Each hidden argument column with an "=" constraint becomes an argument;
** idxNum has bit k set when argument k was given (they arrive in order). */
static int fake_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
    const FakeFn *fn = ((FakeVtab *)vt)->fn;
    int which[MAX_COLS], n = 0, mask = 0;
    for (int k = 0; k < fn->nargs; k++)
        which[k] = -1;
    for (int i = 0; i < info->nConstraint; i++) {
        const struct sqlite3_index_constraint *k = &info->aConstraint[i];
        if (k->iColumn < fn->ncol || k->op != SQLITE_INDEX_CONSTRAINT_EQ)
            continue;
        if (!k->usable)
            return SQLITE_CONSTRAINT;
        which[k->iColumn - fn->ncol] = i;
    }
    for (int k = 0; k < fn->nargs; k++) {
        if (which[k] < 0)
            continue;
        info->aConstraintUsage[which[k]].argvIndex = ++n;
        info->aConstraintUsage[which[k]].omit = 1;
        mask |= 1 << k;
    }
    info->idxNum = mask;
    info->estimatedCost = 1;
    return SQLITE_OK;
}

static int fake_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur)
{
    (void)vt;
    FakeCursor *c = sqlite3_malloc(sizeof *c);
    if (!c)
        return SQLITE_NOMEM;
    memset(c, 0, sizeof *c);
    *cur = &c->base;
    return SQLITE_OK;
}

static int fake_close(sqlite3_vtab_cursor *cur)
{
    cells_free((FakeCursor *)cur);
    sqlite3_free(cur);
    return SQLITE_OK;
}

static sqlite3_int64 latest_run(sqlite3 *db)
{
    sqlite3_stmt *st;
    sqlite3_int64 id = 0;
    if (sqlite3_prepare_v2(db, "SELECT max(id) FROM runs", -1, &st, NULL) != SQLITE_OK)
        return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

static int fake_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                       sqlite3_value **argv)
{
    FakeCursor *c = (FakeCursor *)cur;
    FakeVtab *v = (FakeVtab *)cur->pVtab;
    int n = 0;
    (void)idxStr;
    cells_free(c);
    c->row = 0;
    for (int k = 0; k < v->fn->nargs; k++)
        if ((idxNum & (1 << k)) && n < argc)
            c->arg[k] = sqlite3_value_dup(argv[n++]);
    c->run = arg_int(c->arg[v->fn->nargs - 1], latest_run(v->db));
    return v->fn->fill(c, c->arg, c->run);
}

static int fake_next(sqlite3_vtab_cursor *cur)
{
    ((FakeCursor *)cur)->row++;
    return SQLITE_OK;
}

static int fake_eof(sqlite3_vtab_cursor *cur)
{
    FakeCursor *c = (FakeCursor *)cur;
    return c->row >= c->nrow;
}

static int fake_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col)
{
    FakeCursor *c = (FakeCursor *)cur;
    const FakeFn *fn = ((FakeVtab *)cur->pVtab)->fn;
    if (col >= fn->ncol) { /* a hidden argument: as received */
        sqlite3_value *a = c->arg[col - fn->ncol];
        if (a)
            sqlite3_result_value(ctx, a);
        else if (col - fn->ncol == fn->nargs - 1)
            sqlite3_result_int64(ctx, c->run);
        return SQLITE_OK;
    }
    const Cell *x = &c->cell[c->row][col];
    switch (x->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, x->i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, x->d); break;
    case SQLITE_TEXT: sqlite3_result_text(ctx, x->t, -1, SQLITE_TRANSIENT); break;
    default: sqlite3_result_null(ctx);
    }
    return SQLITE_OK;
}

static int fake_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *rowid)
{
    *rowid = ((FakeCursor *)cur)->row + 1;
    return SQLITE_OK;
}

static sqlite3_module fake_module = {
    .xConnect = fake_connect,
    .xBestIndex = fake_best_index,
    .xDisconnect = fake_disconnect,
    .xOpen = fake_open,
    .xClose = fake_close,
    .xFilter = fake_filter,
    .xNext = fake_next,
    .xEof = fake_eof,
    .xColumn = fake_column,
    .xRowid = fake_rowid,
};

int sqlite3_fakeext_init(sqlite3 *db, char **err, const sqlite3_api_routines *api);
int without_analyses(sqlite3 *db, char **err, const sqlite3_api_routines *api);

/* The entry point ".load fake_ext" finds: registers the stand-ins, replacing
** any function of the same name. */
int sqlite3_fakeext_init(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    for (int i = 0; i < N_FAKE_FNS; i++) {
        int rc = sqlite3_create_module(db, fake_fns[i].name, &fake_module, (void *)&fake_fns[i]);
        if (rc != SQLITE_OK)
            return rc;
    }
    return SQLITE_OK;
}

/* ".load fake_ext without_analyses": drops the eight functions and the
** exports, leaving the shell as it is without the extension. */
int without_analyses(sqlite3 *db, char **err, const sqlite3_api_routines *api)
{
    (void)err;
    SQLITE_EXTENSION_INIT2(api);
    for (int i = 0; i < N_FAKE_FNS; i++)
        sqlite3_create_module(db, fake_fns[i].name, NULL, NULL);
    /* and the exports: wcprof_export(format, path, options, run) and its list */
    for (int n = 1; n <= 4; n++)
        sqlite3_create_function(db, "wcprof_export", n, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    sqlite3_create_function(db, "wcprof_export_formats", 0, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    return SQLITE_OK;
}
