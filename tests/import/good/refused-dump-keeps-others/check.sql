SELECT count(*) FROM runs;
SELECT count(*) FROM ops;
