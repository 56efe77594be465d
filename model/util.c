/* util.c - utilization steps, MMU, MUD and the worst windows (§7.2-3);
 * see util.h. */
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* An event is its time's offset from the trace's start and what it changes
 * (a code; the order of the events of one time does not matter). When the
 * trace spans less than 2^61 ns (every real one) the code is the key's low
 * EV_BITS bits, so the sort moves one array; a span up to 2^62 (times
 * within ±2^61) leaves no bits, and the codes move beside the keys. */
enum { EV_SELF, EV_BLOCKED, EV_WAIT, EV_END = 4, EV_BITS = 3 };

typedef struct build_ctx {
    int64_t t0;
    const wcp_state *sel;
    size_t n_sel;
    uint64_t *ev;  /* offsets from t0, shifted by EV_BITS with their code when packed */
    uint8_t *code; /* what each changes, when not packed */
    bool packed;
    size_t n, cap;
    int oom;
} build_ctx;

static bool selected(const build_ctx *b, wcp_bd_what what, uint32_t name)
{
    if (!b->sel)
        return true;
    for (size_t k = 0; k < b->n_sel; k++)
        if (b->sel[k].what == what && b->sel[k].name == name)
            return true;
    return false;
}

static void add_seg(void *ctx, uint32_t op, wcp_bd_what what, uint32_t name, int64_t a, int64_t b)
{
    build_ctx *c = ctx;
    (void)op;
    if (c->oom || b <= a)
        return;
    if (c->n + 2 > c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 1024;
        uint64_t *ev = realloc(c->ev, cap * sizeof *ev);
        if (ev)
            c->ev = ev;
        uint8_t *cd = ev && !c->packed ? realloc(c->code, cap * sizeof *cd) : NULL;
        if (!ev || (!c->packed && !cd)) {
            c->oom = 1;
            return;
        }
        if (cd)
            c->code = cd;
        c->cap = cap;
    }
    unsigned code = what == WCP_BD_SELF ? EV_SELF : selected(c, what, name) ? EV_BLOCKED : EV_WAIT;
    if (c->packed) {
        c->ev[c->n++] = (uint64_t)(a - c->t0) << EV_BITS | code;
        c->ev[c->n++] = (uint64_t)(b - c->t0) << EV_BITS | (code | EV_END);
        return;
    }
    c->code[c->n] = (uint8_t)code;
    c->ev[c->n++] = (uint64_t)(a - c->t0);
    c->code[c->n] = (uint8_t)(code | EV_END);
    c->ev[c->n++] = (uint64_t)(b - c->t0);
}

/* The loops over every op or event ask stop (NULL: never) when their count
 * is a multiple of POLL_EVERY: wcp_stop_every(stop, k, POLL_EVERY). */
#define POLL_EVERY 4096

/* LSD radix sort of keys a below 2^bits, 11 bits a pass, each key's byte
 * of b (when b is not NULL) moving with it. Returns 0, -1 when out of
 * memory, -2 when stop said stop (a left half sorted). */
static int radix_sort(uint64_t *a, uint8_t *b, size_t n, unsigned bits, wcp_stop *stop)
{
    if (n == 0)
        return 0;
    uint64_t *tmp = malloc((n + 1) * sizeof *tmp), *src = a, *dst = tmp;
    uint8_t *tmpb = b ? malloc(n + 1) : NULL, *srcb = b, *dstb = tmpb;
    if (!tmp || (b && !tmpb)) {
        free(tmp);
        free(tmpb);
        return -1;
    }
    int rc = 0;
    for (unsigned shift = 0; shift < bits && rc == 0; shift += 11) {
        size_t count[2049] = {0};
        for (size_t k = 0; k < n; k++)
            count[((src[k] >> shift) & 2047) + 1]++;
        for (size_t d = 1; d <= 2048; d++)
            count[d] += count[d - 1];
        /* in blocks of POLL_EVERY, stop polled before each (as the other
         * loops at k = 0, POLL_EVERY, ...), nothing more per key */
        for (size_t k0 = 0; k0 < n; k0 += POLL_EVERY) {
            if (wcp_stop_poll(stop)) {
                rc = -2;
                break;
            }
            size_t end = n - k0 > POLL_EVERY ? k0 + POLL_EVERY : n;
            for (size_t k = k0; k < end; k++) {
                size_t to = count[(src[k] >> shift) & 2047]++;
                dst[to] = src[k];
                if (b)
                    dstb[to] = srcb[k];
            }
        }
        uint64_t *x = src;
        src = dst;
        dst = x;
        uint8_t *y = srcb;
        srcb = dstb;
        dstb = y;
    }
    if (src != a && rc == 0) {
        memcpy(a, src, n * sizeof *a);
        if (b)
            memcpy(b, srcb, n);
    }
    free(tmp);
    free(tmpb);
    return rc;
}

