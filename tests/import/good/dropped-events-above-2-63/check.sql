-- dropped_events is uint64 (dump-format.md): 2^64-1 loads, kept as 2^63-1 (the most a database integer holds; import/README.md), still non-zero, so the run is marked incomplete
SELECT dropped_events, warning FROM run_summary;
SELECT count(*) FROM ops;
