#!/bin/sh
# run-chrome.sh - Chrome trace ingest (MB/s, peak RSS) on generated traces of
# about 25, 100 and 150 MB (175K, 700K and 1M events, deterministic).
#   bench/ingest/run-chrome.sh [BUILD_DIR] [RUNS]
set -eu
build=${1:-build} runs=${2:-3}
dir=${TMPDIR:-/tmp}/wcprof-bench
mkdir -p "$dir"
for n in 175000 700000 1000000; do
    [ -f "$dir/chrome-$n.json" ] || "$build/bin/wcprof-bench-chrome" -g $n -s 1 "$dir/chrome-$n.json"
done
"$build/bin/wcprof-bench-chrome" -r "$runs" "$dir/chrome-175000.json" "$dir/chrome-700000.json" \
    "$dir/chrome-1000000.json"
