-- §3: factor 1 is the baseline, whatever the length: slow's self time, 2^62 - 1 ns, is not a double, so scaling it by 1 through one would give 2^62 (saved -1 ns); every replay, the ranking's passes of several lanes too, keeps it exact. Pruning off, so every class is replayed at 1 and at 0.5: slow saves 2^61 - 1 halved; root's self time, its last 1 ns, truncates to 0 (saved 1).
SELECT baseline_ns FROM replay_summary;
SELECT class_key, factor, saved_ns FROM whatif_rank('[1,0.5]', 0, 0) ORDER BY class_key, factor;
SELECT 'slow at 1' AS what, saved_ns FROM whatif('call:slow=1');
