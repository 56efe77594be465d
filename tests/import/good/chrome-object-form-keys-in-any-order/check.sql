SELECT id, parent_id, class_key, ident, start_ns, end_ns, self_ns, thread_id FROM v_ops ORDER BY id;
SELECT schema_version, event_count, json_extract(extra, '$.format') AS format, json_extract(extra, '$.origin_ns') AS origin_ns,
       json_extract(extra, '$.meta.otherData.version') AS version, json_extract(extra, '$.meta.displayTimeUnit') AS unit,
       json_extract(extra, '$.meta.beginningOfTime') AS beginning, json_extract(extra, '$.meta_skipped') AS skipped
  FROM dumps;
SELECT epoch_unix_nano < 0 AS content_identified, now_ns, span_ns FROM runs;
