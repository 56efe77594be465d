/*
 * control.c - turning the recorder on and off, its limits, error texts,
 * the environment read at start-up (WCPROF, WCPROF_OUT, WCPROF_MAX_EVENTS,
 * WCPROF_RING, WCPROF_SIGNAL, WCPROF_SIGNAL_OUT, WCPROF_ABORT_ON_MISUSE,
 * WCPROF_PREFAULT, WCPROF_HUGEPAGES, WCPROF_RESERVE),
 * the dump at exit, and
 * dumps requested by a signal (written by a helper thread: the handler
 * only writes one byte to a pipe).
 */
#define _GNU_SOURCE /* pipe2 */
#include "wcp_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *wcp_strerror(int err) {
  switch (err) {
  case 0: return "success";
#define WCP__ERR_MSG(name, val, msg) case (val): return msg;
  WCP_ERRNO_MAP(WCP__ERR_MSG)
#undef WCP__ERR_MSG
  default: return "unknown error";
  }
}

const char *wcp_err_name(int err) {
  switch (err) {
  case 0: return "OK";
#define WCP__ERR_NAME(name, val, msg) case (val): return #name;
  WCP_ERRNO_MAP(WCP__ERR_NAME)
#undef WCP__ERR_NAME
  default: return "UNKNOWN";
  }
}

int wcp_enable(void) {
  wcp__init_once();
  atomic_store_explicit(&wcp__S.on, 1, memory_order_relaxed);
  __atomic_store_n(&wcp__gate, 1, __ATOMIC_RELEASE);
  return 0;
}

void wcp_disable(void) {
  atomic_store_explicit(&wcp__S.on, 0, memory_order_relaxed);
}

int wcp_is_enabled(void) {
  return atomic_load_explicit(&wcp__S.on, memory_order_relaxed);
}

int wcp_set_limit(uint64_t max_events, wcp_limit_mode mode) {
  if (max_events == 0 || (mode != WCP_LIMIT_DROP && mode != WCP_LIMIT_RING))
    return WCP_EINVAL;
  uint64_t chunks = (max_events + WCP_CHUNK_EVENTS - 1) / WCP_CHUNK_EVENTS;
  atomic_store_explicit(&wcp__S.max_chunks, chunks, memory_order_relaxed);
  atomic_store_explicit(&wcp__S.ring, mode == WCP_LIMIT_RING,
                        memory_order_relaxed);
  return 0;
}

uint64_t wcp_dropped_events(void) {
  uint64_t n = 0;
  for (wcp__thread *t = atomic_load_explicit(&wcp__S.threads, memory_order_acquire);
       t; t = t->next)
    n += atomic_load_explicit(&t->dropped, memory_order_relaxed);
  return n;
}

/* ---- signal-requested dumps --------------------------------------------- */

static int sig_pipe[2] = {-1, -1};
static char *sig_pattern;

static void on_signal(int signo) {
  (void)signo;
  int e = errno;
  char b = 1;
  ssize_t w = write(sig_pipe[1], &b, 1); /* async-signal-safe; full = coalesced */
  (void)w;
  errno = e;
}

static void *sig_helper(void *arg) {
  (void)arg;
  char b[64];
  for (;;) {
    ssize_t n = read(sig_pipe[0], b, sizeof b);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return NULL;
    int ret = wcp_dump_path(sig_pattern, WCP_DUMP_FLUSH);
    if (ret < 0)
      fprintf(stderr, "wcprof: signal dump to %s failed: %s\n", sig_pattern,
              wcp_strerror(ret));
  }
}

