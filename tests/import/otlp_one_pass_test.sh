#!/bin/sh
# otlp_one_pass_test.sh - the OTLP reader reads each object in one pass once
# its line is in the buffer, and reads again, whole first, an object that
# goes on past the buffer (import/README.md, "Reading"). The same spans
# written three ways must give the same database:
#   lines.jsonl   JSON Lines as the file exporter writes them (~330 KB a line)
#   one.json      the same spans as one TracesData object on one line (>1 MiB:
#                 the buffer grows to the line, read in one pass)
#   pretty.json   that object cut into a line per span (>1 MiB on many lines:
#                 the one-pass read runs out of buffer, is taken back, and the
#                 object is read again whole)
#
# usage: otlp_one_pass_test.sh INGEST BENCH_OTLP WORK_DIR
set -eu
ingest=$1 gen=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
"$gen" -g 8000 "$work" >/dev/null
mv "$work/otlp-8000.jsonl" "$work/lines.jsonl"
n=$(wc -l <"$work/lines.jsonl")
[ "$n" -ge 3 ] || { echo "FAIL: expected several lines, got $n"; exit 1; }
# one object: the resourceSpans of every line in one array
sed -e '1!s/^{"resourceSpans":\[/,/' -e '$!s/\]}$//' "$work/lines.jsonl" | tr -d '\n' >"$work/one.json"
echo >>"$work/one.json"
sed 's/},{"traceId"/},\n{"traceId"/g' "$work/one.json" >"$work/pretty.json"
[ "$(wc -c <"$work/one.json")" -gt 2097152 ] || { echo "FAIL: one.json is too small"; exit 1; }
[ "$(wc -l <"$work/pretty.json")" -gt 1000 ] || { echo "FAIL: pretty.json has too few lines"; exit 1; }
rows() {
    sqlite3 "$1" "SELECT * FROM ops ORDER BY run_id, id; SELECT * FROM waits ORDER BY 1, 2, 3, 4, 5;
                  SELECT * FROM links ORDER BY 1, 2, 3, 4, 5; SELECT * FROM strings ORDER BY id;
                  SELECT epoch_unix_nano, ops, waits, links FROM runs ORDER BY id;
                  SELECT event_count, ops_added, waits_added, links_added, extra FROM dumps ORDER BY id;"
}
for f in lines.jsonl one.json pretty.json; do
    "$ingest" -q -o "$work/$f.db" "$work/$f"
    rows "$work/$f.db" >"$work/$f.rows"
done
[ "$(grep -c . "$work/lines.jsonl.rows")" -gt 8000 ] || { echo "FAIL: too few rows"; exit 1; }
# the object counts differ (one TracesData against several): not in the rows compared
diff "$work/lines.jsonl.rows" "$work/one.json.rows" >/dev/null ||
    { echo "FAIL: one object on one line loads differently from JSON Lines"; exit 1; }
diff "$work/lines.jsonl.rows" "$work/pretty.json.rows" >/dev/null ||
    { echo "FAIL: one object on many lines loads differently from JSON Lines"; exit 1; }
echo "ok: $n lines, one line of $(wc -c <"$work/one.json") bytes, and $(wc -l <"$work/pretty.json") lines: the same rows"
