/*
 * control.c - turning the recorder on and off, its limits, the dropped
 * counts, error texts, the environment read at start-up (WCPROF,
 * WCPROF_OUT, WCPROF_MAX_EVENTS, WCPROF_RING, WCPROF_SIGNAL,
 * WCPROF_SIGNAL_OUT, WCPROF_ABORT_ON_MISUSE, WCPROF_PREFAULT,
 * WCPROF_HUGEPAGES, WCPROF_RESERVE, WCPROF_CHECK), the dump at exit, and
 * dumps requested by a signal (written by a helper thread: the handler
 * only writes one byte to a pipe). A forked child gets its own helper
 * (started when it first records) and dump paths of its own.
 */
#define _GNU_SOURCE /* pipe2 */
#include "wcp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *wcp_strerror(int err)
{
    switch (err) {
    case 0: return "success";
#define WCP__ERR_MSG(name, val, msg)                                                               \
    case (val): return msg;
        WCP_ERRNO_MAP(WCP__ERR_MSG)
#undef WCP__ERR_MSG
    default: return "unknown error";
    }
}

const char *wcp_err_name(int err)
{
    switch (err) {
    case 0: return "OK";
#define WCP__ERR_NAME(name, val, msg)                                                              \
    case (val): return #name;
        WCP_ERRNO_MAP(WCP__ERR_NAME)
#undef WCP__ERR_NAME
    default: return "UNKNOWN";
    }
}

int wcp_enable(void)
{
    wcp__init_once();
    wcp__buffer_enable();
    atomic_store_explicit(&wcp__S.on, 1, memory_order_relaxed);
    __atomic_store_n(&wcp__gate, 1, __ATOMIC_RELEASE);
    return 0;
}

void wcp_disable(void)
{
    atomic_store_explicit(&wcp__S.on, 0, memory_order_relaxed);
}

int wcp_is_enabled(void)
{
    return atomic_load_explicit(&wcp__S.on, memory_order_relaxed);
}

int wcp_set_limit(uint64_t max_events, wcp_limit_mode mode)
{
    if (max_events == 0 || max_events > ((uint64_t)1 << 62) ||
        (mode != WCP_LIMIT_DROP && mode != WCP_LIMIT_RING))
        return WCP_EINVAL;
    uint64_t old = atomic_exchange(&wcp__S.cap, max_events);
    atomic_fetch_add(&wcp__S.budget, (int64_t)max_events - (int64_t)old);
    atomic_store_explicit(&wcp__S.max_chunks,
                          (max_events + WCP_CHUNK_EVENTS - 1) / WCP_CHUNK_EVENTS,
                          memory_order_relaxed);
    atomic_store_explicit(&wcp__S.ring, mode == WCP_LIMIT_RING, memory_order_relaxed);
    return 0;
}

uint64_t wcp_dropped_by_cause(wcp_drop_cause cause)
{
    if ((unsigned)cause >= WCP_DROP__COUNT)
        return 0;
    uint64_t n = 0;
    for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire); t;
         t = t->next)
        n += atomic_load_explicit(&t->dropped[cause], memory_order_relaxed);
    return n;
}

uint64_t wcp_dropped_events(void)
{
    uint64_t n = 0;
    for (int k = 0; k < WCP_DROP__COUNT; k++)
        n += wcp_dropped_by_cause((wcp_drop_cause)k);
    return n;
}

/* ---- signal-requested dumps --------------------------------------------- */

static int sig_pipe[2] = {-1, -1};
static char *sig_pattern;
static int sig_no;
static struct sigaction sig_old; /* signo's action before ours */
static pthread_t sig_th;
static int sig_joinable;        /* sig_th exists, not joined */
static _Atomic int sig_restart; /* forked child: start a helper */
static pthread_mutex_t sig_lk = PTHREAD_MUTEX_INITIALIZER;

static void on_signal(int signo)
{
    (void)signo;
    int e = errno;
    char b = 1;
    ssize_t w = write(sig_pipe[1], &b, 1); /* async-signal-safe; full = coalesced */
    (void)w;
    errno = e;
}

