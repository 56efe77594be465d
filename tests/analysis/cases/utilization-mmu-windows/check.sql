-- §7.2-3 on §7's example plus a root [1100,1500] ms (lock wait [1150,1300], io wait [1200,1350], child [1250,1400]): steps [0,1000) 2 activities 1 blocked (u 1/2), [1000,1100) dead air (0), [1100,1150) self (1), [1150,1250) lock (0), [1250,1350) lock/io + child self (1/2), [1350,1500) self (1). MMU(100 ms) = 0 at 1000 (the dead air); the mean over windows of 100 ms, x in [0,1400]: 1/2 on [0,900] and [1050,1100] (950 ms), ramps through [0,1/2] for 300 ms and [1/2,1] for 100 ms, 1 on [1350,1400]: quantile 0.01 = 14/600, 0.25 = 1/2, 0.9 = 1/2 + 10/200. Worst windows: [1000,1100] (0, nobody blocked), [1150,1250] (0, op 6 on the lock), then [0,100] (1/2, op 2 waiting). Only the lock counted as blocked: [0,1000) is 1, [1250,1300) 1/2, [1300,1350) 1.
SELECT start_ns, end_ns, activities, blocked, running, printf('%.4f', utilization) AS u FROM utilization ORDER BY start_ns;
SELECT start_ns, end_ns, printf('%.3f', activities) AS a, printf('%.3f', running) AS r, printf('%.4f', utilization) AS u FROM utilization(NULL, 3) ORDER BY start_ns;
SELECT width_ns, printf('%.4f', mmu) AS mmu, at_ns FROM mmu(100000000);
SELECT width_ns, printf('%.4f', mmu) AS mmu, at_ns FROM mmu(5000000000);
SELECT printf('%.2f', quantile) AS q, printf('%.6f', utilization) AS u FROM mud(100000000) ORDER BY quantile;
SELECT rank, start_ns, end_ns, printf('%.4f', utilization) AS u, op_id, class_key, state, blocked_ns FROM worst_windows(100000000, 3) ORDER BY rank, blocked_ns DESC;
SELECT start_ns, end_ns, activities, blocked, printf('%.4f', utilization) AS u FROM utilization('lock:cache-lock') ORDER BY start_ns;
SELECT count(*) AS widths, min(width_ns) AS lo, max(width_ns) AS hi FROM mmu;
SELECT * FROM utilization('io');
SELECT * FROM mud;
SELECT * FROM worst_windows(0);
