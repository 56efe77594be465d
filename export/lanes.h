/* lanes.h - lane placement for timeline viewers: intervals (ops, waits)
 * put on lanes (Chrome's tids) so that the items on one lane nest
 * strictly, as Perfetto and chrome://tracing require. The Chrome export
 * writes what this places (chrome.c); nothing here writes.
 *
 * Items are placed in start order (ties: the longer first, then the
 * shallower, then by index); an item goes
 *  - inside its parent on the parent's lane, when it is a wait marked
 *    in_parent and the parent is the innermost slice open there;
 *  - when the recorder saw its thread, on that thread's lane if it nests
 *    there (it lies inside the innermost slice still open);
 *  - else on the lane of its nearest ancestor that is the innermost open
 *    slice of its (numbered) lane and contains it;
 *  - else on the first free numbered lane; a free lane is one whose slices
 *    have all ended.
 * So overlapping siblings, and a child that outlives its parent, go on
 * separate lanes, and a lane never shows an item inside one that is not
 * its ancestor (thread lanes excepted: there, nesting is what the thread
 * did).
 */
#ifndef WCP_LANES_H
#define WCP_LANES_H

#include "replay.h" /* WCP_NONE */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Something placed on a lane: an op, or a wait on a named resource. */
typedef struct wcp_lane_item {
    int64_t s, e;    /* its interval */
    uint32_t parent; /* the item it belongs under (an op's parent, a wait's waiter), or WCP_NONE */
    uint32_t depth;  /* in the parent tree (wcp_lanes_depths) */
    int64_t thread;  /* the recorded thread, when has_thread */
    bool has_thread; /* the recorder saw its thread */
    bool in_parent;  /* a wait: inside its waiter on the waiter's lane, when it fits */
} wcp_lane_item;

/* One lane: a recorded thread's, or a numbered one. */
typedef struct wcp_lane {
    bool is_thread;
    int64_t thread;  /* is_thread: its id */
    uint32_t top;    /* the innermost open item, WCP_NONE when none */
    uint32_t tid;    /* given once all are placed (wcp_lanes_number) */
    uint32_t number; /* not a thread's: its number, from 1 */
} wcp_lane;

/* A binary min-heap of lanes by (key, id): the placement's scratch. */
typedef struct wcp_lane_heap_ent {
    int64_t key; /* an end time, or the lane's number */
    uint32_t id; /* the lane */
} wcp_lane_heap_ent;

typedef struct wcp_lane_heap {
    wcp_lane_heap_ent *v; /* v[0] is the least */
    size_t n, cap;        /* entries, and room for */
} wcp_lane_heap;

/* The placement of n items on lanes (the rules above). */
typedef struct wcp_lanes {
    const wcp_lane_item *it; /* the items (the caller's) */
    uint32_t n;              /* how many */
    uint32_t *lane;          /* per item: its lane */
    uint32_t *under; /* per item: the item it nests in on its lane, WCP_NONE at the bottom */
    wcp_lane *lanes; /* the lanes, in the order they were opened */
    uint32_t n_lanes;
    size_t cap_lanes;
    uint32_t n_numbered;      /* lanes that are not threads' */
    wcp_lane_heap busy;       /* while placing: numbered lanes in use, by their bottom item's end */
    wcp_lane_heap free_lanes; /* while placing: numbered lanes with nothing open, by number */
    int64_t *thread_ids;      /* the recorded threads with a lane, ascending, */
    uint32_t *thread_lane;    /* and their lanes */
    uint32_t n_threads;
    size_t cap_ids, cap_thread_lanes;
    /* per item, the items nesting directly in it on its lane, in start order */
    uint32_t *kid_off, *kid;
} wcp_lanes;

/* Sets each item's depth in the parent tree (a loop counts as a root). */
void wcp_lanes_depths(wcp_lane_item *it, uint32_t n);

/* Places the n items it (depths set) on lanes into *p, then lists each
 * item's direct lane children; *p keeps a pointer to it. Returns false
 * when out of memory. Either way *p is the caller's to wcp_lanes_free. */
bool wcp_lanes_place(wcp_lanes *p, const wcp_lane_item *it, uint32_t n);

void wcp_lanes_free(wcp_lanes *p);

/* Gives the lanes tids from *tid on: threads' by thread id, then the
 * numbered ones (numbered from 1 in opening order); *tid moves past them. */
void wcp_lanes_number(wcp_lanes *p, uint32_t *tid);

/* The instant nearest t at which item x is the innermost slice of its
 * lane, for a flow arrow to bind to (wcp_lanes_bind), or t clamped to x's
 * interval (wcp_lanes_clamp). */
int64_t wcp_lanes_bind(const wcp_lanes *p, uint32_t x, int64_t t);
int64_t wcp_lanes_clamp(const wcp_lanes *p, uint32_t x, int64_t t);

/* Whether item y lies inside item x on x's lane. */
bool wcp_lanes_nested(const wcp_lanes *p, uint32_t y, uint32_t x);

#endif
