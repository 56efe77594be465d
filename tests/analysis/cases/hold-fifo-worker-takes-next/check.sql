-- §6 rule 8 (c), a worker pool (a run with a lock: b holds L [0,5]): the session's tasks of class call:task ran on thread 1 (a [0,40], whose exec:x is all its work, then e [40,50]) and thread 2 (b [0,20], c [20,40], d [40,60]): one queue, in recorded order a, b, c, d, e. A worker that finishes a task takes the queue's next one not started: b takes c at 20; at 40 c takes d and a takes e: baseline 60, as recorded. Removing exec:x: a ends at 0 and its thread takes c [0,20]; b takes d at 20 [20,40] and c takes e [20,30]: 40 (saved 20; in the recorded assignment, b, c and d one after another on thread 2: 60, saved 0). Halving call:task: b ends at 12.5 and takes c [12.5,22.5], then d [22.5,32.5] and e [32.5,37.5], while a runs to 40: saved 20 (recorded assignment: 45, saved 15). The critical paths: b's hold and work, then the tasks its thread took.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT 'x zero' AS what, saved_ns FROM whatif('exec:x=0')
UNION ALL SELECT 'task half', saved_ns FROM whatif('call:task=0.5');
SELECT op_id, what, start_ns, end_ns FROM critical_path ORDER BY seq;
SELECT op_id, what, start_ns, end_ns FROM critical_path('exec:x=0') ORDER BY seq;
-- the ranking (each worker compiling one what-if after another in the memory it keeps) agrees with whatif() on every class at every factor: no row differs
SELECT count(*) AS ranked_unlike_whatif FROM whatif_rank('[0,0.25,0.5,0.9,2]', 0) r WHERE r.saved_ns IS NOT (SELECT w.saved_ns FROM whatif(r.class_key || '=' || r.factor) w);
