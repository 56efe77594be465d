-- §7.1 breakdown: op 6 [1100,1500] ms has a lock wait on cache-lock [1150,1300], an io wait with no target [1200,1350] and a child [1250,1400]: the lock started first so owns [1150,1300] (150), the io wait the rest [1300,1350] (50), in children [1350,1400] (50), self [1100,1150]+[1400,1500] (150) = §2's self time; the parts add up to 400. §7's worked example: R in children 1000, C1/C2 wait:call_exec 400/600, E1/E2 self 400/600; summed per root (R's tree: self 1000, children 1000, wait 1000 over 5 ops, 3000 ms of duration) and per class key.
SELECT op_id, seq, state, dur_ns, printf('%.1f', pct) AS pct FROM op_breakdown(6) ORDER BY seq;
SELECT op_id, state, dur_ns FROM op_breakdown(1) ORDER BY seq;
SELECT op_id, state, dur_ns FROM op_breakdown(2) ORDER BY seq;
SELECT op_id, state, dur_ns FROM op_breakdown(5) ORDER BY seq;
SELECT sum(dur_ns) AS total FROM op_breakdown(6);
SELECT o.self_ns FROM ops o WHERE o.id = 6;
SELECT class_key, seq, state, ops, total_ns FROM class_breakdown WHERE scope = 'class' AND class_key LIKE 'call:%' ORDER BY class_key, seq;
SELECT root_id, class_key, seq, state, ops, total_ns, printf('%.2f', pct) AS pct FROM class_breakdown WHERE scope = 'root' ORDER BY root_id, seq;
SELECT * FROM op_breakdown;
SELECT * FROM op_breakdown(99);
