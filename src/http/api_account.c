/* api_account.c — one's own account through the JSON API: completing a
 * setup link, the account and its events, changing one's password, a new
 * recovery code (docs/api.md). */
#include "http/api.h"

static void h_setup_info(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_setup_info(c.app->chan, req->pool, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_setup_complete(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "password",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_PASSWORD_MAX},
        {.name = "recovery_code", .type = JSON_FIELD_STRING, .max_len = 64},
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
        rc = chan_setup_complete(c.app->chan, req->pool, req->params[0], v[0].s,
                                 v[1].present ? v[1].s : NULL, &token, &c.actor, &c.out, &c.e);
    /* With a second factor, the password is set but the session waits for a code. */
    if (rc == 0 && c.actor.second_factor) {
        json_object_set_new(c.out, "second_factor", json_string("totp"));
        json_object_set_new(c.out, "pending", json_string(token));
        json_object_set_new(c.out, "expires_in", json_integer(CHAN_LOGIN_PENDING_SECONDS));
    } else if (rc == 0) {
        if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS))
            rc = err_set(&c.e, ERR_INTERNAL, "cannot set the session cookie");
        json_object_set_new(c.out, "token", json_string(token));
        json_object_set_new(c.out, "csrf", json_string(c.actor.csrf));
        json_object_set_new(c.out, "member", chan_actor_json(&c.actor));
        json_object_set_new(c.out, "must_enroll", json_boolean(c.actor.must_enroll));
    }
    api_end(&c, res, rc, 200);
}

static void h_account(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_account_get(c.app->chan, req->pool, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_password(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "current_password",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_PASSWORD_MAX},
        {.name = "new_password",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_PASSWORD_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_password_change(c.app->chan, req->pool, &c.actor, v[0].s, v[1].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_recovery_code(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "current_password",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_PASSWORD_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_recovery_code_new(c.app->chan, req->pool, &c.actor, v[0].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_account_routes[] = {
    {.method = "GET", .pattern = "/api/v1/setup/:token", .handler = h_setup_info},
    {.method = "POST", .pattern = "/api/v1/setup/:token", .handler = h_setup_complete},
    {.method = "GET", .pattern = "/api/v1/account", .handler = h_account},
    {.method = "POST", .pattern = "/api/v1/account/password", .handler = h_password},
    {.method = "POST", .pattern = "/api/v1/account/recovery-code", .handler = h_recovery_code},
};
const size_t api_account_routes_count = ARRAY_LEN(api_account_routes);
