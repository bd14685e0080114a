/* chan.c — opening the channel, input checks, loading memos, access checks. */
#include "channel/chan_internal.h"
#include "channel/deadline.h"
#include "base/util.h"
#include "proto/calendar.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int chan_open(struct chan **out, const char *db_url, struct err *e)
{
    return chan_open_keys(out, db_url, NULL, e);
}

int chan_migrate(const char *db_url, const char *keys, struct store_migration *r, struct err *e)
{
    int rc = -1;
    struct store *s = NULL;
    struct chan *c = NULL;
    if (store_open_keys(&s, db_url, keys, STORE_OPEN_UNMIGRATED, e) ||
        store_at_rest_migrate(s, r, e))
        goto out;
    store_close(s);
    s = NULL;
    if (chan_open_keys(&c, db_url, keys, e))
        goto out;
    r->commit_key_made = c->commit_key_made;
    rc = 0;
out:
    store_close(s);
    chan_close(c);
    return rc;
}

int chan_rotate_data_key(const char *db_url, const char *keys, int64_t *memos, struct err *e)
{
    int rc = -1;
    struct store *s = NULL;
    if (store_open_keys(&s, db_url, keys, 0, e) || store_rotate_data_key(s, memos, e))
        goto out;
    rc = 0;
out:
    store_close(s);
    return rc;
}

int chan_open_keys(struct chan **out, const char *db_url, const char *keys, struct err *e)
{
    return chan_open_origin(out, db_url, keys, NULL, e);
}

int chan_open_origin(struct chan **out, const char *db_url, const char *keys, const char *origin,
                     struct err *e)
{
    int rc = -1;
    struct chan *c = calloc(1, sizeof *c);
    if (!c) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    c->batch_interval = CHAN_BATCH_INTERVAL_DEFAULT;
    buf_init(&c->cp_note, TLOG_NOTE_MAX);
    if (sodium_init() < 0) {
        rc = err_set(e, ERR_INTERNAL, "libsodium failed to initialize");
        goto out;
    }
    if (store_open_keys(&c->st, db_url, keys, 0, e) || chan_log_load_key(c, origin, e) ||
        chan_commit_key_load(c, e))
        goto out;
    *out = c;
    c = NULL;
    rc = 0;
out:
    chan_close(c);
    return rc;
}

void chan_close(struct chan *c)
{
    if (c) {
        store_close(c->st);
        tlog_signer_wipe(&c->log_key);
        sodium_memzero(c->commit_key, sizeof c->commit_key);
        chan_ring_cache_release(c);
        buf_release(&c->cp_note);
        free(c);
    }
}

struct store *chan_store(struct chan *c)
{
    return c->st;
}

int chan_group_begin(struct chan *c, struct err *e)
{
    return store_group_begin(c->st, e);
}

int chan_group_end(struct chan *c, int commit, struct err *e)
{
    int rc = store_group_end(c->st, commit, e);
    /* Rings decoded inside a group that did not commit may not exist. */
    if (rc || !commit)
        chan_ring_cache_release(c);
    return rc;
}

int chan_check_text(const char *field, const char *s, size_t max, int required, struct err *e)
{
    int rc = 0;
    size_t n;
    if (!s) {
        if (required)
            rc = err_set(e, ERR_INVALID, "field '%s' is required", field);
        goto out;
    }
    n = strlen(s);
    if (!utf8_valid(s, n)) {
        rc = err_set(e, ERR_INVALID, "field '%s' is not valid UTF-8 text", field);
        goto out;
    }
    if (utf8_len(s, n) > max) {
        rc = err_set(e, ERR_INVALID, "field '%s' is longer than %zu characters", field, max);
        goto out;
    }
    if (required && strspn(s, " \t\r\n") == n)
        rc = err_set(e, ERR_INVALID, "field '%s' must not be empty", field);
out:
    return rc;
}

int chan_check_slug(const char *field, const char *s, struct err *e)
{
    int rc = 0;
    size_t n = s ? strlen(s) : 0;
    int ok = n > 0 && n <= CHAN_SLUG_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char ch = s[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-')))
            ok = 0;
    }
    if (!ok)
        rc = err_set(e, ERR_INVALID,
                     "field '%s' must be 1 to %d characters of a-z, 0-9, '.', '_' or '-', "
                     "starting with a letter or digit",
                     field, CHAN_SLUG_MAX);
    return rc;
}

/* What chan_memo_load does once x->m is read: the channel, the actor's
 * relation to the memo, and whether they may see it at all. */
static int memo_ctx_finish(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                           struct memo_ctx *x, struct err *e)
{
    int drafter = 0;
    if (store_channel_by_id(c->st, p, x->m.channel_id, &x->ch, e) ||
        store_is_drafter(c->st, x->m.id, a->id, &drafter, e) ||
        store_signature_get(c->st, x->m.id, a->id, &x->signed_version, e))
        return -1;
    x->rel = (drafter ? CHAN_REL_DRAFTER : 0) | (x->signed_version ? CHAN_REL_SIGNER : 0);
    x->roles = a->roles;
    if (!chan_allowed(CHAN_ACT_READ_MEMO, a->roles, x->rel, x->m.state) &&
        !chan_allowed(CHAN_ACT_READ_MEMO_ACCESS_LOG, a->roles, x->rel, x->m.state))
        return err_set(e, ERR_NOT_FOUND, "no memo '%s'", id);
    return 0;
}

