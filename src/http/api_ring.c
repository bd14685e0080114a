/* api_ring.c — rosters of ring keys, the public facts of a memo, and the
 * anonymous co-signature endpoint (ROUTE_ANON: no login, no cookie read, no
 * address or precise time logged). docs/api.md, docs/protocol-ring.md. */
#include "http/api.h"

#include "base/util.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

static void h_rosters(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_roster_list(c.app->chan, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_roster(struct http_request *req, struct http_response *res, void *app_)
{
    const char *q = http_query(req, "size");
    int64_t size = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0 && q && parse_i64(q, 1, INT64_MAX, &size))
        rc = err_set(&c.e, ERR_INVALID, "query parameter 'size' must be a positive whole number");
    if (rc == 0)
        rc = chan_roster_get(c.app->chan, req->pool, req->params[0], size, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_enroll(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "public_key",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .min_len = 64,
         .max_len = 64},
        {.name = "proof", .type = JSON_FIELD_STRING, .required = 1, .min_len = 128, .max_len = 128},
        {.name = "challenge",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .min_len = 64,
         .max_len = 64},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_roster_enroll(c.app->chan, req->pool, &c.actor, v[0].s, v[1].s, v[2].s, &c.out,
                                &c.e);
    api_end(&c, res, rc, 201);
}

static void h_enroll_challenge(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_roster_challenge(c.app->chan, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 201);
}

static void h_refresh(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc =
            chan_memo_refresh_rings(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_public_memo(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_public_memo(c.app->chan, req->pool, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
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
 * other than Content-Type: API_PUBLIC); the route flag keeps it out of the
 * logs. */
static void h_anon_sign(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "signatures",
         .type = JSON_FIELD_ARRAY,
         .required = 1,
         .min_len = 1,
         .max_len = CHAN_ANON_BATCH_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = anon_admit(&c.e);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_anon_submit(c.app->chan, req->pool, req->params[0], v[0].j, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_ring_routes[] = {
    {.method = "GET", .pattern = "/api/v1/rosters", .handler = h_rosters},
    {.method = "GET", .pattern = "/api/v1/rosters/:org", .handler = h_roster},
    {.method = "POST", .pattern = "/api/v1/rosters/keys", .handler = h_enroll},
    {.method = "POST", .pattern = "/api/v1/rosters/challenge", .handler = h_enroll_challenge},
    {.method = "POST", .pattern = "/api/v1/memos/:id/rings/refresh", .handler = h_refresh},
    {.method = "GET", .pattern = "/api/v1/public/memos/:id", .handler = h_public_memo},
    {.method = "POST",
     .pattern = "/api/v1/anonymous/memos/:id/signatures",
     .handler = h_anon_sign,
     .flags = ROUTE_ANON},
};
const size_t api_ring_routes_count = ARRAY_LEN(api_ring_routes);
