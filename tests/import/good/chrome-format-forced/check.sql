-- --format chrome on a wcprof dump: refused (its second line is text after the trace), nothing stored
SELECT count(*) AS runs FROM runs;
