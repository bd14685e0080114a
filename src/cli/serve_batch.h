/* serve_batch.h — `dissent serve`'s batch publisher: a background thread,
 * with its own database connection (its own struct chan, never inside the
 * HTTP handler lock), that runs chan_batch_tick every second. The tick is
 * idempotent and publishes every overdue entry after downtime, so the first
 * round after a restart catches up.
 *
 * When src/cli/serve_ticker.c (one runner for all background jobs) exists,
 * this job belongs in its table: {"batch", 1, chan_batch_tick}. */
#ifndef DISSENT_CLI_SERVE_BATCH_H
#define DISSENT_CLI_SERVE_BATCH_H

#include "base/compat.h"
#include "base/err.h"

#include <pthread.h>

struct chan;

struct serve_batch {
    struct chan *chan; /* the thread's own connection */
    pthread_t thread;
    int running;
    volatile int stop;
};

/* Starts the thread; it owns chan (closed by serve_batch_stop). */
int serve_batch_start(struct serve_batch *sb, struct chan *chan, struct err *e) WUR;

/* Stops and joins the thread, closes its connection. */
void serve_batch_stop(struct serve_batch *sb);

#endif
