/* pgen.h - random op graphs for the property tests, written as schema-1 dumps.
 *
 * Two families, both deterministic functions of a seed:
 *
 *   pg_gen_sync()    purely synchronous traces: each op's interval is cut, one
 *                    piece after another, into self gaps and child intervals
 *                    (children never overlap and end before their parent);
 *                    some children are calls whose call_exec child covers
 *                    them exactly and which wait (call_exec) on it; roots
 *                    follow each other after idle gaps. The replay of such a
 *                    trace must reproduce it exactly (spec/analysis.md §3).
 *   pg_gen_overlap() everything else §1 and §3 name: parallel children,
 *                    children starting before or ending after their parent,
 *                    waits on any op (other roots, ancestors: cycles, itself,
 *                    unknown ids), abandoned waits around the 1 ms tolerance,
 *                    lock waits, exec waits resolved by ident, orphan waits,
 *                    unknown parents, nested clients, overlapping roots, open
 *                    ops, zero-length ops, d < s.
 *
 * A graph owns its memory: pg_free() releases it. Functions that allocate
 * abort the program when memory runs out (these are tests).
 */
#ifndef PGEN_H
#define PGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* splitmix64: small, fast, and the same on every platform. */
typedef struct pg_rng {
    uint64_t s;
} pg_rng;

uint64_t pg_next(pg_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
uint64_t pg_below(pg_rng *r, uint64_t n);
/* Uniform in [lo, hi] (hi >= lo). */
int64_t pg_range(pg_rng *r, int64_t lo, int64_t hi);
/* True with probability pct/100. */
bool pg_chance(pg_rng *r, unsigned pct);

typedef struct pg_op {
    uint64_t id, parent;               /* parent: the 'p' written (0: none) */
    const char *kind, *work, *outcome; /* written as strings ("" or NULL: omitted) */
    uint32_t cls, ident, client;       /* string-table indexes */
    int64_t s, d;                      /* d: the end written (may be < s) */
    bool open;                         /* written in open_ops, not as an event */
} pg_op;

typedef struct pg_wait {
    uint64_t waiter, target; /* target 0: none written */
    const char *reason;
    uint32_t ident;
    int64_t s, d;
} pg_wait;

typedef struct pg_link {
    uint64_t from, target;
    const char *kind;
    uint32_t ident;
    int64_t at;
} pg_link;

typedef struct pg_graph {
    pg_op *ops;
    size_t nops, capops;
    pg_wait *waits;
    size_t nwaits, capwaits;
    pg_link *links;
    size_t nlinks, caplinks;
    char **strings; /* strings[0] is "" */
    size_t nstrings, capstrings;
    int64_t epoch_unix_nano; /* the header's epoch */
    int64_t now;             /* dumped - epoch: the end of open ops */
    uint64_t next_id;        /* the next op id to hand out */
} pg_graph;

void pg_init(pg_graph *g);
void pg_free(pg_graph *g);
/* The index of s in the string table, adding it when new. */
uint32_t pg_intern(pg_graph *g, const char *s);

/* Fills g (initialised, empty) with a graph of about target_ops ops. */
void pg_gen_sync(pg_graph *g, uint64_t seed, size_t target_ops);
void pg_gen_overlap(pg_graph *g, uint64_t seed, size_t target_ops);

/* The actual makespan the analyses must report for a pg_gen_sync graph
 * (latest root end minus earliest root start), and its total idle time
 * between roots: the sum of all self times plus the idle time is the
 * makespan. */
int64_t pg_sync_makespan(const pg_graph *g);
int64_t pg_sync_idle(const pg_graph *g);

/* Writes g as a schema-1 dump at path, its event lines in an order shuffled
 * by shuffle_seed (a dump's events come in no particular order). Returns 0,
 * or -1 when the file cannot be written. */
int pg_write(const pg_graph *g, const char *path, uint64_t shuffle_seed);

#endif
