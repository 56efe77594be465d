/*
 * strings.c - the interned string table and the name sets (kinds, work
 * types, outcomes, wait reasons, link kinds).
 *
 * Strings: one global table, content -> id, behind a mutex, holding
 * permanent copies in pages that never move, so id -> string is readable
 * without the lock. Each thread caches address -> id (wcp__str in
 * wcp_internal.h), so a string literal costs one cache probe after its
 * first use on a thread.
 */
#include "wcp_internal.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)
#define MAX_PAGES 4096  /* 16M strings */

static struct {
  pthread_mutex_t lk;
  const char **pages[MAX_PAGES];   /* id -> copy */
  _Atomic uint32_t count;          /* ids in use; id 0 is "" */
  uint32_t *slots;                 /* open addressing: id, 0 = empty */
  uint32_t nslots;
} T = {.lk = PTHREAD_MUTEX_INITIALIZER};

static uint64_t hash(const char *s) {
  uint64_t h = 1469598103934665603ull; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

/* With T.lk held: id of s, added if new; 0 on failure. */
static uint32_t intern_locked(const char *s) {
  uint32_t count = atomic_load_explicit(&T.count, memory_order_relaxed);
  if (count == 0) { /* first use: id 0 is "" */
    T.pages[0] = calloc(PAGE_SIZE, sizeof(char *));
    if (!T.pages[0]) return 0;
    T.pages[0][0] = "";
    atomic_store_explicit(&T.count, count = 1, memory_order_release);
  }
  if (*s == '\0') return 0;
  if (2 * (count + 1) > T.nslots) { /* grow and rehash */
    uint32_t n = T.nslots ? 2 * T.nslots : 1024;
    uint32_t *ns = calloc(n, sizeof *ns);
    if (!ns) return 0;
    for (uint32_t id = 1; id < count; id++) {
      uint32_t k = (uint32_t)hash(wcp__str_get(id)) & (n - 1);
      while (ns[k]) k = (k + 1) & (n - 1);
      ns[k] = id;
    }
    free(T.slots);
    T.slots = ns;
    T.nslots = n;
  }
  uint32_t k = (uint32_t)hash(s) & (T.nslots - 1);
  for (; T.slots[k]; k = (k + 1) & (T.nslots - 1))
    if (strcmp(wcp__str_get(T.slots[k]), s) == 0) return T.slots[k];
  if (count >= (uint32_t)MAX_PAGES * PAGE_SIZE) return 0;
  const char **page = T.pages[count >> PAGE_BITS];
  if (!page) {
    page = calloc(PAGE_SIZE, sizeof(char *));
    if (!page) return 0;
    T.pages[count >> PAGE_BITS] = page;
  }
  char *copy = strdup(s);
  if (!copy) return 0;
  page[count & (PAGE_SIZE - 1)] = copy;
  T.slots[k] = count;
  atomic_store_explicit(&T.count, count + 1, memory_order_release);
  return count;
}

uint32_t wcp__str_slow(wcp__thread *t, const char *s) {
  pthread_mutex_lock(&T.lk);
  uint32_t id = intern_locked(s);
  pthread_mutex_unlock(&T.lk);
  uint32_t k = wcp__pcache_slot(s);
  if (id || *s == '\0') { t->pcache[k].p = s; t->pcache[k].id = id; }
  return id;
}

const char *wcp_intern(const char *s) {
  if (!s) return NULL;
  pthread_mutex_lock(&T.lk);
  uint32_t id = intern_locked(s);
  pthread_mutex_unlock(&T.lk);
  return id || *s == '\0' ? wcp__str_get(id) : NULL;
}

uint32_t wcp__str_count(void) {
  return atomic_load_explicit(&T.count, memory_order_acquire);
}

/* id must be below a count read with acquire (the page pointer and the
 * copy were written before count was released). */
const char *wcp__str_get(uint32_t id) {
  if (id == 0) return "";
  return T.pages[id >> PAGE_BITS][id & (PAGE_SIZE - 1)];
}

/* ---- name sets ---------------------------------------------------------- */

#define NSETS 5
static struct {
  pthread_mutex_t lk;
  const char *names[NSETS][256];
  int count[NSETS];
} N = {
  .lk = PTHREAD_MUTEX_INITIALIZER,
  .names = {
    {"", "call", "call_exec", "lazy", "exec_phase", "exec", "service_start",
     "session_phase", "io", "internal"},
    {"", "engine", "user", "external"},
    {"", "hit", "executed", "joined", "do_not_cache", "ok", "error",
     "canceled"},
    {"", "call_exec", "singleflight", "lazy", "service", "lock", "exec", "io"},
    {"", "nested_client", "result", "reused_result"},
  },
  .count = {10, 4, 8, 8, 4},
};

int wcp_name_register(wcp_nameset set, const char *name) {
  if ((unsigned)set >= NSETS || !name || !*name) return WCP_EINVAL;
  int ret = WCP_EFULL;
  pthread_mutex_lock(&N.lk);
  for (int i = 1; i < N.count[set]; i++)
    if (strcmp(N.names[set][i], name) == 0) { ret = i; goto out; }
  if (N.count[set] < 256) {
    char *copy = strdup(name);
    if (!copy) { ret = WCP_ENOMEM; goto out; }
    N.names[set][N.count[set]] = copy;
    ret = N.count[set]++;
  }
out:
  pthread_mutex_unlock(&N.lk);
  return ret;
}

void wcp__names_lock(void) { pthread_mutex_lock(&N.lk); }
void wcp__names_unlock(void) { pthread_mutex_unlock(&N.lk); }

/* With the names lock held. */
const char *wcp__name_get(wcp_nameset set, uint8_t id) {
  return id < N.count[set] ? N.names[set][id] : "";
}
