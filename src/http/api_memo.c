/* api_memo.c — memos through the JSON API: listing, writing and reading
 * them and their versions, drafters, messages, and a memo's access log
 * (docs/api.md). State changes are in api_review.c, signatures in
 * api_sign.c. */
#include "http/api.h"

#include "base/util.h"

/* Parses a version number from a path or query; -1 with ERR_INVALID if bad. */
static int parse_version(const char *s, const char *what, int *out, struct err *e)
{
    int64_t v;
    if (!s || parse_i64(s, 1, 1000000, &v))
        return err_set(e, ERR_INVALID, "%s must be a version number (1, 2, …)", what);
    *out = (int)v;
    return 0;
}

/* GET /api/v1/memos?scope=&q=&state=&channel=&marking=&from=&to=&overdue=
 * &sort=&limit=&offset=|page=: the channel checks every value (400 on a bad one). */
static void h_memo_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    struct chan_memo_query q = {
        .scope = http_query(req, "scope"),
        .q = http_query(req, "q"),
        .state = http_query(req, "state"),
        .channel = http_query(req, "channel"),
        .marking = http_query(req, "marking"),
        .from = http_query(req, "from"),
        .to = http_query(req, "to"),
        .overdue = http_query(req, "overdue"),
        .sort = http_query(req, "sort"),
        .limit = http_query(req, "limit"),
        .offset = http_query(req, "offset"),
        .page = http_query(req, "page"),
    };
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_memo_find(c.app->chan, &c.actor, &q, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* POST /api/v1/memos/:id/remind (leadership; no body). */
static void h_memo_remind(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_memo_remind(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* Reads the usernames in the 'co_drafters' array into co (room for
 * CHAN_DRAFTERS_MAX - 1, which the field's max_len guarantees). */
static int co_drafters(const json_t *arr, const char **co, size_t *nco, struct err *e)
{
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        if (!json_is_string(it))
            return err_set(e, ERR_INVALID, "field 'co_drafters' must list usernames");
        co[(*nco)++] = json_string_value(it);
    }
    return 0;
}

static void h_memo_create(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "channel", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
        {.name = "title", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_TITLE_MAX},
        {.name = "marking", .type = JSON_FIELD_STRING, .required = 1, .max_len = 20},
        {.name = "body", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_BODY_MAX},
        {.name = "co_drafters", .type = JSON_FIELD_ARRAY, .max_len = CHAN_DRAFTERS_MAX - 1},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct chan_version_input in = {0};
    const char *co[CHAN_DRAFTERS_MAX];
    size_t nco = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0 && v[4].present)
        rc = co_drafters(v[4].j, co, &nco, &c.e);
    if (rc == 0) {
        in.title = v[1].s;
        in.marking = v[2].s;
        in.body = v[3].s;
        rc = chan_memo_create(c.app->chan, req->pool, &c.actor, v[0].s, &in, co, nco, &c.out, &c.e);
    }
    api_end(&c, res, rc, 201);
}

static void h_memo_get(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_memo_get(c.app->chan, req->pool, &c.actor, req->params[0], 0, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_version_list(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_memo_versions(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_version_get(struct http_request *req, struct http_response *res, void *app_)
{
    int n = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = parse_version(req->params[1], "the version in the path", &n, &c.e);
    if (rc == 0)
        rc = chan_memo_get(c.app->chan, req->pool, &c.actor, req->params[0], n, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_version_create(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "title", .type = JSON_FIELD_STRING, .max_len = CHAN_TITLE_MAX},
        {.name = "marking", .type = JSON_FIELD_STRING, .max_len = 20},
        {.name = "body", .type = JSON_FIELD_STRING, .max_len = CHAN_BODY_MAX},
        {.name = "change_note", .type = JSON_FIELD_STRING, .max_len = 4 * CHAN_CHANGE_NOTE_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct chan_version_input in = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0) {
        in.title = v[0].present ? v[0].s : NULL;
        in.marking = v[1].present ? v[1].s : NULL;
        in.body = v[2].present ? v[2].s : NULL;
        in.change_note = v[3].present ? v[3].s : NULL;
        rc = chan_memo_revise(c.app->chan, req->pool, &c.actor, req->params[0], &in, &c.out, &c.e);
    }
    api_end(&c, res, rc, 201);
}

static void h_memo_diff(struct http_request *req, struct http_response *res, void *app_)
{
    int from = 0, to = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = parse_version(http_query(req, "from"), "query parameter 'from'", &from, &c.e);
    if (rc == 0)
        rc = parse_version(http_query(req, "to"), "query parameter 'to'", &to, &c.e);
    if (rc == 0)
        rc = chan_memo_diff(c.app->chan, req->pool, &c.actor, req->params[0], from, to, &c.out,
                            &c.e);
    api_end(&c, res, rc, 200);
}

static void h_drafter_remove(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_memo_remove_drafter(c.app->chan, req->pool, &c.actor, req->params[0],
                                      req->params[1], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_drafter_add(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "username", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_SLUG_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_memo_add_drafter(c.app->chan, req->pool, &c.actor, req->params[0], v[0].s, &c.out,
                                   &c.e);
    api_end(&c, res, rc, 200);
}

static void h_messages(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_messages(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_message_post(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "body", .type = JSON_FIELD_STRING, .required = 1, .max_len = CHAN_TEXT_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_message_post(c.app->chan, req->pool, &c.actor, req->params[0], v[0].s, &c.out,
                               &c.e);
    api_end(&c, res, rc, 201);
}

static void h_memo_access_log(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_access_log(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_memo_routes[] = {
    {.method = "GET", .pattern = "/api/v1/memos", .handler = h_memo_list},
    {.method = "POST", .pattern = "/api/v1/memos", .handler = h_memo_create},
    {.method = "GET", .pattern = "/api/v1/memos/:id", .handler = h_memo_get},
    {.method = "GET", .pattern = "/api/v1/memos/:id/versions", .handler = h_version_list},
    {.method = "POST", .pattern = "/api/v1/memos/:id/versions", .handler = h_version_create},
    {.method = "GET", .pattern = "/api/v1/memos/:id/versions/:n", .handler = h_version_get},
    {.method = "GET", .pattern = "/api/v1/memos/:id/diff", .handler = h_memo_diff},
    {.method = "POST", .pattern = "/api/v1/memos/:id/drafters", .handler = h_drafter_add},
    {.method = "DELETE",
     .pattern = "/api/v1/memos/:id/drafters/:username",
     .handler = h_drafter_remove},
    {.method = "GET", .pattern = "/api/v1/memos/:id/messages", .handler = h_messages},
    {.method = "POST", .pattern = "/api/v1/memos/:id/messages", .handler = h_message_post},
    {.method = "GET", .pattern = "/api/v1/memos/:id/access-log", .handler = h_memo_access_log},
    {.method = "POST", .pattern = "/api/v1/memos/:id/remind", .handler = h_memo_remind},
};
const size_t api_memo_routes_count = ARRAY_LEN(api_memo_routes);
