#!/bin/sh
# bench/reference/compare.sh - wcprof against the reference analyzer, number
# by number, on many dumps of wcprof-gen (README.md in this folder).
#
#   bench/reference/compare.sh [REFERENCE_DIR]
#
# REFERENCE_DIR (or $WCPROF_REFERENCE): the reference analyzer's source (a
# checkout of it, wherever it is); it is built here with Go. Environment:
#   BUILD   wcprof's build folder (default: build)
#   SIZES   event counts (default: 1000 3000 10000 30000 100000 300000)
#   SEEDS   seeds per size and option set (default: 1 2 3)
#   QUICK=1 sizes 1000 3000 10000 and seeds 1 2, for a first look
#   OPTS    generator option sets, one a line ("-": the defaults)
# Prints every difference (at most 20 per dump), then the totals: dumps
# compared, numbers compared, differences. Exit status 1 when any differ.
set -eu

ref=${1:-${WCPROF_REFERENCE:-}}
if [ -z "$ref" ] || [ ! -f "$ref/go.mod" ]; then
    echo "usage: $0 REFERENCE_DIR (or set WCPROF_REFERENCE): the reference analyzer's source" >&2
    exit 2
fi
command -v go >/dev/null || { echo "$0: needs Go (apt-get install golang-go)" >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
BUILD=${BUILD:-build}
bin=$(cd "$BUILD/bin" && pwd) || { echo "$0: no $BUILD/bin: build wcprof first" >&2; exit 2; }
if [ "${QUICK:-0}" = 1 ]; then
    SIZES=${SIZES:-1000 3000 10000}
    SEEDS=${SEEDS:-1 2}
fi
SIZES=${SIZES:-1000 3000 10000 30000 100000 300000}
SEEDS=${SEEDS:-1 2 3}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
(cd "$ref" && go build -o "$tmp/refan" ./cmd/refan)
go build -o "$tmp/compare" "$here/compare.go"

# The numbers of the one run in a database, in compare.go's order; an empty
# result prints nothing, so each is followed by a separator row.
queries() {
    sep="SELECT 1 AS sep"
    "$bin/wcprof" -json "$1" \
        "SELECT ops, roots, open_ops, orphan_waits, dropped_events, reparented_ops, makespan_ns FROM runs" "$sep" \
        "SELECT baseline_ns, cycles_broken, fallback_anchors FROM replay_summary" "$sep" \
        "SELECT id, self_ns FROM ops ORDER BY id" "$sep" \
        "SELECT class_key, work_type, count, total_self_ns, total_wall_ns, p50_self_ns, p95_self_ns, max_self_ns, outcomes, dup_executed FROM class_stats" "$sep" \
        "SELECT class_key, factor, saved_ns FROM whatif_rank" "$sep" \
        "SELECT op_id FROM blocking_chain ORDER BY seq" "$sep" \
        "SELECT start_ns, end_ns FROM dead_air ORDER BY start_ns" "$sep" \
        "SELECT k.value || ':' || c.value AS class_key, group_concat(DISTINCT w.value) AS work_types FROM ops o JOIN strings k ON k.id = o.kind JOIN strings c ON c.id = o.class_id JOIN strings w ON w.id = o.work_type GROUP BY o.kind, o.class_id HAVING count(DISTINCT o.work_type) > 1" "$sep"
}

# Option sets: every generator option, alone and together. A multi-dump run
# is one dump for the reference: flushed dumps concatenated (its LoadMulti:
# the last header, every event), or the last of the unflushed ones (each
# repeats every earlier event).
OPTS=${OPTS:-'-
--classes 3
--classes 40
--open 25
--dropped 7
--orphans 30
--classes 60 --open 10 --orphans 10 --dropped 1
--dumps 3
--dumps 4 --no-flush
--dumps 2 --open 8 --orphans 5
--quirks 3
--quirks 3 --dumps 3'}

dumps=0 numbers=0 diffs=0
for n in $SIZES; do
    for s in $SEEDS; do
        echo "$OPTS" | while read -r opt; do
            [ "$opt" = - ] && opt=
            rm -f "$tmp"/x.dump* "$tmp/x.db" "$tmp/ref.dump"
            # shellcheck disable=SC2086
            "$bin/wcprof-gen" -n "$n" -s "$s" $opt -o "$tmp/x.dump"
            case "$opt" in
            *--dumps*)
                k=$(echo "$opt" | sed 's/.*--dumps \([0-9]*\).*/\1/')
                files=$(i=1; while [ "$i" -le "$k" ]; do printf '%s ' "$tmp/x.dump.$i"; i=$((i + 1)); done)
                case "$opt" in
                *--no-flush*) cp "$tmp/x.dump.$k" "$tmp/ref.dump" ;;
                *) { head -n 1 "$tmp/x.dump.$k"; for f in $files; do tail -n +2 "$f"; done; } >"$tmp/ref.dump" ;;
                esac ;;
            *) files=$tmp/x.dump; cp "$tmp/x.dump" "$tmp/ref.dump" ;;
            esac
            # shellcheck disable=SC2086
            "$bin/wcprof-ingest" -q -o "$tmp/x.db" $files 2>"$tmp/ingest.err" ||
                { cat "$tmp/ingest.err" >&2; exit 1; }
            "$tmp/refan" -selfmap "$tmp/ref.dump" >"$tmp/ref.json"
            queries "$tmp/x.db" >"$tmp/w.json"
            "$tmp/compare" -label "n=$n seed=$s ${opt:-(defaults)}: " "$tmp/ref.json" "$tmp/w.json" \
                >"$tmp/out" || true
            grep -v '^numbers ' "$tmp/out" || true
            tail -n 1 "$tmp/out" >>"$tmp/totals"
        done
    done
done
dumps=$(wc -l <"$tmp/totals")
numbers=$(awk '{s += $2} END {print s + 0}' "$tmp/totals")
diffs=$(awk '{s += $4} END {print s + 0}' "$tmp/totals")
echo "dumps compared: $dumps, numbers compared: $numbers, differences: $diffs ($(uname -m), $(nproc) cores)"
[ "$diffs" = 0 ]
