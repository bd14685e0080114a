/* pages_home.c — logging in and out, the home page of each role, and the
 * public page. */
#include "http/pages.h"

#include "channel/roles.h"

#include <stdio.h>
#include <string.h>

/* ---- logging in ---- */

const char *page_safe_next(const char *next)
{
    size_t n;
    if (!next || next[0] != '/' || (n = strlen(next)) > 512)
        return "/";
    /* Only plain path characters: no control characters, backslashes,
     * percent-encodings, "//" (another host) or anything a browser might
     * "repair" into one. */
    for (size_t i = 0; i < n; i++) {
        char ch = next[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '?' ||
              ch == '=' || ch == '&'))
            return "/";
        if (ch == '/' && next[i + 1] == '/')
            return "/";
    }
    return next;
}

static void login_show(struct page *pg, int status, const char *username, const char *next,
                       const char *error)
{
    const char *tok = app_login_token(pg->req, pg->res);
    if (!tok) {
        page_error(pg, 500, "The login form could not be prepared. Please try again.");
        return;
    }
    page_frame(pg, "Log in", "login", NULL);
    page_set_str(pg, "username", username);
    page_set_str(pg, "next", page_safe_next(next));
    page_set_str(pg, "login_csrf", tok);
    if (http_query(pg->req, "expired") && !error)
        page_set_str(pg, "expired",
                     "Your session has expired: after 30 minutes without use, or 12 hours in "
                     "all, you are signed out. Log in again to continue where you were.");
    if (error)
        page_set_str(pg, "error", error);
    page_render(pg, status, "login");
}

void page_login_form(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    page_begin_open(&pg, req, res, app);
    if (pg.logged_in)
        http_redirect(res, "/");
    else
        login_show(&pg, 200, "", http_query(req, "next"), NULL);
    page_end(&pg);
}

void page_login(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct page pg;
    struct actor a;
    struct err e;
    char *token = NULL;
    const char *user, *pass, *next;
    size_t unseen = 0;

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    user = page_field_or_empty(&pg, "username");
    pass = page_field_or_empty(&pg, "password");
    next = page_field(&pg, "next");
    /* Login CSRF: only this site's own form, in this browser, signs in. */
    if (app_check_login_token(app, req, &e)) {
        login_show(&pg, 403, user, next, page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    if (!*user || !*pass) {
        login_show(&pg, 400, user, next, "Enter your username and your password.");
        goto out;
    }
    if (chan_login(app->chan, req->pool, user, pass, app_client_addr(app, req), &token, &a, &e)) {
        int st = err_http_status(e.code);
        const char *msg = e.code == ERR_RATE ? http_error_message(res, &e)
                          : st == 401        ? "That username and password do not match an "
                                               "account. Check them and try again."
                                             : http_error_message(res, &e);
        login_show(&pg, st, user, next, page_sentence(&pg, msg));
        goto out;
    }
    if (a.second_factor) {
        /* The password was right; the session waits for the code. */
        page_login_totp_show(&pg, 200, token, next, NULL);
        goto out;
    }
    if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS)) {
        page_error(&pg, 500, "The session could not be started. Please try again.");
        goto out;
    }
    /* What happened to the account since the last sign-in is shown first. */
    err_init(&e);
    if (chan_account_unseen(app->chan, req->pool, &a, &unseen, &e) == 0 && unseen > 0)
        http_redirect(res, "/account?notices=1");
    else
        http_redirect(res, page_safe_next(next));
out:
    page_end(&pg);
}

