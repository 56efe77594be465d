#!/bin/sh
# bench_files_test.sh - wcprof-bench-otlp's OTLP file and its wcprof dump
# hold the same ops (bench/ingest/run-otlp.sh loads the dump as the floor a
# span reader could reach, so it must be what the OTLP import makes of its
# file): loaded, the two give the same ops' fields (ids aside: the OTLP
# import numbers by start, the dump keeps the generator's), the same
# waits and targets, the same runs summary and the same ranking.
#
# usage: bench_files_test.sh INGEST WCPROF BENCH_OTLP WORK_DIR
set -eu
ingest=$1 wcprof=$2 gen=$3 work=$4
rm -rf "$work"
mkdir -p "$work"
"$gen" -g 2600 "$work" >/dev/null
q() {
    "$wcprof" -list "$1" \
        "SELECT kind, class, ident, client, work_type, outcome, start_ns, end_ns, self_ns,
                (SELECT p.start_ns || '/' || p.class FROM v_ops p WHERE p.run_id = o.run_id AND p.id = o.parent_id)
         FROM v_ops o ORDER BY start_ns, end_ns, class, ident" \
        "SELECT w.start_ns, w.end_ns, a.class, a.start_ns, b.class, b.start_ns FROM v_waits w
         JOIN v_ops a ON a.run_id = w.run_id AND a.id = w.waiter_id
         JOIN v_ops b ON b.run_id = w.run_id AND b.id = w.target_id ORDER BY 1, 2, 4" \
        "SELECT ops, waits, roots, first_start_ns, last_end_ns, makespan_ns FROM runs" \
        ".rank 10"
}
for f in otlp-2600.jsonl dump-2600.ndjson; do
    "$ingest" -q -o "$work/$f.db" "$work/$f"
    q "$work/$f.db" >"$work/$f.out"
done
[ "$(grep -c . "$work/otlp-2600.jsonl.out")" -gt 2800 ] || { echo "FAIL: too few rows"; exit 1; }
diff "$work/otlp-2600.jsonl.out" "$work/dump-2600.ndjson.out" >"$work/diff" ||
    { echo "FAIL: the OTLP file and the dump differ:"; head -20 "$work/diff"; exit 1; }
echo "ok: the bench's OTLP file and dump hold the same ops"
