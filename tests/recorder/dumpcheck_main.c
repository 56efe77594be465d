/*
 * dumpcheck_main.c - wcprof-dumpcheck: checks dumps strictly (see
 * dumpcheck.h) and, given several dumps of one run taken with flush,
 * that they share the epoch and no op id appears in two of them.
 *
 *   wcprof-dumpcheck [--min-ops N] [--require-wait REASON]... DUMP...
 *
 * Prints one summary line per dump; exit status 0 when all pass, 1 when
 * one fails (with "FILE: line N: reason" on stderr), 2 on bad usage.
 */
#include "dumpcheck.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    long min_ops = 0;
    const char *need_wait[8];
    long found[8] = {0};
    int nneed = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--min-ops") == 0 && i + 1 < argc)
            min_ops = atol(argv[++i]);
        else if (strcmp(argv[i], "--require-wait") == 0 && i + 1 < argc && nneed < 8)
            need_wait[nneed++] = argv[++i];
        else {
            fprintf(stderr,
                    "usage: wcprof-dumpcheck [--min-ops N] [--require-wait REASON] DUMP...\n");
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "wcprof-dumpcheck: no dump given\n");
        return 2;
    }
    json_t *seen = json_object(); /* op id -> file */
    json_int_t epoch = -1;
    long ops = 0;
    int bad = 0;
    for (; i < argc; i++) {
        dc_dump d;
        char err[512];
        if (dc_parse_file(argv[i], &d, err, sizeof err)) {
            fprintf(stderr, "%s: %s\n", argv[i], err);
            bad = 1;
            continue;
        }
        if (epoch >= 0 && dc_int(d.header, "epoch_unix_nano") != epoch) {
            fprintf(stderr, "%s: epoch differs from the first dump's\n", argv[i]);
            bad = 1;
        }
        epoch = dc_int(d.header, "epoch_unix_nano");
        long n[3] = {0, 0, 0};
        size_t k;
        json_t *e;
        json_array_foreach(d.events, k, e)
        {
            const char *t = dc_s(e, "e");
            if (strcmp(t, "op") == 0) {
                char key[32];
                snprintf(key, sizeof key, "%lld", (long long)dc_int(e, "id"));
                if (json_object_get(seen, key)) {
                    fprintf(stderr, "%s: op %s was already in %s\n", argv[i], key,
                            json_string_value(json_object_get(seen, key)));
                    bad = 1;
                }
                json_object_set_new(seen, key, json_string(argv[i]));
                n[0]++;
            } else if (strcmp(t, "wait") == 0) {
                n[1]++;
                for (int w = 0; w < nneed; w++)
                    found[w] += strcmp(dc_s(e, "rs"), need_wait[w]) == 0;
            } else {
                n[2]++;
            }
        }
        ops += n[0];
        printf("%s: ok, %zu events (%ld ops, %ld waits, %ld links), %zu open ops, "
               "%lld dropped\n",
               argv[i], json_array_size(d.events), n[0], n[1], n[2],
               json_array_size(json_object_get(d.header, "open_ops")),
               (long long)dc_int(d.header, "dropped_events"));
        dc_free(&d);
    }
    json_decref(seen);
    if (ops < min_ops) {
        fprintf(stderr, "wcprof-dumpcheck: %ld ops, expected at least %ld\n", ops, min_ops);
        bad = 1;
    }
    for (int w = 0; w < nneed; w++)
        if (found[w] == 0) {
            fprintf(stderr, "wcprof-dumpcheck: no wait with reason \"%s\"\n", need_wait[w]);
            bad = 1;
        }
    return bad;
}
