SELECT target_id FROM waits;
SELECT id, self_ns FROM ops ORDER BY id;
