-- Dead air is the gaps in the union of all recorded op intervals (child 6 starting at 400, before its parent, counts): gaps of 49, 50, 30 and 20 ms; by default (>= 50 ms) only [200,250], the 49 ms gap is not; with min_ns 40 ms, 49 and 50; with 20 ms all four; with 50 ms + 1 ns none.
SELECT start_ns, end_ns, dur_ns FROM dead_air ORDER BY start_ns;
SELECT start_ns, end_ns, dur_ns FROM dead_air(40000000) ORDER BY start_ns;
SELECT start_ns, end_ns, dur_ns FROM dead_air(20000000) ORDER BY start_ns;
SELECT count(*) AS gaps FROM dead_air(50000001);
