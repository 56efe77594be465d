-- The Chrome export restricted to related_ops (§7.4): from op 6 at depth 1 only 6 and 3 (its link's from-op) are drawn, at depth 2 also 1 (3's parent) and 5 (which waited on 3); the flow of 5's wait on 3 is drawn only when both ends are shown; the critical path keeps only their segments; otherData says what was asked and how many ops are shown.
SELECT json_extract(value, '$.args.op_id') AS op FROM json_each(wcprof_export('chrome', NULL, 'related=6 related_depth=1'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 'X' AND json_extract(value, '$.cat') != 'critical' ORDER BY 1;
SELECT json_extract(value, '$.args.op_id') AS op FROM json_each(wcprof_export('chrome', NULL, 'related=6'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 'X' AND json_extract(value, '$.cat') != 'critical' ORDER BY 1;
SELECT count(*) AS flows FROM json_each(wcprof_export('chrome', NULL, 'related=6'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 's';
SELECT count(*) AS flows FROM json_each(wcprof_export('chrome', NULL, 'related=6 related_depth=1'), '$.traceEvents') WHERE json_extract(value, '$.ph') = 's';
SELECT count(*) AS foreign_segments FROM json_each(wcprof_export('chrome', NULL, 'related=6 related_depth=1'), '$.traceEvents') WHERE json_extract(value, '$.cat') = 'critical' AND json_extract(value, '$.args.op_id') NOT IN (3, 6);
SELECT json_extract(wcprof_export('chrome', NULL, 'related=6 related_depth=1'), '$.otherData.related') AS related, json_extract(wcprof_export('chrome', NULL, 'related=6 related_depth=1'), '$.otherData.ops_shown') AS shown;
SELECT wcprof_export('chrome', NULL, 'related=99');
SELECT wcprof_export('chrome', NULL, 'related_depth=2');
SELECT wcprof_export('chrome', NULL, 'related=x');
