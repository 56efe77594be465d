/*
 * strings.c - the interned string table, the name sets (kinds, work
 * types, outcomes, wait reasons, link kinds) and the checking mode
 * (WCPROF_CHECK=1).
 *
 * Strings: one global table, content -> id, behind a mutex, holding
 * permanent copies in pages that never move, so id -> string is readable
 * without the lock. Each thread caches address -> id (wcp__str in
 * wcp_internal.h), so a string literal costs one cache probe after its
 * first use on a thread.
 *
 * Checking mode: strings are interned by address, so a buffer reused for
 * other content is recorded with the content it had first. With
 * WCPROF_CHECK=1 (read at start-up) no thread caches anything: every
 * string goes through the table, which also remembers, per address, a
 * hash of the content last seen there; the same address with other
 * content is counted as misuse (string_changed) and recorded with its
 * new content. Slow (a hash and the lock per string), for finding the
 * bug, not for production.
 *
 * Names are append-only: a name's pointer is stored before the count
 * that makes it visible (release), so the dumper reads them without the
 * lock. fork: both locks are held across it (core.c).
 */
#include "wcp_internal.h"

#include <stdlib.h>
#include <string.h>

#define PAGE_BITS 12
#define PAGE_SIZE (1u << PAGE_BITS)
#define MAX_PAGES 4096 /* 16M strings */
_Static_assert((uint64_t)MAX_PAGES *PAGE_SIZE <= (uint64_t)1 << (64 - WCP__M_SHIFT),
               "every string id fits an op's metadata field (wcp_internal.h)");

static struct {
    pthread_mutex_t lk;
    const char **pages[MAX_PAGES]; /* id -> copy */
    _Atomic uint32_t count;        /* ids in use; id 0 is "" */
    uint32_t *slots;               /* open addressing: id, 0 = empty */
    uint32_t nslots;
} T = {.lk = PTHREAD_MUTEX_INITIALIZER};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* With T.lk held: id of s, added if new; 0 on failure. */
static uint32_t intern_locked(const char *s)
{
    uint32_t count = atomic_load_explicit(&T.count, memory_order_relaxed);
    if (count == 0) { /* first use: id 0 is "" */
        T.pages[0] = calloc(PAGE_SIZE, sizeof(char *));
        if (!T.pages[0])
            return 0;
        T.pages[0][0] = "";
        atomic_store_explicit(&T.count, count = 1, memory_order_release);
    }
    if (*s == '\0')
        return 0;
    if (2 * (count + 1) > T.nslots) { /* grow and rehash */
        uint32_t n = T.nslots ? 2 * T.nslots : 1024;
        uint32_t *ns = calloc(n, sizeof *ns);
        if (!ns)
            return 0;
        for (uint32_t id = 1; id < count; id++) {
            uint32_t k = (uint32_t)hash(wcp__str_get(id)) & (n - 1);
            while (ns[k])
                k = (k + 1) & (n - 1);
            ns[k] = id;
        }
        free(T.slots);
        T.slots = ns;
        T.nslots = n;
    }
    uint32_t k = (uint32_t)hash(s) & (T.nslots - 1);
    for (; T.slots[k]; k = (k + 1) & (T.nslots - 1))
        if (strcmp(wcp__str_get(T.slots[k]), s) == 0)
            return T.slots[k];
    if (count >= (uint32_t)MAX_PAGES * PAGE_SIZE)
        return 0;
    const char **page = T.pages[count >> PAGE_BITS];
    if (!page) {
        page = calloc(PAGE_SIZE, sizeof(char *));
        if (!page)
            return 0;
        T.pages[count >> PAGE_BITS] = page;
    }
    char *copy = strdup(s);
    if (!copy)
        return 0;
    page[count & (PAGE_SIZE - 1)] = copy;
    T.slots[k] = count;
    atomic_store_explicit(&T.count, count + 1, memory_order_release);
    return count;
}

/* Checking mode: address -> (content hash, id), open addressing, under
 * T.lk. */
static struct {
    struct seen {
        const char *p;
        uint64_t hash;
        uint32_t id;
    } * slots;
    size_t nslots, n;
} A;

static size_t addr_hash(const char *p)
{
    return (size_t)(((uintptr_t)p * 0x9E3779B97F4A7C15ull) >> 17);
}

/* With T.lk held: the id of s, its content checked against what was last
 * seen at that address. */
