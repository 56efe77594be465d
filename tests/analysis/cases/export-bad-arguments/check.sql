-- A bad export argument is an error that says what was expected (that no file is left behind is tests/export's to check: this runs in the source folder); the session goes on.
SELECT wcprof_export('svg', 'x.svg');
SELECT wcprof_export('folded', 'x.folded', 'weight=cpu');
SELECT wcprof_export('folded', 'x.folded', 'colour=red');
SELECT wcprof_export('folded', 'x.folded', 'weight');
SELECT wcprof_export('chrome', 'x.json', 'whatif=nope:nope=0.5');
SELECT wcprof_export('chrome', 'x.json', 'whatif=''{"call:fetch": 0.5}');
SELECT wcprof_export('coz', 'x.coz', 'top=-1');
SELECT wcprof_export('coz', 'x.coz', 'min_self=1ms');
SELECT wcprof_export('folded', '');
SELECT wcprof_export('folded', NULL, NULL, 7);
SELECT wcprof_export('folded', 'no-such-dir/x.folded');
SELECT 'still here' AS session;
