-- Two op events with one id in one dump (§1.1): the last is the op, call b [0,60] with outcome error, not call a [0,40]; the session's self is 100 - 60 = 40. Ingest counts the repeat as a warning.
SELECT ops, warnings FROM runs;
SELECT id, end_ns, self_ns FROM ops ORDER BY id;
SELECT class_key, count, total_self_ns, outcomes FROM class_stats ORDER BY class_key;
