SELECT id, parent_id, self_ns FROM ops ORDER BY id;
