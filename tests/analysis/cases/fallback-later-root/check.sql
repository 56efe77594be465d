-- Op 2 (under root 1) awaits op 4 of the later root 3, which the chain has not reached: 4's parent 3 is not being replayed, so it is replayed first (§3 parent-first); root 3 has no start and no parent, so 3 is the fallback anchor, at its own recorded start 50 (one fallback anchor); 3's self runs to 100, it spawns 4 at 100, 4 ends at 300, 3 joins it and ends at 400.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
