-- Op 2 (under root 1) awaits op 4 of the later root 3, which the chain has not reached: no ancestor of 4 has a simulated start, so 4 is anchored at the first root's start + 100 (one fallback anchor), ends at 300; root 3 (overlapping, at 50) keeps 4's start, joins it at 300 and ends at 400.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
