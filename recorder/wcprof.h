/*
 * wcprof.h - the public API of libwcprof, the wcprof recorder.
 *
 * A program links libwcprof to record where its wall-clock time goes: ops
 * (units of work, nested parent/child), waits (an op blocked on another op
 * or on a named resource) and links, written as a schema-1 wcprof dump
 * (shared/spec/dump-format.md) for wcprof-ingest.
 *
 * One rule for the whole API: every recording call is safe on a nil
 * handle and when recording is off (it does nothing and returns a nil
 * handle), so call sites need no checks; no recording call fails or
 * blocks on another thread in the common case. Control calls (enable,
 * limits, dumps) return 0 or a count on success and a negative WCP_E*
 * code on failure; wcp_strerror() describes it.
 *
 * Strings (class, ident, client, resource) are interned by ADDRESS: the
 * recorder copies a string the first time a thread passes its address and
 * from then on trusts that address. Pass string literals or strings that
 * never change while the process runs; pass strings built at run time
 * through wcp_intern() first, which returns a permanent copy.
 *
 * Compile with -DWCPROF_DISABLE to compile every recording call out (the
 * control calls still link and work on an empty recorder).
 *
 * Thread safety: every function may be called from any thread at any time
 * unless its comment says otherwise.
 */
#ifndef WCPROF_H
#define WCPROF_H

#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/* X-macro list of every error code: name, value, message. */
#define WCP_ERRNO_MAP(XX)                                                    \
  XX(INVAL,   -1, "invalid argument")                                        \
  XX(NOMEM,   -2, "out of memory")                                           \
  XX(IO,      -3, "write failed (see errno)")                                \
  XX(FULL,    -4, "name table full (255 names per set)")                     \
  XX(OPEN,    -5, "cannot open the output file (see errno)")                 \
  XX(THREAD,  -6, "cannot start the dump helper thread")

typedef enum wcp_error {
  WCP_OK = 0,
#define WCP__ERR_ENUM(name, val, msg) WCP_E##name = (val),
  WCP_ERRNO_MAP(WCP__ERR_ENUM)
#undef WCP__ERR_ENUM
} wcp_error;

/* A static message for err (0 or a WCP_E* code); "unknown error" for any
 * other value. Never NULL, never to be freed. */
const char *wcp_strerror(int err);
/* The code's name without prefix ("INVAL"), "OK" for 0, "UNKNOWN" else. */
const char *wcp_err_name(int err);

/* ---- names: kinds, work types, outcomes, wait reasons, link kinds ----- */

/* Small ids for the open name sets of the dump format. 0 always means
 * "none" (the key is left out of the dump). The reference values are
 * predefined below; wcp_name_register() adds an application's own. */
typedef uint8_t wcp_kind;
typedef uint8_t wcp_work;
typedef uint8_t wcp_outcome;
typedef uint8_t wcp_reason;
typedef uint8_t wcp_link_kind;

enum { WCP_KIND_NONE, WCP_KIND_CALL, WCP_KIND_CALL_EXEC, WCP_KIND_LAZY,
       WCP_KIND_EXEC_PHASE, WCP_KIND_EXEC, WCP_KIND_SERVICE_START,
       WCP_KIND_SESSION_PHASE, WCP_KIND_IO, WCP_KIND_INTERNAL };
enum { WCP_WORK_NONE, WCP_WORK_ENGINE, WCP_WORK_USER, WCP_WORK_EXTERNAL };
enum { WCP_OUTCOME_NONE, WCP_OUTCOME_HIT, WCP_OUTCOME_EXECUTED,
       WCP_OUTCOME_JOINED, WCP_OUTCOME_DO_NOT_CACHE, WCP_OUTCOME_OK,
       WCP_OUTCOME_ERROR, WCP_OUTCOME_CANCELED };
enum { WCP_REASON_NONE, WCP_REASON_CALL_EXEC, WCP_REASON_SINGLEFLIGHT,
       WCP_REASON_LAZY, WCP_REASON_SERVICE, WCP_REASON_LOCK,
       WCP_REASON_EXEC, WCP_REASON_IO };
