/* account.c — accounts without shared secrets: setup links, resets that only
 * the member can complete, recovery codes, changing one's own password, and
 * the account events shown to the member and to auditors. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/notify.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TOKEN_B64_LEN sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)
#define RECOVERY_LEN  25 /* base32 characters: 125 random bits */
#define EVENTS_SHOWN  100

const char *chan_roles_text(struct pool *p, unsigned roles)
{
    char buf[128];
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned bit = 1; bit <= CHAN_ROLE_ALL; bit <<= 1) {
        const char *name = (roles & bit) ? chan_role_name(bit) : NULL;
        if (name)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s", n ? ", " : "", name);
        if (n >= sizeof buf)
            break;
    }
    const char *s = pool_strdup(p, buf);
    return s ? s : "";
}

/* The SHA-256 of a token given as URL-safe base64 of 32 bytes. */
static int token_hash(const char *token, unsigned char hash[32], struct err *e)
{
    unsigned char raw[64];
    size_t len = 0;
    int rc = 0;
    if (!token || strlen(token) > 64 ||
        sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != 32)
        rc = err_set(e, ERR_NOT_FOUND,
                     "this setup link is not valid: check that it was copied whole");
    else
        crypto_hash_sha256(hash, raw, 32);
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int chan_setup_issue(struct chan *c, struct pool *p, int64_t member_id, const char *kind,
                     int64_t now, json_t **setup, struct err *e)
{
    int rc = -1;
    unsigned char raw[32], hash[32];
    char *tok = pool_alloc(p, TOKEN_B64_LEN);
    const char *path;

    if (!tok) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(tok, TOKEN_B64_LEN, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    crypto_hash_sha256(hash, raw, sizeof raw);
    path = pool_printf(p, "/setup/%s", tok);
    if (!path) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_setup_put(c->st, member_id, hash, kind, now, now + CHAN_SETUP_SECONDS, e))
        goto out;
    *setup = json_pack("{s:s,s:s,s:o}", "token", tok, "path", path, "expires_at",
                       chan_time_json(now + CHAN_SETUP_SECONDS));
    rc = *setup ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int chan_account_event(struct chan *c, int64_t member_id, const char *kind, const struct actor *a,
                       const char *detail, int64_t now, int seen, struct err *e)
{
    /* The member is told in the app (and by mail, if she chose to be),
     * also of what she did herself: a mail about it is a safeguard. */
    return store_account_event_add(c->st, member_id, kind, a ? a->username : NULL, detail, now,
                                   seen, e) ||
                   chan_notify_account(c, member_id, kind, seen, now, e)
               ? -1
               : 0;
}

static json_t *event_json(const struct st_account_event *x, int with_user)
{
    json_t *o = json_pack("{s:s,s:s*,s:s,s:o,s:b}", "kind", x->kind, "by", x->actor, "detail",
                          x->detail, "at", chan_time_json(x->at), "seen", x->seen);
    if (o && !x->actor)
        json_object_set_new(o, "by", json_null());
    if (o && with_user)
        json_object_set_new(o, "username", json_string(x->username));
    return o;
}

static json_t *events_json(const struct st_account_event *ev, size_t n, int with_user)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++)
        json_array_append_new(arr, event_json(&ev[i], with_user));
    return arr;
}

/* A new recovery code: shown once as five groups of five, kept as the
 * SHA-256 of its 25 characters (125 random bits: no dictionary to try). */
static int recovery_issue(struct chan *c, struct pool *p, int64_t member_id, int64_t now,
                          char **shown, struct err *e)
{
    char id[RANDOM_ID_LEN + 1];
    unsigned char hash[32];
    char *out = pool_alloc(p, RECOVERY_LEN + 5);
    int rc = -1;

    if (!out) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    random_id(id);
    crypto_hash_sha256(hash, (const unsigned char *)id, RECOVERY_LEN);
    snprintf(out, RECOVERY_LEN + 5, "%.5s-%.5s-%.5s-%.5s-%.5s", id, id + 5, id + 10, id + 15,
             id + 20);
    if (store_recovery_put(c->st, member_id, hash, now, e))
        goto out;
    *shown = out;
    rc = 0;
out:
    sodium_memzero(id, sizeof id);
    return rc;
}

/* Checks a typed recovery code against the stored hash: case, dashes and
 * spaces do not matter. *ok = 0 when the member has none. */
