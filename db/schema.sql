-- schema.sql - the wcprof database schema (application_id 'wcpf', user_version 3).
--
-- wcprof-ingest creates it in a new database; the shell refuses a database
-- without it. Every string in a dump (kinds, classes, idents, clients, work
-- types, outcomes, reasons, link kinds) is stored once in `strings` and
-- referenced by its id; the v_* views resolve them. Times are integer
-- nanoseconds since the run's epoch. Op ids are the recorder's (unique per
-- run), uint64 stored as their int64 bit pattern (db/README.md, "Ids"). Columns marked "resolved" are materialised at ingest from the whole
-- run per docs/spec/analysis.md §1-2, and recomputed when a later dump adds to it.
-- A database of an older version is migrated when opened for writing
-- (db/store.c, `migrations`): version 1 lacked ops.meta_id, runs.incomplete
-- and runs.waits_inferred; version 2 lacked class_stats_data and
-- runs.class_stats.

PRAGMA application_id = 2003005542;     -- 0x77637066 'wcpf'
PRAGMA user_version = 3;

CREATE TABLE IF NOT EXISTS strings(
  id    INTEGER PRIMARY KEY,            -- 0 is '' and means "none"
  value TEXT NOT NULL UNIQUE
);
INSERT OR IGNORE INTO strings(id, value) VALUES (0, '');

