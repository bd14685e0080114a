/* pages_edit.c — writing: the new-memo form and the edit form (title,
 * marking up to the channel's ceiling, Markdown body), with a server-side
 * preview that needs no JavaScript. Saving creates a new version. */
#include "http/pages.h"

#include "channel/roles.h"

#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

/* Fills the form's data: channel (with its ceiling), markings, typed values. */
static void form_data(struct page *pg, const json_t *channel, const char *title,
                      const char *marking, const char *body, const char *co_drafters)
{
    json_t *d = pg->data;
    json_object_set_new(d, "channel", json_deep_copy(channel));
    json_object_set_new(
        d, "markings",
        page_markings(jstr(channel, "ceiling"), marking && *marking ? marking : "UNCLASSIFIED"));
    json_object_set_new(d, "form",
                        json_pack("{s:s,s:s,s:s,s:s}", "title", title ? title : "", "marking",
                                  marking ? marking : "", "body", body ? body : "", "co_drafters",
                                  co_drafters ? co_drafters : ""));
}

/* Renders the Markdown preview of body into data.preview_html. */
static void preview(struct page *pg, const char *body, const char *marking)
{
    struct err e;
    json_t *html;
    err_init(&e);
    html = page_markdown(body, &e);
    if (html) {
        json_object_set_new(pg->data, "preview_html", html);
        json_object_set_new(pg->data, "previewing", json_true());
        page_set_str(pg, "preview_marking_class", page_marking_class(marking));
    } else {
        page_set_str(pg, "error", e.msg);
    }
}

/* Splits "bob, carol dan" into usernames (pool strings). Returns how many. */
static size_t split_names(struct page *pg, const char *s, const char **out, size_t max)
{
    size_t n = 0;
    while (s && *s && n < max) {
        size_t len;
        while (*s == ',' || *s == ' ' || *s == '\n' || *s == '\t')
            s++;
        len = strcspn(s, ", \n\t");
        if (len) {
            const char *name = pool_strndup(pg->req->pool, s, len);
            if (name)
                out[n++] = name;
        }
        s += len;
    }
    return n;
}

/* The channel a new memo goes to: the one named, or the first. *channels is
 * the list (json_decref it). */
static const json_t *pick_channel(struct page *pg, const char *slug, json_t **channels,
                                  struct err *e)
{
    json_t *list, *ch;
    size_t i;
    if (chan_channel_list(pg->app->chan, channels, e))
        return NULL;
    list = json_object_get(*channels, "channels");
    if (!list)
        list = *channels;
    json_array_foreach(list, i, ch)
    {
        int sel = slug ? strcmp(jstr(ch, "slug"), slug) == 0 : i == 0;
        json_object_set_new(ch, "selected", json_boolean(sel));
    }
    json_array_foreach(list, i, ch)
    {
        if (json_is_true(json_object_get(ch, "selected")))
            return ch;
    }
    err_set(e, ERR_NOT_FOUND, "there is no channel called '%s'", slug ? slug : "");
    if (json_array_size(list) == 0)
        err_set(e, ERR_NOT_FOUND, "there is no channel yet: an administrator must create one");
    return NULL;
}

static void new_show(struct page *pg, int status, const char *slug, const char *title,
                     const char *marking, const char *body, const char *co, int do_preview,
                     const char *error)
{
    struct err e;
    json_t *channels = NULL;
    const json_t *ch;
    err_init(&e);
    ch = pick_channel(pg, slug, &channels, &e);
    if (!ch) {
        page_fail(pg, &e);
        goto out;
    }
    page_frame(pg, "New memo", "new", NULL);
    json_object_set_new(pg->data, "is_new", json_true());
    json_object_set_new(
        pg->data, "channels",
        json_deep_copy(json_is_array(channels) ? channels : json_object_get(channels, "channels")));
    json_object_set_new(pg->data, "many_channels",
                        json_boolean(json_array_size(json_object_get(pg->data, "channels")) > 1));
    form_data(pg, ch, title, marking, body, co);
    page_set_str(pg, "form_action", "/memos/new");
    if (do_preview)
        preview(pg, body, marking);
    if (error)
        page_set_str(pg, "error", page_sentence(pg, error));
    page_render(pg, status, "edit");
out:
    json_decref(channels);
}

