-- With 3 dropped events the numbers are still computed: op 5's parent 9 was lost, so it is a second root (overlapping root 1, at 0 + 100, ends at 500); the wait of the lost op 7 is an orphan, attached to nothing; baseline = makespan = 500, halving op 5's class ends it at 300 (root 1 still ends at 400).
SELECT dropped_events, orphan_waits, roots, warning FROM run_summary;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('call:orphaned=0.5');
SELECT op_id FROM blocking_chain ORDER BY seq;
