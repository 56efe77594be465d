-- §6 rule 1's choice: the wait on R [100,300] goes to hold 11 (holds 10, 11 and 13 end at 300, the wait's end, inclusive; 13 is the waiter's own, so the higher of 10 and 11), not to 14 (ends at 350, after the wait) or 15 (ends at 90, before it); the wait on R [360,380] has no hold ending within it and the one on R2 no hold at all: both unresolved, counted, and 2 of 4 waits is more than a tenth: the run warns; the recorded t stays as recorded.
SELECT waiter_id, start_ns, resource, target_id, resolved_by FROM v_waits ORDER BY start_ns;
SELECT waits, unresolved_waits FROM run_summary;
SELECT warning FROM run_summary;
