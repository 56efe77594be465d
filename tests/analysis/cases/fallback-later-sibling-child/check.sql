-- Op 2 awaits op 4, the child of its later sibling 3, before 3 has spawned it: 4 is a fallback anchor at 3's simulated start (0, spawned on the session's clock) + its offset 100, ends at 300; 2 ends at 300, 3 joins 4 (300) then self 200 = 500, so the baseline is 500 against 700 recorded.
SELECT baseline_ns, makespan_ns, printf('%.2f', drift_pct) AS drift_pct, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
