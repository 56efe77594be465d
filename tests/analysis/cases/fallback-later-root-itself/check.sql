-- Op 2 awaits root 3 before the chain reaches it: 3 is a fallback anchor at the first root's start + 50, ends at 300 and is not replayed again when the chain comes to it; roots 1 and 3 both end at 300, the path starts from root 1 (first in root order) and goes through the wait into 3; halving q2 ends everything at 50 + 125 = 175.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT makespan_ns, saved_ns FROM whatif('session_phase:q2=0.5');
SELECT makespan_ns, saved_ns FROM whatif('call:a=0.5');
