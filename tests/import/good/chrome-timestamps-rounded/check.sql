-- ts and dur are microseconds, converted from their decimal digits to ns rounded to the nearest (halves away from zero), then rebased to the earliest start; a negative dur is kept as 0 and counted as a warning
SELECT id, class_key, start_ns, end_ns FROM v_ops ORDER BY id;
SELECT warnings, json_extract(extra, '$.origin_ns') AS origin_ns, json_extract(extra, '$.negative_durations') AS negative FROM dumps;
