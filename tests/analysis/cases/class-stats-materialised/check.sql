-- class_stats (analysis.md §5) is materialised at ingest (class_stats_data) with the values the view computes from the ops: run 1, call:a's 20 ops (self 1..20 ms, shuffled: p50 = sorted[10] = 11 ms, p95 = sorted[19] = 20 ms), work types user 7, engine 7, '' 6 (the tie goes to engine, alphabetical), outcomes as JSON by value (the empty one, one with a quote, a backslash, a newline and an é, escaped as json_group_object does), 8 executed ops on idents x1 x1 x1 x2 x2 x2 x3 x3 (dup_executed 2+2+1 = 5), call_exec:b's x1 twice and x2 once (1, its only work type ''); run 2, three ops of call:a of 2^62 ns each: total self and wall 3*2^62 saturate at 2^63-1 (the view failed with "integer overflow"). Then, with the stored rows taken away (runs.class_stats 0, as a database loaded by hand or migrated from before), the views compute the same rows from the ops, saturating too.
SELECT run_id, class_key, work_type, count, total_self_ns, total_wall_ns, p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed FROM class_stats ORDER BY run_id, class_key;
SELECT id AS run_id, class_stats FROM runs ORDER BY id;
BEGIN;
CREATE TEMP TABLE stored AS SELECT * FROM class_stats;
CREATE TEMP TABLE stored_wt AS SELECT * FROM class_work_type;
DELETE FROM class_stats_data;
UPDATE runs SET class_stats = 0;
SELECT run_id, class_key, work_type, count, total_self_ns, total_wall_ns, p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed FROM class_stats ORDER BY run_id, class_key;
SELECT (SELECT count(*) FROM class_stats) AS computed_rows,
       (SELECT count(*) FROM (SELECT * FROM class_stats EXCEPT SELECT * FROM stored)) +
       (SELECT count(*) FROM (SELECT * FROM stored EXCEPT SELECT * FROM class_stats)) AS differing,
       (SELECT count(*) FROM (SELECT * FROM class_work_type EXCEPT SELECT * FROM stored_wt)) +
       (SELECT count(*) FROM (SELECT * FROM stored_wt EXCEPT SELECT * FROM class_work_type)) AS work_types_differing;
ROLLBACK;