void wcp_util_free(wcp_util *u)
{
    free(u->t);
    free(u->act);
    free(u->blocked);
    free(u->running);
    free(u->integral);
    memset(u, 0, sizeof *u);
}

int wcp_util_build(const wcp_graph *g, const wcp_state *blocked, size_t n_blocked, wcp_stop *stop,
                   wcp_util *u)
{
    memset(u, 0, sizeof *u);
    int64_t t0 = 0, t1 = 0;
    size_t most = 1;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        if (i == 0 || g->start[i] < t0)
            t0 = g->start[i];
        if (i == 0 || g->end[i] > t1)
            t1 = g->end[i];
        if (g->wait_off[i + 1] - g->wait_off[i] > most)
            most = g->wait_off[i + 1] - g->wait_off[i];
    }
    bool packed = (uint64_t)(t1 - t0) >> (64 - EV_BITS) == 0;
    build_ctx c = {t0, blocked, n_blocked, NULL, NULL, packed, 0, 0, 0};
    wcp_span *tmp = malloc(most * sizeof *tmp);
    int rc = -1;
    if (!tmp)
        goto done;
    for (uint32_t i = 0; i < g->n_ops && !c.oom; i++) {
        wcp_op_segments(g, i, tmp, add_seg, &c);
        if (wcp_stop_every(stop, i, POLL_EVERY)) {
            rc = -2;
            goto done;
        }
    }
    unsigned shift = packed ? EV_BITS : 0, bits = shift;
    while (bits < 64 && ((uint64_t)(t1 - t0) << shift) >> bits)
        bits++;
    if (c.oom || (rc = radix_sort(c.ev, c.code, c.n, bits, stop)) < 0)
        goto done;
    rc = -1;
    /* the steps: at most one per distinct event time, plus the end */
    size_t cap = c.n + 2;
    u->t = malloc(cap * sizeof *u->t);
    u->act = malloc(cap * sizeof *u->act);
    u->blocked = malloc(cap * sizeof *u->blocked);
    u->running = malloc(cap * sizeof *u->running);
    u->integral = malloc(cap * sizeof *u->integral);
    if (!u->t || !u->act || !u->blocked || !u->running || !u->integral)
        goto done;
    int64_t count[3] = {0, 0, 0}; /* self, blocked, waiting not blocked */
    size_t n = 0;
    for (size_t e = 0, round = 1; e < c.n || (n == 0 && g->n_ops); round++) {
        if (wcp_stop_every(stop, round, POLL_EVERY)) {
            rc = -2;
            goto done;
        }
        int64_t t = e < c.n ? (int64_t)(c.ev[e] >> shift) + t0 : t0;
        while (e < c.n && (int64_t)(c.ev[e] >> shift) + t0 == t) {
            unsigned code = packed ? c.ev[e] & 7 : c.code[e];
            e++;
            count[code & 3] += code & EV_END ? -1 : 1;
        }
        if (t >= t1 && n > 0)
            break;
        uint32_t act = (uint32_t)(count[0] + count[1] + count[2]);
        uint32_t blk = (uint32_t)count[1], run = (uint32_t)count[0];
        if (n > 0 && u->act[n - 1] == act && u->blocked[n - 1] == blk && u->running[n - 1] == run)
            continue; /* the same step goes on */
        if (n + 1 >= cap)
            goto done; /* cannot happen: one step per event time at most */
        u->t[n] = t;
        u->act[n] = act;
        u->blocked[n] = blk;
        u->running[n] = run;
        n++;
    }
    u->n = n;
    u->t[n] = t1;
    u->integral[0] = 0;
    for (size_t k = 0; k < n; k++)
        u->integral[k + 1] = u->integral[k] + wcp_util_u(u, k) * (double)(u->t[k + 1] - u->t[k]);
    rc = 0;
