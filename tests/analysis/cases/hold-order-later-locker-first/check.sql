-- §6 rule 8: on rw (a reader/writer lock: r's shared hold [0,10]), a takes it at 200 without waiting and b, arriving at 250, waits for a until 300; halving b's own work (250 -> 125) makes b arrive at 125, before a (200): b takes rw first [125,225], a waits for it and holds [225,325], the session ends at 325 (saved 75; rule 3's recorded order: b after a, [300,400], saved 0). Factor 1 is the baseline. The what-if's critical path runs b's work, b's hold, then a's.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT 'b half' AS what, saved_ns FROM whatif('call:b=0.5')
UNION ALL SELECT 'b one', saved_ns FROM whatif('call:b=1');
SELECT op_id, class_key, what, start_ns, end_ns FROM critical_path('call:b=0.5') ORDER BY seq;
