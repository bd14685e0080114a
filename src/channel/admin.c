/* admin.c — organizations, member accounts, channels and their policies. */
#include "base/tz.h"
#include "base/util.h"
#include "channel/chan_internal.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Channel policy presets. Amounts count from the day of submission. */
struct chan_preset {
    const char *name;
    const char *timezone;
    struct st_term ack, answer, ext;
};

static const struct chan_preset presets[] = {
    /* U.S. State Department Dissent Channel (2 FAM 070): acknowledge within 2
     * working days, substantive reply within 30, extendable once to 60. */
    {.name = "state-dissent",
     .timezone = "America/New_York",
     .ack = {.amount = 2, .unit = CHAN_UNIT_WORKING_DAYS},
     .answer = {.amount = 30, .unit = CHAN_UNIT_WORKING_DAYS},
     .ext = {.amount = 60, .unit = CHAN_UNIT_WORKING_DAYS}},
    /* Directive (EU) 2019/1937 art. 9: acknowledge within 7 days, feedback
     * within 3 months; the directive grants internal channels no extension. */
    {.name = "eu-directive",
     .timezone = "Europe/Brussels",
     .ack = {.amount = 7, .unit = CHAN_UNIT_DAYS},
     .answer = {.amount = 3, .unit = CHAN_UNIT_MONTHS},
     .ext = {.amount = 0, .unit = CHAN_UNIT_MONTHS}},
};

int chan_org_create(struct chan *c, const struct actor *a, const char *slug, const char *name,
                    json_t **out, struct err *e)
{
    int rc = -1;
    int64_t id;
    if (chan_require_role(a, CHAN_ROLE_ADMIN, "create organizations", e) ||
        chan_check_slug("slug", slug, e) || chan_check_text("name", name, CHAN_NAME_MAX, 1, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (store_org_insert(c->st, slug, name, now_utc(), &id, e) || store_commit(c->st, e)) {
        rc = chan_tx_end(c, -1, NULL, e);
        goto out;
    }
    *out = json_pack("{s:s,s:s}", "slug", slug, "name", name);
    rc = 0;
out:
    return rc;
}

int chan_org_list(struct chan *c, const struct actor *a, json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_org *o = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    (void)a;
    pool_init(&p, 16u << 20);
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_org_list(c->st, &p, &o, &n, e))
        goto out;
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_pack("{s:s,s:s,s:I}", "slug", o[i].slug, "name", o[i].name,
                                             "members", (json_int_t)o[i].members));
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    pool_release(&p);
    return rc;
}

static json_t *member_json(const struct st_member *m)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:b}", "username", m->username, "display_name",
                     m->display_name, "organization", m->org_slug, "roles",
                     chan_roles_json(m->roles), "disabled", m->disabled);
}

static int check_roles(unsigned roles, struct err *e)
{
    int rc = 0;
    if (roles == 0 || (roles & ~(unsigned)CHAN_ROLE_ALL))
        rc = err_set(e, ERR_INVALID,
                     "field 'roles' must name at least one of member, reviewer, "
                     "leadership, auditor, admin");
    else if ((roles & CHAN_ROLE_ADMIN) && roles != CHAN_ROLE_ADMIN)
        rc = err_set(e, ERR_INVALID,
                     "the admin role cannot be combined with others: admins must "
                     "not read memos or see signers");
    return rc;
}

int chan_member_create(struct chan *c, struct pool *p, const struct actor *a,
                       const struct chan_member_input *in, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_member m = {0};
    int64_t id, now = now_utc();
    json_t *setup = NULL;
    const char *detail;

    if (chan_require_role(a, CHAN_ROLE_ADMIN, "create accounts", e) ||
        chan_check_slug("username", in->username, e) ||
        chan_check_text("display_name", in->display_name, CHAN_NAME_MAX, 1, e) ||
        chan_check_slug("organization", in->org, e) || check_roles(in->roles, e))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    m.username = (char *)in->username;
    m.display_name = (char *)in->display_name;
    m.roles = in->roles;
    m.password_hash = ""; /* no password until the member chooses one */
    detail = pool_printf(p, "Account created in organization %s with roles: %s.", in->org,
                         chan_roles_text(p, in->roles));
    if (!detail) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        store_rollback(c->st);
        goto out;
    }
    if (store_org_by_slug(c->st, in->org, &m.org_id, e) ||
        store_member_insert(c->st, &m, now, &id, e) || store_member_by_id(c->st, p, id, &m, e) ||
        chan_setup_issue(c, p, id, "created", now, &setup, e) ||
        chan_account_event(c, id, "created", a, detail, now, 0, e) ||
        chan_event_roles(c, 0, m.roles, e) || store_commit(c->st, e)) {
        rc = chan_tx_end(c, -1, NULL, e);
        goto out;
    }
    *out = member_json(&m);
    json_object_set_new(*out, "setup", setup);
    setup = NULL;
    rc = 0;
out:
    json_decref(setup);
    return rc;
}

