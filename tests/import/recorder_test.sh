#!/bin/sh
# recorder_test.sh - a dump written by libwcprof (the pool sample) loads with
# wcprof-ingest: threads recorded, no refusal, the planted bottleneck on top.
# usage: recorder_test.sh INGEST POOL WORK_DIR
set -eu
ingest=$1 pool=$2 work=$3
mkdir -p "$work"
rm -f "$work/pool.dump" "$work/pool.db"
WCPROF=1 WCPROF_OUT="$work/pool.dump" "$pool" >/dev/null
"$ingest" -q -o "$work/pool.db" "$work/pool.dump"
sqlite3 "$work/pool.db" "SELECT ops, orphan_waits, dropped_events FROM runs" | {
    IFS='|' read -r ops orphans dropped
    [ "$ops" -gt 100 ] && [ "$orphans" -eq 0 ] && [ "$dropped" -eq 0 ] ||
        { echo "FAIL: ops=$ops orphan_waits=$orphans dropped=$dropped"; exit 1; }
}
threads=$(sqlite3 "$work/pool.db" "SELECT count(DISTINCT thread_id) FROM ops")
[ "$threads" -gt 1 ] || { echo "FAIL: $threads threads recorded"; exit 1; }
echo "ok: recorder dump loaded, $threads threads"
