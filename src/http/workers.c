/* workers.c — reader threads and the one writer with group commit
 * (workers.h). Two queues, one mutex: the queues are touched for a few
 * instructions per job, never while a handler runs. */
#include "http/workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct queue {
    struct workers_job *head, *tail;
    unsigned n;
    pthread_cond_t ready;
};

struct workers {
    struct workers_config cfg;
    pthread_mutex_t mu;
    struct queue reads, writes;
    int stopping;        /* no more submissions; readers end once their queue is empty */
    int writer_stopping; /* the readers have ended: the writer ends once its queue is */
    struct workers_stats stats;
    pthread_t writer;
    pthread_t readers[WORKERS_MAX];
    unsigned nreaders; /* started */
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

static void *reader_main(void *arg_)
{
    struct reader_arg *arg = arg_;
    struct workers *w = arg->w;
    void *app = arg->app;
    free(arg);
    for (;;) {
        struct workers_job *j;
        unsigned n;
        pthread_mutex_lock(&w->mu);
        while (!w->reads.head && !w->stopping)
            pthread_cond_wait(&w->reads.ready, &w->mu);
        j = take(&w->reads, 1, &n);
        if (j)
            w->stats.reads++;
        pthread_mutex_unlock(&w->mu);
        if (!j)
            break; /* stopping, and nothing is left */
        if (j->run(j, app) == WORKERS_THEN_WRITE) {
            /* the writer outlives the readers (workers_stop) */
            pthread_mutex_lock(&w->mu);
            push(&w->writes, j);
            pthread_cond_signal(&w->writes.ready);
            pthread_mutex_unlock(&w->mu);
        } else {
            j->done(j);
        }
    }
    return NULL;
}

/* One group: begin, run each, commit; hand each back only after the commit. */
static void run_group(struct workers *w, struct workers_job *list)
{
    const struct workers_config *cfg = &w->cfg;
    struct err e;
    int ok = 1;

    err_init(&e);
    if (cfg->group_begin && cfg->group_begin(cfg->writer_app, &e))
        ok = 0;
    for (struct workers_job *j = list; j && ok; j = j->next)
        (void)j->run(j, cfg->writer_app);
    if (ok && cfg->group_end && cfg->group_end(cfg->writer_app, 1, &e))
        ok = 0;
    if (!ok) {
        pthread_mutex_lock(&w->mu);
        w->stats.failed_groups++;
        pthread_mutex_unlock(&w->mu);
    }
    while (list) {
        struct workers_job *next = list->next;
        if (!ok)
            list->fail(list, &e);
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
        if (list) {
            w->stats.groups++;
            w->stats.writes += n;
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
    if (pthread_cond_init(&w->reads.ready, NULL) != 0)
        goto nothread;
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
        if (pthread_create(&w->readers[i], NULL, reader_main, a) != 0) {
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
