-- integer tids are thread ids, string tids get -1, -2, ...; thread_name and process_name name them in dumps.extra; every other phase is counted there per phase
SELECT id, class_key, thread_id FROM v_ops ORDER BY id;
SELECT value FROM dumps, json_each(dumps.extra, '$.threads');
SELECT json_extract(extra, '$.processes') AS processes, json_extract(extra, '$.ignored') AS ignored FROM dumps;
