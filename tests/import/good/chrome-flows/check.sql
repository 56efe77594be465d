-- flows: post (s in A, f binding to the next slice B, which lies inside A) makes B A's child; msg (s in B, t in C after its start, f with "bp":"e" inside D) becomes zero-length waits of C on B and D on C where it arrives; the bind_id flow E -> F a wait of F at its start; every hop a link at its source; the rest counted
SELECT id, parent_id, class_key, self_ns FROM v_ops ORDER BY id;
SELECT waiter_id, target_id, reason, resource, start_ns, end_ns FROM v_waits ORDER BY waiter_id;
SELECT from_id, target_id, kind, ident, at_ns FROM v_links ORDER BY from_id;
SELECT json_extract(extra, '$.flows') AS flows FROM dumps;
