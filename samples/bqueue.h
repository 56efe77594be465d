/* bqueue.h - the samples' bounded queue (samples/queue, samples/pipeline):
 * a ring of int items under one mutex with two condition variables,
 * recorded the way recorder/README.md "Holds" says a queue is: a put
 * signals "NAME.items" (it releases a consumer waiting for an item), a
 * take signals "NAME.space" (it releases a producer waiting for room),
 * and each side records a lock wait on the other's name only when it
 * really sleeps. The mutex itself is held for a few instructions and is
 * not recorded (its holds would only pin the replay to the recorded
 * order of puts and takes). Header only, like scale.h. */
#ifndef WCP_SAMPLE_BQUEUE_H
#define WCP_SAMPLE_BQUEUE_H

#include "wcprof.h"

#include <pthread.h>

#define BQ_MAX 64

typedef struct bqueue {
    pthread_mutex_t mu;
    pthread_cond_t nonempty, nonfull;
    int items[BQ_MAX];
    int head, count, cap;
    const char *items_res, *space_res; /* "NAME.items", "NAME.space": literals */
} bqueue;

static inline void bq_init(bqueue *q, int cap, const char *items_res, const char *space_res)
{
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->nonempty, NULL);
    pthread_cond_init(&q->nonfull, NULL);
    q->head = q->count = 0;
    q->cap = cap < 1 ? 1 : cap > BQ_MAX ? BQ_MAX : cap;
    q->items_res = items_res;
    q->space_res = space_res;
}

static inline void bq_destroy(bqueue *q)
{
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->nonempty);
    pthread_cond_destroy(&q->nonfull);
}

/* Puts v, sleeping while the queue is full (a wait on space_res). */
static inline void bq_put(bqueue *q, int v)
{
    pthread_mutex_lock(&q->mu);
    if (q->count == q->cap) {
        wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, q->space_res);
        while (q->count == q->cap)
            pthread_cond_wait(&q->nonfull, &q->mu);
        wcp_wait_end(&w);
    }
    q->items[(q->head + q->count) % q->cap] = v;
    q->count++;
    wcp_signal(q->items_res); /* before the consumer can wake: see wcp_hold_end's rule */
    pthread_cond_signal(&q->nonempty);
    pthread_mutex_unlock(&q->mu);
}

/* Takes the oldest item, sleeping while the queue is empty (a wait on
 * items_res). */
static inline int bq_take(bqueue *q)
{
    pthread_mutex_lock(&q->mu);
    if (q->count == 0) {
        wcp_wait w = wcp_wait_begin_on(WCP_REASON_LOCK, q->items_res);
        while (q->count == 0)
            pthread_cond_wait(&q->nonempty, &q->mu);
        wcp_wait_end(&w);
    }
    int v = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->count--;
    wcp_signal(q->space_res);
    pthread_cond_signal(&q->nonfull);
    pthread_mutex_unlock(&q->mu);
    return v;
}

#endif