enum { WCP_LINK_NONE, WCP_LINK_NESTED_CLIENT, WCP_LINK_RESULT,
       WCP_LINK_REUSED_RESULT };

typedef enum wcp_nameset {
  WCP_NAMES_KIND, WCP_NAMES_WORK, WCP_NAMES_OUTCOME, WCP_NAMES_REASON,
  WCP_NAMES_LINK
} wcp_nameset;

/* Registers name (copied) in set and returns its id (1..255), or the
 * existing id if the name is already there (predefined names included).
 * Fails with WCP_EINVAL (bad set, NULL or empty name) or WCP_EFULL;
 * on failure nothing changes. */
int wcp_name_register(wcp_nameset set, const char *name);

/* A permanent copy of s (one per distinct content, never freed), for
 * strings built at run time; NULL for NULL or on out of memory. Takes a
 * lock: call it once per distinct string, not per event. */
const char *wcp_intern(const char *s);

/* ---- handles ------------------------------------------------------------ */

/* An op handle, passed by value. It is also the op's context: the value
 * to carry to another thread so work done there is attributed to the op.
 * The all-zero value WCP_NIL is the nil handle ("no op"). A handle stays
 * safe to use after its op ended (calls on it are counted as misuse and
 * otherwise ignored). Fields are private. */
typedef struct wcp_op {
  uintptr_t h;   /* private: record address | WCP__F_* flags */
  uint64_t id;   /* private: the op id (use wcp_op_id) */
} wcp_op;

#define WCP__F_RECORD ((uintptr_t)1)  /* scoped recording: record under me */
#define WCP__F_MASK   ((uintptr_t)63)

#ifdef __cplusplus
#define WCP_NIL (wcp_op{})
#else
#define WCP_NIL ((wcp_op){0, 0})
#endif

/* What an op is: all fields optional except kind and cls. Strings follow
 * the address rule at the top of this file. */
typedef struct wcp_op_args {
  wcp_kind kind;       /* WCP_KIND_* or a registered kind */
  wcp_work work;       /* WCP_WORK_* or registered; 0 = none */
  const char *cls;     /* class, e.g. "Container.withExec" */
  const char *ident;   /* instance identity (digest, exec id) or NULL */
  const char *client;  /* client the op serves, or NULL */
  uint64_t result;     /* result id, 0 = none */
} wcp_op_args;

/* A wait in progress, held by the caller (by value, no allocation). */
typedef struct wcp_wait {
  uint64_t waiter;     /* private */
  uint64_t target;     /* private */
  uint64_t start;      /* private: ticks */
  uint32_t ident;      /* private */
  uint8_t reason;      /* private */
  uint8_t state;       /* private: 0 nil, 1 waiting, 2 ended */
} wcp_wait;

/* ---- the gate: the one load every recording call starts with ---------- */

/* Non-zero once recording was ever turned on (globally or for a scope) in
 * this process; never goes back to 0. Private: use wcp_active(). */
extern int wcp__gate;

/* Whether any recording may happen: one relaxed atomic load. */
static inline int wcp_active(void) {
  return __builtin_expect(__atomic_load_n(&wcp__gate, __ATOMIC_RELAXED), 0);
}

/* Private slow paths behind the inline calls below. */
wcp_op wcp__begin(const wcp_op_args *a, wcp_op parent, int nested);
void wcp__end(wcp_op op, wcp_outcome outcome, uint64_t result, int set_result);
wcp_wait wcp__wait_begin(wcp_op waiter, int nested, wcp_reason reason,
                         wcp_op target, const char *resource);
void wcp__wait_end(wcp_wait *w);
void wcp__link(wcp_op from, int nested, wcp_link_kind kind, wcp_op target,
               const char *ident, uint64_t result);

/* ---- ops ---------------------------------------------------------------- */

