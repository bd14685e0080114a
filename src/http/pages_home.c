/* pages_home.c — logging in and out, the home page of each role, and the
 * public page. */
#include "http/pages.h"

#include "channel/roles.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* ---- logging in ---- */

/* A "next" location is a path on this site: "/…", never "//…" or "/\…". */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return "/";
    return next;
}

static void login_show(struct page *pg, int status, const char *username, const char *next,
                       const char *error)
{
    page_frame(pg, "Log in", "login", NULL);
    page_set_str(pg, "username", username);
    page_set_str(pg, "next", safe_next(next));
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

    err_init(&e);
    page_begin_open(&pg, req, res, app);
    user = page_field_or_empty(&pg, "username");
    pass = page_field_or_empty(&pg, "password");
    next = page_field(&pg, "next");
    if (!*user || !*pass) {
        login_show(&pg, 400, user, next, "Enter your username and your password.");
        goto out;
    }
    if (chan_login(app->chan, req->pool, user, pass, &token, &a, &e)) {
        int st = err_http_status(e.code);
        const char *msg = e.code == ERR_RATE ? e.msg
                          : st == 401        ? "That username and password do not match an "
                                               "account. Check them and try again."
                                             : e.msg;
        login_show(&pg, st, user, next, page_sentence(&pg, msg));
        goto out;
    }
    if (http_set_cookie(res, APP_SESSION_COOKIE, token, CHAN_SESSION_SECONDS)) {
        page_error(&pg, 500, "The session could not be started. Please try again.");
        goto out;
    }
    http_redirect(res, safe_next(next));
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

static const char *state_label(const char *state)
{
    static const char *const labels[][2] = {
        {"draft", "Draft"},         {"circulating", "Circulating"},
        {"submitted", "Submitted"}, {"acknowledged", "Acknowledged"},
        {"answered", "Answered"},   {"closed", "Closed"},
        {"withdrawn", "Withdrawn"},
    };
    for (size_t i = 0; state && i < ARRAY_LEN(labels); i++)
        if (strcmp(labels[i][0], state) == 0)
            return labels[i][1];
    return state ? state : "";
}

/* Time zone of a channel, from the channel list. */
static const char *zone_of(const json_t *channels, const char *slug)
{
    size_t i;
    json_t *ch;
    json_array_foreach(channels, i, ch)
    {
        const char *s = json_string_value(json_object_get(ch, "slug"));
        if (slug && s && strcmp(s, slug) == 0)
            return json_string_value(json_object_get(ch, "timezone"));
    }
    return "UTC";
}

/* Adds what a memo row needs on a page: state label, marking class, local times,
 * and which deadline is next. */
static void decorate_rows(struct page *pg, json_t *rows, const json_t *channels)
{
    static const char *const keys[] = {"created_at",     "submitted_at", "ack_due",
                                       "answer_due",     "answered_at",  "next_due",
                                       "acknowledged_at"};
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row)
    {
        const char *state = json_string_value(json_object_get(row, "state"));
        const char *zone = zone_of(channels, json_string_value(json_object_get(row, "channel")));
        json_object_set_new(row, "state_label", json_string(state_label(state)));
        json_object_set_new(
            row, "marking_class",
            json_string(page_marking_class(json_string_value(json_object_get(row, "marking")))));
        json_object_set_new(
            row, "next_what",
            json_string(state && strcmp(state, "submitted") == 0 ? "Acknowledge" : "Answer"));
        page_localize(pg, row, keys, ARRAY_LEN(keys), zone);
    }
}

static int cmp_due(const void *a, const void *b)
{
    const json_t *x = *(const json_t *const *)a, *y = *(const json_t *const *)b;
    const char *dx = json_string_value(json_object_get(x, "next_due"));
    const char *dy = json_string_value(json_object_get(y, "next_due"));
    if (!dx || !dy)
        return dx ? -1 : dy ? 1 : 0;
    return strcmp(dx, dy); /* RFC 3339 UTC strings sort as times */
}

