/* pages.c — what every page shares: the templates, sessions, the frame
 * (title, navigation, marking banners), rendering, errors, form fields and
 * times; and the route table of the web interface. */
#include "http/pages.h"

#include "base/util.h"
#include "channel/notify.h"
#include "channel/roles.h"
#include "http/markdown.h"
#include "http/static.h"
#include "http/tmpl.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* ---- templates: parsed once, shared read-only by every request ---- */

static struct tmpl_set *templates;
static char templates_error[ERR_MSG_MAX];
static pthread_once_t templates_once = PTHREAD_ONCE_INIT;

static void templates_load(void)
{
    struct err e;
    struct tmpl_set *s = NULL;
    err_init(&e);
    if (tmpl_set_new(&s, &e) || tmpl_add_all(s, tmpl_builtin, tmpl_builtin_count, &e)) {
        snprintf(templates_error, sizeof templates_error, "%s", e.msg);
        tmpl_set_free(s);
        s = NULL;
    }
    templates = s;
}

static const struct tmpl_set *templates_get(struct err *e)
{
    pthread_once(&templates_once, templates_load);
    if (!templates)
        err_set(e, ERR_INTERNAL, "templates: %s", templates_error);
    return templates;
}

/* ---- sessions ---- */

static int is_safe_method(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
}

static void page_init(struct page *pg, struct http_request *req, struct http_response *res,
                      void *app)
{
    memset(pg, 0, sizeof *pg);
    pg->req = req;
    pg->res = res;
    pg->app = app;
    pg->data = json_object();
}

/* Percent-encodes s for a query value into the pool. */
static const char *query_escape(struct pool *p, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s), j = 0;
    char *out = pool_alloc(p, 3 * n + 1);
    if (!out)
        return "";
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            ch == '-' || ch == '_' || ch == '.' || ch == '~' || ch == '/') {
            out[j++] = (char)ch;
        } else {
            out[j++] = '%';
            out[j++] = hex[ch >> 4];
            out[j++] = hex[ch & 15];
        }
    }
    out[j] = '\0';
    return out;
}

int page_begin(struct page *pg, struct http_request *req, struct http_response *res, void *app)
{
    struct err e;
    int rc = -1;
    err_init(&e);
    page_init(pg, req, res, app);
    if (app_authenticate(app, req, &pg->actor, &e) == 0) {
        pg->logged_in = 1;
        rc = 0;
        goto out;
    }
    if (pg->actor.must_enroll && e.code == ERR_FORBIDDEN && is_safe_method(req->method)) {
        /* Signed in with the password, but the roles need a second factor first. */
        http_redirect(res, "/account/totp");
    } else if (e.code == ERR_UNAUTHORIZED) {
        /* A session cookie that no longer opens a session: it expired (or
         * was ended), and the login page says so instead of just appearing. */
        int expired = http_cookie(req, APP_SESSION_COOKIE) != NULL;
        const char *next = is_safe_method(req->method) ? req->path : "/";
        const char *loc = strcmp(next, "/") == 0 ? (expired ? "/login?expired=1" : "/login")
                                                 : pool_printf(req->pool, "/login?%snext=%s",
                                                               expired ? "expired=1&" : "",
                                                               query_escape(req->pool, next));
        http_redirect(res, loc ? loc : "/login");
    } else {
        page_frame(pg, "Refused", NULL, NULL);
        page_error(pg, err_http_status(e.code), http_error_message(pg->res, &e));
    }
out:
    return rc;
}

void page_begin_open(struct page *pg, struct http_request *req, struct http_response *res,
                     void *app)
{
    struct err e;
    err_init(&e);
    page_init(pg, req, res, app);
    if (is_safe_method(req->method) && http_cookie(req, APP_SESSION_COOKIE) &&
        app_authenticate(app, req, &pg->actor, &e) == 0)
        pg->logged_in = 1;
}

void page_end(struct page *pg)
{
    json_decref(pg->data);
    pg->data = NULL;
}

void page_organizations(struct page *pg)
{
    struct err e;
    json_t *orgs = NULL;
    err_init(&e);
    if (chan_org_list(pg->app->chan, &pg->actor, &orgs, &e) == 0)
        json_object_set_new(pg->data, "organizations", orgs);
}

int page_has_role(const struct page *pg, unsigned r)
{
    return pg->logged_in && (pg->actor.roles & r) != 0;
}

