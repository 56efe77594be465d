-- zrepl's task/span tracer (daemon/logging/trace, in its exact output shape: string pid and tids, one task per tid, a flow s/f "child-task" from the spawning span at each child task's start, a comma after every event and no closing ']'): send and send#2 start inside replicate and end before it, so they become its children (spawned, then joined); snapshot outlives plan, so it stays a root, its flow from plan only a link (plan had not ended when snapshot started: no wait, import/README.md). Self (ms): job 100-6-80-7 = 7, plan 6, snapshot 25-22 = 3, zfs snapshot 22, replicate 80-60 = 20, send 30-20 = 10, send#2 60-56 = 4, zfs send 20 and 56, prune 7. Baseline = actual = 100 along job 0-2, plan 2-8, job 8-10, replicate 10-20, send#2 20-22, zfs send 22-78, send#2 78-80, replicate 80-90, job 90-92, prune 92-99, job 99-100. zfs send x0.5: send#2 ends at 20+2+28+2 = 52, replicate at 62, job at 72: saves 28; x0: send (20+5+5 = 30) decides, replicate ends at 40, job at 50: saves 50; zfs snapshot is off the path: 0.
SELECT id, parent_id, class_key, start_ns, end_ns, self_ns, thread_id FROM v_ops ORDER BY id;
SELECT waiter_id, target_id, reason, resource, start_ns, end_ns FROM v_waits;
SELECT from_id, target_id, kind, at_ns FROM v_links ORDER BY from_id, target_id;
SELECT baseline_ns, makespan_ns, printf('%.2f', drift_pct) AS drift_pct, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT class_key, sum(dur_ns) AS critical_ns FROM critical_path() WHERE what = 'self' GROUP BY class_key ORDER BY class_key;
SELECT sum(dur_ns) AS path_ns, count(*) AS segments FROM critical_path();
SELECT makespan_ns, saved_ns FROM whatif('{"slice:zfs send": 0.5}');
SELECT makespan_ns, saved_ns FROM whatif('{"slice:zfs send": 0}');
SELECT makespan_ns, saved_ns FROM whatif('{"slice:zfs snapshot": 0}');
SELECT class_key, total_self_ns, critical_ns, saved_ns FROM whatif_rank('[0.5]') ORDER BY saved_ns DESC, class_key;
