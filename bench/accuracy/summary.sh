#!/bin/sh
# summary.sh - the passes of the truth suite in one file, summed up: per
# pass, how many rows with a knob are within 5 points and whether every
# planted class ranked first; per row (program, class, factor) over the
# passes, the mean error, its standard deviation, the smallest and the
# largest, and how many passes missed 5 points. A row whose mean is near 0
# and whose misses go both ways is noise; a mean far from 0 is the model's.
#   bench/accuracy/summary.sh FILE...   (the output of run.sh, passes one
#                                        after the other; "-" for stdin)
# Exits 1, saying so, when the input holds no pass.
set -eu
awk '
/^machine:/ { p++ }
$1 == "program" || $1 ~ /^#/ || /^machine:/ || NF < 10 || $NF !~ /^[0-9]+$/ { next }
{
    if (!(p in seen)) { seen[p] = 1; np++; first[p] = 1 }
    if ($NF != 1) first[p] = 0 # planted_rank, the last column
}
$8 ~ /^[+-][0-9]/ {
    k = sprintf("%-8s %-28s %4s", $1, $2, $3); e = $8 + 0
    n[p]++; if (e >= -5 && e <= 5) ok[p]++
    if (!(k in rn)) { order[++nk] = k; lo[k] = e; hi[k] = e }
    rn[k]++; s[k] += e; ss[k] += e * e
    if (e < lo[k]) lo[k] = e
    if (e > hi[k]) hi[k] = e
    if (e < -5 || e > 5) miss[k]++
}
END {
    if (!np) {
        print "summary.sh: no pass of run.sh in the input (its \"machine:\" line, then rows)" > "/dev/stderr"
        exit 1
    }
    for (q = 1; q <= p; q++)
        if (q in seen)
            printf "pass %d: %d of %d rows within 5 points; planted class first: %s\n", q, ok[q], n[q],
                   first[q] ? "every program" : "NOT every program"
    printf "\n%-8s %-28s %4s %6s %7s %5s %7s %7s %6s\n", "program", "class", "f", "passes", "mean", "sd", "min", "max", "over_5"
    for (i = 1; i <= nk; i++) {
        k = order[i]; m = s[k] / rn[k]; v = ss[k] / rn[k] - m * m
        printf "%s %6d %+7.1f %5.1f %+7.1f %+7.1f %6d\n", k, rn[k], m, sqrt(v > 0 ? v : 0), lo[k], hi[k], miss[k]
    }
}' "$@"
