-- §6 rule 3, the order wait before the hold's children at its start: a [0,200] holds R [100,200], its commit the hold's child [100,200]; b [0,350] takes R at 250 without waiting, its commit [250,350] inside. Halving call:b (250 -> 125): b reaches R at 125, its hold starts at a's release, 200, and so does its commit, which ends at 300: saved 50 (with the commit spawned before the order wait it ran [125,225] outside the lock: saved 125). Halving io:commit: a releases at 150, b still reaches R at 250 and ends at 300: saved 50.
SELECT baseline_ns, makespan_ns FROM replay_summary;
SELECT 'b half' AS what, saved_ns FROM whatif('call:b=0.5')
UNION ALL SELECT 'commit half', saved_ns FROM whatif('io:commit=0.5');
SELECT op_id, class_key, what, start_ns, end_ns FROM critical_path('call:b=0.5') ORDER BY seq;
