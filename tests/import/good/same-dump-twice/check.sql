SELECT count(*) FROM ops;
SELECT count(*) FROM waits;
SELECT dumps FROM runs;
