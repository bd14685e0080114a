/* api.c — the JSON API under /api/v1 (docs/api.md): thin handlers that read
 * and check the request, call the channel, and reply. */
#include "http/app.h"

#include "base/json.h"
#include "base/util.h"
#include "channel/roles.h"

#include <string.h>

/* ---- helpers shared by the handlers ---- */

/* Authenticates or replies 401/403 itself; returns 0 when the handler may go on. */
static int authed(struct app *app, struct http_request *req, struct http_response *res,
                  struct actor *a)
{
    struct err e;
    int rc;
    err_init(&e);
    rc = app_authenticate(app, req, a, &e);
    if (rc)
        http_reply_error(res, &e);
    return rc;
}

/* Parses a version number from a path or query; -1 with ERR_INVALID if bad. */
static int parse_version(const char *s, const char *what, int *out, struct err *e)
{
    int64_t v;
    if (!s || parse_i64(s, 1, 1000000, &v))
        return err_set(e, ERR_INVALID, "%s must be a version number (1, 2, …)", what);
    *out = (int)v;
    return 0;
}

#define HANDLER(name)                                                                              \
    static void name(struct http_request *req, struct http_response *res, void *app_)
#define PROLOGUE                                                                                   \
    struct app *app = app_;                                                                        \
    struct actor actor;                                                                            \
    struct err e;                                                                                  \
    json_t *out = NULL;                                                                            \
    int rc;                                                                                        \
    err_init(&e);                                                                                  \
    if (authed(app, req, res, &actor))                                                             \
        return;

#define STR(name, max, req_)                                                                       \
    {                                                                                              \
        name, JSON_FIELD_STRING, req_, 0, 0, max, 0, 0                                             \
    }

/* ---- sessions ---- */

HANDLER(h_login)
{
    static const struct json_field f[] = {STR("username", CHAN_SLUG_MAX, 1),
                                          STR("password", CHAN_PASSWORD_MAX, 1)};
    struct json_value v[2] = {0};
    struct app *app = app_;
    struct actor actor;
    struct err e;
    json_t *obj = NULL;
    char *token = NULL;
    int rc;
    err_init(&e);
    rc = api_read_body(req, f, 2, v, &obj, &e);
    if (rc == 0)
        rc = chan_login(app->chan, req->pool, v[0].s, v[1].s, &token, &actor, &e);
    if (rc == 0) {
        if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS))
            rc = err_set(&e, ERR_INTERNAL, "cannot set the session cookie");
    }
    api_reply(res, rc, 200,
              rc ? NULL
                 : json_pack("{s:s,s:s,s:o}", "token", token, "csrf", actor.csrf, "member",
                             chan_actor_json(&actor)),
              &e);
    json_decref(obj);
}

HANDLER(h_logout)
{
    PROLOGUE
    rc = chan_logout(app->chan, &actor, &e);
    if (rc == 0 && http_set_cookie(res, APP_SESSION_COOKIE, "x", 0))
        rc = err_set(&e, ERR_INTERNAL, "cannot clear the session cookie");
    api_reply(res, rc, 200, rc ? NULL : json_pack("{s:b}", "logged_out", 1), &e);
    (void)out;
}

HANDLER(h_me)
{
    PROLOGUE(void) rc;
    out = json_pack("{s:o,s:s}", "member", chan_actor_json(&actor), "csrf", actor.csrf);
    http_reply_json(res, 200, out);
}

/* ---- administration ---- */

HANDLER(h_org_list)
{
    PROLOGUE
    rc = chan_org_list(app->chan, &actor, &out, &e);
    api_reply(res, rc, 200, rc ? NULL : json_pack("{s:o}", "organizations", out), &e);
}

