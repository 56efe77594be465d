-- §6 rule 8 (c): only a thread whose run of the session's ops is of one class takes tasks from a queue. Thread 1 ran a1 [0,10] (call:a), b1 [10,20] (call:b, holding L [10,15]), a3 [20,30]; thread 2 a2 [0,30], b2 [30,40]: both runs mix classes (a task's steps, one after another), so each thread keeps its recorded order (rule 7 (b)): baseline 40, as recorded. (As queues, thread 1 would take a3 after a1 and leave b1 for later: 50.) Halving call:a: thread 1 runs a1 [0,5], b1 [5,15], a3 [15,20]; thread 2 a2 [0,15], b2 [15,25]: saved 15.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT 'a half' AS what, saved_ns FROM whatif('call:a=0.5');
SELECT op_id, what, start_ns, end_ns FROM critical_path ORDER BY seq;
-- the ranking (each worker compiling one what-if after another in the memory it keeps) agrees with whatif() on every class at every factor: no row differs
SELECT count(*) AS ranked_unlike_whatif FROM whatif_rank('[0,0.25,0.5,0.9,2]', 0) r WHERE r.saved_ns IS NOT (SELECT w.saved_ns FROM whatif(r.class_key || '=' || r.factor) w);
