#!/bin/sh
# new_db_test.sh - a database wcprof-ingest creates and then loads nothing
# into is not left behind: a missing dump, a file that is not a dump, a
# truncated dump or a directory, with -o and with the default name, exit 1
# and leave no file; a database that existed before, or that got a dump,
# stays; a database in a folder that does not exist is refused saying so.
# usage: new_db_test.sh INGEST WORK_DIR DUMP
set -eu
ingest=$1 work=$2 dump=$3
rm -rf "$work"
mkdir -p "$work/adir"
printf 'not a dump\n' > "$work/notes.txt"
head -n 3 "$dump" > "$work/short.dump"
refused() {   # refused ARGS...: exit status 1 and no new.db, no journal
    set +e
    "$ingest" -o "$work/new.db" "$@" 2>"$work/err"
    status=$?
    set -e
    [ "$status" -eq 1 ] || { echo "FAIL: $*: exit status $status"; cat "$work/err"; exit 1; }
    if [ -e "$work/new.db" ] || [ -e "$work/new.db-journal" ]; then
        echo "FAIL: $*: an empty database was left behind"; cat "$work/err"; exit 1
    fi
    grep -qF "nothing loaded: $work/new.db not created" "$work/err" ||
        { echo "FAIL: $*: no word of it"; cat "$work/err"; exit 1; }
    echo "ok: $* refused, nothing created"
}
refused "$work/missing.dump"
grep -qxF "$work/missing.dump: cannot open: No such file or directory" "$work/err" ||
    { echo "FAIL: a missing dump's error is not \"FILE: cannot open: REASON\""; cat "$work/err"; exit 1; }
refused "$work/notes.txt"
refused "$work/short.dump"
refused "$work/adir"
refused "$work/missing.dump" "$work/notes.txt"
# the default name, the first dump's with .db
cp "$work/notes.txt" "$work/notes.dump"
if "$ingest" -q "$work/notes.dump" 2>/dev/null; then echo "FAIL: notes.dump accepted"; exit 1; fi
[ ! -e "$work/notes.db" ] || { echo "FAIL: notes.db left behind"; exit 1; }
# one dump refused, one loaded: the database stays, with the one run
if "$ingest" -q -o "$work/new.db" "$work/missing.dump" "$dump" 2>/dev/null; then
    echo "FAIL: a missing dump was accepted"; exit 1
fi
[ "$(sqlite3 "$work/new.db" 'SELECT count(*) FROM runs')" = 1 ] || { echo "FAIL: new.db lost its run"; exit 1; }
# a database that existed before stays, even with no run in it
sqlite3 "$work/new.db" 'DELETE FROM runs'
if "$ingest" -q -o "$work/new.db" "$work/missing.dump" 2>/dev/null; then echo "FAIL: accepted"; exit 1; fi
[ -f "$work/new.db" ] || { echo "FAIL: a database that existed was removed"; exit 1; }
echo "ok: databases that existed or got a dump stay"
# -o in a folder that does not exist: the reason, not SQLite's "unable to
# open database file"
if "$ingest" -q -o "$work/nodir/x.db" "$dump" 2>"$work/err"; then echo "FAIL: accepted"; exit 1; fi
grep -qF "cannot create \"$work/nodir/x.db\": folder \"$work/nodir\": No such file or directory" "$work/err" ||
    { echo "FAIL: no reason for the missing folder"; cat "$work/err"; exit 1; }
echo "ok: $(cat "$work/err")"
# a database the user may not write: said once, up front (as root, checked
# as nobody where runuser is there and nobody can reach the program and the
# files: a checkout under a private folder, as CI's clean clone, cannot)
chmod 755 "$work"
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1 &&
    runuser -u nobody -- test -x "$ingest" -a -r "$dump" -a -x "$work" 2>/dev/null; then
    cp "$work/new.db" "$work/ro.db"
    chmod 444 "$work/ro.db"
    if runuser -u nobody -- "$ingest" -q -o "$work/ro.db" "$dump" 2>"$work/err"; then
        echo "FAIL: a read-only database was accepted"; exit 1
    fi
    grep -qxF "wcprof-ingest: cannot write \"$work/ro.db\": Permission denied" "$work/err" ||
        { echo "FAIL: a read-only database not said so"; cat "$work/err"; exit 1; }
    echo "ok: $(cat "$work/err")"
else
    echo "skipped: the read-only database as nobody (not root, no runuser, or nobody cannot reach $ingest)"
fi
