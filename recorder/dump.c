/*
 * dump.c - writes schema-1 wcprof dumps (docs/spec/dump-format.md)
 * while other threads keep recording.
 *
 * A dump, under the dump lock:
 *   1. applies ends other threads asked of threads that exited since
 *      (core.c), then lists the open ops (seqlock reads of every op
 *      record);
 *   2. takes, thread by thread under its `lk`, the published events it
 *      will write (acquire loads of `next` and `committed`): a flushing
 *      dump takes the thread's full chunks out of its list (they are the
 *      dump's now: written, then recycled) and copies the events of the
 *      last one it writes (the owner goes on writing that one; in ring
 *      mode it may overwrite it once it moved on), moves the thread's
 *      head past them and gives their capacity back at once, so the
 *      thread records on, at full capacity, while the dump writes; a
 *      non-flushing dump pins the chunks instead (a ring-mode owner then
 *      overwrites none of them until the dump is done) and reads them
 *      in place. This fixes event_count. An event is either taken by a
 *      flushing dump or overwritten (ring), never both: both happen only
 *      under `lk`;
 *   3. drops from the open-op list every op whose end event is in what
 *      it took: an op ends by publishing its event BEFORE freeing its
 *      record, so an op begun before the dump is in the dump exactly
 *      once, as open or as ended;
 *   4. adds a clock calibration point (clock.c), writes the header and the
 *      events, then recycles the chunks it took (flush) or unpins them.
 * Writers are never blocked: they do not take `lk` except to overwrite
 * their own oldest chunk in ring mode, and then only with trylock.
 */
#include "wcp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- buffered output to an fd or a FILE ------------------------------- */

typedef struct out {
    int fd; /* used when f is NULL */
    FILE *f;
    int err; /* errno of the first failed write, else 0 */
    size_t n;
    char buf[1 << 16];
} out;

static void out_flush(out *o)
{
    if (o->err || o->n == 0) {
        o->n = 0;
        return;
    }
    if (o->f) {
        if (fwrite(o->buf, 1, o->n, o->f) != o->n)
            o->err = errno ? errno : EIO;
    } else {
        for (size_t done = 0; done < o->n;) {
            ssize_t w = write(o->fd, o->buf + done, o->n - done);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                o->err = w < 0 ? errno : EIO;
                break;
            }
            done += (size_t)w;
        }
    }
    o->n = 0;
}

static inline void put(out *o, const char *s, size_t n)
{
    if (o->n + n > sizeof o->buf) {
        out_flush(o);
        if (n > sizeof o->buf) { /* huge string: write through */
            for (size_t i = 0; i < n; i += sizeof o->buf) {
                size_t k = n - i < sizeof o->buf ? n - i : sizeof o->buf;
                memcpy(o->buf, s + i, k);
                o->n = k;
                out_flush(o);
            }
            return;
        }
    }
    memcpy(o->buf + o->n, s, n);
    o->n += n;
}
#define PUTS(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_u64(out *o, uint64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    put(o, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_i64(out *o, int64_t v)
{
    if (v < 0) {
        PUTS(o, "-");
        put_u64(o, (uint64_t)0 - (uint64_t)v);
    } else
        put_u64(o, (uint64_t)v);
}

/* Length of the valid UTF-8 sequence at s (lead byte >= 0x80), or 0. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c >= 0xC2 && c <= 0xDF)
        return (s[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped,
 * valid UTF-8 passed through, each invalid byte replaced by U+FFFD. */
static void put_str(out *o, const char *str)
{
    const unsigned char *s = (const unsigned char *)str, *run = s;
    PUTS(o, "\"");
    while (*s) {
        if (*s >= 0x20 && *s != '"' && *s != '\\' && *s < 0x80) {
            s++;
            continue;
        }
        int len = *s >= 0x80 ? utf8_len(s) : 0;
        if (len) {
            s += len;
            continue;
        }
        put(o, (const char *)run, (size_t)(s - run));
        char esc[8];
        switch (*s) {
        case '"': PUTS(o, "\\\""); break;
        case '\\': PUTS(o, "\\\\"); break;
        case '\n': PUTS(o, "\\n"); break;
        case '\r': PUTS(o, "\\r"); break;
        case '\t': PUTS(o, "\\t"); break;
        case '\b': PUTS(o, "\\b"); break;
        case '\f': PUTS(o, "\\f"); break;
        default:
            if (*s < 0x20) {
                snprintf(esc, sizeof esc, "\\u%04x", *s);
                put(o, esc, 6);
            } else {
                PUTS(o, "\\ufffd");
            }
        }
        run = ++s;
    }
    put(o, (const char *)run, (size_t)(s - run));
    PUTS(o, "\"");
}

