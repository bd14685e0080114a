/* api_admin.c — administration through the JSON API: organizations,
 * members, channels and their holidays, and the whole access log
 * (docs/api.md). */
#include "http/api.h"
#include "http/audit.h"

#include "channel/roles.h"

static void h_org_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_org_list(c.app->chan, &c.actor, &c.out, &c.e);
    if (rc == 0)
        c.out = json_pack("{s:o}", "organizations", c.out);
    api_end(&c, res, rc, 200);
}

static void h_org_create(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "slug", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "name", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_NAME_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_org_create(c.app->chan, &c.actor, v[0].s, v[1].s, &c.out, &c.e);
    api_end(&c, res, rc, 201);
}

static void h_member_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int limit = CHAN_MEMBERS_PAGE_DEFAULT;
    const char *after = http_query(req, "after");
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_members_page_args(after, http_query(req, "limit"), &limit, &c.e);
    if (rc == 0)
        rc = chan_member_list(c.app->chan, &c.actor, after, limit, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* Reads a JSON array of role names into bits. */
static int roles_from_json(const json_t *arr, unsigned *bits, struct err *e)
{
    size_t i;
    json_t *it;
    unsigned acc = 0, bit;
    json_array_foreach(arr, i, it)
    {
        if (!json_is_string(it) || chan_role_parse(json_string_value(it), &bit))
            return err_set(e, ERR_INVALID,
                           "field 'roles' must list role names: member, "
                           "reviewer, leadership, auditor, admin");
        acc |= bit;
    }
    *bits = acc;
    return 0;
}

/* Adds "url" (this site's origin + path) to the reply's setup link. */
static void setup_url(struct api_call *c, struct http_request *req)
{
    json_t *setup = json_object_get(c->out, "setup");
    const char *origin = app_origin(c->app, req);
    const char *path = json_string_value(json_object_get(setup, "path"));
    const char *url = origin && path ? pool_printf(req->pool, "%s%s", origin, path) : NULL;
    if (url)
        json_object_set_new(setup, "url", json_string(url));
}

static void h_member_create(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "username", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "display_name",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_NAME_MAX},
        {.name = "organization",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_SLUG_MAX},
        {.name = "roles", .type = JSON_FIELD_ARRAY, .required = 1, .min_len = 1, .max_len = 5},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct chan_member_input in = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = roles_from_json(v[3].j, &in.roles, &c.e);
    if (rc == 0) {
        in.username = v[0].s;
        in.display_name = v[1].s;
        in.org = v[2].s;
        rc = chan_member_create(c.app->chan, req->pool, &c.actor, &in, &c.out, &c.e);
    }
    if (rc == 0)
        setup_url(&c, req);
    api_end(&c, res, rc, 201);
}

static void h_member_update(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "roles", .type = JSON_FIELD_ARRAY, .min_len = 1, .max_len = 5},
        {.name = "disabled", .type = JSON_FIELD_BOOL},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    unsigned roles = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0 && v[0].present)
        rc = roles_from_json(v[0].j, &roles, &c.e);
    if (rc == 0)
        rc = chan_member_update(c.app->chan, req->pool, &c.actor, req->params[0],
                                v[0].present ? &roles : NULL, v[1].present ? &v[1].b : NULL, &c.out,
                                &c.e);
    api_end(&c, res, rc, 200);
}

static void h_member_reset(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_member_reset(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    if (rc == 0)
        setup_url(&c, req);
    api_end(&c, res, rc, 200);
}

static void h_account_events(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int64_t before = 0;
    int limit = CHAN_EVENTS_PAGE_DEFAULT;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_events_page_args(http_query(req, "before"), http_query(req, "limit"), &before,
                                   &limit, &c.e);
    if (rc == 0)
        rc = chan_account_events(c.app->chan, req->pool, &c.actor, before, limit, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_channel_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_channel_list(c.app->chan, &c.out, &c.e);
    if (rc == 0)
        c.out = json_pack("{s:o}", "channels", c.out);
    api_end(&c, res, rc, 200);
}

static void h_channel_get(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_channel_get(c.app->chan, req->pool, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_channel_create(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "slug", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "name", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_NAME_MAX},
        {.name = "preset", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "ceiling", .type = JSON_FIELD_STRING, .required = 1, .max_len = 20},
        {.name = "timezone", .type = JSON_FIELD_STRING, .max_len = 64},
        {.name = "min_ring", .type = JSON_FIELD_INT, .min = 2, .max = 65536},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct chan_channel_input in;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0) {
        in.slug = v[0].s;
        in.name = v[1].s;
        in.preset = v[2].s;
        in.ceiling = v[3].s;
        in.timezone = v[4].present ? v[4].s : NULL;
        in.min_ring = v[5].present ? (int)v[5].i : 0;
        rc = chan_channel_create(c.app->chan, req->pool, &c.actor, &in, &c.out, &c.e);
    }
    api_end(&c, res, rc, 201);
}

static void h_holiday_add(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "date", .type = JSON_FIELD_STRING, .required = 1, .max_len = 10},
        {.name = "name", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_NAME_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_holiday_add(c.app->chan, req->pool, &c.actor, req->params[0], v[0].s, v[1].s,
                              &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_access_log(struct http_request *req, struct http_response *res, void *app_)
{
    struct chan_access_query q = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = audit_query(req, &q, &c.e);
    if (rc == 0)
        rc = chan_access_search(c.app->chan, req->pool, &c.actor, &q, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* The same search, every matching read, as CSV (http/audit.h). */
static void h_access_log_csv(struct http_request *req, struct http_response *res, void *app_)
{
    struct chan_access_query q = {0};
    struct api_call c;
    struct buf csv;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    buf_init(&csv, 32u << 20);
    if (rc == 0)
        rc = audit_query(req, &q, &c.e);
    q.export = 1;
    if (rc == 0)
        rc = chan_access_search(c.app->chan, req->pool, &c.actor, &q, &c.out, &c.e);
    if (rc == 0)
        rc = audit_csv(c.out, &csv, &c.e);
    if (rc == 0) {
        audit_csv_reply(res, &csv);
        api_release(&c);
    } else {
        api_end(&c, res, rc, 200);
    }
    buf_release(&csv);
}

const struct http_route api_admin_routes[] = {
    {.method = "GET", .pattern = "/api/v1/organizations", .handler = h_org_list},
    {.method = "POST", .pattern = "/api/v1/organizations", .handler = h_org_create},
    {.method = "GET", .pattern = "/api/v1/members", .handler = h_member_list},
    {.method = "POST", .pattern = "/api/v1/members", .handler = h_member_create},
    {.method = "PATCH", .pattern = "/api/v1/members/:username", .handler = h_member_update},
    {.method = "POST", .pattern = "/api/v1/members/:username/reset", .handler = h_member_reset},
    {.method = "GET", .pattern = "/api/v1/account-events", .handler = h_account_events},
    {.method = "GET", .pattern = "/api/v1/channels", .handler = h_channel_list},
    {.method = "POST", .pattern = "/api/v1/channels", .handler = h_channel_create},
    {.method = "GET", .pattern = "/api/v1/channels/:slug", .handler = h_channel_get},
    {.method = "POST", .pattern = "/api/v1/channels/:slug/holidays", .handler = h_holiday_add},
    {.method = "GET", .pattern = "/api/v1/access-log", .handler = h_access_log},
    {.method = "GET", .pattern = "/api/v1/access-log.csv", .handler = h_access_log_csv},
};
const size_t api_admin_routes_count = ARRAY_LEN(api_admin_routes);
