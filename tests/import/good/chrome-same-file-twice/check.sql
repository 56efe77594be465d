-- one file is one run, identified by its content: loading it again changes nothing at all, not even a dumps row (interfaces.md)
SELECT id, dumps, ops, waits, links FROM runs;
SELECT id, run_id, ops_added, waits_added, links_added FROM dumps ORDER BY id;
