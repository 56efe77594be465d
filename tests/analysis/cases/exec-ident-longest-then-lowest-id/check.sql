-- The lazy op's exec-ident wait (no t, ident dig) resolves to the longest exec, then the lowest id: op 4 (500 ms, id 4 < 5; op 3 is shorter), so only exec.long4 at 0 moves it: lazy ends at 0 + 100, session at max(300, 0, 500, 100) + 100 = 600, saved 100; the others save 0.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT 'exec.short' AS class, saved_ns FROM whatif('exec:exec.short=0')
UNION ALL SELECT 'exec.long4', saved_ns FROM whatif('exec:exec.long4=0')
UNION ALL SELECT 'exec.long5', saved_ns FROM whatif('exec:exec.long5=0');
SELECT op_id, class_key, what, resource, start_ns, end_ns, dur_ns FROM critical_path ORDER BY seq;
