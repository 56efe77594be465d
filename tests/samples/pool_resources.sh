#!/bin/sh
# pool_resources.sh - the truth suite's smoke test (issue 16): one recorded
# run of samples/pool, ingested, shows its planted resource: 200 holds of
# index.lock (one per task's commit), its contended waits resolved to the
# holds that released them (§6 rule 1: nine in ten at least; a holder
# preempted between its release time and the real unlock can end its hold
# just before a waiter starts waiting, which leaves that wait unresolved),
# and the commits on the critical path under it. No timing is asserted.
#
# usage: pool_resources.sh POOL INGEST WCPROF WORK_DIR
set -eu
pool=$1 ingest=$2 wcprof=$3 work=$4
mkdir -p "$work"
rm -f "$work/pool-res.dump" "$work/pool-res.db"
WCPROF=1 WCPROF_OUT="$work/pool-res.dump" "$pool" --tasks 200 >/dev/null 2>&1
"$ingest" -q -o "$work/pool-res.db" "$work/pool-res.dump"
got=$("$wcprof" -list -noheader "$work/pool-res.db" \
    "SELECT resource, holds, waits > 0, critical_hold_ns > 0 FROM resource_stats WHERE resource = 'index.lock'" \
    "SELECT count(*) FILTER (WHERE resolved_by = 'hold') * 10 >= count(*) * 9 FROM v_waits WHERE resource = 'index.lock'")
want='index.lock|200|1|1
1'
if [ "$got" != "$want" ]; then
    printf 'FAIL: want\n%s\ngot\n%s\n' "$want" "$got"
    exit 1
fi
echo "ok: index.lock: 200 holds, its waits resolved to holds"