/* ,"key":value  -- left out when zero (the format's rule for optional ints) */
#define OPT_U64(o, key, v)                                                                         \
    do {                                                                                           \
        uint64_t v_ = (v);                                                                         \
        if (v_) {                                                                                  \
            PUTS(o, ",\"" key "\":");                                                              \
            put_u64(o, v_);                                                                        \
        }                                                                                          \
    } while (0)

static void opt_name(out *o, const char *key, wcp_nameset set, uint8_t id)
{
    const char *name = wcp__name_get(set, id);
    if (!*name)
        return;
    PUTS(o, ",\"");
    put(o, key, strlen(key));
    PUTS(o, "\":");
    put_str(o, name);
}

/* ---- snapshot ------------------------------------------------------------------ */

typedef struct openop {
    uint64_t id, parent, start;
    uint32_t cls, ident, client, tid, m;
    uint8_t kind, work, ended;
} openop;

typedef struct range {
    const wcp__event *ev; /* the events: in a chunk, or a copy */
    uint32_t n;
} range;

typedef struct vec {
    void *v;
    size_t n, cap;
} vec;

static void *vec_push(vec *v, size_t size)
{
    if (v->n == v->cap) {
        size_t cap = v->cap ? 2 * v->cap : 64;
        void *p = realloc(v->v, cap * size);
        if (!p)
            return NULL;
        v->v = p;
        v->cap = cap;
    }
    return (char *)v->v + size * v->n++;
}

static int list_open_ops(wcp__thread *t, vec *ops)
{
    for (wcp__opr_block *b = atomic_load_explicit(&t->blocks, memory_order_acquire); b;
         b = atomic_load_explicit(&b->next, memory_order_acquire)) {
        for (size_t i = 0; i < WCP__OPR_PER_BLOCK; i++) {
            wcp__opr *r = &b->r[i];
            /* seqlock read side: id, the fields (acquire), id again. A field
       * written for a later op implies the re-read sees id change. An op
       * being ended (CLOSING) is still open until its event is out. */
            uint64_t id = atomic_load_explicit(&r->id, memory_order_acquire);
            if (!id)
                continue;
            uint64_t ci = atomic_load_explicit(&r->ci, memory_order_acquire);
            uint64_t clt = atomic_load_explicit(&r->clt, memory_order_acquire);
            uint64_t meta = atomic_load_explicit(&r->meta, memory_order_acquire);
            openop x = {
                .id = id & ~WCP__CLOSING,
                .parent = atomic_load_explicit(&r->parent, memory_order_acquire),
                .start = atomic_load_explicit(&r->start, memory_order_acquire),
                .cls = (uint32_t)ci,
                .ident = (uint32_t)(ci >> 32),
                .client = (uint32_t)clt,
                .tid = (uint32_t)(clt >> 32),
                .kind = (uint8_t)(meta >> 8),
                .work = (uint8_t)(meta >> 16),
                .m = wcp__m_of(meta),
            };
            if (atomic_load_explicit(&r->id, memory_order_relaxed) != id)
                continue;
            openop *p = vec_push(ops, sizeof *p);
            if (!p)
                return WCP_ENOMEM;
            *p = x;
        }
    }
    return 0;
}

/* What a dump took from the threads. */
typedef struct take {
    vec ranges;        /* range: every event to write, in order */
    vec copies;        /* wcp__event *: copies to free */
    wcp__chunk *taken; /* flush: chunks taken out (pool_next list) */
    vec pinned;        /* wcp__thread *: threads to unpin */
    int64_t count;     /* events */
} take;

/* Takes t's published, unflushed events (see the top of this file).
 * Returns 0, or WCP_ENOMEM when memory ran out: what was taken of t so
 * far is consistent (its head moved past exactly that), the rest stays. */
