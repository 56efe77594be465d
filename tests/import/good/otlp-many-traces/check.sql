-- one OTLP document holding two traces (their spans interleaved): one run per trace id, in order of first appearance, each rebased to its own earliest span; dumps.extra says which trace each run is (.runs shows it)
SELECT run_id, id, parent_id, class_key, start_ns, end_ns FROM v_ops ORDER BY run_id, id;
SELECT id, epoch_unix_nano FROM runs ORDER BY id;
SELECT run_id, json_extract(extra, '$.trace_id'), json_extract(extra, '$.traces_in_file'), json_extract(extra, '$.one_run') FROM dumps ORDER BY id;
