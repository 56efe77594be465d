#!/bin/sh
# run.sh - the analysis benchmark on generated runs of about 100K, 1M and
# 4M ops (wcprof-gen writes about 1.37 event lines per op), one process each.
#   bench/analysis/run.sh [BUILD_DIR] [RUNS]
set -eu
build=${1:-build} runs=${2:-3}
dir=${TMPDIR:-/tmp}/wcprof-bench
mkdir -p "$dir"
for ops in 100000 1000000 4000000; do
    events=$((ops * 137 / 100))
    db="$dir/ops-$ops.db"
    if [ ! -f "$db" ]; then
        "$build/bin/wcprof-gen" -n $events -s 1 -o "$dir/ops-$ops.dump"
        "$build/bin/wcprof-ingest" -q -o "$db" "$dir/ops-$ops.dump"
        rm -f "$dir/ops-$ops.dump"
    fi
    "$build/bin/wcprof-bench-analysis" -r "$runs" "$db"
done
