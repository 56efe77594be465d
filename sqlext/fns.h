/* fns.h - the analysis functions (one file each), the one list of them, and
 * the registration state they share. */
#ifndef WCP_FNS_H
#define WCP_FNS_H

#include "tvf.h"
#include "whatif.h"

/* Every table-valued function, in the order .help and the README list
 * them: X(name) for the wcp_fn named wcp_fn_<name> (fn_<file>.c). Adding a
 * function is adding its file and its line here. */
#define WCP_FUNCTIONS(X)                                                                           \
    X(replay_summary)                                                                              \
    X(whatif)                                                                                      \
    X(whatif_rank)                                                                                 \
    X(whatif_rank_meta)                                                                            \
    X(critical_path)                                                                               \
    X(blocking_chain)                                                                              \
    X(simulated_chain)                                                                             \
    X(dead_air)                                                                                    \
    X(replay_drift)                                                                                \
    X(resource_stats)                                                                              \
    X(op_breakdown)                                                                                \
    X(class_breakdown)                                                                             \
    X(parallelism)                                                                                 \
    X(parallelism_bounds)                                                                          \
    X(related_ops)                                                                                 \
    X(utilization)                                                                                 \
    X(mmu)                                                                                         \
    X(mud)                                                                                         \
    X(worst_windows)                                                                               \
    X(task_summary)                                                                                \
    X(tasks)

/* The registration state of one connection, shared by every function
 * registered there (ext.c): freed with the last of them. */
struct wcp_ext {
    wcp_model_cache cache; /* the connection and its cached model */
    int refs;              /* one per registered function, and the registration's own */
};

/* Drops a reference to x, freeing it and its cached model with the last. */
void wcp_ext_unref(wcp_ext *x);

#define WCP_FN_EXTERN(name) extern const wcp_fn wcp_fn_##name;
WCP_FUNCTIONS(WCP_FN_EXTERN)
#undef WCP_FN_EXTERN

/* Registers wcprof_export() and wcprof_export_formats() (fn_export.c). */
int wcp_fn_export_register(wcp_ext *x);

#endif
