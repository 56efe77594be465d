-- the same dump loaded twice: the second load changes nothing at all, not even a dumps row (interfaces.md)
SELECT count(*) FROM ops;
SELECT count(*) FROM waits;
SELECT dumps FROM runs;
SELECT count(*) AS dump_rows FROM dumps;
