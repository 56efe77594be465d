-- Op 2 waits on 4 [0,100] and meanwhile (at 50) spawned child 3: replayed in time order the wait comes first, so 3 starts at 100, ends at 250, and 2 grows from 200 to 250 (drift 50, its own: 3 and 4 did not drift); the session grows by the same 50, all explained by 2 (origin 0); baseline 350 (+16.67 %).
SELECT baseline_ns, makespan_ns, printf('%.2f', drift_pct) AS drift_pct FROM replay_summary;
SELECT op_id, class_key, start_ns, dur_ns, sim_start_ns, sim_dur_ns, drift_ns, origin_ns FROM replay_drift ORDER BY op_id;
SELECT op_id, class_key, what, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
