/* api_ring.c — rosters of ring keys, the public facts of a memo, and the
 * anonymous co-signature endpoint (ROUTE_ANON: no login, no cookie read, no
 * address or precise time logged). docs/api.md, docs/protocol-ring.md. */
#include "http/app.h"

#include "base/json.h"
#include "base/util.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

static void h_rosters(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int rc;
    (void)req;
    err_init(&e);
    rc = chan_roster_list(app->chan, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_roster(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int64_t size = 0;
    const char *q = http_query(req, "size");
    int rc = 0;
    err_init(&e);
    if (q && parse_i64(q, 1, INT64_MAX, &size))
        rc = err_set(&e, ERR_INVALID, "query parameter 'size' must be a positive whole number");
    if (rc == 0)
        rc = chan_roster_get(app->chan, req->pool, req->params[0], size, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_enroll(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {"public_key", JSON_FIELD_STRING, 1, 0, 64, 64, 0, 0},
        {"proof", JSON_FIELD_STRING, 1, 0, 128, 128, 0, 0},
    };
    struct json_value v[2] = {0};
    struct app *app = app_;
    struct actor actor;
    struct err e;
    json_t *out = NULL, *obj = NULL;
    int rc;
    err_init(&e);
    rc = app_authenticate(app, req, &actor, &e);
    if (rc == 0)
        rc = api_read_body(req, f, 2, v, &obj, &e);
    if (rc == 0)
        rc = chan_roster_enroll(app->chan, req->pool, &actor, v[0].s, v[1].s, &out, &e);
    api_reply(res, rc, 201, out, &e);
    json_decref(obj);
}

static void h_refresh(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct actor actor;
    struct err e;
    json_t *out = NULL;
    int rc;
    err_init(&e);
    rc = app_authenticate(app, req, &actor, &e);
    if (rc == 0)
        rc = chan_memo_refresh_rings(app->chan, req->pool, &actor, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_public_memo(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int rc;
    err_init(&e);
    rc = chan_public_memo(app->chan, req->pool, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

/* Verifying proofs against a large ring costs real CPU (about 0.15 s at 2^16
 * keys) and handlers run one at a time, so unbounded anonymous traffic could
 * stall the whole server. The limit is global — it must not tell senders
 * apart — and generous for real signing: ANON_WINDOW_MAX requests per
 * ANON_WINDOW_S seconds, then 429 until the window turns. Handlers are
 * serialized, so these counters need no lock of their own. */
#define ANON_WINDOW_S   10
#define ANON_WINDOW_MAX 50

static int anon_admit(struct err *e)
{
    static int64_t window_start;
    static int used;
    int64_t now = (int64_t)time(NULL);
    int rc = 0;
    if (now - window_start >= ANON_WINDOW_S) {
        window_start = now;
        used = 0;
    }
    if (used >= ANON_WINDOW_MAX)
        rc = err_set(e, ERR_RATE,
                     "the server is busy verifying anonymous signatures: try again in "
                     "a few seconds");
    else
        used++;
    return rc;
}

/* Anonymous: reads nothing that identifies the sender (no cookie, no header
 * other than Content-Type); the route flag keeps it out of the logs. */
static void h_anon_sign(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {"signatures", JSON_FIELD_ARRAY, 1, 0, 1, CHAN_ANON_BATCH_MAX, 0, 0},
    };
    struct json_value v[1] = {0};
    struct app *app = app_;
    struct err e;
    json_t *out = NULL, *obj = NULL;
    int rc;
    err_init(&e);
    rc = anon_admit(&e);
    if (rc == 0)
        rc = api_read_body(req, f, 1, v, &obj, &e);
    if (rc == 0)
        rc = chan_anon_submit(app->chan, req->pool, req->params[0], v[0].j, &out, &e);
    api_reply(res, rc, 200, out, &e);
    json_decref(obj);
}

#define V1 "/api/v1"
const struct http_route api_ring_routes[] = {
    {.method = "GET", .pattern = V1 "/rosters", .handler = h_rosters},
    {.method = "GET", .pattern = V1 "/rosters/:org", .handler = h_roster},
    {.method = "POST", .pattern = V1 "/rosters/keys", .handler = h_enroll},
    {.method = "POST", .pattern = V1 "/memos/:id/rings/refresh", .handler = h_refresh},
    {.method = "GET", .pattern = V1 "/public/memos/:id", .handler = h_public_memo},
    {.method = "POST",
     .pattern = V1 "/anonymous/memos/:id/signatures",
     .handler = h_anon_sign,
     .flags = ROUTE_ANON},
};
const size_t api_ring_routes_count = ARRAY_LEN(api_ring_routes);
