/* routes.c — the whole route table of `dissent serve`: the JSON API and the
 * web pages, joined at start-up (each part is its own const table). */
#include "http/api.h"
#include "http/release.h"

#include <stdlib.h>
#include <string.h>

/* The parts of the table, in the order they are matched. Each part is
 * defined beside its handlers; no two parts share a path, so the order
 * between parts only decides which comes first in listings. */
struct route_part {
    const struct http_route *routes;
    const size_t *count;
};

int app_routes(struct http_route **out, size_t *n, struct err *e)
{
    static const struct route_part parts[] = {
        {api_session_routes, &api_session_routes_count},
        {api_account_routes, &api_account_routes_count},
        {api_totp_routes, &api_totp_routes_count},
        {api_admin_routes, &api_admin_routes_count},
        {api_notify_routes, &api_notify_routes_count},
        {api_memo_routes, &api_memo_routes_count},
        {api_review_routes, &api_review_routes_count},
        {api_sign_routes, &api_sign_routes_count},
        {api_log_routes, &api_log_routes_count},
        {api_ring_routes, &api_ring_routes_count},
        {api_release_routes, &api_release_routes_count},
        {log_tile_routes, &log_tile_routes_count},
        {page_routes, &page_routes_count},
    };
    int rc = -1;
    size_t total = 0, at = 0;
    struct http_route *all;
    for (size_t i = 0; i < ARRAY_LEN(parts); i++)
        total += *parts[i].count;
    all = calloc(total, sizeof *all);
    if (!all) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        memcpy(all + at, parts[i].routes, *parts[i].count * sizeof *all);
        at += *parts[i].count;
    }
    *out = all;
    *n = total;
    rc = 0;
out:
    return rc;
}
