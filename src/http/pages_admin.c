/* pages_admin.c — the administrator's part of the home page: organizations,
 * members and their roles, channels and their holidays, with forms to add
 * them. Admins run the system but never see memo text or who signed: this
 * file calls no memo operation. */
#include "http/pages.h"

#include "channel/roles.h"

#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static const char *const role_names[] = {"member", "reviewer", "leadership", "auditor", "admin"};

/* "member, reviewer" from ["member","reviewer"] (a pool string). */
static const char *roles_text(struct page *pg, const json_t *roles)
{
    struct buf b;
    struct err e;
    size_t i;
    json_t *r;
    const char *s;
    err_init(&e);
    buf_init(&b, 256);
    json_array_foreach(roles, i, r)
    {
        if ((i && buf_puts(&b, ", ", &e)) || buf_puts(&b, json_string_value(r), &e))
            break;
    }
    s = pool_strdup(pg->req->pool, buf_str(&b));
    buf_release(&b);
    return s ? s : "";
}

static const char *unit_text(const char *unit)
{
    if (strcmp(unit, "working_days") == 0)
        return "working days";
    return unit;
}

void pages_admin_section(struct page *pg, json_t *admin_form)
{
    struct err e;
    json_t *orgs = NULL, *members = NULL, *channels = NULL, *d = pg->data, *roles, *forms;
    size_t i;
    json_t *it;
    const char *sel_org = NULL, *sel_channel = NULL;

    err_init(&e);
    if (chan_org_list(pg->app->chan, &pg->actor, &orgs, &e) ||
        chan_member_list(pg->app->chan, &pg->actor, &members, &e) ||
        chan_channel_list(pg->app->chan, &channels, &e)) {
        page_set_str(pg, "admin_error", e.msg);
        goto out;
    }
    forms = json_object();
    if (admin_form) {
        const char *which = jstr(admin_form, "form");
        json_object_set(forms, which, admin_form);
        sel_org = json_string_value(json_object_get(admin_form, "organization"));
        sel_channel = json_string_value(json_object_get(admin_form, "channel"));
        page_set_str(pg, "error", jstr(admin_form, "error"));
    }
    json_object_set_new(d, "admin_forms", forms);

    json_array_foreach(members, i, it)
    {
        json_object_set_new(it, "roles_text",
                            json_string(roles_text(pg, json_object_get(it, "roles"))));
    }
    json_array_foreach(orgs, i, it)
    {
        json_object_set_new(it, "selected",
                            json_boolean(sel_org && strcmp(sel_org, jstr(it, "slug")) == 0));
    }
    json_array_foreach(channels, i, it)
    {
        json_t *pol = json_object_get(it, "policy");
        json_t *ack = json_object_get(pol, "acknowledge"), *ans = json_object_get(pol, "answer");
        json_t *ext = json_object_get(pol, "extension");
        const char *s = pool_printf(
            pg->req->pool,
            "acknowledge within %lld %s, answer within %lld %s, extension up to %lld %s",
            (long long)json_integer_value(json_object_get(ack, "amount")),
            unit_text(jstr(ack, "unit")),
            (long long)json_integer_value(json_object_get(ans, "amount")),
            unit_text(jstr(ans, "unit")),
            (long long)json_integer_value(json_object_get(ext, "amount")),
            unit_text(jstr(ext, "unit")));
        json_object_set_new(it, "policy_text", json_string(s ? s : ""));
        json_object_set_new(it, "marking_class",
                            json_string(page_marking_class(jstr(it, "ceiling"))));
        json_object_set_new(
            it, "selected",
            json_boolean(sel_channel && strcmp(sel_channel, jstr(it, "slug")) == 0));
    }
    roles = json_array();
    for (size_t k = 0; k < ARRAY_LEN(role_names); k++) {
        json_t *checked = admin_form ? json_object_get(admin_form, role_names[k]) : NULL;
        json_array_append_new(roles, json_pack("{s:s,s:b}", "name", role_names[k], "checked",
                                               checked ? json_is_true(checked)
                                                       : strcmp(role_names[k], "member") == 0));
    }
    json_object_set(d, "organizations", orgs);
    json_object_set(d, "members", members);
    json_object_set(d, "channels", channels);
    json_object_set_new(d, "roles", roles);
    json_object_set_new(
        d, "ceilings",
        page_markings(NULL, admin_form ? jstr(admin_form, "ceiling") : "CONFIDENTIAL"));
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

/* Either 303 back to the admin section, or home again with the form refused. */
static void finish(struct page *pg, int rc, const struct err *e, json_t *form, const char *anchor)
{
    if (rc == 0) {
        http_redirect(pg->res, pool_printf(pg->req->pool, "/?done=1#%s", anchor));
    } else if (e->code == ERR_UNAUTHORIZED) {
        page_fail(pg, e);
    } else {
        json_object_set_new(form, "error", json_string(page_sentence(pg, e->msg)));
        page_home_show(pg, err_http_status(e->code) >= 500 ? 500 : err_http_status(e->code), form);
    }
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
    rc = chan_org_create(pg.app->chan, &pg.actor, jstr(form, "slug"), jstr(form, "name"), &out, &e);
    finish(&pg, rc, &e, form, "organizations");
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
        json_object_set_new(form, role_names[k], json_boolean(page_field(&pg, name) != NULL));
    }
    in.username = jstr(form, "username");
    in.display_name = jstr(form, "display_name");
    in.org = jstr(form, "organization");
    in.password = page_field_or_empty(&pg, "password");
    if (in.roles == 0)
        rc = err_set(&e, ERR_INVALID, "choose at least one role for the new member");
    else
        rc = chan_member_create(pg.app->chan, req->pool, &pg.actor, &in, &out, &e);
    finish(&pg, rc, &e, form, "members");
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
    struct chan_channel_input in;
    int rc;
    err_init(&e);
    if (page_begin(&pg, req, res, app))
        goto out;
    form = typed(&pg, "channel", fields, 5);
    in.slug = jstr(form, "slug");
    in.name = jstr(form, "name");
    in.preset = jstr(form, "preset");
    in.ceiling = jstr(form, "ceiling");
    in.timezone = *jstr(form, "timezone") ? jstr(form, "timezone") : NULL;
    rc = chan_channel_create(pg.app->chan, req->pool, &pg.actor, &in, &out, &e);
    finish(&pg, rc, &e, form, "channels");
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
    rc = chan_holiday_add(pg.app->chan, req->pool, &pg.actor, jstr(form, "channel"),
                          jstr(form, "date"), jstr(form, "name"), &out, &e);
    finish(&pg, rc, &e, form, "channels");
out:
    json_decref(out);
    json_decref(form);
    page_end(&pg);
}