static int recovery_check(struct chan *c, int64_t member_id, const char *typed, int *ok,
                          struct err *e)
{
    char norm[RECOVERY_LEN + 1];
    unsigned char want[32], got[32];
    size_t n = 0;
    int found = 0, rc = -1;

    *ok = 0;
    if (store_recovery_get(c->st, member_id, want, &found, e))
        goto out;
    for (const char *s = typed ? typed : ""; *s; s++) {
        char ch = *s;
        if (ch == '-' || ch == ' ')
            continue;
        if (ch >= 'A' && ch <= 'Z')
            ch = (char)(ch - 'A' + 'a');
        if (n == RECOVERY_LEN) {
            n++;
            break;
        }
        norm[n++] = ch;
    }
    if (found && n == RECOVERY_LEN) {
        crypto_hash_sha256(got, (const unsigned char *)norm, RECOVERY_LEN);
        *ok = sodium_memcmp(got, want, 32) == 0;
    }
    rc = 0;
out:
    sodium_memzero(norm, sizeof norm);
    return rc;
}

int chan_member_reset(struct chan *c, struct pool *p, const struct actor *a, const char *username,
                      json_t **out, struct err *e)
{
    int rc = -1, found = 0;
    struct st_member m;
    unsigned char h[32];
    int64_t now = now_utc();
    json_t *setup = NULL;

    if (chan_require_role(a, CHAN_ROLE_ADMIN, "reset accounts", e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (store_member_by_username(c->st, p, username, &m, e) ||
        store_recovery_get(c->st, m.id, h, &found, e))
        goto fail;
    if (!found) {
        err_set(e, ERR_CONFLICT,
                "'%s' has no recovery code, and a reset link alone would let whoever holds it "
                "take the account over: the member can make one on their account page",
                username);
        goto fail;
    }
    if (store_member_set_password(c->st, m.id, "", e) || store_sessions_end(c->st, m.id, 0, e) ||
        chan_setup_issue(c, p, m.id, "reset", now, &setup, e) ||
        chan_account_event(c, m.id, "reset", a,
                           "Password reset: the old password and every session were ended, and a "
                           "setup link was issued (it needs your recovery code).",
                           now, 0, e) ||
        store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:s,s:o}", "username", m.username, "setup", setup);
    setup = NULL;
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    json_decref(setup);
    return rc;
}

/* Finds the live setup link of token and its member, inside a transaction. */
static int setup_load(struct chan *c, struct pool *p, const char *token, int64_t now,
                      struct st_member *m, char **kind, int64_t *expires, struct err *e)
{
    unsigned char hash[32];
    int64_t member_id = 0;
    struct err lookup;
    int rc = -1;

    err_init(&lookup);
    if (token_hash(token, hash, e))
        goto out;
    if (store_setup_find(c->st, p, hash, &member_id, kind, expires, &lookup) || *expires <= now ||
        store_member_by_id(c->st, p, member_id, m, &lookup) || m->disabled) {
        if (lookup.code != ERR_OK && lookup.code != ERR_NOT_FOUND)
            rc = err_wrap(e, lookup.code, &lookup, NULL, "%s", lookup.msg);
        else
            rc = err_set(e, ERR_NOT_FOUND,
                         "this setup link has expired or was already used: ask your "
                         "administrator for a new one");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int chan_setup_info(struct chan *c, struct pool *p, const char *token, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_member m;
    char *kind = NULL;
    int64_t expires = 0;

    if (store_begin_read(c->st, e))
        goto out;
    rc = setup_load(c, p, token, now_utc(), &m, &kind, &expires, e);
    store_rollback(c->st);
    if (rc)
        goto out;
    *out = json_pack("{s:s,s:s,s:s,s:b,s:o}", "username", m.username, "display_name",
                     m.display_name, "kind", kind, "needs_recovery_code",
                     strcmp(kind, "reset") == 0, "expires_at", chan_time_json(expires));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_setup_complete(struct chan *c, struct pool *p, const char *token, const char *password,
                        const char *recovery_code, char **session_token, struct actor *a,
                        json_t **out, struct err *e)
{
    int rc = -1, ok = 0;
    struct st_member m;
    char *kind = NULL, *code = NULL;
    char hash[128];
    int64_t expires = 0, now = now_utc();
    struct st_account_event *ev = NULL;
    size_t n = 0;

    if (!password || chan_password_hash(password, hash, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (setup_load(c, p, token, now, &m, &kind, &expires, e))
        goto fail;
    if (strcmp(kind, "reset") == 0) {
        if (recovery_check(c, m.id, recovery_code, &ok, e))
            goto fail;
        if (!ok) {
            err_set(e, ERR_FORBIDDEN,
                    "the recovery code does not match: a reset is completed with the recovery "
                    "code you were given when you last chose your password");
            goto fail;
        }
    }
    /* What happened to the account is shown with the result, once. */
    if (store_account_events(c->st, p, m.id, 1, EVENTS_SHOWN, &ev, &n, e) ||
        store_member_set_password(c->st, m.id, hash, e) || store_setup_delete(c->st, m.id, e) ||
        store_sessions_end(c->st, m.id, 0, e) || recovery_issue(c, p, m.id, now, &code, e) ||
        store_account_events_seen(c->st, m.id, e))
        goto fail;
    chan_actor_from_member(a, &m);
    if (chan_account_event(c, m.id, "password_set", a,
                           "Password chosen through a setup link; a new recovery code was issued.",
                           now, 1, e) ||
        chan_session_or_pending(c, p, a, "setup", session_token, e) || store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:s,s:o}", "recovery_code", code, "notices", events_json(ev, n, 0));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    goto out;
fail:
    store_rollback(c->st);
out:
    sodium_memzero(hash, sizeof hash);
    return rc;
}

/* The throttling key of password checks on the account page: one per
 * member, so a stolen session does not become a fast guessing oracle. */
static const char *account_client(struct pool *p, const struct actor *a)
{
    const char *s = pool_printf(p, "account:%s", a->username);
    return s ? s : "account";
}

/* Checks the actor's current password inside the caller's transaction,
 * throttled like a login. Returns 0 when right, 1 when wrong, -1 on error. */
static int current_password_ok(struct chan *c, struct pool *p, const struct actor *a,
                               const char *current, int64_t now, struct st_member *m, struct err *e)
{
    int ok = 0;
    if (chan_check_text("current_password", current, CHAN_PASSWORD_MAX, 1, e) ||
        chan_login_throttled(c, a->username, account_client(p, a), now, e) ||
        store_member_by_id(c->st, p, a->id, m, e) ||
        chan_password_verify(m->password_hash, current, &ok, e))
        return -1;
    if (!ok)
        return 1;
    return store_throttle_clear(c->st, a->username, account_client(p, a), e);
}

int chan_password_change(struct chan *c, struct pool *p, const struct actor *a, const char *current,
                         const char *password, json_t **out, struct err *e)
{
    int rc = -1, r;
    char hash[128];
    struct st_member m;
    int64_t now = now_utc();

    hash[0] = '\0';
    if (!a) {
        rc = err_set(e, ERR_UNAUTHORIZED, "log in first");
        goto out;
    }
    if (!password || chan_password_hash(password, hash, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    r = current_password_ok(c, p, a, current, now, &m, e);
    if (r < 0)
        goto fail;
    if (r > 0) {
        /* The failure is kept: throttling needs it. */
        if (chan_login_failed(c, a->username, account_client(p, a), now, e) ||
            store_commit(c->st, e))
            goto fail;
        rc = err_set(e, ERR_FORBIDDEN, "your current password is not right");
        goto out;
    }
    if (store_member_set_password(c->st, m.id, hash, e) ||
        store_sessions_end(c->st, m.id, a->session_id, e) ||
        chan_account_event(c, m.id, "password_changed", a,
                           "Password changed by the member; every other session was ended.", now, 1,
                           e) ||
        store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:b}", "password_changed", 1);
    rc = 0;
    goto out;
fail:
    store_rollback(c->st);
out:
    sodium_memzero(hash, sizeof hash);
    return rc;
}

int chan_recovery_code_new(struct chan *c, struct pool *p, const struct actor *a,
                           const char *current, json_t **out, struct err *e)
{
    int rc = -1, r;
    struct st_member m;
    char *code = NULL;
    int64_t now = now_utc();

    if (!a) {
        rc = err_set(e, ERR_UNAUTHORIZED, "log in first");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    r = current_password_ok(c, p, a, current, now, &m, e);
    if (r < 0)
        goto fail;
    if (r > 0) {
        if (chan_login_failed(c, a->username, account_client(p, a), now, e) ||
            store_commit(c->st, e))
            goto fail;
        rc = err_set(e, ERR_FORBIDDEN, "your current password is not right");
        goto out;
    }
    if (recovery_issue(c, p, m.id, now, &code, e) ||
        chan_account_event(c, m.id, "recovery_code_changed", a,
                           "A new recovery code was made by the member; the old one stopped "
                           "working.",
                           now, 1, e) ||
        store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:s}", "recovery_code", code);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    goto out;
fail:
    store_rollback(c->st);
out:
    return rc;
}

int chan_account_get(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e)
{
    int rc = -1, found = 0;
    struct st_account_event *ev = NULL;
    size_t n = 0;
    unsigned char h[32];

    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (store_account_events(c->st, p, a->id, 0, EVENTS_SHOWN, &ev, &n, e) ||
        store_recovery_get(c->st, a->id, h, &found, e))
        goto out;
    *out = json_pack("{s:o,s:b,s:o}", "member", chan_actor_json(a), "has_recovery_code", found,
                     "events", events_json(ev, n, 0));
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_account_notices(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                         struct err *e)
{
    int rc = -1;
    struct st_account_event *ev = NULL;
    size_t n = 0;

    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (store_begin(c->st, e))
        goto out;
    if (store_account_events(c->st, p, a->id, 1, EVENTS_SHOWN, &ev, &n, e) ||
        store_account_events_seen(c->st, a->id, e) || store_commit(c->st, e)) {
        store_rollback(c->st);
        goto out;
    }
    *out = events_json(ev, n, 0);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_account_unseen(struct chan *c, struct pool *p, const struct actor *a, size_t *n,
                        struct err *e)
{
    struct st_account_event *ev = NULL;
    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    return store_account_events(c->st, p, a->id, 1, EVENTS_SHOWN, &ev, n, e);
}

int chan_events_page_args(const char *before, const char *limit, int64_t *before_out,
                          int *limit_out, struct err *e)
{
    int64_t l = CHAN_EVENTS_PAGE_DEFAULT;
    *before_out = 0;
    *limit_out = (int)l;
    if (before && *before && parse_i64(before, 1, INT64_MAX, before_out) != 0)
        return err_set(e, ERR_INVALID, "field 'before' must be an account event id");
    if (limit && *limit && parse_i64(limit, 1, CHAN_EVENTS_PAGE_MAX, &l) != 0)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_EVENTS_PAGE_MAX);
    *limit_out = (int)l;
    return 0;
}

int chan_account_events(struct chan *c, struct pool *p, const struct actor *a, int64_t before,
                        int limit, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_account_event *ev = NULL;
    size_t n = 0;
    int64_t next = 0;
    json_t *rows;

    if (chan_require_role(a, CHAN_ROLE_AUDITOR, "read the account events", e))
        goto out;
    if (limit < 1 || limit > CHAN_EVENTS_PAGE_MAX) {
        err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_EVENTS_PAGE_MAX);
        goto out;
    }
    if (before < 0) {
        err_set(e, ERR_INVALID, "field 'before' must be an account event id");
        goto out;
    }
    /* one more than asked: whether an older page exists */
    if (store_account_events_before(c->st, p, before, limit + 1, &ev, &n, e))
        goto out;
    if (n > (size_t)limit) {
        n = (size_t)limit;
        next = ev[n - 1].id;
    }
    rows = events_json(ev, n, 1);
    for (size_t i = 0; rows && i < n; i++)
        json_object_set_new(json_array_get(rows, i), "id", json_integer(ev[i].id));
    *out = json_pack("{s:o,s:o}", "events", rows, "next_before",
                     next ? json_integer(next) : json_null());
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    return rc;
}

int chan_local_set_password(struct chan *c, struct pool *p, const char *username,
                            const char *password, struct err *e)
{
    int rc = -1;
    char hash[128];
    struct st_member m;
    int64_t now = now_utc();

    if (chan_password_hash(password, hash, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (store_member_by_username(c->st, p, username, &m, e) ||
        store_member_set_password(c->st, m.id, hash, e) || store_setup_delete(c->st, m.id, e) ||
        /* a password set for someone ends every session and pending login
         * made with the old one, as an admin's reset does */
        store_sessions_end(c->st, m.id, 0, e) || store_account_events_seen(c->st, m.id, e) ||
        chan_account_event(c, m.id, "password_set", NULL,
                           "Password set by the operator on the server's console.", now, 1, e) ||
        store_commit(c->st, e)) {
        store_rollback(c->st);
        goto out;
    }
    rc = 0;
out:
    sodium_memzero(hash, sizeof hash);
    return rc;
}
