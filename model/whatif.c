/* whatif.c - what-if replays: the spec and factor parsers, one replay of a
 * spec, the job pool that runs many (class, factor) replays on every core,
 * the pruning rule and the ranking. See whatif.h. */
#define _GNU_SOURCE
#include "whatif.h"

#include <ctype.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16

/* ---- parsing */

/* A factor beyond WCP_FACTOR_MAX: refused with this message (0 if not). */
static int too_big(double f, const char *what, char *err, size_t errlen)
{
    if (f <= WCP_FACTOR_MAX)
        return 0;
    return wcp_errf(err, errlen, "factor out of range for %s: %g (at most %g)", what, f,
                    WCP_FACTOR_MAX);
}

static bool parse_factor(const char *s, size_t n, double *f)
{
    char buf[64], *end;
    if (n == 0 || n >= sizeof buf)
        return false;
    memcpy(buf, s, n);
    buf[n] = 0;
    *f = strtod(buf, &end);
    return *end == 0 && isfinite(*f) && *f >= 0; /* and <= WCP_FACTOR_MAX: too_big() */
}

/* The list: an optional '[' ... ']' around numbers >= 0 separated by one
 * comma each (spaces around them allowed); an empty item ("0.5,,0.9"), a
 * comma at either end ("[0.5,") or a bracket not closed is refused. */
int wcp_parse_factors(const char *text, double **out, size_t *n, char *err, size_t errlen)
{
    const char *p = text;
    size_t cap = 0;
    bool open = false;
    *out = NULL;
    *n = 0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '[') {
        open = true;
        p++;
    }
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        size_t len = strcspn(p, ", \t\n[]");
        double f;
        if (len == 0 || !parse_factor(p, len, &f)) {
            if (len == 0 && *n == 0 && (!*p || *p == ']'))
                break; /* no item at all: refused below */
            if (len == 0)
                wcp_errf(err, errlen,
                         "bad factor list \"%s\": a factor is missing (an empty item, or a comma "
                         "with no factor on one side); expected numbers >= 0, as in [0,0.5,0.9]",
                         text);
            else
                wcp_errf(err, errlen,
                         "bad factor \"%.*s\": factors are numbers >= 0, as in [0,0.5,0.9]",
                         (int)len, p);
            goto fail;
        }
        if (too_big(f, "a factor list", err, errlen) < 0)
            goto fail;
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            double *q = realloc(*out, cap * sizeof *q);
            if (!q) {
                wcp_errf(err, errlen, "out of memory");
                goto fail;
            }
            *out = q;
        }
        (*out)[(*n)++] = f;
        p += len;
        while (isspace((unsigned char)*p))
            p++;
        if (*p != ',')
            break;
        p++;
    }
    if (open && *p == ']')
        p++, open = false;
    while (isspace((unsigned char)*p))
        p++;
    if (*p || open || *n == 0) {
        wcp_errf(err, errlen, "bad factor list \"%s\": expected numbers >= 0, as in [0,0.5,0.9]",
                 text);
        goto fail;
    }
    return 0;
fail:
    free(*out);
    *out = NULL;
    *n = 0;
    return -1;
}

static int set_factor(const wcp_model *m, const char *key, double f, double *factor, char *err,
                      size_t errlen)
{
    int64_t c = wcp_classes_find(&m->classes, key);
    if (c < 0)
        return wcp_errf(err, errlen,
                        "no class key \"%s\" in run %lld (class keys are kind:class; "
                        "SELECT class_key FROM class_stats lists them)",
                        key, (long long)m->run_id);
    factor[c] = f;
    return 0;
}

