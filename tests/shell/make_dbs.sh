#!/bin/sh
# make_dbs.sh - makes the test databases the cases use, in OUT_DIR.
#
#   make_dbs.sh MKDB SQL_DIR FIXTURES_DIR OUT_DIR
#
#   seq.db         run 1: tests/fixtures/sequential.dump as ingest stores it
#   multi.db       run 1, and run 2 (26 classes, 7 dropped events)
#   empty.db       the wcprof schema, no runs
#   newer.db       a wcprof database of a future schema version
#   older.db       a wcprof database of an older schema version
#   not-wcprof.db  an SQLite database of something else
#   notdb.txt      not SQLite at all
set -eu
mkdb=$1 sql=$2 fix=$3 out=$4
mkdir -p "$out"
cd "$out"
"$mkdb" seq.db "$sql/schema.sql" "$sql/views.sql" "$fix/sequential.sql"
"$mkdb" multi.db "$sql/schema.sql" "$sql/views.sql" "$fix/sequential.sql" "$fix/busy.sql"
"$mkdb" empty.db "$sql/schema.sql" "$sql/views.sql" "$fix/empty.sql"
"$mkdb" newer.db "$sql/schema.sql" "$sql/views.sql" "$fix/newer.sql"
"$mkdb" older.db "$sql/schema.sql" "$sql/views.sql" "$fix/older.sql"
"$mkdb" not-wcprof.db "$fix/not-wcprof.sql"
printf 'this is not a database\n' > notdb.txt
