-- a Jaeger JSON export (the query API's {"data": [...]}): spans become ops (µs times to ns, rebased), CHILD_OF is the parent unless wcprof.parent says otherwise, FOLLOWS_FROM a link, typed tags read (wcprof.op.kind, wcprof.work_type, wcprof.exec.argv as metadata, the error tag as the outcome), the process's serviceName the client; Jaeger keeps no link attributes, so no wait edges: inferred, as every analysis says
SELECT id, parent_id, class_key, ident, client, work_type, outcome, start_ns, end_ns, meta FROM v_ops ORDER BY id;
SELECT from_id, target_id, (SELECT value FROM strings WHERE id = kind) AS kind, at_ns FROM links;
SELECT waits_inferred, warning FROM run_summary;
SELECT json_extract(extra, '$.format'), json_extract(extra, '$.trace_id'), json_extract(extra, '$.link_attributes_lost') FROM dumps;
