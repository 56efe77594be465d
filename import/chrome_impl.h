/* chrome_impl.h - the Chrome reader's state, shared by its two files:
 * chrome.c reads the file into the records below (one per slice, end and
 * flow event); chrome_nest.c turns them into ops, waits and links. */
#ifndef WCP_CHROME_IMPL_H
#define WCP_CHROME_IMPL_H

#include "chrome.h"
#include "strtab.h"

#include <jansson.h>
#include <stdint.h>

#define TS_MAX ((int64_t)1 << 62) /* |time| in ns: differences never overflow */
#define DEFAULT_KIND "slice"      /* the kind of an event without "cat" */

enum { SL_B = 1, SL_OPEN = 2, SL_CLAMPED = 4, SL_FLOW_PARENT = 8 };

typedef struct slice {
    int64_t start, end;        /* ns, as in the file (rebased when handed out) */
    uint32_t thread;           /* index into threads */
    uint32_t name, cat, ident; /* string indexes */
    uint32_t seq;              /* the event's index in traceEvents */
    int32_t parent;            /* slice index, -1: none */
    uint32_t flags;            /* SL_* */
} slice;                       /* its op id: 1 + its rank by (start, seq), see number_ops() */

typedef struct bend { /* an E event */
    int64_t ts;
    uint32_t thread, seq;
} bend;

typedef struct flow { /* one flow event (v1 s/t/f, or a slice's v2 flow_in/flow_out) */
    int64_t ts;       /* where it is: v1 its ts, v2 its slice's start */
    uint32_t key;     /* the flow's identity (index into fkeys) */
    uint32_t seq, thread, name;
    int32_t slice; /* the slice it binds to (v2 known at once, v1 bound later); -1 none */
    uint8_t ph;    /* 's' start, 't' step, 'f' finish */
    uint8_t next;  /* v1 'f' without "bp":"e": binds to the next slice that starts */
    uint8_t order; /* at one ts: a v2 slice's flow_in (0) before its flow_out (1) */
} flow;

typedef struct hop { /* a flow from one slice to another */
    int64_t at_from, at_to;
    int32_t from, to;
    uint32_t name, seq;
    bool wait; /* also a wait of `to` on `from` (else `to` became from's child) */
} hop;

typedef struct thread {
    int64_t pid, tid; /* the values, or string indexes when pid_str / tid_str */
    bool pid_str, tid_str;
    uint32_t name;         /* thread_name metadata (string index), 0: none */
    int64_t thread_id;     /* ops.thread_id: the tid, or -1, -2, ... for string tids */
    uint32_t first, count; /* its slices in `order` */
} thread;

typedef struct process {
    int64_t pid;
    bool pid_str;
    uint32_t name;
} process;

typedef struct phase_count {
    char ph[16];
    int64_t n;
} phase_count;

typedef struct chrome {
    wcp_reader *r;
    /* reading: the position r->pos is at line `line`, which starts at line_off */
    long line;
    uint64_t line_off;
    int64_t event;      /* 1-based index of the event being read (0: none) */
    uint64_t event_col; /* the column where it starts */
    wcp_errpos jerr;    /* the tokenizer's last failure */
    char *scratch;      /* decoded strings */
    size_t scap;
    uint64_t hash; /* the file's content hash, once read */
    /* what was read */
    wcp_strtab st;    /* names, categories, idents, pid/tid strings */
    wcp_strtab fkeys; /* flow identities */
    slice *sl;
    size_t nsl, slcap;
    bend *ends;
    size_t nends, endcap;
    flow *fl;
    size_t nfl, flcap;
    hop *hops;
    size_t nhops, hopcap;
    thread *th;
    size_t nth, thcap;
    uint32_t *thslot; /* (pid, tid) -> thread index + 1 */
    size_t thscap;
    process *pr;
    size_t npr, prcap;
    phase_count *ign; /* ignored events per phase */
    size_t nign, igncap;
    int64_t string_tids;
    int64_t events, clang_totals, unmatched_ends, open_slices, negative_durs, misnested;
    int64_t flow_events, flow_no_id, flow_unbound, flow_unfinished, flow_orphans, flow_self, spawns,
        flow_waits, flow_early;
    bool have_ts;
    int64_t last_ts;      /* the latest time of any event */
    json_t *meta;         /* small top-level values other than traceEvents */
    json_t *meta_skipped; /* names of the larger ones */
    /* handing out */
    uint32_t *order; /* slice indexes grouped by thread, each group by (start, -end, seq) */
    uint32_t *by_id; /* slice index of op id k + 1 */
    uint32_t *id_of; /* op id - 1 of a slice */
    int64_t origin;  /* subtracted from every time */
    uint32_t kind_default;
    char *extra;  /* dumps.extra */
    size_t out_i; /* next slice, then wait, then link to hand out */
    int out_stage;
} chrome;

/* "file:line: [event N: ]reason[ (column C)]" into the reader's err; -1.
 * Both files call it cerr(). */
int wcp_chrome_err(chrome *ch, long line, uint64_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define cerr wcp_chrome_err

/* chrome_nest.c: after the whole file, B/E matched, slices nested, flows
 * followed, ops numbered, dumps.extra made. Returns 0 or -1 (r->err set). */
int wcp_chrome_convert(chrome *ch);

/* chrome_nest.c: handing out, as the reader's calls wcp_reader_open_ops()
 * and wcp_reader_next() (source.h), once converted. */
int wcp_chrome_open_ops(wcp_reader *r, wcp_open_fn on_open, void *ctx);
int wcp_chrome_next(wcp_reader *r, wcp_event *ev);

/* chrome_nest.c: frees what reading kept (once all is handed out, and at
 * close); what the header and the notes need stays. Can't fail. */
void wcp_chrome_release(chrome *ch);

/* chrome_nest.c: the notes on an import, from its dumps.extra (the row's
 * notes, source.h). */
char *wcp_chrome_notes(json_t *extra, const char *prefix);

#endif
