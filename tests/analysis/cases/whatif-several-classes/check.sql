-- a [0,400] and b [0,300] run side by side, then c [400,600]: c starts at max(a, b), so halving a alone saves 100 (b's 300 bounds it), b alone 0, a and b together 200, all three 300, all at 0 the whole 600; the ranking ties a and c at 100 (class-key order) and proves b's 0.
SELECT makespan_ns, saved_ns FROM whatif('call_exec:a=0.5');
SELECT makespan_ns, saved_ns FROM whatif('call_exec:b=0.5');
SELECT makespan_ns, saved_ns FROM whatif('call_exec:a=0.5 call_exec:b=0.5');
SELECT makespan_ns, saved_ns FROM whatif('call_exec:a=0.5,call_exec:b=0.5,call_exec:c=0.5');
SELECT baseline_ns, makespan_ns, saved_ns FROM whatif('{"call_exec:a": 0, "call_exec:b": 0, "call_exec:c": 0}');
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns, total_self_ns, critical_ns
  FROM whatif_rank ORDER BY rank, factor;
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns
  FROM whatif_rank(NULL, NULL, 0) ORDER BY rank, factor;
