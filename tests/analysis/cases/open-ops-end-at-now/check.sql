-- Open ops end at the dump's now (dumped - epoch = 900 ms): session 1 [0,900] has self 0..100, joins call 2 at 200, spawns the open exec 3 [200,900] which runs 700, so baseline = makespan = 900; halving exec.run ends it at 200 + 350 = 550.
SELECT open_ops FROM runs;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('exec:exec.run=0.5');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
