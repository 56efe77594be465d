/* resolve.h - the materialised columns of a run (spec/analysis.md §1-2):
 * what ingest stores so that SQL sees resolved parents, targets and self
 * time without the engine. */
#ifndef WCP_RESOLVE_H
#define WCP_RESOLVE_H

#include "graph.h"
#include "wcp_sqlite.h"
#include <stddef.h>
#include <stdint.h>

/* Recomputes the materialised columns of run_id (ops.parent_id, reparented,
 * self_ns; waits.target_id, orphan; the runs summary) from its ops, waits and
 * links. Run inside a transaction. *parent_cycles (when not NULL) receives
 * the number of parent cycles the run has, each broken at one op that
 * became a root (spec/analysis.md §1.7). n_ops: how many ops the run has
 * when the caller knows it (a run loaded by one dump), else 0: only the
 * room made for them (wcp_graph_build_sized()). given: when not NULL, every
 * op of the run as the caller inserted them (a run its load made, graph.h's
 * wcp_graph_ops), so that the graph is built from them rather than read
 * back (the same graph); consumed either way. Returns 0, or -1 with err
 * set. */
int wcp_materialize_run(sqlite3 *db, int64_t run_id, int64_t n_ops, wcp_graph_ops *given,
                        int64_t *parent_cycles, char *err, size_t errlen);

#endif
