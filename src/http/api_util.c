/* api_util.c — what every JSON handler shares: reading a strict JSON body,
 * and replying with a result or an error. */
#include "http/app.h"

#include "base/json.h"

#include <string.h>

int api_read_body(struct http_request *req, const struct json_field *fields, size_t n,
                  struct json_value *vals, json_t **obj, struct err *e)
{
    int rc = -1;
    const char *ct = http_header(req, "Content-Type");
    *obj = NULL;
    if (req->body_len == 0) {
        *obj = json_object();
    } else if (!ct || strncmp(ct, "application/json", 16) != 0) {
        rc = err_set(e, ERR_UNSUPPORTED, "send the request body as application/json");
        goto out;
    } else if (json_parse_strict(req->body, req->body_len, APP_MAX_BODY, 0, obj, e)) {
        goto out;
    }
    rc = json_read_fields(*obj, fields, n, vals, e);
out:
    return rc;
}

void api_reply(struct http_response *res, int rc, int status, json_t *out, const struct err *e)
{
    if (rc == 0)
        http_reply_json(res, status, out);
    else
        http_reply_error(res, e);
}
