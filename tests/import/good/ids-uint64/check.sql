-- op ids, parents, wait targets, link ends and result ids up to 2^64-1 load (dump-format.md: uint64), stored as their int64 bit pattern: 2^64-1 is -1, 2^64-2 is -2, 2^63 is -2^63 (db/README.md, "Ids"); 2^63-1 is itself; the open op 2^64-2 ends at now (8000)
SELECT id, parent_id, recorded_parent_id, result_id, is_open, end_ns FROM ops ORDER BY id < 0, id;
SELECT waiter_id, recorded_target_id, target_id, resolved_by FROM waits;
SELECT from_id, target_id, result_id FROM links;
