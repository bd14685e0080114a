/* serve_batch.c — the batch publisher thread of `dissent serve`. */
#include "cli/serve_batch.h"

#include "base/log.h"
#include "base/util.h"
#include "channel/chan.h"

#include <unistd.h>

static void *run(void *arg)
{
    struct serve_batch *sb = arg;
    while (!sb->stop) {
        struct err e;
        err_init(&e);
        if (chan_batch_tick(sb->chan, now_utc(), &e) != 0)
            log_warn("batch publication: %s (retried in a second; nothing is lost)", e.msg);
        for (int i = 0; i < 10 && !sb->stop; i++)
            usleep(100000);
    }
    return NULL;
}

int serve_batch_start(struct serve_batch *sb, struct chan *chan, struct err *e)
{
    sb->chan = chan;
    sb->stop = 0;
    if (pthread_create(&sb->thread, NULL, run, sb) != 0)
        return err_set(e, ERR_INTERNAL, "cannot start the batch publication thread");
    sb->running = 1;
    return 0;
}

void serve_batch_stop(struct serve_batch *sb)
{
    if (sb->running) {
        sb->stop = 1;
        pthread_join(sb->thread, NULL);
        sb->running = 0;
    }
    chan_close(sb->chan);
    sb->chan = NULL;
}
