/* auth.c — who is calling: bearer tokens, session cookies and CSRF tokens. */
#include "http/app.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

static int unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

/* What a session that must first set up a second factor may reach: the
 * enrollment, its account page, who am I, and logging out. */
static const char *const enroll_paths[] = {
    "/account",        "/account/totp",        "/account/totp/confirm",        "/logout",
    "/api/v1/account", "/api/v1/account/totp", "/api/v1/account/totp/confirm", "/api/v1/me",
    "/api/v1/logout",
};

int app_enroll_allowed(const struct http_request *req)
{
    for (size_t i = 0; i < ARRAY_LEN(enroll_paths); i++)
        if (strcmp(req->path, enroll_paths[i]) == 0)
            return 1;
    return 0;
}

/* Refuses every other route to a session that must enroll first. */
static int enroll_first(const struct http_request *req, const struct actor *a, struct err *e)
{
    if (!a->must_enroll || app_enroll_allowed(req))
        return 0;
    return err_set(e, ERR_FORBIDDEN,
                   "your roles require a second factor: set one up first (the account page, "
                   "/account/totp; API: POST /api/v1/account/totp; CLI: dissent account totp "
                   "enroll)");
}

int app_authenticate(struct app *app, struct http_request *req, struct actor *a, struct err *e)
{
    int rc = -1;
    const char *authz = http_header(req, "Authorization");
    const char *cookie = http_cookie(req, APP_SESSION_COOKIE);

    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            rc = err_set(e, ERR_UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
            goto out;
        }
        rc = chan_authenticate(app->chan, req->pool, authz + 7, a, e);
        if (rc == 0)
            rc = enroll_first(req, a, e);
        goto out;
    }
    if (!cookie) {
        rc = err_set(e, ERR_UNAUTHORIZED, "log in first");
        goto out;
    }
    if (chan_authenticate(app->chan, req->pool, cookie, a, e))
        goto out;
    if (unsafe_method(req->method)) {
        const char *sent;
        if (app_check_origin(app, req, e))
            goto out;
        sent = http_header(req, "X-CSRF-Token");
        if (!sent)
            sent = http_form(req, "csrf");
        if (!sent || strlen(sent) != strlen(a->csrf) ||
            sodium_memcmp(sent, a->csrf, strlen(a->csrf)) != 0) {
            rc = err_set(e, ERR_FORBIDDEN,
                         "the form's security token is missing or stale: reload the page and try "
                         "again");
            goto out;
        }
    }
    rc = enroll_first(req, a, e);
out:
    return rc;
}

/* 32 random bytes as URL-safe base64: 43 characters. */
#define LOGIN_TOKEN_LEN 43

static int login_token_ok(const char *t)
{
    if (!t || strlen(t) != LOGIN_TOKEN_LEN)
        return 0;
    for (const char *s = t; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_'))
            return 0;
    return 1;
}

const char *app_login_token(struct http_request *req, struct http_response *res)
{
    const char *t = http_cookie(req, APP_LOGIN_COOKIE);
    char *tok = NULL;
    unsigned char raw[32];
    if (!login_token_ok(t)) {
        tok = pool_alloc(req->pool, LOGIN_TOKEN_LEN + 1);
        if (!tok)
            return NULL;
        randombytes_buf(raw, sizeof raw);
        sodium_bin2base64(tok, LOGIN_TOKEN_LEN + 1, raw, sizeof raw,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        t = tok;
    }
    if (http_set_cookie(res, APP_LOGIN_COOKIE, t, APP_LOGIN_SECONDS))
        return NULL;
    return t;
}

int app_check_login_token(const struct app *app, struct http_request *req, struct err *e)
{
    const char *cookie = http_cookie(req, APP_LOGIN_COOKIE);
    const char *sent = http_form(req, "login_csrf");
    if (app_check_origin(app, req, e))
        return -1;
    if (!login_token_ok(cookie) || !sent || strlen(sent) != LOGIN_TOKEN_LEN ||
        sodium_memcmp(sent, cookie, LOGIN_TOKEN_LEN) != 0)
        return err_set(e, ERR_FORBIDDEN,
                       "the form's security token is missing or stale: enter your details again");
    return 0;
}
