#!/bin/sh
# file_safety_test.sh - an export replaces only what is its own
# (export/README.md, "Where an export writes"): a read-only file, a symbolic
# link, a directory and (as root) another user's file are refused and left
# as they were; a file of ours is replaced and keeps its mode; a FIFO is
# written through and stays a FIFO; an export killed (SIGKILL) while it
# writes leaves nothing behind.
# usage: file_safety_test.sh WCPROF INGEST GEN WORK_DIR SAMPLE_DUMP
set -u
wcprof=$1 ingest=$2 gen=$3 work=$4 sample=$5
rm -rf "$work" && mkdir -p "$work" && cd "$work" || exit 1
fail=0
no() { echo "FAIL: $*"; fail=1; }
"$ingest" -q -o s.db "$sample" || exit 1
"$wcprof" s.db ".export folded ref.folded" >/dev/null || exit 1

# ours, mode 0600: replaced, still 0600
echo old >mine && chmod 600 mine
"$wcprof" s.db ".export folded mine" >/dev/null || no "mine: refused"
cmp -s mine ref.folded || no "mine: not the export"
[ "$(stat -c %a mine)" = 600 ] || no "mine: mode $(stat -c %a mine), not 600"

# read-only: refused, untouched
echo old >ro && chmod 444 ro
"$wcprof" s.db ".export folded ro" 2>err >/dev/null && no "ro: written"
grep -q "ro is read-only: not replaced" err || no "ro: $(cat err)"
[ "$(cat ro)" = old ] || no "ro: changed"

# a symbolic link to a regular file: refused, link and target untouched
echo old >target && ln -s target lnk
"$wcprof" s.db ".export folded lnk" 2>err >/dev/null && no "lnk: written"
grep -q "lnk is a symbolic link: not replaced" err || no "lnk: $(cat err)"
[ -L lnk ] && [ "$(cat target)" = old ] || no "lnk: changed"

# a directory: refused
mkdir dir
"$wcprof" s.db ".export folded dir" 2>err >/dev/null && no "dir: written"
grep -q "dir is a directory" err || no "dir: $(cat err)"

# another user's file (only root can make one): refused, untouched
if [ "$(id -u)" = 0 ]; then
    echo old >theirs && chown 65534 theirs
    "$wcprof" s.db ".export folded theirs" 2>err >/dev/null && no "theirs: written"
    grep -q "theirs belongs to another user (uid 65534): not replaced" err || no "theirs: $(cat err)"
    [ "$(cat theirs)" = old ] && [ "$(stat -c %u theirs)" = 65534 ] || no "theirs: changed"
fi

# a FIFO, directly and through a link: written through, still a FIFO
mkfifo ff && ln -s ff fflnk
for f in ff fflnk; do
    cat ff >"$f.out" &
    reader=$!
    "$wcprof" s.db ".export folded $f" >/dev/null || no "$f: refused"
    [ -p ff ] || { no "$f: ff is no longer a FIFO"; kill "$reader"; mv ff ff.was && mkfifo ff; }
    wait "$reader"
    cmp -s "$f.out" ref.folded || no "$f: the reader did not get the export"
done

# killed while writing: nothing left, whatever was at the path untouched
"$gen" -n 100000 -s 3 -o big.dump && "$ingest" -q -o big.db big.dump && rm big.dump || exit 1
echo old >big.json
before=$(ls | sort)
"$wcprof" big.db ".export chrome big.json" >/dev/null 2>&1 &
pid=$!
caught=0
i=0
while [ $i -lt 1000 ] && kill -0 "$pid" 2>/dev/null; do
    # the export's file is open: a link in /proc/PID/fd into this folder
    for fd in /proc/"$pid"/fd/*; do
        case "$(readlink "$fd" 2>/dev/null)" in
        "$PWD"/big.json* | "$PWD"/\#*) kill -KILL "$pid"; caught=1; break 2 ;;
        esac
    done
    sleep 0.01
    i=$((i + 1))
done
wait "$pid" 2>/dev/null
[ $caught = 1 ] || no "the export finished before it could be killed while writing"
[ "$(ls | sort)" = "$before" ] || no "a killed export left: $(ls | sort | tr '\n' ' ')"
[ "$(cat big.json)" = old ] || no "a killed export changed big.json"

[ $fail = 0 ] && echo "ok: exports replace only their own files; a killed one leaves nothing"
exit $fail
