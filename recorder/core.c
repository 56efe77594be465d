/*
 * core.c - the recording calls: ops, waits, links, the thread's current
 * op, scoped recording, misuse counting, the per-thread state, and what
 * fork and unloading the library do to them.
 *
 * Every call here is reached only after the inline gate in wcprof.h found
 * the recorder active (or on a non-nil handle). The common path takes no
 * lock, allocates nothing and uses no atomic read-modify-write: a thread's
 * state is found through one TLS pointer, op ids come from a per-thread
 * block, op records from a per-thread free list, and events go into the
 * thread's current chunk (buffer.c).
 *
 * Who ends an op. An op begun with wcp_begin/_ex ("nested") is on its
 * thread's chain of current ops; only that thread ever ends it, with
 * plain stores (wcp_end's fast path: the op is the thread's current op,
 * marked WCP__F_OWN). Another thread that ends it (misuse, counted as
 * end_other_thread) posts the end, with its time, to the owner's mailbox;
 * the owner applies it at its next recording call (or when it exits, or a
 * dump finds it dead), so it alone decides which end wins and keeps its
 * chain straight. An op begun with wcp_begin_in may end on any thread:
 * an end claims its record with a compare-and-swap of `id` (to id |
 * WCP__CLOSING), so of two racing ends exactly one is recorded and the
 * other counted as end_twice, and nothing else is touched.
 */
#define _GNU_SOURCE /* gettid via syscall */
#include "wcp_internal.h"

#include <errno.h>
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
    .cap = 4194304,
    .budget = 4194304,
    .max_chunks = (4194304 + WCP_CHUNK_EVENTS - 1) / WCP_CHUNK_EVENTS,
#ifdef WCPROF_ABORT_ON_MISUSE
    .abort_on_misuse = 1,
#endif
};
int wcp__gate;
__thread wcp__thread *wcp__me __attribute__((tls_model("initial-exec")));

static pthread_once_t init_guard = PTHREAD_ONCE_INIT;
static pthread_key_t exit_key;
static int exit_key_made;

#define ID_BLOCK 4096
#define WAIT_ENDED ((uint64_t)1 << 63)

/* The end of a thread's mailbox list: NULL, or, where there is no TSC,
 * mail_stop, so the fast paths' one test "mailbox not NULL" also sends
 * them to the slow paths, which read the clock (no second test there). */
static wcp__mail mail_stop;
static inline wcp__mail *mail_end(void)
{
    return wcp__use_tsc ? NULL : &mail_stop;
}
/* Whether ends were posted to t (slow paths). */
static inline int mail_pending(wcp__thread *t)
{
    return atomic_load_explicit(&t->mail, memory_order_relaxed) != mail_end();
}

/* Zeroed memory aligned to align (a power of two, a multiple of the
 * cache line; size rounded up to it). */
static void *alloc_aligned(size_t align, size_t size)
{
    size = (size + align - 1) & ~(align - 1);
    void *p = aligned_alloc(align, size);
    if (p)
        memset(p, 0, size);
    return p;
}

static void fork_prepare(void);
static void fork_parent(void);
static void fork_child(void);

/* ---- threads ---------------------------------------------------------- */

/* TLS destructor: requested ends are applied, the unused grant given
 * back; the thread's state stays (its events still need dumping) and may
 * be adopted by a thread started later. */
static void thread_exit(void *p)
{
    wcp__thread *t = p;
    if (mail_pending(t))
        wcp__mail_run(t);
    wcp__thread_credit_return(t);
    if (t->nlive_counted) {
        atomic_fetch_sub_explicit(&wcp__S.nlive, 1, memory_order_relaxed);
        t->nlive_counted = 0;
    }
    t->current = WCP_NIL;
    wcp__me = NULL;
    atomic_store_explicit(&t->alive, 0, memory_order_release);
}

