/*
 * core.c - the recording calls: ops, waits, links, the thread's current
 * op, scoped recording, misuse counting, and the per-thread state.
 *
 * Every call here is reached only after the inline gate in wcprof.h found
 * the recorder active. The common path takes no lock and allocates
 * nothing: a thread's state is found through one TLS pointer, op ids come
 * from a per-thread block, op records from a per-thread free list, and
 * events go into the thread's current chunk (buffer.c).
 */
#include "wcp_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

wcp__state wcp__S = {
  .pool_lk = PTHREAD_MUTEX_INITIALIZER,
  .dump_lk = PTHREAD_MUTEX_INITIALIZER,
  .next_id = 1,
  .prefault = 1,
  .hugepages = 1,
  .max_chunks = (4194304 + WCP_CHUNK_EVENTS - 1) / WCP_CHUNK_EVENTS,
#ifdef WCPROF_ABORT_ON_MISUSE
  .abort_on_misuse = 1,
#endif
};
int wcp__gate;
__thread wcp__thread *wcp__me;

static pthread_once_t init_guard = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;

#define ID_BLOCK 4096

/* Zeroed, cache-line aligned memory (aligned_alloc wants whole lines). */
static void *alloc_lines(size_t size) {
  size = (size + WCP__CACHE_LINE - 1) & ~(size_t)(WCP__CACHE_LINE - 1);
  void *p = aligned_alloc(WCP__CACHE_LINE, size);
  if (p) memset(p, 0, size);
  return p;
}

/* ---- threads ---------------------------------------------------------- */

/* TLS destructor: the thread's state stays (its events still need
 * dumping) and may be adopted by a thread started later. */
static void thread_exit(void *p) {
  wcp__thread *t = p;
  t->current = WCP_NIL;
  wcp__me = NULL;
  atomic_store_explicit(&t->alive, 0, memory_order_release);
}

static void init(void) {
  wcp__clock_init();
  wcp__buffer_init();
  pthread_key_create(&exit_key, thread_exit);
}

void wcp__init_once(void) { pthread_once(&init_guard, init); }

/* Reads the environment at start-up (control.c); lives here because this
 * object is linked into every program that records anything. */
__attribute__((constructor)) static void from_env(void) { wcp__from_env(); }

wcp__thread *wcp__self_slow(void) {
  wcp__init_once();
  wcp__thread *t;
  for (t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
       t = t->next) {
    int dead = 0; /* plain load first: no write to live threads' lines */
    if (atomic_load_explicit(&t->alive, memory_order_relaxed) == 0 &&
        atomic_compare_exchange_strong_explicit(&t->alive, &dead, 1,
            memory_order_acquire, memory_order_relaxed))
      break;
  }
  if (t) {
    memset(t->pcache, 0, sizeof t->pcache);
  } else {
    t = alloc_lines(sizeof *t);
    if (!t) abort(); /* a few KiB once per thread; nothing sane to do */
    pthread_mutex_init(&t->lk, NULL);
    atomic_store_explicit(&t->alive, 1, memory_order_relaxed);
    wcp__thread *h = atomic_load_explicit(&wcp__S.threads, memory_order_relaxed);
    do t->next = h;
    while (!atomic_compare_exchange_weak_explicit(&wcp__S.threads, &h, t,
               memory_order_release, memory_order_relaxed));
  }
  t->tid = (uint32_t)syscall(SYS_gettid);
  t->current = WCP_NIL;
  pthread_setspecific(exit_key, t);
  wcp__me = t;
  return t;
}

static const char *misuse_name[WCP_MISUSE__COUNT] = {
  "end_out_of_order", "end_twice", "wait_outside_op", "wait_end_twice",
  "link_outside_op",
};

const char *wcp__misuse_name(wcp_misuse kind) { return misuse_name[kind]; }

void wcp__misuse(wcp_misuse kind, uint64_t op_id) {
  atomic_fetch_add_explicit(&wcp__S.misuse[kind], 1, memory_order_relaxed);
  if (__builtin_expect(
          atomic_load_explicit(&wcp__S.abort_on_misuse, memory_order_relaxed),
          0)) {
    if (op_id)
      fprintf(stderr, "wcprof: misuse: %s (op %llu); aborting "
              "(WCPROF_ABORT_ON_MISUSE)\n", misuse_name[kind],
              (unsigned long long)op_id);
    else
      fprintf(stderr, "wcprof: misuse: %s; aborting "
              "(WCPROF_ABORT_ON_MISUSE)\n", misuse_name[kind]);
    abort();
  }
}

