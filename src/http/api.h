/* api.h — what every JSON API handler (src/http/api_*.c) shares, and the
 * API's route tables, each defined in the file that holds its handlers.
 *
 * Every handler has the same explicit shape: begin the call (which finds
 * the caller when the route needs one), read the body, call the channel,
 * end the call (which replies with the result or with the first error):
 *
 *     static void h_sign(struct http_request *req, struct http_response *res, void *app_)
 *     {
 *         static const struct json_field f[] = {
 *             {.name = "version", .type = JSON_FIELD_INT, .min = 1, .max = 1000000},
 *         };
 *         struct json_value v[ARRAY_LEN(f)] = {0};
 *         struct api_call c;
 *         int rc = api_begin(&c, app_, req, API_MEMBER);
 *         if (rc == 0)
 *             rc = api_body(&c, req, f, ARRAY_LEN(f), v);
 *         if (rc == 0)
 *             rc = chan_sign(c.app->chan, req->pool, &c.actor, ..., &c.out, &c.e);
 *         api_end(&c, res, rc, 200);
 *     }
 *
 * Nothing returns early behind the handler's back: a failed step only makes
 * rc nonzero, and api_end sends the error kept in c.e. */
#ifndef DISSENT_HTTP_API_H
#define DISSENT_HTTP_API_H

#include "base/json.h"
#include "http/app.h"

/* Who may call a route. */
enum api_caller {
    API_PUBLIC, /* anyone: nothing about the caller is read (no cookie, no token) */
    API_MEMBER, /* a logged-in member: bearer token, or session cookie + CSRF token */
};

/* One API call in progress: api_begin fills it, api_end releases it. */
struct api_call {
    struct app *app;
    struct actor actor; /* API_MEMBER: who is calling */
    struct err e;       /* why the call failed, once a step returned -1 */
    json_t *body;       /* the parsed request body (api_body), or NULL */
    json_t *out;        /* the JSON to reply with; owned by the call until api_end */
};

/* Begins a call to the application app (the handler's app_ argument). For
 * API_MEMBER, authenticates the caller into c->actor (app_authenticate):
 * returns 0 when the handler may go on, or -1 with ERR_UNAUTHORIZED /
 * ERR_FORBIDDEN in c->e. API_PUBLIC reads nothing from req and returns 0.
 * Either way c must be ended with api_end or api_end_text. */
int api_begin(struct api_call *c, void *app, struct http_request *req, enum api_caller who) WUR;

/* Parses the request body as a JSON object holding exactly the given fields
 * (base/json.h); an empty body reads as {}. Refuses a body that is not
 * application/json (415). The object is kept in c->body (vals borrow from
 * it) until api_end. Returns 0, or -1 with the error in c->e. */
int api_body(struct api_call *c, struct http_request *req, const struct json_field *fields,
             size_t n, struct json_value *vals) WUR;

/* Ends the call: when rc is 0, replies with c->out as JSON with status (a
 * NULL c->out replies 500); else replies with the error in c->e (and frees
 * c->out if set). Frees the body. */
void api_end(struct api_call *c, struct http_response *res, int rc, int status);

/* Ends the call without replying: frees what it still holds (a route's
 * prepare step that succeeded leaves the reply to its handler). */
void api_release(struct api_call *c);

/* Like api_end, but on success replies 200 with len bytes of text as
 * text/plain (text is copied before c->out is freed, so it may point into
 * c->out). */
void api_end_text(struct api_call *c, struct http_response *res, int rc, const char *text,
                  size_t len);

/* The API's route tables under /api/v1 (docs/api.md), combined with the page
 * routes by app_routes (routes.c). */

/* Logging in and out, and who am I (api_session.c). */
extern const struct http_route api_session_routes[];
extern const size_t api_session_routes_count;

/* Setup links, one's own account, password and recovery code (api_account.c). */
extern const struct http_route api_account_routes[];
extern const size_t api_account_routes_count;

/* Notifications, preferences, mail addresses, reminder leads (api_notify.c). */
extern const struct http_route api_notify_routes[];
extern const size_t api_notify_routes_count;

/* Organizations, members (and their resets), channels, holidays, the whole
 * access log and the account events (api_admin.c). */
extern const struct http_route api_admin_routes[];
extern const size_t api_admin_routes_count;

/* Memos, their versions, drafters, messages and access log (api_memo.c). */
extern const struct http_route api_memo_routes[];
extern const size_t api_memo_routes_count;

/* A memo's state changes, from circulation through review (api_review.c). */
extern const struct http_route api_review_routes[];
extern const size_t api_review_routes_count;

/* Named co-signatures and counts (api_sign.c). */
extern const struct http_route api_sign_routes[];
extern const size_t api_sign_routes_count;

/* The public transparency log and the official renderings (api_log.c). */
extern const struct http_route api_log_routes[];
extern const size_t api_log_routes_count;

/* The second step of a login, one's own second factor and the
 * installation's settings (api_totp.c). */
extern const struct http_route api_totp_routes[];
extern const size_t api_totp_routes_count;
/* The reply of a login whose password was right (api_totp.c): the session
 * (cookie set; {token, csrf, member, notices, must_enroll}) or, when the
 * account has a second factor, {second_factor: "totp", pending, expires_in}.
 * Returns 0 or -1 with c->e. */
int api_login_reply(struct api_call *c, struct http_request *req, struct http_response *res,
                    const char *token) WUR;
/* The same log as C2SP tlog-tiles at the site's root: /checkpoint and
 * /tile/… (api_log.c; docs/api.md, "Tiles"). Not under /api/v1. */
extern const struct http_route log_tile_routes[];
extern const size_t log_tile_routes_count;

/* Rosters, public memo facts and anonymous co-signatures (api_ring.c). */
extern const struct http_route api_ring_routes[];
extern const size_t api_ring_routes_count;

#endif
