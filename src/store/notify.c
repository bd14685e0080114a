/* notify.c — rows of notifications, preferences, mail addresses, the mail
 * outbox and reminder leads (store/notify.h). */
#include "store/notify.h"

#include "store/store_internal.h"

#include <stdio.h>
#include <string.h>

int store_notification_add(struct store *s, const struct st_notification_new *n, int *added,
                           struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO notifications(member_id, kind, event, memo_id, dedupe, at, "
                     "read_at, mail) VALUES(?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), ?) "
                     "ON CONFLICT DO NOTHING",
                     "issisiii", n->member_id, n->kind, n->event, n->memo_id, n->dedupe, n->at,
                     n->read_at, (int64_t)n->mail);
    *added = rc == 0 && db_changes(s->db) > 0;
    return rc;
}

static int notification_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_notification *x = item;
    x->id = db_int(st, 0);
    x->at = db_int(st, 4);
    x->read_at = db_is_null(st, 5) ? 0 : db_int(st, 5);
    return store_col_text(p, st, 1, &x->kind, e) || store_col_text(p, st, 2, &x->event, e) ||
                   store_col_text(p, st, 3, &x->memo, e)
               ? -1
               : 0;
}

int store_notification_list(struct store *s, struct pool *p, int64_t member_id, int unread_only,
                            int64_t before, int limit, struct st_notification **out, size_t *n,
                            struct err *e)
{
    struct store_vec v = {0};
    char sql[512];
    int rc;
    snprintf(sql, sizeof sql,
             "SELECT n.id, n.kind, n.event, m.public_id, n.at, n.read_at FROM notifications n "
             "LEFT JOIN memos m ON m.id = n.memo_id WHERE n.member_id = ? AND (? = 0 OR "
             "n.read_at IS NULL) AND (? = 0 OR n.id < ?) ORDER BY n.id DESC LIMIT %d",
             limit);
    rc = store_rows(s, p, &v, sizeof **out, notification_row, e, sql, "iiii", member_id,
                    (int64_t)unread_only, before, before);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_notification_unread(struct store *s, int64_t member_id, int64_t *n, struct err *e)
{
    return db_scalar(s->db, e, 0, n,
                     "SELECT COUNT(*) FROM notifications WHERE member_id = ? AND read_at IS NULL",
                     "i", member_id);
}

int store_notification_read(struct store *s, int64_t member_id, int64_t id, int64_t now,
                            int64_t *changed, struct err *e)
{
    int rc = db_exec(s->db, e,
                     "UPDATE notifications SET read_at = ? WHERE member_id = ? AND read_at IS "
                     "NULL AND (? = 0 OR id = ?)",
                     "iiii", now, member_id, id, id);
    *changed = rc == 0 ? db_changes(s->db) : 0;
    return rc;
}

int store_notify_pref_get(struct store *s, int64_t member_id, const char *kind, int *mode,
                          struct err *e)
{
    int64_t v = -1;
    int rc = db_scalar(s->db, e, -1, &v,
                       "SELECT mode FROM notify_prefs WHERE member_id = ? AND kind = ?", "is",
                       member_id, kind);
    *mode = (int)v;
    return rc;
}

int store_notify_pref_set(struct store *s, int64_t member_id, const char *kind, int mode,
                          struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO notify_prefs(member_id, kind, mode) VALUES(?, ?, ?) "
                   "ON CONFLICT(member_id, kind) DO UPDATE SET mode = excluded.mode",
                   "isi", member_id, kind, (int64_t)mode);
}

