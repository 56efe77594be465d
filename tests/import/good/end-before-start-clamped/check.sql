SELECT start_ns, end_ns, self_ns FROM ops;
SELECT warnings FROM dumps;
SELECT warnings FROM runs;
