/* api_sign.c — named co-signatures through the JSON API: signing (or moving
 * a signature to another version), withdrawing it, the signer list, and the
 * named and anonymous counts (docs/api.md). Anonymous signatures are in
 * api_ring.c. */
#include "http/api.h"

static void h_sign(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "version", .type = JSON_FIELD_INT, .min = 1, .max = 1000000},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_sign(c.app->chan, req->pool, &c.actor, req->params[0],
                       v[0].present ? (int)v[0].i : 0, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_unsign(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_unsign(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_signers(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_signers(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_counts(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_counts(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_receipt(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_signer_receipt(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_sign_routes[] = {
    {.method = "GET", .pattern = "/api/v1/memos/:id/signatures/receipt", .handler = h_receipt},
    {.method = "GET", .pattern = "/api/v1/memos/:id/signatures", .handler = h_signers},
    {.method = "POST", .pattern = "/api/v1/memos/:id/signatures", .handler = h_sign},
    {.method = "DELETE", .pattern = "/api/v1/memos/:id/signatures", .handler = h_unsign},
    {.method = "GET", .pattern = "/api/v1/memos/:id/counts", .handler = h_counts},
};
const size_t api_sign_routes_count = ARRAY_LEN(api_sign_routes);