int store_member_mail_get(struct store *s, struct pool *p, int64_t member_id, char **address,
                          int64_t *digest_at, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(
        s->db, e, "SELECT address, digest_at FROM member_mail WHERE member_id = ?", "i", member_id);
    *address = NULL;
    *digest_at = 0;
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    if (r) {
        *digest_at = db_int(st, 1);
        if (store_col_text(p, st, 0, address, e))
            goto out;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_member_mail_set(struct store *s, int64_t member_id, const char *address, struct err *e)
{
    if (!address)
        return db_exec(s->db, e, "DELETE FROM member_mail WHERE member_id = ?", "i", member_id);
    return db_exec(s->db, e,
                   "INSERT INTO member_mail(member_id, address) VALUES(?, ?) "
                   "ON CONFLICT(member_id) DO UPDATE SET address = excluded.address",
                   "is", member_id, address);
}

/* (id, number) pairs for the id lists below. */
struct id_pair {
    int64_t id, num;
};

static int pair_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct id_pair *x = item;
    (void)p;
    (void)e;
    x->id = db_int(st, 0);
    x->num = db_int(st, 1);
    return 0;
}

/* Splits pairs into an id array and (when nums is not NULL) a number array of elem bytes each. */
static int pairs_split(struct pool *p, const struct store_vec *v, int64_t **ids, void **nums,
                       size_t elem, struct err *e)
{
    const struct id_pair *x = v->items;
    int64_t *a = pool_alloc(p, (v->n ? v->n : 1) * sizeof *a);
    unsigned char *b = nums ? pool_alloc(p, (v->n ? v->n : 1) * elem) : NULL;
    if (!a || (nums && !b))
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < v->n; i++) {
        a[i] = x[i].id;
        if (elem == sizeof(int)) {
            int k = (int)x[i].num;
            if (b)
                memcpy(b + i * elem, &k, elem);
        } else if (b) {
            unsigned k = (unsigned)x[i].num;
            memcpy(b + i * elem, &k, elem);
        }
    }
    *ids = a;
    if (nums)
        *nums = b;
    return 0;
}

int store_members_with_roles(struct store *s, struct pool *p, unsigned roles, int64_t **ids,
                             unsigned **member_roles, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    void *r = NULL;
    int rc = store_rows(s, p, &v, sizeof(struct id_pair), pair_row, e,
                        "SELECT id, roles FROM members WHERE (roles & ?) <> 0 AND disabled = 0 "
                        "ORDER BY id",
                        "i", (int64_t)roles);
    if (rc == 0)
        rc = pairs_split(p, &v, ids, &r, sizeof(unsigned), e);
    *member_roles = r;
    *n = rc == 0 ? v.n : 0;
    return rc;
}

int store_drafter_ids(struct store *s, struct pool *p, int64_t memo_id, int64_t **ids, size_t *n,
                      struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof(struct id_pair), pair_row, e,
                        "SELECT member_id, 0 FROM memo_drafters WHERE memo_id = ? ORDER BY "
                        "member_id",
                        "i", memo_id);
    if (rc == 0)
        rc = pairs_split(p, &v, ids, NULL, 0, e);
    *n = rc == 0 ? v.n : 0;
    return rc;
}

int store_signer_ids(struct store *s, struct pool *p, int64_t memo_id, const char *kind, int dflt,
                     int off, int64_t **ids, int **versions, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    void *r = NULL;
    /* One statement for the whole list: a memo's co-signers can be many,
     * and most never opt in to the kinds that are off by default. */
    int rc = store_rows(s, p, &v, sizeof(struct id_pair), pair_row, e,
                        "SELECT s.member_id, s.version FROM signatures s LEFT JOIN notify_prefs p "
                        "ON p.member_id = s.member_id AND p.kind = ? WHERE s.memo_id = ? AND "
                        "COALESCE(p.mode, ?) <> ? ORDER BY s.member_id",
                        "siii", kind, memo_id, (int64_t)dflt, (int64_t)off);
    if (rc == 0)
        rc = pairs_split(p, &v, ids, &r, sizeof(int), e);
    *versions = r;
    *n = rc == 0 ? v.n : 0;
    return rc;
}

static int64_t int_or_0(struct db_stmt *st, int col)
{
    return db_is_null(st, col) ? 0 : db_int(st, col);
}

static int open_memo_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_open_memo *m = item;
    (void)p;
    (void)e;
    m->id = db_int(st, 0);
    m->channel_id = db_int(st, 1);
    m->state = (int)db_int(st, 2);
    m->submitted_at = int_or_0(st, 3);
    m->ack_due = int_or_0(st, 4);
    m->acknowledged_at = int_or_0(st, 5);
    m->answer_due = int_or_0(st, 6);
    m->answered_at = int_or_0(st, 7);
    return 0;
}

