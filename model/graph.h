/* graph.h - the op graph of one run, in compact arrays (spec/analysis.md §1-2).
 *
 * The one implementation of graph reconstruction: ingest uses it to
 * materialise parents, wait targets and self time, and the analyses use it
 * for the replay. Ops are numbered 0..n_ops-1 in order of op id; every
 * per-op attribute is an array indexed by that number (no per-op objects).
 *
 * Built from the database (ops, waits and links of one run) by
 * wcp_graph_build(); what is loaded beyond the structure is chosen by flags.
 */
#ifndef WCP_GRAPH_H
#define WCP_GRAPH_H

#include "err.h"
#include "grow.h"
#include "wcp_sqlite.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    WCP_OP_OPEN = 1,          /* flags[i]: open at the latest dump */
    WCP_OP_REPARENTED = 2,    /* flags[i]: parent found through a nested_client link (§1.5) */
    WCP_OP_STORED_PARENT = 4, /* flags[i], with WCP_GRAPH_STORED: the database's parent_id and
                               * reparented are the resolved ones */
    WCP_OP_CYCLE_ROOT = 8,    /* flags[i]: its parent chain came back to it; the cycle was
                               * broken here, it is a root (spec/analysis.md §1.7, beyond) */
};

enum {
    WCP_GRAPH_ATTRS = 1,  /* load kind, class, ident, client, outcome, work type, self_ns */
    WCP_GRAPH_WAITS = 2,  /* load waits (targets resolved per §1.3-1.4) */
    WCP_GRAPH_STORED = 4, /* compare what the database holds of the materialised columns:
                            * self_ns as stored, WCP_OP_STORED_PARENT (for ingest's resolve) */
};

enum { WCP_HOLD_EXCLUSIVE, WCP_HOLD_SHARED_MODE, WCP_HOLD_OTHER };

/* A wait of the graph (spec/analysis.md §1.3): the recorder's wcp_wait
 * (recorder/wcprof.h) as stored and resolved. */
typedef struct wcp_graph_wait {
    int64_t start, end; /* recorded interval */
    int32_t waiter;     /* op index of the waiting op */
    int32_t target;     /* op index of the resolved target, -1: none (a named resource) */
    uint32_t reason;    /* strings.id */
    uint32_t ident;     /* strings.id: the resource, or the exec ident */
    uint8_t by;         /* wcp_wait_by: how the target was found */
} wcp_graph_wait;

/* How a wait's target was resolved (waits.resolved_by): its recorded `t`,
 * an exec ident (§1.3), a hold of its resource (§6 rule 1), or none. */
typedef enum wcp_wait_by {
    WCP_BY_NONE,
    WCP_BY_RECORDED,
    WCP_BY_EXEC_IDENT,
    WCP_BY_HOLD,
    WCP_BY_HOLD_ORDER, /* not recorded: §6 rule 3's zero-length wait of a hold on the
                        * previous one (WCP_GRAPH_WAITS only; never stored) */
} wcp_wait_by;

/* The names of wcp_wait_by (waits.resolved_by stores the first four). */
extern const char *const wcp_wait_by_name[5];

