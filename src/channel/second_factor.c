/* second_factor.c — TOTP as a second factor: enrollment (confirmed by a
 * first code), the second step of a sign-in, turning it off, recovery
 * codes, and the installation's policy that privileged roles must have one.
 * Codes are checked by totp.c; secrets are sealed at rest by the store. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "channel/totp.h"

#include <sodium.h>
#include <string.h>

#define PRIVILEGED  (CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP | CHAN_ROLE_AUDITOR | CHAN_ROLE_ADMIN)
#define META_POLICY "totp_required"

/* Throttling key of codes checked for a signed-in member (enrollment,
 * turning off): one per member, as for passwords on the account page. */
static const char *code_client(struct pool *p, const struct actor *a)
{
    const char *s = pool_printf(p, "totp:%s", a->username);
    return s ? s : "totp";
}

int chan_totp_policy_get(struct chan *c, struct pool *p, int *required, struct err *e)
{
    char *v = NULL;
    if (store_meta_get(c->st, p, META_POLICY, &v, e))
        return -1;
    /* No row (a database of before the setting): required, the safe default. */
    *required = !v || strcmp(v, "0") != 0;
    return 0;
}

int chan_must_enroll(struct chan *c, struct pool *p, struct actor *a, struct err *e)
{
    int required = 0, confirmed = 0;
    a->must_enroll = 0;
    if (!(a->roles & PRIVILEGED))
        return 0;
    if (chan_totp_policy_get(c, p, &required, e) ||
        (required && store_totp_confirmed(c->st, a->id, &confirmed, e)))
        return -1;
    a->must_enroll = required && !confirmed;
    return 0;
}

