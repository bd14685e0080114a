/* api_notify.c — notifications through the JSON API: the list, marking
 * read, one's preferences and mail address, an admin setting a member's
 * address and a channel's reminder lead (docs/api.md "Notifications"). */
#include "http/api.h"

#include "channel/notify.h"

#include <string.h>

static void h_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    const char *u = http_query(req, "unread");
    int64_t before = 0;
    int limit = CHAN_NOTIFY_LIST_MAX;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0 && u && strcmp(u, "1") != 0 && strcmp(u, "0") != 0)
        rc = err_set(&c.e, ERR_INVALID, "query 'unread' must be 1 or 0");
    if (rc == 0)
        rc = chan_notify_page_args(http_query(req, "before"), http_query(req, "limit"),
                                   CHAN_NOTIFY_LIST_MAX, &before, &limit, &c.e);
    if (rc == 0)
        rc = chan_notifications_page(c.app->chan, req->pool, &c.actor, u && strcmp(u, "1") == 0,
                                     before, limit, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_read(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "id", .type = JSON_FIELD_INT, .min = 1, .max = INT64_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc =
            chan_notifications_read(c.app->chan, &c.actor, v[0].present ? v[0].i : 0, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_prefs(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_notify_prefs(c.app->chan, req->pool, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_prefs_set(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "kind", .type = JSON_FIELD_STRING, .required = 1, .max_len = 32},
        {.name = "mode", .type = JSON_FIELD_STRING, .required = 1, .max_len = 32},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_notify_pref_set(c.app->chan, req->pool, &c.actor, v[0].s, v[1].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* POST /api/v1/account/mail and /api/v1/members/:username/mail. */
static void mail_set(struct http_request *req, struct http_response *res, void *app_,
                     const char *username)
{
    static const struct json_field f[] = {
        {.name = "address",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_MAIL_ADDRESS_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc =
            chan_mail_address_set(c.app->chan, req->pool, &c.actor, username, v[0].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_mail(struct http_request *req, struct http_response *res, void *app_)
{
    mail_set(req, res, app_, NULL);
}

static void h_member_mail(struct http_request *req, struct http_response *res, void *app_)
{
    mail_set(req, res, app_, req->params[0]);
}

static void h_reminder(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_channel_reminder_get(c.app->chan, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_reminder_set(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "remind_working_days",
         .type = JSON_FIELD_INT,
         .required = 1,
         .min = 0,
         .max = CHAN_REMIND_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_channel_reminder_set(c.app->chan, &c.actor, req->params[0], (int)v[0].i, &c.out,
                                       &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_notify_routes[] = {
    {.method = "GET", .pattern = "/api/v1/notifications", .handler = h_list},
    {.method = "POST", .pattern = "/api/v1/notifications/read", .handler = h_read},
    {.method = "GET", .pattern = "/api/v1/account/notifications", .handler = h_prefs},
    {.method = "POST", .pattern = "/api/v1/account/notifications", .handler = h_prefs_set},
    {.method = "POST", .pattern = "/api/v1/account/mail", .handler = h_mail},
    {.method = "POST", .pattern = "/api/v1/members/:username/mail", .handler = h_member_mail},
    {.method = "GET", .pattern = "/api/v1/channels/:slug/reminder", .handler = h_reminder},
    {.method = "POST", .pattern = "/api/v1/channels/:slug/reminder", .handler = h_reminder_set},
};
const size_t api_notify_routes_count = ARRAY_LEN(api_notify_routes);
