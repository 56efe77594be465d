-- Singleflight joins count the exec once: the joiner (op 5, spawned at 100 ms after op 2 joined) waits on exec 4's remembered finish, max(100, 300) = 300, not 100 + 300; exec 4 at 0 leaves the joiner's own arrival (100 ms); op 2 is off the path and saves 0.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('call_exec:Container.withExec=0');
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns, total_self_ns, critical_ns
  FROM whatif_rank ORDER BY rank, factor;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
