/* api_session.c — logging in and out of the JSON API, and who am I
 * (docs/api.md). */
#include "http/api.h"

static void h_login(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "username", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "password",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_PASSWORD_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    char *token = NULL;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    /* A browser's login from another site would be login CSRF. */
    if (rc == 0)
        rc = app_check_origin(c.app, req, &c.e);
    if (rc == 0)
        rc = chan_login(c.app->chan, req->pool, v[0].s, v[1].s, app_client_addr(c.app, req), &token,
                        &c.actor, &c.e);
    if (rc == 0)
        rc = api_login_reply(&c, req, res, token);
    api_end(&c, res, rc, 200);
}

static void h_logout(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_logout(c.app->chan, &c.actor, &c.e);
    if (rc == 0 && http_set_cookie(res, APP_SESSION_COOKIE, "x", 0))
        rc = err_set(&c.e, ERR_INTERNAL, "cannot clear the session cookie");
    if (rc == 0)
        c.out = json_pack("{s:b}", "logged_out", 1);
    api_end(&c, res, rc, 200);
}

static void h_me(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        c.out = json_pack("{s:o,s:s,s:b}", "member", chan_actor_json(&c.actor), "csrf",
                          c.actor.csrf, "must_enroll", c.actor.must_enroll);
    api_end(&c, res, rc, 200);
}

const struct http_route api_session_routes[] = {
    {.method = "POST", .pattern = "/api/v1/login", .handler = h_login},
    {.method = "POST", .pattern = "/api/v1/logout", .handler = h_logout},
    {.method = "GET", .pattern = "/api/v1/me", .handler = h_me},
};
const size_t api_session_routes_count = ARRAY_LEN(api_session_routes);