static void init(void)
{
    wcp__clock_init();
    wcp__buffer_init();
    if (pthread_key_create(&exit_key, thread_exit) == 0)
        exit_key_made = 1;
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void wcp__init_once(void)
{
    pthread_once(&init_guard, init);
}

/* Reads the environment at start-up (control.c); lives here because this
 * object is linked into every program that records anything. */
__attribute__((constructor)) static void from_env(void)
{
    wcp__from_env();
}

/* Unloading (dlclose of a shared library that contains libwcprof, and
 * process exit): no thread of ours may run the library's code once it is
 * unmapped. The pre-fault and signal helper threads are stopped and
 * joined, the signal's previous action restored, and the TLS destructor
 * unregistered. Recording calls after this point are the program's bug
 * (the code is gone). pthread_atfork and atexit handlers of a shared
 * library are unregistered by the C library itself. */
__attribute__((destructor)) static void unload(void)
{
    wcp__buffer_unload();
    wcp__control_unload();
    if (exit_key_made) {
        wcp__thread *t = wcp__me;
        if (t)
            thread_exit(t); /* this thread will not get the destructor */
        pthread_key_delete(exit_key);
        exit_key_made = 0;
    }
}

wcp__thread *wcp__self_slow(void)
{
    wcp__init_once();
    wcp__thread *t;
    for (t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t; t = t->next) {
        int dead = 0; /* plain load first: no write to live threads' lines */
        if (atomic_load_explicit(&t->alive, memory_order_relaxed) == 0 &&
            atomic_compare_exchange_strong_explicit(&t->alive, &dead, 1, memory_order_acquire,
                                                    memory_order_relaxed))
            break;
    }
    if (t) {
        memset(t->pcache, 0, sizeof t->pcache);
    } else {
        t = alloc_aligned(WCP__CACHE_LINE, sizeof *t);
        if (!t)
            abort(); /* a few KiB once per thread; nothing sane to do */
        pthread_mutex_init(&t->lk, NULL);
        atomic_store_explicit(&t->alive, 1, memory_order_relaxed);
        wcp__thread *h = atomic_load_explicit(&wcp__S.threads, memory_order_relaxed);
        do
            t->next = h;
        while (!atomic_compare_exchange_weak_explicit(&wcp__S.threads, &h, t, memory_order_release,
                                                      memory_order_relaxed));
    }
    t->tid = (uint32_t)syscall(SYS_gettid);
    t->current = WCP_NIL;
    t->nlive_counted = 1;
    atomic_fetch_add_explicit(&wcp__S.nlive, 1, memory_order_relaxed);
    if (exit_key_made)
        pthread_setspecific(exit_key, t);
    wcp__me = t;
    wcp__mail_run(t); /* ends requested after the last owner exited; and the
                       mailbox's end marker, see mail_end */
    wcp__signal_restart();
    return t;
}

/* ---- misuse -------------------------------------------------------------- */

static const char *misuse_name[WCP_MISUSE__COUNT] = {
    "end_out_of_order", "end_twice",      "wait_outside_op", "wait_end_twice", "link_outside_op",
    "end_other_thread", "wait_no_target", "adopt_ended",     "string_changed",
};

const char *wcp__misuse_name(wcp_misuse kind)
{
    return misuse_name[kind];
}

void wcp__misuse(wcp_misuse kind, uint64_t op_id)
{
    atomic_fetch_add_explicit(&wcp__S.misuse[kind], 1, memory_order_relaxed);
    if (__builtin_expect(atomic_load_explicit(&wcp__S.abort_on_misuse, memory_order_relaxed), 0)) {
        if (op_id)
            fprintf(stderr,
                    "wcprof: misuse: %s (op %llu); aborting "
                    "(WCPROF_ABORT_ON_MISUSE)\n",
                    misuse_name[kind], (unsigned long long)op_id);
        else
            fprintf(stderr,
                    "wcprof: misuse: %s; aborting "
                    "(WCPROF_ABORT_ON_MISUSE)\n",
                    misuse_name[kind]);
        abort();
    }
}

uint64_t wcp_misuse_count(wcp_misuse kind)
{
    if ((unsigned)kind >= WCP_MISUSE__COUNT)
        return 0;
    return atomic_load_explicit(&wcp__S.misuse[kind], memory_order_relaxed);
}

/* ---- small helpers --------------------------------------------------------- */

static inline int recording(wcp_op ctx)
{
    return (ctx.h & WCP__F_RECORD) || atomic_load_explicit(&wcp__S.on, memory_order_relaxed);
}

static __attribute__((noinline)) uint64_t id_block(wcp__thread *t)
{
    t->id_next = atomic_fetch_add_explicit(&wcp__S.next_id, ID_BLOCK, memory_order_relaxed);
    t->id_end = t->id_next + ID_BLOCK;
    return t->id_next;
}

static inline uint64_t next_id(wcp__thread *t)
{
    uint64_t id = t->id_next;
    if (__builtin_expect(id == t->id_end, 0))
        id = id_block(t);
    t->id_next = id + 1;
    return id;
}

/* A handle as handed to the program: without the thread-private flag. */
static inline wcp_op public_op(wcp_op op)
{
    op.h &= ~WCP__F_OWN;
    return op;
}

static inline uint64_t prev_id_of(wcp__opr *r, uint64_t meta)
{
    return meta & WCP__META_SPLICED ? r->prev_id
                                    : atomic_load_explicit(&r->parent, memory_order_relaxed);
}

/* ---- op records ---------------------------------------------------------- */

static wcp__opr *opr_refill(wcp__thread *t)
{
    wcp__opr *r = atomic_exchange_explicit(&t->remote_free, NULL, memory_order_acquire);
    if (r)
        return r;
    wcp__opr_block *b = alloc_aligned(WCP__OPR_BLOCK_BYTES, sizeof *b);
    if (!b) {
        wcp__drop(t, WCP_DROP_OOM, 1); /* the op's event will never exist */
        return NULL;
    }
    b->owner = t;
    for (size_t i = 0; i < WCP__OPR_PER_BLOCK; i++)
        b->r[i].link = i + 1 < WCP__OPR_PER_BLOCK ? (uintptr_t)&b->r[i + 1] : 0;
    atomic_store_explicit(&b->next, atomic_load_explicit(&t->blocks, memory_order_relaxed),
                          memory_order_relaxed);
    atomic_store_explicit(&t->blocks, b, memory_order_release);
    return &b->r[0];
}

static inline wcp__opr *opr_alloc(wcp__thread *t)
{
    wcp__opr *r = t->free;
    if (__builtin_expect(r == NULL, 0) && !(r = opr_refill(t)))
        return NULL;
    t->free = (wcp__opr *)r->link;
    return r;
}

/* Gives back a record whose id was cleared, to its owner. */
static inline void opr_free(wcp__thread *me, wcp__opr *r)
{
    wcp__thread *o = wcp__block_of(r)->owner;
    if (__builtin_expect(o == me, 1)) {
        r->link = (uintptr_t)me->free;
        me->free = r;
        return;
    }
    wcp__opr *h = atomic_load_explicit(&o->remote_free, memory_order_relaxed);
    do
        r->link = (uintptr_t)h;
    while (!atomic_compare_exchange_weak_explicit(&o->remote_free, &h, r, memory_order_release,
                                                  memory_order_relaxed));
}

/* ---- ops --------------------------------------------------------------------- */

/* Fills the op record r for op id: seqlock write side (id is 0 here).
 * Fields are release stores (free on x86) so a dumper that reads one of
 * them with acquire also sees the id cleared by the op that last used
 * this record: see dump.c. */
static inline void opr_fill(wcp__opr *r, uint64_t parent, uint64_t result, uint64_t ci,
                            uint64_t clt, uint64_t meta)
{
    atomic_store_explicit(&r->parent, parent, memory_order_release);
    atomic_store_explicit(&r->result, result, memory_order_release);
    atomic_store_explicit(&r->ci, ci, memory_order_release);
    atomic_store_explicit(&r->clt, clt, memory_order_release);
    atomic_store_explicit(&r->meta, meta, memory_order_release);
}

static __attribute__((noinline)) wcp_op begin_k_slow(wcp_kind kind, const char *cls)
{
    wcp_op_args a = {kind, 0, cls, NULL, NULL, 0};
    return wcp__begin(&a, WCP_NIL, 1);
}

/* wcp_begin(kind, cls), the common case: every condition of the fast
 * path is checked first, and anything else (no thread state yet, ends
 * posted by other threads, no free record, a new block of ids, a string
 * not in the thread's cache, no TSC) is left to wcp__begin, so this is a
 * leaf function (no registers to save). */
wcp_op wcp__begin_k(wcp_kind kind, const char *cls)
{
    wcp__thread *t = wcp__me;
    if (__builtin_expect(t == NULL, 0))
        return begin_k_slow(kind, cls);
    wcp__opr *r = t->free;
    uint64_t id = t->id_next;
    uint32_t k = wcp__pcache_slot(cls);
    if (__builtin_expect(r == NULL || id == t->id_end || t->pcache[k].p != cls ||
                             atomic_load_explicit(&t->mail, memory_order_relaxed) != NULL,
                         0))
        return begin_k_slow(kind, cls);
    wcp_op parent = t->current;
    if (!recording(parent))
        return WCP_NIL;
    t->free = (wcp__opr *)r->link;
    t->id_next = id + 1;
    opr_fill(r, parent.id, 0, t->pcache[k].id, (uint64_t)t->tid << 32,
             WCP__EV_OP | (uint64_t)kind << 8 | WCP__META_NESTED);
    r->link = parent.h;
    atomic_store_explicit(&r->start, wcp__rdtsc(), memory_order_release);
    atomic_store_explicit(&r->id, id, memory_order_release);
    uintptr_t h = (uintptr_t)r | (parent.h & WCP__F_RECORD);
    t->current = (wcp_op){h | WCP__F_OWN, id};
    return (wcp_op){h, id};
}

wcp_op wcp__begin(const wcp_op_args *a, wcp_op parent, int nested)
{
    wcp__thread *t = wcp__self();
    if (mail_pending(t))
        wcp__mail_run(t);
    if (nested)
        parent = t->current;
    if (!a || !recording(parent))
        return WCP_NIL;
    wcp__opr *r = opr_alloc(t);
    if (!r)
        return WCP_NIL;
    uint64_t id = next_id(t);
    uint64_t ci = wcp__str(t, a->cls) | (uint64_t)wcp__str(t, a->ident) << 32;
    uint64_t clt = wcp__str(t, a->client) | (uint64_t)t->tid << 32;
    opr_fill(r, parent.id, a->result, ci, clt,
             WCP__EV_OP | (uint64_t)a->kind << 8 | (uint64_t)a->work << 16 |
                 (nested ? WCP__META_NESTED : 0));
    r->link = parent.h;
    atomic_store_explicit(&r->start, wcp__ticks(), memory_order_release);
    atomic_store_explicit(&r->id, id, memory_order_release);
    uintptr_t h = (uintptr_t)r | (parent.h & WCP__F_RECORD);
    if (nested)
        t->current = (wcp_op){h | WCP__F_OWN, id};
    return (wcp_op){h, id};
}

/* The op event of record r (op id, its meta m), ended at ticks end. */
static inline void op_event(wcp__event *e, wcp__opr *r, uint64_t m, uint64_t id, uint64_t end,
                            wcp_outcome outcome, uint64_t result, int set_result)
{
    e->s = atomic_load_explicit(&r->start, memory_order_relaxed);
    e->d = end;
    e->a = id;
    e->p = atomic_load_explicit(&r->parent, memory_order_relaxed);
    e->r = set_result ? result : atomic_load_explicit(&r->result, memory_order_relaxed);
    e->ci = atomic_load_explicit(&r->ci, memory_order_relaxed);
    e->clt = atomic_load_explicit(&r->clt, memory_order_relaxed);
    e->tail = outcome ? (m & ~(uint64_t)0xff000000) | (uint64_t)outcome << 24
                      : m; /* the hint; the record's flag bits land in
                                            the flags byte, unread */
}

/* Writes r's event into t's buffer (before the record is freed: see
 * dump.c), then frees the record. */
static inline void op_finish(wcp__thread *t, wcp__opr *r, uint64_t id, uint64_t end,
                             wcp_outcome outcome, uint64_t result, int set_result)
{
    wcp__event *e = wcp__slot(t);
    if (e) {
        op_event(e, r, atomic_load_explicit(&r->meta, memory_order_relaxed), id, end, outcome,
                 result, set_result);
        wcp__commit(t);
    }
    atomic_store_explicit(&r->id, 0, memory_order_release);
    opr_free(t, r);
}

/* Whether the handle cur names t's own nested op, open. */
static int own_open_nested(wcp__thread *t, wcp_op cur)
{
    wcp__opr *c = wcp__rec_of(cur);
    return c && wcp__block_of(c)->owner == t &&
           (atomic_load_explicit(&c->meta, memory_order_relaxed) & WCP__META_NESTED) &&
           atomic_load_explicit(&c->id, memory_order_relaxed) == cur.id;
}

/* Takes t's own nested op r (op id) out of t's chain of current ops: if
 * it is the current op, its previous op becomes current; if it is below
 * the current op, the op above it returns to r's previous op when it
 * ends. (Owner only.) */
static void unlink_nested(wcp__thread *t, wcp__opr *r, uint64_t id)
{
    uint64_t rm = atomic_load_explicit(&r->meta, memory_order_relaxed);
    uintptr_t rlink = r->link;
    uint64_t rprev = prev_id_of(r, rm);
    wcp_op cur = t->current;
    if (cur.id == id) {
        t->current = (wcp_op){rlink, rprev};
        return;
    }
    for (int depth = 0; depth < 100000; depth++) {
        if (!own_open_nested(t, cur))
            return;
        wcp__opr *c = wcp__rec_of(cur);
        uint64_t cm = atomic_load_explicit(&c->meta, memory_order_relaxed);
        uint64_t pid = prev_id_of(c, cm);
        if (pid == id) {
            c->link = rlink;
            c->prev_id = rprev;
            atomic_fetch_or_explicit(&c->meta, WCP__META_SPLICED, memory_order_relaxed);
            return;
        }
        cur = (wcp_op){c->link, pid};
    }
}

/* Asks op's owner o to end it (see the top of this file). */
static void mail_post(wcp__thread *o, wcp_op op, uint64_t end, wcp_outcome outcome, uint64_t result,
                      int set_result)
{
    wcp__misuse(WCP_MISUSE_END_OTHER_THREAD, op.id);
    wcp__mail *m = malloc(sizeof *m);
    if (!m)
        return; /* the op stays open; the misuse is counted */
    *m = (wcp__mail){NULL, public_op(op), end, result, outcome, (uint8_t)set_result};
    wcp__mail *h = atomic_load_explicit(&o->mail, memory_order_relaxed);
    do
        m->next = h;
    while (!atomic_compare_exchange_weak_explicit(&o->mail, &h, m, memory_order_release,
                                                  memory_order_relaxed));
}

void wcp__mail_run(wcp__thread *t)
{
    wcp__mail *m = atomic_exchange_explicit(&t->mail, mail_end(), memory_order_acquire);
    wcp__mail *fifo = NULL;
    while (m && m != &mail_stop) { /* oldest first */
        wcp__mail *next = m->next;
        m->next = fifo;
        fifo = m;
        m = next;
    }
    for (m = fifo; m; m = fifo) {
        fifo = m->next;
        wcp__opr *r = wcp__rec_of(m->op);
        if (atomic_load_explicit(&r->id, memory_order_acquire) == m->op.id) {
            unlink_nested(t, r, m->op.id);
            op_finish(t, r, m->op.id, m->end, m->outcome, m->result, m->set_result);
        } else {
            wcp__misuse(WCP_MISUSE_END_TWICE, m->op.id); /* its own end won */
        }
        free(m);
    }
}

void wcp__mail_run_dead(void)
{
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next) {
        int dead = 0;
        if (!mail_pending(t) || atomic_load_explicit(&t->alive, memory_order_relaxed) != 0 ||
            !atomic_compare_exchange_strong_explicit(&t->alive, &dead, 1, memory_order_acquire,
                                                     memory_order_relaxed))
            continue;
        wcp__mail_run(t);
        wcp__thread_credit_return(t);
        atomic_store_explicit(&t->alive, 0, memory_order_release);
    }
}

