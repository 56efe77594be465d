-- a UTF-8 byte-order mark before the header is skipped (dump-format.md)
SELECT id, start_ns, end_ns FROM ops;
