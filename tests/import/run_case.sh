#!/bin/sh
# run_case.sh - one end-to-end case of wcprof-ingest, a folder of files:
#
#   bad/NAME/input.dump  + expected.err
#                                    the dump must be refused: exit status 1, a
#                                    stderr line containing `expected.err` (one
#                                    line, "input.dump:LINE: reason"), and the
#                                    database (which holds a good dump already)
#                                    left exactly as it was
#   bad/NAME/input.json  + expected.err
#                                    the same for a Chrome trace
#   good/NAME/input*.dump + check.sql + expected [+ args] [+ status]
#                                    (or input*.json, Chrome traces)
#                                    ingest the inputs (in name order, or as `args`
#                                    lists them; "-" reads input.dump, or input.json,
#                                    from stdin),
#                                    then check.sql's output must equal `expected`
#
# usage: run_case.sh INGEST CASE_DIR WORK_DIR BASE_DUMP
set -eu
ingest=$1 case=$2 work=$3 base=$4
name=$(basename "$case")
mkdir -p "$work"
db="$work/$name.db"
rm -f "$db" "$db-journal"
cd "$case"

fingerprint() { sqlite3 "$db" .dump | cksum; }

if [ -f expected.err ]; then
    "$ingest" -q -o "$db" "$base"
    before=$(fingerprint)
    set +e
    input=input.dump
    [ -f input.json ] && input=input.json
    "$ingest" -q -o "$db" "$input" 2>"$work/$name.stderr"
    status=$?
    set -e
    if [ "$status" -ne 1 ]; then
        echo "FAIL: exit status $status, expected 1"; cat "$work/$name.stderr"; exit 1
    fi
    want=$(cat expected.err)
    if ! grep -qF -- "$want" "$work/$name.stderr"; then
        echo "FAIL: stderr does not contain: $want"; echo "stderr was:"; cat "$work/$name.stderr"; exit 1
    fi
    if [ "$(fingerprint)" != "$before" ]; then
        echo "FAIL: the database changed"; exit 1
    fi
    echo "ok: refused with: $(head -n 1 "$work/$name.stderr")"
    exit 0
fi

if [ -f args ]; then set -- $(cat args); else set -- $(ls input*.dump input*.json 2>/dev/null); fi
want_status=0
[ -f status ] && want_status=$(cat status)
set +e
case " $* " in
*" - "*) "$ingest" -q -o "$db" "$@" < "$(ls input.dump input.json 2>/dev/null | head -n 1)" 2>"$work/$name.stderr" ;;
*) "$ingest" -q -o "$db" "$@" 2>"$work/$name.stderr" ;;
esac
status=$?
set -e
if [ "$status" -ne "$want_status" ]; then
    echo "FAIL: exit status $status, expected $want_status"; cat "$work/$name.stderr"; exit 1
fi
sqlite3 -batch -header -list "$db" < check.sql > "$work/$name.out"
if ! diff -u expected "$work/$name.out"; then
    echo "FAIL: check.sql output differs from expected"; exit 1
fi
echo "ok"
