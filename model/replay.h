/* replay.h - the replay of spec/analysis.md §3 and the critical path of §4.
 *
 * The replay is compiled once per graph into a tape: the literal depth-first
 * replay of §3 (each op's finish computed on first use and remembered,
 * fallback anchors, cycles, the chain of roots) is run once, recording every
 * clock operation it performs, in order. No decision of that replay depends
 * on a clock value, only on the graph and the recorded times, so the tape is
 * the same for every choice of factors: a what-if replay is one pass over
 * the tape (wcp_tape_eval), with no recursion, lookups or state checks.
 * For a graph with holds (§6 rule 7) the replay that is recorded is
 * resumable: an op's instructions may then be interleaved with other ops'
 * (a parent replayed up to one child's spawn, later the rest), which the
 * registers, `prev` and `src` below allow as they are.
 *
 * Each op has a clock register. Instructions:
 *   START_ABS    reg[op] = start[op] = val                  (the first root)
 *   START_CLOCK  reg[op] = start[op] = reg[arg] + val       (a spawn, val 0; a
 *                                                            sequential root: arg = J, val = the gap)
 *   START_FROM   reg[op] = start[op] = start[arg] + val     (an overlapping root's
 *                                                            or a fallback anchor's offset)
 *   SELF         reg[op] += trunc(val * factor[arg])        (arg: the op's class)
 *   DELAY        reg[op] += val                             (a wait on a resource; arg: the wait)
 *   MAX          reg[op] = max(reg[op], reg[arg])           (a join or an await; arg finished)
 *   MAX_CYCLE    reg[op] = max(reg[op], start[arg] + val)   (a cycle broken at arg's duration)
 */
#ifndef WCP_REPLAY_H
#define WCP_REPLAY_H

#include "graph.h"
#include "sat.h"
#include "stop.h"

#define WCP_NONE UINT32_MAX
#define WCP_AWAIT_SLACK_NS 1000000 /* §3: a wait counts if it ended >= target end - 1 ms */
#define WCP_TAPE_OP_BITS 28        /* ops per run the tape can address */

enum wcp_ins_kind {
    WCP_I_START_ABS,
    WCP_I_START_CLOCK,
    WCP_I_START_FROM,
    WCP_I_SELF,
    WCP_I_DELAY,
    WCP_I_MAX,
    WCP_I_MAX_CYCLE
};

typedef struct wcp_ins {
    uint32_t op_kind; /* op | kind << WCP_TAPE_OP_BITS */
    uint32_t arg;
    int64_t val;
} wcp_ins;

static inline uint32_t wcp_ins_op(const wcp_ins *i)
{
    return i->op_kind & ((1u << WCP_TAPE_OP_BITS) - 1);
}
static inline unsigned wcp_ins_kind(const wcp_ins *i)
{
    return i->op_kind >> WCP_TAPE_OP_BITS;
}

typedef struct wcp_tape {
    const wcp_graph *g;
    const uint32_t *cls; /* class index of each op (the caller's) */
    size_t n;            /* instructions */
    wcp_ins *ins;
    uint32_t *src;          /* per instruction, for walking back (§4): START_CLOCK: the
                            * source op's latest instruction then; START_FROM, MAX_CYCLE:
                            * arg's START; MAX: arg's last instruction; else WCP_NONE */
    uint32_t *prev;         /* per instruction: the op's previous one (WCP_NONE for its START) */
    uint32_t *first, *last; /* per op: its START and its last instruction (WCP_NONE: none) */
    uint8_t *finished;      /* per op: replayed to its end */
    uint32_t first_root;    /* op index, WCP_NONE for an empty run */
    uint32_t *start_slot;   /* per op: its slot among the ops whose start is read (START_FROM,
                            * MAX_CYCLE, the makespan), WCP_NONE for the others */
    uint32_t n_start_slots;
    uint64_t cycles, fallbacks, unfinished;
} wcp_tape;

/* Compiles the replay of g (with waits loaded), polling stop (stop.h;
 * NULL: never stops); cls[i] is op i's class index, used as the SELF
 * instructions' arg. 0, or -1 (WCP_INTERRUPTED when stopped) with a
 * message. */
int wcp_tape_compile(wcp_tape *t, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                     char *err, size_t errlen);
/* The same from any thread: owner false reads stop (wcp_stopped) without
 * stepping its probe, as the job pool's workers do. */
int wcp_tape_compile_on(wcp_tape *t, const wcp_graph *g, const uint32_t *cls, wcp_stop *stop,
                        bool owner, char *err, size_t errlen);
void wcp_tape_free(wcp_tape *t);

/* Memory that one thread's discrete-event compiles (wcp_tape_compile_fifo)
 * reuse, of one graph at a time; the graph's thread order is kept in it
 * too. NULL when out of memory. */
