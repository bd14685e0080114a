/* api_sign.c — named co-signatures through the JSON API: signing (or moving
 * a signature to another version), withdrawing it, the signer list, and the
 * named and anonymous counts (docs/api.md). Anonymous signatures are in
 * api_ring.c. */
#include "http/api.h"

/* The memo after a co-signature or its withdrawal, for the actor the
 * handler kept in req->prepared: read on a reader once the write has
 * committed (the routes' finish step), so the one writer only writes. */
static void h_memo_after(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_memo_reply(c.app->chan, req->pool, req->prepared, req->params[0], &c.out, &c.e);
    if (rc != 0) {
        struct err why;
        err_init(&why);
        err_wrap(&why, ERR_DB, &c.e,
                 "the change was saved, but the memo could not be read back: reload it",
                 "the change was saved, but the memo could not be read back (%s): reload it",
                 c.e.msg);
        c.e = why;
    }
    api_end(&c, res, rc, 200);
}

/* A write of the memo's signatures by the actor, whose reply h_memo_after
 * builds once it has committed: keeps the actor for it (allocated before
 * the write, so that no failure can follow a write that happened). */
static int keep_actor(struct api_call *c, struct http_request *req, struct actor **kept)
{
    *kept = pool_alloc(req->pool, sizeof **kept);
    return *kept ? 0 : err_set(&c->e, ERR_NOMEM, "out of memory");
}

/* Ends a signature write: on success no reply (h_memo_after builds it). */
static void end_write(struct api_call *c, struct http_request *req, struct http_response *res,
                      int rc, struct actor *kept)
{
    if (rc == 0) {
        *kept = c->actor;
        req->prepared = kept;
        api_release(c);
    } else {
        api_end(c, res, rc, 200);
    }
}

static void h_sign(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "version", .type = JSON_FIELD_INT, .min = 1, .max = 1000000},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    struct actor *kept = NULL;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = keep_actor(&c, req, &kept);
    if (rc == 0)
        rc = chan_sign(c.app->chan, req->pool, &c.actor, req->params[0],
                       v[0].present ? (int)v[0].i : 0, NULL, &c.e);
    end_write(&c, req, res, rc, kept);
}

static void h_unsign(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    struct actor *kept = NULL;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = keep_actor(&c, req, &kept);
    if (rc == 0)
        rc = chan_unsign(c.app->chan, req->pool, &c.actor, req->params[0], NULL, &c.e);
    end_write(&c, req, res, rc, kept);
}

static void h_signers(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    struct chan_signers_page pg;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_signers_page_args(http_query(req, "after"), http_query(req, "limit"), &pg, &c.e);
    if (rc == 0)
        rc = chan_signers(c.app->chan, req->pool, &c.actor, req->params[0], &pg, &c.out, &c.e);
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
    {.method = "POST",
     .pattern = "/api/v1/memos/:id/signatures",
     .handler = h_sign,
     .finish = h_memo_after},
    {.method = "DELETE",
     .pattern = "/api/v1/memos/:id/signatures",
     .handler = h_unsign,
     .finish = h_memo_after},
    {.method = "GET", .pattern = "/api/v1/memos/:id/counts", .handler = h_counts},
};
const size_t api_sign_routes_count = ARRAY_LEN(api_sign_routes);
