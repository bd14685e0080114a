/* static.h — static files (CSS, images) compiled into the binary from
 * web/static/ by tools/embed.sh, served under /static/<name>. */
#ifndef DISSENT_HTTP_STATIC_H
#define DISSENT_HTTP_STATIC_H

#include "http/server.h"

#include <stddef.h>

struct static_file {
    const char *name;         /* "dissent.css" */
    const char *content_type; /* "text/css; charset=utf-8" */
    const char *etag;         /* 16 hex digits of the SHA-256 of the content */
    const unsigned char *data;
    size_t len;
};

/* The embedded file called name, or NULL. */
const struct static_file *static_find(const char *name);

/* Handler for GET /static/:file (installed by the server itself). Sends the
 * file with its content type and ETag, 304 on a matching If-None-Match, 404
 * if unknown. With ?v=<etag> (see static_url) it may be cached for a year
 * (immutable); otherwise for an hour. */
void static_serve(struct http_request *req, struct http_response *res, void *app);

/* "/static/<name>?v=<etag>" (a cache-busting URL for pages), or "/static/<name>"
 * if the file is unknown; a pool string, NULL when out of memory. */
const char *static_url(const char *name, struct pool *pool);

#endif
