/*
 * bench_off.c - the benchmark loop compiled with WCPROF_DISABLE: what a
 * begin+end pair costs when the recording calls are compiled out.
 */
#define WCPROF_DISABLE 1
#include "wcprof.h"

void bench_loop_compiled_out(long pairs)
{
    for (long i = 0; i < pairs; i++) {
        wcp_op op = wcp_begin(WCP_KIND_CALL, "bench.op");
        wcp_end(op, WCP_OUTCOME_OK);
        __asm__ __volatile__("" ::: "memory"); /* keep the loop itself */
    }
}
