/* fuzz_replay.c - fuzz target for the loader, the graph and the replay
 * together (import/load.c, model/: graph, tape, what-if, critical path,
 * breakdown, ranking), on small dumps.
 *
 * Each input is a whole dump of at most 4 KiB. When the loader accepts it,
 * its model is built and what must hold on any run is checked
 * (docs/spec/analysis.md §3, §4, §7.1):
 *   - the baseline makespan is >= 0 and every replay with all factors 1
 *     gives it again;
 *   - a what-if of one class at factor 1 gives the baseline (saves 0), at a
 *     factor below 1 never more, above 1 never less (the replay is
 *     monotone in the factors; not with §6 rule 8, where a what-if's locks
 *     may be taken in a new order and its tasks by other workers), and
 *     never a negative makespan; one that
 *     wcp_saves_nothing() proves saves nothing saves exactly 0;
 *   - the critical path of the baseline and of a what-if (factors from the
 *     input) starts at the first root's start and tiles the makespan:
 *     each segment starts where the previous one ended, they add up to it;
 *   - each op's breakdown adds up to its duration, with no negative part,
 *     and its self part is the self time stored at load;
 *   - the ranking gives the same savings with and without pruning, 0 at
 *     factor 1, and each the one-class replay's (up to factor 1e6, where
 *     the clocks saturate).
 * Seeds: the dumps of tests/fixtures, the analysis cases and
 * tests/import/good (tests/CMakeLists.txt gathers them).
 *
 *   CC=clang cmake -S . -B build-fuzz -DWCPROF_FUZZ=ON
 *   cmake --build build-fuzz --target fuzz_replay
 *   build-fuzz/tests/analysis/fuzz_replay -max_total_time=600 -max_len=4096 \
 *       build-fuzz/tests/analysis/fuzz_replay-seeds
 */
#define _GNU_SOURCE /* memfd_create (fuzz.h) */
#include "breakdown.h"
#include "fuzz.h"
#include "source.h"
#include "whatif.h"

#define MAX_INPUT 4096
#define MAX_CLASSES 16 /* one-class what-ifs on the first ones */

/* The replay with these factors, its critical path checked against it;
 * returns its makespan. */
static int64_t replay(const wcp_model *m, const double *f, bool path)
{
    int64_t *reg = calloc(m->g.n_ops + 1, sizeof *reg), *start = calloc(m->g.n_ops + 1, 8);
    int64_t *after = NULL;
    wcp_tape *own = NULL; /* §6 rule 8: the what-if's own tape */
    if (!reg || !start)
        abort();
    int64_t ms = wcp_whatif_eval(m, f, reg, start, &after, &own, NULL);
    const wcp_tape *t = own ? own : &m->tape;
    if (!after)
        abort();
    FUZZ_CHECK(ms >= 0, "a replay's makespan is %lld", (long long)ms);
    if (path && t->first_root != WCP_NONE) {
        wcp_seg *s;
        size_t n;
        if (wcp_tape_critical_path(t, reg, start, after, &s, &n) < 0)
            abort();
        int64_t at = start[t->first_root], sum = 0;
        for (size_t k = 0; k < n; k++) {
            FUZZ_CHECK(s[k].start == at, "segment %zu starts at %lld, not %lld", k,
                       (long long)s[k].start, (long long)at);
            FUZZ_CHECK(s[k].end >= s[k].start || s[k].what == WCP_SEG_OFFSET,
                       "segment %zu (%s) is [%lld, %lld]", k, wcp_seg_what_name[s[k].what],
                       (long long)s[k].start, (long long)s[k].end);
            FUZZ_CHECK(s[k].op < m->g.n_ops, "segment %zu names op %u", k, s[k].op);
            sum += s[k].end - s[k].start;
            at = s[k].end;
        }
        FUZZ_CHECK(sum == ms, "%zu segments add up to %lld, the makespan is %lld", n,
                   (long long)sum, (long long)ms);
        free(s);
    }
    free(reg);
    free(start);
    free(after);
    wcp_whatif_tape_free(own);
    return ms;
}

