#!/bin/sh
# run.sh - the ingest benchmark on generated dumps of 100K, 1M and 4M events.
#   bench/ingest/run.sh [BUILD_DIR] [RUNS]
set -eu
build=${1:-build} runs=${2:-3}
dir=${TMPDIR:-/tmp}/wcprof-bench
mkdir -p "$dir"
for n in 100000 1000000 4000000; do
    [ -f "$dir/gen-$n.dump" ] || "$build/bin/wcprof-gen" -n $n -s 1 -o "$dir/gen-$n.dump"
done
"$build/bin/wcprof-bench-ingest" -r "$runs" "$dir/gen-100000.dump" "$dir/gen-1000000.dump" "$dir/gen-4000000.dump"
