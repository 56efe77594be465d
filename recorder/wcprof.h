/*
 * wcprof.h - the public API of libwcprof, the wcprof recorder.
 *
 * A program links libwcprof to record where its wall-clock time goes: ops
 * (units of work, nested parent/child), waits (an op blocked on another op
 * or on a named resource) and links, written as a schema-1 wcprof dump
 * (docs/spec/dump-format.md) for wcprof-ingest.
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
 * WCPROF_CHECK=1 in the environment at start-up checks the rule: a
 * string address passed again with other content is counted as misuse
 * (string_changed) and recorded with its new content (slow: for finding
 * the bug).
 *
 * Compile with -DWCPROF_DISABLE to compile every recording call out (the
 * control calls still link and work on an empty recorder).
 *
 * fork: the child of a recording process starts a run of its own (a new
 * epoch and op-id space; the parent's buffered events, open ops and
 * other threads' state dropped; dump paths of its own), and never hangs
 * on a lock the recorder held in another thread. Unloading (dlclose of a
 * shared library containing libwcprof) stops the library's threads.
 *
 * C++: RAII wrappers wcp::op, wcp::wait and wcp::adopt at the end.
 *
 * Thread safety: every function may be called from any thread at any time
 * unless its comment says otherwise.
 */
#ifndef WCPROF_H
#define WCPROF_H

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors ------------------------------------------------------------ */

/* X-macro list of every error code: name, value, message. */
#define WCP_ERRNO_MAP(XX)                                                                          \
    XX(INVAL, -1, "invalid argument")                                                              \
    XX(NOMEM, -2, "out of memory")                                                                 \
    XX(IO, -3, "write failed (see errno)")                                                         \
    XX(FULL, -4, "name table full (255 names per set)")                                            \
    XX(OPEN, -5, "cannot open the output file (see errno)")                                        \
    XX(THREAD, -6, "cannot start the dump helper thread")

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

enum {
    WCP_KIND_NONE,
    WCP_KIND_CALL,
    WCP_KIND_CALL_EXEC,
    WCP_KIND_LAZY,
    WCP_KIND_EXEC_PHASE,
    WCP_KIND_EXEC,
    WCP_KIND_SERVICE_START,
    WCP_KIND_SESSION_PHASE,
    WCP_KIND_IO,
    WCP_KIND_INTERNAL,
    WCP_KIND_HOLD /* a hold of a resource (wcp_hold_begin, wcp_lock, ...) */
};
enum { WCP_WORK_NONE, WCP_WORK_ENGINE, WCP_WORK_USER, WCP_WORK_EXTERNAL };
enum {
    WCP_OUTCOME_NONE,
    WCP_OUTCOME_HIT,
    WCP_OUTCOME_EXECUTED,
    WCP_OUTCOME_JOINED,
    WCP_OUTCOME_DO_NOT_CACHE,
    WCP_OUTCOME_OK,
    WCP_OUTCOME_ERROR,
    WCP_OUTCOME_CANCELED
};
enum {
    WCP_REASON_NONE,
    WCP_REASON_CALL_EXEC,
    WCP_REASON_SINGLEFLIGHT,
    WCP_REASON_LAZY,
    WCP_REASON_SERVICE,
    WCP_REASON_LOCK,
    WCP_REASON_EXEC,
    WCP_REASON_IO
};
enum { WCP_LINK_NONE, WCP_LINK_NESTED_CLIENT, WCP_LINK_RESULT, WCP_LINK_REUSED_RESULT };

