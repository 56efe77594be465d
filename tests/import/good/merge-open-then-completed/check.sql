SELECT id, is_open, end_ns, self_ns, dump_id FROM ops ORDER BY id;
SELECT dumps, ops, open_ops, now_ns FROM runs;
SELECT id, ops_added, ops_completed, open_ops FROM dumps;
