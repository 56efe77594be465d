#!/bin/sh
# deep_chain.sh N > FILE - a dump of one chain of N ops, each the parent of
# the next (op i starts at i and ends at 2N + 1 - i: 2 ns of self time
# each, the last 1), in 8 classes taking turns.
n=$1
awk -v n="$n" 'BEGIN {
    printf "{\"schema_version\":1,\"epoch_unix_nano\":0,\"dumped_unix_nano\":%d,\"dropped_events\":0,\"event_count\":%d,\"strings\":[\"\",\"c0\",\"c1\",\"c2\",\"c3\",\"c4\",\"c5\",\"c6\",\"c7\"],\"open_ops\":[]}\n", 2 * n + 10, n
    for (i = 1; i <= n; i++) {
        p = i > 1 ? sprintf(",\"p\":%d", i - 1) : ""
        printf "{\"e\":\"op\",\"k\":\"call\",\"w\":\"engine\",\"o\":\"ok\",\"id\":%d%s,\"c\":%d,\"s\":%d,\"d\":%d}\n", i, p, 1 + i % 8, i, 2 * n + 1 - i
    }
}'
