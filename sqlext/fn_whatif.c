/* fn_whatif.c - whatif(spec, run): one what-if replay (spec/analysis.md
 * §3): the classes the spec names with their self time scaled by its
 * factors, every other class unchanged; one row.
 *
 *   SELECT * FROM whatif('call_exec:Container.from=0.5');
 *   SELECT saved_ns FROM whatif('call_exec:Container.from=0, call_exec:Container.withExec=0.5', 1);
 *   SELECT * FROM whatif('{"call_exec:Container.from": 0.5}');   -- for keys with spaces
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE whatif(baseline_ns, makespan_ns, saved_ns, factors, spec HIDDEN,
 *                       run HIDDEN)
 *
 * spec (required): KEY=F items separated by spaces or commas, or a JSON
 * object {"KEY": F, ...} (wcp_parse_spec). factors: the spec as
 * understood, every factor other than 1 by class key, in key order.
 *
 * Errors: no spec, a malformed item, a factor that is not a number >= 0,
 * a key that names no class of the run. */
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
    int64_t ms = wcp_whatif_replay(c->db, m, spec, &factor, &reg, &start, NULL, NULL, c->stop,
                                   c->err, sizeof c->err);
    if (ms < 0) {
        if (!c->err[0]) /* every error says something */
            wcp_fail(c, "the replay's makespan does not fit in 64 bits (factors too large)");
        goto done;
    }
    /* the spec as understood: every factor other than 1, by class key */
    size_t len = 0;
    FILE *f = open_memstream(&norm, &len);
    if (!f) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    for (uint32_t k = 0, n = 0; k < m->classes.n; k++) {
        const wcp_class *c = &m->classes.cls[m->classes.by_key[k]];
        if (factor[m->classes.by_key[k]] != 1.0)
            fprintf(f, "%s%s=%g", n++ ? " " : "", c->key, factor[m->classes.by_key[k]]);
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

const wcp_fn wcp_fn_whatif = {"whatif", "baseline_ns, makespan_ns, saved_ns, factors", "spec",
                              fill};
