/* pages_notify.c — notifications on the web: the list (open, mark read,
 * mark all read) and the choices on the account page: the mail address and
 * a mode per kind. The unread count in every page's header is page_frame's. */
#include "http/pages.h"

#include "base/util.h"
#include "channel/notify.h"

#include <string.h>

#define NOTIFY_PAGE 50 /* notifications on one page of the list */

void page_notifications(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *u = http_query(req, "unread");
    int unread_only = u && strcmp(u, "1") == 0;
    int64_t before = 0;
    int limit = NOTIFY_PAGE;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_notify_page_args(http_query(req, "before"), http_query(req, "limit"), NOTIFY_PAGE,
                              &before, &limit, &e) ||
        chan_notifications_page(pg.app->chan, req->pool, &pg.actor, unread_only, before, limit,
                                &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    page_frame(&pg, "Notifications", "notifications", NULL);
    json_object_set(pg.data, "list", out);
    json_object_set_new(pg.data, "unread_only", json_boolean(unread_only));
    /* the older page's link keeps the list's choices */
    json_object_set_new(pg.data, "page_limit", json_integer(limit));
    json_object_set_new(pg.data, "older", json_boolean(before != 0));
    if (http_query(req, "done"))
        page_set_str(&pg, "notice", "Marked as read.");
    page_render(&pg, 200, "notifications");
out:
    json_decref(out);
    page_end(&pg);
}

/* GET /notifications/:id: marks it read and goes where it points. */
void page_notification_open(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *list = NULL, *read = NULL, *row;
    int64_t id = 0;
    const char *link = NULL;
    size_t i;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    /* the one notification with this id, however old: the page of one
     * just below id + 1 */
    if (parse_i64(req->params[0], 1, INT64_MAX - 1, &id) ||
        chan_notifications_page(pg.app->chan, req->pool, &pg.actor, 0, id + 1, 1, &list, &e)) {
        page_error(&pg, 404, "There is no such notification of yours.");
        goto out;
    }
    json_array_foreach(json_object_get(list, "notifications"), i, row)
    {
        if (json_integer_value(json_object_get(row, "id")) == id) {
            link = json_string_value(json_object_get(row, "link"));
            if (!json_is_true(json_object_get(row, "read")) &&
                chan_notifications_read(pg.app->chan, &pg.actor, id, &read, &e)) {
                page_fail(&pg, &e);
                goto out;
            }
        }
    }
    if (!link) {
        page_error(&pg, 404, "There is no such notification of yours.");
        goto out;
    }
    http_redirect(res, link);
out:
    json_decref(list);
    json_decref(read);
    page_end(&pg);
}

/* POST /notifications/read: field id (one) or none (all). */
void page_notifications_read(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    int64_t id = 0;
    const char *f;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    f = page_field(&pg, "id");
    if (f && parse_i64(f, 1, INT64_MAX, &id)) {
        page_error(&pg, 400, "That is not a notification.");
        goto out;
    }
    if (chan_notifications_read(pg.app->chan, &pg.actor, id, &out, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    http_redirect(res, "/notifications?done=1");
out:
    json_decref(out);
    page_end(&pg);
}

/* POST /account/notifications: the address (if changed) and each kind's mode. */
void page_account_notifications(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *prefs = NULL, *out = NULL, *k;
    const char *addr, *old;
    size_t i;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_notify_prefs(pg.app->chan, req->pool, &pg.actor, &prefs, &e)) {
        page_fail(&pg, &e);
        goto out;
    }
    addr = page_field_or_empty(&pg, "address");
    old = json_string_value(json_object_get(prefs, "address"));
    if (strcmp(addr, old ? old : "") != 0 &&
        chan_mail_address_set(pg.app->chan, req->pool, &pg.actor, NULL, addr, &out, &e))
        goto refused;
    json_array_foreach(json_object_get(prefs, "kinds"), i, k)
    {
        const char *kind = json_string_value(json_object_get(k, "kind"));
        const char *mode = page_field(&pg, pool_printf(req->pool, "mode_%s", kind));
        json_decref(out);
        out = NULL;
        if (mode && strcmp(mode, json_string_value(json_object_get(k, "mode"))) != 0 &&
            chan_notify_pref_set(pg.app->chan, req->pool, &pg.actor, kind, mode, &out, &e))
            goto refused;
    }
    http_redirect(res, "/account?done=notifications#notifications");
    goto out;
refused:
    if (e.code == ERR_UNAUTHORIZED || e.code == ERR_FORBIDDEN)
        page_fail(&pg, &e);
    else
        page_error(&pg, err_http_status(e.code), http_error_message(res, &e));
out:
    json_decref(prefs);
    json_decref(out);
    page_end(&pg);
}
