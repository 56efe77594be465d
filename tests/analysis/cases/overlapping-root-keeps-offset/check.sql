-- An overlapping root keeps its offset from J's start: root 3 (issued at 100 while root 1 ran) replays at 0 + 100 = 100..300 whatever build does, so halving build (root 1 ends at 200) gives makespan 300, saved 100, not the reference's shift to -100..100.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('exec:build=0.5');
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns, total_self_ns, critical_ns
  FROM whatif_rank ORDER BY rank, factor;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path('exec:build=0.5') ORDER BY seq;
