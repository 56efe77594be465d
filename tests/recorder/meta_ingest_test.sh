#!/bin/sh
# meta_ingest_test.sh - a dump whose ops carry metadata (wcp_op_set_meta:
# `m` on an op event, `meta_id` on an open op) ingests, and each op's
# metadata is its v_ops.meta ('' for none).
# usage: meta_ingest_test.sh INGEST META_DUMP DUMPCHECK WORK_DIR
set -eu
ingest=$1 prog=$2 dumpcheck=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
"$prog" "$work/meta.dump"
"$dumpcheck" --min-ops 3 "$work/meta.dump"
"$ingest" -q -o "$work/meta.db" "$work/meta.dump"
got=$(sqlite3 "$work/meta.db" \
  "SELECT kind || '|' || class || '|' || is_open || '|' || meta FROM v_ops ORDER BY id")
want='call|Container.withExec|0|
exec|exec|0|["go","build","./..."]
io|io.read|0|
exec|exec|1|["go","test","-run","TestX"]'
if [ "$got" != "$want" ]; then
  printf 'FAIL: v_ops:\n%s\nexpected:\n%s\n' "$got" "$want"
  exit 1
fi
echo "ok: op metadata ingested as v_ops.meta"
