-- Ops 2 and 3 await each other: replaying 2 (self 100) reaches 3 (self 200), whose wait reaches 2 again, a cycle broken at 2's start + original duration = 300 (1 cycle); both end at 300, the session at 300 + 100; the path is the cycle then the session's self, and no factor of a or b moves it.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
SELECT makespan_ns, saved_ns FROM whatif('call:a=0 call:b=0');
