-- one op a of 2^60 + 4 ns: 2^60 of self time, then a 4 ns wait on lock r. At the largest factor, 1e6, a's self time is past 2^63 and saturates at INT64_MAX (9223372036854775807); the 4 ns after it must keep the clock there, not wrap it negative: makespan 9223372036854775807, saved 1152921504606846980 - 9223372036854775807 = -8070450532247928827, in whatif(), on the critical path (one self segment, the wait's 0 ns left out) and in the ranking (its 8-lane replay), as for any factor above 1 (saved <= 0).
SELECT baseline_ns, makespan_ns, saved_ns FROM whatif('call_exec:a=1000000');
SELECT seq, what, start_ns, end_ns, dur_ns FROM critical_path('call_exec:a=1000000');
SELECT class_key, printf('%g', factor) AS f, saved_ns FROM whatif_rank('[1000000]', 0, 0);
