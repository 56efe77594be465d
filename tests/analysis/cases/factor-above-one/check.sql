-- Factors above 1 slow a class down, a negative saving: a (500, critical) doubled ends at 1000 (-500); b (300, off the path) doubled ends at 600 and becomes critical (-100), at 1.5 ends at 450 (0); ranked at the middle factor factors[2/2] = 2, b (-100) comes before a (-500).
SELECT makespan_ns, saved_ns FROM whatif('call_exec:a=2');
SELECT makespan_ns, saved_ns FROM whatif('call_exec:b=2');
SELECT makespan_ns, saved_ns FROM whatif('call_exec:b=1.5');
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns, total_self_ns, critical_ns
  FROM whatif_rank('0.5,2') ORDER BY rank, factor;
SELECT rank, class_key, printf('%g', factor) AS f, saved_ns
  FROM whatif_rank('[2]') ORDER BY rank, factor;
