#!/bin/sh
# fork_ingest_test.sh - the exit dumps of a process and of its forked child
# (test_recorder_fork exit_dumps) loaded together with wcprof-ingest are two
# runs, not one: the child's run has an epoch of its own.
# usage: fork_ingest_test.sh INGEST FORK_TEST WORK_DIR
set -eu
ingest=$1 forktest=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
WCPROF_FORK_KEEP="$work" "$forktest" exit_dumps >/dev/null
set -- "$work"/exit.dump*
[ $# -eq 2 ] || { echo "FAIL: $# exit dumps in $work"; exit 1; }
"$ingest" -q -o "$work/both.db" "$@"
runs=$(sqlite3 "$work/both.db" "SELECT count(*) FROM runs")
[ "$runs" -eq 2 ] || { echo "FAIL: parent and child loaded as $runs run(s)"; exit 1; }
echo "ok: parent and child dumps are two runs"
