-- classes.sql - per-class self time of the most recent run, most first
-- (count, outcomes, total/p50/p95/max self, total wall, duplicate executions).
-- Runs in any SQLite client:  sqlite3 -table run.db < db/reports/classes.sql
SELECT class_key, work_type, count, total_self_ns, total_wall_ns,
       p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed
  FROM class_stats
 WHERE run_id = (SELECT max(id) FROM runs)
 ORDER BY total_self_ns DESC, class_key
 LIMIT 20;