int wcp_dump_on_signal(int signo, const char *pattern) {
  if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
    return WCP_EINVAL;
  if (sig_pipe[0] >= 0) return WCP_EINVAL; /* once per process */
  if (!pattern || !*pattern) pattern = "wcprof-%p-%n.dump";
  if (!(sig_pattern = strdup(pattern))) return WCP_ENOMEM;
  if (pipe2(sig_pipe, O_CLOEXEC) != 0) return WCP_EIO;
  fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
  /* the helper blocks every signal so the handler runs elsewhere */
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_t th;
  int rc = pthread_create(&th, NULL, sig_helper, NULL);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (rc != 0) return WCP_ETHREAD;
  pthread_detach(th);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(signo, &sa, NULL) != 0) return WCP_EINVAL;
  return 0;
}

/* ---- start-up from the environment ------------------------------------------- */

static char *exit_path;

static void dump_at_exit(void) {
  wcp_set_prefault(0); /* no more memory for a process on its way out */
  int ret = wcp_dump_path(exit_path, WCP_DUMP_FLUSH);
  if (ret < 0)
    fprintf(stderr, "wcprof: WCPROF_OUT dump to %s failed: %s (%s)\n",
            exit_path, wcp_strerror(ret), strerror(errno));
}

static int parse_signal(const char *v) {
  if (strcmp(v, "USR1") == 0 || strcmp(v, "SIGUSR1") == 0) return SIGUSR1;
  if (strcmp(v, "USR2") == 0 || strcmp(v, "SIGUSR2") == 0) return SIGUSR2;
  char *end;
  long n = strtol(v, &end, 10);
  return *end == '\0' && n > 0 && n < NSIG ? (int)n : -1;
}

/* The positive number in environment variable name, or 0 if it is unset
 * (or not a positive number: then says so on stderr). */
static uint64_t env_count(const char *name, const char *ignored) {
  const char *v = getenv(name);
  if (!v || !*v) return 0;
  char *end;
  unsigned long long n = strtoull(v, &end, 10);
  if (!*end && n > 0 && *v != '-') return n;
  fprintf(stderr, "wcprof: %s=%s is not a positive number; %s\n", name, v,
          ignored);
  return 0;
}

/* Called by the constructor in core.c (always linked in). */
void wcp__from_env(void) {
  const char *v;
  uint64_t n;
  if ((n = env_count("WCPROF_MAX_EVENTS", "keeping the default")))
    wcp_set_limit(n, WCP_LIMIT_DROP);
  if ((v = getenv("WCPROF_RING")) && strcmp(v, "1") == 0)
    atomic_store_explicit(&wcp__S.ring, 1, memory_order_relaxed);
  if ((v = getenv("WCPROF_ABORT_ON_MISUSE")) && *v)
    atomic_store_explicit(&wcp__S.abort_on_misuse, strcmp(v, "0") != 0,
                          memory_order_relaxed);
  if ((v = getenv("WCPROF_PREFAULT")) && strcmp(v, "0") == 0)
    wcp_set_prefault(0);
  if ((v = getenv("WCPROF_HUGEPAGES")) && strcmp(v, "0") == 0)
    atomic_store(&wcp__S.hugepages, 0);
  if ((n = env_count("WCPROF_RESERVE", "reserving nothing")) &&
      wcp_reserve(n) < 0)
    fprintf(stderr, "wcprof: WCPROF_RESERVE=%llu: %s\n",
            (unsigned long long)n, wcp_strerror(WCP_ENOMEM));
  if ((v = getenv("WCPROF")) && strcmp(v, "1") == 0) wcp_enable();
  if ((v = getenv("WCPROF_OUT")) && *v && (exit_path = strdup(v))) {
    wcp__init_once();
    atexit(dump_at_exit);
  }
  if ((v = getenv("WCPROF_SIGNAL")) && *v) {
    int signo = parse_signal(v);
    int ret = signo > 0 ? wcp_dump_on_signal(signo, getenv("WCPROF_SIGNAL_OUT"))
                        : WCP_EINVAL;
    if (ret < 0)
      fprintf(stderr, "wcprof: WCPROF_SIGNAL=%s: %s\n", v, wcp_strerror(ret));
  }
}
