/* notify.h — notifications: who is told what happened, in the app and by
 * mail (docs/api.md "Notifications", docs/threat-model.md "What mail
 * reveals").
 *
 * A notification is written in the same transaction as the event that
 * causes it, for the people who may read what it points at (checked with
 * the access rules at that moment): a new version of a memo one co-signed
 * by name, a submission (the policy office), an acknowledgement, answer,
 * message or extension (the drafters, the policy office for messages, and
 * named co-signers who opted in), a deadline coming (the policy office), a
 * missed deadline (the policy office, leadership, the drafters) and an
 * account event (the member). Anonymous co-signers are never told: nothing
 * links a ring signature to a member, and nothing here adds such a link.
 * A notification carries its kind, its event, the memo's public id and a
 * time: never a title, a text or a name.
 *
 * Each member chooses per kind: immediately (in the app and by mail at
 * once), a daily digest (in the app at once, by mail once a day) or off
 * (neither). Mail needs an address on the account; it says only that there
 * is news and links to /notifications. Mails wait in an outbox and are
 * retried with growing delays; a mail that fails never removes the in-app
 * notification and never fails the request that caused it.
 */
#ifndef DISSENT_CHANNEL_NOTIFY_H
#define DISSENT_CHANNEL_NOTIFY_H

#include "base/buf.h"
#include "base/err.h"
#include "base/pool.h"
#include "channel/chan.h"
#include "store/store.h"

#include <jansson.h>
#include <stdint.h>

#define CHAN_NOTIFY_LIST_MAX      200
#define CHAN_MAIL_ADDRESS_MAX     254
#define CHAN_REMIND_DEFAULT       1 /* working days before a deadline */
#define CHAN_REMIND_MAX           20
#define CHAN_DIGEST_SECONDS       86400              /* a digest at most this often */
#define CHAN_MAIL_TRIES           12                 /* tries before a mail is given up */
#define CHAN_MAIL_RETRY_FIRST     60                 /* seconds before the first retry; doubles */
#define CHAN_MAIL_RETRY_MAX       21600              /* the longest wait between two tries */
#define CHAN_MAIL_BATCH           20                 /* mails sent per tick at most */
#define CHAN_SMTP_CREDENTIALS     "smtp.credentials" /* in the key directory: "user:password" */
#define CHAN_SMTP_CREDENTIALS_MAX 1024

enum chan_notify_mode { CHAN_NOTIFY_OFF = 0, CHAN_NOTIFY_NOW = 1, CHAN_NOTIFY_DIGEST = 2 };

/* ---- for members (API, pages, CLI) ---- */

/* The actor's notifications, newest first (at most CHAN_NOTIFY_LIST_MAX;
 * only unread ones when unread_only): {unread, notifications:[{id, kind,
 * event, memo (public id or null), at, read, text, link}]}. text is a
 * sentence for people that names no memo title and no person. */
int chan_notifications(struct chan *c, struct pool *p, const struct actor *a, int unread_only,
                       json_t **out, struct err *e) WUR;
/* One page of them: at most limit (1 to CHAN_NOTIFY_LIST_MAX) older than
 * the notification id before (0: from the newest); out as
 * chan_notifications, with next_before: the before of the next older page,
 * or null when there is none. ERR_INVALID for a limit out of range. */
int chan_notifications_page(struct chan *c, struct pool *p, const struct actor *a, int unread_only,
                            int64_t before, int limit, json_t **out, struct err *e) WUR;
/* The page arguments as typed (query strings; NULL or "" for the default):
 * before, a notification id (default 0), and limit (default
 * default_limit). ERR_INVALID with the reason when one is not usable. */
int chan_notify_page_args(const char *before, const char *limit, int default_limit,
                          int64_t *before_out, int *limit_out, struct err *e) WUR;
/* How many of the actor's notifications are unread. */
int chan_notifications_unread(struct chan *c, const struct actor *a, int64_t *n, struct err *e) WUR;
/* Marks the actor's notification id read (id 0: all of them): {marked,
 * unread}. ERR_NOT_FOUND when id is not an unread notification of the
 * actor's. */
int chan_notifications_read(struct chan *c, const struct actor *a, int64_t id, json_t **out,
                            struct err *e) WUR;

/* The actor's preferences: {address (or null), kinds:[{kind, label, mode:
 * "immediately"|"digest"|"off"}]}. */
int chan_notify_prefs(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                      struct err *e) WUR;
/* Sets the actor's mode for kind ("immediately", "digest", "off"); out as
 * chan_notify_prefs. */
int chan_notify_pref_set(struct chan *c, struct pool *p, const struct actor *a, const char *kind,
                         const char *mode, json_t **out, struct err *e) WUR;
/* Sets the mail address of username ("" removes it): the member herself
 * (username NULL or her own), or an admin. Recorded as an account event.
 * out as chan_notify_prefs of that member, without the kinds for an admin. */
int chan_mail_address_set(struct chan *c, struct pool *p, const struct actor *a,
                          const char *username, const char *address, json_t **out,
                          struct err *e) WUR;
