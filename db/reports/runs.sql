-- runs.sql - every run in the database and the dumps merged into it.
-- Runs in any SQLite client:  sqlite3 -table run.db < db/reports/runs.sql
SELECT r.id AS run_id, r.epoch_unix_nano, r.ops, r.span_ns, r.dropped_events,
       d.id AS dump_id, d.source, d.event_count, d.ops_added, d.ops_completed,
       d.waits_added, d.links_added, d.warnings
  FROM runs r JOIN dumps d ON d.run_id = r.id
 ORDER BY r.id, d.id;
