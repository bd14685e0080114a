/* workers.c — reader threads and the one writer with group commit
 * (workers.h). Two queues, one mutex: the queues are touched for a few
 * instructions per job, never while a handler runs. */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct queue {
    struct workers_job *head, *tail;
    unsigned n;
    pthread_cond_t ready;
};

struct workers {
    struct workers_config cfg;
    pthread_mutex_t mu;
    struct queue reads, writes;
    struct workers_job *delayed; /* workers_submit_at, earliest first */
    unsigned held;               /* jobs out between workers_hold and workers_continue */
    int stopping;                /* no more submissions; readers end once their queue is empty */
    int writer_stopping;         /* the readers have ended: the writer ends once its queue is */
    struct workers_stats stats;
    pthread_t writer;
    pthread_t readers[WORKERS_MAX];
    unsigned nreaders;      /* started */
    unsigned readers_alive; /* started and not yet ended: WORKERS_THEN_READ goes to them */
    int writer_started;
};

struct reader_arg {
    struct workers *w;
    void *app;
};

static void push(struct queue *q, struct workers_job *j)
{
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
    q->n++;
}

/* Queues j ahead of every other job of q. */
static void push_front(struct queue *q, struct workers_job *j)
{
    j->next = q->head;
    q->head = j;
    if (!q->tail)
        q->tail = j;
    q->n++;
}

/* Takes at most max jobs off q, oldest first, as a list. */
static struct workers_job *take(struct queue *q, unsigned max, unsigned *n)
{
    struct workers_job *first = q->head, *last = NULL, *j = q->head;
    unsigned k = 0;
    while (j && k < max) {
        last = j;
        j = j->next;
        k++;
    }
    if (last)
        last->next = NULL;
    q->head = j;
    if (!j)
        q->tail = NULL;
    q->n -= k;
    *n = k;
    return k ? first : NULL;
}

uint64_t workers_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Moves the delayed jobs that are due (all of them once stopping) to the
 * readers' queue. Under w->mu. */
static void delayed_due(struct workers *w)
{
    uint64_t now = w->delayed ? workers_now_ns() : 0;
    while (w->delayed && (w->stopping || w->delayed->due_ns <= now)) {
        struct workers_job *j = w->delayed;
        w->delayed = j->next;
        push(&w->reads, j);
    }
}

