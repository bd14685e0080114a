/* pages_edit.c — writing: the new-memo form and the edit form (title,
 * marking up to the channel's ceiling, Markdown body), with a server-side
 * preview that needs no JavaScript. Saving creates a new version. */
#include "http/pages.h"

#include "channel/roles.h"

#include <string.h>

/* The typed values of the form into data.form. */
static void form_data(struct page *pg, const char *title, const char *marking, const char *body,
                      const char *co_drafters)
{
    json_object_set_new(pg->data, "form",
                        json_pack("{s:s,s:s,s:s,s:s}", "title", title ? title : "", "marking",
                                  marking ? marking : "", "body", body ? body : "", "co_drafters",
                                  co_drafters ? co_drafters : ""));
}

/* Renders the Markdown preview of the typed body into data.preview_html. */
static void preview(struct page *pg, const char *body)
{
    struct err e;
    json_t *html;
    err_init(&e);
    html = page_markdown(body, &e);
    if (html) {
        json_object_set_new(pg->data, "preview_html", html);
        json_object_set_new(pg->data, "previewing", json_true());
    } else {
        page_set_str(pg, "error", http_error_message(pg->res, &e));
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

/* The new-memo form: data.channels (the list) and, when slug names one,
 * data.channel; without a slug the template takes the first channel. */
static void new_show(struct page *pg, int status, const char *slug, const char *title,
                     const char *marking, const char *body, const char *co, int do_preview,
                     const char *error)
{
    struct err e;
    json_t *channels = NULL, *channel = NULL;
    err_init(&e);
    if (chan_channel_list(pg->app->chan, &channels, &e) ||
        (slug && chan_channel_get(pg->app->chan, pg->req->pool, slug, &channel, &e))) {
        if (e.code == ERR_NOT_FOUND)
            err_set(&e, ERR_NOT_FOUND, "there is no channel called '%s'", slug);
        page_fail(pg, &e);
        goto out;
    }
    if (json_array_size(channels) == 0) {
        page_error(pg, 404, "There is no channel yet: an administrator must create one.");
        goto out;
    }
    page_frame(pg, "New memo", "new", NULL);
    json_object_set_new(pg->data, "is_new", json_true());
    json_object_set(pg->data, "channels", channels);
    if (channel)
        json_object_set(pg->data, "channel", channel);
    form_data(pg, title, marking, body, co);
    page_set_str(pg, "form_action", "/memos/new");
    if (do_preview)
        preview(pg, body);
    if (error)
        page_set_str(pg, "error", page_sentence(pg, error));
    page_render(pg, status, "edit");
out:
    json_decref(channels);
    json_decref(channel);
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
    /* No marking chosen for the drafter: classifying is the drafter's act. */
    new_show(&pg, 200, http_query(req, "channel"), "", "", "", "", 0, NULL);
out:
    page_end(&pg);
}

void page_new(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    const char *channel, *title, *marking, *body, *co, *names[CHAN_DRAFTERS_MAX];
    struct chan_version_input in = {0};
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
                 title, marking, body, co, 0, http_error_message(res, &e));
        goto out;
    }
    {
        /* The one field a page reads: where the new memo is. */
        const char *new_id = "";
        if (json_unpack(out, "{s:s}", "id", &new_id))
            new_id = "";
        http_redirect(res, pool_printf(req->pool, "/memos/%s?done=created", new_id));
    }
out:
    json_decref(out);
    page_end(&pg);
}

/* The edit form of memo id: data.memo (the latest version, and the channel's
 * ceiling for the markings); data.form only when typed (title not NULL). */
static void edit_show(struct page *pg, int status, const char *id, const char *title,
                      const char *marking, const char *body, int do_preview, const char *error)
{
    struct err e;
    json_t *memo = NULL;
    err_init(&e);
    if (chan_memo_get(pg->app->chan, pg->req->pool, &pg->actor, id, 0, &memo, &e)) {
        page_fail(pg, &e);
        goto out;
    }
    page_frame(pg, NULL, NULL, NULL); /* "Edit: <title>", marking: in the template */
    json_object_set_new(pg->data, "id", json_string(id));
    json_object_set(pg->data, "memo", memo);
    if (title)
        form_data(pg, title, marking, body, NULL);
    page_set_str(pg, "form_action", pool_printf(pg->req->pool, "/memos/%s/edit", id));
    if (do_preview)
        preview(pg, body);
    if (error)
        page_set_str(pg, "error", page_sentence(pg, error));
    page_render(pg, status, "edit");
out:
    json_decref(memo);
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
    struct chan_version_input in = {0};

    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    title = page_field_or_empty(&pg, "title");
    marking = page_field_or_empty(&pg, "marking");
    body = page_field_or_empty(&pg, "body");
    in.change_note = page_field(&pg, "change_note");
    page_set_str(&pg, "change_note", in.change_note ? in.change_note : "");
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
                      title, marking, body, 0, http_error_message(res, &e));
        goto out;
    }
    http_redirect(res, pool_printf(req->pool, "/memos/%s?done=saved", id));
out:
    json_decref(out);
    page_end(&pg);
}
