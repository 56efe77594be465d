/* resources.h - per named resource (a lock, a pool of slots, a queue): who
 * waited for it, who held it, its time on the baseline's critical path and
 * what the replay saves when its critical sections are halved or removed
 * (spec/analysis.md §6 rule 5). One computation, for resource_stats
 * (sqlext/fn_resource_stats.c) and the html export's resources card. */
#ifndef WCP_RESOURCES_H
#define WCP_RESOURCES_H

#include "model.h"

typedef struct wcp_resource {
    char *name;
    int64_t waits, wait_ns;
    int64_t wait_p95_ns; /* sorted[n*95/100] of the wait lengths (§5); -1: no waits */
    int64_t unresolved;  /* waits §6 rule 1 left without a hold */
    int64_t holds, held_ns, longest_hold_ns;
    int64_t critical_wait_ns, critical_hold_ns; /* on the baseline's critical path (§4) */
    int64_t saved_half_ns, saved_removed_ns;    /* every critical section halved, removed */
} wcp_resource;

/* The resources of m's run, by critical_wait_ns + critical_hold_ns
 * (descending), then name; names read from db. A resource is the class of
 * a hold, or the ident of a wait that has no recorded or exec-ident target.
 * critical_hold_ns counts the critical path's self segments of its holds
 * and of the work done under them (their descendants, to the nearest
 * hold); the savings scale the class hold:R with every class whose ops all
 * run under holds of R (the work the lock serializes). *out is malloc'd
 * (wcp_resources_free). Polls stop (NULL: never) between its passes over
 * the ops and its replays. 0, or -1 with a message (out of memory), or
 * WCP_INTERRUPTED ("interrupted"). */
int wcp_resources(sqlite3 *db, const wcp_model *m, wcp_stop *stop, wcp_resource **out, size_t *n,
                  char *err, size_t errlen);

void wcp_resources_free(wcp_resource *r, size_t n);

#endif
