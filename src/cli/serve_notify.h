/* serve_notify.h — the notification jobs of `dissent serve`, in a thread
 * with its own database connection (never inside the HTTP handler lock):
 *
 *   reminders   chan_notify_tick       every SERVE_NOTIFY_REMIND_S
 *   digests     chan_mail_digest_tick  every SERVE_NOTIFY_DIGEST_S (with --smtp)
 *   mail        chan_mail_tick         every SERVE_NOTIFY_MAIL_S   (with --smtp)
 *
 * Each job is a channel function that is idempotent and catches up after
 * downtime; this file only runs them on time. When a shared job runner
 * (serve_ticker) exists, these three rows belong in its table. */
#ifndef DISSENT_CLI_SERVE_NOTIFY_H
#define DISSENT_CLI_SERVE_NOTIFY_H

#include "base/compat.h"
#include "base/err.h"
#include "client/smtp.h"

#include <pthread.h>
#include <stdint.h>

#define SERVE_NOTIFY_REMIND_S 60
#define SERVE_NOTIFY_DIGEST_S 60
#define SERVE_NOTIFY_MAIL_S   2

struct chan;

struct serve_notify {
    struct chan *chan; /* the thread's own connection */
    struct smtp smtp;  /* valid when mail is set */
    int mail;          /* --smtp was given */
    const char *public_url;
    int64_t last_remind, last_digest, last_mail; /* monotonic seconds, -1: never */
    pthread_t thread;
    int running;
    volatile int stop;
};

/* Zeroes sn. */
void serve_notify_init(struct serve_notify *sn);

/* Runs every job that is due (all of them when force), at the channel's
 * clock. Logs what fails; returns 0, or -1 if a job failed. */
int serve_notify_round(struct serve_notify *sn, int force, struct err *e) WUR;

/* Starts the thread; it owns chan (closed by serve_notify_stop). sn->smtp,
 * sn->mail and sn->public_url are set by the caller before. */
int serve_notify_start(struct serve_notify *sn, struct chan *chan, struct err *e) WUR;

/* Stops and joins the thread, closes its connection, wipes the password. */
void serve_notify_stop(struct serve_notify *sn);

#endif