/* A random 32-byte token in URL-safe base64 (from p) and its SHA-256. */
static char *new_token(struct pool *p, unsigned char hash[32])
{
    unsigned char raw[32];
    size_t n = sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *tok = pool_alloc(p, n);
    if (tok) {
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(tok, n, raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        crypto_hash_sha256(hash, raw, sizeof raw);
    }
    sodium_memzero(raw, sizeof raw);
    return tok;
}

/* The SHA-256 of a token as sent; -1 when it cannot be one. */
static int token_hash(const char *token, unsigned char hash[32])
{
    unsigned char raw[64];
    size_t len = 0;
    int rc = -1;
    if (token && strlen(token) <= 64 &&
        sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0 &&
        len == 32) {
        crypto_hash_sha256(hash, raw, 32);
        rc = 0;
    }
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int chan_session_or_pending(struct chan *c, struct pool *p, struct actor *a, const char *client,
                            char **token, struct err *e)
{
    int confirmed = 0;
    unsigned char hash[32];
    int64_t now = now_utc();
    a->second_factor = 0;
    if (store_totp_confirmed(c->st, a->id, &confirmed, e))
        return -1;
    if (!confirmed)
        return chan_session_create(c, p, a, token, e) || chan_must_enroll(c, p, a, e) ? -1 : 0;
    /* The password was right; the session waits for the code. */
    *token = new_token(p, hash);
    if (!*token)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (store_login_pending_put(c->st, hash, a->id, client ? client : "unknown", now,
                                now + CHAN_LOGIN_PENDING_SECONDS, e))
        return -1;
    a->second_factor = 1;
    a->csrf = NULL;
    return 0;
}

/* Checks code for the member: a TOTP code of a step after the last one used
 * (then recorded), or, with allow_recovery, an unused recovery code (then
 * used up; *recovery = 1). *ok = 0 when neither. Inside the caller's
 * transaction. */
static int code_check(struct chan *c, int64_t member_id, const char *code, int allow_recovery,
                      int64_t now, int *ok, int *recovery, struct err *e)
{
    int rc = -1, used = 0;
    struct st_totp t;
    int64_t step = 0;
    unsigned char h[32];

    *ok = 0;
    if (recovery)
        *recovery = 0;
    if (store_totp_get(c->st, member_id, &t, e))
        goto out;
    if (!t.found || !t.confirmed) {
        rc = 0;
        goto out;
    }
    if (totp_check(t.secret, t.secret_len, now, t.last_step, code, &step, e))
        goto out;
    if (step) {
        *ok = 1;
        rc = store_totp_used(c->st, member_id, step, 0, e);
        goto out;
    }
    if (allow_recovery && totp_recovery_hash(code, h) == 0) {
        if (store_totp_code_use(c->st, member_id, h, now, &used, e))
            goto out;
        *ok = used;
        if (recovery)
            *recovery = used;
    }
    rc = 0;
out:
    sodium_memzero(&t, sizeof t);
    return rc;
}

/* Records that a recovery code was used, with how many are left. */
static int recovery_used_event(struct chan *c, struct pool *p, int64_t member_id,
                               const struct actor *a, int64_t now, struct err *e)
{
    int64_t left = 0;
    const char *d;
    if (store_totp_codes_left(c->st, member_id, &left, e))
        return -1;
    d = pool_printf(p, "A second-factor recovery code was used; %lld left.", (long long)left);
    return chan_account_event(c, member_id, "second_factor_recovery_used", a,
                              d ? d : "A recovery code was used.", now, 0, e);
}

int chan_login_second(struct chan *c, struct pool *p, const char *pending, const char *code,
                      const char *client, char **token, struct actor *a, struct err *e)
{
    int rc = -1, ok = 0, recovery = 0;
    unsigned char hash[32];
    int64_t member_id = 0, tries = 0, now = now_utc();
    struct st_member m;

    if (!client || !*client)
        client = "unknown";
    if (token_hash(pending, hash))
        return err_set(e, ERR_UNAUTHORIZED,
                       "this sign-in expired or was already used: start again with your password");
    if (chan_check_text("code", code, 64, 1, e))
        return -1;
    if (store_begin(c->st, e))
        return -1;
    if (store_login_pending_get(c->st, hash, now, &member_id, &tries, e) ||
        store_member_by_id(c->st, p, member_id, &m, e))
        goto fail;
    if (m.disabled) {
        err_set(e, ERR_UNAUTHORIZED, "wrong username or password");
        goto fail;
    }
    if (chan_login_throttled(c, m.username, client, now, e))
        goto fail;
    if (code_check(c, m.id, code, 1, now, &ok, &recovery, e))
        goto fail;
    if (!ok) {
        /* Counted like a wrong password; a pending login takes only a few tries. */
        int last = tries + 1 >= CHAN_TOTP_TRIES_MAX;
        if (chan_login_failed(c, m.username, client, now, e) ||
            (last ? store_login_pending_delete(c->st, hash, e)
                  : store_login_pending_tried(c->st, hash, e)) ||
            store_commit(c->st, e))
            goto fail;
        return err_set(e, ERR_UNAUTHORIZED,
                       last ? "wrong code, and too many tries: start again with your password"
                            : "wrong code: enter the current 6-digit code of your authenticator "
                              "app, or one of your recovery codes");
    }
    chan_actor_from_member(a, &m);
    if (store_login_pending_delete(c->st, hash, e) ||
        store_throttle_clear(c->st, m.username, client, e) ||
        (recovery && recovery_used_event(c, p, m.id, a, now, e)) ||
        chan_session_create(c, p, a, token, e) || chan_must_enroll(c, p, a, e) ||
        store_commit(c->st, e))
        goto fail;
    rc = 0;
    goto out;
fail:
    store_rollback(c->st);
out:
    return rc;
}

static json_t *status_json(const struct st_totp *t, int64_t left, int required, unsigned roles)
{
    return json_pack("{s:b,s:b,s:I,s:b,s:b}", "enabled", t->found && t->confirmed,
                     "enrollment_pending", t->found && !t->confirmed, "recovery_codes_left",
                     (json_int_t)left, "policy_required", required, "required",
                     required && (roles & PRIVILEGED));
}

int chan_totp_status(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e)
{
    int rc = -1, required = 0;
    struct st_totp t;
    int64_t left = 0;
    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (store_totp_get(c->st, a->id, &t, e) || store_totp_codes_left(c->st, a->id, &left, e) ||
        chan_totp_policy_get(c, p, &required, e))
        goto out;
    *out = status_json(&t, left, required, a->roles);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
out:
    sodium_memzero(&t, sizeof t);
    return rc;
}

int chan_totp_enroll(struct chan *c, struct pool *p, const struct actor *a, json_t **out,
                     struct err *e)
{
    int rc = -1, confirmed = 0;
    unsigned char secret[TOTP_SECRET_BYTES];
    char *b32, *uri, *issuer;

    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    randombytes_buf(secret, sizeof secret);
    issuer = pool_printf(p, "dissent (%s)", c->log_key.pub.name);
    b32 = totp_base32(p, secret, sizeof secret);
    uri = issuer ? totp_uri(p, secret, sizeof secret, issuer, a->username) : NULL;
    if (!b32 || !uri) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (store_totp_confirmed(c->st, a->id, &confirmed, e))
        goto fail;
    if (confirmed) {
        err_set(e, ERR_CONFLICT,
                "you already have a second factor: turn it off first (with a current code), then "
                "set up the new one");
        goto fail;
    }
    if (store_totp_put(c->st, a->id, secret, sizeof secret, now_utc(), e) || store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:s,s:s,s:s,s:i,s:i}", "secret", b32, "otpauth_uri", uri, "algorithm",
                     "SHA1", "digits", TOTP_DIGITS, "period", TOTP_PERIOD);
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    goto out;
fail:
    store_rollback(c->st);
out:
    sodium_memzero(secret, sizeof secret);
    if (b32)
        sodium_memzero(b32, strlen(b32));
    return rc;
}

/* Issues CHAN_TOTP_RECOVERY_CODES new recovery codes (replacing the old)
 * inside the caller's transaction: *out an array of them, shown this once. */
static int codes_issue(struct chan *c, int64_t member_id, json_t **out, struct err *e)
{
    unsigned char hashes[CHAN_TOTP_RECOVERY_CODES][32];
    char text[TOTP_RECOVERY_TEXT + 1];
    int rc = -1;
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < CHAN_TOTP_RECOVERY_CODES; i++) {
        totp_recovery_new(text, hashes[i]);
        json_array_append_new(arr, json_string(text));
    }
    sodium_memzero(text, sizeof text);
    if (!arr || json_array_size(arr) != CHAN_TOTP_RECOVERY_CODES) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_totp_codes_put(c->st, member_id, (const unsigned char(*)[32])hashes,
                             CHAN_TOTP_RECOVERY_CODES, e))
        goto out;
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

