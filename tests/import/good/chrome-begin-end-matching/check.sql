-- an E without a B is skipped and counted; B/E match per thread in time order, not file order (tid 3); a B never ended is open until the trace's last timestamp (the counter at 20 us)
SELECT id, parent_id, class_key, start_ns, end_ns, self_ns, is_open, thread_id FROM v_ops ORDER BY id;
SELECT open_ops, json_extract(extra, '$.unmatched_ends') AS unmatched_ends, json_extract(extra, '$.open_slices') AS open_slices,
       json_extract(extra, '$.ignored.C') AS counters FROM dumps;
SELECT now_ns, open_ops, roots FROM runs;
