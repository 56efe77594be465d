-- Target 2 ends at 500: op 3's wait ends at 498 (2 ms early, abandoned: adds nothing, so op 3 = its self 102), op 4's at 499 (exactly 1 ms early: counts, op 4 = 500 + self 101 = 601), so the session ends at 601 (drift +1/600); halving the target gives 250 + 101 = 351.
SELECT baseline_ns, makespan_ns, printf('%.3f', drift_pct) AS drift_pct, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, sim_start_ns, sim_dur_ns, drift_ns, origin_ns FROM replay_drift ORDER BY op_id;
SELECT makespan_ns, saved_ns FROM whatif('call_exec:target=0.5');
