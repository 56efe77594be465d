-- §7.4: op 2's parent is 1 and it waited on the root 4 (depth 1); 1's other child 3 (depth 2); 5 waited on 3 and 3 links to 6 (depth 3). Each tie the other way round: 6 is reached from 3 by its link (linked), 3 from 6 as linked_by, 5 from 3 as waiter, 3 from 5 as awaited, 2 from 4 as waiter. Depth 0 is the op alone; the default depth is 2.
SELECT op_id, depth, tie, via_id, class_key, start_ns, end_ns FROM related_ops(2, 1);
SELECT op_id, depth, tie, via_id FROM related_ops(2, 3);
SELECT count(*) AS n FROM related_ops(2);
SELECT op_id, depth, tie, via_id FROM related_ops(6, 1);
SELECT op_id, depth, tie, via_id FROM related_ops(5, 1);
SELECT op_id, depth, tie, via_id FROM related_ops(4, 1);
SELECT op_id, depth, tie, via_id FROM related_ops(4, 0);
SELECT * FROM related_ops;
SELECT * FROM related_ops(99);
SELECT * FROM related_ops(2, -1);
