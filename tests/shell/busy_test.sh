#!/bin/sh
# busy_test.sh - busy is busy: a database another process has locked is
# "locked by another process" (after -busy-timeout / --busy-timeout MS),
# never "not a wcprof database"; a longer timeout waits for it; a reader
# that outlasts the timeout at an ingest's commit is named, nothing
# loaded; -readonly on a database with a hot journal says what to do.
# usage: busy_test.sh WCPROF INGEST GEN WORK_DIR DUMP
set -u
wcprof=$1 ingest=$2 gen=$3 work=$4 dump=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }
"$ingest" -q -o db "$dump" || exit 1
"$gen" -n 2000 -s 5 -o more.dump || exit 1

# SQL sent to a sqlite3 of our own on a FIFO: it holds what it took until killed
hold() { # hold FIFO SQL: starts sqlite3 on db, reading FIFO; sets $holder
    rm -f "$1" && mkfifo "$1"
    sqlite3 "${3:-db}" <"$1" >/dev/null 2>&1 &
    holder=$!
    exec 3>"$1"
    echo "$2" >&3
    sleep 0.5
}
release() { kill -KILL "$holder" 2>/dev/null; wait "$holder" 2>/dev/null; exec 3>&-; }

hold lk "BEGIN EXCLUSIVE;"
"$wcprof" -busy-timeout 200 db .summary >/dev/null 2>err && no "the shell read a locked database"
grep -q '"db": the database is locked by another process (waited 200 ms for it)' err ||
    no "shell: $(cat err)"
"$ingest" --busy-timeout 200 -q -o db more.dump 2>err && no "ingest wrote a locked database"
grep -q '"db": the database is locked by another process (waited 200 ms for it)' err ||
    no "ingest: $(cat err)"
grep -q "not a wcprof database\|no runs" err && no "a lock read as: $(cat err)"
# a longer timeout waits: the lock goes after 1 s
(sleep 1; kill -KILL $holder) &
"$wcprof" -busy-timeout 20000 db "SELECT count(*) > 0 FROM ops" >out 2>err || no "waiting: $(cat err)"
[ "$(cat out)" = 1 ] || no "waiting: $(cat out) $(cat err)"
release

# a reader holding the database past an ingest's commit
before=$(sqlite3 db "SELECT count(*) FROM dumps")
hold rd "BEGIN; SELECT count(*) FROM ops;"
"$ingest" --busy-timeout 300 -q -o db more.dump 2>err && no "the ingest committed under a reader"
grep -q "the database is locked by another process (a reader kept it past the busy timeout): nothing was loaded" err ||
    no "commit: $(cat err)"
release
[ "$(sqlite3 db "SELECT count(*) FROM dumps")" = "$before" ] || no "a refused commit left a dump"

# -readonly and a hot journal: a writer killed in the middle of a transaction
"$ingest" -q -o hot.db more.dump || exit 1
hold hj "PRAGMA cache_size = 2; BEGIN; DELETE FROM ops;" hot.db
sleep 0.5
release
[ -s hot.db-journal ] || no "no hot journal was left (the test needs one)"
"$wcprof" -readonly hot.db .summary >/dev/null 2>err && no "-readonly read a database with a hot journal"
grep -q "has a transaction a writer left unfinished (a hot journal, hot.db-journal).*open it once without -readonly" err ||
    no "hot journal: $(cat err)"

"$wcprof" db ".timeout x" >/dev/null 2>err && no ".timeout x accepted"
"$wcprof" db ".timeout 100" "SELECT 'ok'" >out 2>err && [ "$(cat out)" = ok ] || no ".timeout 100: $(cat err)"
[ $fail = 0 ] && echo "ok: a locked database says so, waits when told, and a hot journal says what to do"
exit $fail
