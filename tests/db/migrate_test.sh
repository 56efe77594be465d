#!/bin/sh
# migrate_test.sh - a database of schema version 1 (before op metadata) is
# migrated when opened for writing, and only then:
#   1. opened -readonly, it is refused with a message that says how to
#      migrate it, and left exactly as it was;
#   2. opened by the shell, it becomes version 3: every table has the columns
#      of a new database (PRAGMA table_info, in order), every view too, its
#      class statistics are in class_stats_data (version 3), and
#      every analysis prints what it prints on a new database of the same
#      dump (its old ops have no metadata: meta '');
#   3. wcprof-ingest then loads into it (a dump with metadata).
# The version-1 database is made as version 1 made it (tests/db/v1-schema.sql
# and v1-views.sql, frozen copies), holding the rows of the new one (its
# version-1 columns).
# usage: migrate_test.sh INGEST SHELL SQLITE3 V1_SCHEMA V1_VIEWS DUMP META_DUMP WORK_DIR
set -eu
ingest=$1 shell=$2 sqlite=$3 v1schema=$4 v1views=$5 dump=$6 meta_dump=$7 work=$8
mkdir -p "$work"
new="$work/new.db" old="$work/old.db"
rm -f "$new" "$old"
"$ingest" -q -o "$new" "$dump"
"$sqlite" -bail "$old" <"$v1schema"
"$sqlite" -bail "$old" <"$v1views"
"$sqlite" "$old" "SELECT 'INSERT OR REPLACE INTO main.\"' || m.name || '\" SELECT ' ||
    (SELECT group_concat('\"' || p.name || '\"', ', ') FROM pragma_table_info(m.name) p) ||
    ' FROM src.\"' || m.name || '\";' FROM sqlite_schema m WHERE m.type = 'table'" >"$work/copy.sql"
{ echo "ATTACH '$new' AS src; BEGIN;"; cat "$work/copy.sql"; echo "COMMIT;"; } | "$sqlite" -bail "$old"
[ "$("$sqlite" "$old" 'SELECT count(*) FROM ops')" -gt 0 ] || { echo "FAIL: no ops copied"; exit 1; }
[ "$("$sqlite" "$old" 'PRAGMA user_version')" = 1 ] || { echo "FAIL: could not make a version-1 database"; exit 1; }

before=$("$sqlite" "$old" .dump | cksum)
set +e
"$shell" -readonly "$old" .summary >"$work/ro.out" 2>"$work/ro.err"
status=$?
set -e
if [ "$status" -eq 0 ] || ! grep -q 'has wcprof schema version 1; this wcprof reads version 3: open it once for writing' "$work/ro.err"; then
    echo "FAIL: -readonly on a version-1 database: status $status"; cat "$work/ro.err"; exit 1
fi
[ "$("$sqlite" "$old" .dump | cksum)" = "$before" ] || { echo "FAIL: -readonly changed the database"; exit 1; }

analyses='.summary
.selftime 0
.rank
.critpath
SELECT id, class_key, meta FROM v_ops ORDER BY id;
SELECT * FROM run_summary;'
echo "$analyses" | "$shell" -list -header "$old" >"$work/old.out" 2>&1
echo "$analyses" | "$shell" -list -header "$new" >"$work/new.out" 2>&1
[ "$("$sqlite" "$old" 'PRAGMA user_version')" = 3 ] || { echo "FAIL: not migrated to version 3"; exit 1; }
# version 3's class statistics were computed by the migration, not left to the view
[ "$("$sqlite" "$old" 'SELECT count(*) FROM class_stats_data')" -gt 0 ] &&
    [ "$("$sqlite" "$old" 'SELECT min(class_stats) FROM runs')" = 1 ] || {
    echo "FAIL: the migration did not fill class_stats_data"; exit 1; }
diff -u "$work/new.out" "$work/old.out" || { echo "FAIL: the migrated database answers otherwise"; exit 1; }
columns="SELECT m.name, p.cid, p.name, p.type, p.\"notnull\", p.dflt_value, p.pk
  FROM sqlite_schema m, pragma_table_info(m.name) p WHERE m.type IN ('table', 'view') ORDER BY 1, 2"
"$sqlite" "$new" "$columns" >"$work/new.cols"
"$sqlite" "$old" "$columns" >"$work/old.cols"
diff -u "$work/new.cols" "$work/old.cols" || { echo "FAIL: the migrated columns differ"; exit 1; }

"$ingest" -q --new-run -o "$old" "$meta_dump"
[ "$("$sqlite" "$old" "SELECT count(*) FROM v_ops WHERE meta != ''")" -gt 0 ] || {
    echo "FAIL: no metadata loaded into the migrated database"; exit 1; }
echo "ok: migrated from version 1"
