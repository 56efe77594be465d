#!/bin/sh
# clang_trace_test.sh - a trace from a real producer: clang -ftime-trace writes
# a Chrome trace (the object form, one line, X events in the order they end,
# a "Total NAME" summary event per kind of work on threads of its own, M events
# naming the process and thread). It is generated here from a small C file,
# ingested with auto-detection, and checked: every X event but the totals is
# an op, they nest into one tree under ExecuteCompiler on clang's thread (so
# the self times add up to its span, and the replay reproduces it exactly),
# the totals are reported as ignored, and the shell's analyses run on it.
# Exit 77 (ctest: skipped) when clang is not installed.
# usage: clang_trace_test.sh INGEST SHELL WORK_DIR
set -eu
ingest=$1 shell=$2 work=$3
if ! command -v clang >/dev/null 2>&1; then
    echo "SKIP: clang is not installed (apt-get install clang)"
    exit 77
fi
mkdir -p "$work"
cd "$work"
rm -f x.json x.o x.db x.err
cat > x.c <<'EOF'
#include <stdio.h>
#include <string.h>
struct point { int x, y; };
static int dist2(struct point a, struct point b) { return (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y); }
int main(int argc, char **argv)
{
    struct point p = {argc, 2}, q = {3, (int)strlen(argv[0])};
    printf("%d\n", dist2(p, q));
    return 0;
}
EOF
clang -ftime-trace -ftime-trace-granularity=0 -c x.c -o x.o
[ -s x.json ] || { echo "FAIL: clang wrote no x.json"; exit 1; }

fail() { echo "FAIL: $*"; exit 1; }
q() { sqlite3 x.db "$1"; }

"$ingest" -o x.db x.json 2>x.err || { cat x.err; fail "wcprof-ingest refused clang's trace"; }
x_events=$(grep -o '"ph":"X"' x.json | wc -l)
totals=$(grep -o '"name":"Total ' x.json | wc -l)
[ "$totals" -gt 0 ] || fail "no Total events in clang's trace: has its shape changed?"
ops=$(q "SELECT count(*) FROM ops")
[ "$ops" -eq $((x_events - totals)) ] || fail "$ops ops, expected $x_events X events - $totals totals"
grep -q "note: ignored $totals events: $totals clang totals" x.err || { cat x.err; fail "the totals were not reported"; }

# one tree on clang's thread, under ExecuteCompiler
[ "$(q "SELECT group_concat(class_key) FROM v_ops WHERE parent_id IS NULL")" = "slice:ExecuteCompiler" ] ||
    fail "roots: $(q "SELECT group_concat(class_key) FROM v_ops WHERE parent_id IS NULL")"
[ "$(q "SELECT count(DISTINCT thread_id) FROM ops")" -eq 1 ] || fail "ops on more than one thread"
[ "$(q "SELECT json_extract(extra, '\$.misnested') FROM dumps")" -eq 0 ] || fail "misnested slices"
[ "$(q "SELECT json_extract(extra, '\$.threads[0].name') FROM dumps")" = clang ] || fail "thread name"
for c in Frontend Source Backend CodeGenPasses; do
    [ "$(q "SELECT count(*) FROM v_ops WHERE class_key = 'slice:$c'")" -gt 0 ] || fail "no slice:$c op"
done
# Source's ident is the file it parsed (args.detail)
[ "$(q "SELECT count(*) FROM v_ops WHERE class_key = 'slice:Source' AND ident LIKE '%stdio.h'")" -eq 1 ] ||
    fail "no Source op with ident .../stdio.h"
# properly nested on one thread: self times add up to the span
[ "$(q "SELECT sum(self_ns) = (SELECT span_ns FROM runs) FROM ops")" -eq 1 ] || fail "self times do not add up to the span"

# the analyses: the replay reproduces the compile exactly, the critical path adds up
out=$("$shell" -list -noheader x.db .summary) || fail ".summary failed"
echo "$out" | grep -q "^$ops|1|0|0|0|" || fail ".summary: $out"
baseline=$("$shell" -list -noheader x.db "SELECT baseline_ns FROM replay_summary") || fail "replay_summary failed"
[ "$baseline" -eq "$(q "SELECT makespan_ns FROM runs")" ] || fail "baseline $baseline != makespan"
[ "$("$shell" -list -noheader x.db "SELECT sum(dur_ns) FROM critical_path()")" -eq "$baseline" ] ||
    fail "the critical path does not add up to the baseline"
"$shell" -list -noheader x.db ".rank --min-self 0" >rank.out || fail ".rank failed"
classes=$(q "SELECT count(DISTINCT class_key) FROM v_ops")
[ "$(wc -l <rank.out)" -eq "$classes" ] || fail ".rank --min-self 0: $(wc -l <rank.out) rows for $classes classes"
grep -q "^slice:ExecuteCompiler|" rank.out || fail ".rank: no ExecuteCompiler row"

# the same file again changes nothing, not even a dumps row
"$ingest" -q -o x.db x.json
[ "$(q "SELECT count(*) || ' ' || sum(ops_added) FROM dumps")" = "1 $ops" ] || fail "loading it again added something"
echo "ok: clang -ftime-trace: $ops ops, $totals totals ignored, baseline $baseline ns"
