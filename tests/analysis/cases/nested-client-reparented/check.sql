-- Op 3 has no parent but serves nested-client-1, the client exec 2 hosts: it becomes exec 2's child (not a root), so exec 2 replays self 100, joins op 3 at 100 + 400, self 100 = 600; halving serveQuery saves 200 (it would save 0 as an overlapping root), halving exec.run saves 100.
SELECT roots, reparented_ops FROM runs;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('session_phase:session.serveQuery=0.5');
SELECT makespan_ns, saved_ns FROM whatif('exec:exec.run=0.5');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT op_id FROM blocking_chain ORDER BY seq;
