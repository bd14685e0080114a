/* pages_admin.c — the administrator's part of the home page: organizations,
 * members and their roles, channels and their holidays, with forms to add
 * them. Admins run the system but never see memo text or who signed: this
 * file calls no memo operation. */
#include "http/pages.h"

#include "base/util.h"
#include "channel/notify.h"
#include "channel/roles.h"

#include <stdio.h>
#include <string.h>

static const char *const role_names[] = {"member", "reviewer", "leadership", "auditor", "admin"};

/* The admin section hands the channel's lists to admin.html as they are;
 * the template words the policies and marks the selections. */
void pages_admin_section(struct page *pg, const struct admin_form *admin_form)
{
    struct err e;
    json_t *orgs = NULL, *members = NULL, *channels = NULL, *d = pg->data, *roles, *forms;
    int member_form = admin_form && strcmp(admin_form->form, "member") == 0;
    /* one page of members (CHAN_MEMBERS_PAGE_DEFAULT), a link to the next */
    const char *after = http_query(pg->req, "members_after");
    int limit = CHAN_MEMBERS_PAGE_DEFAULT;

    err_init(&e);
    if (chan_org_list(pg->app->chan, &pg->actor, &orgs, &e) ||
        chan_members_page_args(after, NULL, &limit, &e) ||
        chan_member_list(pg->app->chan, &pg->actor, after, limit, &members, &e) ||
        chan_channel_list(pg->app->chan, &channels, &e)) {
        page_set_str(pg, "admin_error", http_error_message(pg->res, &e));
        goto out;
    }
    forms = json_object();
    if (admin_form && admin_form->typed) {
        json_object_set(forms, admin_form->form, admin_form->typed);
        page_set_str(pg, "error", admin_form->error);
    }
    /* A setup link just made: shown on this answer only, never again. */
    if (admin_form && admin_form->setup)
        json_object_set(d, "setup_link", admin_form->setup);
    json_object_set_new(d, "admin_forms", forms);
    /* The role boxes: as typed in a refused member form, else "member". */
    roles = json_array();
    for (size_t k = 0; k < ARRAY_LEN(role_names); k++) {
        char name[32];
        int checked;
        snprintf(name, sizeof name, "role_%s", role_names[k]);
        checked = member_form ? page_field(pg, name) != NULL : strcmp(role_names[k], "member") == 0;
        json_array_append_new(roles,
                              json_pack("{s:s,s:b}", "name", role_names[k], "checked", checked));
    }
    {
        json_t *settings = NULL;
        if (chan_totp_policy(pg->app->chan, pg->req->pool, &pg->actor, NULL, &settings, &e) == 0)
            json_object_set_new(d, "settings", settings);
    }
    {
        /* each channel's reminder lead, for its row and the reminder form */
        size_t i;
        json_t *ch;
        json_array_foreach(channels, i, ch)
        {
            json_t *r = NULL;
            const char *slug = json_string_value(json_object_get(ch, "slug"));
            if (slug && chan_channel_reminder_get(pg->app->chan, slug, &r, &e) == 0)
                json_object_set(ch, "remind_working_days",
                                json_object_get(r, "remind_working_days"));
            json_decref(r);
        }
    }
    json_object_set(d, "organizations", orgs);
    json_object_set(d, "members", json_object_get(members, "members"));
    json_object_set(d, "members_next_after", json_object_get(members, "next_after"));
    json_object_set_new(d, "members_later_page", json_boolean(after && *after));
    json_object_set(d, "channels", channels);
    json_object_set_new(d, "roles", roles);
    page_set_str(pg, "ceiling_selected",
                 admin_form ? page_field_or_empty(pg, "ceiling") : "CONFIDENTIAL");
out:
    json_decref(orgs);
    json_decref(members);
    json_decref(channels);
}

