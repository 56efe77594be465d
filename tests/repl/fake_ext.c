/* fake_ext.c - a stand-in for the analyses extension, for the shell's tests.
**
** Loaded with ".load fake_ext", it registers two table-valued functions the
** shell looks for, answering made-up but recognisable rows:
**
**   SELECT * FROM wcprof_summary(1);
**     -- baseline_ns 1000000000, drift_pct 0.5, cycles_broken 2, fallback_anchors 3
**   SELECT * FROM wcprof_critpath(1, 'x');
**     -- seq 1 and 2, run 1, arg 'x', dur_ns 1500
**
** so the tests can see .summary take the replay columns from wcprof_summary()
** and a cmd_tvf command pass its run and arguments through.
*/
#include <string.h>

#include <sqlite3ext.h>
SQLITE_EXTENSION_INIT1

typedef struct FakeVtab {
  sqlite3_vtab base;       /* Base class - must be first */
  int critpath;            /* 1: wcprof_critpath, 0: wcprof_summary */
} FakeVtab;

typedef struct FakeCursor {
  sqlite3_vtab_cursor base;  /* Base class - must be first */
  int row;                 /* 0-based current row */
  sqlite3_int64 run;       /* the run argument */
  char arg[64];            /* the second argument (critpath) */
} FakeCursor;

static int fake_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **vt, char **err) {
  int critpath = aux != NULL;
  (void)argc, (void)argv, (void)err;
  int rc = sqlite3_declare_vtab(db, critpath
      ? "CREATE TABLE x(seq, run_id, arg, dur_ns, run HIDDEN, a HIDDEN)"
      : "CREATE TABLE x(baseline_ns, drift_pct, cycles_broken, fallback_anchors, run HIDDEN)");
  if (rc != SQLITE_OK)
    return rc;
  FakeVtab *v = sqlite3_malloc(sizeof *v);
  if (!v)
    return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  v->critpath = critpath;
  *vt = &v->base;
  return SQLITE_OK;
}

static int fake_disconnect(sqlite3_vtab *vt) {
  sqlite3_free(vt);
  return SQLITE_OK;
}

static int fake_best_index(sqlite3_vtab *vt, sqlite3_index_info *info) {
  (void)vt;
  int first_hidden = 4, n = 0;    /* the HIDDEN argument columns */
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    if (k->iColumn < first_hidden || k->op != SQLITE_INDEX_CONSTRAINT_EQ)
      continue;
    if (!k->usable)
      return SQLITE_CONSTRAINT;
    info->aConstraintUsage[i].argvIndex = 1 + k->iColumn - first_hidden;
    info->aConstraintUsage[i].omit = 1;
    n++;
  }
  info->idxNum = n;
  info->estimatedCost = 1;
  return SQLITE_OK;
}

static int fake_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **cur) {
  (void)vt;
  FakeCursor *c = sqlite3_malloc(sizeof *c);
  if (!c)
    return SQLITE_NOMEM;
  memset(c, 0, sizeof *c);
  *cur = &c->base;
  return SQLITE_OK;
}

static int fake_close(sqlite3_vtab_cursor *cur) {
  sqlite3_free(cur);
  return SQLITE_OK;
}

static int fake_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                       sqlite3_value **argv) {
  FakeCursor *c = (FakeCursor *)cur;
  (void)idxNum, (void)idxStr;
  c->row = 0;
  c->run = argc > 0 ? sqlite3_value_int64(argv[0]) : 0;
  c->arg[0] = 0;
  if (argc > 1 && sqlite3_value_text(argv[1]))
    sqlite3_snprintf(sizeof c->arg, c->arg, "%s", (const char *)sqlite3_value_text(argv[1]));
  return SQLITE_OK;
}

static int fake_next(sqlite3_vtab_cursor *cur) {
  ((FakeCursor *)cur)->row++;
  return SQLITE_OK;
}

static int fake_eof(sqlite3_vtab_cursor *cur) {
  FakeCursor *c = (FakeCursor *)cur;
  return c->row >= (((FakeVtab *)cur->pVtab)->critpath ? 2 : 1);
}

static int fake_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int col) {
  FakeCursor *c = (FakeCursor *)cur;
  if (((FakeVtab *)cur->pVtab)->critpath) {
    switch (col) {
    case 0: sqlite3_result_int(ctx, c->row + 1); break;
    case 1: sqlite3_result_int64(ctx, c->run); break;
    case 2: sqlite3_result_text(ctx, c->arg, -1, SQLITE_TRANSIENT); break;
    case 3: sqlite3_result_int(ctx, 1500); break;
    default: sqlite3_result_null(ctx);
    }
  } else {
    switch (col) {
    case 0: sqlite3_result_int64(ctx, 1000000000); break;
    case 1: sqlite3_result_double(ctx, 0.5); break;
    case 2: sqlite3_result_int(ctx, 2); break;
    case 3: sqlite3_result_int(ctx, 3); break;
    default: sqlite3_result_int64(ctx, c->run);
    }
  }
  return SQLITE_OK;
}

static int fake_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *rowid) {
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

int sqlite3_fakeext_init(sqlite3 *db, char **err, const sqlite3_api_routines *api) {
  (void)err;
  SQLITE_EXTENSION_INIT2(api);
  int rc = sqlite3_create_module(db, "wcprof_summary", &fake_module, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_module(db, "wcprof_critpath", &fake_module, &fake_module);
  return rc;
}
