/* related.h - the ops tied to an op (spec/analysis.md §7.4, Go's
 * RelatedGoroutines): breadth first from the op to a depth, through its
 * parent and children, the ops it waited on and that waited on it, and the
 * links from or to it.
 */
#ifndef WCP_RELATED_H
#define WCP_RELATED_H

#include "graph.h"

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

/* Marks keep[i] = 1 for every op within depth steps of op (wcp_related_ops
 * over the run's links; keep: one byte per op, zeroed by the caller).
 * Returns 0, or -1 with a message in err. */
int wcp_related_mask(sqlite3 *db, const wcp_graph *g, uint32_t op, uint32_t depth, uint8_t *keep,
                     char *err, size_t errlen);

typedef struct wcp_related {
    uint32_t op, via; /* op indexes; via = op for the op itself */
    uint32_t depth;
    wcp_tie tie;
} wcp_related;

/* The ops within depth steps of op i (g with waits; links: the run's links
 * between known ops), each once, at the least depth, ordered by (depth,
 * index): the op itself first. A result reached several ways at its depth
 * keeps the first tie in the order of wcp_tie (parent, child, awaited,
 * waiter, linked, linked_by), from the lowest-index via (waiters and links
 * in their array order). The results are malloc'd into *out. Returns 0, or
 * -1 when out of memory. */
int wcp_related_ops(const wcp_graph *g, const wcp_link *links, size_t n_links, uint32_t i,
                    uint32_t depth, wcp_related **out, size_t *n);

#endif
