-- the same two traces with --one-run: one run for the file, op ids over both, rebased to the earliest span of either; a parent is looked up within its own trace
SELECT run_id, id, parent_id, class_key, start_ns, end_ns FROM v_ops ORDER BY run_id, id;
SELECT id, epoch_unix_nano FROM runs ORDER BY id;
SELECT run_id, json_extract(extra, '$.trace_id'), json_extract(extra, '$.traces_in_file'), json_extract(extra, '$.one_run') FROM dumps ORDER BY id;
