/* serve_ticker.c — the table of the server's background jobs and the one
 * thread that runs them. */
#include "cli/serve_ticker.h"

#include "base/log.h"
#include "base/util.h"
#include "channel/chan.h"
#include "channel/notify.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

/* The jobs. Keep each one's period a fraction of what a person would call
 * late: a deadline missed is published within a minute. */
const struct serve_job serve_jobs[] = {
    {.name = "deadlines", .period = 60, .run = chan_deadline_tick},
    /* every second: a batch is published as soon as its time comes */
    {.name = "batch", .period = 1, .run = chan_batch_tick},
    /* reminders before deadlines; the mail jobs need --smtp (serve_notify.h) */
    {.name = "reminders", .period = 60, .run = chan_notify_tick},
    {.name = "digests", .period = 60, .run = chan_mail_digest_job},
    {.name = "mail", .period = 2, .run = chan_mail_job},
};
const size_t serve_jobs_count = sizeof serve_jobs / sizeof serve_jobs[0];

_Static_assert(sizeof serve_jobs / sizeof serve_jobs[0] <= SERVE_TICKER_JOBS_MAX,
               "raise SERVE_TICKER_JOBS_MAX");

void serve_ticker_init(struct serve_ticker *t, const struct serve_job *jobs, size_t n)
{
    memset(t, 0, sizeof *t);
    t->jobs = jobs;
    t->njobs = n < SERVE_TICKER_JOBS_MAX ? n : SERVE_TICKER_JOBS_MAX;
}

size_t serve_ticker_round(struct serve_ticker *t, struct chan *c, int64_t mono, int64_t now)
{
    size_t failed = 0;
    for (size_t i = 0; i < t->njobs; i++) {
        const struct serve_job *j = &t->jobs[i];
        struct err e;
        if (t->ran[i] && mono - t->last[i] < j->period)
            continue;
        t->ran[i] = 1;
        t->last[i] = mono;
        err_init(&e);
        if (j->run(c, now, &e) != 0) {
            log_warn("job %s: %s (tried again in %lld s)", j->name, e.msg, (long long)j->period);
            failed++;
        }
    }
    return failed;
}

int serve_ticker_run_once(const struct serve_job *jobs, size_t n, struct chan *c, const char *name,
                          int64_t now, struct err *e)
{
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        if (name && strcmp(jobs[i].name, name) != 0)
            continue;
        found = 1;
        if (jobs[i].run(c, now, e) != 0) {
            char why[ERR_MSG_MAX];
            snprintf(why, sizeof why, "%s", e->msg);
            return err_set(e, e->code, "job %s: %s", jobs[i].name, why);
        }
    }
    if (!found)
        return err_set(e, ERR_NOT_FOUND, "no job '%s'", name ? name : "");
    return 0;
}

static int64_t mono_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

static void *run(void *arg)
{
    struct serve_ticker *t = arg;
    while (!t->stop) {
        (void)serve_ticker_round(t, t->chan, mono_seconds(), now_utc());
        for (int i = 0; i < 10 && !t->stop; i++)
            usleep(100000);
    }
    return NULL;
}

int serve_ticker_start(struct serve_ticker *t, struct chan *chan, struct err *e)
{
    t->chan = chan;
    t->stop = 0;
    if (pthread_create(&t->thread, NULL, run, t) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the background jobs' thread");
    t->running = 1;
    return 0;
}

void serve_ticker_stop(struct serve_ticker *t)
{
    if (t->running) {
        t->stop = 1;
        pthread_join(t->thread, NULL);
        t->running = 0;
    }
    chan_close(t->chan);
    t->chan = NULL;
}
