-- a Jaeger export of two traces on many lines: each trace is a run (its ops rebased to its first start), read one trace at a time (import/otel.c: only one trace object is held whole), processes before or after the spans, members after "data" skipped
SELECT run_id, id, parent_id, class_key, client, outcome, start_ns, end_ns FROM v_ops ORDER BY run_id, id;
SELECT id, json_extract(extra, '$.format'), json_extract(extra, '$.trace_id') FROM dumps ORDER BY id;
