/* sat.h - int64 sums that saturate instead of wrapping.
 *
 * Every time wcprof reads is within ±2^61 ns and every length within 2^62
 * (import/README.md), so one length always fits; a sum of them (the work of
 * a root, the time of a class, a state's total over many ops, a replay's
 * clock after a factor up to 10^6) may not. Those sums use wcp_sat_add():
 * a total past INT64_MAX stays INT64_MAX, so it is never reported as a
 * small or negative number. */
#ifndef WCP_SAT_H
#define WCP_SAT_H

#include <stdint.h>

static inline int64_t wcp_sat_add(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_add_overflow(a, b, &r))
        return b > 0 ? INT64_MAX : INT64_MIN;
    return r;
}

static inline int64_t wcp_sat_sub(int64_t a, int64_t b)
{
    int64_t r;
    if (__builtin_sub_overflow(a, b, &r))
        return b < 0 ? INT64_MAX : INT64_MIN;
    return r;
}

/* *acc += b, saturated */
static inline void wcp_sat_inc(int64_t *acc, int64_t b)
{
    *acc = wcp_sat_add(*acc, b);
}

#endif
