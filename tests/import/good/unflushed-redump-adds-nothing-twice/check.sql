SELECT id, self_ns FROM ops ORDER BY id;
SELECT count(*) FROM waits;
SELECT id, ops_added, waits_added FROM dumps;