/* Sorts memo rows by their next deadline, those without one last. */
static json_t *sort_by_due(json_t *rows)
{
    size_t n = json_array_size(rows);
    json_t **v = n ? calloc(n, sizeof *v) : NULL;
    json_t *out;
    if (!v)
        return json_incref(rows);
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(rows, i);
    qsort(v, n, sizeof *v, cmp_due);
    out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    return out;
}

/* chan_memo_list into data[key] = {rows, has_rows, empty, caption, deadlines, error}. */
static void list_into(struct page *pg, const char *scope, const char *key, const json_t *channels,
                      int deadlines, const char *caption, const char *empty)
{
    struct err e;
    json_t *out = NULL, *rows, *obj;
    err_init(&e);
    obj = json_pack("{s:s,s:s,s:b}", "caption", caption, "empty", empty, "deadlines", deadlines);
    if (chan_memo_list(pg->app->chan, &pg->actor, scope, &out, &e)) {
        json_object_set_new(obj, "error", json_string(e.msg));
    } else {
        rows = json_object_get(out, "memos");
        rows = deadlines ? sort_by_due(rows) : json_incref(rows);
        decorate_rows(pg, rows, channels);
        json_object_set_new(obj, "has_rows", json_boolean(json_array_size(rows) > 0));
        json_object_set_new(obj, "rows", rows);
    }
    json_object_set_new(pg->data, key, obj);
    json_decref(out);
}

void page_home_show(struct page *pg, int status, json_t *admin_form)
{
    struct err e;
    json_t *d = pg->data, *channels = NULL;
    unsigned r = pg->actor.roles;

    err_init(&e);
    page_frame(pg, "Home", "home", NULL);
    json_object_set_new(d, "display_name", json_string(pg->actor.display_name));
    if (r & ~CHAN_ROLE_ADMIN) {
        if (chan_channel_list(pg->app->chan, &channels, &e)) {
            page_fail(pg, &e);
            return;
        }
    }
    if (r & CHAN_ROLE_MEMBER) {
        json_object_set_new(d, "is_member", json_true());
        list_into(pg, "mine", "mine", channels, 0, "My memos",
                  "You have no memos yet. A memo starts as a draft that only its drafters see.");
        list_into(pg, "signable", "signable", channels, 0, "Memos you may co-sign",
                  "No memo is circulating for co-signature right now.");
    }
    if (r & CHAN_ROLE_REVIEWER) {
        json_object_set_new(d, "is_reviewer", json_true());
        list_into(pg, "queue", "queue", channels, 1, "Review queue",
                  "The queue is empty: no memo awaits acknowledgement or an answer.");
    }
    if (r & CHAN_ROLE_LEADERSHIP) {
        json_t *sub, *rows, *late = json_array();
        size_t i;
        json_t *row;
        json_object_set_new(d, "is_leadership", json_true());
        list_into(pg, "all", "submitted", channels, 1, "Submitted memos",
                  "No memo has been submitted yet.");
        /* Escalation: deadlines the policy office has missed come first. */
        sub = json_object_get(d, "submitted");
        rows = json_object_get(sub, "rows");
        json_array_foreach(rows, i, row) if (json_is_true(json_object_get(row, "overdue")))
            json_array_append(late, row);
        json_object_set_new(d, "overdue",
                            json_pack("{s:s,s:s,s:b,s:b,s:o}", "caption", "Overdue memos", "empty",
                                      "", "deadlines", 1, "has_rows", json_array_size(late) > 0,
                                      "rows", late));
        json_object_set_new(d, "has_overdue", json_boolean(json_array_size(late) > 0));
    }
    if (r & CHAN_ROLE_AUDITOR) {
        json_t *log = NULL;
        json_object_set_new(d, "is_auditor", json_true());
        if (chan_access_log(pg->app->chan, pg->req->pool, &pg->actor, NULL, &log, &e) == 0) {
            static const char *const keys[] = {"at"};
            json_t *entries = json_object_get(log, "entries");
            size_t i;
            json_t *it;
            json_array_foreach(entries, i, it)
            {
                page_localize(pg, it, keys, 1, "UTC");
            }
            json_object_set(d, "access_log", entries);
            json_decref(log);
        } else {
            page_set_str(pg, "access_log_error", e.msg);
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
