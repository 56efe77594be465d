-- Child 2 is zero-length at 100: before the spawns at 100 it is already due to be joined, and takes the session's clock (no fallback anchor), so halving the session's self (100 -> 50) starts 2 and 3 at 50 and saves 50; a fallback anchor would pin 2 at 0 + 100 and save 0.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('session_phase:session.query=0.5');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path('session_phase:session.query=0.5') ORDER BY seq;