/* Starts an admin POST: the form's record with what was typed in fields. */
static json_t *typed(struct page *pg, const char *form, const char *const *fields, size_t n)
{
    json_t *f = json_pack("{s:s}", "form", form);
    for (size_t i = 0; i < n; i++)
        json_object_set_new(f, fields[i], json_string(page_field_or_empty(pg, fields[i])));
    return f;
}

/* Either 303 back to the admin section, or home again with the form refused
 * (typed: what was typed, shown again). */
static void finish(struct page *pg, int rc, const struct err *e, const char *which, json_t *typed,
                   const char *anchor)
{
    if (rc == 0) {
        http_redirect(pg->res, pool_printf(pg->req->pool, "/?done=1#%s", anchor));
    } else if (e->code == ERR_UNAUTHORIZED) {
        page_fail(pg, e);
    } else {
        struct admin_form f = {which, page_sentence(pg, http_error_message(pg->res, e)), typed,
                               NULL};
        json_object_set_new(typed, "error", json_string(f.error));
        page_home_show(pg, err_http_status(e->code) >= 500 ? 500 : err_http_status(e->code), &f);
    }
}

/* Answers a POST that made a setup link with the home page showing it: the
 * link is never put in a URL or shown again, so this reply is its only
 * display (out: the channel's reply with "setup"). */
static void show_setup(struct page *pg, json_t *out, const char *notice)
{
    json_t *setup = json_object_get(out, "setup");
    const char *origin = app_origin(pg->app, pg->req);
    const char *path = json_string_value(json_object_get(setup, "path"));
    const char *url = origin && path ? pool_printf(pg->req->pool, "%s%s", origin, path) : path;
    struct admin_form f = {"member", NULL, NULL, NULL};
    f.setup = json_pack("{s:O,s:s,s:O}", "username", json_object_get(out, "username"), "url",
                        url ? url : "", "expires_at", json_object_get(setup, "expires_at"));
    page_set_str(pg, "notice", notice);
    page_home_show(pg, 200, &f);
    json_decref(f.setup);
}

void page_admin_org(struct http_request *req, struct http_response *res, void *app)
{
    static const char *const fields[] = {"slug", "name"};
    struct page pg;
    struct err e;
    json_t *out = NULL, *form = NULL;
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "org", fields, 2);
    rc = chan_org_create(pg.app->chan, &pg.actor, page_field_or_empty(&pg, "slug"),
                         page_field_or_empty(&pg, "name"), &out, &e);
    finish(&pg, rc, &e, "org", form, "organizations");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}

void page_admin_member(struct http_request *req, struct http_response *res, void *app)
{
    static const char *const fields[] = {"username", "display_name", "organization"};
    struct page pg;
    struct err e;
    json_t *out = NULL, *form = NULL;
    struct chan_member_input in = {0};
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "member", fields, 3);
    for (size_t k = 0; k < ARRAY_LEN(role_names); k++) {
        char name[32];
        unsigned bit;
        snprintf(name, sizeof name, "role_%s", role_names[k]);
        if (page_field(&pg, name) && chan_role_parse(role_names[k], &bit) == 0)
            in.roles |= bit;
    }
    in.username = page_field_or_empty(&pg, "username");
    in.display_name = page_field_or_empty(&pg, "display_name");
    in.org = page_field_or_empty(&pg, "organization");
    if (in.roles == 0)
        rc = err_set(&e, ERR_INVALID, "choose at least one role for the new member");
    else
        rc = chan_member_create(pg.app->chan, req->pool, &pg.actor, &in, &out, &e);
    if (rc == 0)
        show_setup(&pg, out, "Member added.");
    else
        finish(&pg, rc, &e, "member", form, "members");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}

void page_admin_channel(struct http_request *req, struct http_response *res, void *app)
{
    static const char *const fields[] = {"slug", "name", "preset", "ceiling", "timezone"};
    struct page pg;
    struct err e;
    json_t *out = NULL, *form = NULL;
    struct chan_channel_input in = {0}; /* min_ring: the default */
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "channel", fields, 5);
    in.slug = page_field_or_empty(&pg, "slug");
    in.name = page_field_or_empty(&pg, "name");
    in.preset = page_field_or_empty(&pg, "preset");
    in.ceiling = page_field_or_empty(&pg, "ceiling");
    in.timezone = *page_field_or_empty(&pg, "timezone") ? page_field(&pg, "timezone") : NULL;
    rc = chan_channel_create(pg.app->chan, req->pool, &pg.actor, &in, &out, &e);
    finish(&pg, rc, &e, "channel", form, "channels");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}

