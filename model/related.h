/* related.h - the ops tied to an op (spec/analysis.md §7.4, Go's
 * RelatedGoroutines): breadth first from the op to a depth, through its
 * parent and children, the ops it waited on and that waited on it, and the
 * links from or to it.
 */
#ifndef WCP_RELATED_H
#define WCP_RELATED_H

#include "graph.h"
#include "stop.h"

/* How a result is tied to the op it was reached from (its via). */
typedef enum wcp_tie {
    WCP_TIE_SELF,      /* the op asked about (depth 0) */
    WCP_TIE_PARENT,    /* the result is via's parent */
    WCP_TIE_CHILD,     /* a child of via */
    WCP_TIE_AWAITED,   /* via waited on it */
    WCP_TIE_WAITER,    /* it waited on via */
    WCP_TIE_LINKED,    /* via has a link to it */
    WCP_TIE_LINKED_BY, /* it has a link to via */
} wcp_tie;

extern const char *const wcp_tie_name[]; /* "self", "parent", "child", "awaited", ... */

/* A link between two ops of the graph (links.from_id -> links.target_id). */
typedef struct wcp_link {
    uint32_t from, to; /* op indexes */
} wcp_link;

/* The run's links between known ops of g (those with a target), in the
 * table's key order (from-op, time, ...), into *links (malloc'd). Returns 0, or -1 with a message in err. */
int wcp_links_load(sqlite3 *db, const wcp_graph *g, wcp_link **links, size_t *n, char *err,
                   size_t errlen);

/* The ties of a run indexed by op, so that a search costs what it finds,
 * not the run's size: the waits on each op and the links from and to it.
 * Built once per model (wcp_model_related, model.h). */
typedef struct wcp_related_index {
    uint32_t *waited_off, *waited; /* the waits whose target is op i: indexes into g->waits,
                                    * waited[waited_off[i] .. waited_off[i+1]), ascending */
    wcp_link *links;               /* the run's links (wcp_links_load) */
    size_t n_links;
    uint32_t *from_off, *from; /* the links from op i: indexes into links, ascending */
    uint32_t *to_off, *to;     /* the links to op i: the same */
} wcp_related_index;

/* Builds x for g (g with waits), reading the run's links from db; polls
 * stop (NULL: never). Returns 0, -1 with a message in err, or
 * WCP_INTERRUPTED (x is then empty: nothing to free). */
int wcp_related_index_build(sqlite3 *db, const wcp_graph *g, wcp_stop *stop, wcp_related_index *x,
                            char *err, size_t errlen);
void wcp_related_index_free(wcp_related_index *x);

/* Marks keep[i] = 1 for every op within depth steps of op (wcp_related_ops
 * over the run's links; keep: one byte per op, zeroed by the caller); polls
 * stop (NULL: never). Returns 0, -1 with a message in err, or
 * WCP_INTERRUPTED. */
int wcp_related_mask(sqlite3 *db, const wcp_graph *g, uint32_t op, uint32_t depth, uint8_t *keep,
                     wcp_stop *stop, char *err, size_t errlen);

typedef struct wcp_related {
    uint32_t op, via; /* op indexes; via = op for the op itself */
    uint32_t depth;
    wcp_tie tie;
} wcp_related;

/* The ops within depth steps of op i (g with waits; x: its index), each
 * once, at the least depth, ordered by (depth, index): the op itself first.
 * A result reached several ways at its depth keeps the first tie in the
 * order of wcp_tie (parent, child, awaited, waiter, linked, linked_by);
 * within a tie, the first way met in this order: parents, children and
 * awaited targets from the lowest-index via (an op's children and waits in
 * their array order), waiters by their wait's position in g->waits, links
 * by their position in x->links. The cost is that of the ops reached and
 * their ties, not the run's size. Polls stop (NULL: never). The results
 * are malloc'd into *out. Returns 0, -1 when out of memory, or
 * WCP_INTERRUPTED (nothing in *out). */
int wcp_related_ops(const wcp_graph *g, const wcp_related_index *x, uint32_t i, uint32_t depth,
                    wcp_stop *stop, wcp_related **out, size_t *n);

#endif
