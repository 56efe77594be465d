/* stop.c - interruption polled from C. See stop.h. */
#include "stop.h"

#include <time.h>

wcp_stop_testing wcp_stop_test;

void wcp_stop_init(wcp_stop *s, sqlite3 *db)
{
    s->db = db;
    s->probe = NULL;
    s->next_ns = 0;
    atomic_init(&s->stopped, false);
}

void wcp_stop_finish(wcp_stop *s)
{
    sqlite3_finalize(s->probe);
    s->probe = NULL;
}

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool wcp_stop_poll(wcp_stop *s)
{
    if (!s || !s->db)
        return false;
    if (atomic_load_explicit(&s->stopped, memory_order_relaxed))
        return true;
    int64_t t = now_ns();
    if (t < s->next_ns && !wcp_stop_test.on)
        return false;
    s->next_ns = t + WCP_STOP_EVERY_NS;
    if (wcp_stop_test.on && ++wcp_stop_test.probes == wcp_stop_test.interrupt_at)
        sqlite3_interrupt(s->db);
    int rc = s->probe ? SQLITE_OK : sqlite3_prepare_v2(s->db, "SELECT 1", -1, &s->probe, NULL);
    if (rc == SQLITE_OK) { /* the parser, too, fails with SQLITE_INTERRUPT */
        rc = sqlite3_step(s->probe);
        sqlite3_reset(s->probe);
    }
    if (rc == SQLITE_INTERRUPT)
        atomic_store(&s->stopped, true);
    return rc == SQLITE_INTERRUPT;
}

bool wcp_stop_check(wcp_stop *s)
{
    if (s)
        s->next_ns = 0;
    return wcp_stop_poll(s);
}

bool wcp_stopped(wcp_stop *s)
{
    return s && atomic_load_explicit(&s->stopped, memory_order_relaxed);
}
