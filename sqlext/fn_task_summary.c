/* fn_task_summary.c - task_summary(kind, run): per task class key, how
 * long its tasks took and where their time went (spec/analysis.md §7.6, Go's
 * user task summary).
 *
 *   SELECT * FROM task_summary;              -- the roots are the tasks
 *   SELECT * FROM task_summary('call');      -- every op of kind call is one
 *
 * The schema (argument columns HIDDEN):
 *
 *   CREATE TABLE task_summary(class_key, tasks, complete, open, p50_ns, p95_ns, max_ns,
 *                             self_ns, children_ns, waiting_ns, descendants,
 *                             kind HIDDEN, run HIDDEN)
 *
 * A task is a root (kind NULL) or an op of kind `kind` (a kind the run does
 * not have: no tasks). Per class key of tasks, in key order: the tasks,
 * complete and open ones; their durations' p50 (sorted[n/2]), p95
 * (sorted[n*95/100]) and max; their own breakdowns (op_breakdown) summed:
 * self, in children, waiting (every waiting state); descendants: the ops
 * below them in their trees, summed. */
#include "fns.h"
#include "tasks.h"

#include <stdlib.h>

static int fill(wcp_call *c)
{
    const wcp_model *m = c->model;
    const char *kind = wcp_arg_text(c, 0);
    int64_t kid = kind ? wcp_db_string_id(c->db, kind) : 0;
    uint32_t *tasks = NULL;
    size_t n = 0, nc = 0;
    wcp_task_class *cls = NULL;
    if (kind && kid <= 0)
        return 0; /* no op has that kind */
    if (wcp_tasks(m, (uint32_t)kid, &tasks, &n) < 0 ||
        wcp_task_classes(m, tasks, n, &cls, &nc) < 0) {
        free(tasks);
        return wcp_fail(c, "out of memory");
    }
    for (size_t k = 0; k < nc; k++) {
        const wcp_task_class *t = &cls[k];
        wcp_put_static(c, m->classes.cls[t->cls].key);
        wcp_put_int(c, t->count);
        wcp_put_int(c, t->complete);
        wcp_put_int(c, t->open);
        wcp_put_int(c, t->p50);
        wcp_put_int(c, t->p95);
        wcp_put_int(c, t->max);
        wcp_put_int(c, t->self);
        wcp_put_int(c, t->children);
        wcp_put_int(c, t->waiting);
        wcp_put_int(c, t->descendants);
    }
    free(tasks);
    free(cls);
    return 0;
}

const wcp_fn wcp_fn_task_summary = {"task_summary",
                                    "class_key, tasks, complete, open, p50_ns, p95_ns, max_ns, "
                                    "self_ns, children_ns, waiting_ns, descendants",
                                    "kind", fill};
