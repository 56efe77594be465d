-- The ops of one metadata value scaled together, whatever their class: parallel children of one root, a (500 ms, meta ["go","build"], the whole critical path), b (300 ms, ["go","test"]), b (400 ms, ["go","build"]), an io op without metadata (100 ms, never scaled, no row). ["go","build"] (a and the 400 ms b) at 0: the 300 ms b is left, saved 200; at 0.5: a 250, b 200, the other b 300, saved 200; at 0.9: a 450, saved 50; at 2: a 1000, saved -500. ["go","test"] off the path saves 0 at factors up to 1, at 2 it is 600 ms: -100. Class a alone saves only 100 at 0 (the 400 ms b is left), the root (no self time) nothing: the grouping is by metadata, not class.
SELECT rank, meta, printf('%g', factor) AS f, saved_ns, ops, total_self_ns, critical_ns
  FROM whatif_rank_meta ORDER BY rank, factor;
SELECT rank, meta, printf('%g', factor) AS f, saved_ns FROM whatif_rank_meta('[2]') ORDER BY rank;
SELECT class_key, printf('%g', factor) AS f, saved_ns FROM whatif_rank('[0]', 0) ORDER BY rank;