void page_logout(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct page pg;
    struct err e;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_logout(app->chan, &pg.actor, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    (void)http_set_cookie(res, APP_SESSION_COOKIE, "x", 0);
    http_redirect(res, "/login");
out:
    page_end(&pg);
}

/* ---- home ---- */

/* chan_memo_find of q into data[key] = {list (the channel's reply), caption,
 * empty, deadlines, only, error, scope}: memo_table.html shows list.memos
 * (sorted by their next deadline when deadlines is set; only those whose
 * field `only` is true when only is set). Returns the list (a new
 * reference) or NULL. */
static json_t *find_into(struct page *pg, const struct chan_memo_query *q, const char *key,
                         int deadlines, const char *caption, const char *empty)
{
    struct err e;
    json_t *out = NULL, *obj;
    err_init(&e);
    obj = json_pack("{s:s,s:s,s:b,s:s}", "caption", caption, "empty", empty, "deadlines", deadlines,
                    "scope", q->scope);
    if (chan_memo_find(pg->app->chan, &pg->actor, q, &out, &e))
        json_object_set_new(obj, "error", json_string(http_error_message(pg->res, &e)));
    else
        json_object_set(obj, "list", out);
    json_object_set_new(pg->data, key, obj);
    return out;
}

static json_t *list_into(struct page *pg, const char *scope, const char *key, int deadlines,
                         const char *caption, const char *empty)
{
    struct chan_memo_query q = {.scope = scope};
    return find_into(pg, &q, key, deadlines, caption, empty);
}

void page_home_show(struct page *pg, int status, const struct admin_form *admin_form)
{
    struct err e;
    json_t *d = pg->data, *channels = NULL;
    unsigned r = pg->actor.roles;

    err_init(&e);
    page_frame(pg, "Home", "home", NULL);
    json_object_set_new(d, "display_name", json_string(pg->actor.display_name));
    if (r & ~CHAN_ROLE_ADMIN) {
        /* Each memo row's times are shown in its channel's zone. */
        if (chan_channel_list(pg->app->chan, &channels, &e)) {
            page_fail(pg, &e);
            return;
        }
        json_object_set(d, "channels", channels);
    }
    if (r & CHAN_ROLE_MEMBER) {
        json_object_set_new(d, "is_member", json_true());
        /* "My memos", split: what one drafts, and what one co-signed */
        json_decref(list_into(
            pg, "drafted", "mine", 0, "Memos I draft",
            "You draft no memo yet. A memo starts as a draft that only its drafters see."));
        json_decref(list_into(pg, "signed", "signed", 0, "Memos I co-signed",
                              "You have not co-signed another member's memo by name."));
        json_decref(list_into(pg, "signable", "signable", 0, "Memos you may co-sign",
                              "No memo is circulating for co-signature right now."));
    }
    if (r & CHAN_ROLE_REVIEWER) {
        json_object_set_new(d, "is_reviewer", json_true());
        json_decref(list_into(pg, "queue", "queue", 1, "Review queue",
                              "The queue is empty: no memo awaits acknowledgement or an answer."));
    }
    if (r & CHAN_ROLE_LEADERSHIP) {
        /* Escalation: deadlines the policy office has missed come first:
         * the same list, only the memos the channel marks overdue. */
        struct chan_memo_query late = {.scope = "all", .overdue = "true", .limit = "200"};
        json_decref(list_into(pg, "all", "submitted", 1, "Submitted memos",
                              "No memo has been submitted yet."));
        json_object_set_new(d, "is_leadership", json_true());
        /* its own query, so no overdue memo hides beyond the first page */
        json_decref(find_into(pg, &late, "overdue", 1, "Overdue memos", ""));
    }
    if (r & CHAN_ROLE_AUDITOR) {
        json_t *log = NULL;
        json_t *events = NULL;
        int64_t before = 0;
        int limit = CHAN_EVENTS_PAGE_DEFAULT;
        json_object_set_new(d, "is_auditor", json_true());
        if (chan_access_log(pg->app->chan, pg->req->pool, &pg->actor, NULL, &log, &e) == 0)
            json_object_set_new(d, "access_log", log);
        else
            page_set_str(pg, "access_log_error", http_error_message(pg->res, &e));
        err_init(&e);
        /* one page of them, a link to the older */
        if (chan_events_page_args(http_query(pg->req, "events_before"), NULL, &before, &limit,
                                  &e) == 0 &&
            chan_account_events(pg->app->chan, pg->req->pool, &pg->actor, before, limit, &events,
                                &e) == 0) {
            json_object_set_new(d, "account_events", events);
            json_object_set_new(d, "events_later_page", json_boolean(before != 0));
        } else {
            page_set_str(pg, "account_events_error", http_error_message(pg->res, &e));
        }
    }
    if (r & CHAN_ROLE_ADMIN) {
        json_object_set_new(d, "is_admin", json_true());
        pages_admin_section(pg, admin_form);
    }
    json_decref(channels);
    page_render(pg, status, "home");
}

void page_home(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app))
        goto out;
    if (http_query(req, "done"))
        page_set_str(&pg, "notice", "Saved.");
    page_home_show(&pg, 200, NULL);
out:
    page_end(&pg);
}