typedef struct wcp_graph {
    int64_t run_id;
    uint32_t n_ops;
    int64_t *id;          /* op ids (uint64 bit patterns, db/README.md), ascending as uint64 */
    int64_t *start, *end; /* interval; end = max(d, s), or the dump's now for an open op */
    int32_t *parent;      /* resolved parent index (§1.5), -1 for a root */
    uint8_t *flags;       /* WCP_OP_* */
    int64_t *thread;      /* the thread that recorded it (ops.thread_id, `th`), 0: unknown */
    bool has_threads;     /* some op has one */
    uint32_t *child_off;  /* children of i: child[child_off[i] .. child_off[i+1]) */
    uint32_t *child;      /*   ... ordered by (start, id) */
    uint32_t n_roots;
    uint32_t *root; /* roots ordered by (start, id) */
    uint32_t n_reparented;
    uint32_t n_parent_cycles; /* parent cycles broken (§1.7): the WCP_OP_CYCLE_ROOT ops */

    /* §1.3 exec-ident resolution: exec ops with an ident, by ident; for each
     * ident the longest exec (ties: lowest id) */
    uint32_t n_exec;
    uint32_t *exec_ident, *exec_op;
    uint32_t exec_str; /* strings.id of "exec", the op kind and the wait reason (0: absent) */

    /* §6 rule 1: the ended holds (ops of kind "hold"), ordered by (resource
     * = class, end, id); hold_res[k] is the resource of hold_op[k] */
    uint32_t n_holds;
    uint32_t *hold_res, *hold_op;
    uint8_t *hold_mode; /* WCP_HOLD_EXCLUSIVE, _SHARED or _OTHER (ident "" / "shared" / else) */
    uint32_t hold_str;  /* strings.id of "hold" (0: absent) */

    /* WCP_GRAPH_ATTRS (strings.id values; NULL unless loaded) */
    uint32_t *kind, *class_id, *ident, *client, *outcome, *work_type;
    int64_t *self_ns; /* as materialised in the database (ATTRS or STORED) */

    /* WCP_GRAPH_WAITS: the waits of op i are waits[wait_off[i] .. wait_off[i+1]),
     * ordered by (start, dump order); orphan waits are not attached. A hold
     * with a previous hold of its resource (§6 rule 3) has first a
     * zero-length wait at its start on that hold (by WCP_BY_HOLD_ORDER),
     * counted in n_order_waits, not in what the database holds. */
    uint32_t n_waits;
    uint32_t *wait_off;
    wcp_graph_wait *waits;
    uint32_t n_orphan_waits;
    uint32_t n_order_waits;
} wcp_graph;

/* Builds the graph of run_id. Returns 0, or -1 with a message in err (the
 * graph is then empty and needs no wcp_graph_free). */
int wcp_graph_build(sqlite3 *db, int64_t run_id, unsigned flags, wcp_graph *g, char *err,
                    size_t errlen);
/* The same, told how many ops the run has (ops > 0; 0: runs.ops, which is
 * 0 until a run is first resolved), so that the arrays are made that size
 * once instead of doubling as the ops are read. Only room: a wrong count
 * changes no result. */
int wcp_graph_build_sized(sqlite3 *db, int64_t run_id, unsigned flags, int64_t ops, wcp_graph *g,
                          char *err, size_t errlen);

/* A run's ops given to the graph rather than read back from the database
 * (wcp_graph_build_ops()): what a load inserted into a run it made, one op
 * a row in the order they came (any order of ids, each id once), in arrays
 * as the graph keeps them, which become the graph's. Each op as stored by
 * such a load: ops.parent_id the recorded parent (NULL when 0 or the op
 * itself), reparented 0, self_ns as given (the guess the resolve phase
 * checks). */
typedef struct wcp_graph_ops {
    size_t n, cap;
    int64_t *id, *start, *end, *recorded_parent, *thread, *self_ns; /* thread 0: unknown */
    uint32_t *kind, *class_id, *ident, *client, *outcome, *work_type;
    uint8_t *open;
} wcp_graph_ops;

/* One op for wcp_graph_ops_add(): the columns of ops the graph reads. */
typedef struct wcp_graph_op {
    int64_t id, start, end, recorded_parent, thread, self_ns;
    uint32_t kind, class_id, ident, client, outcome, work_type;
    bool open;
} wcp_graph_op;

/* Appends op to ops (room for expect ops is made at the first add, then it
 * doubles). Returns false when out of memory (ops unchanged). */
bool wcp_graph_ops_add(wcp_graph_ops *ops, const wcp_graph_op *op, size_t expect);
void wcp_graph_ops_free(wcp_graph_ops *ops);

