/* pages_find.c — the memo list page (/memos): every list of the home page
 * with its search, filters, order and pages, and leadership's reminder to
 * the policy office. The channel checks every value (chan_memo_find); a bad
 * one is shown as a message above the form, with what was typed kept. */
#include "http/pages.h"

#include "base/form.h"
#include "channel/roles.h"

#include <string.h>

/* The query parameters a list page passes on, in the order of the form. */
static const char *const params[] = {"scope", "q",  "state",   "channel", "marking",
                                     "from",  "to", "overdue", "sort",    "limit"};

/* "/memos?k=v&…" of the request's list parameters (those given), with
 * page=n when n > 0. NULL when out of memory. */
static char *list_href(struct page *pg, int64_t n)
{
    struct pool *p = pg->req->pool;
    char *href = pool_strdup(p, "/memos?");
    const char *sep = "";
    for (size_t i = 0; href && i < sizeof params / sizeof params[0]; i++) {
        const char *v = http_query(pg->req, params[i]);
        char *enc;
        if (!v || !*v)
            continue;
        enc = form_encode(v, p);
        href = enc ? pool_printf(p, "%s%s%s=%s", href, sep, params[i], enc) : NULL;
        sep = "&";
    }
    if (href && n > 0)
        href = pool_printf(p, "%s%spage=%lld", href, sep, (long long)n);
    return href;
}

/* Renders the list page for the request's query with status (and error,
 * when not NULL, above the form). */
static void list_show(struct page *pg, int status, const char *error)
{
    struct err e;
    struct chan_memo_query q = {0};
    json_t *d = pg->data, *out = NULL, *channels = NULL, *form = json_object();
    const char *v[sizeof params / sizeof params[0]];
    unsigned r = pg->actor.roles;

    err_init(&e);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        v[i] = http_query(pg->req, params[i]);
        json_object_set_new(form, params[i], json_string(v[i] ? v[i] : ""));
    }
    q.scope = v[0];
    q.q = v[1];
    q.state = v[2];
    q.channel = v[3];
    q.marking = v[4];
    q.from = v[5];
    q.to = v[6];
    q.overdue = v[7];
    q.sort = v[8];
    q.limit = v[9];
    q.page = http_query(pg->req, "page");
    if (!q.scope || !*q.scope)
        q.scope = (r & CHAN_ROLE_MEMBER) ? "mine" : "all";
    json_object_set_new(form, "scope", json_string(q.scope));
    page_frame(pg, "Find memos", "memos", NULL);
    json_object_set_new(d, "form", form);
    json_object_set_new(d, "is_member", json_boolean(r & CHAN_ROLE_MEMBER));
    json_object_set_new(d, "is_office",
                        json_boolean(r & (CHAN_ROLE_REVIEWER | CHAN_ROLE_LEADERSHIP)));
    json_object_set_new(d, "is_leadership", json_boolean(r & CHAN_ROLE_LEADERSHIP));
    if (chan_channel_list(pg->app->chan, &channels, &e) == 0)
        json_object_set_new(d, "channels", channels); /* the filter's choices, each row's zone */
    err_init(&e);
    if (chan_memo_find(pg->app->chan, &pg->actor, &q, &out, &e)) {
        if (e.code != ERR_INVALID) {
            page_fail(pg, &e);
            return;
        }
        status = 400;
        error = page_sentence(pg, http_error_message(pg->res, &e));
    } else {
        json_int_t page = json_integer_value(json_object_get(out, "page"));
        json_int_t pages = json_integer_value(json_object_get(out, "pages"));
        json_t *pager = json_object();
        if (page > 1)
            json_object_set_new(pager, "prev", json_string(list_href(pg, page - 1)));
        if (page < pages)
            json_object_set_new(pager, "next", json_string(list_href(pg, page + 1)));
        json_object_set_new(d, "pager", pager);
        /* memo_table.html: the list, with deadlines in the office's scopes */
        json_object_set_new(d, "result",
                            json_pack("{s:o,s:s,s:s,s:b}", "list", out, "caption", "Memos found",
                                      "empty", "No memo matches.", "deadlines",
                                      strcmp(q.scope, "queue") == 0 ||
                                          strcmp(q.scope, "all") == 0 ||
                                          strcmp(q.scope, "archive") == 0));
    }
    if (error)
        page_set_str(pg, "error", error);
    if (http_query(pg->req, "reminded"))
        page_set_str(pg, "notice", "The policy office was reminded, and the reminder recorded.");
    page_render(pg, status, "memos");
}

void page_memo_list(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app))
        goto out;
    list_show(&pg, 200, NULL);
out:
    page_end(&pg);
}

void page_memo_remind(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *back;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (chan_memo_remind(pg.app->chan, req->pool, &pg.actor, req->params[0], &out, &e)) {
        if (e.code == ERR_NOT_FOUND || e.code == ERR_UNAUTHORIZED || e.code == ERR_FORBIDDEN)
            page_fail(&pg, &e);
        else
            list_show(&pg, err_http_status(e.code),
                      page_sentence(&pg, http_error_message(res, &e)));
        goto out;
    }
    /* back to the list the form was on */
    back = page_field(&pg, "back");
    if (!back || strncmp(back, "/memos?", 7) != 0 || strcmp(page_safe_next(back), back) != 0)
        back = "/memos?scope=all";
    http_redirect(res, pool_printf(req->pool, "%s&reminded=1", back));
out:
    json_decref(out);
    page_end(&pg);
}
