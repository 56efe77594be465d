/* fns.h - the analysis functions (one file each) and what they share. */
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
    X(critical_path)                                                                               \
    X(blocking_chain)                                                                              \
    X(simulated_chain)                                                                             \
    X(dead_air)                                                                                    \
    X(replay_drift)

#define WCP_FN_EXTERN(name) extern const wcp_fn wcp_fn_##name;
WCP_FUNCTIONS(WCP_FN_EXTERN)
#undef WCP_FN_EXTERN

/* Registers wcprof_export() and wcprof_export_formats() (fn_export.c). */
int wcp_fn_export_register(wcp_ext *x);

#endif
