/* fn_whatif.c - whatif(spec, run): one what-if replay (spec/analysis.md §3). */
#define _GNU_SOURCE
#include "fns.h"

#include <stdio.h>
#include <stdlib.h>


static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const char *spec = wcp_arg_text(c, 0);
    double *factor = NULL;
    int64_t *reg = NULL, *start = NULL;
    char *norm = NULL;
    int rc = -1;
    if (!spec) {
        wcp_fail(c, "needs a spec: whatif('kind:class=F ...')");
        goto done;
    }
    int64_t ms = wcp_whatif_replay(c->db, m, spec, &factor, &reg, &start, NULL, c->err, sizeof c->err);
    if (ms < 0)
        goto done;
    /* the spec as understood: every factor other than 1, by class key */
    size_t len = 0;
    FILE *f = open_memstream(&norm, &len);
    if (!f) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    for (uint32_t k = 0, n = 0; k < m->n_cls; k++) {
        const wcp_class *c = &m->cls[m->by_key[k]];
        if (factor[m->by_key[k]] != 1.0)
            fprintf(f, "%s%s=%g", n++ ? " " : "", c->key, factor[m->by_key[k]]);
    }
    fclose(f);
    wcp_put_int(c, m->baseline);
    wcp_put_int(c, ms);
    wcp_put_int(c, m->baseline - ms);
    wcp_put_text(c, norm);
    rc = 0;
done:
    free(norm);
    free(factor);
    free(reg);
    free(start);
    return rc;
}

const wcp_fn wcp_fn_whatif = {"whatif", "baseline_ns, makespan_ns, saved_ns, factors", "spec", fill};
