-- §7.5: root 1 [0,100] ms runs two 100 ms execs side by side: work 200 (their self time), span 100 (its baseline duration), parallelism 2; root 4 [150,250] is 100 ms of self: work = span = 100. The run: work 300, span = the baseline makespan 250, parallelism 1.2; Brent with P workers: lower max(ceil(300/P), 250), upper ceil(300/P) + 250 (P = 1: 300 and 550; 2: 250 and 400; 4: 250 and 325; 8: 250 and 37.5 + 250).
SELECT root_id, class_key, ops, work_ns, span_ns, printf('%.2f', parallelism) AS parallelism FROM parallelism;
SELECT workers, work_ns, span_ns, lower_ns, upper_ns FROM parallelism_bounds(8) ORDER BY workers;
SELECT count(*) AS rows FROM parallelism_bounds;
SELECT max(workers) AS most FROM parallelism_bounds(3);
SELECT * FROM parallelism_bounds(0);