/* Every end but the fast path's: the op is not this thread's current
 * op, or ends were posted to this thread, or its buffer needs a grant. */
static __attribute__((noinline)) void end_any(wcp_op op, wcp_outcome outcome, uint64_t result,
                                              int set_result, uint64_t end)
{
    wcp__thread *t = wcp__self();
    if (mail_pending(t))
        wcp__mail_run(t);
    wcp__opr *r = wcp__rec_of(op);
    wcp_op cur = t->current;
    if (cur.id == op.id && cur.h == (op.h | WCP__F_OWN) &&
        atomic_load_explicit(&r->id, memory_order_relaxed) == op.id) {
        /* this thread's own current op: nobody else ends it */
        uint64_t m = atomic_load_explicit(&r->meta, memory_order_relaxed);
        t->current = (wcp_op){r->link, prev_id_of(r, m)};
        op_finish(t, r, op.id, end, outcome, result, set_result);
        return;
    }
    uint64_t id = atomic_load_explicit(&r->id, memory_order_acquire);
    if (id != op.id) { /* ended, or being ended by another thread */
        wcp__misuse(WCP_MISUSE_END_TWICE, op.id);
        return;
    }
    if (atomic_load_explicit(&r->meta, memory_order_relaxed) & WCP__META_NESTED) {
        wcp__thread *o = wcp__block_of(r)->owner;
        if (o != t) {
            mail_post(o, op, end, outcome, result, set_result);
            return;
        }
        /* ours, but not the current op: out of nesting order (holds may
         * be released in any order: hand over hand is no misuse) */
        if (((atomic_load_explicit(&r->meta, memory_order_relaxed) >> 8) & 0xff) != WCP_KIND_HOLD)
            wcp__misuse(WCP_MISUSE_END_OUT_OF_ORDER, op.id);
        unlink_nested(t, r, op.id);
        op_finish(t, r, op.id, end, outcome, result, set_result);
        return;
    }
    /* a wcp_begin_in op: the end that claims the record wins */
    if (!atomic_compare_exchange_strong_explicit(&r->id, &id, id | WCP__CLOSING,
                                                 memory_order_acquire, memory_order_relaxed)) {
        wcp__misuse(WCP_MISUSE_END_TWICE, op.id);
        return;
    }
    op_finish(t, r, op.id, end, outcome, result, set_result);
}

