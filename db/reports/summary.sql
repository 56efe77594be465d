-- summary.sql - header facts of the most recent run (docs/spec/analysis.md §5).
-- Runs in any SQLite client:  sqlite3 -table run.db < db/reports/summary.sql
-- For another run, replace (SELECT max(id) FROM runs) with its id.
SELECT run_id, ops, roots, open_ops, dropped_events, orphan_waits, reparented_ops,
       waits, links, span_ns, makespan_ns, warning
  FROM run_summary
 WHERE run_id = (SELECT max(id) FROM runs);
