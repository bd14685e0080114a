/* pages.c — the web interface (server-rendered HTML). Placeholder until the
 * pages land: the home page points people at the CLI and the API. */
#include "http/app.h"

static void page_home(struct http_request *req, struct http_response *res, void *app)
{
    static const char html[] =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>dissent</title>"
        "</head><body><h1>dissent</h1><p>The web interface is coming. Use the <code>dissent</code> "
        "command line, or the JSON API under <code>/api/v1</code>.</p></body></html>";
    (void)req;
    (void)app;
    http_reply_html(res, 200, html, sizeof html - 1);
}

const struct http_route page_routes[] = {
    {.method = "GET", .pattern = "/", .handler = page_home},
};
const size_t page_routes_count = ARRAY_LEN(page_routes);
