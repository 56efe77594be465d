-- a comma after the last event, no closing ']' (zrepl writes that), no ']' at all, nothing but '[', an empty traceEvents, ',]': five runs
SELECT r.id, r.ops, d.source, (SELECT group_concat(class_key || ' ' || dur_ns) FROM v_ops o WHERE o.run_id = r.id) AS ops
  FROM runs r JOIN dumps d ON d.run_id = r.id ORDER BY r.id;
