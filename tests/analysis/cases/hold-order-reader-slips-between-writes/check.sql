-- §6 rule 8: writer w holds rw [100,200] and [300,500]; reader r arrives at 320 and waits for the second write until 500, reads [500,560]. Halving r's own work (320 -> 160): r arrives during the first write (after it arrived at 100, before the second at 300), so it reads after the first, [200,260], and the second write, arriving at 300, starts at 300: the session ends with w at 500 (saved 60; rule 3: r after the second write, saved 0). Removing it: r arrives at 0, before the first write, reads [0,60]; the writes are where they were: saved 60.
SELECT baseline_ns, makespan_ns FROM replay_summary;
SELECT 'r half' AS what, saved_ns FROM whatif('call:r=0.5')
UNION ALL SELECT 'r zero', saved_ns FROM whatif('call:r=0');