int chan_member_update(struct chan *c, struct pool *p, const struct actor *a, const char *username,
                       const unsigned *roles, const int *disabled, json_t **out, struct err *e)
{
    int rc = -1;
    struct st_member m;
    int64_t now = now_utc();
    unsigned old_roles;
    int was_disabled;

    if (chan_require_role(a, CHAN_ROLE_ADMIN, "change accounts", e) ||
        (roles && check_roles(*roles, e)))
        goto out;
    if (store_begin(c->st, e))
        goto out;
    if (store_member_by_username(c->st, p, username, &m, e))
        goto fail;
    old_roles = m.roles;
    was_disabled = m.disabled;
    if (roles)
        m.roles = *roles;
    if (disabled)
        m.disabled = *disabled != 0;
    /* A disabled member's ring key leaves the roster: later rings of new
     * memos, and refreshes, do not hold it. */
    if (store_member_update(c->st, &m, e) || (m.disabled && chan_roster_retire_member(c, &m, e)))
        goto fail;
    if (m.roles != old_roles) {
        const char *d = pool_printf(p, "Roles changed from %s to %s.",
                                    chan_roles_text(p, old_roles), chan_roles_text(p, m.roles));
        if (!d || chan_account_event(c, m.id, "roles_changed", a, d, now, 0, e) ||
            chan_event_roles(c, old_roles, m.roles, e))
            goto fail;
    }
    if (m.disabled && !was_disabled) {
        /* Every session and the setup link end now; enabling revives neither. */
        if (store_sessions_end(c->st, m.id, 0, e) || store_setup_delete(c->st, m.id, e) ||
            chan_account_event(c, m.id, "disabled", a, "Account disabled: every session was ended.",
                               now, 0, e))
            goto fail;
    } else if (!m.disabled && was_disabled) {
        if (chan_account_event(c, m.id, "enabled", a,
                               "Account enabled again (earlier sessions stay ended).", now, 0, e))
            goto fail;
    }
    if (store_commit(c->st, e))
        goto fail;
    *out = member_json(&m);
    rc = 0;
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    return rc;
}

int chan_members_page_args(const char *after, const char *limit, int *limit_out, struct err *e)
{
    int64_t l = CHAN_MEMBERS_PAGE_DEFAULT;
    *limit_out = (int)l;
    if (limit && *limit && parse_i64(limit, 1, CHAN_MEMBERS_PAGE_MAX, &l) != 0)
        return err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_MEMBERS_PAGE_MAX);
    *limit_out = (int)l;
    if (after && *after && chan_check_slug("after", after, e))
        return -1;
    return 0;
}

int chan_member_list(struct chan *c, const struct actor *a, const char *after, int limit,
                     json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_member *m = NULL;
    size_t n = 0;
    json_t *arr = json_array(), *next = NULL;
    pool_init(&p, 4u << 20);
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (chan_require_role(a, CHAN_ROLE_ADMIN, "list accounts", e))
        goto out;
    if (limit < 1 || limit > CHAN_MEMBERS_PAGE_MAX) {
        err_set(e, ERR_INVALID, "field 'limit' must be 1 to %d", CHAN_MEMBERS_PAGE_MAX);
        goto out;
    }
    if (after && *after && chan_check_slug("after", after, e))
        goto out;
    /* one more than asked: whether a next page exists */
    if (store_member_page(c->st, &p, after, limit + 1, &m, &n, e))
        goto out;
    if (n > (size_t)limit) {
        n = (size_t)limit;
        next = json_string(m[n - 1].username);
    } else {
        next = json_null();
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, member_json(&m[i]));
    *out = json_pack("{s:o,s:o}", "members", arr, "next_after", next);
    arr = NULL;
    if (!*out) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    json_decref(arr);
    pool_release(&p);
    return rc;
}

static json_t *term_json(int amount, int unit)
{
    return json_pack("{s:i,s:s}", "amount", amount, "unit", chan_unit_name(unit));
}

/* The API's channel object. */
static json_t *channel_json(const struct st_channel *ch, json_t *holidays)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:o,s:o,s:o},s:i,s:o}", "slug", ch->slug, "name",
                     ch->name, "preset", ch->preset, "ceiling", chan_marking_name(ch->ceiling),
                     "timezone", ch->timezone, "policy", "acknowledge",
                     term_json(ch->ack.amount, ch->ack.unit), "answer",
                     term_json(ch->answer.amount, ch->answer.unit), "extension",
                     term_json(ch->ext.amount, ch->ext.unit), "min_ring", ch->min_ring, "holidays",
                     holidays ? holidays : json_array());
}

static json_t *holidays_json(const struct st_holiday *h, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < n; i++) {
        int y;
        unsigned m, d;
        char date[16];
        civil_from_days(h[i].day, &y, &m, &d);
        snprintf(date, sizeof date, "%04d-%02u-%02u", y, m, d);
        json_array_append_new(arr, json_pack("{s:s,s:s}", "date", date, "name", h[i].name));
    }
    return arr;
}