static void *reader_main(void *arg_)
{
    struct reader_arg *arg = arg_;
    struct workers *w = arg->w;
    void *app = arg->app;
    free(arg);
    for (;;) {
        struct workers_job *j;
        unsigned n;
        int r;
        pthread_mutex_lock(&w->mu);
        for (;;) {
            delayed_due(w);
            /* Stopping ends a reader only once nothing can come back to the
             * readers: no job queued, waiting or held elsewhere. */
            if (w->reads.head || (w->stopping && !w->delayed && !w->held))
                break;
            if (w->delayed) {
                struct timespec ts;
                ts.tv_sec = (time_t)(w->delayed->due_ns / 1000000000u);
                ts.tv_nsec = (long)(w->delayed->due_ns % 1000000000u);
                pthread_cond_timedwait(&w->reads.ready, &w->mu, &ts);
            } else {
                pthread_cond_wait(&w->reads.ready, &w->mu);
            }
        }
        j = take(&w->reads, 1, &n);
        if (!j)
            w->readers_alive--; /* the writer runs what it would send here itself */
        else if (!j->then_read && !j->uncounted)
            w->stats.reads++; /* a write's second run is counted as its write */
        pthread_mutex_unlock(&w->mu);
        if (!j)
            break; /* stopping, and nothing is left */
        r = j->run(j, app);
        if (r == WORKERS_THEN_WRITE) {
            /* the writer outlives the readers (workers_stop) */
            pthread_mutex_lock(&w->mu);
            push(&w->writes, j);
            pthread_cond_signal(&w->writes.ready);
            pthread_mutex_unlock(&w->mu);
        } else if (r == WORKERS_DONE) {
            j->done(j);
        } /* WORKERS_HELD: j is someone else's now; do not touch it */
    }
    /* Wake the other readers: one may wait for the last held job. */
    pthread_mutex_lock(&w->mu);
    pthread_cond_broadcast(&w->reads.ready);
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* A committed write's second run (WORKERS_THEN_READ): on a reader, ahead of
 * the reads queued (its request waits with its write done), or here on the
 * writer when no reader is left. */
static void then_read(struct workers *w, struct workers_job *j)
{
    pthread_mutex_lock(&w->mu);
    if (w->readers_alive) {
        push_front(&w->reads, j);
        pthread_cond_signal(&w->reads.ready);
        j = NULL;
    }
    pthread_mutex_unlock(&w->mu);
    if (j) {
        (void)j->run(j, w->cfg.writer_app);
        j->done(j);
    }
}

/* The jobs of list that count in workers_stats: a group of anonymous
 * requests only is not counted at all. */
static unsigned counted(const struct workers_job *list)
{
    unsigned n = 0;
    for (; list; list = list->next)
        n += !list->uncounted;
    return n;
}

/* One group: begin, run each, commit; hand each back only after the commit. */
static void run_group(struct workers *w, struct workers_job *list)
{
    const struct workers_config *cfg = &w->cfg;
    struct err e;
    int ok = 1;

    err_init(&e);
    for (struct workers_job *j = list; j; j = j->next)
        j->then_read = 0;
    if (cfg->group_begin && cfg->group_begin(cfg->writer_app, &e))
        ok = 0;
    for (struct workers_job *j = list; j && ok; j = j->next)
        j->then_read = j->run(j, cfg->writer_app) == WORKERS_THEN_READ;
    if (ok && cfg->group_end && cfg->group_end(cfg->writer_app, 1, &e))
        ok = 0;
    if (!ok && counted(list)) {
        pthread_mutex_lock(&w->mu);
        w->stats.failed_groups++;
        pthread_mutex_unlock(&w->mu);
    }
    while (list) {
        struct workers_job *next = list->next;
        if (!ok)
            list->fail(list, &e);
        if (ok && list->then_read)
            then_read(w, list);
        else
            list->done(list);
        list = next;
    }
}

static void *writer_main(void *arg)
{
    struct workers *w = arg;
    unsigned max = w->cfg.group_max ? w->cfg.group_max : WORKERS_GROUP_MAX;
    for (;;) {
        struct workers_job *list;
        unsigned n;
        pthread_mutex_lock(&w->mu);
        while (!w->writes.head && !w->writer_stopping)
            pthread_cond_wait(&w->writes.ready, &w->mu);
        list = take(&w->writes, max, &n);
        if (list && counted(list)) {
            w->stats.groups++;
            w->stats.writes += counted(list);
        }
        pthread_mutex_unlock(&w->mu);
        if (!list)
            break;
        run_group(w, list);
    }
    return NULL;
}

/* Readers first: what they hand on to the writer is still run. */
static void join_all(struct workers *w)
{
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_broadcast(&w->reads.ready);
    pthread_mutex_unlock(&w->mu);
    for (unsigned i = 0; i < w->nreaders; i++)
        pthread_join(w->readers[i], NULL);
    pthread_mutex_lock(&w->mu);
    w->writer_stopping = 1;
    pthread_cond_broadcast(&w->writes.ready);
    pthread_mutex_unlock(&w->mu);
    if (w->writer_started)
        pthread_join(w->writer, NULL);
}

int workers_start(struct workers **out, const struct workers_config *cfg, struct err *e)
{
    int rc = -1, inited = 0;
    struct workers *w = NULL;

    *out = NULL;
    if (cfg->reader_apps && (cfg->readers < 1 || cfg->readers > WORKERS_MAX)) {
        rc = err_set(e, ERR_INVALID, "1 to %d workers", WORKERS_MAX);
        goto out;
    }
    w = calloc(1, sizeof *w);
    if (!w) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    w->cfg = *cfg;
    if (pthread_mutex_init(&w->mu, NULL) != 0)
        goto nothread;
    inited = 1;
    {
        /* timed waits (workers_submit_at) on the monotonic clock */
        pthread_condattr_t ca;
        int ok = pthread_condattr_init(&ca) == 0;
        ok = ok && pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) == 0 &&
             pthread_cond_init(&w->reads.ready, &ca) == 0;
        pthread_condattr_destroy(&ca);
        if (!ok)
            goto nothread;
    }
    inited = 2;
    if (pthread_cond_init(&w->writes.ready, NULL) != 0)
        goto nothread;
    inited = 3;
    if (pthread_create(&w->writer, NULL, writer_main, w) != 0)
        goto nothread;
    w->writer_started = 1;
    for (unsigned i = 0; cfg->reader_apps && i < cfg->readers; i++) {
        struct reader_arg *a = malloc(sizeof *a);
        if (!a)
            goto nothread;
        a->w = w;
        a->app = cfg->reader_apps[i];
        pthread_mutex_lock(&w->mu);
        w->readers_alive++; /* before it can end */
        pthread_mutex_unlock(&w->mu);
        if (pthread_create(&w->readers[i], NULL, reader_main, a) != 0) {
            pthread_mutex_lock(&w->mu);
            w->readers_alive--;
            pthread_mutex_unlock(&w->mu);
            free(a);
            goto nothread;
        }
        w->nreaders++;
    }
    *out = w;
    w = NULL;
    rc = 0;
    goto out;
nothread:
    rc = err_set(e, ERR_INTERNAL, "cannot start the worker threads");
out:
    if (w) {
        if (inited == 3)
            join_all(w);
        if (inited >= 3)
            pthread_cond_destroy(&w->writes.ready);
        if (inited >= 2)
            pthread_cond_destroy(&w->reads.ready);
        if (inited >= 1)
            pthread_mutex_destroy(&w->mu);
        free(w);
    }
    return rc;
}

