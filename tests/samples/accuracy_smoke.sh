#!/bin/sh
# accuracy_smoke.sh - the truth suite's scripts still work end to end
# (bench/accuracy/run.sh and summary.sh; issue 16): one program (workers),
# three recordings, one real run per median. Asserts the shape of what
# they print, never a number: the machine's noise is the suite's to
# measure, not a test's. For each of the planted class's two factors a row
# with a signed error, a spread and a rec_spread; the recordings' line with
# three makespans and the one chosen; the planted class ranked (its rank
# a number); summary.sh counting the pass's rows with a knob.
#
# usage: accuracy_smoke.sh SOURCE_DIR BIN_DIR WORK_DIR
set -eu
src=$1 bin=$2 work=$3
fail() {
    echo "FAIL: $*"
    [ -f "$work/out" ] && cat "$work/out"
    exit 1
}
mkdir -p "$work"
WCPROF_BIN=$bin ONLY=workers RECORDINGS=3 sh "$src/bench/accuracy/run.sh" 1 >"$work/out" 2>"$work/err" ||
    fail "run.sh exited $?: $(cat "$work/err")"
grep -q '^machine: .*1 runs per median; 3 recordings$' "$work/out" || fail "no machine line"
grep -Eq '^# workers: recorded makespans [0-9.]+, [0-9.]+, [0-9.]+ ms; predicting from recording [123] \(the median\)$' \
    "$work/out" || fail "no line of the three recordings"
for f in 0.5 0; do
    grep -Eq "^workers +exec:job.run +$f +-?[0-9.]+ +-?[0-9.]+% +-?[0-9.]+ +-?[0-9.]+% +[+-][0-9.]+ +[0-9]+% +[0-9.]+ [0-9]+$" \
        "$work/out" || fail "no row for exec:job.run at $f"
done
sh "$src/bench/accuracy/summary.sh" "$work/out" >"$work/summary" || fail "summary.sh exited $?"
grep -Eq '^pass 1: [0-9]+ of [1-9][0-9]* rows within 5 points; planted class first: ' "$work/summary" ||
    fail "summary.sh: no pass line: $(cat "$work/summary")"
grep -Eq '^workers +exec:job.run +0 +1 +[+-][0-9.]+ ' "$work/summary" ||
    fail "summary.sh: no row for exec:job.run at 0: $(cat "$work/summary")"
echo "ok: run.sh and summary.sh on workers"
