SELECT dup, line FROM waits ORDER BY dup;
SELECT self_ns FROM ops;