/* Begins an op as the child of this thread's current op and makes it the
 * current op until it ends. Recorded when recording is on globally or the
 * current op is under a recording scope; otherwise returns WCP_NIL. The
 * returned handle must be ended once with wcp_end (or use WCP_OP). */
static inline wcp_op wcp_begin(wcp_kind kind, const char *cls) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) {
    wcp_op_args a = {kind, 0, cls, 0, 0, 0};
    return wcp__begin(&a, WCP_NIL, 1);
  }
#else
  (void)kind; (void)cls;
#endif
  return WCP_NIL;
}

/* wcp_begin with every field of an op (a is read, not kept). */
static inline wcp_op wcp_begin_ex(const wcp_op_args *a) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) return wcp__begin(a, WCP_NIL, 1);
#else
  (void)a;
#endif
  return WCP_NIL;
}

/* Begins an op as the child of parent (WCP_NIL: a root) without touching
 * this thread's current op: for event loops and callbacks. The op may be
 * ended on any thread. Recorded when recording is on globally or parent
 * is under a recording scope. */
static inline wcp_op wcp_begin_in(wcp_op parent, const wcp_op_args *a) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) return wcp__begin(a, parent, 0);
#else
  (void)parent; (void)a;
#endif
  return WCP_NIL;
}

/* Ends op with outcome (WCP_OUTCOME_NONE: the hint set with
 * wcp_op_set_outcome, if any). If op was begun with wcp_begin/_ex it must
 * be this thread's current op; ending it out of order or twice is counted
 * as misuse (end_out_of_order, end_twice) and the data stays consistent.
 * No-op on WCP_NIL. */
static inline void wcp_end(wcp_op op, wcp_outcome outcome) {
#ifndef WCPROF_DISABLE
  if (op.h & ~WCP__F_MASK) wcp__end(op, outcome, 0, 0);
#else
  (void)op; (void)outcome;
#endif
}

/* wcp_end that also sets the op's result id. */
static inline void wcp_end_result(wcp_op op, wcp_outcome outcome,
                                  uint64_t result) {
#ifndef WCPROF_DISABLE
  if (op.h & ~WCP__F_MASK) wcp__end(op, outcome, result, 1);
#else
  (void)op; (void)outcome; (void)result;
#endif
}

/* The op's id (unique in this run, never 0), or 0 for WCP_NIL. */
static inline uint64_t wcp_op_id(wcp_op op) { return op.id; }

/* Set, while the op is open, its ident / result id / outcome hint (the
 * outcome wcp_end uses when given WCP_OUTCOME_NONE). Ignored on WCP_NIL or
 * an ended op. Thread-safe against dumps; do not set the same op from two
 * threads at once. */
void wcp_op_set_ident(wcp_op op, const char *ident);
void wcp_op_set_result(wcp_op op, uint64_t result);
void wcp_op_set_outcome(wcp_op op, wcp_outcome hint);
/* The outcome hint of an open op; WCP_OUTCOME_NONE if none, nil or ended. */
wcp_outcome wcp_op_outcome(wcp_op op);

/* Records an op that already finished, with explicit times in recorder
 * time (wcp_now()), as a child of parent (WCP_NIL: a root). Returns its
 * id, or 0 when not recorded (recording off, NULL a). end_ns < start_ns is
 * stored as start_ns. */
uint64_t wcp_record(wcp_op parent, const wcp_op_args *a, wcp_outcome outcome,
                    int64_t start_ns, int64_t end_ns);

/* Now in recorder time: ns since the recorder's origin (0 before the
 * first enable). Never fails. */
int64_t wcp_now(void);

/* ---- context: the current op, handoff, scoped recording --------------- */

/* This thread's current op (WCP_NIL if none): carry it to attribute work
 * done elsewhere to it. */
wcp_op wcp_current(void);

/* Makes ctx this thread's current op (ops begun here become its
 * children) and returns the previous current op, to be restored with
 * wcp_adopt(previous) when the handed-off work is done (or use
 * WCP_ADOPT). */
wcp_op wcp_adopt(wcp_op ctx);

