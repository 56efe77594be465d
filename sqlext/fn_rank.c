/* fn_rank.c - whatif_rank(factors, min_self_ns, prune, run): for every
 * class with enough self time and every factor, what the replay saves
 * (spec/analysis.md §3), ranked by the saving at the middle factor.
 *
 * Each (class, factor) is one pass over the compiled tape; passes run on
 * every core, WCP_LANES of them per pass over the tape. With prune on (the
 * default), replays that provably save nothing are skipped: factor 1 is the
 * baseline, and with a factor <= 1 a class with no self time on the
 * critical path saves exactly 0 (§3, last paragraph). */
#define _GNU_SOURCE
#include "fns.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_MIN_SELF_NS 1000000   /* 1 ms */


typedef struct ranked {
    uint32_t cls;
    const int64_t *saved;  /* its savings, one per factor */
    int64_t key;           /* the saving at the middle factor */
} ranked;

static int by_saving(const void *a, const void *b, void *ctx)
{
    const ranked *x = a, *y = b;
    const wcp_model *m = ctx;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return strcmp(m->cls[x->cls].key, m->cls[y->cls].key);
}

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const char *text = wcp_arg_text(c, 0);
    int64_t min_self, prune;
    double *f = NULL;
    size_t nf = 0;
    if (wcp_arg_int(c, 1, "min_self_ns", DEFAULT_MIN_SELF_NS, 0, &min_self) < 0 ||
        wcp_arg_int(c, 2, "prune", 1, 0, &prune) < 0)
        return -1;
    if (wcp_parse_factors(text ? text : "[0,0.5,0.9]", &f, &nf, c->err, sizeof c->err) < 0)
        return -1;
    size_t nc = 0;
    for (uint32_t k = 0; k < m->n_cls; k++)
        nc += m->cls[k].total_self >= min_self;
    size_t cells = nc * nf + 1;
    ranked *r = malloc((nc + 1) * sizeof *r);
    int64_t *saved = calloc(cells, sizeof *saved);
    wcp_job *jobs = malloc(cells * sizeof *jobs);
    size_t nj = 0;
    int rc = -1;
    if (!r || !saved || !jobs) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    for (uint32_t k = 0, i = 0; k < m->n_cls; k++) {
        if (m->cls[k].total_self < min_self)
            continue;
        r[i].cls = k;
        r[i].saved = &saved[i * nf];
        for (size_t j = 0; j < nf; j++) {
            bool zero = f[j] == 1.0 || (f[j] <= 1.0 && m->cls[k].critical == 0);
            if (!prune || !zero)
                jobs[nj++] = (wcp_job){k, f[j], &saved[i * nf + j]};
        }
        i++;
    }
    if (wcp_run_jobs(m, jobs, nj) < 0) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < nc; i++)
        r[i].key = r[i].saved[nf / 2];
    /* a stable order: the rank, then the class key */
    qsort_r(r, nc, sizeof *r, by_saving, (void *)m);
    for (size_t i = 0; i < nc; i++) {
        const wcp_class *k = &m->cls[r[i].cls];
        const int64_t *s = r[i].saved;
        for (size_t j = 0; j < nf; j++) {
            wcp_put_static(c, k->key);
            wcp_put_static(c, k->work_type);
            wcp_put_real(c, f[j]);
            wcp_put_int(c, s[j]);
            wcp_put_int(c, k->total_self);
            wcp_put_int(c, k->critical);
            wcp_put_int(c, (int64_t)i + 1);
        }
    }
    rc = 0;
done:
    free(f);
    free(r);
    free(saved);
    free(jobs);
    return rc;
}

const wcp_fn wcp_fn_whatif_rank = {
    "whatif_rank", "class_key, work_type, factor, saved_ns, total_self_ns, critical_ns, rank",
    "factors, min_self_ns, prune", fill};
