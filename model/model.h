/* model.h - what the analyses know about one run: its graph, its classes,
 * its compiled replay and the baseline replay with its critical path; and
 * the cache that keeps one model per database connection.
 *
 * A model is built once per run and shared by reference (wcp_model_get,
 * wcp_model_release). The cache rebuilds it when the database changes (its
 * data version, or the connection's change count) or another run is asked
 * for. A model is read-only once built: the what-if replays of whatif.h
 * read it from many threads at once. (One part is built later, at its
 * first use, from the connection's thread: related_ops' index.)
 */
#ifndef WCP_MODEL_H
#define WCP_MODEL_H

#include "classes.h"
#include "related.h"
#include "replay.h"
#include "stop.h"
#include "store.h"

typedef struct wcp_model {
    int refs; /* the cache's and each caller's */
    int64_t run_id;
    unsigned data_version; /* the database's, when built (SQLITE_FCNTL_DATA_VERSION) */
    int64_t changes;       /* the connection's sqlite3_total_changes64, when built */
    wcp_graph g;           /* with attributes and waits */
    wcp_classes classes;
    wcp_tape tape; /* the replay, compiled (with fifo: the baseline's) */
    bool fifo;     /* §6 rule 8: a run whose locks a what-if grants in its own order of
                       * arrival, so that each what-if compiles its own tape
                       * (wcp_tape_compile_fifo); else every what-if is tape's */
    /* the baseline replay (all factors 1) */
    int64_t *reg, *start;     /* per op: its simulated finish and start */
    int64_t baseline, actual; /* its makespan, and the recorded one */
    wcp_seg *path;            /* its critical path (§4), n_path segments */
    size_t n_path;
    wcp_related_index *related; /* the ties by op: NULL until wcp_model_related */
} wcp_model;

/* The class of op i. */
static inline const wcp_class *wcp_op_class(const wcp_model *m, uint32_t i)
{
    return &m->classes.cls[m->classes.of_op[i]];
}

/* m's ties indexed by op (related.h), built at the first call and kept
 * with m: so that each related_ops call costs what it finds, not the run's
 * size. From the connection's thread only, as every SQL function runs (the
 * job pool never reads it). NULL with a message in err: out of memory, or
 * interrupted (then wcp_stopped(stop)). */
const wcp_related_index *wcp_model_related(wcp_model *m, sqlite3 *db, wcp_stop *stop, char *err,
                                           size_t errlen);

/* One connection's cache: the model last asked for (one at a time, as
 * models can be large). The caller sets db and zeroes the rest; not
 * thread-safe (a connection's statements run one at a time). */
typedef struct wcp_model_cache {
    sqlite3 *db;      /* the connection the models are read from */
    wcp_model *model; /* the cached model, or NULL */
} wcp_model_cache;

/* The model of run, from the cache or built now (and then cached); the
 * build polls stop (NULL: runs to the end). The caller holds a reference
 * until wcp_model_release. NULL with a message in err: no such run, not a
 * wcprof database, out of memory, interrupted (then wcp_stopped(stop)). */
wcp_model *wcp_model_get(wcp_model_cache *c, int64_t run, wcp_stop *stop, char *err, size_t errlen);

/* Drops a reference to m (NULL: nothing), freeing it with the last. */
void wcp_model_release(wcp_model *m);

/* Drops the cached model, if any: the next wcp_model_get builds it again. */
void wcp_model_cache_clear(wcp_model_cache *c);

#endif
