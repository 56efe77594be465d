-- Sequential children tiny (1 ms self), build (2 x 100 ms, work types user and external), then zero whose exec run has 199 ms: the default threshold (>= 1 ms) ranks tiny, build, run by their saving at 0.5 (100, 99.5, 0.5 ms); build's work type is the user/external tie broken alphabetically; min_self_ns is inclusive (199 ms keeps run) and 0 adds the zero-self classes with 0 saved.
SELECT rank, class_key, work_type, printf('%g', factor) AS f, saved_ns, total_self_ns, critical_ns
  FROM whatif_rank ORDER BY rank, factor;
SELECT rank, class_key FROM whatif_rank(NULL, 199000000) WHERE factor = 0.5 ORDER BY rank;
SELECT rank, class_key, saved_ns, total_self_ns FROM whatif_rank(NULL, 0) WHERE factor = 0.5 ORDER BY rank;