/* A wrong code for a signed-in member: counted for throttling, committed,
 * and refused with msg. */
static int wrong_code(struct chan *c, struct pool *p, const struct actor *a, int64_t now,
                      const char *msg, struct err *e)
{
    if (chan_login_failed(c, a->username, code_client(p, a), now, e) || store_commit(c->st, e)) {
        store_rollback(c->st);
        return -1;
    }
    return err_set(e, ERR_FORBIDDEN, "%s", msg);
}

int chan_totp_confirm(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                      json_t **out, struct err *e)
{
    int rc = -1;
    struct st_totp t;
    int64_t step = 0, now = now_utc();
    json_t *codes = NULL;

    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (chan_check_text("code", code, 64, 1, e) || store_begin(c->st, e))
        return -1;
    if (chan_login_throttled(c, a->username, code_client(p, a), now, e) ||
        store_totp_get(c->st, a->id, &t, e))
        goto fail;
    if (!t.found || t.confirmed) {
        err_set(e, ERR_STATE,
                t.found ? "your second factor is already set up"
                        : "start the setup first: it shows the secret to add to your app");
        goto fail;
    }
    if (totp_check(t.secret, t.secret_len, now, t.last_step, code, &step, e))
        goto fail;
    if (!step) {
        sodium_memzero(&t, sizeof t);
        return wrong_code(c, p, a, now,
                          "that code does not match: check the time of your device and enter the "
                          "current 6-digit code",
                          e);
    }
    if (store_totp_used(c->st, a->id, step, 1, e) || codes_issue(c, a->id, &codes, e) ||
        store_throttle_clear(c->st, a->username, code_client(p, a), e) ||
        chan_account_event(c, a->id, "second_factor_on", a,
                           "A second factor (authenticator app) was set up; 10 recovery codes "
                           "were issued.",
                           now, 1, e) ||
        store_commit(c->st, e))
        goto fail;
    *out = json_pack("{s:b,s:o}", "enabled", 1, "recovery_codes", codes);
    codes = NULL;
    rc = *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    goto out;
fail:
    store_rollback(c->st);
out:
    json_decref(codes);
    sodium_memzero(&t, sizeof t);
    return rc;
}

