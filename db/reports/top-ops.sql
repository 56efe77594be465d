-- top-ops.sql - the 20 ops of the most recent run with the most self time.
-- Runs in any SQLite client:  sqlite3 -table run.db < db/reports/top-ops.sql
SELECT id, class_key, ident, outcome, start_ns, dur_ns, self_ns, is_open
  FROM v_ops
 WHERE run_id = (SELECT max(id) FROM runs)
 ORDER BY self_ns DESC, id < 0, id  -- ids as uint64 (db/README.md, "Ids")
 LIMIT 20;
