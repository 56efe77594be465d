-- views.sql - readable views over the wcprof schema (strings resolved,
-- durations derived). Created with the schema; safe to run again.

-- Ops with every string resolved, their class key (kind:class) and duration;
-- meta is the op's metadata ('' when none: an exec's argv as a JSON array).
CREATE VIEW IF NOT EXISTS v_ops AS
SELECT o.run_id, o.id, o.parent_id,
       k.value AS kind, c.value AS class, k.value || ':' || c.value AS class_key,
       i.value AS ident, cl.value AS client, w.value AS work_type, oc.value AS outcome,
       o.result_id, o.start_ns, o.end_ns, o.end_ns - o.start_ns AS dur_ns, o.self_ns,
       o.is_open, o.reparented, o.recorded_parent_id, o.thread_id, o.dump_id, m.value AS meta
  FROM ops o
  JOIN strings k  ON k.id  = o.kind
  JOIN strings c  ON c.id  = o.class_id
  JOIN strings i  ON i.id  = o.ident_id
  JOIN strings cl ON cl.id = o.client_id
  JOIN strings w  ON w.id  = o.work_type
  JOIN strings oc ON oc.id = o.outcome
  JOIN strings m  ON m.id  = o.meta_id;

-- Waits with reason and resource resolved; target_id is the resolved target,
-- resolved_by how it was found (recorded, exec_ident, hold: §6 rule 1, none).
CREATE VIEW IF NOT EXISTS v_waits AS
SELECT wt.run_id, wt.waiter_id, wt.target_id, wt.recorded_target_id, wt.resolved_by,
       r.value AS reason, i.value AS resource, wt.start_ns, wt.end_ns,
       wt.end_ns - wt.start_ns AS dur_ns, wt.orphan, wt.thread_id, wt.dump_id, wt.line
  FROM waits wt
  JOIN strings r ON r.id = wt.reason
  JOIN strings i ON i.id = wt.ident_id;

CREATE VIEW IF NOT EXISTS v_links AS
SELECT l.run_id, l.from_id, l.target_id, k.value AS kind, i.value AS ident,
       l.result_id, l.at_ns, l.dump_id, l.line
  FROM links l
  JOIN strings k ON k.id = l.kind
  JOIN strings i ON i.id = l.ident_id;

-- Per class (kind, class as strings.id) of each run, its work type: the most
-- common one (ties: alphabetical; empty only when all are empty). Its own
-- view because the analyses extension needs it without the rest. A run
-- loaded by this version has it in class_stats_data (runs.class_stats = 1);
-- for any other (a database made before version 3, rows inserted by hand)
-- it is computed from the ops.
CREATE VIEW IF NOT EXISTS class_work_type AS
SELECT d.run_id, d.kind, d.class_id, s.value AS work_type
  FROM class_stats_data d JOIN strings s ON s.id = d.work_type
UNION ALL
SELECT run_id, kind, class_id, work_type FROM (
  SELECT g.run_id, g.kind, g.class_id, s.value AS work_type,
         row_number() OVER (PARTITION BY g.run_id, g.kind, g.class_id
                            ORDER BY s.value = '', g.n DESC, s.value) AS pick
    FROM (SELECT o.run_id, o.kind, o.class_id, o.work_type, count(*) AS n
            FROM runs r CROSS JOIN ops o ON o.run_id = r.id
           WHERE r.class_stats = 0
           GROUP BY o.run_id, o.kind, o.class_id, o.work_type) g
    JOIN strings s ON s.id = g.work_type)
 WHERE pick = 1;

