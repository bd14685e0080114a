/* serve_ticker.h — the server's background jobs: one thread inside `dissent
 * serve`, with its own database connection (its own struct chan, so it
 * never runs inside the HTTP server's handler lock), that runs each job of
 * serve_jobs[] every `period` seconds.
 *
 * Adding a job: write it as a channel function
 *     int chan_<thing>_tick(struct chan *c, int64_t now, struct err *e);
 * that is idempotent (running it twice at the same `now` changes nothing the
 * second time) and catches up on everything due up to `now` (the server may
 * have been down for days), then add one line to serve_jobs[] in
 * serve_ticker.c. `now` is the server's clock (now_utc(): tests pin it with
 * DISSENT_FAKE_NOW); periods are measured on the monotonic clock, so a
 * pinned or jumping wall clock neither stops nor floods the jobs. A job
 * that fails is logged and tried again after its period; it never stops
 * the others. `dissent tick` runs every job once, for operators and tests.
 */
#ifndef DISSENT_CLI_SERVE_TICKER_H
#define DISSENT_CLI_SERVE_TICKER_H

#include "base/compat.h"
#include "base/err.h"

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

struct chan;

/* One job: what it is called (logs, `dissent tick --job`), how often it
 * runs, and the channel function that does it. */
struct serve_job {
    const char *name;
    int64_t period; /* seconds, >= 1 */
    int (*run)(struct chan *c, int64_t now, struct err *e);
};

/* The server's jobs. */
extern const struct serve_job serve_jobs[];
extern const size_t serve_jobs_count;

#define SERVE_TICKER_JOBS_MAX 16

struct serve_ticker {
    const struct serve_job *jobs; /* not owned */
    size_t njobs;
    int64_t last[SERVE_TICKER_JOBS_MAX]; /* monotonic second of each job's last run */
    int ran[SERVE_TICKER_JOBS_MAX];      /* it ran at least once */
    struct chan *chan;                   /* the thread's own connection (owned once started) */
    pthread_t thread;
    int running;
    volatile int stop;
};

/* Sets up t for jobs[0..n) (n <= SERVE_TICKER_JOBS_MAX); nothing ran yet. */
void serve_ticker_init(struct serve_ticker *t, const struct serve_job *jobs, size_t n);

/* Runs, on c, every job of t that never ran or whose period has passed at
 * monotonic second mono, with the wall-clock time now. Returns how many
 * jobs failed (each failure is logged with the job's name). */
size_t serve_ticker_round(struct serve_ticker *t, struct chan *c, int64_t mono, int64_t now);

/* Runs the job called name (NULL: every job) of jobs[0..n) once on c at
 * now. Returns 0, or -1 with e (the first failure; ERR_NOT_FOUND for an
 * unknown name). */
int serve_ticker_run_once(const struct serve_job *jobs, size_t n, struct chan *c, const char *name,
                          int64_t now, struct err *e) WUR;

/* Starts the thread: it owns chan from now on (closed by serve_ticker_stop)
 * and runs a round every second, the first at once. Returns 0 or -1. */
int serve_ticker_start(struct serve_ticker *t, struct chan *chan, struct err *e) WUR;

/* Stops and joins the thread (a running job finishes first) and closes its
 * connection. Safe on a ticker never started. */
void serve_ticker_stop(struct serve_ticker *t);

#endif