static void *sig_helper(void *arg)
{
    int fd = (int)(intptr_t)arg;
    char b[64];
    pthread_setname_np(pthread_self(), "wcprof-signal");
    for (;;) {
        ssize_t n = read(fd, b, sizeof b);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return NULL; /* the write end closed: unloading */
        int ret = wcp_dump_path(sig_pattern, WCP_DUMP_FLUSH);
        if (ret < 0)
            fprintf(stderr, "wcprof: signal dump to %s failed: %s\n", sig_pattern,
                    wcp_strerror(ret));
    }
}

/* Starts the helper reading sig_pipe[0]; with sig_lk held. */
static int start_sig_helper(void)
{
    /* the helper blocks every signal so the handler runs elsewhere */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&sig_th, NULL, sig_helper, (void *)(intptr_t)sig_pipe[0]);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0)
        return WCP_ETHREAD;
    pthread_setname_np(sig_th, "wcprof-signal"); /* named before we return */
    sig_joinable = 1;
    return 0;
}

int wcp_dump_on_signal(int signo, const char *pattern)
{
    if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
        return WCP_EINVAL;
    pthread_mutex_lock(&sig_lk);
    int ret = 0;
    if (sig_pipe[0] >= 0) {
        ret = WCP_EINVAL;
        goto out;
    } /* once per process */
    if (!pattern || !*pattern)
        pattern = "wcprof-%p-%n.dump";
    if (!(sig_pattern = strdup(pattern))) {
        ret = WCP_ENOMEM;
        goto out;
    }
    if (pipe2(sig_pipe, O_CLOEXEC) != 0) {
        ret = WCP_EIO;
        goto out;
    }
    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
    if ((ret = start_sig_helper()) != 0)
        goto out;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    if (sigaction(signo, &sa, &sig_old) != 0) {
        ret = WCP_EINVAL;
        goto out;
    }
    sig_no = signo;
out:
    pthread_mutex_unlock(&sig_lk);
    return ret;
}

/* Unloading: the handler (in the code about to go) is replaced by the
 * action from before, then the helper sees the pipe close and is joined. */
void wcp__control_unload(void)
{
    pthread_mutex_lock(&sig_lk);
    if (sig_no) {
        sigaction(sig_no, &sig_old, NULL);
        sig_no = 0;
    }
    if (sig_pipe[1] >= 0) {
        close(sig_pipe[1]);
        sig_pipe[1] = -1;
    }
    if (sig_joinable) {
        pthread_join(sig_th, NULL);
        sig_joinable = 0;
    }
    if (sig_pipe[0] >= 0) {
        close(sig_pipe[0]);
        sig_pipe[0] = -1;
    }
    pthread_mutex_unlock(&sig_lk);
}

/* A forked child started when it first needs memory, or a thread. */
void wcp__signal_restart(void)
{
    if (__builtin_expect(!atomic_load_explicit(&sig_restart, memory_order_relaxed), 1))
        return;
    pthread_mutex_lock(&sig_lk);
    if (atomic_exchange(&sig_restart, 0) && sig_pipe[0] >= 0)
        start_sig_helper();
    pthread_mutex_unlock(&sig_lk);
}

/* ---- fork ------------------------------------------------------------------- */

static char *exit_path;

/* A pattern of the child's own: one without %p would name the parent's
 * file, so ".%p" (the child's pid) is appended. */
static char *child_pattern(char *pattern)
{
    if (!pattern || strstr(pattern, "%p"))
        return pattern;
    size_t n = strlen(pattern);
    char *p = malloc(n + 4);
    if (!p)
        return pattern;
    memcpy(p, pattern, n);
    memcpy(p + n, ".%p", 4);
    return p; /* the parent's copy is left: it may be in use (fork) */
}

/* The child of fork: its own signal pipe (the parent's helper must not
 * dump the parent when the child is signalled) and helper, started when
 * it first records; dump paths of its own; %n counts from 0 again. */
