SELECT id, self_ns FROM ops ORDER BY id;