int wcp_parse_spec(sqlite3 *db, const wcp_model *m, const char *spec, double *factor, char *err,
                   size_t errlen)
{
    const char *p = spec;
    int items = 0;
    for (uint32_t c = 0; c < m->classes.n; c++)
        factor[c] = 1.0;
    while (isspace((unsigned char)*p))
        p++;
    if (*p == '{') { /* a JSON object, for keys with spaces or commas */
        sqlite3_stmt *st;
        int rc;
        if (sqlite3_prepare_v2(db, "SELECT key, value, type FROM json_each(?1)", -1, &st, NULL) !=
            SQLITE_OK)
            return wcp_errf(err, errlen, "what-if: %s", sqlite3_errmsg(db));
        sqlite3_bind_text(st, 1, spec, -1, SQLITE_STATIC);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            const char *key = (const char *)sqlite3_column_text(st, 0);
            const char *type = (const char *)sqlite3_column_text(st, 2);
            double f = sqlite3_column_double(st, 1);
            if (!type || (strcmp(type, "integer") && strcmp(type, "real")) || !isfinite(f) ||
                f < 0) {
                wcp_errf(err, errlen, "bad factor for \"%s\": factors are numbers >= 0",
                         key ? key : "");
                sqlite3_finalize(st); /* after the message: it frees key */
                return -1;
            }
            if (too_big(f, key ? key : "", err, errlen) < 0) {
                sqlite3_finalize(st);
                return -1;
            }
            if (set_factor(m, key, f, factor, err, errlen) < 0) {
                sqlite3_finalize(st);
                return -1;
            }
            items++;
        }
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return wcp_errf(err, errlen, "bad what-if object: %s", sqlite3_errmsg(db));
    } else {
        while (*p) {
            size_t len = strcspn(p, ", \t\n");
            char *item = strndup(p, len), *eq = item ? strrchr(item, '=') : NULL;
            double f;
            if (!item)
                return wcp_errf(err, errlen, "out of memory");
            if (!eq || eq == item || !parse_factor(eq + 1, strlen(eq + 1), &f)) {
                wcp_errf(err, errlen,
                         "bad what-if \"%s\": expected KEY=F (KEY a class key kind:class, "
                         "F a number >= 0)",
                         item);
                free(item);
                return -1;
            }
            *eq = 0;
            int rc = too_big(f, item, err, errlen) < 0
                         ? -1
                         : set_factor(m, item, f, factor, err, errlen);
            free(item);
            if (rc < 0)
                return -1;
            items++;
            p += len;
            while (*p && (isspace((unsigned char)*p) || *p == ','))
                p++;
        }
    }
    if (items == 0)
        return wcp_errf(err, errlen,
                        "empty what-if: expected KEY=F ..., as in call_exec:Container.from=0.5");
    return 0;
}

/* ---- replays */

/* wcp_whatif_eval on any thread (owner: stop's connection's); sc (NULL:
 * none, else tape must be NULL): the memory a rule 8 compile reuses. */
static int64_t eval_on(const wcp_model *m, const double *factor, int64_t *reg, int64_t *start,
                       int64_t **after, wcp_tape **tape, wcp_scratch *sc, wcp_stop *stop,
                       bool owner)
{
    if (tape)
        *tape = NULL;
    if (after)
        *after = NULL;
    const wcp_tape *t = &m->tape;
    wcp_tape *own = NULL;
    if (m->fifo) { /* §6 rule 8: the what-if's own tape */
        char err[200];
        if (!(own = malloc(sizeof *own)))
            return -1;
        int rc = wcp_tape_compile_fifo(own, &m->g, m->classes.of_op, factor, m->tape.n, sc, stop,
                                       owner, err, sizeof err);
        if (rc < 0) {
            free(own);
            return rc == WCP_INTERRUPTED ? WCP_INTERRUPTED : -1;
        }
        t = own;
    }
    int64_t ms = -1;
    if (!after || (*after = malloc((t->n ? t->n : 1) * sizeof **after)))
        ms = wcp_tape_eval(t, factor, reg, start, after ? *after : NULL);
    if (ms >= 0 && tape)
        *tape = own;
    else if (sc)
        free(own); /* its memory is sc's */
    else
        wcp_whatif_tape_free(own);
    return ms;
}

int64_t wcp_whatif_eval(const wcp_model *m, const double *factor, int64_t *reg, int64_t *start,
                        int64_t **after, wcp_tape **tape, wcp_stop *stop)
{
    return eval_on(m, factor, reg, start, after, tape, NULL, stop, true);
}

void wcp_whatif_tape_free(wcp_tape *t)
{
    if (t)
        wcp_tape_free(t);
    free(t);
}

int64_t wcp_whatif_replay(sqlite3 *db, const wcp_model *m, const char *spec, double **factor,
                          int64_t **reg, int64_t **start, int64_t **after, wcp_tape **tape,
                          wcp_stop *stop, char *err, size_t errlen)
{
    size_t n1 = m->g.n_ops ? m->g.n_ops : 1;
    if (after)
        *after = NULL;
    if (tape)
        *tape = NULL;
    *factor = malloc((m->classes.n ? m->classes.n : 1) * sizeof **factor);
    *reg = malloc(n1 * sizeof **reg);
    *start = malloc(n1 * sizeof **start);
    if (!*factor || !*reg || !*start)
        return wcp_errf(err, errlen, "out of memory");
    if (wcp_parse_spec(db, m, spec, *factor, err, errlen) < 0)
        return -1;
    int64_t ms = wcp_whatif_eval(m, *factor, *reg, *start, after, tape, stop);
    if (ms == WCP_INTERRUPTED)
        return wcp_errf(err, errlen, "interrupted"), WCP_INTERRUPTED;
    return ms < 0 ? wcp_errf(err, errlen, "out of memory") : ms;
}

