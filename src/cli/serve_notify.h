/* serve_notify.h — how `dissent serve` sends notification mail: the SMTP
 * client (client/smtp.c) behind the channel's struct chan_mailer.
 *
 * The notification jobs themselves are rows of serve_jobs[]
 * (serve_ticker.c), run on the ticker's own connection:
 *
 *   reminders   chan_notify_tick       every 60 s
 *   digests     chan_mail_digest_job   every 60 s  (with --smtp)
 *   mail        chan_mail_job          every 2 s   (with --smtp)
 *
 * The mail jobs send through the mailer set on that connection with
 * chan_mail_set; without --smtp none is set and they do nothing. */
#ifndef DISSENT_CLI_SERVE_NOTIFY_H
#define DISSENT_CLI_SERVE_NOTIFY_H

#include "base/compat.h"
#include "channel/notify.h"
#include "client/smtp.h"

struct serve_notify {
    struct smtp smtp;          /* valid when mail is set */
    struct chan_mailer mailer; /* sends through smtp */
    int mail;                  /* --smtp was given */
};

/* Zeroes sn: no mail. */
void serve_notify_init(struct serve_notify *sn);

/* Makes sn->mailer send through sn->smtp (already set up by smtp_init),
 * with links in mails starting with public_url (not copied); sets mail. */
void serve_notify_use_smtp(struct serve_notify *sn, const char *public_url);

/* Wipes the SMTP password. */
void serve_notify_release(struct serve_notify *sn);

#endif
