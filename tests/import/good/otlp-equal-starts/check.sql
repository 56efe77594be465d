-- spans out of start order, some starting at the same instant, two traces interleaved over two lines: a run's ops are numbered by start, equal starts in the order the file has them (a-tie-1st, -2nd, -3rd), whatever line they are on
SELECT run_id, id, parent_id, class_key, start_ns, end_ns FROM v_ops ORDER BY run_id, id;
