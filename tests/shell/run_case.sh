#!/bin/sh
# run_case.sh - runs one example of tests/shell/cases and compares what it did.
#
#   run_case.sh CASE_DIR DB_DIR WCPROF_DIR TOOLS_DIR
#
# A case is a folder (the words of every case folder, tests/README.md):
#   cmd           shell commands to run, e.g.  wcprof -json seq.db .selftime
#   input         (optional) what cmd reads on standard input (else /dev/null)
#   files/        (optional) files copied in beside the databases
#   expected      what cmd must print on standard output, exactly
#   expected.err  (optional) what it must print on standard error; absent: nothing
#   status        (optional) its exit status; absent: 0
# cmd runs in a fresh folder holding copies of the test databases (seq.db,
# multi.db, empty.db, not-wcprof.db, newer.db, notdb.txt), with wcprof and
# jsoncheck (reads -json output back) on the PATH, $TOOLS the folder of
# jsoncheck and fake_ext.so (a stand-in analyses extension), and HOME and XDG_STATE_HOME inside that folder.
set -u
case_dir=$1
db_dir=$2
bin_dir=$3
tools_dir=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wcprof-case.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$db_dir"/*.db "$db_dir"/*.txt "$tmp"/
[ -d "$case_dir/files" ] && cp -R "$case_dir/files/." "$tmp"/
mkdir "$tmp/home"
input=/dev/null
[ -f "$case_dir/input" ] && input="$case_dir/input"

(cd "$tmp" && unset COLUMNS LINES &&
 TOOLS="$tools_dir" PATH="$bin_dir:$tools_dir:$PATH" HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" LC_ALL=C.UTF-8 \
 sh "$case_dir/cmd" <"$input" >"$tmp/.out" 2>"$tmp/.err")
status=$?

want_status=0
[ -f "$case_dir/status" ] && want_status=$(cat "$case_dir/status")
fail=0
if ! cmp -s "$case_dir/expected" "$tmp/.out"; then
    echo "--- stdout differs (want $case_dir/expected, -; got +):"
    diff -u "$case_dir/expected" "$tmp/.out"
    fail=1
fi
want_err=/dev/null
[ -f "$case_dir/expected.err" ] && want_err="$case_dir/expected.err"
if ! cmp -s "$want_err" "$tmp/.err"; then
    echo "--- stderr differs (want $want_err, -; got +):"
    diff -u "$want_err" "$tmp/.err"
    fail=1
fi
if [ "$status" != "$want_status" ]; then
    echo "--- exit status $status, want $want_status"
    fail=1
fi
if [ "$fail" = 0 ]; then
    echo "ok: $(cat "$case_dir/cmd")"
fi
exit $fail