typedef enum wcp_nameset {
    WCP_NAMES_KIND,
    WCP_NAMES_WORK,
    WCP_NAMES_OUTCOME,
    WCP_NAMES_REASON,
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

/* WCP__NULL: a null pointer in C and C++ alike (nullptr in C++, so the
 * header stays clean under -Wzero-as-null-pointer-constant). */
#ifdef __cplusplus
#define WCP__NULL nullptr
#else
#define WCP__NULL ((void *)0)
#endif

/* An op handle, passed by value. It is also the op's context: the value
 * to carry to another thread so work done there is attributed to the op.
 * The all-zero value WCP_NIL is the nil handle ("no op"). A handle stays
 * safe to use after its op ended (calls on it are counted as misuse and
 * otherwise ignored). Fields are private. */
typedef struct wcp_op {
    uintptr_t h; /* private: record address | WCP__F_* flags (low 6 bits) */
    uint64_t id; /* private: the op id (use wcp_op_id) */
} wcp_op;

#define WCP__F_RECORD 1u /* scoped recording: record under me */
#define WCP__F_BITS 6    /* flag bits below a record's address */

#ifdef __cplusplus
#define WCP_NIL (wcp_op{})
#else
#define WCP_NIL ((wcp_op){0, 0})
#endif

/* What an op is: all fields optional except kind and cls. Strings follow
 * the address rule at the top of this file. */
typedef struct wcp_op_args {
    wcp_kind kind;      /* WCP_KIND_* or a registered kind */
    wcp_work work;      /* WCP_WORK_* or registered; 0 = none */
    const char *cls;    /* class, e.g. "Container.withExec" */
    const char *ident;  /* instance identity (digest, exec id) or NULL */
    const char *client; /* client the op serves, or NULL */
    uint64_t result;    /* result id, 0 = none */
} wcp_op_args;

/* A wait in progress, held by the caller (by value, no allocation). A
 * copy ended after the original (or the other way round) is counted as
 * wait_end_twice and not recorded again. */
typedef struct wcp_wait {
    uint64_t waiter; /* private */
    uint64_t target; /* private */
    uint64_t start;  /* private: ticks */
    uint64_t tok;    /* private: this wait's number on its thread */
    void *slot;      /* private: where its thread keeps its state */
    uint32_t ident;  /* private */
    uint8_t reason;  /* private */
    uint8_t state;   /* private: 0 nil, 1 waiting, 2 ended */
} wcp_wait;

#ifdef __cplusplus
#define WCP__WAIT_NIL (wcp_wait{})
#else
#define WCP__WAIT_NIL ((wcp_wait){0})
#endif

/* ---- the gate: the one load every recording call starts with ---------- */

/* Non-zero once recording was ever turned on (globally or for a scope) in
 * this process; never goes back to 0. Private: use wcp_active(). */
extern int wcp__gate;

/* Whether any recording may happen: one relaxed atomic load (0, a
 * constant, with -DWCPROF_DISABLE: code guarded by it compiles out). */
static inline int wcp_active(void)
{
#ifndef WCPROF_DISABLE
    return __builtin_expect(__atomic_load_n(&wcp__gate, __ATOMIC_RELAXED), 0);
#else
    return 0;
#endif
}

/* Private slow paths behind the inline calls below (reached only once
 * wcp_active() said yes, or on a non-nil handle). */
wcp_op wcp__begin_k(wcp_kind kind, const char *cls);
wcp_op wcp__begin(const wcp_op_args *a, wcp_op parent, int nested);
void wcp__end(uintptr_t h, uint64_t id, wcp_outcome outcome);
void wcp__end_result(uintptr_t h, uint64_t id, wcp_outcome outcome, uint64_t result);
wcp_wait wcp__wait_begin(wcp_op waiter, int nested, wcp_reason reason, wcp_op target,
                         const char *resource);
void wcp__wait_end(wcp_wait *w);
void wcp__link(wcp_op from, int nested, wcp_link_kind kind, wcp_op target, const char *ident,
               uint64_t result);
void wcp__op_set_ident(wcp_op op, const char *ident);
void wcp__op_set_meta(wcp_op op, const char *meta);
void wcp__op_set_result(wcp_op op, uint64_t result);
void wcp__op_set_outcome(wcp_op op, wcp_outcome hint);
wcp_outcome wcp__op_outcome(wcp_op op);
uint64_t wcp__record(wcp_op parent, const wcp_op_args *a, wcp_outcome outcome, int64_t start_ns,
                     int64_t end_ns);
int64_t wcp__now(void);
wcp_op wcp__current(void);
wcp_op wcp__adopt(wcp_op ctx, int check);
wcp_op wcp__recording(wcp_op ctx);
wcp_op wcp__hold_begin(wcp_op holder, int nested, const char *resource, unsigned flags);
void wcp__signal(const char *resource);
int wcp__lock(pthread_mutex_t *mu, const char *resource, wcp_op *hold);
int wcp__rwlock(pthread_rwlock_t *rw, int write, const char *resource, wcp_op *hold);
int wcp__sem_wait(sem_t *sem, const char *resource, wcp_op *hold);

/* Every call below is a recording call: with -DWCPROF_DISABLE it compiles
 * to nothing (or to returning a nil value), and refers to no symbol of the
 * library. */

/* ---- ops ---------------------------------------------------------------- */

/* Begins an op as the child of this thread's current op and makes it the
 * current op until it ends. Recorded when recording is on globally or the
 * current op is under a recording scope; otherwise returns WCP_NIL (also
 * when no memory for its record could be had: counted as a dropped event,
 * cause oom). The returned handle must be ended once, on this thread,
 * with wcp_end (or use WCP_OP, or wcp::op in C++). */
static inline wcp_op wcp_begin(wcp_kind kind, const char *cls)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__begin_k(kind, cls);
#else
    (void)kind;
    (void)cls;
#endif
    return WCP_NIL;
}

/* wcp_begin with every field of an op (a is read, not kept). */
static inline wcp_op wcp_begin_ex(const wcp_op_args *a)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__begin(a, WCP_NIL, 1);
#else
    (void)a;
#endif
    return WCP_NIL;
}

/* Begins an op as the child of parent (WCP_NIL: a root) without touching
 * this thread's current op: for event loops and callbacks. The op may be
 * ended on any thread, even by two at once (a cancel racing a
 * completion): exactly one end is recorded, the other is counted as
 * end_twice. Recorded when recording is on globally or parent is under a
 * recording scope. */
static inline wcp_op wcp_begin_in(wcp_op parent, const wcp_op_args *a)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__begin(a, parent, 0);
#else
    (void)parent;
    (void)a;
#endif
    return WCP_NIL;
}