int chan_channel_list(struct chan *c, json_t **out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_channel *ch = NULL;
    size_t n = 0;
    json_t *arr = json_array();
    pool_init(&p, 16u << 20);
    if (!arr) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (store_channel_list(c->st, &p, &ch, &n, e))
        goto out;
    for (size_t i = 0; i < n; i++) {
        struct st_holiday *h = NULL;
        size_t nh = 0;
        if (store_holiday_list(c->st, &p, ch[i].id, &h, &nh, e))
            goto out;
        json_array_append_new(arr, channel_json(&ch[i], holidays_json(h, nh)));
    }
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    pool_release(&p);
    return rc;
}

int chan_channel_get(struct chan *c, struct pool *p, const char *slug, json_t **out, struct err *e)
{
    int rc = -1;
    json_t *all = NULL;
    size_t i;
    json_t *row;
    (void)p;
    if (chan_channel_list(c, &all, e))
        goto out;
    json_array_foreach(all, i, row)
    {
        if (strcmp(json_string_value(json_object_get(row, "slug")), slug) == 0) {
            *out = json_incref(row);
            rc = 0;
            goto out;
        }
    }
    rc = err_set(e, ERR_NOT_FOUND, "no channel '%s'", slug);
out:
    json_decref(all);
    return rc;
}

int chan_channel_create(struct chan *c, struct pool *p, const struct actor *a,
                        const struct chan_channel_input *in, json_t **out, struct err *e)
{
    int rc = -1;
    const struct chan_preset *pre = NULL;
    struct st_channel ch = {0};
    int64_t id;

    if (chan_require_role(a, CHAN_ROLE_ADMIN, "create channels", e) ||
        chan_check_slug("slug", in->slug, e) ||
        chan_check_text("name", in->name, CHAN_NAME_MAX, 1, e) ||
        chan_check_text("preset", in->preset, CHAN_SLUG_MAX, 1, e))
        goto out;
    for (size_t i = 0; i < ARRAY_LEN(presets); i++)
        if (strcmp(presets[i].name, in->preset) == 0)
            pre = &presets[i];
    if (!pre) {
        rc = err_set(e, ERR_INVALID, "field 'preset' must be 'state-dissent' or 'eu-directive'");
        goto out;
    }
    if (!in->ceiling || chan_marking_parse(in->ceiling, &ch.ceiling)) {
        rc = err_set(e, ERR_INVALID,
                     "field 'ceiling' must be one of UNCLASSIFIED, SBU, "
                     "CONFIDENTIAL, SECRET");
        goto out;
    }
    ch.timezone = (char *)(in->timezone ? in->timezone : pre->timezone);
    if (!tz_valid(ch.timezone)) {
        rc = err_set(e, ERR_INVALID,
                     "field 'timezone' must be a time zone name such as "
                     "'Europe/Brussels' or 'UTC'");
        goto out;
    }
    if (in->min_ring && (in->min_ring < CHAN_MIN_RING_FLOOR || in->min_ring > 65536)) {
        rc = err_set(e, ERR_INVALID,
                     "field 'min_ring' is the fewest keys a ring needs for anonymous "
                     "signatures: %d to 65536",
                     CHAN_MIN_RING_FLOOR);
        goto out;
    }
    ch.min_ring = in->min_ring ? in->min_ring : CHAN_MIN_RING_DEFAULT;
    ch.slug = (char *)in->slug;
    ch.name = (char *)in->name;
    ch.preset = (char *)pre->name;
    ch.ack = pre->ack;
    ch.answer = pre->answer;
    ch.ext = pre->ext;
    if (store_begin(c->st, e))
        goto out;
    if (store_channel_insert(c->st, &ch, now_utc(), &id, e) || store_commit(c->st, e)) {
        rc = chan_tx_end(c, -1, NULL, e);
        goto out;
    }
    rc = chan_channel_get(c, p, in->slug, out, e);
out:
    return rc;
}

int chan_holiday_add(struct chan *c, struct pool *p, const struct actor *a, const char *slug,
                     const char *date, const char *name, json_t **out, struct err *e)
{
    int rc = -1;
    int64_t t;
    struct st_channel ch;

    if (chan_require_role(a, CHAN_ROLE_ADMIN, "change holiday calendars", e) ||
        chan_check_text("name", name, CHAN_NAME_MAX, 1, e))
        goto out;
    if (!date || strlen(date) != 10 || time_parse_utc(date, &t)) {
        rc = err_set(e, ERR_INVALID, "field 'date' must be a date written YYYY-MM-DD");
        goto out;
    }
    if (store_begin(c->st, e))
        goto out;
    if (store_channel_by_slug(c->st, p, slug, &ch, e) ||
        store_holiday_add(c->st, ch.id, t / 86400, name, e) || store_commit(c->st, e)) {
        rc = chan_tx_end(c, -1, NULL, e);
        goto out;
    }
    rc = chan_channel_get(c, p, slug, out, e);
out:
    return rc;
}
