#!/bin/sh
# export_test.sh - the html export of one dump, checked without a browser.
#
#   export_test.sh INGEST WCPROF HTMLCHECK DUMP WORK [OPTIONS [HTMLCHECK ARGS...]]
#
# Ingests DUMP (DUMP+DUMP2: two dumps, two runs; the page is of run 1),
# writes its page with wcprof_export('html', FILE, OPTIONS, 1) through the
# shell, and runs htmlcheck on it with the run's op count and the ranking's
# first class (as whatif_rank gives them, if any) and any further
# arguments.
set -eu
ingest=$1 wcprof=$2 check=$3 dump=$4 work=$5
shift 5
opts=${1:-}
[ $# -gt 0 ] && shift
name=$(basename "${dump%%+*}" .dump)${opts:+-$(printf %s "$opts" | tr -c 'a-z0-9' _)}
case $dump in *+*) name=$name-two-runs ;; esac
mkdir -p "$work"
db=$work/$name.db out=$work/$name.html
rm -f "$db" "$out"
"$ingest" -q -o "$db" "${dump%%+*}" 2>/dev/null
case $dump in *+*) "$ingest" -q -o "$db" "${dump#*+}" 2>/dev/null ;; esac
"$wcprof" "$db" "SELECT wcprof_export('html', '$out', '$opts', 1)" >/dev/null
ops=$("$wcprof" -list "$db" "SELECT ops FROM runs WHERE id = 1")
top=$("$wcprof" -list "$db" \
    "SELECT class_key FROM whatif_rank('[0,0.25,0.5,0.75,0.9]', 0, 1, 1) WHERE rank = 1 LIMIT 1")
"$check" "$out" --ops "$ops" ${top:+--top "$top"} "$@"
echo "ok: $out ($ops ops, top class $top)"
