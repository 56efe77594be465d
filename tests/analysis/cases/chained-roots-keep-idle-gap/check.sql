-- Sequential roots keep the idle gap: root 3 starts 100 ms after root 1's end (200), so it starts at simEnd + 100; halving build (150 -> 75) ends root 1 at 125 and moves root 3 to 225..325 (saved 75), build at 0 saves 150, q1 at 0.5 saves 25.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('exec:build=0.5');
SELECT makespan_ns, saved_ns FROM whatif('exec:build=0');
SELECT makespan_ns, saved_ns FROM whatif('session_phase:q1=0.5');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path('exec:build=0.5') ORDER BY seq;
SELECT start_ns, end_ns, dur_ns FROM dead_air;