/* ---- the frame ---- */

static void nav_add(json_t *items, const char *key, const char *href, const char *label,
                    const char *current)
{
    json_array_append_new(items, json_pack("{s:s,s:s,s:b}", "href", href, "label", label, "current",
                                           current && strcmp(current, key) == 0));
}

/* The unread marker on the Notifications item: a count, said in words for
 * screen readers. A failure to count leaves the item unmarked. */
static void unread_add(struct page *pg, json_t *items)
{
    struct err e;
    int64_t n = 0;
    json_t *it;
    size_t i;
    err_init(&e);
    if (chan_notifications_unread(pg->app->chan, &pg->actor, &n, &e) || n <= 0)
        return;
    json_array_foreach(items, i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "href")), "/notifications") == 0)
            json_object_set_new(it, "unread_badge", json_integer(n));
    }
}

void page_frame(struct page *pg, const char *title, const char *current, const char *marking)
{
    json_t *d = pg->data, *items = json_array();
    struct pool *p = pg->req->pool;
    const char *css = static_url("dissent.css", p), *ui = static_url("ui.css", p);

    pg->framed = 1;
    if (title)
        json_object_set_new(d, "page_title", json_string(title));
    json_object_set_new(d, "css_url", json_string(css ? css : "/static/dissent.css"));
    json_object_set_new(d, "ui_css_url", json_string(ui ? ui : "/static/ui.css"));
    if (pg->logged_in) {
        nav_add(items, "home", "/", "Home", current);
        if (pg->actor.roles & ~CHAN_ROLE_ADMIN & ~CHAN_ROLE_AUDITOR)
            nav_add(items, "memos", "/memos", "Find memos", current);
        if (pg->actor.roles & CHAN_ROLE_MEMBER)
            nav_add(items, "new", "/memos/new", "New memo", current);
        if (pg->actor.roles & CHAN_ROLE_AUDITOR)
            nav_add(items, "audit", "/audit", "Access log", current);
        nav_add(items, "public", "/public", "Public record", current);
        nav_add(items, "notifications", "/notifications", "Notifications", current);
        nav_add(items, "account", "/account", "Account", current);
        unread_add(pg, items);
        json_object_set_new(
            d, "user",
            json_pack("{s:s,s:s,s:s}", "name",
                      pg->actor.display_name ? pg->actor.display_name : pg->actor.username,
                      "username", pg->actor.username, "csrf", pg->actor.csrf));
        json_object_set_new(d, "csrf", json_string(pg->actor.csrf));
    } else {
        nav_add(items, "login", "/login", "Log in", current);
        nav_add(items, "public", "/public", "Public record", current);
    }
    json_object_set_new(d, "nav", json_pack("{s:o}", "items", items));
    if (marking && *marking)
        json_object_set_new(d, "marking", json_string(marking));
    else
        json_object_del(d, "marking");
}

/* ---- rendering ---- */

void page_render(struct page *pg, int status, const char *name)
{
    struct err e;
    struct buf out;
    const struct tmpl_set *s;
    err_init(&e);
    buf_init(&out, HTTP_RESPONSE_MAX);
    s = templates_get(&e);
    if (!s || tmpl_render(s, name, pg->data, &out, &e)) {
        static const char fallback[] =
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Error · "
            "dissent</title></head><body><main><h1>Something went wrong</h1><p>The page could "
            "not be shown. Please try again; if it persists, tell the administrators.</p>"
            "</main></body></html>";
        http_reply_html(pg->res, 500, fallback, sizeof fallback - 1);
        goto out;
    }
    http_reply_html(pg->res, status, buf_str(&out), out.len);
out:
    buf_release(&out);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "The request was not valid";
    case 401:
        return "Please log in";
    case 403:
        return "Not allowed";
    case 404:
        return "Not found";
    case 405:
        return "Method not allowed";
    case 409:
        return "Not possible now";
    case 413:
        return "Too large";
    case 429:
        return "Too many attempts";
    default:
        return status >= 500 ? "Something went wrong" : "Refused";
    }
}

void page_error(struct page *pg, int status, const char *message)
{
    if (!pg->framed)
        page_frame(pg, status_title(status), NULL, NULL);
    else
        json_object_set_new(pg->data, "page_title", json_string(status_title(status)));
    json_object_del(pg->data, "marking");
    json_object_set_new(pg->data, "status", json_integer(status));
    json_object_set_new(pg->data, "title", json_string(status_title(status)));
    json_object_set_new(pg->data, "message", json_string(page_sentence(pg, message)));
    page_render(pg, status, "error");
}