static __attribute__((noinline)) void end_now(wcp_op op, wcp_outcome outcome, uint64_t result,
                                              int set_result)
{
    end_any(op, outcome, result, set_result, wcp__ticks());
}

/* wcp_end's fast path: this thread's own current op (nobody else ends
 * it), no ends posted to this thread, room in its buffer, a TSC. A leaf
 * function: anything else goes to end_any. */
static inline __attribute__((always_inline)) void
end_fast(uintptr_t h, uint64_t id, wcp_outcome outcome, uint64_t result, int set_result)
{
    wcp_op op = {h, id};
    wcp__thread *t = wcp__me;
    if (__builtin_expect(t == NULL || atomic_load_explicit(&t->mail, memory_order_relaxed) != NULL,
                         0)) {
        end_now(op, outcome, result, set_result);
        return;
    }
    uint64_t end = wcp__rdtsc();
    wcp_op cur = t->current;
    uint32_t n = t->n;
    wcp__opr *r = wcp__rec_of(op);
    /* (the record's id too: a current op restored from a stale handle,
   * e.g. by adopting ops of the thread's own chain out of order, must
   * not end a record that already ended or serves another op) */
    if (__builtin_expect(cur.id != op.id || cur.h != (op.h | WCP__F_OWN) || n >= t->lim ||
                             atomic_load_explicit(&r->id, memory_order_relaxed) != op.id,
                         0)) {
        end_any(op, outcome, result, set_result, end);
        return;
    }
    uint64_t m = atomic_load_explicit(&r->meta, memory_order_relaxed);
    op_event(&t->ev[n], r, m, op.id, end, outcome, result, set_result);
    t->n = n + 1;
    atomic_store_explicit(&t->cur->committed, n + 1, memory_order_release);
    t->current = (wcp_op){r->link, prev_id_of(r, m)};
    atomic_store_explicit(&r->id, 0, memory_order_release); /* after the event */
    r->link = (uintptr_t)t->free;
    t->free = r;
}

