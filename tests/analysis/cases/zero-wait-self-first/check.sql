-- A zero-length cut splits a self stretch, and self goes before a wait at the same instant (§2, §3): a [0,100] has a zero-length wait at 50 on b [10,50] (it counts: 50 >= 50 - 1 ms), so its actions are self [0,50], self [50,100], then the wait. The session has no self: it spawns a and b at 0; b runs 0 to 40. Baseline: a = 50 + 50, then max(100, 40) = 100. Halving a: 25 + 25 = 50, then max(50, 40) = 50: saves 50 (with the wait between the two halves it would be max(25, 40) + 25 = 65, saving 35). Self time is unchanged by the cut: a 100, b 40.
SELECT id, self_ns FROM ops ORDER BY id;
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('call:a=0.5');
