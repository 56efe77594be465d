/* model.c - one run's model (graph, classes, compiled replay, baseline and
 * its critical path), and the per-connection cache. See model.h. */
#include "model.h"
#include "sat.h"

#include <stdlib.h>

/* ---- building */

static void model_free(wcp_model *m)
{
    if (!m)
        return;
    wcp_classes_free(&m->classes);
    wcp_tape_free(&m->tape);
    wcp_graph_free(&m->g);
    free(m->reg);
    free(m->start);
    free(m->path);
    if (m->related)
        wcp_related_index_free(m->related);
    free(m->related);
    free(m);
}

void wcp_model_release(wcp_model *m)
{
    if (m && --m->refs == 0)
        model_free(m);
}

/* Whether the build was interrupted (then err says so). */
static bool interrupted(wcp_stop *stop, char *err, size_t errlen)
{
    if (!wcp_stop_poll(stop))
        return false;
    wcp_errf(err, errlen, "interrupted");
    return true;
}

static wcp_model *model_build(sqlite3 *db, int64_t run, wcp_stop *stop, char *err, size_t errlen)
{
    wcp_model *m = calloc(1, sizeof *m);
    if (!m) {
        wcp_errf(err, errlen, "out of memory");
        return NULL;
    }
    int64_t *after = NULL; /* the trace, while the critical path is walked */
    m->refs = 1;
    m->run_id = run;
    if (wcp_graph_build(db, run, WCP_GRAPH_ATTRS | WCP_GRAPH_WAITS, &m->g, err, errlen) < 0) {
        free(m);
        return NULL;
    }
    if (interrupted(stop, err, errlen) ||
        wcp_classes_load(db, &m->g, &m->classes, err, errlen) < 0 || interrupted(stop, err, errlen))
        goto fail;
    m->fifo = wcp_replay_fifo(&m->g);
    if ((m->fifo ? wcp_tape_compile_fifo(&m->tape, &m->g, m->classes.of_op, NULL, 0, NULL, stop,
                                         true, err, errlen)
                 : wcp_tape_compile(&m->tape, &m->g, m->classes.of_op, stop, err, errlen)) < 0 ||
        interrupted(stop, err, errlen))
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
    if (interrupted(stop, err, errlen))
        goto fail;
    if (wcp_tape_critical_path(&m->tape, m->reg, m->start, after, &m->path, &m->n_path) < 0) {
        wcp_errf(err, errlen, "critical path: out of memory for run %lld", (long long)run);
        goto fail;
    }
    free(after); /* only the critical path needed the trace */
    for (size_t k = 0; k < m->n_path; k++)
        if (m->path[k].what == WCP_SEG_SELF)
            wcp_sat_inc(&m->classes.cls[m->classes.of_op[m->path[k].op]].critical,
                        wcp_seg_len(&m->path[k]));
    return m;
fail:
    free(after);
    model_free(m);
    return NULL;
}

const wcp_related_index *wcp_model_related(wcp_model *m, sqlite3 *db, wcp_stop *stop, char *err,
                                           size_t errlen)
{
    if (m->related)
        return m->related;
    wcp_related_index *x = malloc(sizeof *x);
    if (!x) {
        wcp_errf(err, errlen, "out of memory");
        return NULL;
    }
    if (wcp_related_index_build(db, &m->g, stop, x, err, errlen) < 0) {
        free(x);
        return NULL;
    }
    return m->related = x;
}

/* ---- the cache */

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

void wcp_model_cache_clear(wcp_model_cache *c)
{
    wcp_model_release(c->model);
    c->model = NULL;
}

wcp_model *wcp_model_get(wcp_model_cache *c, int64_t run, wcp_stop *stop, char *err, size_t errlen)
{
    sqlite3_stmt *st;
    int found = 0;
    unsigned version;
    int64_t changes;
    db_version(c->db, &version, &changes);
    wcp_model *m = c->model;
    if (m && m->run_id == run && m->data_version == version && m->changes == changes) {
        m->refs++;
        return m;
    }
    if (sqlite3_prepare_v2(c->db, "SELECT 1 FROM runs WHERE id = ?1", -1, &st, NULL) != SQLITE_OK) {
        wcp_errf(err, errlen, "%s (is this a wcprof database?)", sqlite3_errmsg(c->db));
        return NULL;
    }
    sqlite3_bind_int64(st, 1, run);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!found) {
        wcp_errf(err, errlen, "no run %lld in this database (SELECT id FROM runs lists them)",
                 (long long)run);
        return NULL;
    }
    wcp_model_cache_clear(c); /* one model at a time: they can be large */
    m = model_build(c->db, run, stop, err, errlen);
    if (!m)
        return NULL;
    m->data_version = version;
    m->changes = changes;
    c->model = m;
    m->refs++;
    return m;
}