/* ctx marked as a recording scope: ops begun under it (as its children,
 * or on a thread that adopted it, transitively) are recorded even while
 * recording is globally off. wcp_recording(WCP_NIL) makes a scope with no
 * parent op. Thread-safe; marks the recorder active (see wcp_active). */
wcp_op wcp_recording(wcp_op ctx);

/* ---- waits --------------------------------------------------------------- */

/* Begins a wait of this thread's current op on target (may be WCP_NIL and
 * set later with wcp_wait_set_target). Outside any op the wait is not
 * recorded and counted as misuse (wait_outside_op). */
static inline wcp_wait wcp_wait_begin(wcp_reason reason, wcp_op target) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) return wcp__wait_begin(WCP_NIL, 1, reason, target, 0);
#else
  (void)reason; (void)target;
#endif
  wcp_wait w = {0, 0, 0, 0, 0, 0};
  return w;
}

/* Begins a wait of this thread's current op on a named resource (a lock,
 * a pool); resource follows the address rule. */
static inline wcp_wait wcp_wait_begin_on(wcp_reason reason,
                                         const char *resource) {
#ifndef WCPROF_DISABLE
  if (wcp_active())
    return wcp__wait_begin(WCP_NIL, 1, reason, WCP_NIL, resource);
#else
  (void)reason; (void)resource;
#endif
  wcp_wait w = {0, 0, 0, 0, 0, 0};
  return w;
}

/* Begins a wait of waiter (explicit, no thread state) on target or
 * resource. */
static inline wcp_wait wcp_wait_begin_in(wcp_op waiter, wcp_reason reason,
                                         wcp_op target,
                                         const char *resource) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) return wcp__wait_begin(waiter, 0, reason, target, resource);
#else
  (void)waiter; (void)reason; (void)target; (void)resource;
#endif
  wcp_wait w = {0, 0, 0, 0, 0, 0};
  return w;
}

/* Sets the awaited op of a wait in progress. No-op on a nil or ended wait. */
static inline void wcp_wait_set_target(wcp_wait *w, wcp_op target) {
  if (w->state == 1) w->target = target.id;
}

/* Ends and records the wait. No-op on a nil wait; ending one twice is
 * counted as misuse (wait_end_twice). */
static inline void wcp_wait_end(wcp_wait *w) {
#ifndef WCPROF_DISABLE
  if (w->state) wcp__wait_end(w);
#else
  (void)w;
#endif
}

/* ---- links ---------------------------------------------------------------- */

/* Records a link of kind from this thread's current op to target (may be
 * WCP_NIL), with an optional ident (for nested_client: the nested
 * client's id) and result id. Outside any op: not recorded, counted as
 * misuse (link_outside_op). */
static inline void wcp_link(wcp_link_kind kind, wcp_op target,
                            const char *ident, uint64_t result) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) wcp__link(WCP_NIL, 1, kind, target, ident, result);
#else
  (void)kind; (void)target; (void)ident; (void)result;
#endif
}

/* wcp_link from an explicit op. */
static inline void wcp_link_from(wcp_op from, wcp_link_kind kind,
                                 wcp_op target, const char *ident,
                                 uint64_t result) {
#ifndef WCPROF_DISABLE
  if (wcp_active()) wcp__link(from, 0, kind, target, ident, result);
#else
  (void)from; (void)kind; (void)target; (void)ident; (void)result;
#endif
}

/* ---- scoped macros (GCC/Clang cleanup attribute; C only) --------------- */

#if !defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
void wcp__scope_end(wcp_op *op);
void wcp__scope_wait_end(wcp_wait *w);
void wcp__scope_restore(wcp_op *prev);
/* Declares `wcp_op name`, begun now, ended (with its outcome hint) on
 * every path out of the enclosing block. */
#define WCP_OP(name, kind, cls)                                              \
  wcp_op name __attribute__((cleanup(wcp__scope_end))) = wcp_begin(kind, cls)
