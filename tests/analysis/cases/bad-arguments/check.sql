-- Bad arguments get an error that says what was expected (expected.err, sqlite3's stderr), never an empty or made-up result, and the session goes on.
SELECT * FROM whatif('nope:nope=0.5');
SELECT * FROM whatif('call_exec:Container.from=-1');
SELECT * FROM whatif('call_exec:Container.from');
SELECT * FROM whatif(NULL);
SELECT * FROM whatif('{"call_exec:Container.from": "fast"}');
SELECT * FROM whatif_rank('[0,x]');
SELECT * FROM whatif_rank(NULL, -5);
SELECT * FROM blocking_chain(0);
SELECT * FROM dead_air('abc');
SELECT * FROM replay_summary(99);
SELECT * FROM replay_summary('x');
SELECT * FROM critical_path('call_exec:Container.from=0.5 x');
SELECT 'still answering', baseline_ns FROM replay_summary;
