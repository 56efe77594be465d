SELECT id, parent_id, self_ns FROM ops ORDER BY id;
SELECT target_id FROM waits;
