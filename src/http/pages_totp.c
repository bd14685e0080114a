/* pages_totp.c — the second factor on the web: the second step of a sign-in
 * (the code after the password), and one's own authenticator app on
 * /account/totp (set up with a first code, recovery codes shown once, new
 * codes, turning it off with a current code). */
#include "http/pages.h"

#include <string.h>

void page_login_totp_show(struct page *pg, int status, const char *pending, const char *next,
                          const char *error)
{
    const char *tok = app_login_token(pg->req, pg->res);
    if (!tok) {
        page_error(pg, 500, "The form could not be prepared. Please try again.");
        return;
    }
    page_frame(pg, "Second step: your code", "login", NULL);
    page_set_str(pg, "pending", pending);
    page_set_str(pg, "next", page_safe_next(next));
    page_set_str(pg, "login_csrf", tok);
    if (error)
        page_set_str(pg, "error", error);
    page_render(pg, status, "login_totp");
}

void page_login_totp(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct page pg;
    struct actor a;
    struct err e;
    char *token = NULL;
    const char *pending, *next;
    size_t unseen = 0;

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    pending = page_field_or_empty(&pg, "pending");
    next = page_field(&pg, "next");
    if (app_check_login_token(app, req, &e)) {
        page_login_totp_show(&pg, 403, pending, next,
                             page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    if (chan_login_second(app->chan, req->pool, pending, page_field_or_empty(&pg, "code"),
                          app_client_addr(app, req), &token, &a, &e)) {
        /* A pending login that ended cannot be retried here: back to the password. */
        if (strstr(e.msg, "start again"))
            http_redirect(res, "/login");
        else
            page_login_totp_show(&pg, err_http_status(e.code), pending, next,
                                 page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS)) {
        page_error(&pg, 500, "The session could not be started. Please try again.");
        goto out;
    }
    err_init(&e);
    if (chan_account_unseen(app->chan, req->pool, &a, &unseen, &e) == 0 && unseen > 0)
        http_redirect(res, "/account?notices=1");
    else
        http_redirect(res, page_safe_next(next));
out:
    page_end(&pg);
}

/* Renders /account/totp: the status, and (when not NULL) the enrollment just
 * started, the recovery codes just made, or a refused form's message. */
static void totp_show(struct page *pg, int status, const json_t *enroll, const json_t *codes,
                      const char *form, const char *error)
{
    struct err e;
    json_t *st = NULL;
    err_init(&e);
    if (chan_totp_status(pg->app->chan, pg->req->pool, &pg->actor, &st, &e)) {
        page_fail(pg, &e);
        return;
    }
    page_frame(pg, "Second factor", "account", NULL);
    json_object_set_new(pg->data, "totp", st);
    if (pg->actor.must_enroll)
        json_object_set_new(pg->data, "must_enroll", json_true());
    if (enroll)
        json_object_set(pg->data, "enroll", (json_t *)enroll);
    if (codes)
        json_object_set_new(pg->data, "codes", json_pack("{s:O}", "list", (json_t *)codes));
    if (form && error)
        json_object_set_new(pg->data, "form_error",
                            json_pack("{s:s}", form, page_sentence(pg, error)));
    page_render(pg, status, "account_totp");
}

void page_totp(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app) == 0)
        totp_show(&pg, 200, NULL, NULL, NULL, NULL);
    page_end(&pg);
}

void page_totp_enroll(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_totp_enroll(pg.app->chan, req->pool, &pg.actor, &out, &e))
        totp_show(&pg, err_http_status(e.code), NULL, NULL, "enroll", http_error_message(res, &e));
    else
        totp_show(&pg, 200, out, NULL, NULL, NULL);
out:
    json_decref(out);
    page_end(&pg);
}

/* The forms that take a code: confirm, turn off, new recovery codes. */
typedef int (*code_fn)(struct chan *c, struct pool *p, const struct actor *a, const char *code,
                       json_t **out, struct err *e);

static void with_code(struct http_request *req, struct http_response *res, void *app, code_fn fn,
                      const char *form)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (fn(pg.app->chan, req->pool, &pg.actor, page_field_or_empty(&pg, "code"), &out, &e)) {
        totp_show(&pg, err_http_status(e.code), NULL, NULL, form, http_error_message(res, &e));
        goto out;
    }
    /* The session may go anywhere now; the codes are shown this once. */
    pg.actor.must_enroll = 0;
    totp_show(&pg, 200, NULL, json_object_get(out, "recovery_codes"), NULL, NULL);
out:
    json_decref(out);
    page_end(&pg);
}

void page_totp_confirm(struct http_request *req, struct http_response *res, void *app)
{
    with_code(req, res, app, chan_totp_confirm, "confirm");
}

void page_totp_disable(struct http_request *req, struct http_response *res, void *app)
{
    with_code(req, res, app, chan_totp_disable, "disable");
}

void page_totp_recovery(struct http_request *req, struct http_response *res, void *app)
{
    with_code(req, res, app, chan_totp_recovery_new, "codes");
}