void page_fail(struct page *pg, const struct err *e)
{
    int status = err_http_status(e->code);
    if (status == 401) {
        http_redirect(pg->res, "/login");
        return;
    }
    if (status >= 500) {
        /* our own sentences too: a page is no place for the server's insides */
        (void)http_error_message(pg->res, e);
        page_error(pg, status, HTTP_FAILED_MESSAGE);
    } else {
        page_error(pg, status, http_error_message(pg->res, e));
    }
}

void pages_html_error(struct http_request *req, struct http_response *res, int status,
                      const char *message, void *app)
{
    struct page pg;
    page_begin_open(&pg, req, res, app);
    page_frame(&pg, status_title(status), NULL, NULL);
    page_error(&pg, status, message);
    page_end(&pg);
}

void page_redirect_memo(struct page *pg, const char *id, const char *anchor)
{
    const char *loc = pool_printf(pg->req->pool, "/memos/%s%s%s", query_escape(pg->req->pool, id),
                                  anchor ? "#" : "", anchor ? anchor : "");
    http_redirect(pg->res, loc ? loc : "/");
}

/* ---- form fields and values ---- */

const char *page_field(struct page *pg, const char *name)
{
    const char *v = http_form(pg->req, name);
    char *out;
    size_t j = 0;
    if (!v || !strchr(v, '\r'))
        return v;
    out = pool_alloc(pg->req->pool, strlen(v) + 1);
    if (!out)
        return v;
    for (size_t i = 0; v[i]; i++) {
        if (v[i] == '\r' && v[i + 1] == '\n')
            continue;
        out[j++] = v[i] == '\r' ? '\n' : v[i];
    }
    out[j] = '\0';
    return out;
}

const char *page_field_or_empty(struct page *pg, const char *name)
{
    const char *v = page_field(pg, name);
    return v ? v : "";
}

const char *page_sentence(struct page *pg, const char *msg)
{
    size_t n;
    char *out;
    if (!msg || !*msg)
        return msg ? msg : "";
    n = strlen(msg);
    out = pool_alloc(pg->req->pool, n + 2);
    if (!out)
        return msg;
    memcpy(out, msg, n);
    if (out[0] >= 'a' && out[0] <= 'z')
        out[0] = (char)(out[0] - 'a' + 'A');
    if (out[n - 1] != '.' && out[n - 1] != '!' && out[n - 1] != '?')
        out[n++] = '.';
    out[n] = '\0';
    return out;
}

void page_set_str(struct page *pg, const char *key, const char *s)
{
    json_object_set_new(pg->data, key, json_string(s ? s : ""));
}

json_t *page_markdown(const char *md, struct err *e)
{
    struct buf b;
    json_t *s = NULL;
    buf_init(&b, 4u * MARKDOWN_MAX);
    if (markdown_render(md ? md : "", md ? strlen(md) : 0, &b, e) == 0) {
        s = json_stringn(buf_str(&b), b.len);
        if (!s)
            err_set(e, ERR_NOMEM, "out of memory");
    }
    buf_release(&b);
    return s;
}

/* ---- the route table ---- */

