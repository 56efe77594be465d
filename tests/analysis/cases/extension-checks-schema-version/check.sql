-- The extension checks the database it is used on as the shell and wcprof-ingest do on opening: another schema version (user_version) or another application_id is a clear error on use, for every analysis and the export, never a wrong answer; put back, it answers again.
PRAGMA user_version = 4;
SELECT * FROM replay_summary;
SELECT wcprof_export('folded', NULL);
PRAGMA user_version = 0;
SELECT * FROM whatif_rank;
PRAGMA user_version = 3;
PRAGMA application_id = 0;
SELECT * FROM critical_path;
PRAGMA application_id = 2003005542;
SELECT 'answering again' AS status, baseline_ns FROM replay_summary;
