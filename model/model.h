/* model.h - what the analyses know about one run: its graph, its classes,
 * its compiled replay and the baseline replay with its critical path.
 *
 * Built once per run and cached per connection (wcp_model_get); rebuilt
 * when the database changes (its data version, or this connection's change
 * count) or another run is asked for.
 */
#ifndef WCP_MODEL_H
#define WCP_MODEL_H

#include "replay.h"
#include "store.h"

typedef struct wcp_class {
    uint32_t kind, class_id;   /* strings.id */
    char *key;                 /* "kind:class" */
    char *work_type;           /* the most common one (§5), as class_stats says */
    int64_t count, total_self;
    int64_t critical;          /* self time on the baseline critical path (§4) */
} wcp_class;

typedef struct wcp_model {
    int refs;
    int64_t run_id;
    unsigned data_version;
    int64_t changes;
    wcp_graph g;
    uint32_t n_cls;
    wcp_class *cls;            /* in (kind, class_id) order */
    uint32_t *by_key;          /* class indexes ordered by key */
    uint32_t *op_cls;          /* class index of each op */
    wcp_tape tape;
    /* the baseline replay (all factors 1) */
    int64_t *reg, *start;
    int64_t baseline, actual;
    wcp_seg *path;
    size_t n_path;
} wcp_model;

/* The per-connection state of the extension. */
typedef struct wcp_ext {
    sqlite3 *db;
    int refs;                  /* one per registered module */
    wcp_model *model;          /* the cached model, or NULL */
} wcp_ext;


/* The model of run, from the cache or built now. The caller holds a
 * reference until wcp_model_release. NULL with a message in err. */
wcp_model *wcp_model_get(wcp_ext *x, int64_t run, char *err, size_t errlen);
void wcp_model_release(wcp_model *m);

/* The class index of key ("kind:class"), or -1. */
int64_t wcp_model_class(const wcp_model *m, const char *key);



/* What a wait waited for: its ident's string, else its reason's
 * (malloc'd), NULL on OOM. */
char *wcp_wait_resource(sqlite3 *db, const wcp_wait *w);


#endif
