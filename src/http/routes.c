/* routes.c — the whole route table of `dissent serve`: the JSON API and the
 * web pages, joined at start-up (each part is its own const table). */
#include "http/app.h"

#include <stdlib.h>
#include <string.h>

int app_routes(struct http_route **out, size_t *n, struct err *e)
{
    int rc = -1;
    size_t total = api_routes_count + api_log_routes_count + page_routes_count;
    struct http_route *all = calloc(total, sizeof *all);
    if (!all) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    memcpy(all, api_routes, api_routes_count * sizeof *all);
    memcpy(all + api_routes_count, api_log_routes, api_log_routes_count * sizeof *all);
    memcpy(all + api_routes_count + api_log_routes_count, page_routes,
           page_routes_count * sizeof *all);
    *out = all;
    *n = total;
    rc = 0;
out:
    return rc;
}
