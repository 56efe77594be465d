-- Parent cycles (§1.7, beyond the reference): 10 and 11 name each other, 20 -> 22 -> 21 -> 20, and exec 30 names 31 as its parent while 31 is reparented under 30 by a nested_client link. Each cycle is broken at its earliest op (10, 20, 30 become roots; 31 stays reparented), so no op is lost: 8 ops, 4 roots. Self (ms): 1 = 100 - wait 20 = 80; 10 = 4, 11 = 16; 20 = 4, 21 = 4, 22 = 12; 30 = 4, 31 = 16. Replay: 1 runs self to 40 and awaits 22, whose chain 21, 20 has no start: 20 is replayed first, a fallback anchor at its own start 40 (one), and finishes 22 at 56; 1 ends 56 + 40 = 96 against 100 recorded. Blocking chain: 1, then its wait target 22. Every export terminates and holds every op.
SELECT ops, roots, reparented_ops, makespan_ns FROM runs;
SELECT id, parent_id, reparented, self_ns FROM ops ORDER BY id;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT group_concat(op_id, ' ') AS chain FROM (SELECT op_id FROM blocking_chain ORDER BY seq);
SELECT sum(dur_ns) AS path_ns FROM critical_path;
SELECT rtrim(wcprof_export('folded'), char(10)) AS folded;
SELECT length(wcprof_export('html', NULL, 'max_ops=7')) > 1000 AS html_max_ops_7;
SELECT count(DISTINCT json_extract(value, '$.args.op_id')) AS chrome_ops FROM json_each(wcprof_export('chrome'), '$.traceEvents');
SELECT length(wcprof_export('coz')) > 0 AS coz;
