/*
 * dl_plugin.c - a test-only shared library with libwcprof linked in
 * (libwcprof_plugin.so, for test_dlclose.c): one call records on three
 * threads (so the pre-fault thread starts), arranges a signal dump (so
 * the signal helper thread starts) and dumps.
 */
#include "wcprof.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>

static void *recorder(void *p)
{
    for (long i = 0; i < (long)(intptr_t)p; i++)
        wcp_end(wcp_begin(WCP_KIND_CALL, "plugin.op"), WCP_OUTCOME_OK);
    return NULL;
}

/* Records 3 x n ops, arranges SIGUSR2 dumps to pattern, then dumps
 * (flushing) to /dev/null; returns what wcp_dump_file returned. */
__attribute__((visibility("default"))) int plugin_run(long n, const char *pattern)
{
    wcp_enable();
    if (wcp_dump_on_signal(SIGUSR2, pattern) != 0)
        return -100;
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, recorder, (void *)(intptr_t)n);
    recorder((void *)(intptr_t)n);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    FILE *f = fopen("/dev/null", "w");
    int ret = wcp_dump_file(f, WCP_DUMP_FLUSH);
    fclose(f);
    return ret;
}