typedef struct pool {
    const wcp_model *m;
    wcp_stop *stop;
    wcp_job *jobs;
    size_t n_jobs;
    atomic_size_t next;
    atomic_int oom;
    atomic_int running; /* workers not yet done */
} pool;

/* One thread of the pool; the caller's (owner) polls stop. */
static void work(pool *p, bool owner)
{
    const wcp_model *m = p->m;
    size_t n1 = m->g.n_ops ? m->g.n_ops : 1;
    size_t ns = m->tape.n_start_slots ? m->tape.n_start_slots : 1;
    int64_t(*reg)[WCP_LANES] = malloc(n1 * sizeof *reg),
    (*start)[WCP_LANES] = malloc(ns * sizeof *start);
    double *fac = m->fifo ? malloc((m->classes.n ? m->classes.n : 1) * sizeof *fac) : NULL;
    wcp_scratch *sc = m->fifo ? wcp_scratch_new() : NULL; /* one compile after another */
    if (!reg || !start || (m->fifo && (!fac || !sc))) {
        atomic_store(&p->oom, 1);
    } else if (m->fifo) { /* §6 rule 8: one replay at a time, each with its own tape */
        for (uint32_t k = 0; k < m->classes.n; k++)
            fac[k] = 1.0;
        size_t j;
        int64_t *r1 = (int64_t *)reg, *s1 = r1 + n1; /* reg has room for both */
        while (!(owner ? wcp_stop_poll(p->stop) : wcp_stopped(p->stop)) &&
               (j = atomic_fetch_add(&p->next, 1)) < p->n_jobs) {
            fac[p->jobs[j].cls] = p->jobs[j].factor;
            int64_t ms = eval_on(m, fac, r1, s1, NULL, NULL, sc, p->stop, owner);
            fac[p->jobs[j].cls] = 1.0;
            if (ms == WCP_INTERRUPTED)
                break; /* the pool reports it: stop is set */
            if (ms < 0) {
                atomic_store(&p->oom, 1);
                break;
            }
            *p->jobs[j].saved = m->baseline - ms;
        }
    } else {
        size_t j;
        while (!(owner ? wcp_stop_poll(p->stop) : wcp_stopped(p->stop)) &&
               (j = atomic_fetch_add(&p->next, WCP_LANES)) < p->n_jobs) {
            uint32_t cls[WCP_LANES];
            double f[WCP_LANES];
            int64_t ms[WCP_LANES];
            for (int l = 0; l < WCP_LANES; l++) {
                bool used = j + (size_t)l < p->n_jobs;
                cls[l] = used ? p->jobs[j + l].cls : WCP_NONE;
                f[l] = used ? p->jobs[j + l].factor : 1.0;
            }
            if (!wcp_tape_eval_lanes(&m->tape, cls, f, reg, start, ms, p->stop, owner))
                break; /* stopped within the pass: its savings are not written */
            for (int l = 0; l < WCP_LANES && j + (size_t)l < p->n_jobs; l++)
                *p->jobs[j + l].saved = m->baseline - ms[l];
        }
    }
    wcp_scratch_free(sc);
    free(fac);
    free(reg);
    free(start);
}

static void *worker(void *arg)
{
    pool *p = arg;
    work(p, false);
    atomic_fetch_sub(&p->running, 1);
    return NULL;
}

