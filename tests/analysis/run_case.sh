#!/bin/sh
# run_case.sh - one hand-built case of the analyses, a folder of files:
#
#   cases/NAME/input.dump   a small dump (times in round milliseconds); or
#                           input.1.dump, input.2.dump, ... ingested in name order;
#                           or input.json, a Chrome trace
#   cases/NAME/check.sql    queries of the analyses; its first line, a `-- `
#                           comment, says which rule it tests and why the
#                           numbers are what they are
#   cases/NAME/expected     the exact output of check.sql, written by hand
#                           from docs/spec/analysis.md and model/README.md
#   cases/NAME/expected.err optional: sqlite3's error messages, exactly (bad
#                           arguments must say what was expected)
#
# The dumps are ingested into a fresh database, then check.sql runs twice and
# both outputs must equal `expected`:
#   1. sqlite3 -batch -header -list DB, with `.load MODULE` as its first line;
#   2. the wcprof shell, which registers the analyses itself:
#      wcprof -list -header DB < check.sql   (skipped when SHELL is "none").
#
# usage: run_case.sh INGEST SQLITE3 MODULE SHELL CASE_DIR WORK_DIR
# With WCPROF_SQLITE3_PRELOAD set (sanitizer builds), sqlite3 runs with it as
# LD_PRELOAD, so that it can load a sanitized module.
set -eu
ingest=$1 sqlite=$2 module=$3 shell=$4 case=$5 work=$6
name=$(basename "$case")
mkdir -p "$work"
db="$work/$name.db"
rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
cd "$case"

set -- $(ls input*.dump input*.json 2>/dev/null)
if ! "$ingest" -q -o "$db" "$@" 2>"$work/$name.ingest.err"; then
    echo "FAIL: wcprof-ingest refused $*:"; cat "$work/$name.ingest.err"; exit 1
fi

fail=0
preload=${WCPROF_SQLITE3_PRELOAD:-}
{ printf '.load %s\n' "$module"; cat check.sql; } |
    env ${preload:+LD_PRELOAD="$preload"} "$sqlite" -batch -header -list "$db" >"$work/$name.sqlite3.out" 2>"$work/$name.sqlite3.err" || true
if ! diff -u expected "$work/$name.sqlite3.out"; then
    echo "FAIL: sqlite3 + .load: output differs from expected (- expected, + got)"
    cat "$work/$name.sqlite3.err"
    fail=1
fi
# expected.err (optional): sqlite3's error messages, exactly
if [ -f expected.err ] && ! diff -u expected.err "$work/$name.sqlite3.err"; then
    echo "FAIL: sqlite3 + .load: error messages differ from expected.err (- expected, + got)"
    fail=1
fi

if [ "$shell" != none ]; then
    "$shell" -list -header "$db" <check.sql >"$work/$name.wcprof.out" 2>"$work/$name.wcprof.err" || true
    if ! diff -u expected "$work/$name.wcprof.out"; then
        echo "FAIL: wcprof shell: output differs from expected (- expected, + got)"
        cat "$work/$name.wcprof.err"
        fail=1
    fi
fi
[ "$fail" = 0 ] && echo "ok: $(head -n 1 check.sql)"
exit $fail