int chan_memo_load(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                   struct memo_ctx *x, struct err *e)
{
    memset(x, 0, sizeof *x);
    if (!id || strlen(id) != RANDOM_ID_LEN)
        return err_set(e, ERR_NOT_FOUND, "no memo '%s'", id ? id : "");
    if (store_memo_by_public_id(c->st, p, id, &x->m, e))
        return -1;
    return memo_ctx_finish(c, p, a, id, x, e);
}

int chan_memo_load_latest(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                          struct memo_ctx *x, struct st_version *v, struct err *e)
{
    struct st_counts *named = pool_alloc(p, sizeof *named);
    memset(x, 0, sizeof *x);
    if (!named)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!id || strlen(id) != RANDOM_ID_LEN)
        return err_set(e, ERR_NOT_FOUND, "no memo '%s'", id ? id : "");
    if (store_memo_latest(c->st, p, id, &x->m, v, named, e))
        return -1;
    x->named = named;
    return memo_ctx_finish(c, p, a, id, x, e);
}

int chan_require(const struct actor *a, const struct memo_ctx *x, int action, const char *what,
                 struct err *e)
{
    int rc = 0;
    if (!chan_allowed(action, a->roles, x->rel, x->m.state))
        rc = err_set(e, ERR_FORBIDDEN, "you may not %s this memo", what);
    return rc;
}

int chan_require_role(const struct actor *a, unsigned roles, const char *what, struct err *e)
{
    int rc = 0;
    if (a && !(a->roles & roles))
        rc = err_set(e, ERR_FORBIDDEN, "only %s may %s",
                     roles == CHAN_ROLE_ADMIN ? "an admin" : "an authorized member", what);
    return rc;
}

json_t *chan_time_json(int64_t t)
{
    char buf[21];
    if (!t)
        return json_null();
    time_format_utc(buf, t);
    return json_string(buf);
}

json_t *chan_roles_json(unsigned roles)
{
    json_t *arr = json_array();
    for (unsigned bit = 1; arr && bit <= CHAN_ROLE_ADMIN; bit <<= 1)
        if (roles & bit)
            json_array_append_new(arr, json_string(chan_role_name(bit)));
    return arr;
}

int chan_calendar_load(struct chan *c, struct pool *p, int64_t channel_id, struct cal_calendar *cal,
                       struct err *e)
{
    int64_t *days = NULL;
    size_t n = 0;
    int rc = store_holiday_days(c->st, p, channel_id, &days, &n, e);
    cal->holidays = days;
    cal->nholidays = n;
    return rc;
}

int chan_mark_demo(struct chan *c, struct err *e)
{
    return store_meta_set(c->st, "demo", "1", e);
}

int chan_demo_marker(struct chan *c, int *is_demo, struct err *e)
{
    struct pool p;
    char *v = NULL;
    int rc;
    pool_init(&p, 4096);
    rc = store_meta_get(c->st, &p, "demo", &v, e);
    *is_demo = rc == 0 && v != NULL;
    pool_release(&p);
    return rc;
}

int chan_stats(struct chan *c, int64_t *leaves, int64_t *under_review, int64_t *overdue,
               struct err *e)
{
    static const struct store_due_states due = {.under_review = CHAN_DL_UNDER_REVIEW,
                                                .ack_open = CHAN_DL_ACK_OPEN,
                                                .answer_open = CHAN_DL_ANSWER_OPEN};
    return store_stats(c->st, now_utc(), &due, leaves, under_review, overdue, e);
}

int chan_tx_end(struct chan *c, int rc, json_t **out, struct err *e)
{
    if (rc == 0 && store_commit(c->st, e) != 0) {
        if (out) {
            json_decref(*out);
            *out = NULL;
        }
        rc = -1;
    }
    if (rc != 0)
        store_rollback(c->st);
    return rc;
}

int chan_memo_view(struct chan *c, struct pool *p, const struct memo_ctx *x, int64_t now,
                   json_t **out, struct err *e)
{
    struct st_version v;
    int rc = 0;
    if (out)
        rc = store_version_head(c->st, p, x->m.id, x->m.latest_version, &v, e);
    if (rc == 0 && out)
        rc = chan_memo_json(c, x, &v, 0, now, out, e);
    return rc;
}

int chan_memo_reply(struct chan *c, struct pool *p, const struct actor *a, const char *id,
                    json_t **out, struct err *e)
{
    int rc = -1;
    struct memo_ctx x;
    if (store_begin_read(c->st, e))
        goto out;
    rc = chan_memo_load(c, p, a, id, &x, e);
    if (rc == 0)
        rc = chan_memo_view(c, p, &x, now_utc(), out, e);
    store_rollback(c->st);
out:
    return rc;
}