/* Admins: how many working days before a deadline channel slug reminds the
 * policy office (0 to CHAN_REMIND_MAX): {channel, remind_working_days}. */
int chan_channel_reminder_set(struct chan *c, const struct actor *a, const char *slug, int days,
                              json_t **out, struct err *e) WUR;
/* {channel, remind_working_days} (CHAN_REMIND_DEFAULT when never set). */
int chan_channel_reminder_get(struct chan *c, const char *slug, json_t **out, struct err *e) WUR;

/* ---- jobs (`serve`; idempotent, they catch up after downtime) ---- */

/* Reminders: for every deadline still open at now whose reminder time (the
 * start of the day that lies the channel's lead of working days before the
 * due day, in the channel's zone) has come, tells the policy office once. */
int chan_notify_tick(struct chan *c, int64_t now, struct err *e) WUR;

/* How mail leaves: send one plain-text mail; 0, or -1 with why in e. */
struct chan_mailer {
    int (*send)(void *ctx, const char *to, const char *subject, const char *body, struct err *e);
    void *ctx;
    const char *public_url; /* links in mails start with it */
};
/* Queues a mail for every member with notifications waiting for one, then
 * sends the mails due at now through m: a failure is retried after
 * CHAN_MAIL_RETRY_FIRST seconds, doubling up to CHAN_MAIL_RETRY_MAX, and
 * given up after CHAN_MAIL_TRIES tries. A failed send is not an error of
 * the tick (it is logged); *sent (may be NULL) counts mails sent. */
int chan_mail_tick(struct chan *c, int64_t now, const struct chan_mailer *m, int *sent,
                   struct err *e) WUR;
/* Queues the daily digests: one mail per member whose notifications in
 * digest mode waited CHAN_DIGEST_SECONDS, and whose last digest is that old. */
int chan_mail_digest_tick(struct chan *c, int64_t now, struct err *e) WUR;
/* Sets the mailer the mail jobs of connection c send through (not owned:
 * it must outlive c's jobs); NULL: no mail. */
void chan_mail_set(struct chan *c, const struct chan_mailer *m);
/* The jobs of `serve` (cli/serve_ticker.c) with the mailer set on c:
 * chan_mail_digest_tick and chan_mail_tick (logging how many were sent).
 * Without a mailer they do nothing and succeed: no mail is queued. */
int chan_mail_digest_job(struct chan *c, int64_t now, struct err *e) WUR;
int chan_mail_job(struct chan *c, int64_t now, struct err *e) WUR;
/* The subject and text of a mail telling of count notifications (digest:
 * the daily digest), linking to public_url/notifications: no title, no
 * name, no memo id. */
int chan_mail_text(const char *public_url, int64_t count, int digest, struct buf *subject,
                   struct buf *body, struct err *e) WUR;
/* The SMTP credentials in the key directory (CHAN_SMTP_CREDENTIALS, one
 * line "user:password"): *found 0 when there is no such file. user and
 * password are from p; the caller wipes them after use. */
int chan_mail_credentials(struct chan *c, struct pool *p, char **user, char **password, int *found,
                          struct err *e) WUR;
/* Outbox figures: mails waiting to be sent, mails given up. */
int chan_mail_counts(struct chan *c, int64_t *waiting, int64_t *failed, struct err *e) WUR;

/* ---- for the channel's own operations (inside their transaction) ---- */

/* A new version of memo m: its named co-signers on an older version. */
int chan_notify_version(struct chan *c, struct pool *p, const struct st_memo *m, int64_t actor_id,
                        int64_t now, struct err *e) WUR;
/* A step of the review of memo m (m->state already the new one): event
 * "submitted" (the policy office), "acknowledged", "answered", "extended",
 * "message" (drafters; for messages also the policy office; named
 * co-signers who opted in). Others are ignored. actor_id is not told. */
int chan_notify_review(struct chan *c, struct pool *p, const struct st_memo *m, const char *event,
                       int64_t actor_id, int64_t now, struct err *e) WUR;
/* Memo m missed deadline what (CHAN_DL_ACK or CHAN_DL_ANSWER, deadline.h)
 * due at due: tells the policy office, leadership and the drafters, once
 * per (memo, deadline, due) however often it is called. For the deadline
 * scheduler, inside its transaction. */
int chan_notify_deadline_missed(struct chan *c, struct pool *p, const struct st_memo *m, int what,
                                int64_t due, int64_t now, struct err *e) WUR;
/* Leadership (actor_id) reminded the policy office of memo m (reminder
 * number reminder_id): tells every reviewer who may read it, once per
 * reminder, under the kind "reminder". */
int chan_notify_leadership_reminder(struct chan *c, struct pool *p, const struct st_memo *m,
                                    int64_t reminder_id, int64_t actor_id, int64_t now,
                                    struct err *e) WUR;
/* An account event of member_id (kind as account events). read: the
 * member did it herself, so the in-app notification starts read (a mail
 * still goes, as a safeguard). */
int chan_notify_account(struct chan *c, int64_t member_id, const char *kind, int read, int64_t now,
                        struct err *e) WUR;

#endif
