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
 * whatif_rank() replays): each (class, s) is one experiment of duration the
 * what-if makespan, with one throughput point "makespan" of delta 1. The
 * curve the viewer draws is then saved / baseline, the share of the
 * baseline makespan that speeding the class up saves:
 *
 *   experiment	selected=call_exec:Container.from	speedup=0.5	duration=700000000	selected-samples=0
 *   throughput-point	name=makespan	delta=1
 *
 * Classes come in whatif_rank()'s order (by the saving at s = 0.5); those
 * with less self time than min_self (ns, default whatif_rank's 1 ms) are
 * left out, and top=N keeps the first N. A class key's tabs and line breaks
 * become spaces (the record's separators). */
#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STEPS 20           /* speedups 0, 1/20, ..., 1 */

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

/* s with tabs and line breaks as spaces. */
static void put_field(wcp_out *o, const char *s)
{
    for (const char *r = s;; s++) {
        if (*s && *s != '\t' && *s != '\n' && *s != '\r')
            continue;
        wcp_out_write(o, r, (size_t)(s - r));
        if (!*s)
            return;
        wcp_out_write(o, " ", 1);
        r = s + 1;
    }
}

static int write_coz(wcp_export *e)
{
    int64_t min_self, top;
    if (int_option(e, "min_self", -1, &min_self) < 0 || int_option(e, "top", 0, &top) < 0)
        return -1;
    /* factors 1, 0.95, ..., 0 as text, so that each is the double whatif('KEY=F') reads */
    char factors[STEPS * 8 + 8];
    size_t n = 0;
    for (int k = 0; k <= STEPS; k++)
        n += (size_t)snprintf(factors + n, sizeof factors - n, "%s%g", k ? "," : "[",
                              (double)(STEPS - k) / STEPS);
    snprintf(factors + n, sizeof factors - n, "]");

    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(e->db,
                           "SELECT class_key, factor, saved_ns, rank FROM whatif_rank(?1, ?2, 1, ?3)"
                           " ORDER BY rank, factor DESC", -1, &st, NULL) != SQLITE_OK)
        return wcp_export_fail(e, "%s", sqlite3_errmsg(e->db));
    sqlite3_bind_text(st, 1, factors, -1, SQLITE_STATIC);
    if (min_self >= 0)
        sqlite3_bind_int64(st, 2, min_self);
    sqlite3_bind_int64(st, 3, e->run);
    int rc;
    int64_t baseline = e->model->baseline;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (top > 0 && sqlite3_column_int64(st, 3) > top)
            break;
        double f = sqlite3_column_double(st, 1);
        int k = (int)(STEPS - f * STEPS + 0.5);    /* the step: speedup k/STEPS */
        wcp_out_puts(e->out, "experiment\tselected=");
        put_field(e->out, (const char *)sqlite3_column_text(st, 0));
        wcp_out_printf(e->out, "\tspeedup=%g\tduration=%lld\tselected-samples=0\n"
                               "throughput-point\tname=makespan\tdelta=1\n",
                       (double)k / STEPS, (long long)(baseline - sqlite3_column_int64(st, 2)));
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        wcp_export_fail(e, "%s", sqlite3_errmsg(e->db));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

const wcp_exporter wcp_export_coz = {
    "coz", "min_self,top",
    "what-if speed-up curves per class key (Coz's viewer); min_self: ns of self time "
    "(default 1 ms), top: the N best-ranked classes",
    write_coz,
};
