/* pipe.c - the parsing thread: events of any format parsed on a second
 * thread and handed over in batches (wcp_reader_start_thread(), source.h).
 *
 * The thread owns a copy of the reader (its file, buffer, scanner and
 * format's state) and parses batches of events through the reader's own
 * calls, so every format gets it; each event is copied into its batch (the
 * line and any string that does not point into it go to the batch's arena,
 * kept as offsets while the arena may still grow). The caller's thread takes
 * full batches from the queue and gives them back when it moves past them.
 * At most QUEUE batches exist, so a fast parser waits for a slow consumer.
 * The thread holds each batch back until the next one is parsed, then calls
 * the hook's ready() on its events (wcp_reader_set_hook()). */
#include "pipe.h"

#include "errpos.h"
#include "grow.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 2048 /* events per batch */
#define QUEUE 6    /* batches in existence at most */

typedef struct rec {
    wcp_event ev; /* strings as offsets into the arena */
    long line;
    uint64_t bytes;
} rec;

typedef struct batch {
    struct batch *next;
    rec *recs;
    size_t n;
    char *arena;
    size_t used, cap;
    int status; /* after the last event: 1 more follow, 0 end, -1 error */
    char err[768];
} batch;

struct wcp_pipe {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;       /* a batch became full, or free, or stop was set */
    batch *full, *full_tail; /* parsed, in order */
    batch *spare;            /* given back */
    int made;                /* batches allocated */
    bool stop;               /* the consumer is closing */
    wcp_reader own;          /* the thread's reader (its hook without ready) */
    wcp_event_hook hook;
    batch *cur; /* the consumer's batch */
    size_t pos; /* next event in cur */
};

static size_t arena_put(batch *b, const char *p, size_t n)
{
    if (n == 0) /* an empty line: a Chrome source's events have none */
        return b->used;
    if (!wcp_grow((void **)&b->arena, &b->cap, b->used + n, 1))
        return SIZE_MAX;
    memcpy(b->arena + b->used, p, n);
    b->used += n;
    return b->used - n;
}

/* s as an offset: into the copy of the line at `at` when it points into
 * the line, else into its own copy. False: out of memory. */
static bool str_to_offset(batch *b, wcp_str *s, wcp_str line, size_t at)
{
    size_t off;
    if (s->n == 0)
        off = 0;
    else if (s->p >= line.p && s->p + s->n <= line.p + line.n)
        off = at + (size_t)(s->p - line.p);
    else if ((off = arena_put(b, s->p, s->n)) == SIZE_MAX)
        return false;
    s->p = (const char *)(uintptr_t)off;
    return true;
}

static bool copy_event(batch *b, const wcp_reader *r, const wcp_event *ev)
{
    rec *x = &b->recs[b->n];
    x->ev = *ev;
    x->line = r->line;
    x->bytes = r->bytes;
    size_t at = arena_put(b, ev->line.p, ev->line.n);
    if (at == SIZE_MAX)
        return false;
    wcp_event *e = &x->ev;
    wcp_str *strs[] = {&e->e, &e->k, &e->w, &e->o, &e->rs, &e->lk, &e->extra};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
        if (!str_to_offset(b, strs[k], ev->line, at))
            return false;
    e->line.p = (const char *)(uintptr_t)at;
    b->n++;
    return true;
}

static void offset_to_str(const batch *b, wcp_str *s)
{
    s->p = s->n ? b->arena + (uintptr_t)s->p : "";
}

/* rec's event with its strings pointing into the arena again */
static void event_of(const batch *b, const rec *x, wcp_event *ev)
{
    *ev = x->ev;
    wcp_str *strs[] = {&ev->e, &ev->k, &ev->w, &ev->o, &ev->rs, &ev->lk, &ev->extra, &ev->line};
    for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++)
        offset_to_str(b, strs[k]);
}

