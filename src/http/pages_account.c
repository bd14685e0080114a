/* pages_account.c — one's own account on the web: the form behind a setup
 * link (choose a password; after a reset, with the recovery code), the
 * account page with what happened to the account, changing the password
 * and making a new recovery code. */
#include "http/pages.h"

#include "channel/notify.h"
#include "channel/roles.h"

#include <string.h>

/* ---- the setup link ---- */

static void setup_show(struct page *pg, int status, const json_t *info, const char *error)
{
    const char *tok = app_login_token(pg->req, pg->res);
    if (!tok) {
        page_error(pg, 500, "The form could not be prepared. Please try again.");
        return;
    }
    page_frame(pg, "Choose your password", NULL, NULL);
    json_object_set(pg->data, "setup", (json_t *)info);
    page_set_str(pg, "token", pg->req->params[0]);
    page_set_str(pg, "login_csrf", tok);
    if (error)
        page_set_str(pg, "error", error);
    page_render(pg, status, "setup");
}

void page_setup_form(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *info = NULL;
    err_init(&e);
    page_begin_open(&pg, req, res, app);
    if (chan_setup_info(pg.app->chan, req->pool, req->params[0], &info, &e))
        page_error(&pg, err_http_status(e.code), http_error_message(res, &e));
    else
        setup_show(&pg, 200, info, NULL);
    json_decref(info);
    page_end(&pg);
}

void page_setup(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    struct actor a;
    json_t *info = NULL, *out = NULL;
    char *token = NULL;
    const char *pw, *pw2;

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    if (chan_setup_info(pg.app->chan, req->pool, req->params[0], &info, &e)) {
        page_error(&pg, err_http_status(e.code), http_error_message(res, &e));
        goto out;
    }
    if (app_check_login_token(pg.app, req, &e)) {
        setup_show(&pg, 403, info, page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    pw = page_field_or_empty(&pg, "password");
    pw2 = page_field_or_empty(&pg, "password2");
    if (strcmp(pw, pw2) != 0) {
        setup_show(&pg, 400, info, "The two passwords differ. Type the same password twice.");
        goto out;
    }
    if (chan_setup_complete(pg.app->chan, req->pool, req->params[0], pw,
                            page_field(&pg, "recovery_code"), &token, &a, &out, &e)) {
        setup_show(&pg, err_http_status(e.code), info,
                   page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    if (a.second_factor) {
        /* The password is set; signing in still takes the code. */
        page_login_totp_show(&pg, 200, token, "/", NULL);
        goto out;
    }
    if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS)) {
        page_error(&pg, 500, "The session could not be started. Please log in.");
        goto out;
    }
    /* Signed in now: the frame shows the member, and the recovery code is
     * shown this once (never in a URL). */
    pg.actor = a;
    pg.logged_in = 1;
    page_frame(&pg, "Your password is set", "account", NULL);
    json_object_set(pg.data, "done", out);
    page_render(&pg, 200, "setup");
out:
    json_decref(info);
    json_decref(out);
    page_end(&pg);
}

/* ---- the account page ---- */

/* 1 if the query's "done" is what. */
static int page_done(struct page *pg, const char *what)
{
    const char *d = http_query(pg->req, "done");
    return d && strcmp(d, what) == 0;
}

/* Renders the account page; recovery (a code just made) and form_error
 * (a refused form: "password" or "recovery") may be NULL. */
static void account_show(struct page *pg, int status, const json_t *recovery, const char *form,
                         const char *error)
{
    struct err e;
    json_t *account = NULL, *notices = NULL, *notify = NULL;
    err_init(&e);
    if (chan_account_notices(pg->app->chan, pg->req->pool, &pg->actor, &notices, &e) ||
        chan_account_get(pg->app->chan, pg->req->pool, &pg->actor, &account, &e) ||
        chan_notify_prefs(pg->app->chan, pg->req->pool, &pg->actor, &notify, &e)) {
        page_fail(pg, &e);
        goto out;
    }
    page_frame(pg, "Your account", "account", NULL);
    json_object_set(pg->data, "account", account);
    /* members enroll a ring key here (web/static/anon/enroll.js) */
    json_object_set_new(pg->data, "can_enroll",
                        json_boolean((pg->actor.roles & CHAN_ROLE_MEMBER) != 0));
    json_object_set(pg->data, "notify", notify);
    if (json_array_size(notices) > 0)
        json_object_set_new(pg->data, "notices", json_pack("{s:O}", "items", notices));
    if (recovery)
        json_object_set(pg->data, "recovery", (json_t *)recovery);
    if (form && error)
        json_object_set_new(pg->data, "form_error",
                            json_pack("{s:s}", form, page_sentence(pg, error)));
    page_organizations(pg);
    page_render(pg, status, "account");
out:
    json_decref(account);
    json_decref(notices);
    json_decref(notify);
}

void page_account(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app))
        goto out;
    if (page_done(&pg, "notifications"))
        page_set_str(&pg, "notice", "Your notification choices are saved.");
    else if (http_query(req, "done"))
        page_set_str(&pg, "notice", "Your password is changed; your other sessions were ended.");
    account_show(&pg, 200, NULL, NULL, NULL);
out:
    page_end(&pg);
}

void page_account_password(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *pw, *pw2;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    pw = page_field_or_empty(&pg, "new_password");
    pw2 = page_field_or_empty(&pg, "new_password2");
    if (strcmp(pw, pw2) != 0) {
        account_show(&pg, 400, NULL, "password",
                     "the two new passwords differ: type the same password twice");
        goto out;
    }
    if (chan_password_change(pg.app->chan, req->pool, &pg.actor,
                             page_field_or_empty(&pg, "current_password"), pw, &out, &e)) {
        if (e.code == ERR_UNAUTHORIZED)
            page_fail(&pg, &e);
        else
            account_show(&pg, err_http_status(e.code), NULL, "password",
                         http_error_message(res, &e));
        goto out;
    }
    http_redirect(res, "/account?done=password");
out:
    json_decref(out);
    page_end(&pg);
}

void page_account_recovery(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_recovery_code_new(pg.app->chan, req->pool, &pg.actor,
                               page_field_or_empty(&pg, "current_password"), &out, &e)) {
        if (e.code == ERR_UNAUTHORIZED)
            page_fail(&pg, &e);
        else
            account_show(&pg, err_http_status(e.code), NULL, "recovery",
                         http_error_message(res, &e));
        goto out;
    }
    account_show(&pg, 200, out, NULL, NULL);
out:
    json_decref(out);
    page_end(&pg);
}