void page_new_form(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app))
        goto out;
    if (!page_has_role(&pg, CHAN_ROLE_MEMBER)) {
        page_error(&pg, 403, "Only members draft memos.");
        goto out;
    }
    new_show(&pg, 200, http_query(req, "channel"), "", "UNCLASSIFIED", "", "", 0, NULL);
out:
    page_end(&pg);
}

void page_new(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *channel, *title, *marking, *body, *co, *names[CHAN_DRAFTERS_MAX];
    struct chan_version_input in;
    size_t n;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    channel = page_field(&pg, "channel");
    title = page_field_or_empty(&pg, "title");
    marking = page_field_or_empty(&pg, "marking");
    body = page_field_or_empty(&pg, "body");
    co = page_field_or_empty(&pg, "co_drafters");
    if (page_field(&pg, "preview")) {
        new_show(&pg, 200, channel, title, marking, body, co, 1, NULL);
        goto out;
    }
    n = split_names(&pg, co, names, CHAN_DRAFTERS_MAX);
    in.title = title;
    in.marking = marking;
    in.body = body;
    if (chan_memo_create(pg.app->chan, req->pool, &pg.actor, channel ? channel : "", &in, names, n,
                         &out, &e)) {
        new_show(&pg, err_http_status(e.code) >= 500 ? 500 : err_http_status(e.code), channel,
                 title, marking, body, co, 0, e.msg);
        goto out;
    }
    http_redirect(res, pool_printf(req->pool, "/memos/%s?done=created", jstr(out, "id")));
out:
    json_decref(out);
    page_end(&pg);
}

/* The edit form of memo id; title/marking/body NULL: from the latest version. */
static void edit_show(struct page *pg, int status, const char *id, const char *title,
                      const char *marking, const char *body, int do_preview, const char *error)
{
    struct err e;
    json_t *memo = NULL, *channel = NULL, *ver;
    err_init(&e);
    if (chan_memo_get(pg->app->chan, pg->req->pool, &pg->actor, id, 0, &memo, &e) ||
        chan_channel_get(pg->app->chan, pg->req->pool, jstr(memo, "channel"), &channel, &e)) {
        page_fail(pg, &e);
        goto out;
    }
    ver = json_object_get(memo, "version");
    page_frame(pg, pool_printf(pg->req->pool, "Edit: %s", jstr(ver, "title")), NULL,
               marking && *marking ? marking : jstr(ver, "marking"));
    json_object_set_new(pg->data, "id", json_string(id));
    json_object_set_new(pg->data, "latest_version",
                        json_object_get(memo, "latest_version")
                            ? json_incref(json_object_get(memo, "latest_version"))
                            : json_integer(0));
    json_object_set_new(pg->data, "state", json_string(jstr(memo, "state")));
    form_data(pg, channel, title ? title : jstr(ver, "title"),
              marking ? marking : jstr(ver, "marking"), body ? body : jstr(ver, "body"), NULL);
    page_set_str(pg, "form_action", pool_printf(pg->req->pool, "/memos/%s/edit", id));
    if (do_preview)
        preview(pg, body, marking);
    if (error)
        page_set_str(pg, "error", page_sentence(pg, error));
    page_render(pg, status, "edit");
out:
    json_decref(memo);
    json_decref(channel);
}

void page_edit_form(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    if (page_begin(&pg, req, res, app))
        goto out;
    edit_show(&pg, 200, req->params[0], NULL, NULL, NULL, 0, NULL);
out:
    page_end(&pg);
}

void page_edit(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *id = req->params[0], *title, *marking, *body;
    struct chan_version_input in;

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    title = page_field_or_empty(&pg, "title");
    marking = page_field_or_empty(&pg, "marking");
    body = page_field_or_empty(&pg, "body");
    if (page_field(&pg, "preview")) {
        edit_show(&pg, 200, id, title, marking, body, 1, NULL);
        goto out;
    }
    in.title = title;
    in.marking = marking;
    in.body = body;
    if (chan_memo_revise(pg.app->chan, req->pool, &pg.actor, id, &in, &out, &e)) {
        if (e.code == ERR_NOT_FOUND)
            page_fail(&pg, &e);
        else
            edit_show(&pg, err_http_status(e.code) >= 500 ? 500 : err_http_status(e.code), id,
                      title, marking, body, 0, e.msg);
        goto out;
    }
    http_redirect(res, pool_printf(req->pool, "/memos/%s?done=saved", id));
out:
    json_decref(out);
    page_end(&pg);
}
