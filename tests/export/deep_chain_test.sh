#!/bin/sh
# deep_chain_test.sh - a chain of 100,000 ops, each the parent of the next
# (deep_chain.sh): every folded weight written in bounded stacks (1000
# frames, then "deeper"; the weights summing to the run's total), the
# chrome and html exports complete (no walk recursing over depth), and
# max_depth=0 keeps every frame of a shorter chain.
# usage: deep_chain_test.sh WCPROF INGEST WORK_DIR
set -u
wcprof=$1 ingest=$2 work=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }
n=100000
sh "$here/deep_chain.sh" $n >deep.dump && "$ingest" -q -o deep.db deep.dump || exit 1
for w in self wall critical; do
    "$wcprof" deep.db ".export folded $w.folded --weight $w" >/dev/null || { no "folded $w failed"; continue; }
    lines=$(wc -l <$w.folded)
    [ "$lines" = 1001 ] || no "folded $w: $lines lines, want 1001"
    deepest=$(awk '{ k = split($1, f, ";"); if (k > m) { m = k; last = f[k] } } END { print m, last }' $w.folded)
    [ "$deepest" = "1001 deeper" ] || no "folded $w: the deepest stack is $deepest, want 1001 frames ending in deeper"
    total=$(awk '{ t += $NF } END { printf "%d", t }' $w.folded)
    # each op has 2 ns of self (and of wall) time, the leaf 1; the critical path is the makespan
    [ "$total" = $((2 * n - 1)) ] || no "folded $w: the weights sum to $total, want $((2 * n - 1))"
done
"$wcprof" deep.db ".export chrome deep.json" >/dev/null || no "chrome failed"
"$wcprof" deep.db ".export html deep.html" >/dev/null || no "html failed"
sh "$here/deep_chain.sh" 3000 >short.dump && "$ingest" -q -o short.db short.dump || exit 1
"$wcprof" short.db ".export folded all.folded --max-depth 0" >/dev/null || no "max_depth 0 failed"
[ "$(wc -l <all.folded)" = 3000 ] || no "max_depth 0: $(wc -l <all.folded) lines, want 3000"
grep -q deeper all.folded && no "max_depth 0 cut a stack"
[ $fail = 0 ] && echo "ok: a $n-deep chain exported in bounded stacks"
exit $fail
