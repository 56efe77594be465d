#!/bin/sh
# foreign_db_test.sh - wcprof-ingest -o never writes to a file that is not a
# wcprof database: a text file, a SQLite database of someone else's, a
# directory. Each is refused with a clear message and left byte-identical.
# usage: foreign_db_test.sh INGEST WORK_DIR DUMP
set -eu
ingest=$1 work=$2 dump=$3
rm -rf "$work"
mkdir -p "$work/adir"
printf 'not a database\n' > "$work/notes.txt"
sqlite3 "$work/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);"
check() {   # check TARGET EXPECTED-MESSAGE
    before=$(ls -l "$1"; [ -f "$1" ] && cksum < "$1" || true)
    if "$ingest" -q -o "$1" "$dump" 2>"$work/err"; then
        echo "FAIL: $1 was accepted"; exit 1
    fi
    grep -qF -- "$2" "$work/err" || { echo "FAIL: for $1 expected: $2"; cat "$work/err"; exit 1; }
    after=$(ls -l "$1"; [ -f "$1" ] && cksum < "$1" || true)
    [ "$before" = "$after" ] || { echo "FAIL: $1 changed"; exit 1; }
    echo "ok: $(cat "$work/err")"
}
check "$work/notes.txt" "is not a wcprof database (file is not a database)"
check "$work/other.db" "is not a wcprof database (it is an SQLite database without the wcprof schema)"
check "$work/adir" "it is a directory"