#define WCP_OP_EX(name, ...)                                                 \
  wcp_op name __attribute__((cleanup(wcp__scope_end))) =                    \
      wcp_begin_ex(&(wcp_op_args){__VA_ARGS__})
/* Declares `wcp_wait name` on target, ended on every path out of the block. */
#define WCP_WAIT(name, reason, target)                                       \
  wcp_wait name __attribute__((cleanup(wcp__scope_wait_end))) =             \
      wcp_wait_begin(reason, target)
#define WCP_WAIT_ON(name, reason, resource)                                  \
  wcp_wait name __attribute__((cleanup(wcp__scope_wait_end))) =             \
      wcp_wait_begin_on(reason, resource)
/* Adopts ctx until the end of the block. */
#define WCP_ADOPT(ctx)                                                       \
  wcp_op WCP__CAT(wcp__prev_, __LINE__)                                      \
      __attribute__((cleanup(wcp__scope_restore), unused)) = wcp_adopt(ctx)
#define WCP__CAT(a, b) WCP__CAT2(a, b)
#define WCP__CAT2(a, b) a##b
#endif

/* ---- control --------------------------------------------------------------- */

/* Turns recording on for every thread. The first call fixes the run's time
 * origin (epoch). Also done at start-up when WCPROF=1 is in the
 * environment. Returns 0. */
int wcp_enable(void);
/* Turns global recording off: buffered events stay for dumping, ops in
 * flight still end and are recorded, scoped recording goes on. */
void wcp_disable(void);
/* 1 if recording is globally on, else 0. */
int wcp_is_enabled(void);

typedef enum wcp_limit_mode {
  WCP_LIMIT_DROP = 0,  /* at the cap, new events are dropped and counted */
  WCP_LIMIT_RING = 1   /* at the cap, a thread overwrites its oldest events
                          (flight recorder), counted as dropped */
} wcp_limit_mode;

/* Caps the events held in memory (default 4194304, or WCPROF_MAX_EVENTS;
 * ring mode with WCPROF_RING=1). The cap is kept in whole buffer chunks of
 * WCP_CHUNK_EVENTS; in ring mode each thread may keep two chunks even past
 * the cap. Takes effect for buffers taken from now on. WCP_EINVAL if
 * max_events is 0 or mode unknown. */
int wcp_set_limit(uint64_t max_events, wcp_limit_mode mode);
#define WCP_CHUNK_EVENTS 2048

/* Events dropped so far in this run (cap reached or overwritten). */
uint64_t wcp_dropped_events(void);

/* ---- buffer memory ------------------------------------------------------------ */

/* Buffers are chunks of WCP_CHUNK_EVENTS events taken from a pool of
 * chunks whose memory is already faulted in. Fresh memory costs about as
 * much to fault in (the kernel zeroes each page) as recording the events
 * that fill it, so by default the library starts a thread of its own, the
 * pre-fault thread ("wcprof-prefault"), the first time a thread needs a
 * chunk. It keeps a reserve of ready chunks in the pool (2 MiB, more while
 * threads use it up faster than it refills, at most 32 MiB; memory mapped
 * in all stays within what the cap allows, give or take one 2 MiB slab):
 * recording threads take a ready chunk and fault one in themselves only
 * when the pool is empty; they never wait for it. It blocks every signal,
 * maps 2 MiB slabs with transparent huge pages while those come cheap
 * (WCPROF_HUGEPAGES=0: never), is not restarted in a forked child until
 * the child needs a chunk, and does not keep the process alive. */

/* Turns the pre-fault thread off (on = 0: the thread exits after the slab
 * it is mapping; none is started again) or back on (started the next time
 * a thread needs a chunk). Also WCPROF_PREFAULT=0 in the environment at
 * start-up. Thread-safe. Returns 0. */
int wcp_set_prefault(int on);

/* Faults in, on the calling thread, chunks for n_events events now and
 * puts them in the pool, as far as the cap allows (chunks mapped so far
 * count); for programs that know their volume. Also WCPROF_RESERVE=N at
 * start-up. Returns 0, or WCP_ENOMEM if memory could not be mapped (what
 * was mapped before stays in the pool). Thread-safe. */
