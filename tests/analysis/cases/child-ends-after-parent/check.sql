-- Child 2 [100,500] ends after its parent [0,300]: spawned at 100 but never joined, so the replay never finishes it (1 unfinished) and the session ends after its own self 100 (baseline 100, actual 300); it still counts in self time (400), span (500) and the blocking chain, not in the simulated chain.
SELECT baseline_ns, makespan_ns, printf('%.2f', drift_pct) AS drift_pct, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT span_ns FROM runs;
SELECT class_key, total_self_ns FROM class_stats ORDER BY class_key;
SELECT makespan_ns, saved_ns FROM whatif('call:background=0');
SELECT makespan_ns, saved_ns FROM whatif('session_phase:session.query=0.5');
SELECT op_id, start_ns, end_ns, self_ns FROM blocking_chain ORDER BY seq;
SELECT op_id, start_ns, end_ns FROM simulated_chain ORDER BY seq;
SELECT count(*) AS gaps FROM dead_air;
