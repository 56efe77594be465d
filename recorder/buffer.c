/*
 * buffer.c - per-thread event buffers: chunk memory, the pool of ready
 * chunks, the pre-fault thread, the event cap (capacity grants) and ring
 * mode. Everything here is the slow path, taken once per grant of
 * capacity (at most WCP_CHUNK_EVENTS events) of a thread.
 *
 * A thread links a new chunk after its full one (release store of
 * `next`) and never touches the full one again; only a flushing dump
 * (which takes chunks out of the thread's list under `lk`) or, in ring
 * mode, the owner under `lk` takes chunks off the head of the list.
 *
 * Capacity. The cap counts events held: recorded and not yet taken by a
 * flushing dump. wcp__S.budget is what is left of it. A thread writes
 * events up to `lim` in its current chunk without asking; at `lim` it
 * takes a grant from the budget (a compare-and-swap): the rest of its
 * chunk while capacity is plentiful, a smaller share (what is left /
 * (4 x live threads), at least 1) as the cap nears, so capacity taken
 * and not yet used is bounded by one grant per live thread and never
 * keeps a thread from recording while the cap is not reached. A flushing
 * dump gives back the capacity of every event it takes at once, an
 * exiting thread its unused grant. In ring mode a thread at the cap
 * overwrites its own oldest chunk (its unflushed events are dropped,
 * cause ring, and their capacity is the thread's again); a thread that
 * has nothing to overwrite may hold up to two chunks past the cap. Drop
 * mode at the cap drops the event (cause cap).
 *
 * Chunks come from the pool: a stack of chunks whose memory is already
 * faulted in, recycled by flushing dumps or mapped fresh by the pre-fault
 * thread. Pushes are lock-free (the pre-fault thread and dumpers never
 * hold a lock a recording thread waits for); pops are serialized by
 * pool_lk, so a popped chunk cannot come back under a concurrent pop (no
 * ABA). When the pool is empty the thread faults in a fresh chunk itself
 * (before writing to it: no page faults while it writes events) and never
 * waits for the pre-fault thread. Fresh chunks come from arenas (below).
 *
 * The pre-fault thread keeps a reserve of ready chunks: woken (a
 * semaphore) when a thread takes a chunk and leaves fewer, it faults in
 * slabs of SLAB_CHUNKS chunks (2 MiB of events). The reserve starts at
 * RESERVE_MIN chunks and doubles, up to RESERVE_MAX, when a thread finds
 * the pool empty while the pre-fault thread runs (at most once per slab
 * it maps: threads record faster than it covers). A slab asks for
 * transparent huge pages, one fault instead of 512; where a huge-page
 * slab costs more CPU than the last slab of 4 KiB pages (the kernel or
 * the hypervisor had to find or back the 2 MiB: such slabs come in runs)
 * the next slabs use 4 KiB pages, SKIP_MIN of them, twice as many after
 * each costly huge slab in a row, up to SKIP_MAX. Chunks the pre-fault
 * thread and wcp_reserve map stay within the cap in chunks
 * (mapped_chunks <= max_chunks). It is joinable: unloading the library
 * (and exit) stops and joins it, so it never runs unmapped code. See
 * recorder/README.md, "Buffer memory", for why.
 */
#define _GNU_SOURCE /* pthread_setname_np, MAP_ANONYMOUS */
#include "wcp_internal.h"

#include <errno.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define SLAB_CHUNKS 16  /* chunks mapped at once: 2 MiB of events */
#define RESERVE_MIN 16  /* ready chunks the pre-fault thread keeps */
#define RESERVE_MAX 256 /* ... at most (32 MiB) */
#define SKIP_MIN 16     /* 4 KiB-page slabs after a costly huge one */
#define SKIP_MAX 512
#define HUGE_BYTES ((size_t)2 << 20)

