/* fn_resource_stats.c - resource_stats(run): per named resource (a lock, a
 * pool of slots, a queue), who waited for it and who held it
 * (spec/analysis.md §6 rule 5); one row per resource, by critical time.
 *
 *   SELECT * FROM resource_stats;
 *   SELECT resource, saved_half_ns FROM resource_stats ORDER BY saved_half_ns DESC;
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE resource_stats(resource, waits, wait_ns, wait_p95_ns,
 *                               unresolved_waits, holds, held_ns, longest_hold_ns,
 *                               critical_wait_ns, critical_hold_ns, saved_half_ns,
 *                               saved_removed_ns, run HIDDEN)
 *
 * A resource is the class of a hold, or the ident of a wait that has no
 * recorded or exec-ident target. waits: those waits (count, total length,
 * p95 = sorted[n*95/100] as in §5); unresolved_waits: those §6 rule 1
 * left without a hold. holds: its ended holds (count, total and longest
 * length). critical_wait_ns: time of the baseline critical path (§4) in
 * waits on it; critical_hold_ns: in its holds and the work done under them
 * (their descendants, to the nearest hold). saved_half_ns /
 * saved_removed_ns: what the replay saves when every critical section of
 * the resource is halved / removed: the class hold:R scaled, with every
 * class whose ops all run under holds of R (the work the lock serializes).
 * Rows are ordered by critical_wait_ns + critical_hold_ns, then name. The
 * computation is model/resources.c's (the html export's resources card
 * shows the same). */
#define _GNU_SOURCE
#include "fns.h"
#include "resources.h"

static int fill(wcp_call *c)
{
    wcp_resource *r;
    size_t n;
    if (wcp_resources(c->db, c->model, c->stop, &r, &n, c->err, sizeof c->err) < 0)
        return -1;
    for (size_t k = 0; k < n; k++) {
        const wcp_resource *x = &r[k];
        wcp_put_text(c, x->name);
        wcp_put_int(c, x->waits);
        wcp_put_int(c, x->wait_ns);
        if (x->wait_p95_ns >= 0)
            wcp_put_int(c, x->wait_p95_ns);
        else
            wcp_put_null(c);
        wcp_put_int(c, x->unresolved);
        wcp_put_int(c, x->holds);
        wcp_put_int(c, x->held_ns);
        wcp_put_int(c, x->longest_hold_ns);
        wcp_put_int(c, x->critical_wait_ns);
        wcp_put_int(c, x->critical_hold_ns);
        wcp_put_int(c, x->saved_half_ns);
        wcp_put_int(c, x->saved_removed_ns);
    }
    wcp_resources_free(r, n);
    return 0;
}

const wcp_fn wcp_fn_resource_stats = {
    "resource_stats",
    "resource, waits, wait_ns, wait_p95_ns, unresolved_waits, holds, held_ns, longest_hold_ns, "
    "critical_wait_ns, critical_hold_ns, saved_half_ns, saved_removed_ns",
    "", fill};
