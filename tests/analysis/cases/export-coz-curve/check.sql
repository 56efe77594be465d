-- Coz curves: the dump of export-folded-weights, whose best class at factor 0.5 is session_phase:session.query (R1 self 10 and R2 self 30 ms, both on the critical path, nothing overlapping them: saved 20 ms at 0.5, against 10 for call:fetch and 0 for the rest). Sped up by s = k/20 it saves 40 s ms, so experiment k runs 130 - 2k ms; Coz's viewer plots (130 - duration) / 130 = 40 s / 130 against s.
SELECT wcprof_export('coz', NULL, 'top=1');
SELECT class_key, factor, saved_ns, rank FROM whatif_rank('[0.5]') ORDER BY rank;