static int take_thread(wcp__thread *t, take *k, int flush)
{
    int ret = 0;
    uint32_t taken_events = 0;
    pthread_mutex_lock(&t->lk);
    wcp__chunk *c = atomic_load_explicit(&t->head, memory_order_acquire);
    uint32_t from = t->head_done;
    if (!flush && c) {
        wcp__thread **p = vec_push(&k->pinned, sizeof *p);
        if (!p) {
            ret = WCP_ENOMEM;
            c = NULL;
        } else {
            *p = t;
            t->pinned = 1;
        }
    }
    while (c) {
        wcp__chunk *next = atomic_load_explicit(&c->next, memory_order_acquire);
        uint32_t to = atomic_load_explicit(&c->committed, memory_order_acquire);
        range *r = vec_push(&k->ranges, sizeof *r);
        if (!r) {
            ret = WCP_ENOMEM;
            break;
        }
        *r = (range){&c->ev[from], to - from};
        if (flush && !next) { /* the last one: the owner writes on in it */
            wcp__event *copy = NULL, **cp = NULL;
            if (to > from &&
                (!(cp = vec_push(&k->copies, sizeof *cp)) ||
                 !(copy = aligned_alloc(WCP__CACHE_LINE, (size_t)(to - from) * sizeof *copy)))) {
                if (cp)
                    k->copies.n--;
                k->ranges.n--;
                ret = WCP_ENOMEM;
                break;
            }
            if (copy) {
                memcpy(copy, &c->ev[from], (size_t)(to - from) * sizeof *copy);
                *cp = copy;
                r->ev = copy;
            }
            t->head_done = to;
        } else if (flush) { /* full and left by the owner: the dump's now */
            atomic_store_explicit(&t->head, next, memory_order_relaxed);
            t->head_done = 0;
            atomic_fetch_sub_explicit(&t->nchunks, 1, memory_order_relaxed);
            c->pool_next = k->taken;
            k->taken = c;
        }
        taken_events += to - from;
        from = 0;
        c = next;
    }
    pthread_mutex_unlock(&t->lk);
    k->count += taken_events;
    if (flush)
        wcp__budget_return(taken_events);
    return ret;
}

static int cmp_openop(const void *a, const void *b)
{
    uint64_t x = ((const openop *)a)->id, y = ((const openop *)b)->id;
    return x < y ? -1 : x > y;
}

