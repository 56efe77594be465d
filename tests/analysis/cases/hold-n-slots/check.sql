-- §6 rule 1 with a resource of two slots (holds with ident "slot": rule 3 does not order them): job 4's wait [0,100] resolves to the hold that released a slot within it (5, ended at 100; 6 ends at 200, after the wait); halving hold:db.conn lets 4 in at 50 and it ends at 150 (saved 150; as a fixed delay 100); removing it saves 300.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT waiter_id, start_ns, target_id, resolved_by FROM v_waits ORDER BY start_ns;
SELECT 'half' AS f, saved_ns FROM whatif('hold:db.conn=0.5')
UNION ALL SELECT 'zero', saved_ns FROM whatif('hold:db.conn=0');
SELECT op_id, class_key, what, resource, start_ns, end_ns FROM critical_path ORDER BY seq;