done:
    free(c.ev);
    free(c.code);
    free(tmp);
    if (rc < 0)
        wcp_util_free(u);
    return rc;
}

double wcp_util_integral(const wcp_util *u, int64_t x, size_t *k)
{
    if (u->n == 0)
        return 0;
    while (*k + 1 < u->n && u->t[*k + 1] <= x)
        (*k)++;
    return u->integral[*k] + wcp_util_u(u, *k) * (double)(x - u->t[*k]);
}

/* The window starts where the window mean can turn: every step boundary
 * as a start or as an end, within [t[0], t[n] - w], in increasing order
 * (a value may come twice). */
typedef struct cand {
    const wcp_util *u;
    int64_t w, last;
    size_t a, b;   /* next boundary as a start, as an end */
    size_t kx, kw; /* integral hints for x and x + w */
} cand;

static int64_t clamp_width(const wcp_util *u, int64_t w)
{
    int64_t len = u->t[u->n] - u->t[0];
    if (w > len)
        w = len;
    return w < 1 ? 1 : w;
}

static void cand_init(cand *c, const wcp_util *u, int64_t w)
{
    memset(c, 0, sizeof *c);
    c->u = u;
    c->w = w;
    c->last = u->t[u->n] - w;
    while (c->b <= u->n && u->t[c->b] - w < u->t[0])
        c->b++;
}

/* the next start into *x and its window's integral; false at the end */
static bool cand_next(cand *c, int64_t *x, double *f)
{
    const wcp_util *u = c->u;
    bool ha = c->a <= u->n && u->t[c->a] <= c->last;
    bool hb = c->b <= u->n && u->t[c->b] - c->w <= c->last;
    if (!ha && !hb)
        return false;
    if (ha && (!hb || u->t[c->a] <= u->t[c->b] - c->w))
        *x = u->t[c->a++];
    else
        *x = u->t[c->b++] - c->w;
    *f = wcp_util_integral(u, *x + c->w, &c->kw) - wcp_util_integral(u, *x, &c->kx);
    return true;
}

double wcp_mmu(const wcp_util *u, int64_t w, int64_t *at)
{
    *at = u->t[0];
    if (u->n == 0 || u->t[u->n] == u->t[0])
        return 0;
    w = clamp_width(u, w);
    cand c;
    cand_init(&c, u, w);
    int64_t x;
    double f, best = 0;
    bool any = false;
    while (cand_next(&c, &x, &f))
        if (!any || f < best) {
            best = f;
            *at = x;
            any = true;
        }
    return best / (double)w;
}

/* a value of the window mean's distribution: the measure of starts whose
 * mean is below v grows by `slope` per unit of v from here (a ramp), or
 * jumps by `jump` here (a flat piece) */
typedef struct mud_ev {
    double v, slope, jump;
} mud_ev;

/* ev sorted by v, stably (as glibc's qsort, a merge sort, left them):
 * bottom-up merges, stop polled every POLL_EVERY values merged, as the
 * values are some four per step (a second at 1M ops). Returns 0, -1 when
 * out of memory, -2 when stop said stop. */
