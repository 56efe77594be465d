-- §6 rule 1 with a rwlock: the writer's wait [0,150] resolves to the reader hold that ended last (6 at 150, not 5 at 100), the late reader's wait [200,350] to the writer's hold 7; halving hold:rw: readers end at 50 and 75, the writer holds 75-175, the session spawns reader 8 at 75 (its children 2 and 3 joined), 8 gets in at 175 and ends at 200 (saved 200); removing it saves 400.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT waiter_id, start_ns, target_id, resolved_by FROM v_waits ORDER BY start_ns;
SELECT 'half' AS f, saved_ns FROM whatif('hold:rw=0.5')
UNION ALL SELECT 'zero', saved_ns FROM whatif('hold:rw=0');
SELECT op_id, class_key, what, resource, start_ns, end_ns FROM critical_path ORDER BY seq;
