/* api_totp.c — the second factor through the JSON API: the second step of a
 * login, one's own TOTP (status, enrollment, confirmation, turning off, new
 * recovery codes) and the installation's policy (docs/api.md). */
#include "http/api.h"

#include <string.h>

/* The reply of a login whose password was right: the session (token, csrf,
 * member, notices, must_enroll), or, when the account has a second factor,
 * {second_factor: "totp", pending, expires_in} and no session yet. Sets the
 * session cookie. */
int api_login_reply(struct api_call *c, struct http_request *req, struct http_response *res,
                    const char *token)
{
    json_t *notices = NULL;
    if (c->actor.second_factor) {
        c->out = json_pack("{s:s,s:s,s:i}", "second_factor", "totp", "pending", token, "expires_in",
                           CHAN_LOGIN_PENDING_SECONDS);
        return c->out ? 0 : err_set(&c->e, ERR_NOMEM, "out of memory");
    }
    if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS))
        return err_set(&c->e, ERR_INTERNAL, "cannot set the session cookie");
    /* Account events since the last sign-in are shown now, once. */
    if (chan_account_notices(c->app->chan, req->pool, &c->actor, &notices, &c->e))
        return -1;
    c->out = json_pack("{s:s,s:s,s:o,s:o,s:b}", "token", token, "csrf", c->actor.csrf, "member",
                       chan_actor_json(&c->actor), "notices", notices, "must_enroll",
                       c->actor.must_enroll);
    return c->out ? 0 : err_set(&c->e, ERR_NOMEM, "out of memory");
}

static void h_login_totp(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "pending", .type = JSON_FIELD_STRING, .required = 1, .max_len = 64},
        {.name = "code", .type = JSON_FIELD_STRING, .required = 1, .max_len = 64},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    char *token = NULL;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = app_check_origin(c.app, req, &c.e);
    if (rc == 0)
        rc = chan_login_second(c.app->chan, req->pool, v[0].s, v[1].s, app_client_addr(c.app, req),
                               &token, &c.actor, &c.e);
    if (rc == 0)
        rc = api_login_reply(&c, req, res, token);
    api_end(&c, res, rc, 200);
}

static void h_status(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_totp_status(c.app->chan, req->pool, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_enroll(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_totp_enroll(c.app->chan, req->pool, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* The handlers that take {code}. */
typedef int (*code_fn)(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                       json_t **out, struct err *e);

static void with_code(struct http_request *req, struct http_response *res, void *app_, code_fn fn)
{
    static const struct json_field f[] = {
        {.name = "code", .type = JSON_FIELD_STRING, .required = 1, .max_len = 64},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = fn(c.app->chan, req->pool, &c.actor, v[0].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_confirm(struct http_request *req, struct http_response *res, void *app_)
{
    with_code(req, res, app_, chan_totp_confirm);
}

static void h_disable(struct http_request *req, struct http_response *res, void *app_)
{
    with_code(req, res, app_, chan_totp_disable);
}

static void h_recovery(struct http_request *req, struct http_response *res, void *app_)
{
    with_code(req, res, app_, chan_totp_recovery_new);
}

static void h_settings(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "totp_required", .type = JSON_FIELD_BOOL},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0 && strcmp(req->method, "PATCH") == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_totp_policy(c.app->chan, req->pool, &c.actor, v[0].present ? &v[0].b : NULL,
                              &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_totp_routes[] = {
    {.method = "POST", .pattern = "/api/v1/login/totp", .handler = h_login_totp},
    {.method = "GET", .pattern = "/api/v1/account/totp", .handler = h_status},
    {.method = "POST", .pattern = "/api/v1/account/totp", .handler = h_enroll},
    {.method = "POST", .pattern = "/api/v1/account/totp/confirm", .handler = h_confirm},
    {.method = "POST", .pattern = "/api/v1/account/totp/disable", .handler = h_disable},
    {.method = "POST", .pattern = "/api/v1/account/totp/recovery-codes", .handler = h_recovery},
    {.method = "GET", .pattern = "/api/v1/settings", .handler = h_settings},
    {.method = "PATCH", .pattern = "/api/v1/settings", .handler = h_settings},
};
const size_t api_totp_routes_count = ARRAY_LEN(api_totp_routes);
