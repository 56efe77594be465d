-- A factor above 1e6 (WCP_FACTOR_MAX) is refused as out of range, in a spec, a JSON spec and a factor list, so no replay overflows 64 bits; 1e6 itself is taken.
SELECT * FROM whatif('call_exec:compile=1e300');
SELECT * FROM whatif('{"call_exec:compile": 2e6}');
SELECT * FROM whatif_rank('0,1e300');
SELECT saved_ns <= 0 AS not_a_saving FROM whatif('call_exec:compile=1e6');