static int sort_by_v(mud_ev *ev, size_t n, wcp_stop *stop)
{
    mud_ev *tmp = malloc((n ? n : 1) * sizeof *tmp), *src = ev, *dst = tmp;
    size_t merged = 0;
    if (!tmp)
        return -1;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi)
                dst[k++] = src[b].v < src[a].v ? src[b++] : src[a++];
            while (a < mid)
                dst[k++] = src[a++];
            while (b < hi)
                dst[k++] = src[b++];
            if ((merged += hi - lo) >= POLL_EVERY) {
                merged = 0;
                if (wcp_stop_poll(stop)) {
                    free(tmp);
                    return -2;
                }
            }
        }
        mud_ev *x = src;
        src = dst;
        dst = x;
    }
    if (src != ev)
        memcpy(ev, src, n * sizeof *ev);
    free(tmp);
    return 0;
}

int wcp_mud(const wcp_util *u, int64_t w, const double *q, size_t nq, double *out, wcp_stop *stop)
{
    for (size_t k = 0; k < nq; k++)
        out[k] = 0;
    if (u->n == 0 || u->t[u->n] == u->t[0])
        return 0;
    w = clamp_width(u, w);
    mud_ev *ev = malloc((4 * (u->n + 1) + 2) * sizeof *ev);
    if (!ev)
        return -1;
    size_t n = 0;
    cand c;
    cand_init(&c, u, w);
    int64_t x, px = 0;
    double f, pf = 0, total = 0;
    bool first = true;
    size_t polls = 0;
    while (cand_next(&c, &x, &f)) {
        double m = f / (double)w;
        if (wcp_stop_every(stop, ++polls, 0x10000)) {
            free(ev);
            return -2;
        }
        if (first) {
            first = false;
            if (c.last == u->t[0]) /* one window: a point mass */
                ev[n++] = (mud_ev){m, 0, 1};
        } else if (x > px) {
            double len = (double)(x - px), lo = pf < m ? pf : m, hi = pf < m ? m : pf;
            if (hi - lo > 1e-9) { /* else flat, within rounding: a point mass */
                ev[n++] = (mud_ev){lo, len / (hi - lo), 0};
                ev[n++] = (mud_ev){hi, -len / (hi - lo), 0};
            } else {
                ev[n++] = (mud_ev){lo, 0, len};
            }
            total += len;
        }
        px = x;
        pf = m;
    }
    if (c.last == u->t[0])
        total = 1;
    int sorted = sort_by_v(ev, n, stop);
    if (sorted < 0) {
        free(ev);
        return sorted;
    }
    /* the measure of the starts whose mean is below v, swept up v; in long
     * double, as the densities of steep ramps cancel out */
    for (size_t k = 0; k < nq; k++) {
        long double target = (long double)q[k] * total, m = 0, slope = 0;
        double pv = n ? ev[0].v : 0;
        out[k] = n ? ev[n - 1].v : 0;
        if (q[k] <= 0 || q[k] >= 1) {
            out[k] = n ? ev[q[k] <= 0 ? 0 : n - 1].v : 0;
            continue;
        }
        for (size_t e = 0; e < n; e++) {
            long double after = m + slope * (ev[e].v - pv);
            if (target <= after && slope > 0) {
                out[k] = (double)(pv + (target - m) / slope);
                break;
            }
            m = after + ev[e].jump;
            pv = ev[e].v;
            slope += ev[e].slope;
            if (slope < 0) /* rounding, where the ramps end */
                slope = 0;
            if (target <= m) {
                out[k] = ev[e].v;
                break;
            }
        }
    }
    free(ev);
    return 0;
}