-- Per class key, the statistics of docs/spec/analysis.md §5: count, outcome
-- counts, total wall and self time (sums past +-2^63 saturate at
-- +-(2^63 - 1)), p50 = sorted[n/2], p95 = sorted[n*95/100] and max of self
-- time, the most common work type (ties: alphabetical, empty only when all
-- are empty) and duplicate executions (ops with outcome 'executed' or kind
-- 'call_exec' and an ident: n executions of one ident add n-1). A run loaded
-- by this version has them in class_stats_data (runs.class_stats = 1,
-- materialised at ingest); for any other they are computed here from its
-- ops, the same numbers (the sums in two halves of 31 and 32 bits, so that
-- they saturate instead of failing).
CREATE VIEW IF NOT EXISTS class_stats AS
WITH src AS (
  SELECT o.run_id, o.kind, o.class_id, o.self_ns, o.end_ns - o.start_ns AS wall_ns,
         o.outcome, o.ident_id
    FROM runs r CROSS JOIN ops o ON o.run_id = r.id
   WHERE r.class_stats = 0
),
ranked AS (
  SELECT run_id, kind, class_id, self_ns, wall_ns,
         row_number() OVER (PARTITION BY run_id, kind, class_id ORDER BY self_ns) - 1 AS rk,
         count(*)     OVER (PARTITION BY run_id, kind, class_id) AS n
    FROM src
),
halves AS (
  SELECT run_id, kind, class_id, count(*) AS count,
         sum(self_ns >> 31) + (sum(self_ns & 2147483647) >> 31) AS self_hi,
         sum(self_ns & 2147483647) & 2147483647 AS self_lo,
         sum(wall_ns >> 31) + (sum(wall_ns & 2147483647) >> 31) AS wall_hi,
         sum(wall_ns & 2147483647) & 2147483647 AS wall_lo,
         max(CASE WHEN rk = n / 2 THEN self_ns END) AS p50_self_ns,
         max(CASE WHEN rk = n * 95 / 100 THEN self_ns END) AS p95_self_ns,
         max(self_ns) AS max_self_ns
    FROM ranked GROUP BY run_id, kind, class_id
),
agg AS (
  SELECT run_id, kind, class_id, count,
         CASE WHEN self_hi >= 4294967296 THEN 9223372036854775807
              WHEN self_hi < -4294967296 THEN -9223372036854775807 - 1
              ELSE self_hi * 2147483648 + self_lo END AS total_self_ns,
         CASE WHEN wall_hi >= 4294967296 THEN 9223372036854775807
              WHEN wall_hi < -4294967296 THEN -9223372036854775807 - 1
              ELSE wall_hi * 2147483648 + wall_lo END AS total_wall_ns,
         p50_self_ns, p95_self_ns, max_self_ns
    FROM halves
),
outcomes AS (
  SELECT run_id, kind, class_id, json_group_object(outcome, cnt) AS outcomes
    FROM (SELECT o.run_id, o.kind, o.class_id, s.value AS outcome, count(*) AS cnt
            FROM src o JOIN strings s ON s.id = o.outcome
           GROUP BY o.run_id, o.kind, o.class_id, s.value
           ORDER BY o.run_id, o.kind, o.class_id, s.value)
   GROUP BY run_id, kind, class_id
),
dups AS (
  SELECT run_id, kind, class_id, sum(n - 1) AS dup_executed FROM (
    SELECT o.run_id, o.kind, o.class_id, count(*) AS n
      FROM src o
     WHERE o.ident_id != 0
       AND (o.outcome = (SELECT id FROM strings WHERE value = 'executed')
            OR o.kind = (SELECT id FROM strings WHERE value = 'call_exec'))
     GROUP BY o.run_id, o.kind, o.class_id, o.ident_id)
   GROUP BY run_id, kind, class_id
)
SELECT d.run_id, k.value || ':' || c.value AS class_key, k.value AS kind, c.value AS class,
       w.value AS work_type, d.count, d.total_self_ns, d.total_wall_ns,
       d.p50_self_ns, d.p95_self_ns, d.max_self_ns, d.outcomes, d.dup_executed
  FROM class_stats_data d
  JOIN strings k ON k.id = d.kind
  JOIN strings c ON c.id = d.class_id
  JOIN strings w ON w.id = d.work_type
