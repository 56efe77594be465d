-- an incomplete OTLP trace (a wait link to a span that is not there) loaded with --allow-incomplete: the wait is not made up, runs.incomplete says what is missing, and run_summary.warning (which every analysis prints) says the numbers are incomplete
SELECT id, parent_id, class_key FROM v_ops ORDER BY id;
SELECT waits, incomplete, waits_inferred, warning FROM run_summary;
