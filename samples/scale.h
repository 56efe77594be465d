/* scale.h - the samples' --scale CLASS=F,... option and their scaled sleeps: each program built to
 * have the answer (bench/accuracy) runs with some of its classes' work
 * scaled, to check what the replay predicted against what really happens.
 * Header only: each sample stays one file plus this. */
#ifndef WCP_SAMPLE_SCALE_H
#define WCP_SAMPLE_SCALE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Parses arg ("CLASS=F,...", F >= 0, CLASS one of the n names) into
 * scale[]. 0, or -1 after a message naming prog and the classes. */
static inline int wcp_sample_scale(const char *prog, const char *arg, const char *const *names,
                                   int n, double *scale)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy)
        return -1;
    for (char *it = strtok_r(copy, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(it, '='), *end;
        int k = n;
        if (eq) {
            *eq = '\0';
            for (k = 0; k < n && strcmp(names[k], it) != 0; k++)
                ;
        }
        double f = eq ? strtod(eq + 1, &end) : -1;
        if (k == n || !eq || end == eq + 1 || *end || f < 0) {
            fprintf(stderr, "%s: --scale takes CLASS=F,... with F >= 0 and CLASS one of", prog);
            for (int j = 0; j < n; j++)
                fprintf(stderr, "%s %s", j ? "," : "", names[j]);
            fprintf(stderr, " (got \"%s\")\n", arg);
            free(copy);
            return -1;
        }
        scale[k] = f;
    }
    free(copy);
    return 0;
}

/* The work of a class: us microseconds times its --scale factor, slept
 * (so that two cores do not limit the programs); nothing at factor 0. */
static inline void wcp_sample_sleep_us(double us, double factor)
{
    long ns = (long)(us * 1000 * factor);
    if (ns > 0) {
        struct timespec ts = {ns / 1000000000, ns % 1000000000};
        nanosleep(&ts, NULL);
    }
}

#endif