int wcp_run_jobs(const wcp_model *m, wcp_stop *stop, wcp_job *jobs, size_t n)
{
    pool p = {.m = m, .stop = stop, .jobs = jobs, .n_jobs = n};
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cores > 1 ? (size_t)cores : 1;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    size_t passes = m->fifo ? n : (n + WCP_LANES - 1) / WCP_LANES;
    if (nt > passes)
        nt = passes ? passes : 1;
    pthread_t th[MAX_THREADS];
    size_t started = 0;
    atomic_store(&p.running, (int)nt - 1);
    for (size_t k = 1; k < nt; k++)
        if (pthread_create(&th[started], NULL, worker, &p) == 0)
            started++;
    atomic_fetch_sub(&p.running, (int)(nt - 1 - started));
    work(&p, true);
    /* the workers read stop only: while one is still in a replay of rule
     * 8's (a compile of its own, hundreds of ms on a large run; a pass
     * over the lanes takes tens of ms), the caller goes on polling for
     * them */
    while (m->fifo && atomic_load(&p.running) > 0 && !wcp_stop_poll(stop))
        nanosleep(&(struct timespec){0, 1000000}, NULL);
    for (size_t k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (wcp_stopped(stop))
        return WCP_INTERRUPTED;
    return atomic_load(&p.oom) ? -1 : 0;
}

/* ---- the ranking */

bool wcp_saves_nothing(const wcp_model *m, uint32_t cls, double f)
{
    /* §6 rule 8: a what-if's own lock order ends monotonicity and the bound */
    return f == 1.0 || (!m->fifo && f <= 1.0 && m->classes.cls[cls].critical == 0);
}

void wcp_ranking_free(wcp_ranking *r)
{
    free(r->r);
    free(r->saved);
    memset(r, 0, sizeof *r);
}

typedef struct rank_order {
    const wcp_model *m;
    size_t mid; /* the factor that ranks */
} rank_order;

static int by_saving(const void *a, const void *b, void *ctx)
{
    const wcp_ranked *x = a, *y = b;
    const rank_order *o = ctx;
    int64_t sx = x->saved[o->mid], sy = y->saved[o->mid];
    if (sx != sy)
        return sx > sy ? -1 : 1;
    return strcmp(o->m->classes.cls[x->cls].key, o->m->classes.cls[y->cls].key);
}

/* Appends to jobs (*n of them) class r's replays at the factors j of f with
 * want[j], but those prune proves save nothing. */
static void add_jobs(const wcp_model *m, const wcp_ranked *r, const double *f, size_t nf,
                     const bool *want, bool prune, wcp_job *jobs, size_t *n)
{
    for (size_t j = 0; j < nf; j++)
        if (want[j] && (!prune || !wcp_saves_nothing(m, r->cls, f[j])))
            jobs[(*n)++] = (wcp_job){r->cls, f[j], &r->saved[j]};
}

/* The most class cls can save at factor f <= 1 (bound[cls], every class):
 * the makespan is the length of the longest chain of the tape, and the
 * baseline's critical path is such a chain; a replay at f shortens each of
 * cls's self segments on it by len - trunc(len * f) and leaves every other
 * step of it as it was, while no chain gets longer (f <= 1), so the
 * replay's makespan is at least the baseline's minus that sum. One ns more
 * per segment covers a segment that is part of one instruction. */
static void saving_bounds(const wcp_model *m, double f, int64_t *bound)
{
    memset(bound, 0, m->classes.n * sizeof *bound);
    for (size_t k = 0; k < m->n_path; k++) {
        const wcp_seg *s = &m->path[k];
        if (s->what != WCP_SEG_SELF)
            continue;
        int64_t len = s->end - s->start;
        bound[m->classes.of_op[s->op]] += len - (int64_t)((double)len * f) + 1;
    }
}

typedef struct bound_order {
    const int64_t *bound;
} bound_order;

static int by_bound(const void *a, const void *b, void *ctx)
{
    const int64_t *bd = ((const bound_order *)ctx)->bound;
    int64_t x = bd[((const wcp_ranked *)a)->cls], y = bd[((const wcp_ranked *)b)->cls];
    return x != y ? (x > y ? -1 : 1) : 0;
}

/* The top of out->r's n candidates at the middle factor f[mid] <= 1, without
 * replaying them all: candidates in decreasing order of their bound
 * (saving_bounds), a batch (one pass per core at least) at a time; once
 * top of them are replayed and the next bound is below the top-th best
 * saving, no candidate left can reach the top (its saving is at most its
 * bound), nor tie with it. Leaves out->r's first top entries the top ones,
 * sorted as by_saving sorts. 0, -1, or WCP_INTERRUPTED. */
static int rank_top_bounded(const wcp_model *m, wcp_stop *stop, const double *f, size_t nf,
                            size_t mid, size_t top, const bool *want, wcp_job *jobs,
                            wcp_ranking *out)
{
    int64_t *bound = malloc((m->classes.n ? m->classes.n : 1) * sizeof *bound);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    size_t batch = (size_t)WCP_LANES * (cores > 1 ? (size_t)cores : 1), done = 0;
    int rc = 0;
    if (!bound)
        return -1;
    if (batch < top)
        batch = top;
    saving_bounds(m, f[mid], bound);
    qsort_r(out->r, out->n, sizeof *out->r, by_bound, &(bound_order){bound});
    while (done < out->n) {
        size_t end = done + batch < out->n ? done + batch : out->n, nj = 0;
        for (size_t i = done; i < end; i++)
            add_jobs(m, &out->r[i], f, nf, want, true, jobs, &nj);
        if ((rc = wcp_run_jobs(m, stop, jobs, nj)) < 0)
            break;
        done = end;
        qsort_r(out->r, done, sizeof *out->r, by_saving, &(rank_order){m, mid});
        if (done >= top && done < out->n && bound[out->r[done].cls] < out->r[top - 1].saved[mid])
            break;
    }
    free(bound);
    return rc;
}

int wcp_rank(const wcp_model *m, wcp_stop *stop, const double *f, size_t nf, int64_t min_self,
             size_t top, bool prune, wcp_ranking *out)
{
    size_t mid = nf / 2, nc = 0, nj = 0;
    int rc = -1;
    memset(out, 0, sizeof *out);
    if (m->fifo)
        prune = false; /* §6 rule 8: no replay is bounded by the critical path (whatif.h) */
    for (uint32_t k = 0; k < m->classes.n; k++)
        nc += m->classes.cls[k].total_self >= min_self;
    bool all = top == 0 || top >= nc; /* every candidate kept: one pool for every factor */
    out->r = malloc((nc ? nc : 1) * sizeof *out->r);
    out->saved = calloc(nc * nf + 1, sizeof *out->saved);
    wcp_job *jobs = malloc((nc * nf + 1) * sizeof *jobs);
    bool *want = malloc(nf * sizeof *want);
    if (!out->r || !out->saved || !jobs || !want)
        goto oom;
    for (size_t j = 0; j < nf; j++)
        want[j] = all || j == mid;
    bool bounded = !all && prune && f[mid] <= 1.0; /* rank_top_bounded's condition */
    for (uint32_t k = 0; k < m->classes.n; k++) {
        if (m->classes.cls[k].total_self < min_self)
            continue;
        wcp_ranked *r = &out->r[out->n];
        *r = (wcp_ranked){k, &out->saved[out->n++ * nf]};
        if (!bounded)
            add_jobs(m, r, f, nf, want, prune, jobs, &nj);
    }
    if (bounded) {
        if ((rc = rank_top_bounded(m, stop, f, nf, mid, top, want, jobs, out)) < 0)
            goto fail;
    } else {
        if ((rc = wcp_run_jobs(m, stop, jobs, nj)) < 0)
            goto fail;
        qsort_r(out->r, out->n, sizeof *out->r, by_saving, &(rank_order){m, mid});
    }
    if (!all) { /* the kept classes at the other factors */
        out->n = top;
        nj = 0;
        for (size_t j = 0; j < nf; j++)
            want[j] = j != mid;
        for (size_t i = 0; i < out->n; i++)
            add_jobs(m, &out->r[i], f, nf, want, prune, jobs, &nj);
        if ((rc = wcp_run_jobs(m, stop, jobs, nj)) < 0)
            goto fail;
    }
    free(jobs);
    free(want);
    return 0;
oom:
    rc = -1;
fail:
    free(jobs);
    free(want);
    wcp_ranking_free(out);
    return rc;
}

/* ---- groups of ops */

int wcp_whatif_groups(const wcp_model *m, wcp_stop *stop, const uint32_t *group, uint32_t ngroups,
                      const double *f, size_t nf, int64_t *saved)
{
    size_t nj = ngroups > 1 ? (size_t)(ngroups - 1) * nf : 0;
    if (nj == 0)
        return 0;
    wcp_ins *ins = malloc(m->tape.n * sizeof *ins);
    wcp_job *jobs = malloc(nj * sizeof *jobs);
    int rc = -1;
    if (!ins || !jobs)
        goto done;
    for (size_t i = 0; i < m->tape.n; i++) {
        ins[i] = m->tape.ins[i];
        if (wcp_ins_kind(&ins[i]) == WCP_I_SELF)
            ins[i].arg = group[wcp_ins_op(&ins[i])];
    }
    wcp_model gm = *m; /* the same model, its tape's SELF naming groups */
    gm.tape.ins = ins;
    gm.fifo = false; /* the baseline's order: rule 8's tapes name classes */
    for (uint32_t g = 1; g < ngroups; g++)
        for (size_t j = 0; j < nf; j++)
            jobs[(g - 1) * nf + j] = (wcp_job){g, f[j], &saved[(g - 1) * nf + j]};
    rc = wcp_run_jobs(&gm, stop, jobs, nj);
done:
    free(ins);
    free(jobs);
    return rc;
}