uint64_t wcp_misuse_count(wcp_misuse kind) {
  if ((unsigned)kind >= WCP_MISUSE__COUNT) return 0;
  return atomic_load_explicit(&wcp__S.misuse[kind], memory_order_relaxed);
}

static inline int recording(wcp_op ctx) {
  return (ctx.h & WCP__F_RECORD) ||
         atomic_load_explicit(&wcp__S.on, memory_order_relaxed);
}

static inline uint64_t next_id(wcp__thread *t) {
  if (__builtin_expect(t->id_next == t->id_end, 0)) {
    t->id_next = atomic_fetch_add_explicit(&wcp__S.next_id, ID_BLOCK,
                                           memory_order_relaxed);
    t->id_end = t->id_next + ID_BLOCK;
  }
  return t->id_next++;
}

static inline wcp__opr *rec_of(wcp_op op) {
  return (wcp__opr *)(op.h & ~WCP__F_MASK);
}

/* ---- op records ---------------------------------------------------------- */

static wcp__opr *opr_block(wcp__thread *t) {
  wcp__opr_block *b = alloc_lines(sizeof *b);
  if (!b) return NULL;
  for (int i = 0; i < WCP__OPR_BLOCK; i++) {
    b->r[i].owner = t;
    b->r[i].free_next = i + 1 < WCP__OPR_BLOCK ? &b->r[i + 1] : NULL;
  }
  atomic_store_explicit(&b->next,
      atomic_load_explicit(&t->blocks, memory_order_relaxed),
      memory_order_relaxed);
  atomic_store_explicit(&t->blocks, b, memory_order_release);
  return &b->r[0];
}

static inline wcp__opr *opr_alloc(wcp__thread *t) {
  wcp__opr *r = t->free;
  if (__builtin_expect(r == NULL, 0)) {
    r = atomic_exchange_explicit(&t->remote_free, NULL, memory_order_acquire);
    if (!r && !(r = opr_block(t))) return NULL;
  }
  t->free = r->free_next;
  return r;
}

static inline void opr_free(wcp__thread *me, wcp__opr *r) {
  wcp__thread *o = r->owner;
  if (__builtin_expect(o == me, 1)) {
    r->free_next = me->free;
    me->free = r;
    return;
  }
  wcp__opr *h = atomic_load_explicit(&o->remote_free, memory_order_relaxed);
  do r->free_next = h;
  while (!atomic_compare_exchange_weak_explicit(&o->remote_free, &h, r,
             memory_order_release, memory_order_relaxed));
}

/* ---- ops --------------------------------------------------------------------- */

wcp_op wcp__begin(const wcp_op_args *a, wcp_op parent, int nested) {
  wcp__thread *t = wcp__self();
  if (nested) parent = t->current;
  if (!a || !recording(parent)) return WCP_NIL;
  wcp__opr *r = opr_alloc(t);
  if (!r) return WCP_NIL;
  uint64_t id = next_id(t);
  /* seqlock write side: id is 0 here. Fields are release stores (free on
   * x86) so a dumper that reads one of them with acquire also sees the
   * id cleared by the op that last used this record: see dump.c. */
  atomic_store_explicit(&r->parent, parent.id, memory_order_release);
  atomic_store_explicit(&r->result, a->result, memory_order_release);
  atomic_store_explicit(&r->cls, wcp__str(t, a->cls), memory_order_release);
  atomic_store_explicit(&r->ident, wcp__str(t, a->ident), memory_order_release);
  atomic_store_explicit(&r->client, wcp__str(t, a->client), memory_order_release);
  atomic_store_explicit(&r->tid, t->tid, memory_order_release);
  atomic_store_explicit(&r->kind, a->kind, memory_order_release);
  atomic_store_explicit(&r->work, a->work, memory_order_release);
  atomic_store_explicit(&r->hint, 0, memory_order_release);
  r->nested = (uint8_t)nested;
  if (nested) r->prev = t->current;
  atomic_store_explicit(&r->start, wcp__ticks(), memory_order_release);
  atomic_store_explicit(&r->id, id, memory_order_release);
  wcp_op op = {(uintptr_t)r | (parent.h & WCP__F_RECORD), id};
  if (nested) t->current = op;
  return op;
}

