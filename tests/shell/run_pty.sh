#!/bin/sh
# run_pty.sh - runs one tests/shell/pty case: the shell on a pseudo-terminal.
#
#   run_pty.sh CASE_DIR DB_DIR WCPROF_DIR PTYDRIVE
#
# A case is a folder:
#   args    wcprof's arguments, one per line, e.g.  seq.db
#   script  what to type and what to expect (see ptydrive.c)
#   setup   (optional) shell commands run first, in the same shell: to change
#           the environment, say
#   check   (optional) shell commands run afterwards in the same folder; they
#           must exit 0 (e.g. look at the history file); $PTYDRIVE and
#           $WCPROF name the two programs
# It runs in a fresh folder holding copies of the test databases, with HOME
# and XDG_STATE_HOME inside it.
set -u
case_dir=$1
db_dir=$2
bin_dir=$3
ptydrive=$4

tmp=$(mktemp -d "${TMPDIR:-/tmp}/wcprof-pty.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
cp "$db_dir"/*.db "$tmp"/
mkdir "$tmp/home"
cd "$tmp" || exit 1
unset COLUMNS LINES
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" LC_ALL=C.UTF-8
export PTYDRIVE="$ptydrive" WCPROF="$bin_dir/wcprof"
# shellcheck disable=SC1091
[ -f "$case_dir/setup" ] && . "$case_dir/setup"
# one argument per line of args
set -f
IFS='
'
# shellcheck disable=SC2046
set -- $(cat "$case_dir/args")
unset IFS
set +f
"$ptydrive" "$case_dir/script" -- "$bin_dir/wcprof" "$@" || exit 1
if [ -f "$case_dir/check" ]; then
    sh -e "$case_dir/check" || { echo "--- check failed: $case_dir/check"; exit 1; }
fi
echo "ok: $(basename "$case_dir")"