-- One recorder run: every dump with the same epoch_unix_nano merges into it.
CREATE TABLE IF NOT EXISTS runs(
  id               INTEGER PRIMARY KEY,
  epoch_unix_nano  INTEGER NOT NULL,    -- the recorder's time origin (wall clock)
  dumped_unix_nano INTEGER NOT NULL,    -- the latest dump's wall-clock time
  now_ns           INTEGER NOT NULL,    -- the latest dump's "now" in run time: end of open ops
  dropped_events   INTEGER NOT NULL DEFAULT 0,  -- max over its dumps (the recorder's count is cumulative)
  dumps            INTEGER NOT NULL DEFAULT 0,  -- dumps merged into this run
  ops              INTEGER NOT NULL DEFAULT 0,
  waits            INTEGER NOT NULL DEFAULT 0,
  links            INTEGER NOT NULL DEFAULT 0,
  roots            INTEGER NOT NULL DEFAULT 0,  -- resolved: ops without a parent
  open_ops         INTEGER NOT NULL DEFAULT 0,  -- ops still open at the latest dump
  orphan_waits     INTEGER NOT NULL DEFAULT 0,  -- resolved: waits whose waiter is no known op
  reparented_ops   INTEGER NOT NULL DEFAULT 0,  -- resolved: ops parented through a nested_client link
  first_start_ns   INTEGER,             -- earliest op start
  last_end_ns      INTEGER,             -- latest op end
  span_ns          INTEGER,             -- last_end_ns - first_start_ns (the trace span)
  makespan_ns      INTEGER,             -- latest root end - earliest root start (actual makespan)
  warnings         INTEGER NOT NULL DEFAULT 0,  -- over its dumps (d < s clamped, duplicate op ids)
  unresolved_waits INTEGER NOT NULL DEFAULT 0,  -- resolved: waits on a named resource left without a target (§6)
  holds            INTEGER NOT NULL DEFAULT 0,  -- resolved: ended ops of kind 'hold' (§6)
  incomplete       TEXT,                -- an imported trace loaded with --allow-incomplete: what is
                                        -- missing from it (NULL: nothing known to be missing)
  waits_inferred   INTEGER NOT NULL DEFAULT 0,  -- 1: imported from a trace without wait edges; the
                                        -- dependencies are inferred from nesting alone
  class_stats      INTEGER NOT NULL DEFAULT 0   -- 1: class_stats_data holds its classes (materialised
                                        -- at ingest); 0: the class_stats view computes them from ops
);
CREATE INDEX IF NOT EXISTS runs_epoch ON runs(epoch_unix_nano);

-- One ingested dump file.
CREATE TABLE IF NOT EXISTS dumps(
  id                 INTEGER PRIMARY KEY,
  run_id             INTEGER NOT NULL REFERENCES runs(id),
  source             TEXT NOT NULL,     -- the path as given ('-' for standard input)
  ingested_unix_nano INTEGER NOT NULL,
  schema_version     INTEGER NOT NULL,
  epoch_unix_nano    INTEGER NOT NULL,
  dumped_unix_nano   INTEGER NOT NULL,
  dropped_events     INTEGER NOT NULL,
  event_count        INTEGER NOT NULL,  -- event lines in the dump
  open_ops           INTEGER NOT NULL,  -- entries of its open_ops
  ops_added          INTEGER NOT NULL,  -- rows this dump added (repeats add nothing)
  ops_completed      INTEGER NOT NULL,  -- ops open before, completed by this dump
  waits_added        INTEGER NOT NULL,
  links_added        INTEGER NOT NULL,
  other_added        INTEGER NOT NULL,  -- events of an unknown type (kept in other_events)
  warnings           INTEGER NOT NULL,  -- d < s clamped to d = s, duplicate op ids in the dump
  misuse             TEXT,              -- the header's 'misuse' object (recorder API misuse counts), JSON
  extra              TEXT               -- header keys this version does not know, as a JSON object
);
CREATE INDEX IF NOT EXISTS dumps_run ON dumps(run_id);

CREATE TABLE IF NOT EXISTS ops(
  run_id             INTEGER NOT NULL REFERENCES runs(id),
  id                 INTEGER NOT NULL,  -- the recorder's op id
  parent_id          INTEGER,           -- resolved parent (§1.5, nested clients included); NULL for a root
  recorded_parent_id INTEGER NOT NULL DEFAULT 0,  -- 'p' as recorded (0: none)
  reparented         INTEGER NOT NULL DEFAULT 0,  -- resolved: 1 when parented through a nested_client link
  kind               INTEGER NOT NULL DEFAULT 0,  -- strings.id: call, call_exec, exec, ...
  work_type          INTEGER NOT NULL DEFAULT 0,  -- strings.id: engine, user, external
  outcome            INTEGER NOT NULL DEFAULT 0,  -- strings.id: hit, executed, joined, ok, error, ...
  class_id           INTEGER NOT NULL DEFAULT 0,  -- strings.id
  ident_id           INTEGER NOT NULL DEFAULT 0,  -- strings.id
  client_id          INTEGER NOT NULL DEFAULT 0,  -- strings.id
  result_id          INTEGER NOT NULL DEFAULT 0,
  start_ns           INTEGER NOT NULL,
  end_ns             INTEGER NOT NULL,  -- max(d, s); for an open op the latest dump's now
  is_open            INTEGER NOT NULL DEFAULT 0,  -- 1: begun, not ended at the latest dump
  self_ns            INTEGER NOT NULL,  -- resolved: interval minus children and own waits (§2)
  thread_id          INTEGER,           -- 'th': OS thread that recorded it, when known
  dump_id            INTEGER NOT NULL,  -- the dump it came from
  extra              TEXT,              -- event keys this version does not know, as a JSON object
  meta_id            INTEGER NOT NULL DEFAULT 0,  -- strings.id: the op's metadata ('m'; an exec's argv
                                        -- as a JSON array), 0: none
  PRIMARY KEY (run_id, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ops_children ON ops(run_id, parent_id, start_ns);
CREATE INDEX IF NOT EXISTS ops_class    ON ops(run_id, class_id, kind);
CREATE INDEX IF NOT EXISTS ops_start    ON ops(run_id, start_ns);

CREATE TABLE IF NOT EXISTS waits(
  run_id             INTEGER NOT NULL REFERENCES runs(id),
  waiter_id          INTEGER NOT NULL,  -- 'p': the waiting op
  start_ns           INTEGER NOT NULL,
  end_ns             INTEGER NOT NULL,
  recorded_target_id INTEGER NOT NULL DEFAULT 0,  -- 't' as recorded (0: a named resource)
  ident_id           INTEGER NOT NULL DEFAULT 0,  -- strings.id: the named resource, or the exec ident
  reason             INTEGER NOT NULL DEFAULT 0,  -- strings.id: call_exec, singleflight, lock, exec, ...
  dup                INTEGER NOT NULL DEFAULT 0,  -- n-th identical copy within one dump
  target_id          INTEGER,           -- resolved target op (§1.3, exec idents included); NULL: none
  orphan             INTEGER NOT NULL DEFAULT 0,  -- resolved: 1 when the waiter is no known op (§1.4)
  thread_id          INTEGER,
  dump_id            INTEGER NOT NULL,
  line               INTEGER NOT NULL,  -- line in that dump: dump order breaks ties
  extra              TEXT,
  resolved_by        TEXT NOT NULL DEFAULT 'none',  -- resolved: how target_id was found: 'recorded' ('t'),
                                        -- 'exec_ident' (§1.3), 'hold' (§6 rule 1), 'none'
  PRIMARY KEY (run_id, waiter_id, start_ns, end_ns, recorded_target_id, ident_id, reason, dup)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS waits_target ON waits(run_id, target_id);

CREATE TABLE IF NOT EXISTS links(
  run_id    INTEGER NOT NULL REFERENCES runs(id),
  from_id   INTEGER NOT NULL,           -- 'p': the from-op
  at_ns     INTEGER NOT NULL,           -- 's'
  kind      INTEGER NOT NULL DEFAULT 0, -- strings.id: nested_client, result, reused_result
  target_id INTEGER NOT NULL DEFAULT 0, -- 't': a related op (0: none)
  ident_id  INTEGER NOT NULL DEFAULT 0, -- strings.id; for nested_client the nested client's id
  result_id INTEGER NOT NULL DEFAULT 0,
  dup       INTEGER NOT NULL DEFAULT 0,
  dump_id   INTEGER NOT NULL,
  line      INTEGER NOT NULL,
  extra     TEXT,
  PRIMARY KEY (run_id, from_id, at_ns, kind, target_id, ident_id, result_id, dup)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS links_ident ON links(run_id, kind, ident_id);

-- Events whose type ('e') this version does not know: kept, not refused.
CREATE TABLE IF NOT EXISTS other_events(
  run_id  INTEGER NOT NULL REFERENCES runs(id),
  type    TEXT NOT NULL,                -- the 'e' value
  json    TEXT NOT NULL,                -- the whole event line
  dup     INTEGER NOT NULL DEFAULT 0,
  dump_id INTEGER NOT NULL,
  line    INTEGER NOT NULL,
  PRIMARY KEY (run_id, json, dup)
) WITHOUT ROWID;

-- Per class (kind, class_id) of a run, the statistics of docs/spec/analysis.md
-- §5, materialised at ingest (runs.class_stats = 1) so that the class_stats
-- view reads them instead of sorting every op: count, total self and wall
-- time (saturated at +-2^63), p50 = sorted[n/2], p95 = sorted[n*95/100] and
-- max of self time, the most common work type (strings.id), the outcome
-- counts as the view's JSON object, duplicate executions. Read it through
-- class_stats and class_work_type (db/views.sql), which resolve the strings.
CREATE TABLE IF NOT EXISTS class_stats_data(
  run_id        INTEGER NOT NULL REFERENCES runs(id),
  kind          INTEGER NOT NULL,       -- strings.id
  class_id      INTEGER NOT NULL,       -- strings.id
  work_type     INTEGER NOT NULL,       -- strings.id
  count         INTEGER NOT NULL,
  total_self_ns INTEGER NOT NULL,
  total_wall_ns INTEGER NOT NULL,
  p50_self_ns   INTEGER NOT NULL,
  p95_self_ns   INTEGER NOT NULL,
  max_self_ns   INTEGER NOT NULL,
  outcomes      TEXT NOT NULL,
  dup_executed  INTEGER NOT NULL,
  PRIMARY KEY (run_id, kind, class_id)
) WITHOUT ROWID;
