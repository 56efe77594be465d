#!/bin/sh
# usage_test.sh - wcprof-ingest's usage errors: status 2, the error first and
# a short hint (not a screen of help above which the error scrolls away);
# --help prints the whole help on stdout with status 0; no file at all
# prints it on stderr with status 2. A database given first, as sqlite3
# takes it (`wcprof-ingest out.db trace.json`), is refused before anything is
# written, with the right command; a database among the dumps is refused
# as not a trace.
#
# usage: usage_test.sh INGEST WORK_DIR DUMP
set -u
ingest=$1 work=$2 dump=$3
rm -rf "$work"
mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }

check_error() { # ARGS... : status 2, the error, the hint, at most 3 lines
    "$ingest" "$@" >"$work/out" 2>"$work/err"
    st=$?
    [ "$st" -eq 2 ] || fail "$*: status $st, expected 2"
    [ ! -s "$work/out" ] || fail "$*: wrote to stdout"
    [ "$(wc -l <"$work/err")" -le 3 ] || fail "$*: $(wc -l <"$work/err") lines on stderr: $(cat "$work/err")"
    grep -q "Try 'wcprof-ingest --help'" "$work/err" || fail "$*: no hint: $(cat "$work/err")"
}
check_error --bogus a.dump
grep -q "unrecognized option '--bogus'" "$work/err" || fail "the bad option is not named"
check_error --format xml a.dump
grep -q 'unknown format "xml" (auto, wcprof, chrome, otlp or jaeger)' "$work/err" ||
    fail "the formats are not listed: $(cat "$work/err")"
check_error -o

"$ingest" --help >"$work/out" 2>"$work/err" || fail "--help: status $?"
grep -q -- "--format F" "$work/out" || fail "--help: no --format in the help"
[ ! -s "$work/err" ] || fail "--help wrote to stderr"

"$ingest" >"$work/out" 2>"$work/err"
st=$?
[ "$st" -eq 2 ] || fail "no file: status $st"
grep -q "no dump given" "$work/err" && grep -q -- "--format F" "$work/err" ||
    fail "no file: not the error and the whole help"
# a database first, as sqlite3 takes it: refused, nothing written
"$ingest" -q -o "$work/made.db" "$dump" || fail "loading $dump: status $?"
cp "$work/made.db" "$work/copy.db"
check_error "$work/made.db" "$dump"
grep -q "made.db looks like a database, not a dump: the database is given with -o (wcprof-ingest -o .*made.db DUMP...)" "$work/err" ||
    fail "a database first: $(cat "$work/err")"
cmp -s "$work/made.db" "$work/copy.db" || fail "a database given first was changed"
check_error "$work/new.db" "$dump" # not there yet: named as a database would be
[ ! -e "$work/new.db" ] || fail "a database named first was made"
# a database among the dumps: not a trace, and the dumps beside it load
"$ingest" -q -o "$work/other.db" "$work/made.db" "$dump" 2>"$work/err"
st=$?
[ "$st" -eq 1 ] || fail "a database as a dump: status $st"
grep -q "made.db: an SQLite database, not a trace" "$work/err" || fail "a database as a dump: $(cat "$work/err")"
echo "ok: usage errors short, help whole, a database is not a dump"
