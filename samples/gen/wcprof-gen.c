/*
 * wcprof-gen.c - a deterministic generator of realistic wcprof dumps of any size.
 *
 * The dumps are shaped like those of Dagger's engine: client sessions (roots
 * of kind session_phase, some sequential with think time between them, some
 * overlapping), calls that wait on their call_exec, singleflight joins, lazy
 * ops and execs awaited by exec ident, exec phases, lock waits on named
 * resources, nested clients reparented under their exec, io, services,
 * result links, and a few ops still open at dump time.  The format is
 * spec/dump-format.md, schema version 1.
 *
 *   wcprof-gen -n 4000000 -s 7 -o big.dump
 *   wcprof-gen -n 100000 --dumps 4 -o run.dump       # run.dump.1 .. run.dump.4
 *   wcprof-gen -n 100000 --dumps 4 -o 'run-%02d.dump' --no-flush
 *
 * How it stays fast and small: the run is planned up front from a schedule
 * PRNG stream (how many events each session gets, when it starts, how long
 * it lasts), so the header (strings, open ops, dump time) can be written
 * before any event.  Each session is then generated top-down from its own
 * seed into a buffer of at most MAX_SESSION events, lightly shuffled (a
 * child is usually written before its parent, as a per-thread recorder
 * would), and written out.  Memory is bounded by one session, whatever -n.
 *
 * Output is the same bytes for the same options on the same platform: the
 * generator uses its own PRNG (xoshiro256**), its own exp(), and no libm.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SESSION 20000u /* most events one session (chunk) holds */
#define RING 1024u         /* recently executed calls remembered for hits */

/* ------------------------------------------------------------------ PRNG */