typedef struct wcp_scratch wcp_scratch;
wcp_scratch *wcp_scratch_new(void);
void wcp_scratch_free(wcp_scratch *sc);

/* §6 rule 8, for a graph with holds of a mutex or a reader/writer lock
 * (wcp_replay_fifo): the discrete-event replay, which grants each such lock
 * first come, first served by the replay's own clocks and gives a worker
 * pool's queued tasks to the first free worker. Its decisions depend on the
 * factors (per class; NULL: all 1), so each what-if compiles its own tape;
 * wcp_tape_eval of that tape with the same factors gives the replay's
 * clocks (its critical path as any tape's). hint: about how many
 * instructions the tape will have (the baseline's; 0: unknown), reserved
 * at once. sc (NULL: none): memory to compile in, kept from one compile
 * to the next (a ranking's worker compiles one what-if after another: on a
 * large run, fresh memory each time costs a page fault per 4 KiB); the
 * tape is then sc's, valid until sc's next compile or wcp_scratch_free,
 * and not for wcp_tape_free. Polls stop as wcp_tape_compile_on. 0, or -1
 * (WCP_INTERRUPTED when stopped) with a message. */
int wcp_tape_compile_fifo(wcp_tape *t, const wcp_graph *g, const uint32_t *cls,
                          const double *factor, size_t hint, wcp_scratch *sc, wcp_stop *stop,
                          bool owner, char *err, size_t errlen);
/* Whether g has holds rule 8 orders (then its replays are
 * wcp_tape_compile_fifo's). */
bool wcp_replay_fifo(const wcp_graph *g);

/* One replay: factor[c] for class c (NULL: all 1). reg and start have one
 * slot per op; after (optional, one per instruction) receives the clock
 * after each instruction, which wcp_tape_critical_path needs. Returns the
 * makespan (latest root finish minus the first root's start). Ops the tape
 * never starts keep whatever reg/start held. */
int64_t wcp_tape_eval(const wcp_tape *t, const double *factor, int64_t *reg, int64_t *start,
                      int64_t *after);

/* WCP_LANES replays in one pass (the ranking's): lane j gives class
 * lane_cls[j] the factor lane_f[j] and every other class 1 (lane_cls[j] =
 * WCP_NONE: the baseline). reg has WCP_LANES slots per op; start has them
 * only for the ops whose start is read (t->start_slot). makespan[j]
 * receives lane j's makespan, exactly wcp_tape_eval's. A pass costs little
 * more than one replay: the tape is read once, each op's lanes share a
 * cache line. A pass over a large run takes long (hundreds of ms at 1M
 * ops on a loaded machine), so it looks at stop (NULL: never) every
 * WCP_EVAL_POLL instructions: owner, the connection's thread, polls it
 * (wcp_stop_poll), any other thread reads it (wcp_stopped). Returns true,
 * or false when stopped (makespan is then not written). */
#define WCP_LANES 8
#define WCP_EVAL_POLL 4096
bool wcp_tape_eval_lanes(const wcp_tape *t, const uint32_t *lane_cls, const double *lane_f,
                         int64_t (*reg)[WCP_LANES], int64_t (*start)[WCP_LANES], int64_t *makespan,
                         wcp_stop *stop, bool owner);

/* The actual makespan: latest recorded root end minus the first root's start. */
int64_t wcp_tape_actual(const wcp_tape *t);

enum wcp_seg_what { WCP_SEG_SELF, WCP_SEG_WAIT, WCP_SEG_GAP, WCP_SEG_OFFSET, WCP_SEG_CYCLE };

/* The name of each wcp_seg_what ("self", "wait", ...), as the outputs print it. */
extern const char *const wcp_seg_what_name[];

typedef struct wcp_seg {
    int64_t start, end; /* simulated times */
    uint32_t op;        /* op index */
    uint32_t wait;      /* WAIT: index into g->waits */
    uint8_t what;       /* enum wcp_seg_what */
} wcp_seg;

/* A segment's length, end - start, saturated at INT64_MAX: a what-if's
 * clocks saturate (replay.c), so a segment from a time before the epoch to
 * a saturated end is longer than int64 holds. */
static inline int64_t wcp_seg_len(const wcp_seg *s)
{
    return wcp_sat_sub(s->end, s->start);
}

/* §4: the critical path of the replay whose registers and trace are given,
 * in time order. *segs is malloc'd (free it). 0, or -1 when out of memory. */
int wcp_tape_critical_path(const wcp_tape *t, const int64_t *reg, const int64_t *start,
                           const int64_t *after, wcp_seg **segs, size_t *n);

/* The same walk back from op's finish to its simulated start (spec §7.6: a
 * task's critical path): the segments after start[op], clipped to it;
 * none for an op the replay never finished. */
int wcp_tape_path_of(const wcp_tape *t, const int64_t *start, const int64_t *after, uint32_t op,
                     wcp_seg **segs, size_t *n);

#endif