/* Ends op with outcome (WCP_OUTCOME_NONE: the hint set with
 * wcp_op_set_outcome, if any). No-op on WCP_NIL. An op begun with
 * wcp_begin/_ex should be ended on its thread as that thread's current
 * op; misuse is counted and the data stay consistent:
 *   - ended out of nesting order: end_out_of_order (spliced out of its
 *     thread's chain of ops);
 *   - ended on another thread: end_other_thread; the end (with this
 *     moment as its end time) is handed to the op's thread, which applies
 *     it at its next recording call, so its chain of current ops never
 *     points at an ended op;
 *   - ended twice (also two threads ending it at once): end_twice, and
 *     only the first end counts. */
static inline void wcp_end(wcp_op op, wcp_outcome outcome)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__end(op.h, op.id, outcome);
#else
    (void)op;
    (void)outcome;
#endif
}

/* wcp_end that also sets the op's result id. */
static inline void wcp_end_result(wcp_op op, wcp_outcome outcome, uint64_t result)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__end_result(op.h, op.id, outcome, result);
#else
    (void)op;
    (void)outcome;
    (void)result;
#endif
}

/* The op's id (unique in this run, never 0), or 0 for WCP_NIL. */
static inline uint64_t wcp_op_id(wcp_op op)
{
    return op.id;
}

/* Set, while the op is open, its ident / result id / outcome hint (the
 * outcome wcp_end uses when given WCP_OUTCOME_NONE). Ignored on WCP_NIL or
 * an ended op. Thread-safe against dumps; do not set an op from two
 * threads at once, nor while another thread ends it. */
static inline void wcp_op_set_ident(wcp_op op, const char *ident)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__op_set_ident(op, ident);
#else
    (void)op;
    (void)ident;
#endif
}
/* Set, while the op is open, its metadata: a small string that says what
 * the op ran, for an exec its argv as one JSON array
 * (`["go","build","./..."]`); written as the op event's `m` (an open op's
 * `meta_id`), kept by wcprof-ingest as the op's `meta` (v_ops.meta,
 * `.rank --by meta`). Strings are interned by address as everywhere: pass
 * a literal or a wcp_intern() copy. NULL clears it; set again, the last
 * one counts. Ignored on WCP_NIL or an ended op. It costs what
 * wcp_op_set_ident does, and ops without metadata nothing at all (the id
 * travels in spare bits of the op's own event). Thread-safety as for
 * wcp_op_set_ident. */
static inline void wcp_op_set_meta(wcp_op op, const char *meta)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__op_set_meta(op, meta);
#else
    (void)op;
    (void)meta;
#endif
}
static inline void wcp_op_set_result(wcp_op op, uint64_t result)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__op_set_result(op, result);
#else
    (void)op;
    (void)result;
#endif
}
static inline void wcp_op_set_outcome(wcp_op op, wcp_outcome hint)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        wcp__op_set_outcome(op, hint);
#else
    (void)op;
    (void)hint;
#endif
}
/* The outcome hint of an open op; WCP_OUTCOME_NONE if none, nil or ended. */
static inline wcp_outcome wcp_op_outcome(wcp_op op)
{
#ifndef WCPROF_DISABLE
    if (op.h >> WCP__F_BITS)
        return wcp__op_outcome(op);
#else
    (void)op;
#endif
    return WCP_OUTCOME_NONE;
}

/* Records an op that already finished, with explicit times in recorder
 * time (wcp_now()), as a child of parent (WCP_NIL: a root). Returns its
 * id, or 0 when not recorded (recording off, NULL a). end_ns < start_ns is
 * stored as start_ns. */
static inline uint64_t wcp_record(wcp_op parent, const wcp_op_args *a, wcp_outcome outcome,
                                  int64_t start_ns, int64_t end_ns)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__record(parent, a, outcome, start_ns, end_ns);
#else
    (void)parent;
    (void)a;
    (void)outcome;
    (void)start_ns;
    (void)end_ns;
#endif
    return 0;
}

/* Now in recorder time: ns since the recorder's origin (0 before the
 * first enable). Never fails. */
static inline int64_t wcp_now(void)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__now();
#endif
    return 0;
}

/* ---- context: the current op, handoff, scoped recording --------------- */

/* This thread's current op (WCP_NIL if none): carry it to attribute work
 * done elsewhere to it. */
static inline wcp_op wcp_current(void)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__current();
#endif
    return WCP_NIL;
}

/* Makes ctx this thread's current op (ops begun here become its
 * children) and returns the previous current op, to be restored with
 * wcp_adopt(previous) when the handed-off work is done (or use
 * WCP_ADOPT, or wcp::adopt in C++). Adopting an op that has already
 * ended is counted as misuse (adopt_ended); it is adopted all the same
 * (its children name it as their parent). */
static inline wcp_op wcp_adopt(wcp_op ctx)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__adopt(ctx, 1);
#else
    (void)ctx;
#endif
    return WCP_NIL;
}

/* ctx marked as a recording scope: ops begun under it (as its children,
 * or on a thread that adopted it, transitively) are recorded even while
 * recording is globally off. wcp_recording(WCP_NIL) makes a scope with no
 * parent op. Thread-safe; marks the recorder active (see wcp_active). */
