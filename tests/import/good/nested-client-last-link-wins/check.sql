SELECT id, parent_id, reparented, recorded_parent_id FROM ops ORDER BY id;
SELECT roots, reparented_ops FROM runs;