static void check_model(const wcp_model *m, const uint8_t *data, size_t size)
{
    uint32_t nc = m->classes.n;
    double *f = malloc((nc + 1) * sizeof *f);
    if (!f)
        abort();
    FUZZ_CHECK(m->baseline >= 0, "baseline %lld", (long long)m->baseline);
    FUZZ_CHECK(replay(m, NULL, true) == m->baseline, "the baseline again differs");
    for (uint32_t c = 0; c <= nc; c++)
        f[c] = 1;
    FUZZ_CHECK(replay(m, f, false) == m->baseline, "all factors 1 is not the baseline");

    static const double factors[] = {0, 0.25, 0.5, 0.9, 1, 1.5, 2, 1000};
    for (uint32_t c = 0; c < nc && c < MAX_CLASSES; c++) {
        for (size_t k = 0; k < sizeof factors / sizeof *factors; k++) {
            double x = factors[k];
            f[c] = x;
            int64_t ms = replay(m, f, false);
            f[c] = 1;
            FUZZ_CHECK(x != 1 || ms == m->baseline, "%s at 1 gives %lld, baseline %lld",
                       m->classes.cls[c].key, (long long)ms, (long long)m->baseline);
            FUZZ_CHECK(m->fifo || x > 1 || ms <= m->baseline, "%s at %g gives %lld > baseline %lld",
                       m->classes.cls[c].key, x, (long long)ms, (long long)m->baseline);
            FUZZ_CHECK(m->fifo || x < 1 || ms >= m->baseline, "%s at %g gives %lld < baseline %lld",
                       m->classes.cls[c].key, x, (long long)ms, (long long)m->baseline);
            FUZZ_CHECK(!wcp_saves_nothing(m, c, x) || ms == m->baseline,
                       "%s at %g: proved to save nothing, saves %lld", m->classes.cls[c].key, x,
                       (long long)(m->baseline - ms));
        }
    }
    /* factors chosen by the input's last bytes: a what-if of several classes */
    for (uint32_t c = 0; c < nc; c++)
        f[c] = factors[size ? data[(size - 1 - c % size)] % 8 : 0];
    replay(m, f, true);

    /* §7.1: each op's parts add up to its duration */
    const wcp_graph *g = &m->g;
    for (uint32_t i = 0; i < g->n_ops; i++) {
        size_t nw = g->wait_off[i + 1] - g->wait_off[i];
        wcp_span *tmp = malloc((nw + 1) * sizeof *tmp);
        wcp_bd_part *parts = malloc(wcp_breakdown_max(g, i) * sizeof *parts);
        if (!tmp || !parts)
            abort();
        size_t n = wcp_breakdown_op(g, i, tmp, parts);
        int64_t sum = 0;
        for (size_t k = 0; k < n; k++) {
            FUZZ_CHECK(parts[k].ns >= 0, "op %lld: part %zu is %lld ns", (long long)g->id[i], k,
                       (long long)parts[k].ns);
            sum += parts[k].ns;
        }
        FUZZ_CHECK(sum == g->end[i] - g->start[i], "op %lld: parts add up to %lld, duration %lld",
                   (long long)g->id[i], (long long)sum, (long long)(g->end[i] - g->start[i]));
        FUZZ_CHECK(n >= 1 && parts[0].what == WCP_BD_SELF, "op %lld: no self part first",
                   (long long)g->id[i]);
        FUZZ_CHECK(!g->self_ns || parts[0].ns == g->self_ns[i],
                   "op %lld: self part %lld, stored self time %lld", (long long)g->id[i],
                   (long long)parts[0].ns, (long long)g->self_ns[i]);
        free(tmp);
        free(parts);
    }

    /* the ranking (8 replays to a pass): pruning changes nothing, factor 1
     * saves 0, and every saving is the one-class replay's, up to the
     * largest factor */
    static const double rf[] = {0, 0.5, 1, 2, WCP_FACTOR_MAX};
    enum { NF = sizeof rf / sizeof *rf };
    wcp_ranking a, b;
    if (wcp_rank(m, NULL, rf, NF, 0, 0, false, &a) != 0 ||
        wcp_rank(m, NULL, rf, NF, 0, 0, true, &b) != 0)
        abort();
    FUZZ_CHECK(a.n == b.n, "%zu classes ranked, %zu when pruned", a.n, b.n);
    for (uint32_t c = 0; c <= nc; c++)
        f[c] = 1;
    for (size_t k = 0; k < a.n; k++) {
        const char *key = m->classes.cls[a.r[k].cls].key;
        FUZZ_CHECK(a.r[k].cls == b.r[k].cls, "rank %zu differs when pruned", k);
        for (int j = 0; j < NF; j++) {
            FUZZ_CHECK(a.r[k].saved[j] == b.r[k].saved[j], "%s at %g: saves %lld, pruned %lld", key,
                       rf[j], (long long)a.r[k].saved[j], (long long)b.r[k].saved[j]);
            f[a.r[k].cls] = rf[j];
            int64_t one = m->baseline - replay(m, f, false);
            f[a.r[k].cls] = 1;
            FUZZ_CHECK(a.r[k].saved[j] == one, "%s at %g: the ranking saves %lld, whatif %lld", key,
                       rf[j], (long long)a.r[k].saved[j], (long long)one);
        }
        FUZZ_CHECK(a.r[k].saved[2] == 0, "%s at 1 saves %lld", key, (long long)a.r[k].saved[2]);
    }
    wcp_ranking_free(&a);
    wcp_ranking_free(&b);
    free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_INPUT)
        return 0;
    int fd;
    char path[64], err[1024] = "";
    fuzz_file(data, size, &fd, path, sizeof path);
    sqlite3 *db = fuzz_db(NULL);
    wcp_load_opts o = {.serial = true, .format = WCP_FORMAT_WCPROF};
    wcp_load_stats st;
    if (wcp_load_dump(db, path, &o, &st, err, sizeof err) == 0) {
        wcp_model_cache cache = {.db = db};
        wcp_model *m = wcp_model_get(&cache, st.run_id, NULL, err, sizeof err);
        FUZZ_CHECK(m || err[0], "no model, and no reason");
        if (m)
            check_model(m, data, size);
        wcp_model_release(m);
        wcp_model_cache_clear(&cache);
    }
    fuzz_close(db);
    close(fd);
    return 0;
}

FUZZ_MAIN("fuzz_replay")