static inline wcp_op wcp_recording(wcp_op ctx)
{
#ifndef WCPROF_DISABLE
    return wcp__recording(ctx);
#else
    (void)ctx;
    return WCP_NIL;
#endif
}

/* ---- waits --------------------------------------------------------------- */

/* Begins a wait of this thread's current op on target (may be WCP_NIL and
 * set later with wcp_wait_set_target). Outside any op the wait is not
 * recorded and counted as misuse (wait_outside_op). A wait that ends with
 * neither a target op nor a resource (a wait on nothing: WCP_NIL given
 * and never set) is recorded and counted as misuse (wait_no_target). */
static inline wcp_wait wcp_wait_begin(wcp_reason reason, wcp_op target)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__wait_begin(WCP_NIL, 1, reason, target, WCP__NULL);
#else
    (void)reason;
    (void)target;
#endif
    return WCP__WAIT_NIL;
}

/* Begins a wait of this thread's current op on a named resource (a lock,
 * a pool); resource follows the address rule. */
static inline wcp_wait wcp_wait_begin_on(wcp_reason reason, const char *resource)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__wait_begin(WCP_NIL, 1, reason, WCP_NIL, resource);
#else
    (void)reason;
    (void)resource;
#endif
    return WCP__WAIT_NIL;
}

/* Begins a wait of waiter (explicit, no thread state) on target or
 * resource. */
static inline wcp_wait wcp_wait_begin_in(wcp_op waiter, wcp_reason reason, wcp_op target,
                                         const char *resource)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__wait_begin(waiter, 0, reason, target, resource);
#else
    (void)waiter;
    (void)reason;
    (void)target;
    (void)resource;
#endif
    return WCP__WAIT_NIL;
}

/* Sets the awaited op of a wait in progress. No-op on a nil or ended wait. */
static inline void wcp_wait_set_target(wcp_wait *w, wcp_op target)
{
#ifndef WCPROF_DISABLE
    if (w->state == 1)
        w->target = target.id;
#else
    (void)w;
    (void)target;
#endif
}

/* Ends and records the wait. No-op on a nil wait; ending one twice (or a
 * copy of an ended one) is counted as misuse (wait_end_twice). */
static inline void wcp_wait_end(wcp_wait *w)
{
#ifndef WCPROF_DISABLE
    if (w->state)
        wcp__wait_end(w);
#else
    (void)w;
#endif
}

/* ---- holds: who held a resource --------------------------------------- */

/* A hold is an op of kind "hold" (WCP_KIND_HOLD) whose class is the name
 * of a resource (a lock, a pool of N slots, a queue) and whose parent is
 * the op that held it, from the moment it got the resource to the moment
 * it let it go (docs/spec/dump-format.md, "Holds"). A lock wait on the
 * same resource name (wcp_wait_begin_on) is then resolved by the analyses
 * to the hold whose release let the waiter in (docs/spec/analysis.md §6),
 * so a what-if that shortens the critical section lets every later waiter
 * in earlier. Ops begun while a hold is the current op (the work done
 * under the lock) are its children.
 *
 * Rules that make the resolution right:
 *   - end the hold BEFORE really releasing the resource (wcp_unlock and
 *     the others below do), so the holder's release is never recorded
 *     after the waiter's wake-up;
 *   - record the wait of a waiter only when it really waits (the
 *     wrappers below try the lock first: an uncontended acquisition costs
 *     one begin+end pair and no wait);
 *   - use the same string for the resource in the hold and in the wait
 *     (the address rule at the top of this file applies).
 *
 * A hold is recorded only inside an op (as its child): outside any op,
 * the calls below lock and unlock and record nothing (that is not
 * counted as misuse). Nested holds may be released in any order (hand
 * over hand): a hold ended while it is not the current op is taken out
 * of the thread's chain of current ops without counting end_out_of_order.
 */

#define WCP_HOLD_SHARED                                                                            \
    1u /* a shared hold (a read lock, ident "shared"): blocks only
                            * exclusive holds */
#define WCP_HOLD_SLOT                                                                              \
    2u /* one of N slots (a semaphore, ident "slot"): holds of
                            * a resource of slots are not mutually exclusive */

/* Begins a hold of resource by this thread's current op, as its child,
 * and makes it the current op until wcp_hold_end (so the work done under
 * the lock is its children). Returns WCP_NIL when there is no current op
 * or recording is off. */
static inline wcp_op wcp_hold_begin(const char *resource)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__hold_begin(WCP_NIL, 1, resource, 0);
#else
    (void)resource;
#endif
    return WCP_NIL;
}

/* wcp_hold_begin of a shared hold (WCP_HOLD_SHARED: its ident is "shared"). */
static inline wcp_op wcp_hold_begin_shared(const char *resource)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__hold_begin(WCP_NIL, 1, resource, WCP_HOLD_SHARED);
#else
    (void)resource;
#endif
    return WCP_NIL;
}

/* A hold of resource by holder (explicit, no thread state, as
 * wcp_begin_in: it may end on any thread). flags: 0 (exclusive),
 * WCP_HOLD_SHARED or WCP_HOLD_SLOT. */