typedef struct {
    uint64_t s[4]; /* xoshiro256** state, never all zero */
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t mix64(uint64_t x)
{
    return splitmix64(&x);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl64(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return res;
}

/* A double in [0, 1). */
static inline double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* An integer in [0, n); n must be > 0. */
static inline uint64_t rng_below(rng_t *r, uint64_t n)
{
    return (uint64_t)(((unsigned __int128)rng_next(r) * n) >> 64);
}

static inline int rng_chance(rng_t *r, double p)
{
    return rng_unit(r) < p;
}

/* exp(x) without libm, so output does not depend on the libm's rounding. */
static double xexp(double x)
{
    if (x > 700)
        x = 700;
    if (x < -700)
        x = -700;
    double k = x * 1.4426950408889634;
    int64_t n = (int64_t)(k + (k >= 0 ? 0.5 : -0.5));
    double f = x - (double)n * 0.6931471805599453;
    double p =
        1 +
        f * (1 +
             f * (1.0 / 2 +
                  f * (1.0 / 6 +
                       f * (1.0 / 24 +
                            f * (1.0 / 120 +
                                 f * (1.0 / 720 + f * (1.0 / 5040 + f * (1.0 / 40320 +
                                                                         f * (1.0 / 362880)))))))));
    union {
        double d;
        uint64_t u;
    } sc;
    sc.u = (uint64_t)(n + 1023) << 52;
    return p * sc.d;
}

/* Approximately standard normal (Irwin-Hall of 4 uniforms, rescaled). */
static double rng_normal(rng_t *r)
{
    double s = rng_unit(r) + rng_unit(r) + rng_unit(r) + rng_unit(r);
    return (s - 2.0) * 1.7320508075688772;
}

/* A lognormal duration in ns around median, clamped to [lo, hi]. */
static int64_t rng_logn(rng_t *r, double median, double sigma, int64_t lo, int64_t hi)
{
    double v = median * xexp(sigma * rng_normal(r));
    if (v < (double)lo)
        return lo;
    if (v > (double)hi)
        return hi;
    return (int64_t)v;
}

#define US 1000LL
#define MS 1000000LL
#define SEC 1000000000LL

/* ------------------------------------------------------------ vocabulary */

enum { EV_OP = 1, EV_WAIT, EV_LINK };
enum {
    K_CALL = 1,
    K_CALL_EXEC,
    K_LAZY,
    K_EXEC_PHASE,
    K_EXEC,
    K_SERVICE_START,
    K_SESSION_PHASE,
    K_IO,
    K_INTERNAL
};
static const char *const kind_name[] = {"",           "call",    "call_exec",     "lazy",
                                        "exec_phase", "exec",    "service_start", "session_phase",
                                        "io",         "internal"};
enum { W_ENGINE = 1, W_USER, W_EXTERNAL };
static const char *const work_name[] = {"", "engine", "user", "external"};
enum { O_NONE = 0, O_HIT, O_EXECUTED, O_JOINED, O_DNC, O_OK, O_ERROR, O_CANCELED };
static const char *const outcome_name[] = {"",   "hit",   "executed", "joined", "do_not_cache",
                                           "ok", "error", "canceled"};
enum { R_CALL_EXEC = 1, R_SINGLEFLIGHT, R_LAZY, R_SERVICE, R_LOCK, R_EXEC, R_IO };
static const char *const reason_name[] = {"",        "call_exec", "singleflight", "lazy",
                                          "service", "lock",      "exec",         "io"};
enum { L_NESTED = 1, L_RESULT, L_REUSED };
static const char *const link_name[] = {"", "nested_client", "result", "reused_result"};

/* Fixed strings, at string-table indexes 1..NFIXED.  F_* name them. */
/* The names in groups, a line each (kept as written: clang-format would run them together). */
/* clang-format off */
#define FIXED_LIST(X)                                                                   \
    X(SESS_QUERY, "session.query") X(SESS_SERVE, "session.serveQuery")                  \
    X(SESS_INIT, "session.init") X(SESS_EXPORT, "session.export")                       \
    X(SESS_CONNECT, "session.connect")                                                  \
    X(EXEC_RUN, "exec.run") X(EXEC_RUNSVC, "exec.runService")                           \
    X(PH_NET, "exec.setupNetwork") X(PH_MOUNTS, "exec.prepareMounts")                   \
    X(PH_RUN, "exec.runContainer") X(PH_SNAP, "exec.snapshot") X(PH_DOWN, "exec.teardown") \
    X(IO_BLOB, "io.blobFetch") X(IO_PULL, "io.registryPull") X(IO_PUSH, "io.registryPush") \
    X(IO_WALK, "io.fsWalk") X(IO_READ, "io.fileRead") X(IO_WRITE, "io.fileWrite")       \
    X(IO_STDOUT, "io.stdout")                                                           \
    X(IN_GC, "internal.gc") X(IN_LOOKUP, "internal.cacheLookup")                        \
    X(IN_SCHEMA, "internal.schemaLoad") X(IN_TELEM, "internal.telemetryFlush")          \
    X(IN_COMMIT, "internal.snapshotCommit")                                             \
    X(SVC_START, "Service.start") X(SVC_ASSVC, "Container.asService") X(SVC_UP, "Service.up") \
    X(LOCK_SNAP, "lock:snapshotter") X(LOCK_GOMOD, "lock:cache-mount/go-mod")          \
    X(LOCK_CONTENT, "lock:content-store") X(LOCK_SESS, "lock:session-manager")          \
    X(LOCK_ODD, "lock:mount \"/src\" \\ tab\there")                                     \
    X(BOTTLENECK, "ModuleSource.asModule")                                              \
    X(ODD_CLASS, "Module.na\xc3\xafve/\xe6\x97\xa5\xe6\x9c\xac\x01")
/* clang-format on */

enum {
    F_NONE = 0,
#define X_ENUM(name, str) F_##name,
    FIXED_LIST(X_ENUM)
#undef X_ENUM
        F_END
};
static const char *const fixed_str[] = {"",
#define X_STR(name, str) str,
                                        FIXED_LIST(X_STR)
#undef X_STR
};
#define NFIXED (F_END - 1)

static const char *const hot_classes[] = {
    "Container.withExec",
    "Container.from",
    "Directory.file",
    "Container.withMountedCache",
    "Container.withDirectory",
    "Host.directory",
    "Directory.withNewFile",
    "Container.withEnvVariable",
    "Container.stdout",
    "Container.sync",
    "Directory.directory",
    "File.contents",
    "Git.branch",
    "GitRef.tree",
    "Container.withWorkdir",
    "Container.withFile",
    "Module.serve",
    "Function.call",
    "Container.directory",
    "Directory.entries",
    "Container.file",
    "Ci.build",
    "Ci.test",
    "Container.publish",
    "Directory.export",
    "Container.withMountedDirectory",
    "CacheVolume.id",
    "Secret.plaintext",
    "Container.asService",
    "Query.container",
};
static const char *const types[] = {
    "Container", "Directory", "File",         "Host",     "Git",           "GitRepository",
    "GitRef",    "Module",    "ModuleSource", "Function", "FunctionCall",  "TypeDef",
    "Secret",    "Service",   "CacheVolume",  "Query",    "Engine",        "EnvVariable",
    "Label",     "Port",      "Terminal",     "Socket",   "CurrentModule", "Ci",
    "MyApp",     "Build",     "Deploy",       "Tests",    "Lint",          "Release",
};
#define FIRST_USER_TYPE 23 /* types from "Ci" on are user modules: user work */
static const char *const fields[] = {
    "from",
    "withExec",
    "withDirectory",
    "withFile",
    "withMountedCache",
    "withMountedDirectory",
    "withEnvVariable",
    "withWorkdir",
    "withEntrypoint",
    "withUser",
    "withLabel",
    "withSecretVariable",
    "withServiceBinding",
    "withExposedPort",
    "file",
    "directory",
    "entries",
    "contents",
    "export",
    "sync",
    "stdout",
    "stderr",
    "id",
    "publish",
    "asService",
    "asTarball",
    "withNewFile",
    "glob",
    "digest",
    "terminal",
    "build",
    "test",
    "lint",
    "run",
};
#define NTYPES (sizeof types / sizeof types[0])
#define NFIELDS (sizeof fields / sizeof fields[0])

/* ------------------------------------------------------------ the output */

typedef struct {
    FILE *f;    /* where the bytes go */
    char *buf;  /* buffered bytes not yet written */
    size_t len; /* bytes in buf */
    size_t cap; /* size of buf */
    int err;    /* a write failed */
} sink_t;

static void sink_flush(sink_t *k)
{
    if (k->len && fwrite(k->buf, 1, k->len, k->f) != k->len)
        k->err = 1;
    k->len = 0;
}

/* Room for n more bytes (n <= cap). */
static inline char *sink_room(sink_t *k, size_t n)
{
    if (k->cap - k->len < n)
        sink_flush(k);
    return k->buf + k->len;
}

static void sink_put(sink_t *k, const char *s, size_t n)
{
    if (n > k->cap) {
        sink_flush(k);
        if (fwrite(s, 1, n, k->f) != n)
            k->err = 1;
        return;
    }
    memcpy(sink_room(k, n), s, n);
    k->len += n;
}

static const char digits2[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

/* Writes v in decimal at p; returns the end. */
static inline char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    char *e = tmp + 20, *q = e;
    while (v >= 100) {
        unsigned d = (unsigned)(v % 100) * 2;
        v /= 100;
        *--q = digits2[d + 1];
        *--q = digits2[d];
    }
    if (v >= 10) {
        *--q = digits2[v * 2 + 1];
        *--q = digits2[v * 2];
    } else {
        *--q = (char)('0' + v);
    }
    size_t n = (size_t)(e - q);
    memcpy(p, q, n);
    return p + n;
}

static inline char *put_i64(char *p, int64_t v)
{
    if (v < 0) {
        *p++ = '-';
        return put_u64(p, (uint64_t)0 - (uint64_t)v);
    }
    return put_u64(p, (uint64_t)v);
}

#define PUT_LIT(p, lit) (memcpy((p), (lit), sizeof(lit) - 1), (p) += sizeof(lit) - 1)

static inline char *put_str(char *p, const char *s)
{
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

/* Writes s as a JSON string (with quotes), escaping what JSON requires. */
static void sink_json_str(sink_t *k, const char *s)
{
    size_t n = strlen(s);
    char *p = sink_room(k, 6 * n + 2), *p0 = p;
    *p++ = '"';
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            *p++ = '\\';
            *p++ = (char)*c;
        } else if (*c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            *p++ = '\\';
            switch (*c) {
            case '\n': *p++ = 'n'; break;
            case '\t': *p++ = 't'; break;
            case '\r': *p++ = 'r'; break;
            case '\b': *p++ = 'b'; break;
            case '\f': *p++ = 'f'; break;
            default:
                *p++ = 'u';
                *p++ = '0';
                *p++ = '0';
                *p++ = hex[*c >> 4];
                *p++ = hex[*c & 15];
            }
        } else {
            *p++ = (char)*c;
        }
    }
    *p++ = '"';
    k->len += (size_t)(p - p0);
}

/* ------------------------------------------------------------ the model */

typedef struct {
    uint8_t e;         /* EV_OP, EV_WAIT, EV_LINK */
    uint8_t k;         /* op kind, wait reason or link kind */
    uint8_t w;         /* work type (ops) */
    uint8_t o;         /* outcome (ops), O_NONE for none */
    uint32_t c, i, cl; /* string indexes: class, ident, client */
    uint32_t m;        /* string index of the op's metadata (--meta), 0: none */
    uint64_t id, p, t, r;
    int64_t s, d;
} ev_t;

typedef struct {
    uint32_t budget; /* events it gets */
    int64_t s, d;    /* planned interval, ns since the epoch */
} session_t;

/* An open op, for a header's open_ops. */
typedef struct {
    uint64_t id, p;
    uint8_t k, w;
    uint32_t c, i, cl, m;
    int64_t s;
} openop_t;

typedef struct {
    openop_t *v;
    size_t n, cap;
} openlist_t;

/* Something a parent op does, planned before it is placed in time. */
enum {
    IT_CALL = 1,
    IT_LAZY,
    IT_EXEC,
    IT_BOTTLENECK,
    IT_HIT,
    IT_IO,
    IT_LOCK,
    IT_INTERNAL,
    IT_SERVICE,
    IT_DETACHED,
    IT_NROOT,
    IT_XIO
};
typedef struct {
    uint8_t type;    /* IT_* */
    uint8_t lane;    /* parallel lane inside the parent */
    uint32_t budget; /* events it emits, all included */
    uint32_t cls;    /* class string index (calls, lazies) */
    double weight;   /* > 0: share of the parent's time (composites) */
    double gw;       /* weight of the idle gap before it */
    int64_t want;    /* leaves: intrinsic duration */
    int64_t s, d;    /* placed interval */
} item_t;

/* The op whose children are being generated. */
typedef struct {
    uint64_t id;
    uint8_t kind;
    uint32_t cl;  /* client it serves */
    int nest;     /* nested-client depth */
    int64_t a, b; /* its interval */
} pctx_t;

typedef struct {
    /* options */
    uint64_t n_events, seed, classes, open, dropped, orphans, dumps, quirks, meta;
    int flush;
    const char *out;
    /* plan */
    session_t *sess;
    size_t nsess;
    int64_t t_end;   /* latest planned session end */
    int64_t now;     /* the last dump's time (recorder clock) */
    int64_t epoch;   /* epoch_unix_nano */
    int64_t *dump_t; /* each dump's time, recorder clock */
    /* string table layout */
    uint32_t base_class, n_class;   /* call classes */
    uint32_t base_client, n_client; /* one per session, +1 for the hung one */
    uint32_t base_nested, n_nested; /* nested clients */
    uint32_t base_dig, n_dig;       /* call digests */
    uint32_t base_xid, n_xid;       /* exec idents */
    uint32_t base_meta, n_meta;     /* exec metadata (--meta): argv arrays */
    uint32_t n_strings;
    uint32_t used_nested, used_dig, used_xid; /* idents handed out */
    uint32_t resv_dig, resv_xid;              /* idents promised to planned items */
    double *class_cdf;                        /* Zipf over call classes */
    double *class_cost;                       /* per-class cost multiplier */
    char **class_names;
    /* generation */
    rng_t r;
    uint64_t next_id;
    uint64_t orphan_id, orphans_left;
    int64_t sess_end;
    uint32_t sess_client;
    ev_t *ev;
    size_t nev, evcap;
    item_t *items;
    size_t nitems, icap;
    struct {
        uint64_t x;
        uint32_t dig;
        uint64_t rid;
    } ring[RING];
    uint64_t nring;
    /* output */
    sink_t *sinks;     /* one per dump (flushed bodies when dumps > 1) */
    uint64_t *counts;  /* events per dump */
    openlist_t *opens; /* open ops per dump */
    openop_t *hung;    /* --open ops */
} gen_t;

static void die(const char *what)
{
    fprintf(stderr, "wcprof-gen: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void *xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        die("out of memory");
    return p;
}

static inline uint64_t new_id(gen_t *g)
{
    return g->next_id++;
}

static inline ev_t *push_ev(gen_t *g)
{
    if (g->nev == g->evcap) {
        g->evcap = g->evcap ? 2 * g->evcap : 1024;
        g->ev = xrealloc(g->ev, g->evcap * sizeof *g->ev);
    }
    ev_t *e = &g->ev[g->nev++];
    memset(e, 0, sizeof *e);
    return e;
}

/* --meta N: the metadata of exec op id, a string index, or 0. Three
 * execs in four carry one of the N argv arrays, the low ones more often
 * (the smaller of two draws), from a hash of the seed and the op id: no
 * draw from the generation's PRNG, so without the option the bytes stay
 * as they are, and with it they depend only on the seed. */
static uint32_t exec_meta(const gen_t *g, uint8_t kind, uint64_t id)
{
    if (!g->n_meta || kind != K_EXEC)
        return 0;
    uint64_t h = mix64(g->seed * 47 + id);
    if ((h & 3) == 0)
        return 0;
    uint32_t a = (uint32_t)((h >> 8) & 0xffffff) % g->n_meta;
    uint32_t b = (uint32_t)(h >> 40) % g->n_meta;
    return g->base_meta + (a < b ? a : b);
}

static void push_op(gen_t *g, uint8_t k, uint8_t w, uint8_t o, uint64_t id, uint64_t p, uint32_t c,
                    uint32_t i, uint32_t cl, uint64_t r, int64_t s, int64_t d)
{
    ev_t *e = push_ev(g);
    e->e = EV_OP;
    e->k = k;
    e->w = w;
    e->o = o;
    e->id = id;
    e->p = p;
    e->c = c;
    e->i = i;
    e->cl = cl;
    e->m = exec_meta(g, k, id);
    e->r = r;
    e->s = s;
    e->d = d < s ? s : d;
}

static void push_wait(gen_t *g, uint8_t rs, uint64_t p, uint64_t t, uint32_t i, int64_t s,
                      int64_t d)
{
    ev_t *e = push_ev(g);
    e->e = EV_WAIT;
    e->k = rs;
    e->p = p;
    e->t = t;
    e->i = i;
    e->s = s;
    e->d = d < s ? s : d;
}

static void push_link(gen_t *g, uint8_t lk, uint64_t p, uint64_t t, uint32_t i, uint64_t r,
                      int64_t s)
{
    ev_t *e = push_ev(g);
    e->e = EV_LINK;
    e->k = lk;
    e->p = p;
    e->t = t;
    e->i = i;
    e->r = r;
    e->s = s;
    e->d = s;
}

static uint32_t pick_class(gen_t *g)
{
    double u = rng_unit(&g->r) * g->class_cdf[g->n_class - 1];
    uint32_t lo = 0, hi = g->n_class - 1;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (g->class_cdf[mid] > u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

static uint8_t class_work(gen_t *g, uint32_t c)
{
    const char *n = c == F_BOTTLENECK || c == F_ODD_CLASS ? "" : g->class_names[c - g->base_class];
    for (size_t t = FIRST_USER_TYPE; t < NTYPES; t++) {
        size_t l = strlen(types[t]);
        if (!strncmp(n, types[t], l) && n[l] == '.')
            return W_USER;
    }
    return W_ENGINE;
}

static uint64_t new_rid(gen_t *g)
{
    return (rng_next(&g->r) >> 2) | 1;
}

/* A call digest: a fresh one, or (rarely, or when the pool is spent) a
 * recently executed one, which the analysis counts as a duplicate execution. */
static uint32_t take_digest(gen_t *g, int fresh)
{
    if (g->nring && (!fresh || g->used_dig >= g->n_dig))
        return g->ring[(g->nring - 1 - rng_below(&g->r, g->nring < RING ? g->nring : RING)) % RING]
            .dig;
    if (g->used_dig >= g->n_dig)
        return g->base_dig + (uint32_t)rng_below(&g->r, g->n_dig);
    return g->base_dig + g->used_dig++;
}

/* ------------------------------------------------- planning and placing */

static item_t *push_item(gen_t *g, uint8_t type, uint32_t budget)
{
    if (g->nitems == g->icap) {
        g->icap = g->icap ? 2 * g->icap : 256;
        g->items = xrealloc(g->items, g->icap * sizeof *g->items);
    }
    item_t *it = &g->items[g->nitems++];
    memset(it, 0, sizeof *it);
    it->type = type;
    it->budget = budget;
    it->gw = 0.2 + rng_unit(&g->r);
    return it;
}

static void set_leaf(gen_t *g, item_t *it)
{
    rng_t *r = &g->r;
    switch (it->type) {
    case IT_HIT: it->want = rng_logn(r, 150 * US, 1.0, 5 * US, 20 * MS); break;
    case IT_IO: it->want = rng_logn(r, 25 * MS, 1.3, 200 * US, 5 * SEC); break;
    case IT_XIO: it->want = rng_logn(r, 2 * MS, 1.0, 50 * US, 500 * MS); break;
    case IT_LOCK: {
        /* named resources with fixed delays, a little jitter */
        static const int64_t delay[] = {2 * MS, 15 * MS, 5 * MS, 40 * MS, 1 * MS};
        uint32_t which = (uint32_t)rng_below(r, 40);
        which = which < 39 ? which % 4 : 4;
        it->cls = F_LOCK_SNAP + which;
        it->want = delay[which] + (int64_t)rng_below(r, (uint64_t)delay[which] / 10 + 1);
        break;
    }
    case IT_INTERNAL:
    case IT_DETACHED: it->want = rng_logn(r, 800 * US, 1.2, 10 * US, 100 * MS); break;
    case IT_SERVICE: it->want = rng_logn(r, 400 * MS, 0.8, 20 * MS, 10 * SEC); break;
    default: break;
    }
}

/* Plans what parent P does with B events: pushes items onto g->items. */
static void plan(gen_t *g, const pctx_t *P, uint64_t B, int depth)
{
    rng_t *r = &g->r;
    uint64_t rem = B, n = 0;
    uint64_t m = B <= 3 ? B : 2 + rng_below(r, 7);
    if (depth >= 5 && m < B / 5)
        m = B / 5;
    int comp_ok = depth < 8;
    int is_session = P->kind == K_SESSION_PHASE;
    if (is_session && P->nest == 0 && rem >= 12 && rng_chance(r, 0.45) && comp_ok &&
        g->resv_dig < g->n_dig) {
        uint64_t sz = rem / (m + 1) + 3;
        item_t *it = push_item(g, IT_BOTTLENECK, (uint32_t)sz);
        it->cls = F_BOTTLENECK;
        it->weight = (double)sz * 12.0;
        g->resv_dig++;
        rem -= sz;
        n++;
    }
    /*                                 CALL LAZY EXEC HIT IO LOCK INT SVC DET */
    static const int w_sess[9] = {45, 8, 0, 18, 6, 6, 8, 4, 0};
    static const int w_cexec[9] = {30, 5, 12, 28, 6, 6, 7, 2, 1};
    static const uint8_t tmap[9] = {IT_CALL, IT_LAZY,     IT_EXEC,    IT_HIT,     IT_IO,
                                    IT_LOCK, IT_INTERNAL, IT_SERVICE, IT_DETACHED};
    const int *wt = is_session ? w_sess : w_cexec;
    while (rem) {
        uint64_t left = n < m ? m - n : 1;
        int w[9], tot = 0;
        for (int t = 0; t < 9; t++) {
            w[t] = wt[t];
            if ((t <= 2) && (rem < 3 || !comp_ok))
                w[t] = 0;
            if (t == 0 && g->resv_dig >= g->n_dig)
                w[t] = 0;
            if ((t == 1 || t == 2) && g->resv_xid >= g->n_xid)
                w[t] = 0;
            if ((t == 1 || t == 2) && rem < 4 && is_session == 0)
                w[t] = 0; /* a lazy under a call_exec also costs the lazy wait */
            if (t == 7 && rem < 2)
                w[t] = 0;
            if (t == 8 && P->b >= g->sess_end)
                w[t] = 0;
            tot += w[t];
        }
        int u = (int)rng_below(r, (uint64_t)tot), t = 0;
        while (u >= w[t])
            u -= w[t++];
        uint8_t type = tmap[t];
        uint64_t sz = 1;
        if (t <= 2) {
            if (left <= 1)
                sz = rem;
            else
                sz = (uint64_t)((double)rem * (0.3 + 1.4 * rng_unit(r)) / (double)left);
            /* most execs are small; a few host a module's nested client */
            if (t > 0 && sz > 4 && !(t == 2 && rng_chance(r, 0.15)))
                sz = 4 + rng_below(r, 8);
            if (sz < 3)
                sz = 3;
            if (t > 0 && !is_session && sz < 4)
                sz = 4;
            if (sz > rem)
                sz = rem;
            if (t == 0)
                g->resv_dig++;
            else
                g->resv_xid++;
        } else if (type == IT_SERVICE) {
            sz = 2;
        } else if ((type == IT_HIT && rng_chance(r, 0.12)) ||
                   (type == IT_IO && rng_chance(r, 0.5))) {
            sz = rem >= 2 ? 2 : 1;
        }
        item_t *it = push_item(g, type, (uint32_t)sz);
        if (t <= 2) {
            uint32_t k = pick_class(g);
            it->cls = t == 2 ? F_EXEC_RUN : g->base_class + k;
            double cost = t == 2 ? 1.0 : g->class_cost[k];
            if (t == 0 && rng_chance(r, 0.002))
                it->cls = F_ODD_CLASS; /* a name that needs JSON escapes */
            it->weight = (double)sz * (0.5 + rng_unit(r)) * cost;
        } else {
            set_leaf(g, it);
        }
        rem -= sz;
        n++;
    }
}

/* Places items [base, base+n) inside [a, b] on up to `lanes` parallel lanes;
 * `self` is the fraction of each lane the parent keeps for itself. */
static void place(gen_t *g, size_t base, size_t n, int64_t a, int64_t b, double self,
                  unsigned lanes)
{
    rng_t *r = &g->r;
    int64_t W = b > a ? b - a : 0;
    if (lanes > n)
        lanes = (unsigned)n;
    if (lanes < 1)
        lanes = 1;
    for (size_t k = 0; k < n; k++) {
        item_t *it = &g->items[base + k];
        it->lane = (uint8_t)(it->type == IT_BOTTLENECK || lanes == 1 ? 0 : rng_below(r, lanes));
    }
    for (unsigned l = 0; l < lanes; l++) {
        double sl = 0, sw = 0, gws = 0.2 + rng_unit(r);
        size_t cnt = 0;
        for (size_t k = 0; k < n; k++) {
            item_t *it = &g->items[base + k];
            if (it->lane != l)
                continue;
            cnt++;
            gws += it->gw;
            if (it->weight > 0)
                sw += it->weight;
            else
                sl += (double)it->want;
        }
        if (!cnt)
            continue;
        double avail = (double)W * (1.0 - self), leafscale = 1.0, unit = 0;
        if (sw > 0) {
            if (sl > 0.5 * avail)
                leafscale = 0.5 * avail / sl;
            unit = (avail - sl * leafscale) / sw;
        } else if (sl > avail) {
            leafscale = avail / sl;
        }
        int64_t total = 0;
        for (size_t k = 0; k < n; k++) {
            item_t *it = &g->items[base + k];
            if (it->lane != l)
                continue;
            double dd = it->weight > 0 ? it->weight * unit : (double)it->want * leafscale;
            int64_t d = dd < 0 ? 0 : (int64_t)dd;
            if (d > W - total)
                d = W - total;
            it->d = d;
            total += d;
        }
        int64_t freet = W - total, t = a;
        for (size_t k = 0; k < n; k++) {
            item_t *it = &g->items[base + k];
            if (it->lane != l)
                continue;
            t += (int64_t)((double)freet * it->gw / gws);
            int64_t d = it->d;
            it->s = t;
            it->d = t + d;
            t += d;
        }
    }
}

/* ------------------------------------------------------------ emitting */

static void gen_children(gen_t *g, const pctx_t *P, uint64_t B, int depth, double self,
                         unsigned lanes);
static void emit_item(gen_t *g, const pctx_t *P, const item_t *it, int depth);

static void ring_push(gen_t *g, uint64_t x, uint32_t dig, uint64_t rid)
{
    g->ring[g->nring % RING].x = x;
    g->ring[g->nring % RING].dig = dig;
    g->ring[g->nring % RING].rid = rid;
    g->nring++;
}

static void emit_call(gen_t *g, const pctx_t *P, const item_t *it, int depth)
{
    rng_t *r = &g->r;
    int bottleneck = it->type == IT_BOTTLENECK;
    uint64_t cid = new_id(g), xid = new_id(g), rid = new_rid(g);
    uint32_t dig = take_digest(g, !rng_chance(r, 0.03));
    uint8_t w = class_work(g, it->cls);
    int64_t a = it->s, b = it->d, W = b - a;
    int64_t o1 = rng_logn(r, 8 * US, 0.7, 1 * US, 200 * US),
            o2 = rng_logn(r, 4 * US, 0.7, 1 * US, 100 * US);
    if (o1 > W / 8)
        o1 = W / 8;
    if (o2 > W / 8)
        o2 = W / 8;
    int64_t xa = a + o1, xb = b - o2;
    uint64_t rem = it->budget - 3;
    int link = rem >= 1 && rng_chance(r, 0.12);
    rem -= (uint64_t)link;
    int joins = 0;
    if (rem >= 2 && rng_chance(r, 0.08))
        joins = 1 + (rem >= 4 && rng_chance(r, 0.25));
    rem -= 2 * (uint64_t)joins;
    double u = rng_unit(r);
    uint8_t oc = O_EXECUTED, ox = O_OK;
    if (!bottleneck && u < 0.03)
        oc = ox = O_ERROR;
    else if (!bottleneck && u < 0.05)
        oc = O_DNC;

    pctx_t X = {xid, K_CALL_EXEC, P->cl, P->nest, xa, xb};
    double self = bottleneck ? 0.85 : (w == W_USER ? 0.1 : 0.03) + 0.4 * rng_unit(r) * rng_unit(r);
    gen_children(g, &X, rem, depth + 1, self,
                 rng_chance(r, 0.7) ? 1 : 2 + (unsigned)rng_below(r, 3));

    push_op(g, K_CALL_EXEC, w, ox, xid, cid, it->cls, dig, 0, rid, xa, xb);
    push_wait(g, R_CALL_EXEC, cid, xid, 0, xa, xb);
    if (link)
        push_link(g, L_RESULT, cid, xid, 0, rid, xb);
    for (int j = 0; j < joins; j++) {
        uint64_t jid = new_id(g);
        int64_t js = xa + (int64_t)((double)(xb - xa) * 0.7 * rng_unit(r)), jd;
        int canceled = rng_chance(r, 0.15);
        int64_t we;
        if (canceled) {
            jd = js + (int64_t)((double)(xb - js) * 0.6 * rng_unit(r));
            we = jd;
        } else {
            jd = xb + (b - xb) / 2;
            we = xb;
        }
        int64_t ws = js + (we - js > 2 * US ? US : 0);
        push_wait(g, R_SINGLEFLIGHT, jid, xid, 0, ws, we);
        push_op(g, K_CALL, w, canceled ? O_CANCELED : O_JOINED, jid, P->id, it->cls, dig, P->cl, 0,
                js, jd);
    }
    push_op(g, K_CALL, w, oc, cid, P->id, it->cls, dig, P->cl, oc == O_ERROR ? 0 : rid, a, b);
    if (oc != O_ERROR)
        ring_push(g, xid, dig, rid);
}

/* Fills an exec's interval: phases, then io or a nested client in its run phase. */
static void exec_body(gen_t *g, const pctx_t *E, uint64_t B, int depth)
{
    rng_t *r = &g->r;
    static const uint32_t sets[5][5] = {{F_PH_RUN},
                                        {F_PH_NET, F_PH_RUN},
                                        {F_PH_NET, F_PH_RUN, F_PH_DOWN},
                                        {F_PH_NET, F_PH_MOUNTS, F_PH_RUN, F_PH_DOWN},
                                        {F_PH_NET, F_PH_MOUNTS, F_PH_RUN, F_PH_SNAP, F_PH_DOWN}};
    if (!B)
        return;
    uint64_t np = B < 5 ? B : 2 + rng_below(r, 4);
    uint64_t rem = B - np;
    int64_t want[5], sum = 0, W = E->b - E->a;
    for (uint64_t k = 0; k < np; k++) {
        uint32_t c = sets[np - 1][k];
        want[k] = c == F_PH_NET      ? rng_logn(r, 12 * MS, 0.8, 500 * US, 200 * MS)
                  : c == F_PH_MOUNTS ? rng_logn(r, 6 * MS, 0.9, 200 * US, 200 * MS)
                  : c == F_PH_SNAP   ? rng_logn(r, 20 * MS, 0.9, 1 * MS, 500 * MS)
                  : c == F_PH_DOWN   ? rng_logn(r, 3 * MS, 0.7, 100 * US, 50 * MS)
                                     : 0;
        sum += want[k];
    }
    int64_t gap = W / 200 / (int64_t)(np + 1);
    int64_t avail = W - gap * (int64_t)(np + 1);
    int64_t runlen = avail - sum;
    if (runlen < avail / 2) { /* short exec: scale the fixed phases down */
        for (uint64_t k = 0; k < np; k++)
            want[k] = (int64_t)((double)want[k] * (double)(avail / 2) / (double)(sum ? sum : 1));
        sum = 0;
        for (uint64_t k = 0; k < np; k++)
            sum += want[k];
        runlen = avail - sum;
    }
    int64_t t = E->a, ra = E->a, rb = E->b;
    for (uint64_t k = 0; k < np; k++) {
        uint32_t c = sets[np - 1][k];
        int64_t d = c == F_PH_RUN ? runlen : want[k];
        t += gap;
        if (c == F_PH_RUN) {
            ra = t;
            rb = t + d;
        }
        push_op(g, K_EXEC_PHASE, c == F_PH_RUN ? W_USER : W_ENGINE, O_OK, new_id(g), E->id, c, 0, 0,
                0, t, t + d);
        t += d;
    }
    if (!rem)
        return;
    size_t base = g->nitems;
    if (rem >= 3 && E->nest < 3 && g->used_nested < g->n_nested &&
        (rem > 10 || rng_chance(r, 0.1))) {
        uint32_t cli = g->base_nested + g->used_nested++;
        push_link(g, L_NESTED, E->id, 0, cli, 0, ra);
        rem--;
        uint64_t roots = 1 + rng_below(r, rem < 3 ? rem : 3);
        for (uint64_t k = 0; k < roots; k++) {
            uint64_t sz = k + 1 == roots ? rem : 1 + rng_below(r, rem - (roots - k) + 1);
            item_t *it = push_item(g, IT_NROOT, (uint32_t)sz);
            it->weight = (double)sz * (0.5 + rng_unit(r));
            it->cls = cli;
            rem -= sz;
        }
    } else {
        while (rem--) {
            item_t *it = push_item(g, IT_XIO, 1);
            set_leaf(g, it);
        }
    }
    size_t n = g->nitems - base;
    place(g, base, n, ra, rb, 0.05, 1);
    for (size_t k = 0; k < n; k++) {
        item_t it = g->items[base + k];
        emit_item(g, E, &it, depth);
    }
    g->nitems = base;
}

/* An exec op child of parent `pid` over [a, b], with `body` events inside
 * it; `retry` adds a failed first attempt with the same ident. Returns the ident. */
static uint32_t emit_exec(gen_t *g, uint64_t pid, const pctx_t *P, int64_t a, int64_t b,
                          uint64_t body, int retry, int depth)
{
    rng_t *r = &g->r;
    uint32_t x = g->base_xid + (g->used_xid < g->n_xid ? g->used_xid++ : 0);
    uint64_t eid = new_id(g);
    int64_t ea = a;
    if (retry) {
        uint64_t fid = new_id(g);
        int64_t fd = a + (b - a) / 10;
        push_op(g, K_EXEC, W_ENGINE, O_ERROR, fid, pid, F_EXEC_RUN, x, 0, 0, a, fd);
        ea = fd + (b - fd) / 20;
    }
    pctx_t E = {eid, K_EXEC, P->cl, P->nest, ea, b};
    exec_body(g, &E, body, depth + 1);
    push_op(g, K_EXEC, W_ENGINE, rng_chance(r, 0.01) ? O_ERROR : O_OK, eid, pid,
            P->nest && rng_chance(r, 0.5) ? F_EXEC_RUNSVC : F_EXEC_RUN, x, 0, 0, ea, b);
    return x;
}

static void emit_item(gen_t *g, const pctx_t *P, const item_t *it, int depth)
{
    rng_t *r = &g->r;
    switch (it->type) {
    case IT_CALL:
    case IT_BOTTLENECK: emit_call(g, P, it, depth); break;
    case IT_LAZY: {
        uint64_t lid = new_id(g);
        int lazywait = P->kind == K_CALL_EXEC;
        int64_t a = it->s, b = it->d, o = (b - a) / 50;
        uint64_t body = it->budget - 3 - (uint64_t)lazywait;
        pctx_t L = {lid, K_LAZY, P->cl, P->nest, a, b};
        uint32_t x = emit_exec(g, lid, &L, a + o, b - o, body, 0, depth);
        push_wait(g, R_EXEC, lid, 0, x, a + o, b - o);
        push_op(g, K_LAZY, W_ENGINE, O_OK, lid, P->id, it->cls, 0, 0, 0, a, b);
        if (lazywait)
            push_wait(g, R_LAZY, P->id, lid, 0, a, b);
        break;
    }
    case IT_EXEC: {
        int retry = it->budget >= 3 && rng_chance(r, 0.05);
        uint64_t body = it->budget - 2 - (uint64_t)retry;
        uint32_t x = emit_exec(g, P->id, P, it->s, it->d, body, retry, depth);
        push_wait(g, R_EXEC, P->id, 0, x, it->s, it->d);
        break;
    }
    case IT_HIT: {
        uint64_t cid = new_id(g), rid = 0, src = 0;
        uint32_t dig, cls = g->base_class + pick_class(g);
        if (g->nring) {
            uint64_t k = (g->nring - 1 - rng_below(r, g->nring < RING ? g->nring : RING)) % RING;
            dig = g->ring[k].dig;
            rid = g->ring[k].rid;
            src = g->ring[k].x;
        } else {
            dig = take_digest(g, 1);
        }
        push_op(g, K_CALL, class_work(g, cls), O_HIT, cid, P->id, cls, dig, P->cl, rid, it->s,
                it->d);
        if (it->budget == 2)
            push_link(g, L_REUSED, cid, src, 0, rid, it->d);
        break;
    }
    case IT_IO:
    case IT_XIO: {
        uint64_t id = new_id(g);
        uint32_t c = it->type == IT_XIO ? (rng_chance(r, 0.6) ? F_IO_STDOUT : F_IO_WRITE)
                                        : F_IO_BLOB + (uint32_t)rng_below(r, 6);
        push_op(g, K_IO, W_EXTERNAL, rng_chance(r, 0.01) ? O_ERROR : O_OK, id, P->id, c, 0, 0, 0,
                it->s, it->d);
        if (it->budget == 2)
            push_wait(g, R_IO, P->id, id, 0, it->s, it->d);
        break;
    }
    case IT_LOCK: {
        uint64_t waiter = P->id;
        if (g->orphans_left) {
            g->orphans_left--;
            waiter = g->orphan_id++;
        }
        push_wait(g, R_LOCK, waiter, 0, it->cls, it->s, it->d);
        break;
    }
    case IT_INTERNAL:
    case IT_DETACHED: {
        int64_t s = it->s, d = it->d;
        if (it->type == IT_DETACHED) { /* begins after its parent ended */
            int64_t s2 = P->b + rng_logn(r, 200 * US, 1.0, 1 * US, 5 * MS);
            if (s2 < g->sess_end) {
                s = s2;
                d = s2 + (d - it->s);
                if (d > g->sess_end)
                    d = g->sess_end;
            }
        }
        push_op(g, K_INTERNAL, W_ENGINE, O_OK, new_id(g), P->id,
                F_IN_GC + (uint32_t)rng_below(r, 5), 0, 0, 0, s, d);
        break;
    }
    case IT_SERVICE: {
        uint64_t id = new_id(g);
        uint32_t c = F_SVC_START + (uint32_t)rng_below(r, 3);
        push_op(g, K_SERVICE_START, W_EXTERNAL, rng_chance(r, 0.03) ? O_ERROR : O_OK, id, P->id, c,
                0, 0, 0, it->s, it->d);
        push_wait(g, R_SERVICE, P->id, id, 0, it->s, it->d);
        break;
    }
    case IT_NROOT: {
        /* a nested client's session: no parent, client = the nested client */
        uint64_t id = new_id(g);
        pctx_t S = {id, K_SESSION_PHASE, it->cls, P->nest + 1, it->s, it->d};
        gen_children(g, &S, it->budget - 1, depth + 1, 0.03, 1);
        static const uint32_t cls[] = {F_SESS_CONNECT, F_SESS_QUERY, F_SESS_SERVE};
        push_op(g, K_SESSION_PHASE, W_ENGINE, O_OK, id, 0, cls[rng_below(r, 3)], 0, it->cls, 0,
                it->s, it->d);
        break;
    }
    }
}

static void gen_children(gen_t *g, const pctx_t *P, uint64_t B, int depth, double self,
                         unsigned lanes)
{
    if (!B)
        return;
    size_t base = g->nitems;
    plan(g, P, B, depth);
    size_t n = g->nitems - base;
    place(g, base, n, P->a, P->b, self, lanes);
    for (size_t k = 0; k < n; k++) {
        item_t it = g->items[base + k]; /* a copy: emitting grows g->items */
        emit_item(g, P, &it, depth);
    }
    g->nitems = base;
}

/* ------------------------------------------------------------ the plan */

static void make_classes(gen_t *g)
{
    size_t nc = g->classes, k = 0;
    g->class_names = xrealloc(NULL, nc * sizeof *g->class_names);
    g->class_cdf = xrealloc(NULL, nc * sizeof *g->class_cdf);
    g->class_cost = xrealloc(NULL, nc * sizeof *g->class_cost);
    size_t nhot = sizeof hot_classes / sizeof hot_classes[0];
    char buf[96];
    for (size_t h = 0; h < nhot && k < nc; h++)
        g->class_names[k++] = strdup(hot_classes[h]);
    for (size_t round = 0; k < nc; round++) {
        for (size_t f = 0; f < NFIELDS && k < nc; f++) {
            for (size_t t = 0; t < NTYPES && k < nc; t++) {
                if (round)
                    snprintf(buf, sizeof buf, "%s.%s%zu", types[t], fields[f], round + 1);
                else
                    snprintf(buf, sizeof buf, "%s.%s", types[t], fields[f]);
                size_t dup = 0;
                for (size_t h = 0; h < nhot && !dup; h++)
                    dup = !strcmp(buf, hot_classes[h]);
                if (!dup)
                    g->class_names[k++] = strdup(buf);
            }
        }
    }
    rng_t r;
    rng_seed(&r, g->seed ^ 0xc1a55e5ULL);
    double acc = 0;
    for (k = 0; k < nc; k++) {
        if (!g->class_names[k])
            die("out of memory");
        acc += 1.0 / (double)(k + 1); /* Zipf, s = 1 */
        g->class_cdf[k] = acc;
        g->class_cost[k] = xexp(0.7 * rng_normal(&r));
    }
}

static void make_plan(gen_t *g)
{
    rng_t r;
    rng_seed(&r, g->seed ^ 0x5c4ed01eULL);
    uint64_t left = g->n_events;
    size_t cap = 0;
    int64_t jstart = 0, jend = 0, prev_s = 0;
    while (left) {
        uint64_t b = (uint64_t)rng_logn(&r, 1200, 0.9, 8, MAX_SESSION);
        if (b > left || left - b < 8)
            b = left <= MAX_SESSION ? left : b;
        if (g->nsess == cap) {
            cap = cap ? 2 * cap : 64;
            g->sess = xrealloc(g->sess, cap * sizeof *g->sess);
        }
        session_t *s = &g->sess[g->nsess];
        int64_t dur = 50 * MS + (int64_t)b * rng_logn(&r, 3 * MS, 0.5, 300 * US, 30 * MS);
        if (g->nsess == 0) {
            s->s = rng_logn(&r, 5 * MS, 1.0, 1 * US, 1 * SEC);
        } else if (rng_chance(&r, 0.35)) { /* issued while an earlier session ran */
            int64_t lo = prev_s > jstart ? prev_s : jstart;
            s->s = lo + (int64_t)((double)(jend - lo) * (0.05 + 0.85 * rng_unit(&r)));
        } else { /* sequential, after client think time */
            s->s = jend + rng_logn(&r, 300 * MS, 1.2, 5 * MS, 20 * SEC);
        }
        s->d = s->s + dur;
        s->budget = (uint32_t)b;
        if (s->d >= jend) {
            jstart = s->s;
            jend = s->d;
        }
        prev_s = s->s;
        left -= b;
        g->nsess++;
    }
    g->t_end = jend > MS ? jend : MS;
    g->now = g->t_end + rng_logn(&r, 20 * MS, 1.0, 1 * MS, 2 * SEC);
    g->epoch = 1700000000000000000LL + (int64_t)(mix64(g->seed) % 30000000000000000ULL);
    g->dump_t = xrealloc(NULL, g->dumps * sizeof *g->dump_t);
    for (uint64_t j = 0; j + 1 < g->dumps; j++) {
        double f = ((double)j + 0.8 + 0.4 * rng_unit(&r)) / (double)g->dumps;
        g->dump_t[j] = (int64_t)((double)g->t_end * f);
        if (j && g->dump_t[j] <= g->dump_t[j - 1])
            g->dump_t[j] = g->dump_t[j - 1] + 1;
    }
    g->dump_t[g->dumps - 1] = g->now;

    /* the string table */
    uint64_t n = g->n_events;
    g->n_class = (uint32_t)g->classes;
    g->base_class = 1 + NFIXED;
    g->base_client = g->base_class + g->n_class;
    g->n_client = (uint32_t)g->nsess + 1;
    g->base_nested = g->base_client + g->n_client;
    g->n_nested = (uint32_t)(n / 150 + 16);
    g->base_dig = g->base_nested + g->n_nested;
    g->n_dig = (uint32_t)(n / 8 + 64);
    g->base_xid = g->base_dig + g->n_dig;
    g->n_xid = (uint32_t)(n / 14 + 64);
    g->base_meta = g->base_xid + g->n_xid;
    g->n_meta = (uint32_t)g->meta;
    g->n_strings = g->base_meta + g->n_meta;

    /* the hung ops (--open): a chain begun late in the run, never ended */
    static const uint8_t chain[] = {K_SESSION_PHASE, K_CALL,       K_CALL_EXEC,
                                    K_EXEC,          K_EXEC_PHASE, K_IO,
                                    K_INTERNAL,      K_LAZY,       K_SERVICE_START};
    g->hung = xrealloc(NULL, (g->open + 1) * sizeof *g->hung);
    int64_t hs = g->t_end - g->t_end / 10;
    /* digest 0 and exec ident 0 belong to the hung chain */
    g->used_dig = g->resv_dig = 1;
    g->used_xid = g->resv_xid = 1;
    for (uint64_t k = 0; k < g->open; k++) {
        openop_t *o = &g->hung[k];
        memset(o, 0, sizeof *o);
        o->id = n + 1 + k;
        o->k = k < sizeof chain ? chain[k] : K_IO;
        o->p = k == 0 ? 0 : k < sizeof chain ? o->id - 1 : n + 1 + 2;
        o->s = hs + (int64_t)k * (int64_t)(rng_below(&r, 3 * MS) + 1);
        if (o->s > g->now)
            o->s = g->now;
        switch (o->k) {
        case K_SESSION_PHASE:
            o->w = W_ENGINE;
            o->c = F_SESS_QUERY;
            o->cl = g->base_client + g->n_client - 1;
            break;
        case K_CALL:
        case K_CALL_EXEC:
            o->w = W_ENGINE;
            o->c = g->base_class;
            o->i = g->base_dig;
            o->cl = o->k == K_CALL ? g->base_client + g->n_client - 1 : 0;
            break;
        case K_EXEC:
            o->w = W_ENGINE;
            o->c = F_EXEC_RUN;
            o->i = g->base_xid;
            o->m = exec_meta(g, K_EXEC, o->id);
            break;
        case K_EXEC_PHASE:
            o->w = W_USER;
            o->c = F_PH_RUN;
            break;
        case K_IO:
            o->w = W_EXTERNAL;
            o->c = F_IO_PULL;
            break;
        case K_LAZY:
            o->w = W_ENGINE;
            o->c = g->base_class;
            break;
        case K_SERVICE_START:
            o->w = W_EXTERNAL;
            o->c = F_SVC_START;
            break;
        default:
            o->w = W_ENGINE;
            o->c = F_IN_LOOKUP;
            break;
        }
    }
    g->orphan_id = n + g->open + 1000;
    g->orphans_left = g->orphans;
}

/* The string at index k of the table, formatted into buf (or a constant). */
/* The argv arrays of --meta (scrubbed, as Dagger's recorder writes an
 * exec's): the first N, then `go test -run` of numbered tests. */
static const char *const meta_argv[] = {
    "[\"go\",\"build\",\"./...\"]",
    "[\"go\",\"test\",\"./...\"]",
    "[\"npm\",\"ci\"]",
    "[\"sh\",\"-c\",\"make lint\"]",
    "[\"apk\",\"add\",\"git\"]",
    "[\"go\",\"mod\",\"download\"]",
    "[\"cargo\",\"build\",\"--release\"]",
    "[\"python\",\"-m\",\"pytest\"]",
    "[\"golangci-lint\",\"run\"]",
    "[\"npm\",\"run\",\"build\"]",
    "[\"git\",\"clone\",\"--depth=1\",\"<url>\"]",
    "[\"tar\",\"-xzf\",\"<file>\"]",
};
#define NMETA_ARGV (sizeof meta_argv / sizeof meta_argv[0])

static const char *string_at(const gen_t *g, uint32_t k, char *buf)
{
    static const char hex[] = "0123456789abcdef";
    const char *prefix;
    uint64_t h;
    int nhex;
    if (k <= NFIXED)
        return fixed_str[k];
    if (k < g->base_client)
        return g->class_names[k - g->base_class];
    if (k < g->base_nested) {
        prefix = "client-", h = mix64(g->seed * 31 + k), nhex = 12;
    } else if (k < g->base_dig) {
        prefix = "nested-client-", h = mix64(g->seed * 37 + k), nhex = 12;
    } else if (k < g->base_xid) {
        prefix = "xxh3:", h = mix64(g->seed * 41 + k), nhex = 16;
    } else if (k >= g->base_meta) {
        uint32_t m = k - g->base_meta;
        if (m < NMETA_ARGV)
            return meta_argv[m];
        snprintf(buf, 64, "[\"go\",\"test\",\"-run\",\"Test%u\",\"./...\"]", m);
        return buf;
    } else {
        prefix = "exec-", h = mix64(g->seed * 43 + k), nhex = 16;
    }
    char *p = put_str(buf, prefix);
    for (int i = nhex - 1; i >= 0; i--)
        *p++ = hex[(h >> (4 * i)) & 15];
    *p = 0;
    return buf;
}

/* ------------------------------------------------------------ writing */

static void write_open(sink_t *k, const openop_t *o)
{
    char *p = sink_room(k, 400), *p0 = p;
    PUT_LIT(p, "{\"op_id\":");
    p = put_u64(p, o->id);
    if (o->p) {
        PUT_LIT(p, ",\"parent_id\":");
        p = put_u64(p, o->p);
    }
    PUT_LIT(p, ",\"kind\":\"");
    p = put_str(p, kind_name[o->k]);
    PUT_LIT(p, "\",\"work_type\":\"");
    p = put_str(p, work_name[o->w]);
    *p++ = '"';
    if (o->c) {
        PUT_LIT(p, ",\"class_id\":");
        p = put_u64(p, o->c);
    }
    if (o->i) {
        PUT_LIT(p, ",\"ident_id\":");
        p = put_u64(p, o->i);
    }
    if (o->cl) {
        PUT_LIT(p, ",\"client_id\":");
        p = put_u64(p, o->cl);
    }
    if (o->m) {
        PUT_LIT(p, ",\"meta_id\":");
        p = put_u64(p, o->m);
    }
    PUT_LIT(p, ",\"start_ns\":");
    p = put_i64(p, o->s);
    *p++ = '}';
    k->len += (size_t)(p - p0);
}

static void write_header(gen_t *g, sink_t *k, int64_t t, uint64_t count, uint64_t dropped,
                         const openlist_t *opens)
{
    char buf[64];
    char *p = sink_room(k, 256), *p0 = p;
    PUT_LIT(p, "{\"schema_version\":1,\"epoch_unix_nano\":");
    p = put_i64(p, g->epoch);
    PUT_LIT(p, ",\"dumped_unix_nano\":");
    p = put_i64(p, g->epoch + t);
    PUT_LIT(p, ",\"dropped_events\":");
    p = put_u64(p, dropped);
    PUT_LIT(p, ",\"event_count\":");
    p = put_u64(p, count);
    PUT_LIT(p, ",\"strings\":[");
    k->len += (size_t)(p - p0);
    for (uint32_t s = 0; s < g->n_strings; s++) {
        if (s)
            sink_put(k, ",", 1);
        sink_json_str(k, string_at(g, s, buf));
    }
    sink_put(k, "]", 1);
    size_t nopen = 0;
    for (uint64_t h = 0; h < g->open; h++)
        nopen += g->hung[h].s <= t;
    if (nopen || (opens && opens->n)) {
        sink_put(k, ",\"open_ops\":[", 13);
        int first = 1;
        for (size_t h = 0; opens && h < opens->n; h++) {
            if (!first)
                sink_put(k, ",", 1);
            first = 0;
            write_open(k, &opens->v[h]);
        }
        for (uint64_t h = 0; h < g->open; h++) {
            if (g->hung[h].s > t)
                continue;
            if (!first)
                sink_put(k, ",", 1);
            first = 0;
            write_open(k, &g->hung[h]);
        }
        sink_put(k, "]", 1);
    }
    sink_put(k, "}\n", 2);
}

static void write_event(sink_t *k, const ev_t *e)
{
    char *p = sink_room(k, 400), *p0 = p;
    if (e->e == EV_OP) {
        PUT_LIT(p, "{\"e\":\"op\",\"k\":\"");
        p = put_str(p, kind_name[e->k]);
        PUT_LIT(p, "\",\"w\":\"");
        p = put_str(p, work_name[e->w]);
        *p++ = '"';
        if (e->o) {
            PUT_LIT(p, ",\"o\":\"");
            p = put_str(p, outcome_name[e->o]);
            *p++ = '"';
        }
        PUT_LIT(p, ",\"id\":");
        p = put_u64(p, e->id);
    } else if (e->e == EV_WAIT) {
        PUT_LIT(p, "{\"e\":\"wait\",\"rs\":\"");
        p = put_str(p, reason_name[e->k]);
        *p++ = '"';
    } else {
        PUT_LIT(p, "{\"e\":\"link\",\"lk\":\"");
        p = put_str(p, link_name[e->k]);
        *p++ = '"';
    }
    if (e->p) {
        PUT_LIT(p, ",\"p\":");
        p = put_u64(p, e->p);
    }
    if (e->t) {
        PUT_LIT(p, ",\"t\":");
        p = put_u64(p, e->t);
    }
    if (e->c) {
        PUT_LIT(p, ",\"c\":");
        p = put_u64(p, e->c);
    }
    if (e->i) {
        PUT_LIT(p, ",\"i\":");
        p = put_u64(p, e->i);
    }
    if (e->cl) {
        PUT_LIT(p, ",\"cl\":");
        p = put_u64(p, e->cl);
    }
    if (e->m) {
        PUT_LIT(p, ",\"m\":");
        p = put_u64(p, e->m);
    }
    if (e->r) {
        PUT_LIT(p, ",\"r\":");
        p = put_u64(p, e->r);
    }
    PUT_LIT(p, ",\"s\":");
    p = put_i64(p, e->s);
    PUT_LIT(p, ",\"d\":");
    p = put_i64(p, e->d);
    PUT_LIT(p, "}\n");
    k->len += (size_t)(p - p0);
}

static void add_open(openlist_t *l, const ev_t *e)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    openop_t *o = &l->v[l->n++];
    o->id = e->id;
    o->p = e->p;
    o->k = e->k;
    o->w = e->w;
    o->c = e->c;
    o->i = e->i;
    o->cl = e->cl;
    o->m = e->m;
    o->s = e->s;
}

/* First dump whose time is >= t. */
static uint64_t dump_of(const gen_t *g, int64_t t)
{
    uint64_t lo = 0, hi = g->dumps - 1;
    while (lo < hi) {
        uint64_t mid = (lo + hi) / 2;
        if (g->dump_t[mid] >= t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* An event of the session's buffer, other than the root (its last), at random
 * among those matching e (and kind k when not 0); NULL when none. */
static ev_t *pick_ev(gen_t *g, rng_t *q, uint8_t e, uint8_t k1, uint8_t k2)
{
    size_t n = 0;
    for (size_t j = 0; j + 1 < g->nev; j++)
        n += g->ev[j].e == e && (!k1 || g->ev[j].k == k1 || g->ev[j].k == k2);
    if (!n)
        return NULL;
    size_t want = (size_t)rng_below(q, n);
    for (size_t j = 0; j + 1 < g->nev; j++)
        if (g->ev[j].e == e && (!k1 || g->ev[j].k == k1 || g->ev[j].k == k2) && !want--)
            return &g->ev[j];
    return NULL;
}

/* --quirks N: up to N of each pattern the spec has a rule for but a
 * recorder rarely writes (spec/analysis.md §1-3), made from the session's
 * own events with a PRNG of their own, so the event count and every other
 * option's output stay as they are: a zero-length wait (a cut that splits a
 * self stretch), a second op event with an op's id (another class and
 * outcome: the last one wins), a nested_client link from an op that does
 * not exist (ignored), and a late join (an op's two childless children
 * moved past its end, the first ending before the second begins). The op
 * event and the link replace result / reused_result links. */
static void add_quirks(gen_t *g, size_t si)
{
    rng_t q;
    rng_seed(&q, mix64(g->seed ^ 0x71a3c5e9b2d4f607ULL) ^ mix64(si + 1));
    /* late joins first (they move ops): the session's ids are one range;
     * refs[x]: events naming op x as parent, waiter or target; leaves[x]: its
     * children that no event names */
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t j = 0; j < g->nev; j++)
        if (g->ev[j].e == EV_OP) {
            lo = g->ev[j].id < lo ? g->ev[j].id : lo;
            hi = g->ev[j].id > hi ? g->ev[j].id : hi;
        }
    size_t span = (size_t)(hi - lo + 1);
    uint32_t *refs = calloc(2 * span, sizeof *refs), *leaves = refs + span;
    if (!refs)
        die("out of memory");
#define IN(x) ((x) >= lo && (x) <= hi)
    for (size_t j = 0; j < g->nev; j++) {
        if (IN(g->ev[j].p))
            refs[g->ev[j].p - lo]++;
        if (IN(g->ev[j].t))
            refs[g->ev[j].t - lo]++;
    }
    size_t cands = 0;
    for (size_t j = 0; j < g->nev; j++)
        if (g->ev[j].e == EV_OP && IN(g->ev[j].p) && !refs[g->ev[j].id - lo] &&
            ++leaves[g->ev[j].p - lo] == 2)
            cands++;
    for (uint64_t n = 0; n < g->quirks && cands; n++) {
        uint64_t want = rng_below(&q, cands), par = 0;
        for (uint64_t x = 0; x < span; x++)
            if (leaves[x] >= 2 && !want--) {
                par = lo + x;
                break;
            }
        leaves[par - lo] = 0; /* once */
        cands--;
        ev_t *pe = NULL, *c1 = NULL, *c2 = NULL;
        for (size_t j = 0; j < g->nev; j++) {
            ev_t *e = &g->ev[j];
            if (e->e != EV_OP)
                continue;
            if (e->id == par)
                pe = e;
            else if (e->p == par && !refs[e->id - lo] && !c2)
                *(c1 ? &c2 : &c1) = e;
        }
        if (!pe || !c2 || pe->d - pe->s < 10)
            continue;
        int64_t d = (pe->d - pe->s) / 10, e = pe->d;
        c1->s = e - d;
        c1->d = e + d;
        c2->s = e + 2 * d;
        c2->d = e + 3 * d;
    }
#undef IN
    free(refs);
    for (uint64_t n = 0; n < g->quirks; n++) {
        ev_t *w = pick_ev(g, &q, EV_WAIT, 0, 0);
        if (w)
            w->d = w->s;
        ev_t *op = pick_ev(g, &q, EV_OP, 0, 0), *other = pick_ev(g, &q, EV_OP, 0, 0);
        ev_t *l = pick_ev(g, &q, EV_LINK, L_RESULT, L_REUSED);
        if (op && other && l) {
            *l = *op;
            l->c = other->c;
            l->o = op->o == O_ERROR ? O_OK : O_ERROR;
        }
        ev_t *nl = pick_ev(g, &q, EV_LINK, L_NESTED, 0);
        l = pick_ev(g, &q, EV_LINK, L_RESULT, L_REUSED);
        if (nl && l) {
            *l = *nl;
            l->p = (1ULL << 62) + g->next_id; /* no op has this id */
        }
    }
}

static void gen_session(gen_t *g, size_t si)
{
    const session_t *s = &g->sess[si];
    rng_seed(&g->r, mix64(g->seed) ^ mix64(si + 1));
    g->nev = 0;
    g->sess_end = s->d;
    uint32_t cl = g->base_client + (uint32_t)si;
    uint64_t id = new_id(g);
    pctx_t R = {id, K_SESSION_PHASE, cl, 0, s->s, s->d};
    static const uint32_t cls[] = {F_SESS_QUERY, F_SESS_QUERY, F_SESS_QUERY,
                                   F_SESS_SERVE, F_SESS_INIT,  F_SESS_EXPORT};
    uint32_t c = cls[rng_below(&g->r, 6)];
    gen_children(g, &R, s->budget - 1, 1, 0.01 + 0.04 * rng_unit(&g->r),
                 rng_chance(&g->r, 0.6) ? 1 : 2 + (unsigned)rng_below(&g->r, 2));
    push_op(g, K_SESSION_PHASE, W_ENGINE, O_OK, id, 0, c, 0, cl, 0, s->s, s->d);
    if (g->quirks)
        add_quirks(g, si);

    /* bounded shuffle: events drift a few places, as per-thread shards interleave */
    for (size_t k = 0; k < g->nev; k++) {
        size_t span = g->nev - k < 16 ? g->nev - k : 16;
        size_t j = k + (size_t)rng_below(&g->r, span);
        ev_t tmp = g->ev[k];
        g->ev[k] = g->ev[j];
        g->ev[j] = tmp;
    }
    for (size_t k = 0; k < g->nev; k++) {
        const ev_t *e = &g->ev[k];
        uint64_t j = g->dumps > 1 ? dump_of(g, e->d) : 0;
        write_event(&g->sinks[j], e);
        g->counts[j]++;
        if (g->dumps > 1 && e->e == EV_OP)
            for (uint64_t q = dump_of(g, e->s); q < g->dumps && g->dump_t[q] < e->d; q++)
                add_open(&g->opens[q], e);
    }
}

/* ------------------------------------------------------------ main */

static void usage(FILE *f)
{
    fputs("usage: wcprof-gen [-n EVENTS] [-s SEED] [-o FILE] [--dumps K [--no-flush]]\n"
          "                  [--classes N] [--open N] [--dropped N] [--orphans N] [--quirks N]\n"
          "                  [--meta N]\n"
          "Writes a deterministic, realistic wcprof dump (schema 1) of exactly EVENTS\n"
          "event lines (default 10000) to FILE or standard output.\n"
          "  -n EVENTS      event lines (ops + waits + links)\n"
          "  -s SEED        PRNG seed (default 1); same options, same bytes\n"
          "  -o FILE        output file (default: standard output)\n"
          "  --dumps K      K successive dumps of one run: FILE.1 .. FILE.K, or FILE\n"
          "                 as a printf pattern when it holds a %d (needs -o)\n"
          "  --no-flush     each dump repeats every earlier event (default: flushed)\n"
          "  --classes N    distinct call classes (default 720)\n"
          "  --open N       ops still open at dump time, in open_ops (default 2)\n"
          "  --dropped N    the header's dropped_events (last dump) (default 0)\n"
          "  --orphans N    up to N lock waits whose waiter is no op (default 0)\n"
          "  --quirks N     per session, up to N each of: a zero-length wait, a repeated op\n"
          "                 id, a nested_client link from no op, a late join (default 0)\n"
          "  --meta N       three exec ops in four carry metadata (`m`): one of N argv\n"
          "                 arrays, by the seed (default 0: none)\n",
          f);
}

static uint64_t parse_num(const char *opt, const char *v, uint64_t max)
{
    char *end;
    if (!v) {
        fprintf(stderr, "wcprof-gen: %s needs a value; see wcprof-gen --help\n", opt);
        exit(2);
    }
    errno = 0;
    unsigned long long x = strtoull(v, &end, 0);
    if (errno || end == v || *end || v[0] == '-' || x > max) {
        fprintf(stderr, "wcprof-gen: %s: '%s' is not a number from 0 to %llu\n", opt, v,
                (unsigned long long)max);
        exit(2);
    }
    return x;
}

/* The name of dump j (1-based) of K. */
static char *dump_name(const char *out, uint64_t j)
{
    const char *pc = strchr(out, '%');
    size_t n = strlen(out) + 32;
    char *s = xrealloc(NULL, n);
    if (pc) {
        /* a single integer conversion, e.g. run-%03d.dump; anything else is refused in main */
        char fmt[64];
        const char *q = pc + 1;
        while (*q >= '0' && *q <= '9')
            q++;
        size_t pre = (size_t)(pc - out), spec = (size_t)(q - pc);
        if (spec + 4 >= sizeof fmt) {
            fprintf(stderr, "wcprof-gen: -o '%s': pattern too long\n", out);
            exit(2);
        }
        memcpy(fmt, pc, spec);
        strcpy(fmt + spec, "llu");
        memcpy(s, out, pre);
        int m = snprintf(s + pre, n - pre, fmt, (unsigned long long)j);
        if (m < 0 || (size_t)m >= n - pre - strlen(q + 1) - 1)
            die("dump name");
        strcat(s, q + 1);
    } else {
        snprintf(s, n, "%s.%llu", out, (unsigned long long)j);
    }
    return s;
}

static void copy_file(FILE *from, sink_t *to)
{
    sink_flush(to);
    rewind(from);
    size_t n;
    while ((n = fread(to->buf, 1, to->cap, from)) > 0)
        if (fwrite(to->buf, 1, n, to->f) != n)
            to->err = 1;
    if (ferror(from))
        to->err = 1;
}

int main(int argc, char **argv)
{
    gen_t G, *g = &G;
    memset(g, 0, sizeof *g);
    g->n_events = 10000;
    g->seed = 1;
    g->classes = 720;
    g->open = 2;
    g->dumps = 1;
    g->flush = 1;
    for (int a = 1; a < argc; a++) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (!strcmp(o, "-h") || !strcmp(o, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(o, "-n")) {
            g->n_events = parse_num(o, v, 1000000000000ULL), a++;
        } else if (!strcmp(o, "-s")) {
            g->seed = parse_num(o, v, UINT64_MAX), a++;
        } else if (!strcmp(o, "-o")) {
            if (!v) {
                fprintf(stderr, "wcprof-gen: -o needs a file name\n");
                return 2;
            }
            g->out = v, a++;
        } else if (!strcmp(o, "--dumps")) {
            g->dumps = parse_num(o, v, 10000), a++;
        } else if (!strcmp(o, "--no-flush")) {
            g->flush = 0;
        } else if (!strcmp(o, "--classes")) {
            g->classes = parse_num(o, v, 1000000), a++;
        } else if (!strcmp(o, "--open")) {
            g->open = parse_num(o, v, 1000000), a++;
        } else if (!strcmp(o, "--dropped")) {
            g->dropped = parse_num(o, v, INT64_MAX), a++;
        } else if (!strcmp(o, "--orphans")) {
            g->orphans = parse_num(o, v, 1000000000), a++;
        } else if (!strcmp(o, "--quirks")) {
            g->quirks = parse_num(o, v, 1000), a++;
        } else if (!strcmp(o, "--meta")) {
            g->meta = parse_num(o, v, 100000), a++;
        } else {
            fprintf(stderr, "wcprof-gen: unknown option '%s'; see wcprof-gen --help\n", o);
            return 2;
        }
    }
    if (g->dumps < 1 || g->classes < 1) {
        fprintf(stderr, "wcprof-gen: --dumps and --classes must be at least 1\n");
        return 2;
    }
    if (g->dumps > 1 && !g->out) {
        fprintf(stderr, "wcprof-gen: --dumps %llu needs -o FILE (names FILE.1 .. FILE.%llu)\n",
                (unsigned long long)g->dumps, (unsigned long long)g->dumps);
        return 2;
    }
    if (g->out && g->dumps > 1) {
        const char *pc = strchr(g->out, '%');
        if (pc) {
            const char *q = pc + 1;
            while (*q >= '0' && *q <= '9')
                q++;
            if ((*q != 'd' && *q != 'u') || strchr(q, '%')) {
                fprintf(stderr,
                        "wcprof-gen: -o '%s': a pattern takes one %%d (e.g. run-%%02d.dump)\n",
                        g->out);
                return 2;
            }
        }
    }

    make_classes(g);
    make_plan(g);
    g->next_id = 1;
    g->ev = xrealloc(NULL, (MAX_SESSION + 16) * sizeof *g->ev);
    g->evcap = MAX_SESSION + 16;

    size_t K = (size_t)g->dumps;
    g->sinks = xrealloc(NULL, K * sizeof *g->sinks);
    g->counts = xrealloc(NULL, K * sizeof *g->counts);
    g->opens = xrealloc(NULL, K * sizeof *g->opens);
    memset(g->sinks, 0, K * sizeof *g->sinks);
    memset(g->counts, 0, K * sizeof *g->counts);
    memset(g->opens, 0, K * sizeof *g->opens);
    size_t bufsz = K == 1 ? (size_t)8 << 20 : (size_t)1 << 20;
    if (K > 16)
        bufsz = (size_t)64 << 10;
    for (size_t j = 0; j < K; j++) {
        g->sinks[j].cap = bufsz;
        g->sinks[j].buf = xrealloc(NULL, bufsz);
        if (K == 1) {
            g->sinks[j].f = g->out ? fopen(g->out, "wb") : stdout;
            if (!g->sinks[j].f) {
                fprintf(stderr, "wcprof-gen: cannot write %s: %s\n", g->out, strerror(errno));
                return 1;
            }
        } else if (!(g->sinks[j].f = tmpfile())) {
            die("tmpfile");
        }
    }
    if (K == 1)
        write_header(g, &g->sinks[0], g->now, g->n_events, g->dropped, NULL);
    for (size_t si = 0; si < g->nsess; si++)
        gen_session(g, si);

    if (getenv("WCPROF_GEN_DEBUG"))
        fprintf(stderr, "sessions %zu digests %u/%u execs %u/%u nested %u/%u strings %u\n",
                g->nsess, g->used_dig, g->n_dig, g->used_xid, g->n_xid, g->used_nested, g->n_nested,
                g->n_strings);
    int err = 0;
    if (K == 1) {
        sink_flush(&g->sinks[0]);
        err = g->sinks[0].err || fflush(g->sinks[0].f) != 0;
        if (g->out && fclose(g->sinks[0].f) != 0)
            err = 1;
    } else {
        sink_t out = {NULL, xrealloc(NULL, (size_t)8 << 20), 0, (size_t)8 << 20, 0};
        uint64_t cum = 0;
        for (size_t j = 0; j < K; j++) {
            sink_flush(&g->sinks[j]);
            err |= g->sinks[j].err || fflush(g->sinks[j].f) != 0;
            cum += g->counts[j];
            char *name = dump_name(g->out, j + 1);
            if (!(out.f = fopen(name, "wb"))) {
                fprintf(stderr, "wcprof-gen: cannot write %s: %s\n", name, strerror(errno));
                return 1;
            }
            write_header(g, &out, g->dump_t[j], g->flush ? g->counts[j] : cum,
                         j + 1 == K ? g->dropped : 0, &g->opens[j]);
            for (size_t q = g->flush ? j : 0; q <= j; q++)
                copy_file(g->sinks[q].f, &out);
            sink_flush(&out);
            if (out.err || fclose(out.f) != 0) {
                fprintf(stderr, "wcprof-gen: error writing %s\n", name);
                err = 1;
            }
            free(name);
        }
        free(out.buf);
        for (size_t j = 0; j < K; j++)
            fclose(g->sinks[j].f);
    }
    if (err) {
        fprintf(stderr, "wcprof-gen: write error: %s\n", strerror(errno));
        return 1;
    }
    for (size_t j = 0; j < K; j++) {
        free(g->sinks[j].buf);
        free(g->opens[j].v);
    }
    for (uint64_t k = 0; k < g->classes; k++)
        free(g->class_names[k]);
    free(g->class_names);
    free(g->class_cdf);
    free(g->class_cost);
    free(g->sinks);
    free(g->counts);
    free(g->opens);
    free(g->sess);
    free(g->dump_t);
    free(g->hung);
    free(g->ev);
    free(g->items);
    return 0;
}
