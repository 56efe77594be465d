SELECT id, is_open, end_ns, self_ns, thread_id FROM ops;
SELECT open_ops, roots, span_ns FROM runs;