static inline wcp_op wcp_hold_begin_in(wcp_op holder, const char *resource, unsigned flags)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__hold_begin(holder, 0, resource, flags);
#else
    (void)holder;
    (void)resource;
    (void)flags;
#endif
    return WCP_NIL;
}

/* Ends a hold: call it just BEFORE releasing the resource. */
static inline void wcp_hold_end(wcp_op hold)
{
    wcp_end(hold, WCP_OUTCOME_NONE);
}

/* A hold of zero length now (ident "signal"), by this thread's current op: "I released a
 * waiter of resource here". For what has no lock to hold: a producer that
 * puts an item into a queue (wcp_signal("queue.items")) releases a
 * consumer waiting on "queue.items"; a consumer that takes one
 * (wcp_signal("queue.space")) releases a producer waiting for space; a
 * condition variable's signal or broadcast. See recorder/README.md,
 * "Holds". */
static inline void wcp_signal(const char *resource)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        wcp__signal(resource);
#else
    (void)resource;
#endif
}

/* pthread_mutex_lock(mu), recorded: a lock wait on resource when the
 * mutex is busy (reason WCP_REASON_LOCK), then a hold of resource,
 * returned in *hold (WCP_NIL when nothing is recorded). Returns what
 * pthread_mutex_lock returns (no hold unless 0). */
static inline int wcp_lock(pthread_mutex_t *mu, const char *resource, wcp_op *hold)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__lock(mu, resource, hold);
#else
    (void)resource;
#endif
    *hold = WCP_NIL;
    return pthread_mutex_lock(mu);
}

/* Ends the hold, then pthread_mutex_unlock(mu) (its result). */
static inline int wcp_unlock(pthread_mutex_t *mu, wcp_op hold)
{
    wcp_end(hold, WCP_OUTCOME_NONE);
    return pthread_mutex_unlock(mu);
}

/* pthread_rwlock_rdlock / _wrlock, recorded as wcp_lock (a read lock is a
 * shared hold). Returns what pthread_rwlock_rdlock / _wrlock returns. */
static inline int wcp_rdlock(pthread_rwlock_t *rw, const char *resource, wcp_op *hold)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__rwlock(rw, 0, resource, hold);
#else
    (void)resource;
#endif
    *hold = WCP_NIL;
    return pthread_rwlock_rdlock(rw);
}
static inline int wcp_wrlock(pthread_rwlock_t *rw, const char *resource, wcp_op *hold)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__rwlock(rw, 1, resource, hold);
#else
    (void)resource;
#endif
    *hold = WCP_NIL;
    return pthread_rwlock_wrlock(rw);
}
/* Ends the hold, then pthread_rwlock_unlock(rw) (its result). */
static inline int wcp_rwunlock(pthread_rwlock_t *rw, wcp_op hold)
{
    wcp_end(hold, WCP_OUTCOME_NONE);
    return pthread_rwlock_unlock(rw);
}

/* sem_wait(sem) on a semaphore counting N slots of a resource (a pool of
 * N connections), recorded as wcp_lock: a wait when no slot is free, then
 * a hold of one slot (ident "slot"), by this thread's current op, until wcp_sem_post on
 * the same thread. Returns what sem_wait returns (0, or -1 with errno;
 * an interrupted wait is retried). For a semaphore that one thread posts
 * to wake another, use wcp_signal instead. */
static inline int wcp_sem_wait(sem_t *sem, const char *resource, wcp_op *hold)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        return wcp__sem_wait(sem, resource, hold);
#else
    (void)resource;
#endif
    *hold = WCP_NIL;
    int rc;
    while ((rc = sem_wait(sem)) != 0 && errno == EINTR)
        ;
    return rc;
}
/* Ends the hold, then sem_post(sem) (its result). */
static inline int wcp_sem_post(sem_t *sem, wcp_op hold)
{
    wcp_end(hold, WCP_OUTCOME_NONE);
    return sem_post(sem);
}

/* ---- links ---------------------------------------------------------------- */

/* Records a link of kind from this thread's current op to target (may be
 * WCP_NIL), with an optional ident (for nested_client: the nested
 * client's id) and result id. Outside any op: not recorded, counted as
 * misuse (link_outside_op). */
static inline void wcp_link(wcp_link_kind kind, wcp_op target, const char *ident, uint64_t result)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        wcp__link(WCP_NIL, 1, kind, target, ident, result);
#else
    (void)kind;
    (void)target;
    (void)ident;
    (void)result;
#endif
}

/* wcp_link from an explicit op. */
static inline void wcp_link_from(wcp_op from, wcp_link_kind kind, wcp_op target, const char *ident,
                                 uint64_t result)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        wcp__link(from, 0, kind, target, ident, result);
#else
    (void)from;
    (void)kind;
    (void)target;
    (void)ident;
    (void)result;
#endif
}

/* ---- scoped macros (GCC/Clang cleanup attribute; C only) --------------- */

