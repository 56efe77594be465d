SELECT count(*) FROM ops;
SELECT source FROM dumps;
