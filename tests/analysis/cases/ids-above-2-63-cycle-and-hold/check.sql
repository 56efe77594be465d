-- Ties by id are uint64 ties (db/README.md, "Ids"; 2^64-3 and 2^64-2 are stored as -3 and -2): §6 rule 1 gives op 2's lock wait on R [100,300] the hold that ended last within it, and holds 5, 2^63-1 and 2^64-3 (all op 3's) end together at 300: the higher id, 2^64-3 (as int64 it would be 2^63-1). §1.7: ops 10 and 2^64-2 name each other as parent and start together at 400: the cycle is broken at the earliest (start, id), 10, which becomes a root (as int64 it would be 2^64-2); 2^64-2 stays 10's child. Roots: 1 and 10. Ids print as the stored values here (names other than *_id).
WITH n(v, name) AS (VALUES (-3, '2^64-3'), (-2, '2^64-2'), (9223372036854775807, '2^63-1'))
SELECT coalesce(n.name, o.id) AS op, coalesce(pn.name, o.parent_id) AS parent
  FROM ops o LEFT JOIN n ON n.v = o.id LEFT JOIN n pn ON pn.v = o.parent_id ORDER BY o.id < 0, o.id;
WITH n(v, name) AS (VALUES (-3, '2^64-3'), (-2, '2^64-2'), (9223372036854775807, '2^63-1'))
SELECT w.waiter_id AS waiter, w.resource, coalesce(n.name, w.target_id) AS target, w.resolved_by
  FROM v_waits w LEFT JOIN n ON n.v = w.target_id;
SELECT ops, roots, holds FROM runs;
SELECT op_id AS op, depth, tie, via_id AS via FROM related_ops('18446744073709551614') ORDER BY depth, op_id < 0, op_id;