int wcp_reserve(uint64_t n_events);

/* Where the buffers' memory stands (counters read without stopping
 * anyone, so only roughly consistent with each other). */
typedef struct wcp_memstats {
  uint64_t chunk_bytes;        /* memory of one chunk */
  uint64_t chunks_mapped;      /* chunks mapped so far (kept until exit) */
  uint64_t chunks_held;        /* in threads' buffers (count against the cap) */
  uint64_t chunks_ready;       /* faulted in, in the pool */
  uint64_t chunks_by_threads;  /* mapped by recording threads: pool empty */
  uint64_t chunks_prefaulted;  /* mapped by the pre-fault thread */
  uint64_t chunks_reserved;    /* mapped by wcp_reserve / WCPROF_RESERVE */
  uint64_t slabs_huge;         /* slabs mapped asking for huge pages */
  uint64_t slabs_small;        /* slabs mapped with 4 KiB pages */
  uint64_t prefault_cpu_ns;    /* CPU time the pre-fault thread used */
  uint64_t reserve_chunks;     /* ready chunks it aims to keep (grows when
                                  threads record faster than it covers) */
  int prefault_running;        /* 1 while the pre-fault thread exists */
} wcp_memstats;
/* Fills *s. Thread-safe; cannot fail. */
void wcp_memstats_get(wcp_memstats *s);

/* Misuse counted so far, by kind (the dump header's "misuse" object).
 * As a debug aid the recorder can abort instead, after printing the kind
 * (and op id) to stderr: WCPROF_ABORT_ON_MISUSE=1 in the environment at
 * start-up, or libwcprof built with -DWCPROF_ABORT_ON_MISUSE=1 (CMake
 * option WCPROF_ABORT_ON_MISUSE; WCPROF_ABORT_ON_MISUSE=0 then turns it
 * off again). */
typedef enum wcp_misuse {
  WCP_MISUSE_END_OUT_OF_ORDER, WCP_MISUSE_END_TWICE,
  WCP_MISUSE_WAIT_OUTSIDE_OP, WCP_MISUSE_WAIT_END_TWICE,
  WCP_MISUSE_LINK_OUTSIDE_OP, WCP_MISUSE__COUNT
} wcp_misuse;
uint64_t wcp_misuse_count(wcp_misuse kind);

/* ---- dumps ------------------------------------------------------------------ */

#define WCP_DUMP_FLUSH 1u  /* forget the events written (each event is then
                              written by exactly one dump) */

/* Writes a dump of everything recorded so far (minus what earlier
 * flushing dumps wrote) while other threads keep recording; dumps are
 * serialized. Returns the number of event lines written, or WCP_EIO
 * (errno set; with FLUSH, the events are then still forgotten) or
 * WCP_ENOMEM (nothing written, nothing forgotten). The fd / FILE stays
 * open and is the caller's. */
int wcp_dump_fd(int fd, unsigned flags);
int wcp_dump_file(FILE *f, unsigned flags);
/* Dumps to a new file (replaced if present) named by pattern, where %p is
 * the process id, %n a per-process dump sequence number, %% a percent.
 * Also WCP_EOPEN, WCP_EINVAL for NULL. */
int wcp_dump_path(const char *pattern, unsigned flags);

/* Arranges that signal signo requests a flushing dump to pattern (as in
 * wcp_dump_path); a helper thread writes it, never the signal handler.
 * Also done at start-up by WCPROF_SIGNAL=USR1|USR2|<number> with
 * WCPROF_SIGNAL_OUT=pattern (default wcprof-%p-%n.dump). Returns 0,
 * WCP_EINVAL, WCP_ETHREAD or WCP_EIO. Call once per process. */
int wcp_dump_on_signal(int signo, const char *pattern);

#ifdef __cplusplus
}
#endif
#endif /* WCPROF_H */
