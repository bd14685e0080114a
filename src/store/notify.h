/* notify.h — the storage of notifications: in-app rows, each member's
 * choice per kind, mail addresses, the mail outbox and each channel's
 * reminder lead (migration 10). Who is told what is the channel's to decide
 * (channel/notify.c); these functions only keep rows, inside the caller's
 * transaction when one is open, with strings from the caller's pool. */
#ifndef DISSENT_STORE_NOTIFY_H
#define DISSENT_STORE_NOTIFY_H

#include "base/err.h"
#include "base/pool.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

/* How a notification row waits for mail (column notifications.mail). */
enum st_mail_wait {
    ST_MAIL_NONE = 0,   /* no mail: none wanted, no address, or already queued */
    ST_MAIL_NOW = 1,    /* to go in the next mail */
    ST_MAIL_DIGEST = 2, /* to go in the member's next daily digest */
};

/* One notification to record. dedupe (may be NULL) makes it once per member:
 * a second row with the same (member, dedupe) is not added. memo_id 0: about
 * no memo. read_at 0: unread. */
struct st_notification_new {
    int64_t member_id;
    const char *kind, *event, *dedupe;
    int64_t memo_id, at, read_at;
    int mail; /* enum st_mail_wait */
};
/* Adds the row unless its dedupe key is taken: *added 1 or 0. */
int store_notification_add(struct store *s, const struct st_notification_new *n, int *added,
                           struct err *e) WUR;

/* One notification as its recipient sees it. */
struct st_notification {
    int64_t id;
    char *kind, *event;
    char *memo; /* public id, NULL when about no memo */
    int64_t at, read_at;
};
/* The member's notifications, newest first, at most limit; only unread ones
 * when unread_only; only those with an id below before when before > 0. */
int store_notification_list(struct store *s, struct pool *p, int64_t member_id, int unread_only,
                            int64_t before, int limit, struct st_notification **out, size_t *n,
                            struct err *e) WUR;
/* How many of the member's notifications are unread. */
int store_notification_unread(struct store *s, int64_t member_id, int64_t *n, struct err *e) WUR;
/* Marks the member's notification id read at now (id 0: every unread one);
 * *changed: rows marked. A notification of another member is not touched. */
int store_notification_read(struct store *s, int64_t member_id, int64_t id, int64_t now,
                            int64_t *changed, struct err *e) WUR;

/* A member's choice for kind: *mode is -1 when the member never chose. */
int store_notify_pref_get(struct store *s, int64_t member_id, const char *kind, int *mode,
                          struct err *e) WUR;
int store_notify_pref_set(struct store *s, int64_t member_id, const char *kind, int mode,
                          struct err *e) WUR;

/* The member's mail address (*address NULL when none) and when their last
 * digest was queued (0: never). */
int store_member_mail_get(struct store *s, struct pool *p, int64_t member_id, char **address,
                          int64_t *digest_at, struct err *e) WUR;
/* Sets (address NULL: removes) the member's mail address. */
int store_member_mail_set(struct store *s, int64_t member_id, const char *address,
                          struct err *e) WUR;

/* Members who hold any of the role bits and are not disabled, by id; *ids
 * and *roles (parallel arrays) from p. */
int store_members_with_roles(struct store *s, struct pool *p, unsigned roles, int64_t **ids,
                             unsigned **member_roles, size_t *n, struct err *e) WUR;
/* The drafters of a memo as member ids. */
int store_drafter_ids(struct store *s, struct pool *p, int64_t memo_id, int64_t **ids, size_t *n,
                      struct err *e) WUR;
/* The named co-signers of a memo who have not turned kind off: member ids
 * and the version each signed, by id. A member's mode for kind is the one
 * they chose (store_notify_pref_set), dflt when they never chose; those
 * whose mode is off are left out. */
int store_signer_ids(struct store *s, struct pool *p, int64_t memo_id, const char *kind, int dflt,
                     int off, int64_t **ids, int **versions, size_t *n, struct err *e) WUR;

/* A memo whose deadlines the reminder job watches. */
struct st_open_memo {
    int64_t id, channel_id;
    int state;
    int64_t submitted_at, ack_due, acknowledged_at, answer_due, answered_at;
};
/* Memos in the states of mask (STORE_STATE_BIT), by id. */
int store_open_memos(struct store *s, struct pool *p, unsigned states, struct st_open_memo **out,
                     size_t *n, struct err *e) WUR;

/* A channel's reminder lead in working days; *days -1 when not set. */
int store_channel_reminder_get(struct store *s, int64_t channel_id, int *days, struct err *e) WUR;
int store_channel_reminder_set(struct store *s, int64_t channel_id, int days, struct err *e) WUR;

/* ---- the mail outbox ---- */
/* Members with notifications waiting in state wait, with how many and the
 * oldest one's time; their address and last digest time. Only members with
 * an address. */
struct st_mail_pending {
    int64_t member_id;
    int64_t count, oldest, digest_at;
};
int store_mail_pending(struct store *s, struct pool *p, int wait, struct st_mail_pending **out,
                       size_t *n, struct err *e) WUR;
/* Queues one mail of count notifications for the member (digest: 1 for a
 * digest), due at now, and marks the member's rows in state wait as queued
 * (ST_MAIL_NONE); a digest also sets the member's digest time to now. */
int store_mail_queue(struct store *s, int64_t member_id, int wait, int64_t count, int digest,
                     int64_t now, struct err *e) WUR;
/* One queued mail. */
struct st_mail {
    int64_t id, member_id, count;
    int digest;
    int64_t attempts, created_at;
};
/* Mails not done whose next try is due at now, oldest first, at most limit. */
int store_mail_due(struct store *s, struct pool *p, int64_t now, int limit, struct st_mail **out,
                   size_t *n, struct err *e) WUR;
/* Ends a mail: sent, or given up (outcome says why). */
int store_mail_done(struct store *s, int64_t id, int64_t now, const char *outcome,
                    struct err *e) WUR;
/* Counts a failed try and sets the next one at next_at. */
int store_mail_retry(struct store *s, int64_t id, int64_t next_at, const char *outcome,
                     struct err *e) WUR;
/* How many mails are waiting (not done) and how many were given up. */
int store_mail_counts(struct store *s, int64_t *waiting, int64_t *failed, struct err *e) WUR;

#endif
