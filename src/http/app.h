/* app.h — the application behind the HTTP server: the channel, who is
 * calling, and the whole route table (the JSON API's tables are declared in
 * api.h, the web pages' here). */
#ifndef DISSENT_HTTP_APP_H
#define DISSENT_HTTP_APP_H

#include "channel/chan.h"
#include "http/server.h"

#define APP_SESSION_COOKIE "dissent_session"
#define APP_LOGIN_COOKIE   "dissent_login" /* the pre-session token of login and setup forms */
#define APP_LOGIN_SECONDS  (2 * 3600)
#define APP_MAX_BODY       (256u * 1024u)

struct app_cosigned;
struct web_release;

struct app {
    struct chan *chan;
    /* NULL without witnesses; else GET /api/v1/log/checkpoint serves only
     * the checkpoint published there (http/cosigned.h) */
    struct app_cosigned *cosigned;
    /* "https://host[:port]" people use (--public-url), or NULL: then the
     * origin is taken from the Host header. Origin checks and links use it. */
    const char *public_url;
    /* The address of a reverse proxy whose X-Forwarded-For is believed
     * (--trusted-proxy), or NULL: then the socket's peer is the client. */
    const char *trusted_proxy;
    /* The web client release served (http/release.h), or NULL. */
    const struct web_release *release;
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
 * ERR_UNAUTHORIZED / ERR_FORBIDDEN in e. A session that must first set up a
 * second factor (a->must_enroll) gets ERR_FORBIDDEN on every route but
 * those app_enroll_allowed lets through (a is filled even then). */
int app_authenticate(struct app *app, struct http_request *req, struct actor *a, struct err *e) WUR;
/* 1 when req's path is one a session that must enroll may reach (setting
 * up the second factor, the account page, who am I, logging out). */
int app_enroll_allowed(const struct http_request *req);

/* The origin people reach this site at: the configured public URL, else
 * "http://" + the Host header (a pool string); NULL if Host is unusable. */
const char *app_origin(const struct app *app, struct http_request *req);

/* The client's address for throttling: the socket's peer, or, when that
 * peer is the trusted proxy, the last address of its X-Forwarded-For (the
 * one the proxy itself added). A pool string or NULL; never logged. */
const char *app_client_addr(const struct app *app, struct http_request *req);

/* For requests that change something: refuses (ERR_FORBIDDEN) a browser
 * request from another site — Sec-Fetch-Site other than same-origin or
 * none, or an Origin that is not this site's (the public URL, else the
 * Host header's host and port; "Origin: null", which browsers send under
 * our no-referrer policy, says nothing). Requests that carry neither header
 * (the CLI, curl) pass: the CSRF tokens still guard them. Returns 0 or -1. */
int app_check_origin(const struct app *app, struct http_request *req, struct err *e) WUR;

/* The pre-session token of the login and setup forms (login CSRF): the
 * request's APP_LOGIN_COOKIE if well-formed, else a new random one, set
 * on res either way. Returns a pool string (NULL if out of memory). */
const char *app_login_token(struct http_request *req, struct http_response *res);

/* Checks that form field "login_csrf" equals the APP_LOGIN_COOKIE cookie
 * (which a page elsewhere can neither read nor set), and the origin
 * (app_check_origin). Returns 0 or -1 with ERR_FORBIDDEN. */
int app_check_login_token(const struct app *app, struct http_request *req, struct err *e) WUR;

#endif
