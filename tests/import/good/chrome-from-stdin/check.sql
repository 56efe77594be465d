-- a Chrome trace on standard input is recognised by its first bytes (after blanks) like a file
SELECT d.source, o.class_key, o.dur_ns, o.thread_id FROM dumps d JOIN v_ops o ON o.dump_id = d.id;
