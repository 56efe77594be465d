#!/bin/sh
# accuracy_smoke.sh - the truth suite's scripts still work end to end
# (bench/accuracy/run.sh and summary.sh; issue 16): one program (workers),
# three recordings, one real run per median. Asserts the shape of what
# they print, never a number: the machine's noise is the suite's to
# measure, not a test's. For each of the planted class's two factors a row
# with a signed error, a spread and a rec_spread; the recordings' line with
# three makespans and the one chosen; the planted class ranked (its rank
# a number); summary.sh counting the pass's rows with a knob.
# Refused: RUNS or RECORDINGS not a whole number from 1 (status 2, a
# message, no row); summary.sh on a file with no pass (status 1).
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
# refused, before anything runs: a count that is not a whole number from 1
for bad in "RECORDINGS=0" "RECORDINGS=x"; do
    if env WCPROF_BIN="$bin" ONLY=workers "$bad" sh "$src/bench/accuracy/run.sh" 1 >"$work/bad.out" 2>"$work/bad.err"; then
        fail "run.sh accepted $bad"
    fi
    grep -q 'RUNS and RECORDINGS are whole numbers from 1' "$work/bad.err" || fail "run.sh, $bad: no message"
    [ ! -s "$work/bad.out" ] || fail "run.sh, $bad: printed rows"
done
if sh "$src/bench/accuracy/run.sh" 0 >/dev/null 2>&1; then fail "run.sh accepted 0 runs"; fi
# and a file with no pass in it
echo "not a pass" >"$work/nopass"
if sh "$src/bench/accuracy/summary.sh" "$work/nopass" >"$work/nopass.out" 2>"$work/nopass.err"; then
    fail "summary.sh accepted a file with no pass"
fi
grep -q 'no pass of run.sh' "$work/nopass.err" || fail "summary.sh: no message for a file with no pass"
echo "ok: run.sh and summary.sh on workers"