int64_t wcp_worst_windows(const wcp_util *u, int64_t w, size_t k, int64_t *at, double *mean,
                          wcp_stop *stop)
{
    if (u->n == 0 || u->t[u->n] == u->t[0] || k == 0)
        return 0;
    w = clamp_width(u, w);
    size_t found = 0, work = 0;
    int64_t last = u->t[u->n] - w;
    while (found < k) {
        cand c;
        cand_init(&c, u, w);
        int64_t x, best_x = 0;
        double f, best = 0;
        bool any = false;
        /* the starts a window may have: the boundaries, and the edges of
         * the chosen windows' shadows (where the remaining range ends) */
        for (size_t e = 0;; e++) {
            if ((work += 1 + found) >= POLL_EVERY) { /* each start costs one look per window */
                work = 0;
                if (wcp_stop_poll(stop))
                    return -2;
            }
            if (e < 2 * found) {
                x = at[e / 2] + (e % 2 ? w : -w);
                if (x < u->t[0] || x > last)
                    continue;
                size_t ka = 0, kb = 0;
                f = wcp_util_integral(u, x + w, &kb) - wcp_util_integral(u, x, &ka);
            } else if (!cand_next(&c, &x, &f)) {
                break;
            }
            bool free_ = true;
            for (size_t j = 0; j < found && free_; j++)
                free_ = x >= at[j] + w || x <= at[j] - w;
            if (free_ && (!any || f < best || (f == best && x < best_x))) {
                best = f;
                best_x = x;
                any = true;
            }
        }
        if (!any)
            break;
        at[found] = best_x;
        mean[found++] = best / (double)w;
    }
    return (int64_t)found;
}

typedef struct blocked_ctx {
    build_ctx sel; /* the selection only */
    int64_t a, b;
    wcp_blocked_op *r;
    size_t n, cap;
    int oom;
} blocked_ctx;

static void add_blocked(void *ctx, uint32_t op, wcp_bd_what what, uint32_t name, int64_t a,
                        int64_t b)
{
    blocked_ctx *c = ctx;
    if (what == WCP_BD_SELF || !selected(&c->sel, what, name) || c->oom)
        return;
    a = a > c->a ? a : c->a;
    b = b < c->b ? b : c->b;
    if (b <= a)
        return;
    for (size_t k = c->n; k-- > 0 && c->r[k].op == op;)
        if (c->r[k].state.what == what && c->r[k].state.name == name) {
            c->r[k].ns += b - a;
            return;
        }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        wcp_blocked_op *r = realloc(c->r, cap * sizeof *r);
        if (!r) {
            c->oom = 1;
            return;
        }
        c->r = r;
        c->cap = cap;
    }
    c->r[c->n++] = (wcp_blocked_op){op, {what, name}, b - a};
}

static int by_blocked(const void *x, const void *y)
{
    const wcp_blocked_op *a = x, *b = y;
    if (a->ns != b->ns)
        return a->ns > b->ns ? -1 : 1;
    if (a->op != b->op)
        return a->op < b->op ? -1 : 1;
    if (a->state.what != b->state.what)
        return a->state.what < b->state.what ? -1 : 1;
    return a->state.name < b->state.name ? -1 : a->state.name > b->state.name;
}

int wcp_blocked_in(const wcp_graph *g, const wcp_state *blocked, size_t n_blocked, int64_t a,
                   int64_t b, wcp_stop *stop, wcp_blocked_op **out, size_t *n)
{
    blocked_ctx c = {{0, blocked, n_blocked, NULL, NULL, false, 0, 0, 0}, a, b, NULL, 0, 0, 0};
    size_t most = 1;
    for (uint32_t i = 0; i < g->n_ops; i++)
        if (g->wait_off[i + 1] - g->wait_off[i] > most)
            most = g->wait_off[i + 1] - g->wait_off[i];
    wcp_span *tmp = malloc(most * sizeof *tmp);
    *out = NULL;
    *n = 0;
    if (!tmp)
        return -1;
    bool stopped = false;
    for (uint32_t i = 0; i < g->n_ops && !c.oom && !(stopped = wcp_stop_every(stop, i, POLL_EVERY));
         i++)
        if (g->start[i] < b && g->end[i] > a && g->wait_off[i + 1] > g->wait_off[i])
            wcp_op_segments(g, i, tmp, add_blocked, &c);
    free(tmp);
    if (c.oom || stopped) {
        free(c.r);
        return stopped ? -2 : -1;
    }
    if (c.n)
        qsort(c.r, c.n, sizeof *c.r, by_blocked);
    *out = c.r;
    *n = c.n;
    return 0;
}
