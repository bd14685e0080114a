/* api_review.c — a memo's state changes through the JSON API: circulating
 * it, submitting it for review, the policy office's acknowledgement,
 * extension and answer, closing and withdrawing (docs/api.md). The channel
 * decides who may do what and when; every handler here only names the step. */
#include "http/api.h"

/* A state change whose body is empty (field NULL), or holds exactly one
 * required text field. */
static void memo_act(struct http_request *req, struct http_response *res, void *app_,
                     enum chan_op op, const char *field)
{
    const struct json_field f[] = {
        {.name = field ? field : "-",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .max_len = CHAN_TEXT_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, field ? 1 : 0, v);
    if (rc == 0)
        rc = chan_memo_act(c.app->chan, req->pool, &c.actor, req->params[0], op,
                           field ? v[0].s : NULL, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

static void h_circulate(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_CIRCULATE, NULL);
}

static void h_submit(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_SUBMIT, NULL);
}

static void h_acknowledge(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_ACKNOWLEDGE, NULL);
}

static void h_extend(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_EXTEND, "reason");
}

static void h_answer(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_ANSWER, "body");
}

static void h_close(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_CLOSE, NULL);
}

static void h_withdraw(struct http_request *req, struct http_response *res, void *app_)
{
    memo_act(req, res, app_, CHAN_OP_WITHDRAW, NULL);
}

const struct http_route api_review_routes[] = {
    {.method = "POST", .pattern = "/api/v1/memos/:id/circulate", .handler = h_circulate},
    {.method = "POST", .pattern = "/api/v1/memos/:id/submit", .handler = h_submit},
    {.method = "POST", .pattern = "/api/v1/memos/:id/acknowledge", .handler = h_acknowledge},
    {.method = "POST", .pattern = "/api/v1/memos/:id/extend", .handler = h_extend},
    {.method = "POST", .pattern = "/api/v1/memos/:id/answer", .handler = h_answer},
    {.method = "POST", .pattern = "/api/v1/memos/:id/close", .handler = h_close},
    {.method = "POST", .pattern = "/api/v1/memos/:id/withdraw", .handler = h_withdraw},
};
const size_t api_review_routes_count = ARRAY_LEN(api_review_routes);
