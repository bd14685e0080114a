/* api_util.c — what every JSON handler shares: beginning a call (finding
 * the caller), reading a strict JSON body, and ending the call with a reply. */
#include "http/api.h"

#include <string.h>

int api_begin(struct api_call *c, void *app, struct http_request *req, enum api_caller who)
{
    int rc = 0;
    memset(c, 0, sizeof *c);
    c->app = app;
    err_init(&c->e);
    if (who == API_MEMBER)
        rc = app_authenticate(c->app, req, &c->actor, &c->e);
    return rc;
}

int api_body(struct api_call *c, struct http_request *req, const struct json_field *fields,
             size_t n, struct json_value *vals)
{
    int rc = -1;
    const char *ct = http_header(req, "Content-Type");
    json_decref(c->body);
    c->body = NULL;
    if (req->body_len == 0) {
        c->body = json_object();
    } else if (!ct || strncmp(ct, "application/json", 16) != 0) {
        rc = err_set(&c->e, ERR_UNSUPPORTED, "send the request body as application/json");
        goto out;
    } else if (json_parse_strict(req->body, req->body_len, APP_MAX_BODY, 0, &c->body, &c->e)) {
        goto out;
    }
    rc = json_read_fields(c->body, fields, n, vals, &c->e);
out:
    return rc;
}

void api_release(struct api_call *c)
{
    json_decref(c->out);
    c->out = NULL;
    json_decref(c->body);
    c->body = NULL;
}

void api_end(struct api_call *c, struct http_response *res, int rc, int status)
{
    if (rc == 0) {
        http_reply_json(res, status, c->out); /* takes c->out */
        c->out = NULL;
    } else {
        http_reply_error(res, &c->e);
    }
    api_release(c);
}

void api_end_text(struct api_call *c, struct http_response *res, int rc, const char *text,
                  size_t len)
{
    if (rc == 0)
        http_reply_bytes(res, 200, "text/plain; charset=utf-8", text, len);
    else
        http_reply_error(res, &c->e);
    api_release(c);
}