/* Ending r out of nesting order on thread t: if r is below t's current op
 * in t's chain of nested ops, splice it out so that the ops above it
 * return to r's parent when they end. */
static void unlink_nested(wcp__thread *t, wcp__opr *r, uint64_t id) {
  wcp_op cur = t->current;
  for (int depth = 0; depth < 10000; depth++) {
    wcp__opr *c = rec_of(cur);
    if (!c || c->owner != t || !c->nested ||
        atomic_load_explicit(&c->id, memory_order_relaxed) != cur.id)
      return;
    if (c->prev.id == id) {
      c->prev = r->prev;
      return;
    }
    cur = c->prev;
  }
}

void wcp__end(wcp_op op, wcp_outcome outcome, uint64_t result, int set_result) {
  uint64_t end = wcp__ticks();
  wcp__opr *r = rec_of(op);
  wcp__thread *t = wcp__self();
  if (atomic_load_explicit(&r->id, memory_order_acquire) != op.id) {
    wcp__misuse(WCP_MISUSE_END_TWICE, op.id);
    return;
  }
  if (r->nested) {
    if (__builtin_expect(t->current.id == op.id, 1)) {
      t->current = r->prev;
    } else {
      wcp__misuse(WCP_MISUSE_END_OUT_OF_ORDER, op.id);
      unlink_nested(t, r, op.id);
    }
  }
  wcp__event *e = wcp__slot(t);
  if (e) {
    e->s = atomic_load_explicit(&r->start, memory_order_relaxed);
    e->d = end;
    e->a = op.id;
    e->p = atomic_load_explicit(&r->parent, memory_order_relaxed);
    e->r = set_result ? result
                      : atomic_load_explicit(&r->result, memory_order_relaxed);
    e->c = atomic_load_explicit(&r->cls, memory_order_relaxed);
    e->i = atomic_load_explicit(&r->ident, memory_order_relaxed);
    e->cl = atomic_load_explicit(&r->client, memory_order_relaxed);
    e->th = atomic_load_explicit(&r->tid, memory_order_relaxed);
    e->type = WCP__EV_OP;
    e->name = atomic_load_explicit(&r->kind, memory_order_relaxed);
    e->work = atomic_load_explicit(&r->work, memory_order_relaxed);
    e->outcome = outcome ? outcome
                         : atomic_load_explicit(&r->hint, memory_order_relaxed);
    e->flags = 0;
    wcp__commit(t); /* before the record is freed: see dump.c */
  }
  atomic_store_explicit(&r->id, 0, memory_order_release);
  opr_free(t, r);
}

/* The record of op if op is still open, else NULL. */
static wcp__opr *open_rec(wcp_op op) {
  wcp__opr *r = rec_of(op);
  if (!r || atomic_load_explicit(&r->id, memory_order_acquire) != op.id)
    return NULL;
  return r;
}

void wcp_op_set_ident(wcp_op op, const char *ident) {
  wcp__opr *r = open_rec(op);
  if (r) atomic_store_explicit(&r->ident, wcp__str(wcp__self(), ident),
                               memory_order_relaxed);
}

void wcp_op_set_result(wcp_op op, uint64_t result) {
  wcp__opr *r = open_rec(op);
  if (r) atomic_store_explicit(&r->result, result, memory_order_relaxed);
}

void wcp_op_set_outcome(wcp_op op, wcp_outcome hint) {
  wcp__opr *r = open_rec(op);
  if (r) atomic_store_explicit(&r->hint, hint, memory_order_relaxed);
}

wcp_outcome wcp_op_outcome(wcp_op op) {
  wcp__opr *r = open_rec(op);
  return r ? atomic_load_explicit(&r->hint, memory_order_relaxed) : 0;
}

