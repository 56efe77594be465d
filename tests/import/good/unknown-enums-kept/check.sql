SELECT kind, work_type, outcome, self_ns FROM v_ops;
SELECT reason, resource FROM v_waits;
SELECT kind FROM v_links;
