-- a script: SQL, dot-commands, and a mistake on line 5
.mode csv
SELECT count(*) AS ops
  FROM ops;
SELECT * FROM nope;
.read inner.sql
