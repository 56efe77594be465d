-- §6 (dumps with holds that record threads): thread 1 ran a [0,30] then b [35,60], both children of the session (thread 100), so b starts when a finished plus the recorded gap of 5, not at the session's clock (which joined c [0,34] of thread 2 at 34). Baseline 100 (ms), as recorded. Halving c's work (34 -> 17) saves nothing (b still starts at 35; with the session's clock: 4); removing a's own work (a ends at 10 after its hold [0,10]) starts b at 15, ends it at 40, the session at 80: saved 20 (with the session's clock: 0). The critical path has the gap before b.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT 'c half' AS what, saved_ns FROM whatif('call:c=0.5')
UNION ALL SELECT 'a zero', saved_ns FROM whatif('call:a=0');
SELECT op_id, what, start_ns, end_ns FROM critical_path;
