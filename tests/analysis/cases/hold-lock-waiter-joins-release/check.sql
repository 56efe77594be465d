-- §6 rule 1: task 3's lock wait [0,200] resolves to hold 4 (task 2's, ended at 200), so halving hold:index.lock lets 3 in at 100 and its own hold ends at 200 (saved 200; as a fixed delay it would be 100), removing it saves all 400 (fixed delay: 200); the critical path runs through both holds.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT waiter_id, start_ns, target_id, resolved_by FROM v_waits ORDER BY start_ns;
SELECT 'half' AS f, saved_ns FROM whatif('hold:index.lock=0.5')
UNION ALL SELECT 'zero', saved_ns FROM whatif('hold:index.lock=0');
SELECT op_id, class_key, what, resource, start_ns, end_ns FROM critical_path ORDER BY seq;
