/*
 * wcp_internal.h - the recorder's internal structures, shared by its .c
 * files (prefix wcp__). Not installed, not for programs.
 *
 * Memory model in one paragraph: each OS thread owns a wcp__thread (kept
 * forever, reused by later threads once its thread exits). The owner
 * appends fixed-size events to its current chunk and publishes each with
 * a release store of the chunk's `committed` count; a dumper reads
 * `committed` (and `next`) with acquire and only reads events below it,
 * which are never written again until the dumper itself recycles the
 * chunk (flush) or, in ring mode, the owner steals it while holding the
 * thread's `lk` (the dumper holds every `lk` while it dumps). Open ops
 * live in per-thread records (wcp__opr) published with a seqlock on their
 * `id`, so a dumper can list them without stopping anyone.
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
enum { WCP__EVF_NS = 1 };  /* s/d already in ns (wcp_record), not ticks */

/* One recorded event: 64 bytes, one cache line. */
typedef struct wcp__event {
  uint64_t s, d;      /* start / end: ticks (or ns with WCP__EVF_NS) */
  uint64_t a;         /* op: id; wait: target; link: target */
  uint64_t p;         /* op: parent; wait: waiter; link: from */
  uint64_t r;         /* result id (op, link) */
  uint32_t c, i, cl;  /* string ids: class, ident, client */
  uint32_t th;        /* OS thread id */
  uint8_t type;       /* WCP__EV_* */
  uint8_t name;       /* op: kind; wait: reason; link: link kind */
  uint8_t work;       /* op: work type */
  uint8_t outcome;    /* op: outcome */
  uint8_t flags;      /* WCP__EVF_* */
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__event;

/* A chunk of a thread's buffer: this header (its own cache line) and
 * WCP_CHUNK_EVENTS events in an arena (buffer.c), 16 chunks' events to a
 * 2 MiB huge page. */
typedef struct wcp__chunk {
  _Atomic uint32_t committed;           /* events published (owner stores) */
  _Atomic(struct wcp__chunk *) next;    /* set once the owner moved on */
  struct wcp__chunk *pool_next;         /* pool link */
  wcp__event *ev;                       /* its events (set once) */
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__chunk;

/* ---- open-op records ------------------------------------------------------ */

/* An op record: the handle points here. Fields a dumper reads are atomics
 * written with relaxed stores; `id` (0 = free) is the seqlock: writers
 * clear it, write fields with release, then store it with release; a
 * reader loads id, the fields (acquire), and id again (see dump.c). */
typedef struct wcp__opr {
  _Atomic uint64_t id;
  _Atomic uint64_t parent;
  _Atomic uint64_t start;     /* ticks */
  _Atomic uint64_t result;
  _Atomic uint32_t cls, ident, client, tid;
  _Atomic uint8_t kind, work, hint;
  uint8_t nested;             /* begun with thread nesting (owner only) */
  /* owner-only: the thread's current op before this one began */
  wcp_op prev;
  struct wcp__thread *owner;
  struct wcp__opr *free_next; /* free list link */
} __attribute__((aligned(WCP__CACHE_LINE))) wcp__opr;

#define WCP__OPR_BLOCK 256
typedef struct wcp__opr_block {
  wcp__opr r[WCP__OPR_BLOCK];
  _Atomic(struct wcp__opr_block *) next;
} wcp__opr_block;

/* ---- threads ---------------------------------------------------------------- */

#define WCP__PCACHE 512  /* per-thread string address cache entries */

typedef struct wcp__thread {
  /* owner-only hot fields */
  wcp__chunk *cur;            /* chunk being written, or NULL */
  uint32_t n;                 /* == cur->committed */
  uint32_t tid;
  uint64_t id_next, id_end;   /* block of op ids reserved for this thread */
  wcp_op current;             /* the thread's current op (context) */
  wcp__opr *free;             /* free op records */
  _Atomic(wcp__opr *) remote_free; /* records ended by other threads */
  _Atomic(uint64_t) dropped;  /* events this thread could not keep */
  _Atomic(wcp__opr_block *) blocks; /* every record block, for dumps */
  _Atomic uint32_t nchunks;   /* chunks in this thread's list */
  _Atomic int alive;          /* 0 once the OS thread exited */

  /* shared with the dumper */
  pthread_mutex_t lk;         /* dumper holds it while dumping; ring-mode
                                 owner holds it while stealing a chunk */
  _Atomic(wcp__chunk *) head; /* oldest chunk not yet flushed */
  uint32_t head_done;         /* events of head already flushed (lk) */
  struct wcp__thread *next;   /* registry list (immutable once linked) */

  struct { const char *p; uint32_t id; } pcache[WCP__PCACHE];
} wcp__thread;

/* ---- global state ------------------------------------------------------------ */

typedef struct wcp__state {
  _Atomic int on;                      /* global recording switch */
  _Atomic(wcp__thread *) threads;      /* registry, push-only */
  _Atomic uint64_t next_id;            /* op id blocks */
  _Atomic uint64_t misuse[WCP_MISUSE__COUNT];
  _Atomic int abort_on_misuse;         /* WCPROF_ABORT_ON_MISUSE */
  _Atomic uint64_t max_chunks;         /* cap in chunks */
  _Atomic int ring;                    /* WCP_LIMIT_RING */
  _Atomic uint64_t used_chunks;        /* chunks held by threads */
  /* the pool of ready chunks (buffer.c): faulted in, fresh or recycled */
  _Atomic(wcp__chunk *) pool;          /* stack: lock-free push, pops
                                          serialized by pool_lk */
  pthread_mutex_t pool_lk;             /* taken by poppers only */
  _Atomic uint64_t pool_n;             /* chunks in pool (never below) */
  _Atomic uint64_t mapped_chunks;      /* chunks ever mapped */
  _Atomic int prefault;                /* the pre-fault thread may run */
  _Atomic int hugepages;               /* slabs may ask for huge pages */
  _Atomic int helper;                  /* pre-fault thread: 0 none,
                                          1 running, -1 failed to start */
  _Atomic uint64_t by_threads, by_prefault, by_reserve; /* chunks mapped */
  _Atomic uint64_t slabs_huge, slabs_small; /* slabs mapped */
  _Atomic uint64_t prefault_cpu_ns;    /* CPU time of the pre-fault thread */
  pthread_mutex_t dump_lk;             /* serializes dumps */
  _Atomic uint64_t dump_seq;           /* %n in path patterns */
} wcp__state;

extern wcp__state wcp__S;

/* core.c */
wcp__thread *wcp__self_slow(void);
/* Counts a misuse of kind (op_id: the op concerned, or 0); with
 * abort_on_misuse set, prints it to stderr and aborts. */
void wcp__misuse(wcp_misuse kind, uint64_t op_id);
const char *wcp__misuse_name(wcp_misuse kind); /* the dump header's key */
void wcp__init_once(void);
void wcp__from_env(void);  /* control.c */
extern __thread wcp__thread *wcp__me;
static inline wcp__thread *wcp__self(void) {
  wcp__thread *t = wcp__me;
  return __builtin_expect(t != NULL, 1) ? t : wcp__self_slow();
}

/* buffer.c */
wcp__event *wcp__slot_slow(wcp__thread *t);
void wcp__chunk_release(wcp__chunk *c);
void wcp__buffer_init(void);  /* from wcp__init_once */

/* Reserves the next event of t's buffer, or NULL (dropped and counted).
 * The caller fills it and calls wcp__commit. */
static inline wcp__event *wcp__slot(wcp__thread *t) {
  if (__builtin_expect(t->cur != NULL && t->n < WCP_CHUNK_EVENTS, 1))
    return &t->cur->ev[t->n];
  return wcp__slot_slow(t);
}
static inline void wcp__commit(wcp__thread *t) {
  atomic_store_explicit(&t->cur->committed, ++t->n, memory_order_release);
}

/* strings.c */
uint32_t wcp__str_slow(wcp__thread *t, const char *s);
/* s's slot in a thread's string address cache (pcache) */
static inline uint32_t wcp__pcache_slot(const char *s) {
  return (uint32_t)(((uintptr_t)s * 0x9E3779B97F4A7C15ull) >> 55)
         & (WCP__PCACHE - 1);
}
static inline uint32_t wcp__str(wcp__thread *t, const char *s) {
  if (s == NULL) return 0;
  uint32_t k = wcp__pcache_slot(s);
  if (__builtin_expect(t->pcache[k].p == s, 1)) return t->pcache[k].id;
  return wcp__str_slow(t, s);
}
uint32_t wcp__str_count(void);
const char *wcp__str_get(uint32_t id);
const char *wcp__name_get(wcp_nameset set, uint8_t id); /* "" if unknown */
void wcp__names_lock(void);
void wcp__names_unlock(void);

/* clock.c */
extern int wcp__use_tsc;
/* clock id's time in ns (inline: wcp__ticks_slow, the ticks without a
 * TSC, is on the record path) */
static inline int64_t wcp__clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
uint64_t wcp__ticks_slow(void);
static inline uint64_t wcp__ticks(void) {
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
int64_t wcp__mono_ns(void);        /* CLOCK_MONOTONIC, ns */
int64_t wcp__epoch_unix_ns(void);  /* realtime at origin */
int64_t wcp__origin_mono_ns(void); /* monotonic at origin */
void wcp__clock_mark(void);        /* add a calibration point (dump lock) */
int64_t wcp__ticks_to_ns(uint64_t ticks); /* since origin (dump lock) */

#endif /* WCP_INTERNAL_H */
