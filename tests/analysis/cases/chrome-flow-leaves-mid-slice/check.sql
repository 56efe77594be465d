-- A flow leaving a 100 µs slice A mid-way (at 5 µs) to B, which starts at 10 µs, while A runs until 100 µs: B went on before A ended, so it did not wait for A's finish. The flow is a link, not a wait (import/README.md): the baseline is the recorded 110 µs, not 200 µs (B joined at A's end, §3's 1 ms slack covering the whole slice).
SELECT waiter_id, target_id FROM v_waits;
SELECT from_id, target_id, kind FROM v_links;
SELECT baseline_ns, makespan_ns FROM replay_summary;
SELECT json_extract(extra, '$.flows.before_source_end') AS before_source_end FROM dumps;
