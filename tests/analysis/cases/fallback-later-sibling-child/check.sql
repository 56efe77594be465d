-- Op 2 awaits op 4, the child of its later sibling 3, before 3 has spawned it: 3 (started at 0 by the session's spawn, not being replayed) is replayed first (§3 parent-first): self 0 to 100, spawns 4 at 100, joins it at 300, self 200 = 500; no fallback anchor. 2 ends at 300, so the baseline is 500 against 700 recorded.
SELECT baseline_ns, makespan_ns, printf('%.2f', drift_pct) AS drift_pct, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
