-- §6 rule 8 (b), the hand-off: b waited on R [20,51] for a's hold [10,50] and got R at 51, 1 after a let go (its wake-up; a hand-off counts up to 1 ms). A hold let in after waiting in the replay begins that long after the release: b holds R [51,71] and ends at 96, as recorded (95 without it). Halving hold:R: a holds R [10,30]; b, arriving at 20, waits, and holds [31,41]; b ends 66 (saved 30). b's own work at a quarter: b arrives at 5, before a (10), and takes R at once, no hand-off: [5,25]; a waits for it and holds [25,65] (a recorded no wait to hand off from), ending at 75 (saved 21). The critical path of the baseline shows the hand-off as a wait on R.
SELECT baseline_ns, makespan_ns FROM replay_summary;
SELECT 'R half' AS what, saved_ns FROM whatif('hold:R=0.5')
UNION ALL SELECT 'b quarter', saved_ns FROM whatif('call:b=0.25');
SELECT op_id, what, resource, start_ns, end_ns FROM critical_path ORDER BY seq;
-- the ranking (each worker compiling one what-if after another in the memory it keeps) agrees with whatif() on every class at every factor: no row differs
SELECT count(*) AS ranked_unlike_whatif FROM whatif_rank('[0,0.25,0.5,0.9,2]', 0) r WHERE r.saved_ns IS NOT (SELECT w.saved_ns FROM whatif(r.class_key || '=' || r.factor) w);