static sem_t wake;                             /* posted to wake the pre-fault thread */
static _Atomic int wanted;                     /* 1 once posted, until it goes to sleep */
static _Atomic int skip_huge;                  /* slabs left to map without huge pages */
static _Atomic int skip_next = SKIP_MIN;       /* ... after the next costly one */
static _Atomic uint64_t reserve = RESERVE_MIN; /* ready chunks wanted */
static _Atomic int may_grow = 1;               /* reserve not doubled since last slab */
static _Atomic int64_t small_cpu;              /* CPU ns of the last 4 KiB-page slab */

static int64_t cpu_ns(void)
{
    return wcp__clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* ---- the pool ----------------------------------------------------------- */

/* Pushes the list first..last (linked by pool_next) of n chunks. */
static void pool_push(wcp__chunk *first, wcp__chunk *last, uint64_t n)
{
    /* counted first, so pool_n never falls below the chunks in the pool */
    atomic_fetch_add(&wcp__S.pool_n, n);
    wcp__chunk *h = atomic_load_explicit(&wcp__S.pool, memory_order_relaxed);
    do
        last->pool_next = h;
    while (!atomic_compare_exchange_weak_explicit(&wcp__S.pool, &h, first, memory_order_release,
                                                  memory_order_relaxed));
}

static wcp__chunk *pool_pop(void)
{
    pthread_mutex_lock(&wcp__S.pool_lk);
    wcp__chunk *c = atomic_load_explicit(&wcp__S.pool, memory_order_acquire);
    while (c && !atomic_compare_exchange_weak_explicit(&wcp__S.pool, &c, c->pool_next,
                                                       memory_order_acquire, memory_order_acquire))
        ;
    pthread_mutex_unlock(&wcp__S.pool_lk);
    if (c)
        atomic_fetch_sub(&wcp__S.pool_n, 1);
    return c;
}

/* ---- fresh memory --------------------------------------------------------- */

/* Claims up to want chunks of the cap's memory budget; returns how many
 * (0 at the cap). */
static unsigned claim(unsigned want)
{
    uint64_t max = atomic_load_explicit(&wcp__S.max_chunks, memory_order_relaxed);
    uint64_t m = atomic_load_explicit(&wcp__S.mapped_chunks, memory_order_relaxed);
    unsigned k;
    do {
        if (m >= max)
            return 0;
        k = max - m < want ? (unsigned)(max - m) : want;
    } while (!atomic_compare_exchange_weak_explicit(&wcp__S.mapped_chunks, &m, m + k,
                                                    memory_order_relaxed, memory_order_relaxed));
    return k;
}

/* An arena: address space reserved once for many chunks' events (2 MiB
 * aligned, MAP_NORESERVE: memory only where touched) and their headers,
 * handed out by bumping `used`. Chunks are faulted in by touching their
 * pages, which takes only the arena's own lock in the kernel (per-VMA
 * locks): no mmap per chunk, so a recording thread that faults in a chunk
 * never waits for another one mapping memory. Never unmapped. */
typedef struct arena {
    char *ev;        /* nslots chunks' events */
    wcp__chunk *hdr; /* their headers */
    uint64_t nslots;
    _Atomic uint64_t used; /* slots handed out */
} __attribute__((aligned(WCP__CACHE_LINE))) arena;

/* Two kinds: SMALL (4 KiB pages: the chunks threads fault in themselves,
 * and slabs while huge pages cost more) and HUGE (transparent huge pages
 * asked for; slots taken 16 at a time, one 2 MiB page each). */
enum { SMALL, HUGE };
static _Atomic(arena *) arenas[2];
static pthread_mutex_t arena_lk = PTHREAD_MUTEX_INITIALIZER; /* new ones */

#define CHUNK_BYTES ((size_t)WCP_CHUNK_EVENTS * sizeof(wcp__event))
_Static_assert(SLAB_CHUNKS *CHUNK_BYTES == HUGE_BYTES, "a slab is one 2 MiB huge page");

static arena *arena_map(int kind, uint64_t nslots)
{
    int prot = PROT_READ | PROT_WRITE;
    int fl = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    size_t len = nslots * CHUNK_BYTES;
    char *q = mmap(NULL, len + HUGE_BYTES, prot, fl, -1, 0);
    if (q == MAP_FAILED)
        return NULL;
    char *p = (char *)(((uintptr_t)q + HUGE_BYTES - 1) & ~(uintptr_t)(HUGE_BYTES - 1));
    if (p > q)
        munmap(q, (size_t)(p - q));
    if (q + HUGE_BYTES > p)
        munmap(p + len, (size_t)(q + HUGE_BYTES - p));
    madvise(p, len, kind == HUGE ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    arena *a = mmap(NULL, sizeof *a + nslots * sizeof(wcp__chunk), prot, fl, -1, 0);
    if (a == MAP_FAILED) {
        munmap(p, len);
        return NULL;
    }
    a->ev = p;
    a->hdr = (wcp__chunk *)(a + 1);
    a->nslots = nslots;
    return a;
}

/* A new arena of kind with room for the cap's chunks not mapped yet (at
 * least one slab), smaller if the system refuses that much address
 * space. Called with arena_lk. */
static arena *arena_new(int kind)
{
    uint64_t max = atomic_load_explicit(&wcp__S.max_chunks, memory_order_relaxed);
    uint64_t m = atomic_load_explicit(&wcp__S.mapped_chunks, memory_order_relaxed);
    uint64_t n = max > m ? max - m : 0;
    n = (n + SLAB_CHUNKS - 1) / SLAB_CHUNKS * SLAB_CHUNKS;
    if (n < SLAB_CHUNKS)
        n = SLAB_CHUNKS;
    arena *a;
    while (!(a = arena_map(kind, n)) && n > SLAB_CHUNKS)
        n = (n / 2 + SLAB_CHUNKS - 1) / SLAB_CHUNKS * SLAB_CHUNKS;
    return a;
}

/* k chunks (k <= SLAB_CHUNKS) of fresh memory of kind, faulted in, linked
 * through pool_next (the last at the returned + k - 1); a HUGE slab
 * starts a 2 MiB page. NULL if no address space could be had. */
static wcp__chunk *fresh_chunks(int kind, unsigned k)
{
    uint64_t step = kind == HUGE ? SLAB_CHUNKS : k, i;
    arena *a;
    for (;;) {
        a = atomic_load_explicit(&arenas[kind], memory_order_acquire);
        if (a && (i = atomic_fetch_add_explicit(&a->used, step, memory_order_relaxed)) + step <=
                     a->nslots)
            break;
        pthread_mutex_lock(&arena_lk); /* full (or none yet): one new arena */
        arena *b = atomic_load_explicit(&arenas[kind], memory_order_relaxed);
        if (b == a && !(b = arena_new(kind))) {
            pthread_mutex_unlock(&arena_lk);
            return NULL;
        }
        atomic_store_explicit(&arenas[kind], b, memory_order_release);
        pthread_mutex_unlock(&arena_lk);
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    volatile char *p = a->ev + i * CHUNK_BYTES;
    for (size_t off = 0; off < k * CHUNK_BYTES; off += page)
        p[off] = 0;
    wcp__chunk *c = &a->hdr[i];
    for (unsigned j = 0; j < k; j++) {
        c[j].ev = (wcp__event *)(a->ev + (i + j) * CHUNK_BYTES);
        c[j].pool_next = j + 1 < k ? &c[j + 1] : NULL;
    }
    return c;
}

/* Maps a slab of k chunks (claimed) into the pool, deciding on huge pages
 * by what the last ones cost; counts it in *by. Returns the CPU time it
 * took, or -1 (unclaimed again) if the memory could not be mapped. */
static int64_t slab_fill(unsigned k, _Atomic uint64_t *by, int may_huge)
{
    int huge = may_huge && k == SLAB_CHUNKS &&
               atomic_load_explicit(&wcp__S.hugepages, memory_order_relaxed);
    if (huge && atomic_load_explicit(&skip_huge, memory_order_relaxed) > 0) {
        atomic_fetch_sub_explicit(&skip_huge, 1, memory_order_relaxed);
        huge = 0;
    }
    int64_t t0 = cpu_ns();
    wcp__chunk *c = fresh_chunks(huge ? HUGE : SMALL, k);
    int64_t dt = cpu_ns() - t0;
    if (!c) {
        atomic_fetch_sub_explicit(&wcp__S.mapped_chunks, k, memory_order_relaxed);
        return -1;
    }
    if (k == SLAB_CHUNKS) {
        if (!huge) {
            atomic_store_explicit(&small_cpu, dt, memory_order_relaxed);
        } else {
            int64_t small = atomic_load_explicit(&small_cpu, memory_order_relaxed);
            int next = atomic_load_explicit(&skip_next, memory_order_relaxed);
            if (dt > (small ? small : 1000000)) { /* 1 ms before any 4 KiB slab */
                atomic_store_explicit(&skip_huge, next, memory_order_relaxed);
                next = 2 * next < SKIP_MAX ? 2 * next : SKIP_MAX;
            } else {
                next = SKIP_MIN;
            }
            atomic_store_explicit(&skip_next, next, memory_order_relaxed);
        }
    }
    atomic_fetch_add_explicit(huge ? &wcp__S.slabs_huge : &wcp__S.slabs_small, 1,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(by, k, memory_order_relaxed);
    pool_push(c, &c[k - 1], k);
    return dt;
}

int wcp_reserve(uint64_t n_events)
{
    wcp__init_once();
    uint64_t want = (n_events + WCP_CHUNK_EVENTS - 1) / WCP_CHUNK_EVENTS;
    for (;;) {
        uint64_t have = atomic_load(&wcp__S.pool_n);
        if (have >= want)
            return 0;
        unsigned k = claim(want - have < SLAB_CHUNKS ? (unsigned)(want - have) : SLAB_CHUNKS);
        if (k == 0)
            return 0; /* the cap allows no more */
        if (slab_fill(k, &wcp__S.by_reserve, 1) < 0)
            return WCP_ENOMEM;
    }
}

/* The first enable, pre-faulting on and nothing mapped yet: a chunk per
 * CPU the process may run on (the threads that can start recording at the
 * same moment; at most a slab) faulted in on the enabling thread, in 4 KiB
 * pages (a huge page can take milliseconds on a VM), so that the first
 * threads to record take ready chunks at their first event instead of
 * each faulting its own while the pre-fault thread starts; that thread
 * fills the rest of the reserve. Counted as reserved (wcp_reserve's). */
void wcp__buffer_enable(void)
{
    static _Atomic int once;
    if (!atomic_load_explicit(&wcp__S.prefault, memory_order_relaxed) ||
        atomic_load_explicit(&wcp__S.mapped_chunks, memory_order_relaxed) != 0 ||
        atomic_exchange(&once, 1))
        return;
    int cpus = wcp__cpus();
    unsigned k = claim(cpus < 1 ? 1 : cpus > SLAB_CHUNKS ? SLAB_CHUNKS : (unsigned)cpus);
    if (k)
        slab_fill(k, &wcp__S.by_reserve, 0);
}

/* ---- the pre-fault thread ------------------------------------------------- */

/* Chunks it should map now: 0 when the reserve is full or at the cap. */
static unsigned reserve_gap(void)
{
    return atomic_load(&wcp__S.pool_n) < atomic_load(&reserve) ? claim(SLAB_CHUNKS) : 0;
}

/* The thread leaves (returns 1) once switched off, unless switched back
 * on meanwhile with no other thread started. */
static int helper_leave(void)
{
    atomic_store(&wcp__S.helper, 0);
    int none = 0;
    return !atomic_load(&wcp__S.prefault) ||
           !atomic_compare_exchange_strong(&wcp__S.helper, &none, 1);
}

/* Adds the CPU time this thread used since *last to prefault_cpu_ns. */
static void count_cpu(int64_t *last)
{
    int64_t now = cpu_ns();
    atomic_fetch_add_explicit(&wcp__S.prefault_cpu_ns, (uint64_t)(now - *last),
                              memory_order_relaxed);
    *last = now;
}

static void *prefaulter(void *arg)
{
    (void)arg;
    int64_t last = cpu_ns();
    pthread_setname_np(pthread_self(), "wcprof-prefault");
    for (;;) {
        count_cpu(&last);
        if (!atomic_load(&wcp__S.prefault)) {
            if (helper_leave())
                return NULL;
            continue;
        }
        unsigned k = reserve_gap();
        if (k && slab_fill(k, &wcp__S.by_prefault, 1) >= 0) {
            atomic_store_explicit(&may_grow, 1, memory_order_relaxed);
            continue;
        }
        /* Nothing to do (or out of memory): sleep until a thread takes a
     * chunk. Clearing `wanted` before looking again means that a thread
     * which found it set (and did not post) took its chunk before the
     * look. Out of memory, sleep anyway: no retrying in a loop. */
        atomic_store(&wanted, 0);
        if (!k && atomic_load(&wcp__S.pool_n) < atomic_load(&reserve) &&
            atomic_load(&wcp__S.mapped_chunks) < atomic_load(&wcp__S.max_chunks) &&
            atomic_load(&wcp__S.prefault))
            continue;
        while (sem_wait(&wake) != 0 && errno == EINTR)
            ;
    }
}

/* The pre-fault thread's handle (helper_lk): joined when it is replaced
 * or the library unloads, so no thread of ours outlives the code. */
static pthread_mutex_t helper_lk = PTHREAD_MUTEX_INITIALIZER;
static pthread_t helper_th;
static int helper_joinable;

/* Runs the pre-fault thread on every CPU the process's main thread may
 * use, not only the one of the recording thread that started it. */
static void start_helper(void)
{
    pthread_mutex_lock(&helper_lk);
    if (helper_joinable) { /* a thread that left (helper was 0): gone soon */
        pthread_join(helper_th, NULL);
        helper_joinable = 0;
    }
    pthread_attr_t at;
    pthread_attr_init(&at);
    pthread_attr_setstacksize(&at, 64 * 1024);
    cpu_set_t cpus;
    if (sched_getaffinity(getpid(), sizeof cpus, &cpus) == 0)
        pthread_attr_setaffinity_np(&at, sizeof cpus, &cpus);
    sigset_t all, old; /* it blocks every signal: handlers run elsewhere */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&helper_th, &at, prefaulter, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&at);
    if (rc != 0)
        atomic_store(&wcp__S.helper, -1);
    else /* it names itself first thing: naming it from here would write
          * /proc/self/task/ID/comm on the recording thread that started it */
        helper_joinable = 1;
    pthread_mutex_unlock(&helper_lk);
}

/* After a thread took a chunk: wakes the pre-fault thread, or starts it,
 * if the reserve runs low and the cap allows more memory. */
static void prefault_kick(void)
{
    if (atomic_load(&wcp__S.pool_n) >= atomic_load(&reserve) ||
        !atomic_load_explicit(&wcp__S.prefault, memory_order_relaxed) ||
        atomic_load_explicit(&wcp__S.mapped_chunks, memory_order_relaxed) >=
            atomic_load_explicit(&wcp__S.max_chunks, memory_order_relaxed))
        return;
    int none = 0;
    if (atomic_compare_exchange_strong(&wcp__S.helper, &none, 1)) {
        atomic_store(&wanted, 1);
        start_helper();
    } else if (none == 1 && !atomic_exchange(&wanted, 1)) {
        sem_post(&wake);
    }
}

int wcp_set_prefault(int on)
{
    wcp__init_once();
    atomic_store(&wcp__S.prefault, on != 0);
    int failed = -1; /* switched on: may try to start it again */
    if (on)
        atomic_compare_exchange_strong(&wcp__S.helper, &failed, 0);
    if (!on)
        sem_post(&wake); /* let a sleeping thread see it and leave */
    return 0;
}

void wcp__buffer_unload(void)
{
    atomic_store(&wcp__S.prefault, 0);
    pthread_mutex_lock(&helper_lk);
    if (helper_joinable) {
        sem_post(&wake);
        pthread_join(helper_th, NULL);
        helper_joinable = 0;
    }
    pthread_mutex_unlock(&helper_lk);
}

/* fork: the pool's and the arenas' locks are held across it (after the
 * threads' and the string tables', see core.c); the child has no
 * pre-fault thread (one is started when it needs a chunk). */
void wcp__buffer_fork_prepare(void)
{
    pthread_mutex_lock(&helper_lk);
    pthread_mutex_lock(&arena_lk);
    pthread_mutex_lock(&wcp__S.pool_lk);
}
void wcp__buffer_fork_parent(void)
{
    pthread_mutex_unlock(&wcp__S.pool_lk);
    pthread_mutex_unlock(&arena_lk);
    pthread_mutex_unlock(&helper_lk);
}

/* The child's run starts empty: every thread's chunks go back to the
 * pool (their events are the parent's), capacity is the whole cap. */
void wcp__buffer_fork_child(void)
{
    pthread_mutex_init(&wcp__S.pool_lk, NULL);
    pthread_mutex_init(&arena_lk, NULL);
    pthread_mutex_init(&helper_lk, NULL);
    helper_joinable = 0;
    atomic_store(&wcp__S.helper, 0);
    atomic_store(&wanted, 0);
    sem_init(&wake, 0, 0);
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next) {
        for (wcp__chunk *c = atomic_load_explicit(&t->head, memory_order_relaxed); c;) {
            wcp__chunk *next = atomic_load_explicit(&c->next, memory_order_relaxed);
            pool_push(c, c, 1);
            c = next;
        }
        atomic_store_explicit(&t->head, NULL, memory_order_relaxed);
        t->cur = NULL;
        t->ev = NULL;
        t->n = t->lim = 0;
        t->head_done = 0;
        t->pinned = 0;
        atomic_store_explicit(&t->nchunks, 0, memory_order_relaxed);
    }
    uint64_t n = 0; /* a push cut short by the fork left pool_n above */
    for (wcp__chunk *c = atomic_load(&wcp__S.pool); c; c = c->pool_next)
        n++;
    atomic_store(&wcp__S.pool_n, n);
    atomic_store(&wcp__S.used_chunks, 0);
    atomic_store(&wcp__S.budget, (int64_t)atomic_load(&wcp__S.cap));
}

void wcp__buffer_init(void)
{
    sem_init(&wake, 0, 0);
}

void wcp_memstats_get(wcp_memstats *s)
{
    *s = (wcp_memstats){
        .chunk_bytes = CHUNK_BYTES + sizeof(wcp__chunk),
        .chunks_mapped = atomic_load(&wcp__S.mapped_chunks),
        .chunks_held = atomic_load(&wcp__S.used_chunks),
        .chunks_ready = atomic_load(&wcp__S.pool_n),
        .chunks_by_threads = atomic_load(&wcp__S.by_threads),
        .chunks_prefaulted = atomic_load(&wcp__S.by_prefault),
        .chunks_reserved = atomic_load(&wcp__S.by_reserve),
        .slabs_huge = atomic_load(&wcp__S.slabs_huge),
        .slabs_small = atomic_load(&wcp__S.slabs_small),
        .prefault_cpu_ns = atomic_load(&wcp__S.prefault_cpu_ns),
        .reserve_chunks = atomic_load(&reserve),
        .prefault_running = atomic_load(&wcp__S.helper) == 1,
    };
}

/* ---- capacity ---------------------------------------------------------------- */

void wcp__drop(wcp__thread *t, wcp_drop_cause cause, uint64_t n)
{
    atomic_store_explicit(&t->dropped[cause],
                          atomic_load_explicit(&t->dropped[cause], memory_order_relaxed) + n,
                          memory_order_relaxed);
}

void wcp__budget_return(uint64_t n)
{
    if (n)
        atomic_fetch_add_explicit(&wcp__S.budget, (int64_t)n, memory_order_relaxed);
}

void wcp__thread_credit_return(wcp__thread *t)
{
    uint32_t k = t->lim - t->n;
    t->lim = t->n;
    wcp__budget_return(k);
}

/* A grant of up to want events of capacity, or 0 at the cap. */
static uint32_t grant(uint32_t want)
{
    int64_t b = atomic_load_explicit(&wcp__S.budget, memory_order_relaxed);
    for (;;) {
        if (b <= 0)
            return 0;
        int64_t live = atomic_load_explicit(&wcp__S.nlive, memory_order_relaxed);
        int64_t share = b / (4 * (live > 0 ? live : 1));
        if (share < 1)
            share = 1;
        uint32_t g = share < (int64_t)want ? (uint32_t)share : want;
        if (atomic_compare_exchange_weak_explicit(&wcp__S.budget, &b, b - g, memory_order_relaxed,
                                                  memory_order_relaxed))
            return g;
    }
}

/* ---- taking chunks ---------------------------------------------------------- */

static wcp__chunk *chunk_new(void)
{
    wcp__chunk *c = pool_pop();
    int helped = atomic_load_explicit(&wcp__S.helper, memory_order_relaxed) == 1;
    prefault_kick();
    if (!c) { /* never wait for the pre-fault thread: map one */
        /* it could not keep up: keep more (doubled once per slab it maps) */
        uint64_t r = atomic_load_explicit(&reserve, memory_order_relaxed);
        if (helped && r < RESERVE_MAX &&
            atomic_exchange_explicit(&may_grow, 0, memory_order_relaxed))
            atomic_store_explicit(&reserve, 2 * r, memory_order_relaxed);
        if (!(c = fresh_chunks(SMALL, 1)))
            return NULL;
        atomic_fetch_add_explicit(&wcp__S.mapped_chunks, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&wcp__S.by_threads, 1, memory_order_relaxed);
    }
    return c;
}

/* Makes c (empty) t's current chunk, after the full one. */
static void chunk_link(wcp__thread *t, wcp__chunk *c)
{
    atomic_store_explicit(&c->committed, 0, memory_order_relaxed);
    atomic_store_explicit(&c->next, NULL, memory_order_relaxed);
    atomic_fetch_add_explicit(&t->nchunks, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&wcp__S.used_chunks, 1, memory_order_relaxed);
    if (t->cur)
        atomic_store_explicit(&t->cur->next, c, memory_order_release);
    else
        atomic_store_explicit(&t->head, c, memory_order_release);
    t->cur = c;
    t->ev = c->ev;
    t->n = 0;
}

/* Gives a chunk no thread uses any more back to the pool. */
void wcp__chunk_release(wcp__chunk *c)
{
    atomic_fetch_sub_explicit(&wcp__S.used_chunks, 1, memory_order_relaxed);
    pool_push(c, c, 1);
}

enum { STEAL_NONE, STEAL_BUSY };

/* Ring mode at the cap: takes t's oldest chunk (not the current one) to
 * overwrite, dropping its unflushed events (cause ring) and setting *freed
 * to their count (capacity that is t's again). Needs lk, which a dump
 * holds while it takes or pins chunks, and no pin: else returns NULL with
 * *why = STEAL_BUSY (a writer never waits for a dump); STEAL_NONE when
 * there is nothing to take. */
static wcp__chunk *chunk_steal(wcp__thread *t, uint32_t *freed, int *why)
{
    *why = STEAL_BUSY;
    if (pthread_mutex_trylock(&t->lk) != 0)
        return NULL;
    wcp__chunk *h = NULL;
    if (!t->pinned) {
        *why = STEAL_NONE;
        h = atomic_load_explicit(&t->head, memory_order_relaxed);
        if (h && h != t->cur) {
            *freed = atomic_load_explicit(&h->committed, memory_order_relaxed) - t->head_done;
            wcp__drop(t, WCP_DROP_RING, *freed);
            atomic_store_explicit(&t->head, atomic_load_explicit(&h->next, memory_order_relaxed),
                                  memory_order_relaxed);
            t->head_done = 0;
            atomic_fetch_sub_explicit(&t->nchunks, 1, memory_order_relaxed);
        } else {
            h = NULL;
        }
    }
    pthread_mutex_unlock(&t->lk);
    return h;
}

/* t's events reach lim: more capacity, a new chunk, or (ring mode) an old
 * chunk overwritten; NULL when the event is dropped (and counted). */
wcp__event *wcp__slot_slow(wcp__thread *t)
{
    wcp__signal_restart();
    for (;;) {
        uint32_t room = t->cur ? WCP_CHUNK_EVENTS - t->n : 0;
        uint32_t g = grant(room ? room : WCP_CHUNK_EVENTS);
        if (g && room) {
            t->lim = t->n + g;
            return &t->ev[t->n];
        }
        if (g) { /* a new chunk for it */
            wcp__chunk *c = chunk_new();
            if (!c) {
                wcp__budget_return(g);
                wcp__drop(t, WCP_DROP_OOM, 1);
                return NULL;
            }
            chunk_link(t, c);
            t->lim = g;
            return &t->ev[0];
        }
        /* at the cap */
        if (!atomic_load_explicit(&wcp__S.ring, memory_order_relaxed)) {
            wcp__drop(t, WCP_DROP_CAP, 1);
            return NULL;
        }
        uint32_t freed = 0;
        int why;
        wcp__chunk *h = chunk_steal(t, &freed, &why);
        if (h) {
            uint32_t want = room ? room : WCP_CHUNK_EVENTS;
            g = freed < want ? freed : want;
            wcp__budget_return(freed - g);
            if (room) {
                wcp__chunk_release(h);
            } else {
                atomic_fetch_sub_explicit(&wcp__S.used_chunks, 1, memory_order_relaxed);
                chunk_link(t, h); /* overwritten in place */
            }
            if (g) {
                t->lim = t->n + g;
                return &t->ev[t->n];
            }
            continue; /* it held only flushed events: look again */
        }
        /* nothing to overwrite: a thread may hold two chunks past the cap */
        uint32_t held = atomic_load_explicit(&t->nchunks, memory_order_relaxed);
        if (room && held <= 2) {
            atomic_fetch_sub_explicit(&wcp__S.budget, room, memory_order_relaxed);
            t->lim = WCP_CHUNK_EVENTS;
            return &t->ev[t->n];
        }
        if (!room && held < 2) {
            wcp__chunk *c = chunk_new();
            if (!c) {
                wcp__drop(t, WCP_DROP_OOM, 1);
                return NULL;
            }
            atomic_fetch_sub_explicit(&wcp__S.budget, WCP_CHUNK_EVENTS, memory_order_relaxed);
            chunk_link(t, c);
            t->lim = WCP_CHUNK_EVENTS;
            return &t->ev[0];
        }
        wcp__drop(t, why == STEAL_BUSY ? WCP_DROP_DUMP : WCP_DROP_CAP, 1);
        return NULL;
    }
}