/* Checks a current code of a signed-in member with a second factor in
 * force (throttled). 0 when right; -1 otherwise (the transaction ended). */
static int current_code(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                        int allow_recovery, int64_t now, int *recovery, struct err *e)
{
    int ok = 0, confirmed = 0;
    if (chan_check_text("code", code, 64, 1, e))
        return -1;
    if (store_begin(c->st, e))
        return -1;
    if (chan_login_throttled(c, a->username, code_client(p, a), now, e) ||
        store_totp_confirmed(c->st, a->id, &confirmed, e))
        goto fail;
    if (!confirmed) {
        err_set(e, ERR_STATE, "you have no second factor set up");
        goto fail;
    }
    if (code_check(c, a->id, code, allow_recovery, now, &ok, recovery, e))
        goto fail;
    if (!ok)
        return wrong_code(c, p, a, now,
                          allow_recovery ? "wrong code: enter the current 6-digit code of your "
                                           "authenticator app, or an unused recovery code"
                                         : "wrong code: enter the current 6-digit code of your "
                                           "authenticator app",
                          e);
    if (store_throttle_clear(c->st, a->username, code_client(p, a), e))
        goto fail;
    return 0;
fail:
    store_rollback(c->st);
    return -1;
}

int chan_totp_disable(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                      json_t **out, struct err *e)
{
    int64_t now = now_utc();
    int recovery = 0;
    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (current_code(c, p, a, code, 1, now, &recovery, e))
        return -1;
    if (store_totp_delete(c->st, a->id, e) ||
        chan_account_event(c, a->id, "second_factor_off", a,
                           recovery ? "The second factor was turned off with a recovery code."
                                    : "The second factor was turned off.",
                           now, 1, e) ||
        store_commit(c->st, e)) {
        store_rollback(c->st);
        return -1;
    }
    *out = json_pack("{s:b}", "enabled", 0);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int chan_totp_recovery_new(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                           json_t **out, struct err *e)
{
    int64_t now = now_utc();
    json_t *codes = NULL;
    if (!a)
        return err_set(e, ERR_UNAUTHORIZED, "log in first");
    if (current_code(c, p, a, code, 0, now, NULL, e))
        return -1;
    if (codes_issue(c, a->id, &codes, e) ||
        chan_account_event(c, a->id, "second_factor_codes", a,
                           "New second-factor recovery codes were issued; the old ones no longer "
                           "work.",
                           now, 1, e) ||
        store_commit(c->st, e)) {
        store_rollback(c->st);
        json_decref(codes);
        return -1;
    }
    *out = json_pack("{s:o}", "recovery_codes", codes);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int chan_totp_policy(struct chan *c, struct pool *p, const struct actor *a, const int *required,
                     json_t **out, struct err *e)
{
    int was = 0, now_required = 0;
    if (chan_require_role(a, CHAN_ROLE_ADMIN, "change the installation's settings", e))
        return -1;
    if (required) {
        if (store_begin(c->st, e))
            return -1;
        /* A change by an admin is an account event of theirs, so the
         * auditors see who weakened or restored the policy, and when. */
        if (chan_totp_policy_get(c, p, &was, e) ||
            store_meta_set(c->st, META_POLICY, *required ? "1" : "0", e) ||
            (a && was != (*required != 0) &&
             chan_account_event(c, a->id, "settings_changed", a,
                                *required ? "Second factor required of privileged roles: on."
                                          : "Second factor required of privileged roles: off.",
                                now_utc(), 1, e)) ||
            store_commit(c->st, e)) {
            store_rollback(c->st);
            return -1;
        }
    }
    if (chan_totp_policy_get(c, p, &now_required, e))
        return -1;
    *out = json_pack("{s:b}", "totp_required", now_required);
    return *out ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}