void wcp__end(uintptr_t h, uint64_t id, wcp_outcome outcome)
{
    end_fast(h, id, outcome, 0, 0);
}

void wcp__end_result(uintptr_t h, uint64_t id, wcp_outcome outcome, uint64_t result)
{
    end_fast(h, id, outcome, result, 1);
}

/* The record of op if op is still open, else NULL. */
static wcp__opr *open_rec(wcp_op op)
{
    wcp__opr *r = wcp__rec_of(op);
    if (!r || atomic_load_explicit(&r->id, memory_order_acquire) != op.id)
        return NULL;
    return r;
}

void wcp__op_set_ident(wcp_op op, const char *ident)
{
    wcp__opr *r = open_rec(op);
    if (!r)
        return;
    uint64_t i = wcp__str(wcp__self(), ident);
    uint64_t ci = atomic_load_explicit(&r->ci, memory_order_relaxed);
    atomic_store_explicit(&r->ci, (ci & 0xffffffffu) | i << 32, memory_order_relaxed);
}

/* Replaces the bits of mask in r's meta word with bits: one atomic step, as
 * another thread may set another field of the word meanwhile (the outcome,
 * the metadata id, or the owner's WCP__META_SPLICED when it ends ops out of
 * order). */
static void meta_put(wcp__opr *r, uint64_t mask, uint64_t bits)
{
    uint64_t m = atomic_load_explicit(&r->meta, memory_order_relaxed);
    while (!atomic_compare_exchange_weak_explicit(&r->meta, &m, (m & ~mask) | bits,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

void wcp__op_set_meta(wcp_op op, const char *meta)
{
    wcp__opr *r = open_rec(op);
    if (!r)
        return;
    uint64_t id = wcp__str(wcp__self(), meta);
    meta_put(r, WCP__M_MASK, id << WCP__M_SHIFT);
}

void wcp__op_set_result(wcp_op op, uint64_t result)
{
    wcp__opr *r = open_rec(op);
    if (r)
        atomic_store_explicit(&r->result, result, memory_order_relaxed);
}

void wcp__op_set_outcome(wcp_op op, wcp_outcome hint)
{
    wcp__opr *r = open_rec(op);
    if (!r)
        return;
    meta_put(r, (uint64_t)0xff000000, (uint64_t)hint << 24);
}

wcp_outcome wcp__op_outcome(wcp_op op)
{
    wcp__opr *r = open_rec(op);
    return r ? (atomic_load_explicit(&r->meta, memory_order_relaxed) >> 24) & 0xff : 0;
}

uint64_t wcp__record(wcp_op parent, const wcp_op_args *a, wcp_outcome outcome, int64_t start_ns,
                     int64_t end_ns)
{
    if (!a || !recording(parent))
        return 0;
    wcp__thread *t = wcp__self();
    uint64_t id = next_id(t);
    wcp__event *e = wcp__slot(t);
    if (!e)
        return id; /* dropped, and counted */
    if (start_ns < 0)
        start_ns = 0;
    e->s = (uint64_t)start_ns;
    e->d = (uint64_t)(end_ns < start_ns ? start_ns : end_ns);
    e->a = id;
    e->p = parent.id;
    e->r = a->result;
    e->c = wcp__str(t, a->cls);
    e->i = wcp__str(t, a->ident);
    e->cl = wcp__str(t, a->client);
    e->th = t->tid;
    e->tail = WCP__EV_OP | (uint32_t)a->kind << 8 | (uint32_t)a->work << 16 |
              (uint32_t)outcome << 24 | (uint64_t)WCP__EVF_NS << 32;
    wcp__commit(t);
    return id;
}

int64_t wcp__now(void)
{
    return wcp__mono_ns() - wcp__origin_mono_ns();
}

/* ---- context ----------------------------------------------------------------- */

wcp_op wcp__current(void)
{
    wcp__thread *t = wcp__self();
    if (mail_pending(t))
        wcp__mail_run(t);
    return public_op(t->current);
}

wcp_op wcp__adopt(wcp_op ctx, int check)
{
    wcp__thread *t = wcp__self();
    if (mail_pending(t))
        wcp__mail_run(t);
    wcp_op prev = public_op(t->current);
    ctx = public_op(ctx);
    wcp__opr *r = wcp__rec_of(ctx);
    if (r) {
        uint64_t id = atomic_load_explicit(&r->id, memory_order_acquire);
        if ((id & ~WCP__CLOSING) != ctx.id) {
            if (check)
                wcp__misuse(WCP_MISUSE_ADOPT_ENDED, ctx.id);
        } else if (own_open_nested(t, ctx)) {
            ctx.h |= WCP__F_OWN; /* ours again: wcp_end's fast path may end it */
        }
    }
    t->current = ctx;
    return prev;
}

wcp_op wcp__recording(wcp_op ctx)
{
    wcp__init_once();
    __atomic_store_n(&wcp__gate, 1, __ATOMIC_RELEASE);
    ctx = public_op(ctx);
    ctx.h |= WCP__F_RECORD;
    return ctx;
}

/* ---- waits and links --------------------------------------------------------- */

/* A wait's state lives in its thread's wait slots (slot seq % WSLOTS):
 * seq while it waits, seq | WAIT_ENDED once ended, so a copy of the
 * wcp_wait ended again finds it ended. A slot taken over by a wait
 * WCP__WSLOTS newer says nothing about the old one (then it is recorded);
 * 0 means the slot was cleared by fork (a wait of the parent's run: not
 * recorded). */
wcp_wait wcp__wait_begin(wcp_op waiter, int nested, wcp_reason reason, wcp_op target,
                         const char *resource)
{
    wcp_wait w = WCP__WAIT_NIL;
    wcp__thread *t = wcp__self();
    if (nested) {
        if (mail_pending(t))
            wcp__mail_run(t);
        waiter = t->current;
    }
    if (!recording(waiter))
        return w;
    if (waiter.id == 0) {
        wcp__misuse(WCP_MISUSE_WAIT_OUTSIDE_OP, 0);
        return w;
    }
    uint64_t seq = ++t->wseq;
    _Atomic uint64_t *slot = &t->wslot[seq % WCP__WSLOTS];
    atomic_store_explicit(slot, seq, memory_order_relaxed);
    w.waiter = waiter.id;
    w.target = target.id;
    w.ident = wcp__str(t, resource);
    w.reason = reason;
    w.tok = seq;
    w.slot = (void *)slot;
    w.state = 1;
    w.start = wcp__ticks();
    return w;
}

void wcp__wait_end(wcp_wait *w)
{
    if (w->state != 1) {
        wcp__misuse(WCP_MISUSE_WAIT_END_TWICE, w->waiter);
        return;
    }
    uint64_t end = wcp__ticks();
    w->state = 2;
    _Atomic uint64_t *slot = w->slot;
    uint64_t seen = w->tok;
    if (!atomic_compare_exchange_strong_explicit(slot, &seen, w->tok | WAIT_ENDED,
                                                 memory_order_relaxed, memory_order_relaxed)) {
        if (seen == (w->tok | WAIT_ENDED)) { /* a copy of it ended it */
            wcp__misuse(WCP_MISUSE_WAIT_END_TWICE, w->waiter);
            return;
        }
        if (seen == 0)
            return; /* begun in the parent of a forked child */
    }
    if (w->target == 0 && w->ident == 0)
        wcp__misuse(WCP_MISUSE_WAIT_NO_TARGET, w->waiter);
    wcp__thread *t = wcp__self();
    wcp__event *e = wcp__slot(t);
    if (!e)
        return;
    e->s = w->start;
    e->d = end;
    e->a = w->target;
    e->p = w->waiter;
    e->r = 0;
    e->c = 0;
    e->i = w->ident;
    e->cl = 0;
    e->th = t->tid;
    e->tail = WCP__EV_WAIT | (uint32_t)w->reason << 8;
    wcp__commit(t);
}

void wcp__link(wcp_op from, int nested, wcp_link_kind kind, wcp_op target, const char *ident,
               uint64_t result)
{
    wcp__thread *t = wcp__self();
    if (nested) {
        if (mail_pending(t))
            wcp__mail_run(t);
        from = t->current;
    }
    if (!recording(from))
        return;
    if (from.id == 0) {
        wcp__misuse(WCP_MISUSE_LINK_OUTSIDE_OP, 0);
        return;
    }
    uint32_t i = wcp__str(t, ident);
    wcp__event *e = wcp__slot(t);
    if (!e)
        return;
    e->s = e->d = wcp__ticks();
    e->a = target.id;
    e->p = from.id;
    e->r = result;
    e->c = 0;
    e->i = i;
    e->cl = 0;
    e->th = t->tid;
    e->tail = WCP__EV_LINK | (uint32_t)kind << 8;
    wcp__commit(t);
}

/* ---- holds ------------------------------------------------------------------- */

/* A hold (wcprof.h): an op of kind hold, class the resource, a child of
 * the holder (nested: the thread's current op, and it becomes current).
 * Nothing is recorded outside an op: a lock taken outside any op is not
 * misuse, and a hold that was a root would sit in the chain of roots. */
wcp_op wcp__hold_begin(wcp_op holder, int nested, const char *resource, unsigned flags)
{
    if (nested) {
        wcp__thread *t = wcp__me;
        if (!t)
            return WCP_NIL; /* this thread never began an op: no current op */
        if (mail_pending(t))
            wcp__mail_run(t);
        if (t->current.id == 0)
            return WCP_NIL;
        if (!(flags & (WCP_HOLD_SHARED | WCP_HOLD_SLOT)))
            return wcp__begin_k(WCP_KIND_HOLD, resource);
    } else if (holder.id == 0) {
        return WCP_NIL;
    }
    const char *ident = (flags & WCP_HOLD_SHARED) ? "shared"
                        : (flags & WCP_HOLD_SLOT) ? "slot"
                                                  : NULL;
    wcp_op_args a = {WCP_KIND_HOLD, 0, resource, ident, NULL, 0};
    return wcp__begin(&a, holder, nested);
}

/* wcp_signal: a hold of zero length, now, by the current op (none
 * outside any op). */
void wcp__signal(const char *resource)
{
    wcp__thread *t = wcp__me;
    if (!t || t->current.id == 0)
        return;
    wcp_op_args a = {WCP_KIND_HOLD, 0, resource, "signal", NULL, 0};
    int64_t now = wcp__now();
    wcp__record(t->current, &a, WCP_OUTCOME_NONE, now, now);
}

/* The lock wait of the current op on resource, if there is a current op
 * (outside any op nothing is recorded, and that is no misuse). */
static wcp_wait lock_wait_begin(const char *resource)
{
    wcp__thread *t = wcp__me;
    if (!t || t->current.id == 0)
        return (wcp_wait){0};
    return wcp__wait_begin(WCP_NIL, 1, WCP_REASON_LOCK, WCP_NIL, resource);
}

/* Try first: the wait is recorded only when the lock is busy. The wait
 * ends once the lock is ours, and the hold begins after it, so the hold
 * never starts before the wait that led to it ended. */
int wcp__lock(pthread_mutex_t *mu, const char *resource, wcp_op *hold)
{
    int rc = pthread_mutex_trylock(mu);
    if (rc == EBUSY) {
        wcp_wait w = lock_wait_begin(resource);
        rc = pthread_mutex_lock(mu);
        wcp_wait_end(&w);
    }
    *hold = rc == 0 ? wcp__hold_begin(WCP_NIL, 1, resource, 0) : WCP_NIL;
    return rc;
}

int wcp__rwlock(pthread_rwlock_t *rw, int write, const char *resource, wcp_op *hold)
{
    int rc = write ? pthread_rwlock_trywrlock(rw) : pthread_rwlock_tryrdlock(rw);
    if (rc == EBUSY) {
        wcp_wait w = lock_wait_begin(resource);
        rc = write ? pthread_rwlock_wrlock(rw) : pthread_rwlock_rdlock(rw);
        wcp_wait_end(&w);
    }
    *hold = rc == 0 ? wcp__hold_begin(WCP_NIL, 1, resource, write ? 0 : WCP_HOLD_SHARED) : WCP_NIL;
    return rc;
}

int wcp__sem_wait(sem_t *sem, const char *resource, wcp_op *hold)
{
    int rc;
    while ((rc = sem_trywait(sem)) != 0 && errno == EINTR)
        ;
    if (rc != 0 && errno == EAGAIN) {
        wcp_wait w = lock_wait_begin(resource);
        while ((rc = sem_wait(sem)) != 0 && errno == EINTR)
            ;
        int e = errno;
        wcp_wait_end(&w);
        errno = e;
    }
    *hold = rc == 0 ? wcp__hold_begin(WCP_NIL, 1, resource, WCP_HOLD_SLOT) : WCP_NIL;
    return rc;
}

/* ---- fork -------------------------------------------------------------------- */

/* Every lock of the recorder is held across fork (or, for the dump lock,
 * re-made in the child), so the child never inherits one held by a
 * thread that does not exist there. Order: each thread's lk (a dump
 * holds at most one at a time and a ring-mode owner only tries them),
 * then the string and name tables, then the buffer memory's locks. The
 * dump lock is not waited for: a dump in progress in the parent may take
 * long (a slow disk, a pipe), and in the child it simply never happened
 * (its chunks are dropped with the rest). */
static void fork_prepare(void)
{
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next)
        pthread_mutex_lock(&t->lk);
    wcp__strings_fork_prepare();
    wcp__buffer_fork_prepare();
}

static void fork_parent(void)
{
    wcp__buffer_fork_parent();
    wcp__strings_fork_parent();
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next)
        pthread_mutex_unlock(&t->lk);
}

/* The child: a run of its own. */
static void fork_child(void)
{
    pthread_mutex_init(&wcp__S.dump_lk, NULL);
    wcp__strings_fork_child();
    wcp__clock_fork_child();
    wcp__buffer_fork_child(); /* every chunk dropped, capacity restored */
    wcp__core_fork_child();
    wcp__control_fork_child();
    atomic_store_explicit(&wcp__S.forked, 1, memory_order_relaxed);
}

void wcp__core_fork_child(void)
{
    wcp__thread *me = wcp__me;
    if (me)
        me->tid = (uint32_t)syscall(SYS_gettid);
    /* a new id space: above every id the parent gave out before the fork
   * and apart from those it gives out after (by this process's id) */
    uint64_t next = atomic_load_explicit(&wcp__S.next_id, memory_order_relaxed);
    atomic_store_explicit(&wcp__S.next_id, next + ((uint64_t)getpid() << 32), memory_order_relaxed);
    for (int k = 0; k < WCP_MISUSE__COUNT; k++)
        atomic_store_explicit(&wcp__S.misuse[k], 0, memory_order_relaxed);
    atomic_store_explicit(&wcp__S.nlive, me ? 1 : 0, memory_order_relaxed);
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next) {
        pthread_mutex_init(&t->lk, NULL);
        if (t != me) { /* its thread does not exist here */
            atomic_store_explicit(&t->alive, 0, memory_order_relaxed);
            t->nlive_counted = 0;
        }
        t->current = WCP_NIL;
        t->id_next = t->id_end = 0;
        for (wcp__mail *m = atomic_exchange(&t->mail, mail_end()), *n; m && m != &mail_stop;
             m = n) {
            n = m->next;
            free(m);
        }
        /* every record free again: the parent's open ops are not ours */
        atomic_store_explicit(&t->remote_free, NULL, memory_order_relaxed);
        t->free = NULL;
        for (wcp__opr_block *b = atomic_load_explicit(&t->blocks, memory_order_relaxed); b;
             b = atomic_load_explicit(&b->next, memory_order_relaxed))
            for (size_t i = WCP__OPR_PER_BLOCK; i-- > 0;) {
                atomic_store_explicit(&b->r[i].id, 0, memory_order_relaxed);
                b->r[i].link = (uintptr_t)t->free;
                t->free = &b->r[i];
            }
        for (int k = 0; k < WCP__WSLOTS; k++)
            atomic_store_explicit(&t->wslot[k], 0, memory_order_relaxed);
        for (int k = 0; k < WCP_DROP__COUNT; k++)
            atomic_store_explicit(&t->dropped[k], 0, memory_order_relaxed);
    }
}
