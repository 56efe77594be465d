-- Late join (§3): session [0,100] runs self 90, spawns a [90,150] at 90; a ends after the session, so the session's end does not join it, but the spawn of b [160,170] (after the session's end) joins every child ended by 160: a, replayed 90 to 150. So the session finishes at 150 (baseline 150 against 100 recorded), b is spawned at 150 and never joined (1 unfinished). Removing a saves 60; halving the session's self saves 45 (a spawned at 45, ends 105).
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors, unfinished_ops FROM replay_summary;
SELECT makespan_ns, saved_ns FROM whatif('call:a=0');
SELECT makespan_ns, saved_ns FROM whatif('session_phase:session.query=0.5');