int workers_submit(struct workers *w, struct workers_job *j, int write)
{
    int rc = -1;
    struct queue *q = write || !w->cfg.reader_apps ? &w->writes : &w->reads;
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        push(q, j);
        pthread_cond_signal(&q->ready);
        rc = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int workers_submit_at(struct workers *w, struct workers_job *j, uint64_t due_ns)
{
    int rc = -1;
    struct workers_job **at;
    if (!w->cfg.reader_apps)
        return workers_submit(w, j, 0);
    pthread_mutex_lock(&w->mu);
    if (!w->stopping) {
        j->due_ns = due_ns;
        for (at = &w->delayed; *at && (*at)->due_ns <= due_ns; at = &(*at)->next)
            ;
        j->next = *at;
        *at = j;
        pthread_cond_broadcast(&w->reads.ready); /* a waiter may sleep past due_ns */
        rc = 0;
    }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

int workers_expedite(struct workers *w, struct workers_job *j)
{
    int rc = -1;
    pthread_mutex_lock(&w->mu);
    for (struct workers_job **at = &w->delayed; *at; at = &(*at)->next)
        if (*at == j) {
            *at = j->next;
            push(&w->reads, j);
            pthread_cond_signal(&w->reads.ready);
            rc = 0;
            break;
        }
    pthread_mutex_unlock(&w->mu);
    return rc;
}

void workers_hold(struct workers *w)
{
    pthread_mutex_lock(&w->mu);
    w->held++;
    pthread_mutex_unlock(&w->mu);
}

void workers_continue(struct workers *w, struct workers_job *j, int write)
{
    pthread_mutex_lock(&w->mu);
    if (write) {
        push(&w->writes, j);
        pthread_cond_signal(&w->writes.ready);
    }
    w->held--;
    if (w->stopping && !w->held)
        pthread_cond_broadcast(&w->reads.ready);
    pthread_mutex_unlock(&w->mu);
    if (!write)
        j->done(j);
}

void workers_stats(struct workers *w, struct workers_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    out->queued_reads = w->reads.n;
    out->queued_writes = w->writes.n;
    pthread_mutex_unlock(&w->mu);
}

void workers_stop(struct workers *w)
{
    if (!w)
        return;
    join_all(w);
    pthread_cond_destroy(&w->writes.ready);
    pthread_cond_destroy(&w->reads.ready);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
