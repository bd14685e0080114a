/* router.h — matching a request path against the const route table
 * (internal to src/http; handlers use server.h). */
#ifndef DISSENT_HTTP_ROUTER_H
#define DISSENT_HTTP_ROUTER_H

#include "base/compat.h"
#include "base/err.h"
#include "base/pool.h"
#include "http/server.h"

#include <stddef.h>

enum router_result {
    ROUTER_FOUND,     /* *index is the route, params filled */
    ROUTER_NO_PATH,   /* no route has this path */
    ROUTER_NO_METHOD, /* the path exists with other methods (listed in allow) */
    ROUTER_BAD_PATH,  /* a segment is badly percent-encoded or not UTF-8 */
};

/* Checks a route table: non-NULL method, pattern and handler, patterns
 * starting with "/", captures with a name, at most HTTP_MAX_PARAMS captures.
 * Returns 0, or -1 with ERR_INVALID naming the bad route. */
int router_validate(const struct http_route *routes, size_t n, struct err *e) WUR;

/* Matches method and raw path (percent-encoded, no query string) against
 * routes in table order; the first route whose pattern and method match
 * wins. A GET route also matches HEAD. Captured segments are percent-decoded
 * into pool and stored in params (room for HTTP_MAX_PARAMS). On
 * ROUTER_NO_METHOD, allow receives "GET, POST" (the methods the path
 * accepts, truncated to allow_len). */
enum router_result router_match(const struct http_route *routes, size_t n, const char *method,
                                const char *path, struct pool *pool, size_t *index,
                                const char **params, size_t *nparams, char *allow,
                                size_t allow_len);

#endif
