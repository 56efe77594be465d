-- The blocking chain follows the latest recorded end: session 1 -> op 2 (ends 1000) -> its wait target 3 (900); op 2 gave up on 3 at 800 (abandoned), so it replays as self 100 + 200 = 300 and the simulated chain goes 1 -> 3 (900); the baseline is 900 against 1000 recorded; depth 2 keeps 1, 2.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT op_id, class_key, start_ns, end_ns, dur_ns, self_ns FROM blocking_chain ORDER BY seq;
SELECT op_id FROM blocking_chain(2) ORDER BY seq;
SELECT op_id, class_key, start_ns, end_ns, dur_ns, self_ns FROM simulated_chain ORDER BY seq;
