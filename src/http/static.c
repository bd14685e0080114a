/* static.c — serving the embedded files of web/static/. */
#include "http/static.h"

#include <stdio.h>
#include <string.h>

#include "http/static.inc"

const struct static_file *static_find(const char *name)
{
    const struct static_file *f = NULL;
    for (size_t i = 0; i < sizeof static_files / sizeof static_files[0] && !f; i++)
        if (strcmp(static_files[i].name, name) == 0)
            f = &static_files[i];
    return f;
}

/* Does an If-None-Match header list the tag (quoted, maybe weak)? */
static int etag_matches(const char *inm, const char *quoted)
{
    int m = 0;
    if (inm) {
        const char *p = strstr(inm, quoted);
        m = p != NULL || strcmp(inm, "*") == 0;
    }
    return m;
}

void static_serve(struct http_request *req, struct http_response *res, void *app)
{
    const struct static_file *f = static_find(req->params[0]);
    const char *v = http_query(req, "v");
    char quoted[24];
    (void)app;

    if (!f) {
        http_reply_errorf(res, ERR_NOT_FOUND, "no static file called '%.64s'", req->params[0]);
        return;
    }
    snprintf(quoted, sizeof quoted, "\"%s\"", f->etag);
    if (http_set_header(res, "ETag", quoted) ||
        http_set_header(res, "Cache-Control",
                        v && strcmp(v, f->etag) == 0 ? "public, max-age=31536000, immutable"
                                                     : "public, max-age=3600")) {
        http_reply_errorf(res, ERR_NOMEM, "out of memory");
        return;
    }
    if (etag_matches(http_header(req, "If-None-Match"), quoted)) {
        http_reply_bytes(res, 304, NULL, "", 0);
        return;
    }
    http_reply_bytes(res, 200, f->content_type, f->data, f->len);
}

const char *static_url(const char *name, struct pool *pool)
{
    const struct static_file *f = static_find(name);
    const char *u;
    if (f)
        u = pool_printf(pool, "/static/%s?v=%s", f->name, f->etag);
    else
        u = pool_printf(pool, "/static/%s", name);
    return u;
}