void wcp__control_fork_child(void)
{
    pthread_mutex_init(&sig_lk, NULL);
    sig_joinable = 0; /* the parent's helper is not in this process */
    atomic_store(&wcp__S.dump_seq, 0);
    exit_path = child_pattern(exit_path);
    sig_pattern = child_pattern(sig_pattern);
    if (sig_pipe[0] >= 0) {
        close(sig_pipe[0]);
        close(sig_pipe[1]);
        if (pipe2(sig_pipe, O_CLOEXEC) == 0) {
            fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
            atomic_store(&sig_restart, 1);
        } else {
            sig_pipe[0] = sig_pipe[1] = -1; /* the signal is then ignored */
        }
    }
}

/* ---- start-up from the environment ------------------------------------------- */

static void dump_at_exit(void)
{
    wcp_set_prefault(0); /* no more memory for a process on its way out */
    int ret = wcp_dump_path(exit_path, WCP_DUMP_FLUSH);
    if (ret < 0)
        fprintf(stderr, "wcprof: WCPROF_OUT dump to %s failed: %s (%s)\n", exit_path,
                wcp_strerror(ret), strerror(errno));
}

static int parse_signal(const char *v)
{
    if (strcmp(v, "USR1") == 0 || strcmp(v, "SIGUSR1") == 0)
        return SIGUSR1;
    if (strcmp(v, "USR2") == 0 || strcmp(v, "SIGUSR2") == 0)
        return SIGUSR2;
    char *end;
    long n = strtol(v, &end, 10);
    return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
}

/* The positive number in environment variable name, or 0 if it is unset
 * (or not a positive number: then says so on stderr). */
static uint64_t env_count(const char *name, const char *ignored)
{
    const char *v = getenv(name);
    if (!v || !*v)
        return 0;
    char *end;
    unsigned long long n = strtoull(v, &end, 10);
    if (!*end && n > 0 && *v != '-')
        return n;
    fprintf(stderr, "wcprof: %s=%s is not a positive number; %s\n", name, v, ignored);
    return 0;
}

/* Called by the constructor in core.c (always linked in). */
void wcp__from_env(void)
{
    const char *v;
    uint64_t n;
    if ((n = env_count("WCPROF_MAX_EVENTS", "keeping the default")))
        wcp_set_limit(n, WCP_LIMIT_DROP);
    if ((v = getenv("WCPROF_RING")) && strcmp(v, "1") == 0)
        atomic_store_explicit(&wcp__S.ring, 1, memory_order_relaxed);
    if ((v = getenv("WCPROF_ABORT_ON_MISUSE")) && *v)
        atomic_store_explicit(&wcp__S.abort_on_misuse, strcmp(v, "0") != 0, memory_order_relaxed);
    if ((v = getenv("WCPROF_PREFAULT")) && strcmp(v, "0") == 0)
        wcp_set_prefault(0);
    if ((v = getenv("WCPROF_CHECK")) && strcmp(v, "1") == 0)
        atomic_store(&wcp__S.check, 1);
    if ((v = getenv("WCPROF_HUGEPAGES")) && strcmp(v, "0") == 0)
        atomic_store(&wcp__S.hugepages, 0);
    if ((n = env_count("WCPROF_RESERVE", "reserving nothing")) && wcp_reserve(n) < 0)
        fprintf(stderr, "wcprof: WCPROF_RESERVE=%llu: %s\n", (unsigned long long)n,
                wcp_strerror(WCP_ENOMEM));
    if ((v = getenv("WCPROF")) && strcmp(v, "1") == 0)
        wcp_enable();
    if ((v = getenv("WCPROF_OUT")) && *v && (exit_path = strdup(v))) {
        wcp__init_once();
        atexit(dump_at_exit);
    }
    if ((v = getenv("WCPROF_SIGNAL")) && *v) {
        int signo = parse_signal(v);
        int ret = signo > 0 ? wcp_dump_on_signal(signo, getenv("WCPROF_SIGNAL_OUT")) : WCP_EINVAL;
        if (ret < 0)
            fprintf(stderr, "wcprof: WCPROF_SIGNAL=%s: %s\n", v, wcp_strerror(ret));
    }
}
