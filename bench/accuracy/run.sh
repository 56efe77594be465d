#!/bin/sh
# run.sh - the truth suite: does the replay predict what really happens?
#
#   bench/accuracy/run.sh [RUNS]        (RUNS: real runs per median, default 11)
#
# For each program with a planted bottleneck (the table below): records
# RECORDINGS runs (WCPROF=1; default 3), ingests each, and asks the replay
# of the one whose recorded makespan is the median (the typical recording:
# one slow recording, on a busy moment of the machine, would otherwise
# decide a pass) what scaling the planted class and the top five classes of
# whatif_rank by 0.5 and by 0 would save; then really runs the program with
# that class's work scaled (--scale CLASS=F, recording off), RUNS times,
# taking turns with unscaled runs, and compares medians. Each program prints
# "in X ms", its own wall time. Per prediction it prints the predicted
# saving (ms, and % of the replay's baseline), the measured one (ms, and %
# of the unscaled median), and the error: predicted % - measured %, in
# points of the makespan; then the spread of the unscaled runs (max - min, %
# of their median): an error much smaller than the spread cannot be told
# from noise; and rec_spread, how far apart the predicted % of the
# RECORDINGS recordings are (max - min, points): what one recording alone
# could have predicted. A class the program has no knob for is listed as
# such. Goal (issue 16): every |error| <= 5 and the planted class ranked
# first.
#
# Needs a build (build/bin: wcprof, wcprof-ingest, the sample programs);
# WCPROF_BIN overrides where they are; ONLY="pool rwlock" runs only the
# programs named. Prints the machine and its load.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${WCPROF_BIN:-$root/build/bin}
runs=${1:-11}
recs=${RECORDINGS:-3}
for v in "$runs" "$recs"; do
    case $v in
    '' | *[!0-9]* | 0*)
        echo "run.sh: RUNS and RECORDINGS are whole numbers from 1 (got RUNS \"$runs\", RECORDINGS \"$recs\")" >&2
        exit 2
        ;;
    esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

# name | program | planted class key | arguments of a tiny run (to ask
# whether the program has a knob for a class)
programs='pool|wcprof-sample-pool|io:index.commit|--tasks 1
connpool|wcprof-sample-connpool|io:db.query|--requests 1
workers|wcprof-sample-workers|exec:job.run|--jobs 1
queue|wcprof-sample-queue|io:item.store|--items 1
pipeline|wcprof-sample-pipeline|exec:stage.transform|--items 1
forkjoin|wcprof-sample-forkjoin|exec:shard.hot|--rounds 1
stampede|wcprof-sample-stampede|call_exec:backend.load|--requests 1
rwlock|wcprof-sample-rwlock|io:config.reload|--reads 1 --writes 0'

ms_of() { # the "in X ms" of a run's output
    sed -n 's/.* in \([0-9.]*\) ms.*/\1/p' | head -n 1
}

median() { # of the numbers on stdin
    sort -n | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

echo "machine: $(uname -m), $(nproc) CPUs, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg); $runs runs per median; $recs recordings"
printf '%-8s %-28s %4s %10s %8s %10s %8s %8s %7s %10s %s\n' program class f pred_ms pred_% meas_ms meas_% error spread rec_spread planted_rank
echo "$programs" | while IFS='|' read -r name prog planted tiny; do
    case " ${ONLY:-$name} " in *" $name "*) ;; *) continue ;; esac
    exe="$bin/$prog"
    : >"$work/recs"
    r=1
    while [ "$r" -le "$recs" ]; do
        rm -f "$work/$name.$r.dump" "$work/$name.$r.db"
        WCPROF=1 WCPROF_OUT="$work/$name.$r.dump" "$exe" >/dev/null 2>&1
        "$bin/wcprof-ingest" -q -o "$work/$name.$r.db" "$work/$name.$r.dump"
        echo "$("$bin/wcprof" -list -noheader "$work/$name.$r.db" \
            "SELECT makespan_ns FROM replay_summary") $r" >>"$work/recs"
        r=$((r + 1))
    done
    pick=$(sort -n "$work/recs" | awk -v n="$recs" 'NR == int((n + 1) / 2) {print $2}')
    echo "# $name: recorded makespans $(sort -n "$work/recs" | awk '{printf "%s%.1f", (NR > 1 ? ", " : ""), $1 / 1e6}') ms; predicting from recording $pick (the median)"
    q() { "$bin/wcprof" -list -noheader "$work/$name.$pick.db" "$1"; }
    pct_spread() { # max - min over the recordings of whatif($1)'s saved % of baseline
        r=1
        while [ "$r" -le "$recs" ]; do
            "$bin/wcprof" -list -noheader "$work/$name.$r.db" "SELECT 100.0 * saved_ns / baseline_ns FROM whatif('$1')"
            r=$((r + 1))
        done | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {printf "%.1f", hi - lo}'
    }
    top=$(q "SELECT class_key FROM whatif_rank('[0,0.5,0.9]') WHERE factor = 0.5 ORDER BY rank LIMIT 5")
    prank=$(q "SELECT rank FROM whatif_rank('[0,0.5,0.9]') WHERE factor = 0.5 AND class_key = '$planted'")
    for key in $planted $(echo "$top" | grep -vx "$planted"); do
        cls=${key#*:}
        for f in 0.5 0; do
            pred=$(q "SELECT saved_ns, baseline_ns FROM whatif('$key=$f')")
            pns=${pred%%|*} bns=${pred##*|}
            rsp=$(pct_spread "$key=$f")
            # shellcheck disable=SC2086 # tiny: several words
            if ! "$exe" --scale "$cls=1" $tiny >/dev/null 2>&1; then
                printf '%-8s %-28s %4s %10.1f %7.1f%% %10s %8s %8s %7s %10s %s\n' "$name" "$key" "$f" \
                    "$(echo "$pns" | awk '{print $1 / 1e6}')" \
                    "$(echo "$pns $bns" | awk '{print 100 * $1 / $2}')" "no knob" - - - "$rsp" "$prank"
                continue
            fi
            : >"$work/base" ; : >"$work/scaled"
            i=0
            while [ "$i" -lt "$runs" ]; do
                "$exe" 2>/dev/null | ms_of >>"$work/base"
                "$exe" --scale "$cls=$f" 2>/dev/null | ms_of >>"$work/scaled"
                i=$((i + 1))
            done
            mb=$(median <"$work/base") msc=$(median <"$work/scaled")
            spread=$(sort -n "$work/base" | awk -v m="$mb" 'NR == 1 {lo = $1} {hi = $1} END {print 100 * (hi - lo) / m}')
            echo "$name $key $f $pns $bns $mb $msc $prank $spread $rsp" | awk '{
                pms = $4 / 1e6; ppct = 100 * $4 / $5; mms = $6 - $7; mpct = 100 * mms / $6
                printf "%-8s %-28s %4s %10.1f %7.1f%% %10.1f %7.1f%% %+7.1f %6.0f%% %10s %s\n", $1, $2, $3, pms, ppct, mms, mpct, ppct - mpct, $9, $10, $8 }'
        done
    done
done
