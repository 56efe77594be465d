#!/bin/sh
# report_test.sh - one ready-made report of db/reports runs in the plain
# sqlite3 shell on a database wcprof-ingest made from the sample dump:
# exit status 0, nothing on stderr, and at least one row under its header.
#
# usage: report_test.sh INGEST SQLITE3 REPORT DUMP WORK_DIR
set -eu
ingest=$1 sqlite=$2 report=$3 dump=$4 work=$5
name=$(basename "$report" .sql)
mkdir -p "$work"
db="$work/$name.db"
rm -f "$db" "$db-journal"
"$ingest" -q -o "$db" "$dump"
if ! "$sqlite" -bail -batch -header -list "$db" <"$report" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "FAIL: $report failed:"; cat "$work/$name.err"; exit 1
fi
if [ -s "$work/$name.err" ]; then
    echo "FAIL: $report wrote to stderr:"; cat "$work/$name.err"; exit 1
fi
rows=$(($(wc -l <"$work/$name.out") - 1))
if [ "$rows" -lt 1 ]; then
    echo "FAIL: $report printed no rows"; cat "$work/$name.out"; exit 1
fi
echo "ok: $name: $rows rows"
