/*
 * wcp_internal.h - the recorder's internal structures, shared by its .c
 * files (prefix wcp__). Not installed, not for programs.
 *
 * Memory model in one paragraph: each OS thread owns a wcp__thread (kept
 * forever, reused by later threads once its thread exits). The owner
 * appends fixed-size events to its current chunk and publishes each with
 * a release store of the chunk's `committed` count; a dumper reads
 * `committed` (and `next`) with acquire and only reads events below it,
 * which are never written again until the chunk is recycled: a flushing
 * dump takes the chunks out of the thread's list under the thread's `lk`
 * (and copies the part of the last one it writes), a non-flushing one
 * pins them (`pinned`, under `lk`); in ring mode the owner overwrites its
 * oldest chunk only under `lk` (trylock) and never a pinned one. Open ops
 * live in per-thread records (wcp__opr) published with a seqlock on their
 * `id`, so a dumper can list them without stopping anyone. Capacity (the
 * cap on events held) is a global budget threads take grants from.
 */
#ifndef WCP_INTERNAL_H
#define WCP_INTERNAL_H

#include "wcprof.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define WCP__CACHE_LINE 64

/* ---- events ------------------------------------------------------------ */

enum { WCP__EV_OP = 1, WCP__EV_WAIT = 2, WCP__EV_LINK = 3 };
enum { WCP__EVF_NS = 1 }; /* s/d already in ns (wcp_record), not ticks */

/* One recorded event: 64 bytes, one cache line. The string ids c/i and
 * cl/th are pairs an op record keeps as one 64-bit word each (ci, clt),
 * and type..flags one word (tail), so ending an op copies words. */
