/* auth.c — passwords, logins with throttling, sessions. */
#include "base/log.h"
#include "base/util.h"
#include "channel/chan_internal.h"

#include <pthread.h>
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

void chan_actor_from_member(struct actor *a, const struct st_member *m)
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
int chan_session_create(struct chan *c, struct pool *p, struct actor *a, char **token,
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
    /* Sessions that expired or went idle go now: the table holds live ones only. */
    if (store_sessions_purge(c->st, now, now - CHAN_SESSION_IDLE_SECONDS, e) ||
        store_session_insert(c->st, hash, a->id, csrf, now, now + CHAN_SESSION_SECONDS, e) ||
        store_session_id(c->st, hash, &a->session_id, e))
        goto out;
    a->csrf = csrf;
    *token = tok;
    rc = 0;
out:
    sodium_memzero(raw, sizeof raw);
    return rc;
}

/* The hash every failed lookup verifies against, made once with the same
 * parameters as real ones, so an unknown, disabled or password-less account
 * costs what a real one costs. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static int dummy_ok;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void)
{
    unsigned char pw[24];
    randombytes_buf(pw, sizeof pw);
    dummy_ok = crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof pw,
                                 crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                 crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
    sodium_memzero(pw, sizeof pw);
}

int chan_password_verify(const char *hash, const char *password, int *ok, struct err *e)
{
    int real = hash && hash[0] != '\0';
    pthread_once(&dummy_once, dummy_make);
    if (!dummy_ok)
        return err_set(e, ERR_NOMEM, "out of memory while hashing the password");
    /* Always one full verification; the answer is computed without early exits. */
    *ok = crypto_pwhash_str_verify(real ? hash : dummy_hash, password, strlen(password)) == 0;
    *ok = *ok & real;
    return 0;
}

/* The delay owed after f failures of one (username, address): none for the
 * first CHAN_LOGIN_FAILURES_MAX - 1, then 1 s, 2 s, 4 s, … up to
 * CHAN_LOGIN_DELAY_MAX. */
static int64_t login_delay(int64_t f)
{
    int64_t d = 1;
    if (f < CHAN_LOGIN_FAILURES_MAX)
        return 0;
    for (int64_t i = CHAN_LOGIN_FAILURES_MAX; i < f && d < CHAN_LOGIN_DELAY_MAX; i++)
        d *= 2;
    return d < CHAN_LOGIN_DELAY_MAX ? d : CHAN_LOGIN_DELAY_MAX;
}

int chan_login_throttled(struct chan *c, const char *username, const char *client, int64_t now,
                         struct err *e)
{
    int rc = -1;
    int64_t f = 0, last = 0, total = 0, wait;
    if (store_throttle_get(c->st, username, client, &f, &last, e) ||
        store_throttle_client(c->st, client, now - CHAN_LOGIN_WINDOW_SECONDS, &total, e))
        goto out;
    if (last < now - CHAN_LOGIN_FORGET_SECONDS)
        f = 0;
    wait = last + login_delay(f) - now;
    if (f > 0 && wait > 0) {
        rc = err_set(e, ERR_RATE,
                     "too many failed logins for '%s' from your address: wait %lld seconds "
                     "before trying again",
                     username, (long long)wait);
        goto out;
    }
    if (total >= CHAN_LOGIN_CLIENT_MAX) {
        rc = err_set(e, ERR_RATE,
                     "too many failed logins from your address: wait 15 minutes before trying "
                     "again");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

int chan_login_failed(struct chan *c, const char *username, const char *client, int64_t now,
                      struct err *e)
{
    if (store_throttle_fail(c->st, username, client, now, e) ||
        store_throttle_trim(c->st, now - CHAN_LOGIN_FORGET_SECONDS, CHAN_LOGIN_ROWS_MAX, e))
        return -1;
    return 0;
}

int chan_login(struct chan *c, struct pool *p, const char *username, const char *password,
               const char *client, char **token, struct actor *a, struct err *e)
{
    int rc = -1, ok = 0, found;
    int64_t now = now_utc();
    struct st_member m;
    struct err lookup;

    if (!client || !*client)
        client = "unknown";
    if (chan_check_slug("username", username, e) ||
        chan_check_text("password", password, CHAN_PASSWORD_MAX, 1, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (chan_login_throttled(c, username, client, now, e))
        goto fail;
    err_init(&lookup);
    found = store_member_by_username(c->st, p, username, &m, &lookup) == 0;
    if (!found && lookup.code != ERR_NOT_FOUND) {
        err_wrap(e, lookup.code, &lookup, NULL, "%s", lookup.msg);
        goto fail;
    }
    /* One verification in every case; then the facts, without a shortcut. */
    if (chan_password_verify(found ? m.password_hash : NULL, password, &ok, e))
        goto fail;
    ok = ok & found & (found ? !m.disabled : 0);
    if (!ok) {
        /* Record the failure even though the request fails: throttling needs it. */
        if (chan_login_failed(c, username, client, now, e) || store_commit(c->st, e))
            goto fail;
        rc = err_set(e, ERR_UNAUTHORIZED, "wrong username or password");
        goto out;
    }
    chan_actor_from_member(a, &m);
    /* The failures are forgotten only once the whole sign-in succeeded: a
     * right password alone must not reset the delays of wrong codes. */
    if (chan_session_or_pending(c, p, a, client, token, e) ||
        (!a->second_factor && store_throttle_clear(c->st, username, client, e)) ||
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
    int64_t sid = 0, last = 0, now = now_utc();

    if (!token || strlen(token) > 64 ||
        sodium_base642bin(raw, sizeof raw, token, strlen(token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != 32) {
        rc =
            err_set(e, ERR_UNAUTHORIZED, "log in first: the session token is missing or malformed");
        goto out;
    }
    crypto_hash_sha256(hash, raw, 32);
    if (store_session_lookup(c->st, p, hash, now, &sid, &csrf, &m, e) ||
        store_session_activity(c->st, sid, &last, e))
        goto out;
    if (last < now - CHAN_SESSION_IDLE_SECONDS) {
        struct err ignored;
        err_init(&ignored);
        if (store_session_delete(c->st, sid, &ignored))
            log_warn("an idle session could not be deleted: %s", ignored.msg);
        rc = err_set(e, ERR_UNAUTHORIZED,
                     "your session ended after %d minutes without use: log in again",
                     CHAN_SESSION_IDLE_SECONDS / 60);
        goto out;
    }
    /* Coarse on purpose: a write per request would cost more than it tells. */
    if (now - last >= CHAN_SESSION_TOUCH_SECONDS && store_session_touch(c->st, sid, now, e))
        goto out;
    chan_actor_from_member(a, &m);
    a->session_id = sid;
    a->csrf = csrf;
    if (chan_must_enroll(c, p, a, e))
        goto out;
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
