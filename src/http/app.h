/* app.h — the application behind the HTTP server: the channel, who is
 * calling, and the whole route table (the JSON API's tables are declared in
 * api.h, the web pages' here). */
#ifndef DISSENT_HTTP_APP_H
#define DISSENT_HTTP_APP_H

#include "channel/chan.h"
#include "http/server.h"

#define APP_SESSION_COOKIE "dissent_session"
#define APP_MAX_BODY       (256u * 1024u)

struct app_cosigned;

struct app {
    struct chan *chan;
    /* NULL without witnesses; else GET /api/v1/log/checkpoint serves only
     * the checkpoint published there (http/cosigned.h) */
    struct app_cosigned *cosigned;
};

/* The web pages (pages*.c). */
extern const struct http_route page_routes[];
extern const size_t page_routes_count;

/* Joins the API tables (api.h) and the page table, in that order, into one
 * malloc'ed table (free() it). */
int app_routes(struct http_route **out, size_t *n, struct err *e) WUR;

/* Finds who is calling: a bearer token, or the session cookie, which for
 * POST/PATCH/DELETE also needs the session's CSRF token (header
 * X-CSRF-Token, or form field "csrf"). Returns 0 and fills a, or -1 with
 * ERR_UNAUTHORIZED / ERR_FORBIDDEN in e. */
int app_authenticate(struct app *app, struct http_request *req, struct actor *a, struct err *e) WUR;

#endif