HANDLER(h_org_create)
{
    static const struct json_field f[] = {STR("slug", CHAN_SLUG_MAX, 1),
                                          STR("name", CHAN_NAME_MAX, 1)};
    struct json_value v[2] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 2, v, &obj, &e);
    if (rc == 0)
        rc = chan_org_create(app->chan, &actor, v[0].s, v[1].s, &out, &e);
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_member_list)
{
    PROLOGUE
    rc = chan_member_list(app->chan, &actor, &out, &e);
    api_reply(res, rc, 200, rc ? NULL : json_pack("{s:o}", "members", out), &e);
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

HANDLER(h_member_create)
{
    static const struct json_field f[] = {
        STR("username", CHAN_SLUG_MAX, 1),     STR("display_name", CHAN_NAME_MAX, 1),
        STR("organization", CHAN_SLUG_MAX, 1), {"roles", JSON_FIELD_ARRAY, 1, 0, 1, 5, 0, 0},
        STR("password", CHAN_PASSWORD_MAX, 1),
    };
    struct json_value v[5] = {0};
    struct chan_member_input in = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 5, v, &obj, &e);
    if (rc == 0)
        rc = roles_from_json(v[3].j, &in.roles, &e);
    if (rc == 0) {
        in.username = v[0].s;
        in.display_name = v[1].s;
        in.org = v[2].s;
        in.password = v[4].s;
        rc = chan_member_create(app->chan, req->pool, &actor, &in, &out, &e);
    }
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_member_update)
{
    static const struct json_field f[] = {
        {"roles", JSON_FIELD_ARRAY, 0, 0, 1, 5, 0, 0},
        {"disabled", JSON_FIELD_BOOL, 0, 0, 0, 0, 0, 0},
        STR("password", CHAN_PASSWORD_MAX, 0),
    };
    struct json_value v[3] = {0};
    unsigned roles = 0;
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 3, v, &obj, &e);
    if (rc == 0 && v[0].present)
        rc = roles_from_json(v[0].j, &roles, &e);
    if (rc == 0)
        rc = chan_member_update(app->chan, req->pool, &actor, req->params[0],
                                v[0].present ? &roles : NULL, v[1].present ? &v[1].b : NULL,
                                v[2].present ? v[2].s : NULL, &out, &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

HANDLER(h_channel_list)
{
    PROLOGUE
    rc = chan_channel_list(app->chan, &out, &e);
    api_reply(res, rc, 200, rc ? NULL : json_pack("{s:o}", "channels", out), &e);
}

HANDLER(h_channel_get)
{
    PROLOGUE
    rc = chan_channel_get(app->chan, req->pool, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_channel_create)
{
    static const struct json_field f[] = {
        STR("slug", CHAN_SLUG_MAX, 1),   STR("name", CHAN_NAME_MAX, 1),
        STR("preset", CHAN_SLUG_MAX, 1), STR("ceiling", 20, 1),
        STR("timezone", 64, 0),
    };
    struct json_value v[5] = {0};
    struct chan_channel_input in;
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 5, v, &obj, &e);
    if (rc == 0) {
        in.slug = v[0].s;
        in.name = v[1].s;
        in.preset = v[2].s;
        in.ceiling = v[3].s;
        in.timezone = v[4].present ? v[4].s : NULL;
        rc = chan_channel_create(app->chan, req->pool, &actor, &in, &out, &e);
    }
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_holiday_add)
{
    static const struct json_field f[] = {STR("date", 10, 1), STR("name", CHAN_NAME_MAX, 1)};
    struct json_value v[2] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 2, v, &obj, &e);
    if (rc == 0)
        rc = chan_holiday_add(app->chan, req->pool, &actor, req->params[0], v[0].s, v[1].s, &out,
                              &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

/* ---- memos ---- */

HANDLER(h_memo_list)
{
    PROLOGUE
    rc = chan_memo_list(app->chan, &actor, http_query(req, "scope"), &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_memo_create)
{
    static const struct json_field f[] = {
        STR("channel", CHAN_SLUG_MAX, 1),
        STR("title", CHAN_TITLE_MAX, 1),
        STR("marking", 20, 1),
        STR("body", CHAN_BODY_MAX, 1),
        {"co_drafters", JSON_FIELD_ARRAY, 0, 0, 0, CHAN_DRAFTERS_MAX - 1, 0, 0},
    };
    struct json_value v[5] = {0};
    struct chan_version_input in;
    const char *co[CHAN_DRAFTERS_MAX];
    size_t nco = 0;
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 5, v, &obj, &e);
    if (rc == 0 && v[4].present) {
        size_t i;
        json_t *it;
        json_array_foreach(v[4].j, i, it)
        {
            if (!json_is_string(it)) {
                rc = err_set(&e, ERR_INVALID, "field 'co_drafters' must list usernames");
                break;
            }
            co[nco++] = json_string_value(it);
        }
    }
    if (rc == 0) {
        in.title = v[1].s;
        in.marking = v[2].s;
        in.body = v[3].s;
        rc = chan_memo_create(app->chan, req->pool, &actor, v[0].s, &in, co, nco, &out, &e);
    }
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_memo_get)
{
    PROLOGUE
    rc = chan_memo_get(app->chan, req->pool, &actor, req->params[0], 0, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_version_list)
{
    PROLOGUE
    rc = chan_memo_versions(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_version_get)
{
    int n = 0;
    PROLOGUE
    rc = parse_version(req->params[1], "the version in the path", &n, &e);
    if (rc == 0)
        rc = chan_memo_get(app->chan, req->pool, &actor, req->params[0], n, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_version_create)
{
    static const struct json_field f[] = {STR("title", CHAN_TITLE_MAX, 0), STR("marking", 20, 0),
                                          STR("body", CHAN_BODY_MAX, 0)};
    struct json_value v[3] = {0};
    struct chan_version_input in;
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 3, v, &obj, &e);
    if (rc == 0) {
        in.title = v[0].present ? v[0].s : NULL;
        in.marking = v[1].present ? v[1].s : NULL;
        in.body = v[2].present ? v[2].s : NULL;
        rc = chan_memo_revise(app->chan, req->pool, &actor, req->params[0], &in, &out, &e);
    }
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_memo_diff)
{
    int from = 0, to = 0;
    PROLOGUE
    rc = parse_version(http_query(req, "from"), "query parameter 'from'", &from, &e);
    if (rc == 0)
        rc = parse_version(http_query(req, "to"), "query parameter 'to'", &to, &e);
    if (rc == 0)
        rc = chan_memo_diff(app->chan, req->pool, &actor, req->params[0], from, to, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_drafter_add)
{
    static const struct json_field f[] = {STR("username", CHAN_SLUG_MAX, 1)};
    struct json_value v[1] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 1, v, &obj, &e);
    if (rc == 0)
        rc = chan_memo_add_drafter(app->chan, req->pool, &actor, req->params[0], v[0].s, &out, &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

/* A state change whose body is empty, or holds one text field. */
static void memo_act(struct http_request *req, struct http_response *res, void *app_,
                     enum chan_op op, const char *field)
{
    struct json_field f[1] = {STR(field ? field : "-", CHAN_TEXT_MAX, 1)};
    struct json_value v[1] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, field ? 1 : 0, v, &obj, &e);
    if (rc == 0)
        rc = chan_memo_act(app->chan, req->pool, &actor, req->params[0], op, field ? v[0].s : NULL,
                           &out, &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

#define ACT(name, op, field)                                                                       \
    HANDLER(name)                                                                                  \
    {                                                                                              \
        memo_act(req, res, app_, op, field);                                                       \
    }
ACT(h_circulate, CHAN_OP_CIRCULATE, NULL)
ACT(h_submit, CHAN_OP_SUBMIT, NULL)
ACT(h_acknowledge, CHAN_OP_ACKNOWLEDGE, NULL)
ACT(h_extend, CHAN_OP_EXTEND, "reason")
ACT(h_answer, CHAN_OP_ANSWER, "body")
ACT(h_close, CHAN_OP_CLOSE, NULL)
ACT(h_withdraw, CHAN_OP_WITHDRAW, NULL)

/* ---- co-signatures ---- */

HANDLER(h_sign)
{
    static const struct json_field f[] = {{"version", JSON_FIELD_INT, 0, 0, 0, 0, 1, 1000000}};
    struct json_value v[1] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 1, v, &obj, &e);
    if (rc == 0)
        rc = chan_sign(app->chan, req->pool, &actor, req->params[0], v[0].present ? (int)v[0].i : 0,
                       &out, &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

HANDLER(h_unsign)
{
    PROLOGUE
    rc = chan_unsign(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_signers)
{
    PROLOGUE
    rc = chan_signers(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_counts)
{
    PROLOGUE
    rc = chan_counts(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

/* ---- messages and the access log ---- */

HANDLER(h_messages)
{
    PROLOGUE
    rc = chan_messages(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_message_post)
{
    static const struct json_field f[] = {STR("body", CHAN_TEXT_MAX, 1)};
    struct json_value v[1] = {0};
    json_t *obj = NULL;
    PROLOGUE
    rc = api_read_body(req, f, 1, v, &obj, &e);
    if (rc == 0)
        rc = chan_message_post(app->chan, req->pool, &actor, req->params[0], v[0].s, &out, &e);
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

HANDLER(h_memo_access_log)
{
    PROLOGUE
    rc = chan_access_log(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

HANDLER(h_access_log)
{
    PROLOGUE
    rc = chan_access_log(app->chan, req->pool, &actor, NULL, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

#define V1 "/api/v1"
const struct http_route api_routes[] = {
    {.method = "POST", .pattern = V1 "/login", .handler = h_login},
    {.method = "POST", .pattern = V1 "/logout", .handler = h_logout},
    {.method = "GET", .pattern = V1 "/me", .handler = h_me},
    {.method = "GET", .pattern = V1 "/organizations", .handler = h_org_list},
    {.method = "POST", .pattern = V1 "/organizations", .handler = h_org_create},
    {.method = "GET", .pattern = V1 "/members", .handler = h_member_list},
    {.method = "POST", .pattern = V1 "/members", .handler = h_member_create},
    {.method = "PATCH", .pattern = V1 "/members/:username", .handler = h_member_update},
    {.method = "GET", .pattern = V1 "/channels", .handler = h_channel_list},
    {.method = "POST", .pattern = V1 "/channels", .handler = h_channel_create},
    {.method = "GET", .pattern = V1 "/channels/:slug", .handler = h_channel_get},
    {.method = "POST", .pattern = V1 "/channels/:slug/holidays", .handler = h_holiday_add},
    {.method = "GET", .pattern = V1 "/memos", .handler = h_memo_list},
    {.method = "POST", .pattern = V1 "/memos", .handler = h_memo_create},
    {.method = "GET", .pattern = V1 "/memos/:id", .handler = h_memo_get},
    {.method = "GET", .pattern = V1 "/memos/:id/versions", .handler = h_version_list},
    {.method = "POST", .pattern = V1 "/memos/:id/versions", .handler = h_version_create},
    {.method = "GET", .pattern = V1 "/memos/:id/versions/:n", .handler = h_version_get},
    {.method = "GET", .pattern = V1 "/memos/:id/diff", .handler = h_memo_diff},
    {.method = "POST", .pattern = V1 "/memos/:id/drafters", .handler = h_drafter_add},
    {.method = "POST", .pattern = V1 "/memos/:id/circulate", .handler = h_circulate},
    {.method = "POST", .pattern = V1 "/memos/:id/submit", .handler = h_submit},
    {.method = "POST", .pattern = V1 "/memos/:id/acknowledge", .handler = h_acknowledge},
    {.method = "POST", .pattern = V1 "/memos/:id/extend", .handler = h_extend},
    {.method = "POST", .pattern = V1 "/memos/:id/answer", .handler = h_answer},
    {.method = "POST", .pattern = V1 "/memos/:id/close", .handler = h_close},
    {.method = "POST", .pattern = V1 "/memos/:id/withdraw", .handler = h_withdraw},
    {.method = "GET", .pattern = V1 "/memos/:id/signatures", .handler = h_signers},
    {.method = "POST", .pattern = V1 "/memos/:id/signatures", .handler = h_sign},
    {.method = "DELETE", .pattern = V1 "/memos/:id/signatures", .handler = h_unsign},
    {.method = "GET", .pattern = V1 "/memos/:id/counts", .handler = h_counts},
    {.method = "GET", .pattern = V1 "/memos/:id/messages", .handler = h_messages},
    {.method = "POST", .pattern = V1 "/memos/:id/messages", .handler = h_message_post},
    {.method = "GET", .pattern = V1 "/memos/:id/access-log", .handler = h_memo_access_log},
    {.method = "GET", .pattern = V1 "/access-log", .handler = h_access_log},
};
const size_t api_routes_count = ARRAY_LEN(api_routes);
