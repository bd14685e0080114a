/* app.h — the application behind the HTTP server: the channel, and the
 * route tables of the JSON API (api.c) and the web pages (pages.c). */
#ifndef DISSENT_HTTP_APP_H
#define DISSENT_HTTP_APP_H

#include "channel/chan.h"
#include "http/server.h"

#define APP_SESSION_COOKIE "dissent_session"
#define APP_MAX_BODY       (256u * 1024u)

struct app {
    struct chan *chan;
};

/* The JSON API routes under /api/v1 (docs/api.md). */
extern const struct http_route api_routes[];
extern const size_t api_routes_count;

/* The public transparency log and the official renderings (api_log.c). */
extern const struct http_route api_log_routes[];
extern const size_t api_log_routes_count;

/* Rosters, public memo facts and anonymous co-signatures (api_ring.c). */
extern const struct http_route api_ring_routes[];
extern const size_t api_ring_routes_count;

/* The web pages (pages*.c). */
extern const struct http_route page_routes[];
extern const size_t page_routes_count;

/* Joins the API and page tables into one malloc'ed table (free() it). */
int app_routes(struct http_route **out, size_t *n, struct err *e) WUR;

struct json_field;
struct json_value;

/* Parses the request body as a JSON object holding exactly the given fields
 * (base/json.h); an empty body reads as {}. Refuses a body that is not
 * application/json (415). *obj holds the parsed object: json_decref it. */
int api_read_body(struct http_request *req, const struct json_field *fields, size_t n,
                  struct json_value *vals, json_t **obj, struct err *e) WUR;

/* Replies with out and status when rc is 0, else with the error in e. */
void api_reply(struct http_response *res, int rc, int status, json_t *out, const struct err *e);

/* Finds who is calling: a bearer token, or the session cookie, which for
 * POST/PATCH/DELETE also needs the session's CSRF token (header
 * X-CSRF-Token, or form field "csrf"). Returns 0 and fills a, or -1 with
 * ERR_UNAUTHORIZED / ERR_FORBIDDEN in e. */
int app_authenticate(struct app *app, struct http_request *req, struct actor *a, struct err *e) WUR;

#endif
