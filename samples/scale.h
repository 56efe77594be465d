/* scale.h - the samples' --scale CLASS=F,... option and their scaled sleeps: each program built to
 * have the answer (bench/accuracy) runs with some of its classes' work
 * scaled, to check what the replay predicted against what really happens.
 * Header only: each sample stays one file plus this. */
#ifndef WCP_SAMPLE_SCALE_H
#define WCP_SAMPLE_SCALE_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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

/* Monotonic time in ns. */
static inline long long wcp_sample_now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* How late a sleep wakes on this machine (ns), measured once before main:
 * the median of 9 sleeps of 100 us, with the timer slack (50 us by
 * default, inherited by every thread the program creates) set to 1 ns. */
static long long wcp_sample_wake_late_ns;

__attribute__((constructor)) static void wcp_sample_calibrate(void)
{
    long long late[9];
    prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
    for (int i = 0; i < 9; i++) {
        long long t0 = wcp_sample_now_ns();
        struct timespec ts = {0, 100000};
        nanosleep(&ts, NULL);
        late[i] = wcp_sample_now_ns() - t0 - 100000;
        for (int j = i; j > 0 && late[j] < late[j - 1]; j--) {
            long long x = late[j];
            late[j] = late[j - 1];
            late[j - 1] = x;
        }
    }
    wcp_sample_wake_late_ns = late[4] < 0 ? 0 : late[4] > 1000000 ? 1000000 : late[4];
}

/* The work of a class: us microseconds times its --scale factor, slept
 * (so that two cores do not limit the programs); nothing at factor 0.
 * It takes that long, not that long plus the wake-up's lateness (tens of
 * microseconds: a 500 us read took ~560): the sleep ends that much early
 * and the rest is spun. Otherwise --scale would scale the requested part
 * only, and a halved class would keep its lateness: not the work the
 * profiler saw, halved (issue 16: "a knob that really scales each class's
 * work"). */
static inline void wcp_sample_sleep_us(double us, double factor)
{
    long long ns = (long long)(us * 1000 * factor);
    if (ns <= 0)
        return;
    long long end = wcp_sample_now_ns() + ns, wake = end - wcp_sample_wake_late_ns;
    if (wake > wcp_sample_now_ns()) {
        struct timespec ts = {(time_t)(wake / 1000000000LL), (long)(wake % 1000000000LL)};
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
            ;
    }
    while (wcp_sample_now_ns() < end)
        ;
}

#endif
