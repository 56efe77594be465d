/*
 * clock.c - recorder time: cheap ticks on the hot path, nanoseconds at
 * dump time.
 *
 * Ticks are the TSC (rdtsc) when the CPU has an invariant TSC, else
 * CLOCK_MONOTONIC nanoseconds. Ticks become nanoseconds only when a dump
 * writes them: each dump adds a calibration point (ticks, monotonic ns)
 * AFTER it has fixed which events it writes, and a tick value is mapped
 * by linear interpolation between the two points around it. Points are
 * only ever appended, so an event repeated by a later non-flushing dump
 * gets exactly the same nanoseconds again.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include "wcp_internal.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

int wcp__use_tsc;

typedef struct {
    uint64_t ticks;
    int64_t ns;
} point; /* ns since origin */

static struct {
    int64_t epoch_unix_ns;  /* CLOCK_REALTIME at origin */
    int64_t origin_mono_ns; /* CLOCK_MONOTONIC at origin */
    point *pts;             /* calibration points, ticks increasing */
    size_t npts, cap;
    int64_t cpu0[2]; /* the process's user and system CPU time at origin, ns */
} C;

/* The process's user and system CPU time so far, ns. */
static void cpu_now(int64_t cpu[2])
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        cpu[0] = cpu[1] = 0;
        return;
    }
    cpu[0] = (int64_t)ru.ru_utime.tv_sec * 1000000000 + (int64_t)ru.ru_utime.tv_usec * 1000;
    cpu[1] = (int64_t)ru.ru_stime.tv_sec * 1000000000 + (int64_t)ru.ru_stime.tv_usec * 1000;
}

int wcp__cpus(void)
{
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 ? CPU_COUNT(&set) : 0;
}

void wcp__cpu_since_origin(int64_t *user_ns, int64_t *sys_ns, int *cpus)
{
    int64_t c[2];
    cpu_now(c);
    *user_ns = c[0] - C.cpu0[0];
    *sys_ns = c[1] - C.cpu0[1];
    *cpus = wcp__cpus();
}

int64_t wcp__mono_ns(void)
{
    return wcp__clock_ns(CLOCK_MONOTONIC);
}
uint64_t wcp__ticks_slow(void)
{
    return (uint64_t)wcp__clock_ns(CLOCK_MONOTONIC);
}
int64_t wcp__epoch_unix_ns(void)
{
    return C.epoch_unix_ns;
}
int64_t wcp__origin_mono_ns(void)
{
    return C.origin_mono_ns;
}

static int has_invariant_tsc(void)
{
#if defined(__x86_64__)
    unsigned a, b, c, d;
    if (getenv("WCPROF_NO_TSC"))
        return 0;
    if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
        return 0;
    __get_cpuid(0x80000007u, &a, &b, &c, &d);
    return (d >> 8) & 1;
#else
    return 0;
#endif
}

/* Reads ticks and the monotonic clock as close together as possible. */
static point sample(void)
{
    point p;
    int64_t m = wcp__clock_ns(CLOCK_MONOTONIC);
#if defined(__x86_64__)
    if (wcp__use_tsc)
        __asm__ __volatile__("lfence" ::: "memory");
#endif
    p.ticks = wcp__ticks();
    p.ns = m - C.origin_mono_ns;
    return p;
}

/* Called once, under the init once-guard, before any event exists. */
void wcp__clock_init(void)
{
    wcp__use_tsc = has_invariant_tsc();
    C.epoch_unix_ns = wcp__clock_ns(CLOCK_REALTIME);
    C.origin_mono_ns = wcp__clock_ns(CLOCK_MONOTONIC);
    cpu_now(C.cpu0);
    C.cap = 16;
    C.pts = malloc(C.cap * sizeof *C.pts);
    if (C.pts)
        C.pts[C.npts++] = sample();
}

/* The forked child: a run of its own, with its own time origin and epoch
 * (never the parent's, so the two runs never merge). The points array
 * may have been in the middle of a realloc by a parent's dump: it is left
 * alone (not freed) and a new one made. */
void wcp__clock_fork_child(void)
{
    int64_t parent_epoch = C.epoch_unix_ns;
    C.pts = NULL;
    C.npts = C.cap = 0;
    C.epoch_unix_ns = wcp__clock_ns(CLOCK_REALTIME);
    if (C.epoch_unix_ns <= parent_epoch)
        C.epoch_unix_ns = parent_epoch + 1;
    C.origin_mono_ns = wcp__clock_ns(CLOCK_MONOTONIC);
    cpu_now(C.cpu0);
    C.cap = 16;
    C.pts = malloc(C.cap * sizeof *C.pts);
    if (C.pts)
        C.pts[C.npts++] = sample();
    else
        C.cap = 0;
}

void wcp__clock_mark(void)
{
    point p = sample();
    if (C.npts && p.ticks <= C.pts[C.npts - 1].ticks)
        return;
    if (C.npts == C.cap) {
        size_t cap = C.cap ? 2 * C.cap : 16;
        point *n = realloc(C.pts, cap * sizeof *n);
        if (!n)
            return; /* keep extrapolating from the last segment */
        C.pts = n;
        C.cap = cap;
    }
    C.pts[C.npts++] = p;
}

static int64_t lerp(const point *a, const point *b, uint64_t t)
{
    if (t <= a->ticks)
        return a->ns;
    unsigned __int128 num = (unsigned __int128)(t - a->ticks) * (uint64_t)(b->ns - a->ns);
    return a->ns + (int64_t)(num / (b->ticks - a->ticks));
}

int64_t wcp__ticks_to_ns(uint64_t t)
{
    if (!wcp__use_tsc)
        return (int64_t)t - C.origin_mono_ns;
    if (C.npts < 2)
        return C.npts ? C.pts[0].ns : 0;
    if (t >= C.pts[C.npts - 1].ticks) /* clamp: at most a few ns past */
        return C.pts[C.npts - 1].ns;
    size_t lo = 0, hi = C.npts - 1; /* find pts[lo] <= t < pts[hi] */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (C.pts[mid].ticks <= t)
            lo = mid;
        else
            hi = mid;
    }
    return lerp(&C.pts[lo], &C.pts[hi], t);
}
