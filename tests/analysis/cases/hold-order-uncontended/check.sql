-- §6 rule 3: b took R at 250 without waiting (no wait recorded), after a's hold [100,200]; halving b's own work (250 -> 125) cannot let it take R before a released it at 200, so b ends at 300 (saved 50; without the rule 225, saved 125); halving hold:R: a releases at 150, b still takes it at 250, ends at 300 (saved 50); removing a's work saves nothing.
SELECT baseline_ns, makespan_ns, cycles_broken, fallback_anchors FROM replay_summary;
SELECT 'b half' AS what, saved_ns FROM whatif('call:b=0.5')
UNION ALL SELECT 'hold half', saved_ns FROM whatif('hold:R=0.5')
UNION ALL SELECT 'a zero', saved_ns FROM whatif('call:a=0');
SELECT count(*) AS waits FROM v_waits;
-- the order wait between the two holds is the replay's, not recorded: no flow arrow in the Chrome export
SELECT json_extract(wcprof_export('chrome', NULL), '$.otherData.flows') AS chrome_flows;
