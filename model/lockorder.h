/* lockorder.h - spec/analysis.md §6 rule 8: who gets a lock is decided by the
 * what-if's own clocks.
 *
 * Rule 3 keeps the holds of a lock in their recorded order, which a tape
 * compiled once can do. Rule 8 lets a what-if take a lock in another
 * order: first-come first-served by each hold's simulated arrival (when
 * its holder asks for the lock), an exclusive hold after every hold
 * granted before it since (and with) the previous exclusive one, a shared
 * hold after the last exclusive one. The order edges are waits of the
 * graph (graph.c), so a new order is a new tape: a replay evaluates,
 * reads the arrivals, derives the order, recompiles and evaluates again
 * until the order no longer changes (at most WCP_ORDER_ROUNDS rounds).
 * When the order the what-if's arrivals give is the recorded one, the
 * result is rule 3's tape's, exactly (so is every baseline).
 *
 * Only for graphs with exclusive or shared holds: wcp_order_build gives
 * NULL for any other, whose replays do not come here at all.
 */
#ifndef WCP_LOCKORDER_H
#define WCP_LOCKORDER_H

#include "replay.h"

#define WCP_ORDER_ROUNDS 64 /* recompiled tapes per replay, at most */

typedef struct wcp_order wcp_order;

/* Builds rule 8's state for graph g (with waits, as wcp_tape_compile takes
 * it; cls as there): *out NULL when g has no exclusive or shared hold.
 * Compiles the tape of the recorded order with rule 8's edges and
 * evaluates its baseline. 0, or -1 (WCP_INTERRUPTED when stopped) with a
 * message. g and cls must outlive *out. */
int wcp_order_build(wcp_order **out, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                    char *err, size_t errlen);
void wcp_order_free(wcp_order *o);

/* One replay with factor (per class; NULL: all 1) in the order its own
 * clocks give (rule 8); base is rule 3's tape of the same graph. reg and
 * start have a slot per op. With after not NULL, *after receives the
 * clock after each instruction of the tape that gave the result (malloc'd
 * here; the caller frees it), and *tape that tape: NULL when it is base
 * (the recorded order), else a tape the caller frees with
 * wcp_order_tape_free. *rounds (when not NULL): the tapes recompiled, 0
 * when the recorded order stood, negative when the order had not settled
 * after WCP_ORDER_ROUNDS (the last round's order is kept). Stop is looked
 * at inside each recompile, as wcp_tape_compile_on does (owner: on its
 * connection's thread). Returns the makespan, -1 when out of memory,
 * WCP_INTERRUPTED when stopped. Thread-safe: o is read only. */
int64_t wcp_order_eval(const wcp_order *o, const wcp_tape *base, const double *factor, int64_t *reg,
                       int64_t *start, int64_t **after, wcp_tape **tape, int *rounds,
                       wcp_stop *stop, bool owner);

void wcp_order_tape_free(wcp_tape *t);

#endif