static void mark_ended(openop *ops, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (ops[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < n && ops[lo].id == id)
        ops[lo].ended = 1;
}

/* ---- writing ------------------------------------------------------------------- */

static int64_t ns_of(const wcp__event *e, uint64_t v)
{
    return e->flags & WCP__EVF_NS ? (int64_t)v : wcp__ticks_to_ns(v);
}

static const char *const drop_name[WCP_DROP__COUNT] = {"cap", "ring", "dump", "oom"};

static void write_header(out *o, int64_t count, const openop *ops, size_t nops, uint32_t nstr)
{
    uint64_t dropped[WCP_DROP__COUNT], total = 0;
    for (int k = 0; k < WCP_DROP__COUNT; k++)
        total += dropped[k] = wcp_dropped_by_cause((wcp_drop_cause)k);
    int64_t epoch = wcp__epoch_unix_ns();
    PUTS(o, "{\"schema_version\":1,\"epoch_unix_nano\":");
    put_i64(o, epoch);
    PUTS(o, ",\"dumped_unix_nano\":");
    put_i64(o, epoch + (wcp__mono_ns() - wcp__origin_mono_ns()));
    PUTS(o, ",\"dropped_events\":");
    put_u64(o, total);
    PUTS(o, ",\"event_count\":");
    put_i64(o, count);
    PUTS(o, ",\"strings\":[");
    for (uint32_t i = 0; i < nstr; i++) {
        if (i)
            PUTS(o, ",");
        put_str(o, wcp__str_get(i));
    }
    PUTS(o, "]");
    int first = 1;
    for (size_t k = 0; k < nops; k++) {
        const openop *x = &ops[k];
        if (x->ended)
            continue;
        if (first)
            PUTS(o, ",\"open_ops\":[{\"op_id\":");
        else
            PUTS(o, ",{\"op_id\":");
        first = 0;
        put_u64(o, x->id);
        OPT_U64(o, "parent_id", x->parent);
        PUTS(o, ",\"kind\":");
        put_str(o, wcp__name_get(WCP_NAMES_KIND, x->kind));
        opt_name(o, "work_type", WCP_NAMES_WORK, x->work);
        OPT_U64(o, "class_id", x->cls < nstr ? x->cls : 0);
        OPT_U64(o, "ident_id", x->ident < nstr ? x->ident : 0);
        OPT_U64(o, "client_id", x->client < nstr ? x->client : 0);
        OPT_U64(o, "meta_id", x->m < nstr ? x->m : 0);
        PUTS(o, ",\"start_ns\":");
        put_i64(o, wcp__ticks_to_ns(x->start));
        OPT_U64(o, "thread_id", x->tid);
        PUTS(o, "}");
    }
    if (!first)
        PUTS(o, "]");
    first = 1;
    for (int k = 0; k < WCP_DROP__COUNT; k++) {
        if (!dropped[k])
            continue;
        if (first)
            PUTS(o, ",\"dropped_by_cause\":{\"");
        else
            PUTS(o, ",\"");
        first = 0;
        put(o, drop_name[k], strlen(drop_name[k]));
        PUTS(o, "\":");
        put_u64(o, dropped[k]);
    }
    if (!first)
        PUTS(o, "}");
    first = 1;
    for (int k = 0; k < WCP_MISUSE__COUNT; k++) {
        uint64_t n = wcp_misuse_count((wcp_misuse)k);
        if (!n)
            continue;
        if (first)
            PUTS(o, ",\"misuse\":{\"");
        else
            PUTS(o, ",\"");
        first = 0;
        const char *key = wcp__misuse_name((wcp_misuse)k);
        put(o, key, strlen(key));
        PUTS(o, "\":");
        put_u64(o, n);
    }
    if (!first)
        PUTS(o, "}");
    int64_t user, sys;
    int cpus;
    wcp__cpu_since_origin(&user, &sys, &cpus);
    PUTS(o, ",\"cpu_user_ns\":");
    put_i64(o, user);
    PUTS(o, ",\"cpu_sys_ns\":");
    put_i64(o, sys);
    if (cpus > 0) {
        PUTS(o, ",\"cpus\":");
        put_i64(o, cpus);
    }
    PUTS(o, "}\n");
}

static void write_event(out *o, const wcp__event *e)
{
    int64_t s = ns_of(e, e->s), d = ns_of(e, e->d);
    if (d < s)
        d = s; /* ticks of two CPUs may differ by a few ns */
    switch (e->type) {
    case WCP__EV_OP:
        PUTS(o, "{\"e\":\"op\"");
        opt_name(o, "k", WCP_NAMES_KIND, e->name);
        opt_name(o, "w", WCP_NAMES_WORK, e->work);
        opt_name(o, "o", WCP_NAMES_OUTCOME, e->outcome);
        OPT_U64(o, "id", e->a);
        OPT_U64(o, "p", e->p);
        OPT_U64(o, "r", e->r);
        OPT_U64(o, "c", e->c);
        OPT_U64(o, "i", e->i);
        OPT_U64(o, "cl", e->cl);
        OPT_U64(o, "m", wcp__m_of(e->tail));
        break;
    case WCP__EV_WAIT:
        PUTS(o, "{\"e\":\"wait\"");
        opt_name(o, "rs", WCP_NAMES_REASON, e->name);
        OPT_U64(o, "p", e->p);
        OPT_U64(o, "t", e->a);
        OPT_U64(o, "i", e->i);
        break;
    default:
        PUTS(o, "{\"e\":\"link\"");
        opt_name(o, "lk", WCP_NAMES_LINK, e->name);
        OPT_U64(o, "p", e->p);
        OPT_U64(o, "t", e->a);
        OPT_U64(o, "i", e->i);
        OPT_U64(o, "r", e->r);
        d = s;
    }
    PUTS(o, ",\"s\":");
    put_i64(o, s);
    PUTS(o, ",\"d\":");
    put_i64(o, d);
    if (e->type != WCP__EV_LINK)
        OPT_U64(o, "th", e->th);
    PUTS(o, "}\n");
}

/* Gives back what a dump took: recycles its chunks (flush), unpins. */
static void take_done(take *k)
{
    for (wcp__chunk *c = k->taken, *next; c; c = next) {
        next = c->pool_next;
        wcp__chunk_release(c);
    }
    wcp__thread **pt = k->pinned.v;
    for (size_t i = 0; i < k->pinned.n; i++) {
        pthread_mutex_lock(&pt[i]->lk);
        pt[i]->pinned = 0;
        pthread_mutex_unlock(&pt[i]->lk);
    }
    wcp__event **cp = k->copies.v;
    for (size_t i = 0; i < k->copies.n; i++)
        free(cp[i]);
    free(k->ranges.v);
    free(k->copies.v);
    free(k->pinned.v);
}

static int dump(out *o, unsigned flags)
{
    wcp__init_once();
    int flush = (flags & WCP_DUMP_FLUSH) != 0;
    vec ops = {0}, threads = {0};
    take k = {0};
    int ret = 0;
    pthread_mutex_lock(&wcp__S.dump_lk);
    wcp__mail_run_dead();
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire);
         t && ret == 0; t = t->next) {
        wcp__thread **p = vec_push(&threads, sizeof *p);
        if (!p)
            ret = WCP_ENOMEM;
        else
            *p = t;
    }
    wcp__thread **ts = threads.v;
    for (size_t i = 0; i < threads.n && ret == 0; i++)
        ret = list_open_ops(ts[i], &ops);
    if (ret == 0) {
        /* Out of memory partway: what was taken is written (and for the
     * threads not taken yet, nothing is forgotten). */
        for (size_t i = 0; i < threads.n; i++)
            if (take_thread(ts[i], &k, flush) != 0)
                break;
        openop *op = ops.v;
        range *rs = k.ranges.v;
        if (ops.n)
            qsort(op, ops.n, sizeof *op, cmp_openop);
        for (size_t i = 0; i < k.ranges.n && ops.n; i++)
            for (uint32_t j = 0; j < rs[i].n; j++)
                if (rs[i].ev[j].type == WCP__EV_OP)
                    mark_ended(op, ops.n, rs[i].ev[j].a);
        wcp__clock_mark();
        uint32_t nstr = wcp__str_count();
        if (nstr == 0)
            nstr = 1; /* index 0, "", exists before any intern */
        write_header(o, k.count, op, ops.n, nstr);
        for (size_t i = 0; i < k.ranges.n; i++)
            for (uint32_t j = 0; j < rs[i].n; j++)
                write_event(o, &rs[i].ev[j]);
        out_flush(o);
        if (o->f && !o->err && fflush(o->f) != 0)
            o->err = errno ? errno : EIO;
        if (o->err) {
            errno = o->err;
            ret = WCP_EIO;
        } else
            ret = k.count > INT32_MAX ? INT32_MAX : (int)k.count;
    }
    take_done(&k);
    pthread_mutex_unlock(&wcp__S.dump_lk);
    free(ops.v);
    free(threads.v);
    return ret;
}

