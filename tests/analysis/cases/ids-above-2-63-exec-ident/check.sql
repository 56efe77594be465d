-- Op ids are uint64 (dump-format.md), stored as their int64 bit pattern (db/README.md, "Ids"): the session is 2^63 (stored -2^63), exec.long5 is 2^64-1 (stored -1), exec.long4 is 2^63-1. The lazy op's exec-ident wait (no t, ident dig) goes to the longest exec, then the lowest id (§1.3): long4 and long5 both last 500 ms, and 2^63-1 < 2^64-1 as uint64 (as int64 it would be long5, -1): only exec.long4 at 0 moves it, lazy ends at 0 + 100, the session at 500 + 100 = 600, saved 100; long5 saves 0. Lazy (2) names its parent 2^63, read after it in id order: still resolved. Ids print as the stored values here (names other than *_id); analyses take an id above 2^63 as text.
WITH n(v, name) AS (VALUES (-9223372036854775807 - 1, '2^63'), (-1, '2^64-1'), (9223372036854775807, '2^63-1'))
SELECT coalesce(n.name, o.id) AS op, coalesce(pn.name, o.parent_id) AS parent, o.self_ns
  FROM ops o LEFT JOIN n ON n.v = o.id LEFT JOIN n pn ON pn.v = o.parent_id ORDER BY o.id < 0, o.id;
SELECT waiter_id = 2 AS from_lazy, target_id = 9223372036854775807 AS to_long4, resolved_by FROM waits;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT 'exec.long4' AS class, saved_ns FROM whatif('exec:exec.long4=0')
UNION ALL SELECT 'exec.long5', saved_ns FROM whatif('exec:exec.long5=0');
SELECT op_id AS op, class_key, what, start_ns, end_ns FROM critical_path ORDER BY seq;
SELECT op_id AS op, depth, tie, via_id AS via, class_key FROM related_ops('18446744073709551615', 1);
SELECT op_id AS op, state, dur_ns FROM op_breakdown('9223372036854775808') ORDER BY seq;
SELECT op_id AS op, state, dur_ns FROM op_breakdown(-1) ORDER BY seq;
SELECT root_id AS root, ops, work_ns FROM parallelism WHERE root_id IS NOT NULL;
SELECT instr(wcprof_export('chrome'), '"op_id":18446744073709551615,') > 0 AS chrome_max,
       instr(wcprof_export('chrome'), '"op_id":9223372036854775808,') > 0 AS chrome_2_63,
       instr(wcprof_export('chrome'), '"op_id":-') = 0 AS chrome_none_negative;
SELECT instr(wcprof_export('html'), '"18446744073709551615"') > 0 AS html_max,
       instr(wcprof_export('html'), '"9223372036854775807"') > 0 AS html_2_63_less_1;
SELECT json_extract(value, '$.name') AS chrome_related FROM json_each(wcprof_export('chrome', NULL, 'related=18446744073709551615 related_depth=1'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 'X' AND json_extract(value, '$.cat') != 'critical' ORDER BY 1;
SELECT instr(wcprof_export('chrome', NULL, 'related=18446744073709551615 related_depth=1'), '"related":18446744073709551615,') > 0 AS chrome_related_said;
SELECT * FROM related_ops(18446744073709551615);
SELECT * FROM related_ops('18446744073709551616');
SELECT * FROM op_breakdown('12');
