SELECT waiter_id, orphan FROM waits;
SELECT orphan_waits FROM runs;
SELECT self_ns FROM ops;