void page_admin_holiday(struct http_request *req, struct http_response *res, void *app)
{
    static const char *const fields[] = {"channel", "date", "name"};
    struct page pg;
    struct err e;
    json_t *out = NULL, *form = NULL;
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "holiday", fields, 3);
    rc = chan_holiday_add(pg.app->chan, req->pool, &pg.actor, page_field_or_empty(&pg, "channel"),
                          page_field_or_empty(&pg, "date"), page_field_or_empty(&pg, "name"), &out,
                          &e);
    finish(&pg, rc, &e, "holiday", form, "channels");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}

/* POST /admin/reminders (channel, days): how many working days before a
 * deadline the channel reminds the policy office. What is not a whole
 * number goes to the channel as -1, which refuses it with its own message. */
void page_admin_reminder(struct http_request *req, struct http_response *res, void *app)
{
    static const char *const fields[] = {"channel", "days"};
    struct page pg;
    struct err e;
    json_t *out = NULL, *form = NULL;
    int64_t days = -1;
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "reminder", fields, 2);
    if (parse_i64(page_field_or_empty(&pg, "days"), 0, CHAN_REMIND_MAX, &days) != 0)
        days = -1;
    rc = chan_channel_reminder_set(pg.app->chan, &pg.actor, page_field_or_empty(&pg, "channel"),
                                   (int)days, &out, &e);
    finish(&pg, rc, &e, "reminder", form, "channels");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}

/* POST /admin/members/:username/(reset|disable|enable). */
static void member_action(struct http_request *req, struct http_response *res, void *app,
                          const char *what)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    int rc, yes = 1, no = 0;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    if (strcmp(what, "reset") == 0)
        rc = chan_member_reset(pg.app->chan, req->pool, &pg.actor, req->params[0], &out, &e);
    else
        rc = chan_member_update(pg.app->chan, req->pool, &pg.actor, req->params[0], NULL,
                                strcmp(what, "disable") == 0 ? &yes : &no, &out, &e);
    if (rc == 0 && strcmp(what, "reset") == 0)
        show_setup(&pg, out, "Password reset: every session of the member was ended.");
    else if (rc == 0)
        http_redirect(res, "/?done=1#members");
    else if (e.code == ERR_UNAUTHORIZED)
        page_fail(&pg, &e);
    else {
        struct admin_form f = {"member", NULL, NULL, NULL};
        page_set_str(&pg, "admin_error", page_sentence(&pg, http_error_message(res, &e)));
        page_home_show(&pg, err_http_status(e.code) >= 500 ? 500 : err_http_status(e.code), &f);
    }
out:
    json_decref(out);
    page_end(&pg);
}

void page_admin_member_reset(struct http_request *req, struct http_response *res, void *app)
{
    member_action(req, res, app, "reset");
}

void page_admin_member_disable(struct http_request *req, struct http_response *res, void *app)
{
    member_action(req, res, app, "disable");
}

void page_admin_member_enable(struct http_request *req, struct http_response *res, void *app)
{
    member_action(req, res, app, "enable");
}

void page_admin_settings(struct http_request *req, struct http_response *res, void *app)
{
    struct page pg;
    struct err e;
    json_t *out = NULL;
    int required;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    required = strcmp(page_field_or_empty(&pg, "totp_required"), "on") == 0;
    if (chan_totp_policy(pg.app->chan, req->pool, &pg.actor, &required, &out, &e))
        page_fail(&pg, &e);
    else
        http_redirect(res, "/?done=1#settings");
out:
    json_decref(out);
    page_end(&pg);
}
