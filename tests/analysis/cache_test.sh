#!/bin/sh
# cache_test.sh - the extension keeps one run's model per connection and
# rebuilds it when the database changes: in ONE sqlite3 session, a dump of
# the same run ingested by another process (the file's data version
# changes), then a write through this connection (its change count
# changes), must each show in the next answer.
#
# usage: cache_test.sh INGEST SQLITE3 MODULE WORK_DIR
set -eu
ingest=$1 sqlite=$2 module=$3 work=$4
mkdir -p "$work"
db="$work/cache.db"
rm -f "$db"
cat >"$work/cache-1.dump" <<'D'
{"schema_version":1,"epoch_unix_nano":7,"dumped_unix_nano":107,"dropped_events":0,"event_count":1,"strings":["","q1"]}
{"e":"op","k":"session_phase","w":"engine","o":"ok","id":1,"c":1,"s":0,"d":100000000}
D
cat >"$work/cache-2.dump" <<'D'
{"schema_version":1,"epoch_unix_nano":7,"dumped_unix_nano":507,"dropped_events":0,"event_count":1,"strings":["","q2"]}
{"e":"op","k":"session_phase","w":"engine","o":"ok","id":2,"c":1,"s":200000000,"d":500000000}
D
"$ingest" -q -o "$db" "$work/cache-1.dump"
preload=${WCPROF_SQLITE3_PRELOAD:-}
out=$(env ${preload:+LD_PRELOAD="$preload"} "$sqlite" -batch -list "$db" <<S
.load $module
SELECT 'first', baseline_ns FROM replay_summary;
SELECT 'again', baseline_ns FROM replay_summary;
.system "$ingest" -q -o "$db" "$work/cache-2.dump"
SELECT 'other process', baseline_ns, (SELECT count(*) FROM runs) FROM replay_summary;
DELETE FROM ops WHERE id = 2;
SELECT 'this connection', baseline_ns FROM replay_summary;
S
)
want='first|100000000
again|100000000
other process|500000000|1
this connection|100000000'
if [ "$out" != "$want" ]; then
    printf 'FAIL: got\n%s\nwanted\n%s\n' "$out" "$want"
    exit 1
fi
echo "ok: the model follows the database"
