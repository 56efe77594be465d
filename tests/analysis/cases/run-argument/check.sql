-- Two dumps with different epochs are runs 1 and 2; every function takes `run` last and defaults to the latest (2): run 1 is one 100 ms root (halving q saves 50), run 2 is build 150 + self 50, a 60 ms gap, root 3 self 40 = 300 (halving q: 175 + 60 + 20 = 255, saves 45).
SELECT id FROM runs ORDER BY id;
SELECT baseline_ns FROM replay_summary;
SELECT baseline_ns FROM replay_summary(1);
SELECT baseline_ns FROM replay_summary WHERE run = 1;
SELECT saved_ns FROM whatif('session_phase:q=0.5');
SELECT saved_ns FROM whatif('session_phase:q=0.5', 1);
SELECT op_id, what, start_ns, end_ns FROM critical_path(NULL, 1) ORDER BY seq;
SELECT start_ns, end_ns FROM dead_air;
SELECT count(*) AS gaps FROM dead_air(NULL, 1);
SELECT op_id FROM blocking_chain(NULL, 1) ORDER BY seq;
