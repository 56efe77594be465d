#!/bin/sh
# run-otlp.sh - OTLP JSON and Jaeger JSON ingest against the Chrome import of
# the same ops and against SQLite alone inserting the same rows, in one run:
# spans/s and events/s (medians of RUNS), peak RSS, the ratio to SQLite alone.
#   bench/ingest/run-otlp.sh [BUILD_DIR] [RUNS] [SPANS]
set -eu
build=${1:-build} runs=${2:-3} spans=${3:-1000000}
dir=${TMPDIR:-/tmp}/wcprof-bench
mkdir -p "$dir"
[ -f "$dir/otlp-$spans.jsonl" ] && [ -f "$dir/jaeger-$spans.json" ] && [ -f "$dir/dump-$spans.ndjson" ] ||
    "$build/bin/wcprof-bench-otlp" -g "$spans" "$dir"
ls -l "$dir/otlp-$spans.jsonl" "$dir/jaeger-$spans.json" "$dir/chrome-$spans.json" "$dir/dump-$spans.ndjson"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
"$build/bin/wcprof-bench-ingest" -r "$runs" "$dir/otlp-$spans.jsonl" "$dir/jaeger-$spans.json" \
    "$dir/chrome-$spans.json" "$dir/dump-$spans.ndjson"
