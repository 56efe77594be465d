#!/bin/sh
# truth_program.sh - the smoke test of one truth-suite program (issue 16,
# samples/*, bench/accuracy): one recorded run passes the strict dump
# check and ingests into a database with no warning (no dropped events;
# its waits on named resources resolve to the holds and signals that
# released them: nine in ten at least, as in pool_resources.sh; a program
# recording no holds or signals would get no warning, so this is asked
# directly), the planted class is in it; --scale of the planted class
# runs (recording off) and prints "in X ms"; --scale of a class the
# program does not have, or a negative factor, is refused with status 2
# and a message naming the program's classes. No timing is asserted, nor
# what the replay predicts: the accuracy is bench/accuracy's (where two
# threads wait on each other's signals or holds, as pipeline's stages and
# rwlock's writer and readers may, the replay can pin the run to its
# recorded times and predict no saving at all: see
# bench/accuracy/README.md).
#
# usage: truth_program.sh PROGRAM INGEST WCPROF DUMPCHECK WORK_DIR PLANTED_KEY
#   DUMPCHECK: tests/recorder's wcprof-dumpcheck (the dump is checked
#   strictly first); PLANTED_KEY: kind:class, e.g. io:item.store
set -eu
prog=$1 ingest=$2 wcprof=$3 dumpcheck=$4 work=$5 key=$6
cls=${key#*:}
name=$(basename "$prog")
fail() {
    echo "FAIL: $name: $*"
    exit 1
}
mkdir -p "$work"
rm -f "$work/run.dump" "$work/run.db"
out=$(WCPROF=1 WCPROF_OUT="$work/run.dump" "$prog") || fail "recorded run exited $?"
echo "$out" | grep -q ' in [0-9.]* ms' || fail "no \"in X ms\" in: $out"
"$dumpcheck" "$work/run.dump" >/dev/null || fail "the dump fails wcprof-dumpcheck"
"$ingest" -q -o "$work/run.db" "$work/run.dump" || fail "ingest failed"
got=$("$wcprof" -list -noheader "$work/run.db" \
    "SELECT dropped_events, open_ops, warning FROM run_summary" \
    "SELECT count(*) > 0 FROM v_ops WHERE class_key = '$key'" \
    "SELECT count(*) FILTER (WHERE resolved_by != 'none') * 10 >= count(*) * 9 FROM v_waits")
want='0|0|
1
1'
[ "$got" = "$want" ] || fail "$(printf 'want\n%s\ngot\n%s' "$want" "$got")"

out=$("$prog" --scale "$cls=0.5" 2>/dev/null) || fail "--scale $cls=0.5 exited $?"
echo "$out" | grep -q ' in [0-9.]* ms' || fail "--scale $cls=0.5: no \"in X ms\" in: $out"
for bad in "no.such.class=1" "$cls=-1" "$cls"; do
    rc=0
    err=$("$prog" --scale "$bad" 2>&1 >/dev/null) || rc=$?
    [ "$rc" = 2 ] || fail "--scale $bad: status $rc, want 2"
    echo "$err" | grep -q -- "--scale takes CLASS=F.*$cls" || fail "--scale $bad: message: $err"
done
echo "ok: $name: recorded, ingested without warning, with $key; --scale honoured and refused"
