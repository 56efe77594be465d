#!/bin/sh
# bad_options.sh - a bad option of the html export is an error that says
# what was expected, and no file (not even a temporary one) is left.
#
#   bad_options.sh INGEST WCPROF DUMP WORK
set -eu
ingest=$1 wcprof=$2 dump=$3 work=$4
mkdir -p "$work"
db=$work/bad-options.db out=$work/bad-options
rm -rf "$db" "$out"
mkdir "$out"
"$ingest" -q -o "$db" "$dump" 2>/dev/null

# expect OPTIONS MESSAGE
expect() {
    if "$wcprof" "$db" "SELECT wcprof_export('html', '$out/page.html', '$1')" >"$work/bad.out" 2>&1; then
        echo "FAIL: options \"$1\" were accepted"; exit 1
    fi
    grep -qF -- "$2" "$work/bad.out" || {
        echo "FAIL: options \"$1\": expected \"$2\", got:"; cat "$work/bad.out"; exit 1; }
    if [ -n "$(ls -A "$out")" ]; then
        echo "FAIL: options \"$1\" left files: $(ls -A "$out")"; exit 1
    fi
}
expect 'top=abc' 'wcprof_export(html): option top: expected a whole number >= 0, got "abc"'
expect 'top=-1' 'option top: expected a whole number >= 0, got "-1"'
expect 'top=' 'option top: expected a whole number >= 0, got ""'
expect 'top=3 top=4' 'option top is given more than once'
expect 'max_ops=0' 'option max_ops: expected a whole number >= 1, got "0"'
expect 'max_ops=10k' 'option max_ops: expected a whole number >= 1, got "10k"'
expect 'classes=-1' 'option classes: expected a whole number >= 0, got "-1"'
expect 'weight=critical' 'unknown option "weight" for the html export (it takes: top,classes,max_ops)'
echo "ok"
