/* model.c - one run's graph, classes, compiled replay and baseline, cached
 * per connection. See model.h. */
#define _GNU_SOURCE
#include "model.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


char *wcp_wait_resource(sqlite3 *db, const wcp_wait *w)
{
    char *name = wcp_db_string(db, w->ident);
    if (name && !*name) {
        free(name);
        name = wcp_db_string(db, w->reason);
    }
    return name;
}

/* ---- classes */

/* Gives c its work type wt, unless it has one. false: out of memory. */
static bool set_work_type(wcp_class *c, const char *wt)
{
    if (!c || c->work_type)
        return true;
    c->work_type = strdup(wt ? wt : "");
    return c->work_type != NULL;
}

typedef struct op_key {
    uint64_t key;          /* kind << 32 | class_id */
    uint32_t op;
} op_key;

static int by_key(const void *a, const void *b)
{
    const op_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->op < y->op ? -1 : x->op > y->op;
}

static int by_class_key(const void *a, const void *b, void *ctx)
{
    const wcp_class *cls = ctx;
    return strcmp(cls[*(const uint32_t *)a].key, cls[*(const uint32_t *)b].key);
}

static void free_classes(wcp_model *m)
{
    for (uint32_t c = 0; c < m->n_cls; c++) {
        free(m->cls[c].key);
        free(m->cls[c].work_type);
    }
    free(m->cls);
    free(m->by_key);
    m->cls = NULL;
    m->by_key = NULL;
    m->n_cls = 0;
}

/* The index of the class (kind, class_id) (classes are in that order), or -1. */
static int64_t class_by_id(const wcp_model *m, uint32_t kind, uint32_t class_id)
{
    uint64_t key = (uint64_t)kind << 32 | class_id;
    size_t lo = 0, hi = m->n_cls;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint64_t mk = (uint64_t)m->cls[mid].kind << 32 | m->cls[mid].class_id;
        if (mk == key)
            return (int64_t)mid;
        if (mk < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The classes of the run (class key = kind + class), in (kind, class_id)
 * order, with an index by key; each op's class; each class's work type
 * (§5) from the views. */
static int load_classes(sqlite3 *db, wcp_model *m, char *err, size_t errlen)
{
    const wcp_graph *g = &m->g;
    size_t n = g->n_ops;
    op_key *k = malloc((n ? n : 1) * sizeof *k);
    m->op_cls = malloc((n ? n : 1) * sizeof *m->op_cls);
    if (!k || !m->op_cls)
        goto oom;
    for (size_t i = 0; i < n; i++)
        k[i] = (op_key){(uint64_t)g->kind[i] << 32 | g->class_id[i], (uint32_t)i};
    qsort(k, n, sizeof *k, by_key);
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        nc += i == 0 || k[i].key != k[i - 1].key;
    m->cls = calloc(nc ? nc : 1, sizeof *m->cls);
    m->by_key = malloc((nc ? nc : 1) * sizeof *m->by_key);
    if (!m->cls || !m->by_key)
        goto oom;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || k[i].key != k[i - 1].key) {
            wcp_class *c = &m->cls[m->n_cls++];
            c->kind = (uint32_t)(k[i].key >> 32);
            c->class_id = (uint32_t)k[i].key;
            char *kind = wcp_db_string(db, c->kind), *cl = wcp_db_string(db, c->class_id);
            if (!kind || !cl || asprintf(&c->key, "%s:%s", kind, cl) < 0)
                c->key = NULL;
            free(kind);
            free(cl);
            if (!c->key)
                goto oom;
        }
        wcp_class *c = &m->cls[m->n_cls - 1];
        c->count++;
        c->total_self += g->self_ns[k[i].op];
        m->op_cls[k[i].op] = m->n_cls - 1;
    }
    free(k);
    k = NULL;
    for (uint32_t c = 0; c < m->n_cls; c++)
        m->by_key[c] = c;
    qsort_r(m->by_key, m->n_cls, sizeof *m->by_key, by_class_key, m->cls);

    /* Work types from the class_work_type view (class_stats's rule); a
     * database made before that view existed has them in class_stats. */
    sqlite3_stmt *st;
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT kind, class_id, work_type FROM class_work_type WHERE run_id = ?1",
                           -1, &st, NULL) != SQLITE_OK &&
        sqlite3_prepare_v2(db, "SELECT k.id, c.id, s.work_type FROM class_stats s"
                               " JOIN strings k ON k.value = s.kind JOIN strings c ON c.value = s.class"
                               " WHERE s.run_id = ?1", -1, &st, NULL) != SQLITE_OK)
        return wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
    sqlite3_bind_int64(st, 1, m->run_id);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t c = class_by_id(m, (uint32_t)sqlite3_column_int64(st, 0), (uint32_t)sqlite3_column_int64(st, 1));
        if (!set_work_type(c >= 0 ? &m->cls[c] : NULL, (const char *)sqlite3_column_text(st, 2))) {
            sqlite3_finalize(st);
            goto oom;
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return wcp_errf(err, errlen, "classes: %s", sqlite3_errmsg(db));
    for (uint32_t c = 0; c < m->n_cls; c++)
        if (!set_work_type(&m->cls[c], ""))
            goto oom;
    return 0;
oom:
    free(k);
    return wcp_errf(err, errlen, "classes: out of memory");
}

