-- X events come in any order (clang writes them as they end): parents by nesting on the thread, op ids by start; a zero-length slice at its parent's end is inside it; a slice crossing its parent's end nests nowhere and is counted
SELECT id, parent_id, class_key, start_ns, end_ns, self_ns FROM v_ops ORDER BY id;
SELECT json_extract(extra, '$.misnested') AS misnested FROM dumps;