#if !defined(__cplusplus) && (defined(__GNUC__) || defined(__clang__))
static inline void wcp__scope_end(wcp_op *op)
{
    wcp_end(*op, WCP_OUTCOME_NONE);
}
static inline void wcp__scope_wait_end(wcp_wait *w)
{
    wcp_wait_end(w);
}
static inline void wcp__scope_restore(wcp_op *prev)
{
#ifndef WCPROF_DISABLE
    if (wcp_active())
        wcp__adopt(*prev, 0);
#else
    (void)prev;
#endif
}
/* Declares `wcp_op name`, begun now, ended (with its outcome hint) on
 * every path out of the enclosing block. */
#define WCP_OP(name, kind, cls)                                                                    \
    wcp_op name __attribute__((cleanup(wcp__scope_end))) = wcp_begin(kind, cls)
#define WCP_OP_EX(name, ...)                                                                       \
    wcp_op name __attribute__((cleanup(wcp__scope_end))) = wcp_begin_ex(&(wcp_op_args){__VA_ARGS__})
/* Declares `wcp_wait name` on target, ended on every path out of the block. */
#define WCP_WAIT(name, reason, target)                                                             \
    wcp_wait name __attribute__((cleanup(wcp__scope_wait_end))) = wcp_wait_begin(reason, target)
#define WCP_WAIT_ON(name, reason, resource)                                                        \
    wcp_wait name __attribute__((cleanup(wcp__scope_wait_end))) =                                  \
        wcp_wait_begin_on(reason, resource)
/* Adopts ctx until the end of the block (restoring the previous current
 * op is not counted as adopt_ended, even if that op ended meanwhile). */
#define WCP_ADOPT(ctx)                                                                             \
    wcp_op WCP__CAT(wcp__prev_, __LINE__) __attribute__((cleanup(wcp__scope_restore), unused)) =   \
        wcp_adopt(ctx)
#define WCP__CAT(a, b) WCP__CAT2(a, b)
#define WCP__CAT2(a, b) a##b
#endif

/* ---- control --------------------------------------------------------------- */

/* Turns recording on for every thread. The first call fixes the run's time
 * origin (epoch) and, unless memory is mapped already (wcp_reserve) or the
 * pre-fault thread is off, faults in a chunk of event buffer (128 KiB) per
 * CPU the process may run on, at most 16, on the calling thread (0.8 ms
 * for two on a 2-core VM), so that the first threads to record do not
 * fault their own. Also done at start-up when WCPROF=1 is in the
 * environment. Returns 0. */
int wcp_enable(void);
/* Turns global recording off: buffered events stay for dumping, ops in
 * flight still end and are recorded, scoped recording goes on. */
void wcp_disable(void);
/* 1 if recording is globally on, else 0. */
int wcp_is_enabled(void);

typedef enum wcp_limit_mode {
    WCP_LIMIT_DROP = 0, /* at the cap, new events are dropped and counted */
    WCP_LIMIT_RING = 1  /* at the cap, a thread overwrites its oldest events
                          (flight recorder), counted as dropped */
} wcp_limit_mode;

/* Caps the events held in memory: recorded and not yet written by a
 * flushing dump (default 4194304, or WCPROF_MAX_EVENTS; ring mode with
 * WCPROF_RING=1). The cap counts events, whatever the number of threads:
 * a thread takes capacity in grants of at most WCP_CHUNK_EVENTS (smaller
 * as the cap nears: a share of what is left divided among the live
 * threads), so capacity a live thread took and has not used yet is at
 * most one grant; an exiting thread gives its unused grant back, and a
 * flushing dump gives back the capacity of every event it takes, at once
 * (the thread's memory it takes is written out and recycled after).
 * In ring mode a thread at the cap overwrites its own oldest chunk of
 * WCP_CHUNK_EVENTS events, and may hold two chunks even past the cap.
 * Takes effect at once. WCP_EINVAL if max_events is 0 or above 2^62, or
 * mode unknown (nothing changes). Thread-safe. */
int wcp_set_limit(uint64_t max_events, wcp_limit_mode mode);
#define WCP_CHUNK_EVENTS 2048

/* Why an event was lost (the dump header's "dropped_by_cause" keys). */
typedef enum wcp_drop_cause {
    WCP_DROP_CAP,  /* "cap": drop mode, the cap reached */
    WCP_DROP_RING, /* "ring": ring mode, overwritten by newer events */
    WCP_DROP_DUMP, /* "dump": ring mode, at the cap, the chunk the thread
                      would have overwritten was held by a dump (a
                      non-flushing one reading it in place, or one
                      taking the thread's events at that moment) */
    WCP_DROP_OOM,  /* "oom": no memory for a buffer chunk or an op record */
    WCP_DROP__COUNT
} wcp_drop_cause;

/* Events lost so far in this run, in all (the dump header's
 * "dropped_events") or for one cause (0 for an unknown cause). Read
 * without stopping anyone; thread-safe; cannot fail. */