/* Dumps to fd (f NULL) or to f (fd -1) through a fresh output buffer. */
static int dump_to(int fd, FILE *f, unsigned flags)
{
    out *o = malloc(sizeof *o);
    if (!o)
        return WCP_ENOMEM;
    o->fd = fd;
    o->f = f;
    o->err = 0;
    o->n = 0;
    int ret = dump(o, flags);
    free(o);
    return ret;
}

int wcp_dump_fd(int fd, unsigned flags)
{
    if (fd < 0)
        return WCP_EINVAL;
    return dump_to(fd, NULL, flags);
}

int wcp_dump_file(FILE *f, unsigned flags)
{
    if (!f)
        return WCP_EINVAL;
    return dump_to(-1, f, flags);
}

/* Expands %p, %n and %% of pattern into buf; 0, or WCP_EINVAL. */
static int expand(const char *pattern, char *buf, size_t size)
{
    size_t n = 0;
    for (const char *s = pattern; *s; s++) {
        char tmp[24];
        const char *add = tmp;
        if (*s == '%' && s[1] == 'p') {
            snprintf(tmp, sizeof tmp, "%ld", (long)getpid());
            s++;
        } else if (*s == '%' && s[1] == 'n') {
            snprintf(tmp, sizeof tmp, "%llu",
                     (unsigned long long)atomic_fetch_add_explicit(&wcp__S.dump_seq, 1,
                                                                   memory_order_relaxed));
            s++;
        } else if (*s == '%' && s[1] == '%') {
            add = "%";
            s++;
        } else {
            tmp[0] = *s;
            tmp[1] = '\0';
        }
        size_t k = strlen(add);
        if (n + k + 1 > size)
            return WCP_EINVAL;
        memcpy(buf + n, add, k);
        n += k;
    }
    buf[n] = '\0';
    return n ? 0 : WCP_EINVAL;
}

/* Written to PATH.tmp and renamed, so a reader never sees half a dump. */
int wcp_dump_path(const char *pattern, unsigned flags)
{
    char path[4096], tmp[4096 + 8];
    if (!pattern || expand(pattern, path, sizeof path) != 0)
        return WCP_EINVAL;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return WCP_EOPEN;
    int ret = wcp_dump_fd(fd, flags);
    if (close(fd) != 0 && ret >= 0)
        ret = WCP_EIO;
    if (ret >= 0 && rename(tmp, path) != 0)
        ret = WCP_EOPEN;
    if (ret < 0) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    return ret;
}