uint64_t wcp_record(wcp_op parent, const wcp_op_args *a, wcp_outcome outcome,
                    int64_t start_ns, int64_t end_ns) {
  if (!wcp_active() || !a || !recording(parent)) return 0;
  wcp__thread *t = wcp__self();
  uint64_t id = next_id(t);
  wcp__event *e = wcp__slot(t);
  if (!e) return id; /* dropped, and counted */
  if (start_ns < 0) start_ns = 0;
  e->s = (uint64_t)start_ns;
  e->d = (uint64_t)(end_ns < start_ns ? start_ns : end_ns);
  e->a = id;
  e->p = parent.id;
  e->r = a->result;
  e->c = wcp__str(t, a->cls);
  e->i = wcp__str(t, a->ident);
  e->cl = wcp__str(t, a->client);
  e->th = t->tid;
  e->type = WCP__EV_OP;
  e->name = a->kind;
  e->work = a->work;
  e->outcome = outcome;
  e->flags = WCP__EVF_NS;
  wcp__commit(t);
  return id;
}

int64_t wcp_now(void) {
  if (!wcp_active()) return 0;
  return wcp__mono_ns() - wcp__origin_mono_ns();
}

/* ---- context ----------------------------------------------------------------- */

wcp_op wcp_current(void) {
  return wcp_active() ? wcp__self()->current : WCP_NIL;
}

wcp_op wcp_adopt(wcp_op ctx) {
  if (!wcp_active()) return WCP_NIL;
  wcp__thread *t = wcp__self();
  wcp_op prev = t->current;
  t->current = ctx;
  return prev;
}

wcp_op wcp_recording(wcp_op ctx) {
  wcp__init_once();
  __atomic_store_n(&wcp__gate, 1, __ATOMIC_RELEASE);
  ctx.h |= WCP__F_RECORD;
  return ctx;
}

/* ---- waits and links --------------------------------------------------------- */

wcp_wait wcp__wait_begin(wcp_op waiter, int nested, wcp_reason reason,
                         wcp_op target, const char *resource) {
  wcp_wait w = {0, 0, 0, 0, 0, 0};
  wcp__thread *t = wcp__self();
  if (nested) waiter = t->current;
  if (!recording(waiter)) return w;
  if (waiter.id == 0) {
    wcp__misuse(WCP_MISUSE_WAIT_OUTSIDE_OP, 0);
    return w;
  }
  w.waiter = waiter.id;
  w.target = target.id;
  w.ident = wcp__str(t, resource);
  w.reason = reason;
  w.state = 1;
  w.start = wcp__ticks();
  return w;
}

void wcp__wait_end(wcp_wait *w) {
  if (w->state != 1) {
    wcp__misuse(WCP_MISUSE_WAIT_END_TWICE, w->waiter);
    return;
  }
  uint64_t end = wcp__ticks();
  wcp__thread *t = wcp__self();
  w->state = 2;
  wcp__event *e = wcp__slot(t);
  if (!e) return;
  e->s = w->start;
  e->d = end;
  e->a = w->target;
  e->p = w->waiter;
  e->r = 0;
  e->c = 0;
  e->i = w->ident;
  e->cl = 0;
  e->th = t->tid;
  e->type = WCP__EV_WAIT;
  e->name = w->reason;
  e->work = 0;
  e->outcome = 0;
  e->flags = 0;
  wcp__commit(t);
}

void wcp__link(wcp_op from, int nested, wcp_link_kind kind, wcp_op target,
               const char *ident, uint64_t result) {
  wcp__thread *t = wcp__self();
  if (nested) from = t->current;
  if (!recording(from)) return;
  if (from.id == 0) {
    wcp__misuse(WCP_MISUSE_LINK_OUTSIDE_OP, 0);
    return;
  }
  uint32_t i = wcp__str(t, ident);
  wcp__event *e = wcp__slot(t);
  if (!e) return;
  e->s = e->d = wcp__ticks();
  e->a = target.id;
  e->p = from.id;
  e->r = result;
  e->c = 0;
  e->i = i;
  e->cl = 0;
  e->th = t->tid;
  e->type = WCP__EV_LINK;
  e->name = kind;
  e->work = 0;
  e->outcome = 0;
  e->flags = 0;
  wcp__commit(t);
}

/* ---- scoped-macro helpers ---------------------------------------------------- */

void wcp__scope_end(wcp_op *op) { wcp_end(*op, WCP_OUTCOME_NONE); }
void wcp__scope_wait_end(wcp_wait *w) { wcp_wait_end(w); }
void wcp__scope_restore(wcp_op *prev) { wcp_adopt(*prev); }