uint64_t wcp_dropped_events(void);
uint64_t wcp_dropped_by_cause(wcp_drop_cause cause);

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
 * the child needs a chunk, and does not keep the process alive (it is
 * stopped and joined at exit and when the library is unloaded). */

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
    uint64_t chunk_bytes;       /* memory of one chunk */
    uint64_t chunks_mapped;     /* chunks mapped so far (kept until exit) */
    uint64_t chunks_held;       /* in threads' buffers (count against the cap) */
    uint64_t chunks_ready;      /* faulted in, in the pool */
    uint64_t chunks_by_threads; /* mapped by recording threads: pool empty */
    uint64_t chunks_prefaulted; /* mapped by the pre-fault thread */
    uint64_t chunks_reserved;   /* mapped by wcp_reserve / WCPROF_RESERVE or the first enable */
    uint64_t slabs_huge;        /* slabs mapped asking for huge pages */
    uint64_t slabs_small;       /* slabs mapped with 4 KiB pages */
    uint64_t prefault_cpu_ns;   /* CPU time the pre-fault thread used */
    uint64_t reserve_chunks;    /* ready chunks it aims to keep (grows when
                                  threads record faster than it covers) */
    int prefault_running;       /* 1 while the pre-fault thread exists */
} wcp_memstats;
/* Fills *s. Thread-safe; cannot fail. */
void wcp_memstats_get(wcp_memstats *s);

/* Misuse counted so far, by kind (the dump header's "misuse" object;
 * the key is the name after WCP_MISUSE_, in lower case). As a debug aid
 * the recorder can abort instead, after printing the kind (and op id) to
 * stderr: WCPROF_ABORT_ON_MISUSE=1 in the environment at start-up, or
 * libwcprof built with -DWCPROF_ABORT_ON_MISUSE=1 (CMake option
 * WCPROF_ABORT_ON_MISUSE; WCPROF_ABORT_ON_MISUSE=0 then turns it off
 * again). */
typedef enum wcp_misuse {
    WCP_MISUSE_END_OUT_OF_ORDER, /* a nested op ended before its children */
    WCP_MISUSE_END_TWICE,        /* an op ended again (or by two at once) */
    WCP_MISUSE_WAIT_OUTSIDE_OP,  /* a wait begun with no current op */
    WCP_MISUSE_WAIT_END_TWICE,   /* a wait (or a copy of it) ended again */
    WCP_MISUSE_LINK_OUTSIDE_OP,  /* a link recorded with no current op */
    WCP_MISUSE_END_OTHER_THREAD, /* a wcp_begin op ended on another thread */
    WCP_MISUSE_WAIT_NO_TARGET,   /* a wait ended with neither target nor
                                  resource: a wait on nothing */
    WCP_MISUSE_ADOPT_ENDED,      /* wcp_adopt of an op that had ended */
    WCP_MISUSE_STRING_CHANGED,   /* WCPROF_CHECK=1: a string address passed
                                  again with other content (the address
                                  rule broken); the new content is kept */
    WCP_MISUSE__COUNT
} wcp_misuse;
/* The count for kind; 0 for an unknown kind. Thread-safe. */
uint64_t wcp_misuse_count(wcp_misuse kind);

/* ---- dumps ------------------------------------------------------------------ */

#define WCP_DUMP_FLUSH                                                                             \
    1u /* forget the events written (each event is then
                              written by exactly one dump) */

/* Writes a dump of everything recorded so far (minus what earlier
 * flushing dumps wrote) while other threads keep recording (in ring mode
 * too: a flushing dump takes the threads' chunks out of their rings
 * first, then writes them); dumps are serialized. Returns the number of
 * event lines written, or WCP_EIO (errno set; with FLUSH, the events are
 * then still forgotten) or WCP_ENOMEM (nothing written, nothing
 * forgotten; should memory run out partway, the events not taken yet
 * stay for the next dump). The fd / FILE stays open and is the caller's. */
int wcp_dump_fd(int fd, unsigned flags);
int wcp_dump_file(FILE *f, unsigned flags);
/* Dumps to a new file (replaced if present) named by pattern, where %p is
 * the process id, %n a per-process dump sequence number, %% a percent.
 * Also WCP_EOPEN, WCP_EINVAL for NULL. */
int wcp_dump_path(const char *pattern, unsigned flags);

/* Arranges that signal signo requests a flushing dump to pattern (as in
 * wcp_dump_path); a helper thread ("wcprof-signal") writes it, never the
 * signal handler. Also done at start-up by WCPROF_SIGNAL=USR1|USR2|<n>
 * with WCPROF_SIGNAL_OUT=pattern (default wcprof-%p-%n.dump). Returns 0,
 * WCP_EINVAL, WCP_ETHREAD or WCP_EIO. Call once per process. The
 * previous action of signo is restored if libwcprof is unloaded
 * (dlclose of a shared library that contains it). */
int wcp_dump_on_signal(int signo, const char *pattern);

#ifdef __cplusplus
}

/* ---- C++: RAII wrappers ------------------------------------------------- */

/* Scope-bound ops, waits and adoptions for C++11 and later: each ends (or
 * restores) in its destructor, so every path out of a scope, exceptions
 * included, ends what it began. op and wait are movable (the moved-from
 * object is nil and ends nothing) and not copyable; adopt is neither (it
 * restores this thread's state and must stay on it). Everything is
 * noexcept and, like the C calls, compiles to nothing with
 * -DWCPROF_DISABLE. */
