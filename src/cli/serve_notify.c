/* serve_notify.c — the reminder, digest and mail jobs of `dissent serve`
 * (serve_notify.h). */
#include "cli/serve_notify.h"

#include "base/log.h"
#include "base/util.h"
#include "channel/notify.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

void serve_notify_init(struct serve_notify *sn)
{
    memset(sn, 0, sizeof *sn);
    sn->last_remind = sn->last_digest = sn->last_mail = -1;
}

static int send_mail(void *ctx, const char *to, const char *subject, const char *body,
                     struct err *e)
{
    return smtp_send(ctx, to, subject, body, e);
}

/* Monotonic seconds, for the periods (the channel's clock may be pinned). */
static int64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec;
}

int serve_notify_round(struct serve_notify *sn, int force, struct err *e)
{
    int64_t t = mono_s(), now = now_utc();
    int rc = 0, sent = 0;
    struct err je;
    struct chan_mailer m = {.send = send_mail, .ctx = &sn->smtp, .public_url = sn->public_url};

    err_init(&je);
    if (force || sn->last_remind < 0 || t - sn->last_remind >= SERVE_NOTIFY_REMIND_S) {
        sn->last_remind = t;
        if (chan_notify_tick(sn->chan, now, &je)) {
            log_warn("reminders: %s", je.msg);
            rc = err_set(e, je.code, "reminders: %s", je.msg);
        }
    }
    if (sn->mail &&
        (force || sn->last_digest < 0 || t - sn->last_digest >= SERVE_NOTIFY_DIGEST_S)) {
        sn->last_digest = t;
        err_init(&je);
        if (chan_mail_digest_tick(sn->chan, now, &je)) {
            log_warn("mail digests: %s", je.msg);
            rc = err_set(e, je.code, "mail digests: %s", je.msg);
        }
    }
    if (sn->mail && (force || sn->last_mail < 0 || t - sn->last_mail >= SERVE_NOTIFY_MAIL_S)) {
        sn->last_mail = t;
        err_init(&je);
        if (chan_mail_tick(sn->chan, now, &m, &sent, &je)) {
            log_warn("mail: %s", je.msg);
            rc = err_set(e, je.code, "mail: %s", je.msg);
        } else if (sent > 0) {
            log_info("mail: %d sent", sent);
        }
    }
    return rc ? -1 : 0;
}

static void *run(void *arg)
{
    struct serve_notify *sn = arg;
    struct err e;
    while (!sn->stop) {
        err_init(&e);
        if (serve_notify_round(sn, 0, &e))
            log_debug("notification jobs: %s", e.msg); /* each failure was logged */
        for (int i = 0; i < 10 && !sn->stop; i++)
            usleep(100000);
    }
    return NULL;
}

int serve_notify_start(struct serve_notify *sn, struct chan *chan, struct err *e)
{
    sn->chan = chan;
    sn->stop = 0;
    if (pthread_create(&sn->thread, NULL, run, sn) != 0) {
        sn->chan = NULL;
        return err_set(e, ERR_INTERNAL, "cannot start the notification thread");
    }
    sn->running = 1;
    return 0;
}

void serve_notify_stop(struct serve_notify *sn)
{
    if (sn->running) {
        sn->stop = 1;
        pthread_join(sn->thread, NULL);
        sn->running = 0;
    }
    chan_close(sn->chan);
    sn->chan = NULL;
    smtp_release(&sn->smtp);
}
