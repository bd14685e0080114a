/* api_log.c — the public transparency log (no login): the log's key, signed
 * checkpoints, leaves, inclusion and consistency proofs; and the official
 * rendering of a version (readers only). docs/api.md, docs/protocol-tlog.md. */
#include "http/app.h"

#include "base/util.h"

#include <stdint.h>
#include <string.h>

/* Parses query parameter name as an integer in [min, max]; ERR_INVALID names it. */
static int query_int(struct http_request *req, const char *name, int64_t min, int64_t max,
                     int64_t *out, struct err *e)
{
    const char *s = http_query(req, name);
    if (!s || parse_i64(s, min, max, out))
        return err_set(e, ERR_INVALID, "query parameter '%s' must be a whole number from %lld",
                       name, (long long)min);
    return 0;
}

static void h_key(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int rc;
    (void)req;
    err_init(&e);
    rc = chan_log_key(app->chan, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_checkpoint(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int rc;
    err_init(&e);
    rc = chan_log_checkpoint(app->chan, &out, &e);
    if (rc == 0 && http_query(req, "format") && json_is_object(out)) {
        /* ?format=note: the bare signed note, as C2SP tools expect it */
        const char *note = json_string_value(json_object_get(out, "note"));
        http_reply_bytes(res, 200, "text/plain; charset=utf-8", note, strlen(note));
        json_decref(out);
        return;
    }
    api_reply(res, rc, 200, out, &e);
}

static void h_leaves(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int64_t start = 0, end = 0;
    int rc;
    err_init(&e);
    rc = query_int(req, "start", 0, INT64_MAX, &start, &e);
    if (rc == 0)
        rc = query_int(req, "end", 1, INT64_MAX, &end, &e);
    if (rc == 0)
        rc = chan_log_leaves(app->chan, start, end, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_memo_leaves(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int rc;
    err_init(&e);
    rc = chan_log_memo(app->chan, req->params[0], &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_inclusion(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int64_t index = 0, size = 0;
    int rc;
    err_init(&e);
    rc = query_int(req, "index", 0, INT64_MAX, &index, &e);
    if (rc == 0)
        rc = query_int(req, "size", 1, INT64_MAX, &size, &e);
    if (rc == 0)
        rc = chan_log_inclusion(app->chan, index, size, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_consistency(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct err e;
    json_t *out = NULL;
    int64_t from = 0, to = 0;
    int rc;
    err_init(&e);
    rc = query_int(req, "from", 1, INT64_MAX, &from, &e);
    if (rc == 0)
        rc = query_int(req, "to", 1, INT64_MAX, &to, &e);
    if (rc == 0)
        rc = chan_log_consistency(app->chan, from, to, &out, &e);
    api_reply(res, rc, 200, out, &e);
}

static void h_rendering(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct actor actor;
    struct err e;
    struct buf text;
    int64_t n = 0;
    int rc;
    err_init(&e);
    buf_init(&text, 4u << 20);
    rc = app_authenticate(app, req, &actor, &e);
    if (rc == 0 && parse_i64(req->params[1], 1, 1000000, &n))
        rc = err_set(&e, ERR_INVALID, "the version in the path must be a number (1, 2, …)");
    if (rc == 0)
        rc = chan_memo_rendering(app->chan, req->pool, &actor, req->params[0], (int)n, &text, &e);
    if (rc == 0)
        http_reply_bytes(res, 200, "text/plain; charset=utf-8", text.data, text.len);
    else
        http_reply_error(res, &e);
    buf_release(&text);
}

#define V1 "/api/v1"
const struct http_route api_log_routes[] = {
    {.method = "GET", .pattern = V1 "/log/key", .handler = h_key},
    {.method = "GET", .pattern = V1 "/log/checkpoint", .handler = h_checkpoint},
    {.method = "GET", .pattern = V1 "/log/leaves", .handler = h_leaves},
    {.method = "GET", .pattern = V1 "/log/memos/:id", .handler = h_memo_leaves},
    {.method = "GET", .pattern = V1 "/log/proof/inclusion", .handler = h_inclusion},
    {.method = "GET", .pattern = V1 "/log/proof/consistency", .handler = h_consistency},
    {.method = "GET", .pattern = V1 "/memos/:id/versions/:n/rendering", .handler = h_rendering},
};
const size_t api_log_routes_count = ARRAY_LEN(api_log_routes);
