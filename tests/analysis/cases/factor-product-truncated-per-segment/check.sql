-- Each self segment's scaled length is truncated toward zero on its own: build's two 100 ms segments at factor 0.123456789 are 12345678.9 -> 12345678 ns each, around the fixed 100 ms lock wait: 12345678 + 100000000 + 12345678 = 124691356 (rounding would give ...358, truncating the sum ...357).
SELECT baseline_ns, makespan_ns, saved_ns FROM whatif('call_exec:build=0.123456789');
SELECT op_id, what, resource, start_ns, end_ns, dur_ns FROM critical_path('call_exec:build=0.123456789') ORDER BY seq;
