/* auth.c — passwords, logins with throttling, sessions. */
#include "base/util.h"
#include "channel/chan_internal.h"

#include <sodium.h>
#include <string.h>

int chan_password_hash(const char *password, char out[128], struct err *e)
{
    int rc = 0;
    size_t n = strlen(password);
    if (n < CHAN_PASSWORD_MIN || n > CHAN_PASSWORD_MAX) {
        rc = err_set(e, ERR_INVALID, "a password must be %d to %d characters long",
                     CHAN_PASSWORD_MIN, CHAN_PASSWORD_MAX);
        goto out;
    }
    if (crypto_pwhash_str(out, password, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        rc = err_set(e, ERR_NOMEM, "out of memory while hashing the password");
out:
    return rc;
}

static void actor_from_member(struct actor *a, const struct st_member *m)
{
    memset(a, 0, sizeof *a);
    a->id = m->id;
    a->username = m->username;
    a->display_name = m->display_name;
    a->org = m->org_slug;
    a->org_id = m->org_id;
    a->roles = m->roles;
}

/* A token is 32 random bytes in URL-safe base64; only its SHA-256 is stored. */
static int session_create(struct chan *c, struct pool *p, struct actor *a, char **token,
                          struct err *e)
{
    int rc = -1;
    unsigned char raw[32], hash[32], csrf_raw[24];
    char *tok =
        pool_alloc(p, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING));
    char *csrf = pool_alloc(p, 2 * sizeof csrf_raw + 1);
    int64_t now = now_utc();

    if (!tok || !csrf) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    randombytes_buf(raw, sizeof raw);
    randombytes_buf(csrf_raw, sizeof csrf_raw);
    sodium_bin2base64(tok, sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                      raw, sizeof raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hex_encode(csrf, csrf_raw, sizeof csrf_raw);
    crypto_hash_sha256(hash, raw, sizeof raw);
    if (store_session_insert(c->st, hash, a->id, csrf, now, now + CHAN_SESSION_SECONDS, e))
        goto out;
    a->csrf = csrf;
    *token = tok;
    rc = 0;
out:
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int chan_login(struct chan *c, struct pool *p, const char *username, const char *password,
               char **token, struct actor *a, struct err *e)
{
    int rc = -1, ok = 0;
    int64_t failures = 0, now = now_utc();
    struct st_member m;
    struct err lookup;

    if (chan_check_slug("username", username, e) ||
        chan_check_text("password", password, CHAN_PASSWORD_MAX, 1, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (store_login_failure_count(c->st, username, now - CHAN_LOGIN_WINDOW_SECONDS, &failures, e))
        goto fail;
    if (failures >= CHAN_LOGIN_FAILURES_MAX) {
        err_set(e, ERR_RATE, "too many failed logins for '%s': wait 15 minutes before trying again",
                username);
        goto fail;
    }
    err_init(&lookup);
    if (store_member_by_username(c->st, p, username, &m, &lookup) == 0) {
        ok = !m.disabled &&
             crypto_pwhash_str_verify(m.password_hash, password, strlen(password)) == 0;
    } else {
        /* Spend the same effort on unknown names, so timing does not tell them apart. */
        char dummy[crypto_pwhash_STRBYTES];
        if (crypto_pwhash_str(dummy, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
    }
    if (!ok) {
        /* Record the failure even though the request fails: throttling needs it. */
        if (store_login_failure_add(c->st, username, now, e) || store_commit(c->st, e))
            goto fail;
        rc = err_set(e, ERR_UNAUTHORIZED, "wrong username or password");
        goto out;
    }
    actor_from_member(a, &m);
    if (store_login_failure_clear(c->st, username, e) || session_create(c, p, a, token, e) ||
        store_commit(c->st, e))
        goto fail;
    rc = 0;
    goto out;
fail:
    store_rollback(c->st);
out:
    return rc;
}

int chan_authenticate(struct chan *c, struct pool *p, const char *token, struct actor *a,
                      struct err *e)
{
    int rc = -1;
    unsigned char raw[64], hash[32];
    size_t len = 0;
    char *csrf = NULL;
    struct st_member m;
    int64_t sid = 0;

    if (!token || strlen(token) > 64 ||
        sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != 32) {
        rc =
            err_set(e, ERR_UNAUTHORIZED, "log in first: the session token is missing or malformed");
        goto out;
    }
    crypto_hash_sha256(hash, raw, 32);
    if (store_session_lookup(c->st, p, hash, now_utc(), &sid, &csrf, &m, e))
        goto out;
    actor_from_member(a, &m);
    a->session_id = sid;
    a->csrf = csrf;
    rc = 0;
out:
    sodium_memzero(raw, sizeof raw);
    return rc;
}

int chan_logout(struct chan *c, const struct actor *a, struct err *e)
{
    return store_session_delete(c->st, a->session_id, e);
}

json_t *chan_actor_json(const struct actor *a)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "username", a->username, "display_name", a->display_name,
                     "organization", a->org, "roles", chan_roles_json(a->roles));
}
