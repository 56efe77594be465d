/* breakdown.h - where each op's time went (spec/analysis.md §7.1), and the
 * work, span and parallelism of a root or the run (§7.5).
 *
 * At every instant of its interval an op is in one state: waiting (named
 * by the wait that started first: wait:REASON, or lock:RESOURCE for a wait
 * on a named resource), in children, or self. The parts add up to the
 * op's duration exactly, and self is §2's self time (wcp_graph_self).
 */
#ifndef WCP_BREAKDOWN_H
#define WCP_BREAKDOWN_H

#include "model.h"

/* What a part of an op's time is. */
typedef enum wcp_bd_what { WCP_BD_SELF, WCP_BD_CHILDREN, WCP_BD_WAIT, WCP_BD_LOCK } wcp_bd_what;

/* One part: its state and its length. name: for WCP_BD_WAIT the wait's
 * reason, for WCP_BD_LOCK its resource (strings.id values); 0 otherwise. */
typedef struct wcp_bd_part {
    wcp_bd_what what;
    uint32_t name;
    int64_t ns;
} wcp_bd_part;

/* The most parts op i can have: its waits' count + 2 (the size of out). */
static inline size_t wcp_breakdown_max(const wcp_graph *g, uint32_t i)
{
    return g->wait_off[i + 1] - g->wait_off[i] + 2;
}

/* Op i's breakdown (g with waits): writes its parts into out (room for
 * wcp_breakdown_max), self first, then in children, then each waiting
 * state in the order it first occurs; a state is listed once, and only
 * when its length is not 0 (self and in children always). tmp: room for
 * the op's waits as spans. Returns the number of parts. */
size_t wcp_breakdown_op(const wcp_graph *g, uint32_t i, wcp_span *tmp, wcp_bd_part *out);

/* Calls fn for each waiting or self segment [a, b) of op i (the states of
 * §7.1: waiting segments named by the wait that started first), in no
 * particular order; tmp: room for the op's waits as spans. */
typedef void wcp_seg_fn(void *ctx, uint32_t op, wcp_bd_what what, uint32_t name, int64_t a,
                        int64_t b);
void wcp_op_segments(const wcp_graph *g, uint32_t i, wcp_span *tmp, wcp_seg_fn *fn, void *ctx);

/* The state's name as §7.1 writes it ("self", "children", "wait:io",
 * "lock:cache-lock"), given the string of name (ignored for the first
 * two), into buf. */
void wcp_bd_name(const wcp_bd_part *p, const char *name, char *buf, size_t size);

/* §7.1 summed: per group (a class, or a root's tree), each state's total
 * over the group's ops. The states of group k are e[first[k]], then
 * e[.next] until UINT32_MAX: self, children, then waiting states in the
 * order they first occur (in op order). ops[k], dur[k]: the group's ops and
 * their total duration (the parts add up to it). */
typedef struct wcp_bd_sum {
    wcp_bd_part part;
    uint32_t next;
} wcp_bd_sum;

typedef struct wcp_bd_table {
    uint32_t n_groups;
    uint32_t *first, *last;
    int64_t *ops, *dur;
    wcp_bd_sum *e;
    size_t n, cap;
} wcp_bd_table;

/* Sums the breakdowns of m's ops by class (by_root false: group k is class
 * k) or by root (group k is the tree of g->root[k]); polls stop (NULL:
 * never) every so many ops. Returns 0, -1 when out of memory, or
 * WCP_INTERRUPTED (t is then empty). */
int wcp_breakdown_sum(const wcp_model *m, bool by_root, wcp_stop *stop, wcp_bd_table *t);
void wcp_bd_table_free(wcp_bd_table *t);

/* The ops of every root's tree, depth first (each op before its
 * children), root after root: malloc'd, *n of them; root_of (optional, a
 * slot per op) receives each reached op's root position in g->root.
 * NULL when out of memory. */
uint32_t *wcp_tree_order(const wcp_graph *g, uint32_t *root_of, size_t *n);

/* §7.5: the work of each root (the total self time of its tree), work[k]
 * for g->root[k], and its tree's size, ops[k]; its span is m->reg[r] - m->start[r], the run's work the
 * sum of every op's self time and its span m->baseline. Polls stop (NULL:
 * never) every so many ops. Returns 0, -1 when out of memory, or
 * WCP_INTERRUPTED. */
int wcp_root_work(const wcp_model *m, wcp_stop *stop, int64_t *work, int64_t *ops);

/* §7.5: the run's work, every op's self time summed (saturated). */
int64_t wcp_run_work(const wcp_graph *g);

/* §7.5, Brent's bounds: with p >= 1 workers a greedy schedule of work with
 * span needs at least *lo = max(ceil(work / p), span) and at most *hi =
 * ceil(work / p) + span (saturated); the division is rounded up so that
 * the bounds stay bounds in whole nanoseconds. */
void wcp_brent_bounds(int64_t work, int64_t span, int64_t p, int64_t *lo, int64_t *hi);

#endif