static uint32_t check_locked(const char *s)
{
    uint64_t h = hash(s);
    if (2 * (A.n + 1) > A.nslots) {
        size_t n = A.nslots ? 2 * A.nslots : 1024;
        struct seen *ns = calloc(n, sizeof *ns);
        if (!ns)
            return intern_locked(s); /* unchecked, still recorded */
        for (size_t i = 0; i < A.nslots; i++) {
            if (!A.slots[i].p)
                continue;
            size_t k = addr_hash(A.slots[i].p) & (n - 1);
            while (ns[k].p)
                k = (k + 1) & (n - 1);
            ns[k] = A.slots[i];
        }
        free(A.slots);
        A.slots = ns;
        A.nslots = n;
    }
    size_t k = addr_hash(s) & (A.nslots - 1);
    while (A.slots[k].p && A.slots[k].p != s)
        k = (k + 1) & (A.nslots - 1);
    struct seen *e = &A.slots[k];
    if (e->p && e->hash == h)
        return e->id;
    if (e->p)
        wcp__misuse(WCP_MISUSE_STRING_CHANGED, 0);
    else
        A.n++;
    e->p = s;
    e->hash = h;
    e->id = intern_locked(s);
    return e->id;
}

uint32_t wcp__str_slow(wcp__thread *t, const char *s)
{
    int check = atomic_load_explicit(&wcp__S.check, memory_order_relaxed);
    pthread_mutex_lock(&T.lk);
    uint32_t id = check ? check_locked(s) : intern_locked(s);
    pthread_mutex_unlock(&T.lk);
    uint32_t k = wcp__pcache_slot(s);
    if (!check && (id || *s == '\0')) {
        t->pcache[k].p = s;
        t->pcache[k].id = id;
    }
    return id;
}

const char *wcp_intern(const char *s)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&T.lk);
    uint32_t id = intern_locked(s);
    pthread_mutex_unlock(&T.lk);
    return id || *s == '\0' ? wcp__str_get(id) : NULL;
}

uint32_t wcp__str_count(void)
{
    return atomic_load_explicit(&T.count, memory_order_acquire);
}

/* id must be below a count read with acquire (the page pointer and the
 * copy were written before count was released). */
const char *wcp__str_get(uint32_t id)
{
    if (id == 0)
        return "";
    return T.pages[id >> PAGE_BITS][id & (PAGE_SIZE - 1)];
}

/* ---- name sets ---------------------------------------------------------- */

#define NSETS 5
static struct {
    pthread_mutex_t lk;
    const char *names[NSETS][256];
    _Atomic int count[NSETS];
} N = {
    .lk = PTHREAD_MUTEX_INITIALIZER,
    .names =
        {
            {"", "call", "call_exec", "lazy", "exec_phase", "exec", "service_start",
             "session_phase", "io", "internal", "hold"},
            {"", "engine", "user", "external"},
            {"", "hit", "executed", "joined", "do_not_cache", "ok", "error", "canceled"},
            {"", "call_exec", "singleflight", "lazy", "service", "lock", "exec", "io"},
            {"", "nested_client", "result", "reused_result"},
        },
    .count = {11, 4, 8, 8, 4},
};

int wcp_name_register(wcp_nameset set, const char *name)
{
    if ((unsigned)set >= NSETS || !name || !*name)
        return WCP_EINVAL;
    int ret = WCP_EFULL;
    pthread_mutex_lock(&N.lk);
    int count = atomic_load_explicit(&N.count[set], memory_order_relaxed);
    for (int i = 1; i < count; i++)
        if (strcmp(N.names[set][i], name) == 0) {
            ret = i;
            goto out;
        }
    if (count < 256) {
        char *copy = strdup(name);
        if (!copy) {
            ret = WCP_ENOMEM;
            goto out;
        }
        N.names[set][count] = copy;
        atomic_store_explicit(&N.count[set], count + 1, memory_order_release);
        ret = count;
    }
out:
    pthread_mutex_unlock(&N.lk);
    return ret;
}

/* Without the lock: a name is stored before the count that shows it. */
const char *wcp__name_get(wcp_nameset set, uint8_t id)
{
    return id < atomic_load_explicit(&N.count[set], memory_order_acquire) ? N.names[set][id] : "";
}

void wcp__strings_fork_prepare(void)
{
    pthread_mutex_lock(&T.lk);
    pthread_mutex_lock(&N.lk);
}
void wcp__strings_fork_parent(void)
{
    pthread_mutex_unlock(&N.lk);
    pthread_mutex_unlock(&T.lk);
}
void wcp__strings_fork_child(void)
{
    pthread_mutex_init(&N.lk, NULL);
    pthread_mutex_init(&T.lk, NULL);
}
