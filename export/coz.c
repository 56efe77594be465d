/* export_coz.c - what-if speed-up curves in Coz's profile.coz format, for
 * Coz's viewer (plasma-umass.org/coz, or coz plot).
 *
 *   SELECT wcprof_export('coz', 'profile.coz');
 *   SELECT wcprof_export('coz', 'profile.coz', 'top=20 min_self=5000000');
 *
 * Coz plots, per selected "line", the program's speed-up against the
 * line's speed-up, from experiments: an "experiment" record (selected,
 * speedup, duration) followed by its progress points. For a throughput
 * point the viewer sums, per (line, speedup), the points' delta and the
 * experiments' duration, takes duration / delta as the time per unit of
 * progress, and plots (t0 - t) / t0 against the speedup, t0 being the time
 * at speedup 0.
 *
 * Here a "line" is a class key, and speeding it up by s (0 to 1, in steps
 * of 0.05) is the what-if factor 1 - s (spec/analysis.md §3, the factors
 * whatif() replays): each (class, s) is one experiment of duration the
 * what-if makespan, with one throughput point "makespan" of delta 1. The
 * curve the viewer draws is then saved / baseline, the share of the
 * baseline makespan that speeding the class up saves:
 *
 *   experiment	selected=call_exec:Container.from	speedup=0.5	duration=700000000	selected-samples=0
 *   throughput-point	name=makespan	delta=1
 *
 * Classes come in whatif_rank()'s order (by the saving at s = 0.5); those
 * with less self time than min_self (ns, default whatif_rank's 1 ms) are
 * left out, and top=N keeps the first N (default 20; 0: all). Only those
 * are then replayed at the other speedups, eight replays to a pass over the
 * tape (fn_rank.c's wcp_run_jobs). A class key's tabs and line breaks
 * become spaces (the record's separators). */
#include "export.h"
#include "whatif.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 20           /* speedups 0, 1/20, ..., 1 */
#define DEFAULT_TOP 20     /* classes plotted by default */

/* option name as an integer >= 0 (def when absent). 0, or -1 with e->err. */
static int int_option(wcp_export *e, const char *name, int64_t def, int64_t *out)
{
    bool oom;
    char *v = wcp_export_option(e, name, &oom), *end;
    if (oom)
        return -1;
    *out = def;
    if (!v)
        return 0;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    int rc = 0;
    if (errno || end == v || *end || x < 0 || strchr(v, ' '))
        rc = wcp_export_fail(e, "%s must be a whole number >= 0, not \"%s\"", name, v);
    else
        *out = x;
    free(v);
    return rc;
}

/* The classes to plot, in whatif_rank()'s order at factor 0.5: their
 * indexes into *out (malloc'd), *n of them. 0, or -1 with e->err. */
static int ranked_classes(wcp_export *e, int64_t min_self, int64_t top, uint32_t **out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(e->db, "SELECT class_key FROM whatif_rank('[0.5]', ?1, 1, ?2) ORDER BY rank",
                           -1, &st, NULL) != SQLITE_OK)
        return wcp_export_fail(e, "%s", sqlite3_errmsg(e->db));
    if (min_self >= 0)
        sqlite3_bind_int64(st, 1, min_self);
    sqlite3_bind_int64(st, 2, e->run);
    size_t cap = 0;
    int rc = SQLITE_DONE;   /* the last step: ROW when top stopped the loop */
    while ((top == 0 || (int64_t)*n < top) && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t c = wcp_model_class(e->model, (const char *)sqlite3_column_text(st, 0));
        if (c < 0)
            continue;
        if (!wcp_grow((void **)out, &cap, *n + 1, sizeof **out)) {
            sqlite3_finalize(st);
            return wcp_export_fail(e, "out of memory");
        }
        (*out)[(*n)++] = (uint32_t)c;
    }
    bool ok = rc == SQLITE_ROW || rc == SQLITE_DONE;
    if (!ok)
        wcp_export_fail(e, "%s", sqlite3_errmsg(e->db));
    sqlite3_finalize(st);
    return ok ? 0 : -1;
}

static int write_coz(wcp_export *e)
{
    const wcp_model *m = e->model;
    int64_t min_self, top;
    uint32_t *cls = NULL;
    size_t n_cls = 0, n_jobs = 0;
    int rc = -1;
    if (int_option(e, "min_self", -1, &min_self) < 0 || int_option(e, "top", DEFAULT_TOP, &top) < 0 ||
        ranked_classes(e, min_self, top, &cls, &n_cls) < 0)
        return -1;
    /* saved[c][k]: class c sped up by k/STEPS, i.e. at factor (STEPS - k)/STEPS.
     * k = 0 is the baseline; a class with no self time on the critical path
     * saves nothing at any factor <= 1 (spec/analysis.md §3), as whatif_rank
     * prunes */
    int64_t (*saved)[STEPS + 1] = calloc(n_cls ? n_cls : 1, sizeof *saved);
    wcp_job *jobs = malloc((n_cls ? n_cls : 1) * STEPS * sizeof *jobs);
    if (!saved || !jobs) {
        wcp_export_fail(e, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_cls; i++)
        for (int k = 1; k <= STEPS && m->cls[cls[i]].critical > 0; k++)
            jobs[n_jobs++] = (wcp_job){cls[i], (double)(STEPS - k) / STEPS, &saved[i][k]};
    if (wcp_run_jobs(m, jobs, n_jobs) < 0) {
        wcp_export_fail(e, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n_cls; i++)
        for (int k = 0; k <= STEPS; k++) {
            wcp_out_puts(e->out, "experiment\tselected=");
            wcp_out_field(e->out, m->cls[cls[i]].key, 0, 0);
            wcp_out_printf(e->out, "\tspeedup=%g\tduration=%lld\tselected-samples=0\n"
                                   "throughput-point\tname=makespan\tdelta=1\n",
                           (double)k / STEPS, (long long)(m->baseline - saved[i][k]));
        }
    rc = 0;
done:
    free(cls);
    free(saved);
    free(jobs);
    return rc;
}

const wcp_exporter wcp_export_coz = {
    "coz", "min_self,top",
    "what-if speed-up curves per class key (Coz's viewer); min_self: ns of self time "
    "(default 1 ms), top: the N best-ranked classes (default 20, 0: all)",
    write_coz,
};