int store_open_memos(struct store *s, struct pool *p, unsigned states, struct st_open_memo **out,
                     size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char in[160], sql[512];
    int rc;
    store_state_in(in, sizeof in, "state", states);
    snprintf(sql, sizeof sql,
             "SELECT id, channel_id, state, submitted_at, ack_due, acknowledged_at, answer_due, "
             "answered_at FROM memos WHERE %s ORDER BY id",
             in);
    rc = store_rows(s, p, &v, sizeof **out, open_memo_row, e, sql, NULL);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_channel_reminder_get(struct store *s, int64_t channel_id, int *days, struct err *e)
{
    int64_t v = -1;
    int rc = db_scalar(s->db, e, -1, &v,
                       "SELECT working_days FROM channel_reminders WHERE channel_id = ?", "i",
                       channel_id);
    *days = (int)v;
    return rc;
}

int store_channel_reminder_set(struct store *s, int64_t channel_id, int days, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO channel_reminders(channel_id, working_days) VALUES(?, ?) "
                   "ON CONFLICT(channel_id) DO UPDATE SET working_days = excluded.working_days",
                   "ii", channel_id, (int64_t)days);
}

static int pending_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_mail_pending *x = item;
    (void)p;
    (void)e;
    x->member_id = db_int(st, 0);
    x->count = db_int(st, 1);
    x->oldest = db_int(st, 2);
    x->digest_at = db_int(st, 3);
    return 0;
}

int store_mail_pending(struct store *s, struct pool *p, int wait, struct st_mail_pending **out,
                       size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, pending_row, e,
                        "SELECT n.member_id, COUNT(*), MIN(n.at), MIN(a.digest_at) FROM "
                        "notifications n JOIN member_mail a ON a.member_id = n.member_id "
                        "WHERE n.mail = ? GROUP BY n.member_id ORDER BY n.member_id",
                        "i", (int64_t)wait);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_mail_queue(struct store *s, int64_t member_id, int wait, int64_t count, int digest,
                     int64_t now, struct err *e)
{
    int rc = db_exec(s->db, e,
                     "INSERT INTO mail_outbox(member_id, count, digest, created_at, next_at) "
                     "VALUES(?, ?, ?, ?, ?)",
                     "iiiii", member_id, count, (int64_t)digest, now, now);
    if (rc == 0)
        rc = db_exec(s->db, e, "UPDATE notifications SET mail = 0 WHERE member_id = ? AND mail = ?",
                     "ii", member_id, (int64_t)wait);
    if (rc == 0 && digest)
        rc = db_exec(s->db, e, "UPDATE member_mail SET digest_at = ? WHERE member_id = ?", "ii",
                     now, member_id);
    return rc;
}

static int mail_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_mail *x = item;
    (void)p;
    (void)e;
    x->id = db_int(st, 0);
    x->member_id = db_int(st, 1);
    x->count = db_int(st, 2);
    x->digest = db_int(st, 3) != 0;
    x->attempts = db_int(st, 4);
    x->created_at = db_int(st, 5);
    return 0;
}

int store_mail_due(struct store *s, struct pool *p, int64_t now, int limit, struct st_mail **out,
                   size_t *n, struct err *e)
{
    struct store_vec v = {0};
    char sql[320];
    int rc;
    snprintf(sql, sizeof sql,
             "SELECT id, member_id, count, digest, attempts, created_at FROM mail_outbox WHERE "
             "done_at IS NULL AND next_at <= ? ORDER BY id LIMIT %d",
             limit);
    rc = store_rows(s, p, &v, sizeof **out, mail_row, e, sql, "i", now);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_mail_done(struct store *s, int64_t id, int64_t now, const char *outcome, struct err *e)
{
    return db_exec(s->db, e,
                   "UPDATE mail_outbox SET done_at = ?, outcome = ?, attempts = attempts + 1 "
                   "WHERE id = ?",
                   "isi", now, outcome, id);
}

int store_mail_retry(struct store *s, int64_t id, int64_t next_at, const char *outcome,
                     struct err *e)
{
    return db_exec(s->db, e,
                   "UPDATE mail_outbox SET attempts = attempts + 1, next_at = ?, outcome = ? "
                   "WHERE id = ?",
                   "isi", next_at, outcome, id);
}

int store_mail_counts(struct store *s, int64_t *waiting, int64_t *failed, struct err *e)
{
    int rc = db_scalar(s->db, e, 0, waiting,
                       "SELECT COUNT(*) FROM mail_outbox WHERE done_at IS NULL", NULL);
    if (rc == 0)
        rc = db_scalar(s->db, e, 0, failed,
                       "SELECT COUNT(*) FROM mail_outbox WHERE done_at IS NOT NULL AND outcome "
                       "<> 'sent'",
                       NULL);
    return rc;
}
