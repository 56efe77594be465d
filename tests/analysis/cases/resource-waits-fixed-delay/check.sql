-- Waits without a target are fixed delays: the lock wait on cache-lock (200 ms) and the io wait whose t (99) names no op (100 ms) keep their length whatever the factors, so halving the call's three 100 ms self segments gives 50 + 200 + 50 + 100 + 50 = 450; on the path they are `wait` segments named by ident, else by reason.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('call:Container.withExec=0.5');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path('call:Container.withExec=0.5') ORDER BY seq;
