-- Every kind of path segment: root 2 overlaps root 1 (offset 100 from its start), does self 50, waits 100 on lock mu, self 100, ends at 350 past root 1 (300) so it is J; root 3 starts 100 after J's end (gap) and does self 150: 100+50+100+100+100+150 = 600; root 1 halved saves 0.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT sum(dur_ns) AS path_ns FROM critical_path;
SELECT makespan_ns, saved_ns FROM whatif('session_phase:q1=0.5');
