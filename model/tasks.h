/* tasks.h - tasks (spec/analysis.md §7.6, Go's user tasks): the roots, or
 * the ops of a kind the user names; per task class key its durations and
 * breakdown, per task its span and what its critical path spends.
 */
#ifndef WCP_TASKS_H
#define WCP_TASKS_H

#include "breakdown.h"

/* One task class key's summary. */
typedef struct wcp_task_class {
    uint32_t cls; /* class index */
    int64_t count, complete, open;
    int64_t p50, p95, max;           /* durations, as §5's percentiles */
    int64_t self, children, waiting; /* the tasks' breakdowns summed */
    int64_t descendants;             /* ops in the tasks' trees, below them */
} wcp_task_class;

/* The tasks of m: the roots (kind 0) or the ops whose kind is kind
 * (strings.id), in index order, into *ops (malloc'd). Returns 0, or -1 when
 * out of memory. */
int wcp_tasks(const wcp_model *m, uint32_t kind, uint32_t **ops, size_t *n);

/* Per op, the ops below it (its tree's size minus one), into desc (one
 * slot per op). Returns 0, or -1 when out of memory. */
int wcp_descendants(const wcp_graph *g, int64_t *desc);

/* The summaries of the tasks' class keys, in class key order, into *out
 * (malloc'd). Returns 0, or -1 when out of memory. */
int wcp_task_classes(const wcp_model *m, const uint32_t *tasks, size_t n_tasks,
                     wcp_task_class **out, size_t *n);

/* The baseline replay's trace (the clock after each instruction, as
 * wcp_tape_eval's after), which a task's critical path needs
 * (wcp_tape_path_of with m->start); malloc'd, NULL when out of memory. */
int64_t *wcp_baseline_trace(const wcp_model *m);

#endif