int64_t wcp_model_class(const wcp_model *m, const char *key)
{
    size_t lo = 0, hi = m->n_cls;
    if (!key)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(m->cls[m->by_key[mid]].key, key);
        if (c == 0)
            return (int64_t)m->by_key[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* ---- building and caching */

static void model_free(wcp_model *m)
{
    if (!m)
        return;
    free_classes(m);
    free(m->op_cls);
    wcp_tape_free(&m->tape);
    wcp_graph_free(&m->g);
    free(m->reg);
    free(m->start);
    free(m->path);
    free(m);
}

void wcp_model_release(wcp_model *m)
{
    if (m && --m->refs == 0)
        model_free(m);
}

static wcp_model *model_build(sqlite3 *db, int64_t run, char *err, size_t errlen)
{
    wcp_model *m = calloc(1, sizeof *m);
    if (!m) {
        wcp_errf(err, errlen, "out of memory");
        return NULL;
    }
    int64_t *after = NULL;   /* the trace, while the critical path is walked */
    m->refs = 1;
    m->run_id = run;
    if (wcp_graph_build(db, run, WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS, &m->g, err, errlen) < 0) {
        free(m);
        return NULL;
    }
    if (load_classes(db, m, err, errlen) < 0 ||
        wcp_tape_compile(&m->tape, &m->g, m->op_cls, err, errlen) < 0)
        goto fail;
    size_t n1 = m->g.n_ops ? m->g.n_ops : 1;
    m->reg = calloc(n1, sizeof *m->reg);
    m->start = calloc(n1, sizeof *m->start);
    after = malloc((m->tape.n ? m->tape.n : 1) * sizeof *after);
    if (!m->reg || !m->start || !after) {
        wcp_errf(err, errlen, "replay: out of memory for run %lld", (long long)run);
        goto fail;
    }
    m->baseline = wcp_tape_eval(&m->tape, NULL, m->reg, m->start, after);
    m->actual = wcp_tape_actual(&m->tape);
    if (wcp_tape_critical_path(&m->tape, m->reg, m->start, after, &m->path, &m->n_path) < 0) {
        wcp_errf(err, errlen, "critical path: out of memory for run %lld", (long long)run);
        goto fail;
    }
    free(after);   /* only the critical path needed the trace */
    for (size_t k = 0; k < m->n_path; k++)
        if (m->path[k].what == WCP_SEG_SELF)
            m->cls[m->op_cls[m->path[k].op]].critical += m->path[k].end - m->path[k].start;
    return m;
fail:
    free(after);
    model_free(m);
    return NULL;
}

/* What identifies the database's content: its data version (changed by any
 * commit, from any connection) and this connection's change count. */
static void db_version(sqlite3 *db, unsigned *version, int64_t *changes)
{
    unsigned v = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_DATA_VERSION, &v) != SQLITE_OK)
        v = 0;
    *version = v;
    *changes = sqlite3_total_changes64(db);
}

wcp_model *wcp_model_get(wcp_ext *x, int64_t run, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int found = 0;
    unsigned version;
    int64_t changes;
    db_version(x->db, &version, &changes);
    wcp_model *m = x->model;
    if (m && m->run_id == run && m->data_version == version && m->changes == changes) {
        m->refs++;
        return m;
    }
    if (sqlite3_prepare_v2(x->db, "SELECT 1 FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
        wcp_errf(err, errlen, "%s (is this a wcprof database?)", sqlite3_errmsg(x->db));
        return NULL;
    }
    sqlite3_bind_int64(st, 1, run);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found) {
        wcp_errf(err, errlen, "no run %lld in this database (SELECT id FROM runs lists them)", (long long)run);
        return NULL;
    }
    if (x->model) {               /* one model at a time: they can be large */
        wcp_model_release(x->model);
        x->model = NULL;
    }
    m = model_build(x->db, run, err, errlen);
    if (!m)
        return NULL;
    m->data_version = version;
    m->changes = changes;
    x->model = m;
    m->refs++;
    return m;
}

