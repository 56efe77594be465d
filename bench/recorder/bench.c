/*
 * bench.c - wcprof-bench-recorder: nanoseconds per begin+end op pair.
 *
 *   wcprof-bench-recorder [--threads N] [--pairs P] [--reps R]
 *
 * Measures, in one run, for 1 thread, 2 threads and N threads (--threads):
 *   compiled-out   the calls compiled with WCPROF_DISABLE (bench_off.c)
 *   never-enabled  library linked, recording never turned on
 *   enabled        recording on (buffers reused between repetitions)
 *   enabled-off    recording turned on, then globally off again
 *   mutex-shards   a copy of the reference design (Dagger's engine/wcprof):
 *                  16 mutex-protected shards, a hash map of open ops per
 *                  shard, clock_gettime timestamps
 * Each figure is the median over R repetitions of the mean per-thread cost
 * (each thread's elapsed time / its pairs); threads run at the same time.
 * The first repetition of `enabled` also takes fresh buffers; it is
 * printed separately ("first rep").
 */
#define _GNU_SOURCE
#include "wcprof.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void bench_loop_compiled_out(long pairs);

static double now_ns(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the libwcprof loop ------------------------------------------------ */

static void loop_wcprof(long pairs) {
  for (long i = 0; i < pairs; i++) {
    wcp_op op = wcp_begin(WCP_KIND_CALL, "bench.op");
    wcp_end(op, WCP_OUTCOME_OK);
    __asm__ __volatile__("" ::: "memory");
  }
}

/* ---- the baseline: the reference recorder's design --------------------- */

typedef struct bl_open { uint64_t id, parent; int64_t start; const char *cls; } bl_open;
typedef struct bl_event { uint64_t id, parent; int64_t s, d; const char *cls; uint8_t kind, outcome; } bl_event;
typedef struct bl_shard {
  pthread_mutex_t mu;
  bl_open *open;         /* open addressing, id 0 = empty */
  size_t cap, n;
  bl_event *events;      /* append-only, like a Go slice */
  size_t nev, evcap;
  char pad[64];
} bl_shard;

static bl_shard shards[16];
static atomic_uint_fast64_t bl_next_id;
static __thread uint64_t bl_current;

static int64_t bl_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static size_t bl_slot(const bl_shard *s, uint64_t id) {
  size_t k = (size_t)(id * 0x9E3779B97F4A7C15ull) & (s->cap - 1);
  while (s->open[k].id && s->open[k].id != id) k = (k + 1) & (s->cap - 1);
  return k;
}

static void bl_insert(bl_shard *s, bl_open o) {
  if (2 * (s->n + 1) > s->cap) {
    size_t oldcap = s->cap;
    bl_open *old = s->open;
    s->cap = oldcap ? 2 * oldcap : 64;
    s->open = calloc(s->cap, sizeof *s->open);
    for (size_t i = 0; i < oldcap; i++)
      if (old[i].id) s->open[bl_slot(s, old[i].id)] = old[i];
    free(old);
  }
  s->open[bl_slot(s, o.id)] = o;
  s->n++;
}

static bl_open bl_remove(bl_shard *s, uint64_t id) {
  size_t k = bl_slot(s, id), mask = s->cap - 1;
  bl_open o = s->open[k];
  s->open[k].id = 0;
  s->n--;
  for (size_t j = (k + 1) & mask; s->open[j].id; j = (j + 1) & mask) {
    bl_open x = s->open[j]; /* backward-shift deletion */
    s->open[j].id = 0;
    s->open[bl_slot(s, x.id)] = x;
  }
  return o;
}

static uint64_t bl_begin(const char *cls) {
  uint64_t id = atomic_fetch_add(&bl_next_id, 1) + 1;
  bl_shard *s = &shards[id % 16];
  bl_open o = {id, bl_current, bl_now(), cls};
  pthread_mutex_lock(&s->mu);
  bl_insert(s, o);
  pthread_mutex_unlock(&s->mu);
  bl_current = id;
  return id;
}

static void bl_end(uint64_t id, uint8_t outcome) {
  int64_t end = bl_now();
  bl_shard *s = &shards[id % 16];
  pthread_mutex_lock(&s->mu);
  bl_open o = bl_remove(s, id);
  if (s->nev == s->evcap) {
    s->evcap = s->evcap ? 2 * s->evcap : 1024;
    s->events = realloc(s->events, s->evcap * sizeof *s->events);
  }
  s->events[s->nev++] = (bl_event){o.id, o.parent, o.start, end, o.cls, 1, outcome};
  pthread_mutex_unlock(&s->mu);
  bl_current = o.parent;
}

static void loop_baseline(long pairs) {
  for (long i = 0; i < pairs; i++) {
    uint64_t id = bl_begin("bench.op");
    bl_end(id, 5);
    __asm__ __volatile__("" ::: "memory");
  }
}

static void baseline_reset(void) { /* keep capacity: memory is reused */
  for (int i = 0; i < 16; i++) shards[i].nev = 0;
}

/* ---- running threads ---------------------------------------------------- */

typedef struct run {
  void (*loop)(long);
  long pairs;
  pthread_barrier_t *go;
  double ns, cpu_ns;
} run;

static void *thread_main(void *p) {
  run *r = p;
  pthread_barrier_wait(r->go);
  double t0 = now_ns(CLOCK_MONOTONIC), c0 = now_ns(CLOCK_THREAD_CPUTIME_ID);
  r->loop(r->pairs);
  r->ns = now_ns(CLOCK_MONOTONIC) - t0;
  r->cpu_ns = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
  return NULL;
}

/* Mean per-thread ns per pair of one repetition with n threads: wall
 * time (returned) and thread CPU time (*cpu). */
static double measure(void (*loop)(long), int n, long pairs, double *cpu) {
  pthread_t th[256];
  run r[256];
  pthread_barrier_t go;
  pthread_barrier_init(&go, NULL, (unsigned)n);
  for (int i = 0; i < n; i++) {
    r[i] = (run){loop, pairs, &go, 0, 0};
    pthread_create(&th[i], NULL, thread_main, &r[i]);
  }
  double sum = 0, csum = 0;
  for (int i = 0; i < n; i++) {
    pthread_join(th[i], NULL);
    sum += r[i].ns / (double)pairs;
    csum += r[i].cpu_ns / (double)pairs;
  }
  pthread_barrier_destroy(&go);
  *cpu = csum / n;
  return sum / n;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void discard_events(void) {
  FILE *f = fopen("/dev/null", "w");
  wcp_dump_file(f, WCP_DUMP_FLUSH);
  fclose(f);
}

static double med(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

typedef struct fig { double wall, cpu, first; } fig; /* medians; first rep */

/* reps repetitions of loop on n threads, between() after each. */
static fig median(void (*loop)(long), int n, long pairs, int reps,
                  void (*between)(void)) {
  double w[64], c[64];
  for (int k = 0; k < reps; k++) {
    w[k] = measure(loop, n, pairs, &c[k]);
    if (between) between();
  }
  fig f = {0, 0, w[0]};
  f.wall = med(w, reps);
  f.cpu = med(c, reps);
  return f;
}

int main(int argc, char **argv) {
  int maxth = 2, reps = 7;
  long pairs = 500000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) maxth = atoi(argv[++i]);
    else if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc) pairs = atol(argv[++i]);
    else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) reps = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: wcprof-bench-recorder [--threads N] [--pairs P] [--reps R]\n");
      return 2;
    }
  }
  if (maxth < 1 || maxth > 256 || reps < 1 || reps > 64 || pairs < 1) {
    fprintf(stderr, "wcprof-bench-recorder: --threads 1..256, --reps 1..64, --pairs >= 1\n");
    return 2;
  }
  if (wcp_active()) {
    fprintf(stderr, "wcprof-bench-recorder: run it without WCPROF=1\n");
    return 2;
  }
  int counts[3] = {1, 2, maxth}, nc = maxth > 2 ? 3 : maxth;
  fig never[3], out[3], on[3], off[3], base[3];
  /* the cap must hold one repetition's events */
  wcp_set_limit((uint64_t)pairs * (uint64_t)maxth + WCP_CHUNK_EVENTS * (uint64_t)maxth,
                WCP_LIMIT_DROP);
  for (int c = 0; c < nc; c++) {
    never[c] = median(loop_wcprof, counts[c], pairs, reps, NULL);
    out[c] = median(bench_loop_compiled_out, counts[c], pairs, reps, NULL);
  }
  wcp_enable();
  for (int c = 0; c < nc; c++) {
    on[c] = median(loop_wcprof, counts[c], pairs, reps, discard_events);
    base[c] = median(loop_baseline, counts[c], pairs, reps, baseline_reset);
  }
  wcp_disable();
  for (int c = 0; c < nc; c++)
    off[c] = median(loop_wcprof, counts[c], pairs, reps, NULL);
  if (wcp_dropped_events())
    fprintf(stderr, "warning: %llu events dropped\n",
            (unsigned long long)wcp_dropped_events());

  printf("ns per begin+end pair, per thread; median of %d reps of %ld pairs\n"
         "wall = elapsed time per pair; cpu = thread CPU time per pair\n",
         reps, pairs);
  printf("%-7s %12s %13s %13s %11s %13s %13s %9s %9s\n", "threads",
         "compiled-out", "never-enabled", "enabled wall", "enabled cpu",
         "enabled-off", "mutex16 wall", "mutex16 cpu", "speed-up");
  for (int c = 0; c < nc; c++)
    printf("%-7d %12.2f %13.2f %13.2f %11.2f %13.2f %13.2f %9.2f %8.1fx\n",
           counts[c], out[c].wall, never[c].wall, on[c].wall, on[c].cpu,
           off[c].wall, base[c].wall, base[c].cpu, base[c].wall / on[c].wall);
  printf("enabled, first rep (fresh buffers): ");
  for (int c = 0; c < nc; c++)
    printf("%s%d thread%s %.2f", c ? ", " : "", counts[c], counts[c] > 1 ? "s" : "",
           on[c].first);
  printf(" ns wall\n");
  return 0;
}
