SELECT id, ops FROM runs;
