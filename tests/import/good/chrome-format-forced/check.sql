-- --format chrome on a wcprof dump: refused (its second line is text after the
-- trace), nothing stored; the Chrome trace before it is the one run
SELECT count(*) AS runs FROM runs;
