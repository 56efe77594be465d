/* fn_tasks.c - tasks(kind, run): each task, its span and what its critical
 * path spends (spec/analysis.md §7.6).
 *
 *   SELECT op_id, span_ns, what, class_key, path_ns FROM tasks ORDER BY op_id;
 *   SELECT * FROM tasks('call') WHERE op_id = 42;
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE tasks(op_id, task_key, start_ns, dur_ns, open, descendants, span_ns, what,
 *                      class_key, path_ns, kind HIDDEN, run HIDDEN)
 *
 * Tasks as task_summary()'s, in op id order. Per task: its class key
 * (task_key), recorded start and duration, open (1: open at the latest
 * dump), descendants (ops below it), span_ns (its simulated duration in
 * the baseline, §7.5; NULL when the replay never finished it), and one row
 * per (what, class_key) of the segments of its critical path (§4's walk
 * back from its simulated finish to its simulated start): path_ns their
 * total, most first (ties: what, then class key); what is self, wait, gap,
 * offset or cycle. A task with no segment has one row with what, class_key
 * and path_ns NULL. */
#define _GNU_SOURCE
#include "fns.h"
#include "sat.h"
#include "tasks.h"

#include <stdlib.h>
#include <string.h>

typedef struct part {
    uint8_t what;
    uint32_t cls;
    int64_t ns;
} part;

static int by_ns(const void *a, const void *b, void *ctx)
{
    const part *x = a, *y = b;
    const wcp_model *m = ctx;
    if (x->ns != y->ns)
        return x->ns > y->ns ? -1 : 1;
    if (x->what != y->what)
        return x->what < y->what ? -1 : 1;
    return strcmp(m->classes.cls[x->cls].key, m->classes.cls[y->cls].key);
}

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const wcp_graph *g = &m->g;
    const char *kind = wcp_arg_text(c, 0);
    int64_t kid = kind ? wcp_db_string_id(c->db, kind) : 0;
    if (kind && kid <= 0)
        return 0; /* no op has that kind */
    uint32_t *tasks = NULL;
    size_t n = 0;
    int64_t *desc = malloc((g->n_ops + 1) * sizeof *desc), *after = wcp_baseline_trace(m);
    part *parts = NULL;
    int rc = -1;
    if (!desc || !after || wcp_descendants(g, desc) < 0 ||
        wcp_tasks(m, (uint32_t)kid, &tasks, &n) < 0) {
        wcp_fail(c, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        uint32_t i = tasks[k];
        wcp_seg *segs;
        size_t ns, np = 0;
        if (wcp_stop_poll(c->stop)) { /* a task's path: up to the whole run's */
            wcp_fail(c, "interrupted");
            goto done;
        }
        if (wcp_tape_path_of(&m->tape, m->start, after, i, &segs, &ns) < 0) {
            wcp_fail(c, "out of memory");
            goto done;
        }
        part *p = realloc(parts, (ns + 1) * sizeof *p);
        if (!p) {
            free(segs);
            wcp_fail(c, "out of memory");
            goto done;
        }
        parts = p;
        for (size_t s = 0; s < ns; s++) {
            uint32_t cls = m->classes.of_op[segs[s].op];
            size_t x = 0;
            while (x < np && !(parts[x].what == segs[s].what && parts[x].cls == cls))
                x++;
            if (x == np)
                parts[np++] = (part){segs[s].what, cls, 0};
            wcp_sat_inc(&parts[x].ns, wcp_seg_len(&segs[s]));
        }
        free(segs);
        qsort_r(parts, np, sizeof *parts, by_ns, (void *)m);
        for (size_t x = 0; x < (np ? np : 1); x++) {
            wcp_put_int(c, g->id[i]);
            wcp_put_static(c, wcp_op_class(m, i)->key);
            wcp_put_int(c, g->start[i]);
            wcp_put_int(c, g->end[i] - g->start[i]);
            wcp_put_int(c, (g->flags[i] & WCP_OP_OPEN) != 0);
            wcp_put_int(c, desc[i]);
            if (m->tape.finished[i])
                wcp_put_int(c, m->reg[i] - m->start[i]);
            else
                wcp_put_null(c);
            if (!np) {
                wcp_put_null(c);
                wcp_put_null(c);
                wcp_put_null(c);
                continue;
            }
            wcp_put_static(c, wcp_seg_what_name[parts[x].what]);
            wcp_put_static(c, m->classes.cls[parts[x].cls].key);
            wcp_put_int(c, parts[x].ns);
        }
    }
    rc = 0;
done:
    free(tasks);
    free(desc);
    free(after);
    free(parts);
    return rc;
}

const wcp_fn wcp_fn_tasks = {"tasks",
                             "op_id, task_key, start_ns, dur_ns, open, descendants, span_ns, "
                             "what, class_key, path_ns",
                             "kind", fill};
