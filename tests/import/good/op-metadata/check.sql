-- op metadata: 'm' on op events and 'meta_id' on open_ops kept as the op's metadata string (v_ops.meta, '' when none), groupable in SQL
SELECT id, class_key, is_open, meta FROM v_ops ORDER BY id;
SELECT meta, count(*) AS execs, sum(dur_ns) AS total_ns FROM v_ops WHERE meta != '' GROUP BY meta ORDER BY meta;
