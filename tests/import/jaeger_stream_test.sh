#!/bin/sh
# jaeger_stream_test.sh - the Jaeger reader reads its one document a piece
# at a time (a member, a trace, a span: import/README.md, "Reading"), so the
# way the document is laid out in lines and where the reads end change
# nothing. The same spans written three ways must give the same database:
#   one.json      the generator's document on one line (>2 MiB)
#   pretty.json   the same cut into a line per span
#   two.json      the same spans as two traces of the same trace id, the
#                 processes before the spans in one and after them in the
#                 other, members before and after "data"
#
# usage: jaeger_stream_test.sh INGEST BENCH_OTLP WORK_DIR
set -eu
ingest=$1 gen=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
"$gen" -g 8000 "$work" >/dev/null
mv "$work/jaeger-8000.json" "$work/one.json"
[ "$(wc -l <"$work/one.json")" -le 1 ] || { echo "FAIL: one.json is not one line"; exit 1; }
[ "$(wc -c <"$work/one.json")" -gt 2097152 ] || { echo "FAIL: one.json is too small"; exit 1; }
sed 's/},{"traceID"/},\n{"traceID"/g' "$work/one.json" >"$work/pretty.json"
[ "$(wc -l <"$work/pretty.json")" -gt 7000 ] || { echo "FAIL: pretty.json has too few lines"; exit 1; }
# two traces: the spans split in the middle, the processes object copied
# before the first half's spans and left after the second's
procs=$(grep -o '"processes":{.*}},"warnings"' "$work/one.json" | sed 's/^"processes"://; s/,"warnings"$//')
head=$(head -c 100 "$work/one.json" | sed 's/^{"data":\[{"traceID":"\([0-9a-f]*\)",.*/\1/')
[ ${#procs} -lt 1000 ] && [ ${#head} -eq 32 ] || { echo "FAIL: unexpected generator output"; exit 1; }
sed -e 's/^{"data":\[{"traceID":"'"$head"'","spans":\[/{"total":1,"data":[{"traceID":"'"$head"'","processes":'"$procs"',"spans":[/' \
    -e 's/},{"traceID":"'"$head"'","spanID":"0000000000000fa1"/}]},\n{"traceID":"'"$head"'","spans":[{"traceID":"'"$head"'","spanID":"0000000000000fa1"/' \
    "$work/one.json" >"$work/two.json"
[ "$(grep -c '"processes"' "$work/two.json")" -eq 2 ] || { echo "FAIL: two.json was not made"; exit 1; }
rows() { # by value: two.json interns the processes' names first
    sqlite3 "$1" "SELECT * FROM v_ops ORDER BY run_id, id; SELECT * FROM v_waits ORDER BY 1, 2, 3, 4, 5;
                  SELECT * FROM v_links ORDER BY 1, 2, 3, 4, 5;
                  SELECT epoch_unix_nano, ops, waits, links FROM runs ORDER BY id;"
}
for f in one.json pretty.json two.json; do
    "$ingest" -q --format jaeger -o "$work/$f.db" "$work/$f"
    rows "$work/$f.db" >"$work/$f.rows"
done
[ "$(sqlite3 "$work/one.json.db" 'SELECT count(*) FROM ops')" -ge 8000 ] || { echo "FAIL: fewer than 8000 ops"; exit 1; }
[ "$(sqlite3 "$work/one.json.db" "SELECT count(DISTINCT client_id) FROM ops WHERE client_id != 0")" -ge 1 ] ||
    { echo "FAIL: no client from the processes"; exit 1; }
diff "$work/one.json.rows" "$work/pretty.json.rows" >/dev/null ||
    { echo "FAIL: a span a line loads differently from one line"; exit 1; }
diff "$work/one.json.rows" "$work/two.json.rows" >/dev/null ||
    { echo "FAIL: two traces of one id load differently from one"; exit 1; }
echo "ok: one line of $(wc -c <"$work/one.json") bytes, $(wc -l <"$work/pretty.json") lines, and two traces: the same rows"