/* Builds the graph of run_id from ops, which must be every op the
 * database holds of the run, as wcp_graph_ops says, rather than by reading
 * them back: the same graph as wcp_graph_build() would build, for any
 * flags (nested-client links and, with WCP_GRAPH_WAITS, waits are still
 * read from db). ops is consumed (emptied) either way. Returns 0, or -1
 * with err set (an op id given twice is an error). */
int wcp_graph_build_ops(sqlite3 *db, int64_t run_id, unsigned flags, wcp_graph_ops *ops,
                        wcp_graph *g, char *err, size_t errlen);

void wcp_graph_free(wcp_graph *g);
/* qsort_r comparator of op indices by (start, id), ctx the graph (index
 * order is id order). */
int wcp_graph_by_start_id(const void *a, const void *b, void *ctx);

/* The index of op id, or -1. */
int32_t wcp_graph_find(const wcp_graph *g, int64_t id);

/* What wait w waited for (the resource of a wait on the critical path, §4,
 * and of the exports' wait slices and frames): its ident, else its reason.
 * Given their strings, which of the two; can't fail. */
static inline const char *wcp_wait_resource_of(const char *ident, const char *reason)
{
    return *ident ? ident : reason;
}

/* The same, read from db (malloc'd); NULL when out of memory. */
char *wcp_graph_wait_resource(sqlite3 *db, const wcp_graph_wait *w);

/* §1.3: the target of a wait with recorded target t, reason and ident (the
 * strings.id values): the op whose id is t; else, for reason "exec" with an
 * ident, the longest exec op with that ident; else -1 (a named resource). */
int32_t wcp_graph_wait_target(const wcp_graph *g, int64_t t, uint32_t reason, uint32_t ident);

/* §6 rule 1: the hold that let a targetless wait on resource ident in:
 * among the ended holds of ident whose holder (parent) is not the waiter
 * (an op index, -1: none) and that ended within [start, end], the one
 * that ended last (ties: the higher id); -1 when there is none. */
int32_t wcp_graph_hold_target(const wcp_graph *g, uint32_t ident, int32_t waiter, int64_t start,
                              int64_t end);

/* A wait's target by every rule: §1.3 (wcp_graph_wait_target), then, for
 * a wait still without one, §6 rule 1 (wcp_graph_hold_target); *by says
 * which rule found it. */
int32_t wcp_graph_wait_resolve(const wcp_graph *g, int64_t t, uint32_t reason, uint32_t ident,
                               int32_t waiter, int64_t start, int64_t end, wcp_wait_by *by);

/* An interval [start, end). */
typedef struct wcp_span {
    int64_t start, end;
    bool first; /* a zero-length wait that comes before the self segment and the
                 * children at its instant: §6 rule 3's order wait (a recorded
                 * one comes after) */
} wcp_span;

/* The steps of op i in time order (spec/analysis.md §2-3), given its own
 * waits as spans sorted by start: each self segment (its interval minus the
 * union of its children's intervals and the waits, clipped to the op), each
 * child's start and each wait's start. Ties: a self segment comes first (it
 * ends where the next interval starts), then a child, then a wait; children
 * in (start, id) order. The one implementation of self segments: self time
 * and the replay both walk it. */
typedef enum wcp_step_kind { WCP_STEP_SELF, WCP_STEP_CHILD, WCP_STEP_WAIT } wcp_step_kind;

typedef struct wcp_step {
    wcp_step_kind kind;
    int64_t t;      /* when: the segment's start, the child's or the wait's start */
    int64_t len;    /* SELF: the segment's length */
    uint32_t index; /* CHILD: the child's op index; WAIT: its position in the spans */
} wcp_step;

typedef void wcp_step_fn(void *ctx, const wcp_step *step);

void wcp_graph_steps(const wcp_graph *g, uint32_t i, const wcp_span *waits, size_t n_waits,
                     wcp_step_fn *fn, void *ctx);

/* §2: the self time of op i given its own waits (sorted by start): the total
 * length of its self segments. */
int64_t wcp_graph_self(const wcp_graph *g, uint32_t i, const wcp_span *waits, size_t n_waits);

#endif
