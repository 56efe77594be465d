#!/bin/sh
# sniff_pipe_test.sh - the format of standard input does not depend on how
# a pipe delivers its bytes: a Chrome trace in the object form whose first
# key is 5,000 bytes long loads the same from the file, from a pipe in one
# piece, and from a pipe that delivers 10 bytes, then 4,100 (past the 4 KB the formats are told
# apart by, inside the key), then the rest.
# usage: sniff_pipe_test.sh INGEST WORK_DIR
set -u
ingest=$1 work=$2
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
key=$(head -c 5000 /dev/zero | tr '\0' k)
printf '{"%s": 1, "traceEvents": [{"ph":"X","name":"a","ts":0,"dur":10},{"ph":"X","name":"b","ts":2,"dur":3}]}\n' "$key" >t.json
fail=0
for how in file pipe pieces; do
    case $how in
    file) "$ingest" -q -o $how.db t.json 2>$how.err ;;
    pipe) cat t.json | "$ingest" -q -o $how.db - 2>$how.err ;;
    pieces) { head -c 10 t.json; sleep 0.2; tail -c +11 t.json | head -c 4100; sleep 0.2; tail -c +4111 t.json; } |
        "$ingest" -q -o $how.db - 2>$how.err ;;
    esac
    ops=$(sqlite3 $how.db "SELECT ops FROM runs" 2>/dev/null)
    [ "$ops" = 2 ] || { echo "FAIL: from the $how: ops \"$ops\", not 2: $(cat $how.err)"; fail=1; }
done
[ $fail = 0 ] && echo "ok: the same verdict from a file, a pipe and a pipe in pieces"
exit $fail
