/* coz.c - what-if speed-up curves in Coz's profile.coz format, for
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
 * are then replayed at the other speedups, WCP_LANES replays to a pass over
 * the tape (wcp_rank). A class key's tabs and line breaks become spaces
 * (the record's separators). */
#include "export.h"
#include "whatif.h"

#include <stdlib.h>

#define STEPS 20       /* speedups 0, 1/20, ..., 1 */
#define DEFAULT_TOP 20 /* classes plotted by default */

/* Option name as a whole number >= 0 (def when absent). 0, or -1 with e->err. */
static int int_option(wcp_export *e, const char *name, int64_t def, int64_t *out)
{
    char *v;
    int rc = wcp_export_int_option(e, name, def, 0, out, &v);
    if (rc > 0) /* a repeated option too: its values joined, "3 4" */
        wcp_export_fail(e, "%s must be a whole number >= 0, not \"%s\"", name, v);
    free(v);
    return rc == 0 ? 0 : -1;
}

static int write_coz(wcp_export *e)
{
    const wcp_model *m = e->model;
    int64_t min_self, top;
    double f[STEPS + 1]; /* f[k]: sped up by k/STEPS, i.e. the factor (STEPS - k)/STEPS */
    wcp_ranking rk;
    if (int_option(e, "min_self", WCP_RANK_MIN_SELF_NS, &min_self) < 0 ||
        int_option(e, "top", DEFAULT_TOP, &top) < 0)
        return -1;
    for (int k = 0; k <= STEPS; k++)
        f[k] = (double)(STEPS - k) / STEPS;
    /* ranked at f[STEPS / 2] = 0.5, as whatif_rank('[0.5]') */
    int rc = wcp_rank(m, e->stop, f, STEPS + 1, min_self, (size_t)top, true, &rk);
    if (rc < 0)
        return wcp_export_fail(e, rc == WCP_INTERRUPTED ? "interrupted" : "out of memory");
    for (size_t i = 0; i < rk.n; i++)
        for (int k = 0; k <= STEPS; k++) {
            wcp_out_puts(e->out, "experiment\tselected=");
            wcp_out_field(e->out, m->classes.cls[rk.r[i].cls].key, 0, 0);
            wcp_out_printf(e->out,
                           "\tspeedup=%g\tduration=%lld\tselected-samples=0\n"
                           "throughput-point\tname=makespan\tdelta=1\n",
                           (double)k / STEPS, (long long)(m->baseline - rk.r[i].saved[k]));
        }
    wcp_ranking_free(&rk);
    return 0;
}

const wcp_exporter wcp_export_coz = {
    "coz",
    "curves for Coz's viewer",
    "min_self,top",
    "what-if speed-up curves per class key (Coz's viewer); min_self: ns of self time "
    "(default 1 ms), top: the N best-ranked classes (default 20, 0: all)",
    write_coz,
};
