SELECT id, parent_id FROM ops;
SELECT roots FROM runs;
