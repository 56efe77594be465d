-- A slow-down is never a saving (import/README.md, "Times and factors in range"): run 1, a 10 s op (call:slow) under a root it covers; at factor 1e6 its self is 1e19 ns, beyond int64, so the what-if clock saturates at 2^63-1 and saved = 1e13 - (2^63-1) < 0, in whatif_rank (the replay of many lanes, which converted the product unchecked and reported +1e13, the whole baseline, as a saving) as in whatif; factor 0 saves the 10 s. Run 2, from -2^61 to 2^61 (2^62 ns, the longest op): factors 2 and 1e6 both saturate its self; the clock ends at 2^63-1 - 2^61, the makespan (2^63-1 from -2^61) saturates at 2^63-1: saved = 2^62 - (2^63-1); the what-if critical path is one self segment whose length saturates too. Sums over run 2's two ops saturate too: utilization's events keep the full 2^62 offsets (they were shifted 3 bits, losing the top: every slice read 0 activities; now 1, the slow op running); the root group's total duration is 2^63, saturated at 2^63-1, so self+children each read 50% (it wrapped: -50%); Brent's upper bound work/P + span, 2^62 + 2^62 at one worker, saturates at 2^63-1 (it wrapped negative), at 2 workers 2^61 + 2^62. Run 3: three ops of call:a, each from -2^61 to 2^61 (self 2^62) under one root: their folded stack call:root;call:a weighs 3 * 2^62, saturated at 2^63-1 (it wrapped negative and the stack was left out: the export was empty), as is the class's total self. The html page of run 2 is written (its utilization slices took len * b, its Brent table work/P + span: both overflowed, UBSan stopped the page).
SELECT run, class_key, factor, saved_ns FROM whatif_rank('[0,1e6]', NULL, NULL, 1) ORDER BY factor;
SELECT saved_ns FROM whatif('call:slow=1e6', 1);
SELECT what, start_ns, end_ns, dur_ns FROM critical_path('call:slow=1e6', 1);
SELECT run, class_key, factor, saved_ns FROM whatif_rank('[0,2,1e6]', NULL, NULL, 2) ORDER BY factor;
SELECT saved_ns FROM whatif('call:slow=1e6', 2);
SELECT what, start_ns, end_ns, dur_ns FROM critical_path('call:slow=2', 2);
SELECT what, start_ns, end_ns, dur_ns FROM critical_path('call:slow=1e6', 2);
SELECT start_ns, end_ns, activities, running, utilization FROM utilization(NULL, 2, 2);
SELECT scope, class_key, state, ops, total_ns, round(pct, 1) AS pct FROM class_breakdown(2) WHERE scope = 'root';
SELECT workers, work_ns, span_ns, lower_ns, upper_ns FROM parallelism_bounds(2, 2);
SELECT rtrim(wcprof_export('folded', NULL, NULL, 3), char(10)) AS folded;
SELECT class_key, total_self_ns FROM whatif_rank('[0]', NULL, NULL, 3) ORDER BY class_key;
SELECT length(wcprof_export('html', NULL, NULL, 2)) > 1000 AS html_page;
