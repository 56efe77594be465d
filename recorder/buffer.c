/*
 * buffer.c - per-thread event buffers: chunk allocation, the free pool,
 * the event cap and ring mode. Everything here is the slow path, taken
 * once per WCP_CHUNK_EVENTS events of a thread.
 *
 * Chunks come from a pool of recycled chunks (filled by flushing dumps)
 * or from mmap with MAP_POPULATE, so a thread never takes page faults
 * while it writes events. A thread links a new chunk after its full one
 * (release store of `next`) and never touches the full one again; only a
 * dumper (flush) or, in ring mode, the owner under `lk` takes chunks off
 * the head of the list.
 */
#include "wcp_internal.h"

#include <string.h>
#include <sys/mman.h>

static wcp__chunk *chunk_new(void) {
  pthread_mutex_lock(&wcp__S.pool_lk);
  wcp__chunk *c = wcp__S.pool;
  if (c) wcp__S.pool = c->pool_next;
  pthread_mutex_unlock(&wcp__S.pool_lk);
  if (!c) {
    void *m = mmap(NULL, sizeof(wcp__chunk), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (m == MAP_FAILED) return NULL;
    c = m;
  }
  atomic_store_explicit(&c->committed, 0, memory_order_relaxed);
  atomic_store_explicit(&c->next, NULL, memory_order_relaxed);
  c->pool_next = NULL;
  return c;
}

/* Gives a chunk no thread uses any more back to the pool. */
void wcp__chunk_release(wcp__chunk *c) {
  atomic_fetch_sub_explicit(&wcp__S.used_chunks, 1, memory_order_relaxed);
  pthread_mutex_lock(&wcp__S.pool_lk);
  c->pool_next = wcp__S.pool;
  wcp__S.pool = c;
  pthread_mutex_unlock(&wcp__S.pool_lk);
}

/* One more chunk within the cap (or past it when force), or NULL. */
static wcp__chunk *chunk_take(int force) {
  uint64_t max = atomic_load_explicit(&wcp__S.max_chunks, memory_order_relaxed);
  if (!force && atomic_load_explicit(&wcp__S.used_chunks,
                                     memory_order_relaxed) >= max)
    return NULL; /* at the cap: no write to the shared counter */
  uint64_t used = atomic_fetch_add_explicit(&wcp__S.used_chunks, 1,
                                            memory_order_relaxed);
  if (!force && used >= max) {
    atomic_fetch_sub_explicit(&wcp__S.used_chunks, 1, memory_order_relaxed);
    return NULL;
  }
  wcp__chunk *c = chunk_new();
  if (!c) atomic_fetch_sub_explicit(&wcp__S.used_chunks, 1,
                                    memory_order_relaxed);
  return c;
}

static void drop(wcp__thread *t, uint64_t n) {
  atomic_store_explicit(&t->dropped,
      atomic_load_explicit(&t->dropped, memory_order_relaxed) + n,
      memory_order_relaxed);
}

/* Ring mode at the cap: reuse this thread's oldest chunk, counting its
 * unflushed events as dropped. Needs lk, which a dump holds: then the
 * event is dropped instead (a writer never waits for a dump). */
static wcp__chunk *chunk_steal(wcp__thread *t) {
  if (pthread_mutex_trylock(&t->lk) != 0) return NULL;
  wcp__chunk *h = atomic_load_explicit(&t->head, memory_order_relaxed);
  wcp__chunk *c = NULL;
  if (h && h != t->cur) {
    drop(t, atomic_load_explicit(&h->committed, memory_order_relaxed) -
                t->head_done);
    atomic_store_explicit(&t->head,
        atomic_load_explicit(&h->next, memory_order_relaxed),
        memory_order_relaxed);
    t->head_done = 0;
    atomic_fetch_sub_explicit(&t->nchunks, 1, memory_order_relaxed);
    atomic_store_explicit(&h->committed, 0, memory_order_relaxed);
    atomic_store_explicit(&h->next, NULL, memory_order_relaxed);
    c = h;
  }
  pthread_mutex_unlock(&t->lk);
  return c;
}

wcp__event *wcp__slot_slow(wcp__thread *t) {
  int ring = atomic_load_explicit(&wcp__S.ring, memory_order_relaxed);
  wcp__chunk *c = chunk_take(
      ring && atomic_load_explicit(&t->nchunks, memory_order_relaxed) < 2);
  if (!c && ring) c = chunk_steal(t);
  if (!c) {
    drop(t, 1);
    return NULL;
  }
  atomic_fetch_add_explicit(&t->nchunks, 1, memory_order_relaxed);
  t->n = 0;
  if (t->cur)
    atomic_store_explicit(&t->cur->next, c, memory_order_release);
  else
    atomic_store_explicit(&t->head, c, memory_order_release);
  t->cur = c;
  return &c->ev[0];
}