/* Calls ready() on b's events, then queues b for the consumer. */
static void hand_over(wcp_pipe *p, batch *b)
{
    if (p->hook.ready)
        for (size_t k = 0; k < b->n; k++) {
            wcp_event ev;
            event_of(b, &b->recs[k], &ev);
            b->recs[k].ev.aux = p->hook.ready(p->hook.ctx, &ev);
        }
    pthread_mutex_lock(&p->mu);
    if (p->full_tail)
        p->full_tail->next = b;
    else
        p->full = b;
    p->full_tail = b;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void free_batches(batch *b)
{
    while (b) {
        batch *n = b->next;
        free(b->recs);
        free(b->arena);
        free(b);
        b = n;
    }
}

/* A free batch, emptied; NULL when the consumer is closing. */
static batch *take_spare(wcp_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->stop && !p->spare && p->made >= QUEUE)
        pthread_cond_wait(&p->cv, &p->mu);
    batch *b = NULL;
    if (!p->stop) {
        if (p->spare) {
            b = p->spare;
            p->spare = b->next;
        } else if ((b = calloc(1, sizeof *b)) && (b->recs = malloc(BATCH * sizeof *b->recs))) {
            p->made++;
        } else {
            free(b);
            b = NULL;
        }
    }
    pthread_mutex_unlock(&p->mu);
    if (b) {
        b->next = NULL;
        b->n = b->used = 0;
        b->status = 1;
    }
    return b;
}

static void *parse_thread(void *arg)
{
    wcp_pipe *p = arg;
    wcp_reader *r = &p->own;
    batch *held = NULL; /* parsed, handed over once the next one is */
    int status = 1;
    while (status == 1) {
        batch *b = take_spare(p);
        if (!b)
            break;
        while (b->n < BATCH) {
            wcp_event ev;
            status = wcp_reader_next(r, &ev);
            if (status > 0 && !copy_event(b, r, &ev))
                status = wcp_errpos_print(r->err, sizeof r->err, r->path, r->line, 0, "",
                                          "out of memory");
            if (status <= 0) {
                if (status < 0)
                    memcpy(b->err, r->err, sizeof b->err);
                b->status = status;
                break;
            }
        }
        if (held)
            hand_over(p, held);
        held = b;
    }
    if (held && status != 1)
        hand_over(p, held); /* the last one */
    else if (held)
        free_batches(held); /* stopped: nobody will take it */
    return NULL;
}

int wcp_reader_start_thread(wcp_reader *r)
{
    if (r->pipe)
        return 0;
    wcp_pipe *p = calloc(1, sizeof *p);
    if (!p)
        return -1;
    p->own = *r;
    p->hook = r->hook;
    p->own.hook.ready = NULL; /* called at hand-over instead */
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, parse_thread, p) != 0) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->cv);
        free(p);
        return -1;
    }
    /* the thread owns these now */
    r->fd = -1;
    r->buf = NULL;
    r->jroot = NULL;
    memset(&r->js, 0, sizeof r->js);
    r->src = NULL; /* another format's reader too */
    r->src_state = NULL;
    r->pipe = p;
    return 0;
}

int wcp_pipe_next(wcp_reader *r, wcp_event *ev)
{
    wcp_pipe *p = r->pipe;
    while (!p->cur || p->pos == p->cur->n) {
        batch *b = p->cur;
        if (b && b->status != 1) {
            if (b->status < 0)
                memcpy(r->err, b->err, sizeof r->err);
            return b->status;
        }
        pthread_mutex_lock(&p->mu);
        if (b) {
            b->next = p->spare;
            p->spare = b;
            pthread_cond_broadcast(&p->cv);
        }
        while (!p->full)
            pthread_cond_wait(&p->cv, &p->mu);
        p->cur = p->full;
        p->full = p->cur->next;
        if (!p->full)
            p->full_tail = NULL;
        pthread_mutex_unlock(&p->mu);
        p->pos = 0;
    }
    const batch *b = p->cur;
    const rec *x = &b->recs[p->pos++];
    event_of(b, x, ev);
    r->line = x->line;
    r->bytes = x->bytes;
    r->events++;
    return 1;
}

void wcp_pipe_stop(wcp_reader *r)
{
    wcp_pipe *p = r->pipe;
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = true;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    wcp_reader_close(&p->own);
    if (p->cur) {
        p->cur->next = NULL;
        free_batches(p->cur);
    }
    free_batches(p->full);
    free_batches(p->spare);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p);
    r->pipe = NULL;
}