const struct http_route page_routes[] = {
    {.method = "GET", .pattern = "/", .handler = page_home},
    {.method = "GET", .pattern = "/login", .handler = page_login_form},
    {.method = "POST", .pattern = "/login", .handler = page_login},
    {.method = "POST", .pattern = "/logout", .handler = page_logout},
    {.method = "GET", .pattern = "/public", .handler = page_public},
    {.method = "POST", .pattern = "/public/check", .handler = page_public_check},
    {.method = "POST", .pattern = "/public/find", .handler = page_public_find},
    {.method = "GET", .pattern = "/memos", .handler = page_memo_list},
    {.method = "POST", .pattern = "/memos/:id/remind", .handler = page_memo_remind},
    {.method = "GET", .pattern = "/help/anonymous", .handler = page_help_anonymous},
    {.method = "GET", .pattern = "/public/channels/:slug", .handler = page_public_channel},
    {.method = "GET", .pattern = "/memos/new", .handler = page_new_form},
    {.method = "POST", .pattern = "/memos/new", .handler = page_new},
    {.method = "GET", .pattern = "/memos/:id", .handler = page_memo},
    {.method = "GET", .pattern = "/memos/:id/diff", .handler = page_memo_diff},
    {.method = "GET", .pattern = "/memos/:id/edit", .handler = page_edit_form},
    {.method = "POST", .pattern = "/memos/:id/edit", .handler = page_edit},
    {.method = "GET", .pattern = "/memos/:id/signers", .handler = page_memo_signers},
    {.method = "GET", .pattern = "/memos/:id/access", .handler = page_memo_access},
    {.method = "GET", .pattern = "/audit", .handler = page_audit},
    {.method = "GET", .pattern = "/audit.csv", .handler = page_audit_csv},
    {.method = "POST", .pattern = "/memos/:id/sign", .handler = page_memo_sign},
    {.method = "POST", .pattern = "/memos/:id/unsign", .handler = page_memo_unsign},
    {.method = "POST", .pattern = "/memos/:id/circulate", .handler = page_memo_circulate},
    {.method = "POST", .pattern = "/memos/:id/refresh-rings", .handler = page_memo_refresh_rings},
    {.method = "POST", .pattern = "/memos/:id/submit", .handler = page_memo_submit},
    {.method = "POST", .pattern = "/memos/:id/withdraw", .handler = page_memo_withdraw},
    {.method = "POST", .pattern = "/memos/:id/drafters", .handler = page_memo_drafter_add},
    {.method = "POST",
     .pattern = "/memos/:id/drafters/:username/remove",
     .handler = page_memo_drafter_remove},
    {.method = "POST", .pattern = "/memos/:id/acknowledge", .handler = page_review_acknowledge},
    {.method = "POST", .pattern = "/memos/:id/extend", .handler = page_review_extend},
    {.method = "POST", .pattern = "/memos/:id/answer", .handler = page_review_answer},
    {.method = "POST", .pattern = "/memos/:id/close", .handler = page_review_close},
    {.method = "POST", .pattern = "/memos/:id/messages", .handler = page_review_message},
    {.method = "POST", .pattern = "/admin/organizations", .handler = page_admin_org},
    {.method = "POST", .pattern = "/admin/members", .handler = page_admin_member},
    {.method = "POST", .pattern = "/admin/channels", .handler = page_admin_channel},
    {.method = "POST", .pattern = "/admin/holidays", .handler = page_admin_holiday},
    {.method = "POST", .pattern = "/admin/reminders", .handler = page_admin_reminder},
    {.method = "POST",
     .pattern = "/admin/members/:username/reset",
     .handler = page_admin_member_reset},
    {.method = "POST",
     .pattern = "/admin/members/:username/disable",
     .handler = page_admin_member_disable},
    {.method = "POST",
     .pattern = "/admin/members/:username/enable",
     .handler = page_admin_member_enable},
    {.method = "GET", .pattern = "/setup/:token", .handler = page_setup_form},
    {.method = "POST", .pattern = "/setup/:token", .handler = page_setup},
    {.method = "GET", .pattern = "/account", .handler = page_account},
    {.method = "POST", .pattern = "/account/password", .handler = page_account_password},
    {.method = "POST", .pattern = "/account/recovery-code", .handler = page_account_recovery},
    {.method = "POST", .pattern = "/account/notifications", .handler = page_account_notifications},
    {.method = "GET", .pattern = "/notifications", .handler = page_notifications},
    {.method = "POST", .pattern = "/notifications/read", .handler = page_notifications_read},
    {.method = "GET", .pattern = "/notifications/:id", .handler = page_notification_open},
    {.method = "POST", .pattern = "/login/totp", .handler = page_login_totp},
    {.method = "POST", .pattern = "/admin/settings", .handler = page_admin_settings},
    {.method = "GET", .pattern = "/account/totp", .handler = page_totp},
    {.method = "POST", .pattern = "/account/totp", .handler = page_totp_enroll},
    {.method = "POST", .pattern = "/account/totp/confirm", .handler = page_totp_confirm},
    {.method = "POST", .pattern = "/account/totp/disable", .handler = page_totp_disable},
    {.method = "POST", .pattern = "/account/totp/recovery-codes", .handler = page_totp_recovery},
};
const size_t page_routes_count = ARRAY_LEN(page_routes);
