-- Folded stacks, three weights (ms): R1 [0,100] has A "build;step" [0,60] (child A1 compile [0,40]) and B fetch [20,90] (lock wait [20,50]); R2 [120,150]. self: R1 10 + R2 30 at the root path, A 20, A1 40, B 40 (total 140 = all self); wall: the same but B 70 (its wait counts; A and B overlap, so 170 > 150); critical: B is spawned at R1's clock 0, waits 30, self 40, joined at 70; R1 self 10 to 80; gap 20; R2 self 30 (total 130 = baseline). The ';' of "build;step" becomes ','.
SELECT rtrim(wcprof_export('folded'), char(10)) AS self;
SELECT rtrim(wcprof_export('folded', NULL, 'weight=wall'), char(10)) AS wall;
SELECT rtrim(wcprof_export('folded', NULL, 'weight=critical'), char(10)) AS critical;
SELECT baseline_ns FROM replay_summary;