typedef struct wcp__event {
    uint64_t s, d; /* start / end: ticks (or ns with WCP__EVF_NS) */
    uint64_t a;    /* op: id; wait: target; link: target */
    uint64_t p;    /* op: parent; wait: waiter; link: from */
    uint64_t r;    /* result id (op, link) */
    union {
        struct {
            uint32_t c, i;
        }; /* string ids: class, ident */
        uint64_t ci;
    };
    union {
        struct {
            uint32_t cl, th;
        }; /* string id client, OS thread id */
        uint64_t clt;
    };
    union {
        struct {
            uint8_t type;    /* WCP__EV_* */
            uint8_t name;    /* op: kind; wait: reason; link: link kind */
            uint8_t work;    /* op: work type */
            uint8_t outcome; /* op: outcome */
            uint8_t flags;   /* WCP__EVF_* (and, from an op record,
                                WCP__META_* bits the dumper ignores) */
        };
        uint64_t tail;
    };
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__event;
_Static_assert(sizeof(wcp__event) == 64, "an event is one cache line");

/* A chunk of a thread's buffer: this header (its own cache line) and
 * WCP_CHUNK_EVENTS events in an arena (buffer.c), 16 chunks' events to a
 * 2 MiB huge page. */
typedef struct wcp__chunk {
    _Atomic uint32_t committed;        /* events published (owner stores) */
    _Atomic(struct wcp__chunk *) next; /* set once the owner moved on */
    struct wcp__chunk *pool_next;      /* pool / taken-out list link */
    wcp__event *ev;                    /* its events (set once) */
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__chunk;

/* ---- open-op records ------------------------------------------------------ */

/* An op record: the handle points here. Fields a dumper reads are
 * atomics written with relaxed stores; `id` is the seqlock and the op's
 * state: 0 = free; the op id while open; id | WCP__CLOSING while an end
 * of a wcp_begin_in op (which any thread may end: it claims the record
 * with a compare-and-swap) writes its event. Writers clear it, write
 * fields with release, then store it with release; a reader loads id, the
 * fields (acquire), and id again (see dump.c). Begin and end touch only
 * the first cache line; the second holds what only a splice (an op ended
 * out of order, or by another thread) writes. */
#define WCP__CLOSING ((uint64_t)1 << 63)
typedef struct wcp__opr {
    _Atomic uint64_t id;
    _Atomic uint64_t parent;
    _Atomic uint64_t start; /* ticks */
    _Atomic uint64_t result;
    _Atomic uint64_t ci;   /* class | ident << 32 (string ids) */
    _Atomic uint64_t clt;  /* client | OS thread id << 32 */
    _Atomic uint64_t meta; /* the op event's tail: WCP__EV_OP |
                                 kind << 8 | work << 16 | hint << 24,
                                 WCP__META_* flags (bits 33..), the
                                 metadata string id (WCP__M_SHIFT) */
    /* owner-only: a nested op's previous current op (its handle bits;
   * its id is `parent`, or prev_id once spliced), or the free-list link */
    uintptr_t link;
    /* second line, owner-only: the previous current op's id once an op
   * between was spliced out (WCP__META_SPLICED) */
    uint64_t prev_id __attribute__((aligned(WCP__CACHE_LINE)));
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__opr;

/* The record's flag bits sit in the event's flags byte (bits 32..39),
 * above WCP__EVF_NS, and land there when an end copies the word: the
 * dumper reads only WCP__EVF_NS of it. */
#define WCP__META_NESTED ((uint64_t)1 << 33)  /* begun with wcp_begin/_ex */
#define WCP__META_SPLICED ((uint64_t)1 << 34) /* prev_id: the previous op */

/* The op's metadata (wcp_op_set_meta): a string id in the top 24 bits of
 * the record's `meta` word and so of the op event's tail (string ids are
 * below 2^24: strings.c), written as `m` (`meta_id` for an open op). An
 * end copies it with the rest of the word: ops without metadata cost
 * nothing more, and no second event is needed. */
#define WCP__M_SHIFT 40
#define WCP__M_MASK ((uint64_t)0xffffff << WCP__M_SHIFT)
static inline uint32_t wcp__m_of(uint64_t tail)
{
    return (uint32_t)(tail >> WCP__M_SHIFT);
}

/* Records come in blocks aligned to their size, so a record's block (and
 * its owner) is its address rounded down. The first line is the header. */
#define WCP__OPR_BLOCK_BYTES 16384
#define WCP__OPR_PER_BLOCK (WCP__OPR_BLOCK_BYTES / sizeof(wcp__opr) - 1)
typedef struct wcp__opr_block {
    struct wcp__thread *owner;
    _Atomic(struct wcp__opr_block *) next; /* the owner's blocks */
    char pad[sizeof(wcp__opr) - 2 * sizeof(void *)];
    wcp__opr r[WCP__OPR_PER_BLOCK];
} wcp__opr_block;

static inline wcp__opr_block *wcp__block_of(const wcp__opr *r)
{
    return (wcp__opr_block *)((uintptr_t)r & ~(uintptr_t)(WCP__OPR_BLOCK_BYTES - 1));
}

/* A handle's flag bits: WCP__F_RECORD (wcprof.h), and, only in a thread's
 * own `current`, WCP__F_OWN: the current op is this thread's own nested
 * op, open, at the top of its chain (wcp_end's fast path). */
#define WCP__F_OWN ((uintptr_t)2)
#define WCP__F_MASK ((uintptr_t)((1u << WCP__F_BITS) - 1))
static inline wcp__opr *wcp__rec_of(wcp_op op)
{
    return (wcp__opr *)(op.h & ~WCP__F_MASK);
}

/* The end of a nested op requested by another thread, applied by the
 * op's own thread (see core.c). */
typedef struct wcp__mail {
    struct wcp__mail *next;
    wcp_op op;
    uint64_t end, result; /* end ticks; result if set_result */
    uint8_t outcome, set_result;
} wcp__mail;

/* ---- threads ---------------------------------------------------------------- */

#define WCP__PCACHE 512 /* per-thread string address cache entries */
#define WCP__WSLOTS 64  /* per-thread wait slots (copied-wait detection) */

typedef struct wcp__thread {
    /* owner-only hot fields: one cache line */
    wcp__chunk *cur;          /* chunk being written, or NULL */
    wcp__event *ev;           /* cur->ev */
    uint32_t n;               /* events written in cur (== committed) */
    uint32_t lim;             /* n may grow to lim without asking: the
                                 capacity granted (budget), <= a chunk */
    wcp__opr *free;           /* free op records (linked by `link`) */
    wcp_op current;           /* the thread's current op (context), with
                                 WCP__F_OWN when it is our nested op */
    uint64_t id_next, id_end; /* block of op ids reserved for this thread */

    /* owner-only, warm */
    uint32_t tid;                              /* OS thread id */
    uint32_t nlive_counted;                    /* counted in wcp__S.nlive */
    uint64_t wseq;                             /* waits begun */
    _Atomic(wcp__mail *) mail;                 /* ends requested by other threads */
    _Atomic(wcp__opr *) remote_free;           /* records ended by other threads */
    _Atomic(wcp__opr_block *) blocks;          /* every record block, for dumps */
    _Atomic uint32_t nchunks;                  /* chunks in this thread's list */
    _Atomic int alive;                         /* 0 once the OS thread exited */
    _Atomic uint64_t dropped[WCP_DROP__COUNT]; /* events lost, by cause */

    /* shared with the dumper */
    pthread_mutex_t lk;         /* a dumper holds it while it takes or pins
                                 the chunks; a ring-mode owner while it
                                 overwrites its oldest chunk */
    _Atomic(wcp__chunk *) head; /* oldest chunk not yet flushed (lk) */
    uint32_t head_done;         /* events of head already flushed (lk) */
    int pinned;                 /* a non-flushing dump reads the chunks in
                                 place: none may be overwritten (lk) */
    struct wcp__thread *next;   /* registry list (immutable once linked) */

    _Atomic uint64_t wslot[WCP__WSLOTS]; /* wait states, see core.c */
    struct {
        const char *p;
        uint32_t id;
    } pcache[WCP__PCACHE];
} wcp__thread;

/* ---- global state ------------------------------------------------------------ */

typedef struct wcp__state {
    _Atomic int on;                 /* global recording switch */
    _Atomic(wcp__thread *) threads; /* registry, push-only */
    _Atomic uint64_t next_id;       /* op id blocks */
    _Atomic uint64_t misuse[WCP_MISUSE__COUNT];
    _Atomic int abort_on_misuse; /* WCPROF_ABORT_ON_MISUSE */
    _Atomic int check;           /* WCPROF_CHECK: string contents */
    /* capacity: cap on events held, and what is left of it */
    _Atomic uint64_t cap;         /* events */
    _Atomic int64_t budget;       /* cap - events held or granted;
                                          may go below 0 (ring mode) */
    _Atomic uint64_t max_chunks;  /* memory: the cap in chunks */
    _Atomic int ring;             /* WCP_LIMIT_RING */
    _Atomic uint32_t nlive;       /* threads alive (grant shares) */
    _Atomic uint64_t used_chunks; /* chunks held by threads */
    /* the pool of ready chunks (buffer.c): faulted in, fresh or recycled */
    _Atomic(wcp__chunk *) pool;                           /* stack: lock-free push, pops
                                          serialized by pool_lk */
    pthread_mutex_t pool_lk;                              /* taken by poppers only */
    _Atomic uint64_t pool_n;                              /* chunks in pool (never below) */
    _Atomic uint64_t mapped_chunks;                       /* chunks ever mapped */
    _Atomic int prefault;                                 /* the pre-fault thread may run */
    _Atomic int hugepages;                                /* slabs may ask for huge pages */
    _Atomic int helper;                                   /* pre-fault thread: 0 none,
                                          1 running, -1 failed to start */
    _Atomic uint64_t by_threads, by_prefault, by_reserve; /* chunks mapped */
    _Atomic uint64_t slabs_huge, slabs_small;             /* slabs mapped */
    _Atomic uint64_t prefault_cpu_ns;                     /* CPU time of the pre-fault thread */
    pthread_mutex_t dump_lk;                              /* serializes dumps */
    _Atomic uint64_t dump_seq;                            /* %n in path patterns */
    _Atomic int forked;                                   /* this process is a forked child
                                          of a recording process */
} wcp__state;

extern wcp__state wcp__S;

/* core.c */
wcp__thread *wcp__self_slow(void);
/* Counts a misuse of kind (op_id: the op concerned, or 0); with
 * abort_on_misuse set, prints it to stderr and aborts. */
void wcp__misuse(wcp_misuse kind, uint64_t op_id);
const char *wcp__misuse_name(wcp_misuse kind); /* the dump header's key */
void wcp__init_once(void);
void wcp__from_env(void);           /* control.c */
void wcp__mail_run(wcp__thread *t); /* applies ends other threads asked */
/* Claims dead threads with requested ends pending and applies them (the
 * dumper, before it lists open ops). */
void wcp__mail_run_dead(void);
void wcp__core_fork_child(void); /* the child's run: reset op state */
/* The calling thread's state. Initial-exec TLS: one %fs-relative load
 * (no __tls_get_addr call, so the fast paths stay leaf functions), also
 * when libwcprof is built into a shared library (8 bytes of the static
 * TLS the C library keeps for such libraries). */
extern __thread wcp__thread *wcp__me __attribute__((tls_model("initial-exec")));
static inline wcp__thread *wcp__self(void)
{
    wcp__thread *t = wcp__me;
    return __builtin_expect(t != NULL, 1) ? t : wcp__self_slow();
}

/* buffer.c */
wcp__event *wcp__slot_slow(wcp__thread *t);
void wcp__chunk_release(wcp__chunk *c);
void wcp__buffer_init(void); /* from wcp__init_once */
void wcp__drop(wcp__thread *t, wcp_drop_cause cause, uint64_t n);
void wcp__budget_return(uint64_t n);            /* capacity given back */
void wcp__thread_credit_return(wcp__thread *t); /* its unused grant */
void wcp__buffer_fork_prepare(void);
void wcp__buffer_fork_parent(void);
void wcp__buffer_fork_child(void);
void wcp__buffer_unload(void); /* stops the pre-fault thread */
void wcp__buffer_enable(void); /* the first enable: the reserve faulted in */

/* Reserves the next event of t's buffer, or NULL (dropped and counted).
 * The caller fills it and calls wcp__commit. */
static inline wcp__event *wcp__slot(wcp__thread *t)
{
    if (__builtin_expect(t->n < t->lim, 1))
        return &t->ev[t->n];
    return wcp__slot_slow(t);
}
static inline void wcp__commit(wcp__thread *t)
{
    atomic_store_explicit(&t->cur->committed, ++t->n, memory_order_release);
}

/* strings.c */
uint32_t wcp__str_slow(wcp__thread *t, const char *s);
/* s's slot in a thread's string address cache (pcache) */
static inline uint32_t wcp__pcache_slot(const char *s)
{
    return (uint32_t)(((uintptr_t)s * 0x9E3779B97F4A7C15ull) >> 55) & (WCP__PCACHE - 1);
}
/* The string id of s (0 for NULL). With WCPROF_CHECK=1 nothing is cached
 * (every call takes the slow path, which checks the content). */
static inline uint32_t wcp__str(wcp__thread *t, const char *s)
{
    if (s == NULL)
        return 0;
    uint32_t k = wcp__pcache_slot(s);
    if (__builtin_expect(t->pcache[k].p == s, 1))
        return t->pcache[k].id;
    return wcp__str_slow(t, s);
}
uint32_t wcp__str_count(void);
const char *wcp__str_get(uint32_t id);
const char *wcp__name_get(wcp_nameset set, uint8_t id); /* "" if unknown */
void wcp__strings_fork_prepare(void);
void wcp__strings_fork_parent(void);
void wcp__strings_fork_child(void);

/* clock.c */
extern int wcp__use_tsc;
/* clock id's time in ns (inline: wcp__ticks_slow, the ticks without a
 * TSC, is on the record path) */
static inline int64_t wcp__clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
uint64_t wcp__ticks_slow(void);
/* The TSC; only where wcp__use_tsc was found set. */
static inline uint64_t wcp__rdtsc(void)
{
#if defined(__x86_64__)
    return __builtin_ia32_rdtsc();
#else
    return 0;
#endif
}
static inline uint64_t wcp__ticks(void)
{
#if defined(__x86_64__)
    if (__builtin_expect(wcp__use_tsc, 1)) {
        uint32_t lo, hi;
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        return ((uint64_t)hi << 32) | lo;
    }
#endif
    return wcp__ticks_slow();
}
void wcp__clock_init(void);
int64_t wcp__mono_ns(void);               /* CLOCK_MONOTONIC, ns */
int64_t wcp__epoch_unix_ns(void);         /* realtime at origin */
int64_t wcp__origin_mono_ns(void);        /* monotonic at origin */
void wcp__clock_mark(void);               /* add a calibration point (dump lock) */
int64_t wcp__ticks_to_ns(uint64_t ticks); /* since origin (dump lock) */
void wcp__clock_fork_child(void);         /* a new origin and epoch */
/* The process's user and system CPU time since the origin (ns), and the
 * number of CPUs it may run on (0: unknown): the dump header's cpu keys. */
int wcp__cpus(void); /* the CPUs the process may run on, 0: unknown */
void wcp__cpu_since_origin(int64_t *user_ns, int64_t *sys_ns, int *cpus);

/* control.c */
void wcp__control_fork_child(void);
void wcp__control_unload(void); /* stops the signal helper */
void wcp__signal_restart(void); /* forked child: helper on first need */

#endif /* WCP_INTERNAL_H */
