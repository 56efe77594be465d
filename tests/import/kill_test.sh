#!/bin/sh
# kill_test.sh - wcprof-ingest killed (SIGKILL) in the middle of a dump leaves
# the database exactly as it was: same contents, integrity check ok, and the
# same dump then loads completely.
# usage: kill_test.sh INGEST GEN WORK_DIR BASE_DUMP
set -eu
ingest=$1 gen=$2 work=$3 base=$4
mkdir -p "$work"
db="$work/kill.db" big="$work/kill-big.dump"
rm -f "$db" "$db-journal" "$db-wal"
"$gen" -n 1000000 -s 7 -o "$big"
"$ingest" -q -o "$db" "$base"
before=$(sqlite3 "$db" .dump | cksum)
for delay in 0.3 1.0; do
    "$ingest" -q -o "$db" "$big" &
    pid=$!
    sleep "$delay"
    if ! kill -KILL "$pid" 2>/dev/null; then
        echo "FAIL: the ingest finished within ${delay}s; the test needs a bigger dump"; exit 1
    fi
    wait "$pid" 2>/dev/null || true
    [ -f "$db-journal" ] || echo "note: no journal left after the kill at ${delay}s"
    check=$(sqlite3 "$db" "PRAGMA integrity_check")
    [ "$check" = ok ] || { echo "FAIL: integrity_check: $check"; exit 1; }
    after=$(sqlite3 "$db" .dump | cksum)
    [ "$after" = "$before" ] || { echo "FAIL: the database changed after a kill at ${delay}s"; exit 1; }
    echo "ok: killed after ${delay}s, database unchanged"
done
"$ingest" -q -o "$db" "$big"
ops=$(sqlite3 "$db" "SELECT ops FROM runs ORDER BY id DESC LIMIT 1")
[ "$ops" -gt 100000 ] || { echo "FAIL: the full load has $ops ops"; exit 1; }
echo "ok: then loaded completely ($ops ops)"
rm -f "$big"
