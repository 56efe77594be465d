-- §6 rule 8: writer w holds rw [100,300]; readers r1 and r2 (both call:r) arrive at 150 and 160, wait for it, read [300,350] and [300,420]. Halving call:r: they arrive at 75 and 80, before the writer (100), and read [75,125] and [80,200]; the writer waits for every reader granted before it, the one still holding at 200 too, and holds [200,400]: saved 20 (waiting for r1 alone it would hold [125,325], saved 95; rule 3: both readers after the write, saved 0).
SELECT baseline_ns, makespan_ns FROM replay_summary;
SELECT 'r half' AS what, saved_ns FROM whatif('call:r=0.5');
SELECT op_id, class_key, what, start_ns, end_ns FROM critical_path('call:r=0.5') ORDER BY seq;
