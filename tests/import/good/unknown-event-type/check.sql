SELECT type, json, line FROM other_events;
SELECT count(*) FROM ops;
