#!/bin/sh
# otlp_vs_dump.sh - a Dagger-style graph (call -> call_exec -> exec, a second
# call joining through a singleflight wait, a lazy op whose op parent is
# wcprof.parent rather than its span parent, an exec's argv as metadata)
# given twice: as a wcprof dump (dagger-style/graph.dump) and as the OTLP
# JSON Lines Dagger's engine would export (dagger-style/graph.otlp.json).
# Every analysis of the two databases must be the same.
#
# usage: otlp_vs_dump.sh INGEST SHELL CASE_DIR WORK_DIR
set -eu
ingest=$1 shell=$2 dir=$3 work=$4
mkdir -p "$work"
rm -f "$work/dump.db" "$work/otlp.db"
"$ingest" -q -o "$work/dump.db" "$dir/graph.dump"
"$ingest" -q -o "$work/otlp.db" "$dir/graph.otlp.json"
analyses='.summary
.critpath
.rank --min-self 0
.rank --by meta
.selftime
.chain
.whatif exec:exec=0.5
SELECT id, parent_id, class_key, ident, client, work_type, outcome, start_ns, end_ns, self_ns, is_open, meta FROM v_ops ORDER BY id;
SELECT waiter_id, target_id, reason, resource, start_ns, end_ns FROM v_waits ORDER BY waiter_id;
SELECT meta, count(*), sum(self_ns) FROM v_ops GROUP BY meta ORDER BY meta;
SELECT epoch_unix_nano, ops, roots, waits, links, span_ns, makespan_ns, warning FROM run_summary;'
echo "$analyses" | "$shell" -list -header "$work/dump.db" >"$work/dump.out" 2>&1
echo "$analyses" | "$shell" -list -header "$work/otlp.db" >"$work/otlp.out" 2>&1
[ "$(grep -c . "$work/dump.out")" -gt 20 ] || { echo "FAIL: too little output"; cat "$work/dump.out"; exit 1; }
# .critpath shows the exec's argv (its meta column), from either input
grep -q '^3|4|exec:exec|self||20000|80000|60000|\["go","build","\./\.\.\."\]$' "$work/otlp.out" ||
    { echo "FAIL: .critpath does not show the exec's metadata"; exit 1; }
# .rank --by meta: the exec's argv with its self time, all of it on the critical path,
# and what scaling it saves at 0, 0.5, 0.9: all, half, a tenth of it (nothing runs beside it)
grep -q '^\["go","build","\./\.\.\."\]|1|60000|60000|60000|30000|6000$' "$work/otlp.out" ||
    { echo "FAIL: .rank --by meta does not rank the exec's argv"; exit 1; }
diff -u "$work/dump.out" "$work/otlp.out" || { echo "FAIL: the OTLP trace's analyses differ from the dump's"; exit 1; }
echo "ok: the same analyses ($(wc -l <"$work/otlp.out") lines)"