UNION ALL
SELECT a.run_id, k.value || ':' || c.value AS class_key, k.value AS kind, c.value AS class,
       coalesce(wt.work_type, '') AS work_type, a.count, a.total_self_ns, a.total_wall_ns,
       a.p50_self_ns, a.p95_self_ns, a.max_self_ns,
       coalesce(oc.outcomes, '{}') AS outcomes, coalesce(d.dup_executed, 0) AS dup_executed
  FROM agg a
  JOIN strings k ON k.id = a.kind
  JOIN strings c ON c.id = a.class_id
  LEFT JOIN outcomes   oc ON oc.run_id = a.run_id AND oc.kind = a.kind AND oc.class_id = a.class_id
  LEFT JOIN class_work_type wt ON wt.run_id = a.run_id AND wt.kind = a.kind AND wt.class_id = a.class_id
  LEFT JOIN dups       d  ON d.run_id  = a.run_id AND d.kind  = a.kind AND d.class_id  = a.class_id;

-- Header facts per run (docs/spec/analysis.md §5), from what ingest materialised.
-- warning: what every analysis of the run must say (the shell prints it after
-- each, the HTML page at its top), '' when nothing; several joined with '; ':
-- events the recorder dropped; in a run with holds, more than a tenth of its
-- waits on named resources no hold released (§6 rule 1: fixed delays); the
-- process CPU-bound (user CPU time at least 0.8 x wall time x the CPUs it
-- could use, from the latest dump's cpu_user_ns and cpus header keys: the
-- replay assumes unlimited cores); an imported trace loaded with
-- --allow-incomplete; a trace whose dependencies are inferred from nesting
-- alone ("no wait edges: inferred").
CREATE VIEW IF NOT EXISTS run_summary AS
SELECT r.id AS run_id, r.epoch_unix_nano, r.dumps, r.ops, r.roots, r.open_ops,
       r.dropped_events, r.orphan_waits, r.reparented_ops, r.waits, r.links,
       r.span_ns, r.makespan_ns, r.warnings, r.unresolved_waits, r.holds,
       r.incomplete, r.waits_inferred,
       substr(CASE WHEN r.dropped_events > 0
                   THEN '; WARNING: ' || r.dropped_events || ' events were dropped by the recorder; every number is incomplete'
                   ELSE '' END
              || CASE WHEN r.holds > 0 AND r.unresolved_waits * 10 > r.waits
                      THEN '; WARNING: ' || r.unresolved_waits || ' waits on named resources (of ' || r.waits || ' waits) found no hold that released them: they stay fixed delays (docs/spec/analysis.md section 6)'
                      ELSE '' END
              || coalesce((SELECT CASE WHEN json_extract(d.extra, '$.cpus') > 0
                                        AND json_extract(d.extra, '$.cpu_user_ns') >=
                                            0.8 * json_extract(d.extra, '$.cpus') * (d.dumped_unix_nano - d.epoch_unix_nano)
                                       THEN '; WARNING: the process was CPU-bound (user CPU ' ||
                                            printf('%.1f', json_extract(d.extra, '$.cpu_user_ns') * 1.0 / (d.dumped_unix_nano - d.epoch_unix_nano)) ||
                                            'x wall time on ' || json_extract(d.extra, '$.cpus') || ' CPUs): the replay assumes unlimited cores, savings may not come true'
                                       ELSE '' END
                             FROM dumps d WHERE d.run_id = r.id ORDER BY d.id DESC LIMIT 1), '')
              || CASE WHEN r.incomplete IS NOT NULL
                      THEN '; WARNING: incomplete trace, loaded with --allow-incomplete (' || r.incomplete || '); every number is incomplete'
                      ELSE '' END
              || CASE WHEN r.waits_inferred != 0
                      THEN '; note: no wait edges: inferred from nesting alone (the trace records no waits: each op is taken to depend only on its children)'
                      ELSE '' END, 3) AS warning
  FROM runs r;
