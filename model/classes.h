/* classes.h - the classes of one run (spec/analysis.md §5): its ops grouped
 * by class key "kind:class", each class with its op count, total self time
 * and work type, each op with its class, and a lookup by key.
 *
 * What-if factors are given per class: the replay scales an op's self time
 * by its class's factor (replay.h), and the analyses report per class.
 */
#ifndef WCP_CLASSES_H
#define WCP_CLASSES_H

#include "graph.h"

typedef struct wcp_class {
    uint32_t kind, class_id;   /* strings.id */
    char *key;                 /* "kind:class" */
    char *work_type;           /* the most common one (§5), as class_stats says */
    int64_t count, total_self; /* its ops, and their self time */
    int64_t critical; /* self time on the baseline critical path (§4): the model sets it */
} wcp_class;

typedef struct wcp_classes {
    uint32_t n;       /* classes */
    wcp_class *cls;   /* the classes, in (kind, class_id) order */
    uint32_t *by_key; /* class indexes in key order (wcp_classes_find) */
    uint32_t *of_op;  /* per op: its class index */
} wcp_classes;

/* The classes of graph g (built with WCP_GRAPH_ATTRS) of db: one per
 * distinct (kind, class), each op's, and each class's work type from the
 * class_work_type view (class_stats in a database made before the view).
 * Returns 0, or -1 with a message in err (c then needs no
 * wcp_classes_free). */
int wcp_classes_load(sqlite3 *db, const wcp_graph *g, wcp_classes *c, char *err, size_t errlen);

void wcp_classes_free(wcp_classes *c);

/* Materialises the statistics of spec/analysis.md §5 of every class of the
 * run of g (built with WCP_GRAPH_ATTRS), op i's self time being self[i]:
 * replaces the run's rows of class_stats_data (db/schema.sql) and sets its
 * runs.class_stats to 1, so that the class_stats and class_work_type views
 * read them. The values are the ones those views compute from the ops
 * (sums saturated at +-(2^63 - 1), the outcomes' JSON as
 * json_group_object writes it). Run inside a transaction (ingest's).
 * Returns 0, or -1 with a message in err. */
int wcp_class_stats_store(sqlite3 *db, const wcp_graph *g, const int64_t *self, char *err,
                          size_t errlen);

/* The index of the class whose key is key ("kind:class"), or -1 (also for
 * key NULL). */
int64_t wcp_classes_find(const wcp_classes *c, const char *key);

#endif