namespace wcp {

class op {
  public:
    /* wcp_begin / wcp_begin_ex: a child of this thread's current op. */
    op(wcp_kind kind, const char *cls) noexcept : h_(wcp_begin(kind, cls))
    {
    }
    explicit op(const wcp_op_args &a) noexcept : h_(wcp_begin_ex(&a))
    {
    }
    /* wcp_begin_in: a child of parent, leaving the current op alone. */
    static op in(wcp_op parent, const wcp_op_args &a) noexcept
    {
        return op(wcp_begin_in(parent, &a));
    }
    /* Takes over an op begun with the C calls (ended by this object). */
    static op adopt_handle(wcp_op h) noexcept
    {
        return op(h);
    }
    op(op &&o) noexcept : h_(o.h_)
    {
        o.h_ = WCP_NIL;
    }
    op &operator=(op &&o) noexcept
    {
        if (this != &o) {
            end();
            h_ = o.h_;
            o.h_ = WCP_NIL;
        }
        return *this;
    }
    op(const op &) = delete;
    op &operator=(const op &) = delete;
    /* Ends with the outcome hint (wcp_op_set_outcome), unless ended. */
    ~op()
    {
        end();
    }

    /* Ends now (later calls and the destructor do nothing). */
    void end(wcp_outcome outcome = WCP_OUTCOME_NONE) noexcept
    {
        wcp_op h = h_;
        h_ = WCP_NIL;
        wcp_end(h, outcome);
    }
    void end_result(wcp_outcome outcome, uint64_t result) noexcept
    {
        wcp_op h = h_;
        h_ = WCP_NIL;
        wcp_end_result(h, outcome, result);
    }
    void set_ident(const char *ident) noexcept
    {
        wcp_op_set_ident(h_, ident);
    }
    void set_meta(const char *meta) noexcept
    {
        wcp_op_set_meta(h_, meta);
    }
    void set_result(uint64_t result) noexcept
    {
        wcp_op_set_result(h_, result);
    }
    void set_outcome(wcp_outcome hint) noexcept
    {
        wcp_op_set_outcome(h_, hint);
    }
    /* The handle (the op's context, to carry to other threads). */
    wcp_op handle() const noexcept
    {
        return h_;
    }
    uint64_t id() const noexcept
    {
        return wcp_op_id(h_);
    }
    /* Gives the handle up without ending it (the caller ends it). */
    wcp_op release() noexcept
    {
        wcp_op h = h_;
        h_ = WCP_NIL;
        return h;
    }

  private:
    explicit op(wcp_op h) noexcept : h_(h)
    {
    }
    wcp_op h_;
};

class wait {
  public:
    /* wcp_wait_begin: this thread's current op waits on target. */
    wait(wcp_reason reason, wcp_op target) noexcept : w_(wcp_wait_begin(reason, target))
    {
    }
    /* wcp_wait_begin_on: ... on a named resource. */
    wait(wcp_reason reason, const char *resource) noexcept : w_(wcp_wait_begin_on(reason, resource))
    {
    }
    /* wcp_wait_begin_in: waiter (explicit) waits on target or resource. */
    static wait in(wcp_op waiter, wcp_reason reason, wcp_op target, const char *resource) noexcept
    {
        return wait(wcp_wait_begin_in(waiter, reason, target, resource));
    }
    wait(wait &&o) noexcept : w_(o.w_)
    {
        o.w_ = WCP__WAIT_NIL;
    }
    wait &operator=(wait &&o) noexcept
    {
        if (this != &o) {
            end();
            w_ = o.w_;
            o.w_ = WCP__WAIT_NIL;
        }
        return *this;
    }
    wait(const wait &) = delete;
    wait &operator=(const wait &) = delete;
    ~wait()
    {
        end();
    }

    void set_target(wcp_op target) noexcept
    {
        wcp_wait_set_target(&w_, target);
    }
    /* Ends now (later calls and the destructor do nothing). */
    void end() noexcept
    {
        if (w_.state == 1)
            wcp_wait_end(&w_);
        w_ = WCP__WAIT_NIL;
    }

  private:
    explicit wait(const wcp_wait &w) noexcept : w_(w)
    {
    }
    wcp_wait w_;
};

class adopt {
  public:
    /* wcp_adopt(ctx) now, the previous current op restored on destruction
   * (restoring is not counted as adopt_ended). */
    explicit adopt(wcp_op ctx) noexcept : prev_(wcp_adopt(ctx))
    {
    }
    ~adopt()
    {
#ifndef WCPROF_DISABLE
        if (wcp_active())
            wcp__adopt(prev_, 0);
#endif
    }
    adopt(const adopt &) = delete;
    adopt &operator=(const adopt &) = delete;
    adopt(adopt &&) = delete;
    adopt &operator=(adopt &&) = delete;
    /* The op that was current before. */
    wcp_op previous() const noexcept
    {
        return prev_;
    }

  private:
    wcp_op prev_;
};

} // namespace wcp
#endif /* __cplusplus */
#endif /* WCPROF_H */
