-- The run_summary warning for a CPU-bound process (§6, the dump header's cpu keys): 1.7 s of user CPU in the 1 s from the epoch to the dump, on 2 CPUs: 1.7 >= 0.8 x 2, so the replay's unlimited cores may not come true. No holds: no unresolved-wait warning.
SELECT holds, unresolved_waits, warning FROM run_summary;
