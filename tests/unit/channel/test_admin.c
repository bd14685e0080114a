/* Tests for src/channel/admin.c through channel/chan.h: organizations,
 * member accounts, channels with their presets, ceilings, time zones and
 * holidays; only admins (or the local operator, actor NULL) administer; the
 * admin role is exclusive and an admin passes no memo rule. */
#include "unit/channel/fixture.h"

#include "store/store.h"

static void test_organizations(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row;
    size_t i;
    int found = 0;

    err_init(&e);
    fx_ok(chan_org_create(f->c, &f->adm, "treasury", "Treasury", &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "slug")), "treasury");
    json_decref(out);
    fx_refused(chan_org_create(f->c, &f->adm, "treasury", "Again", &out, &e), &e, ERR_CONFLICT,
               "already exists");
    fx_refused(chan_org_create(f->c, &f->alice, "commerce", "Commerce", &out, &e), &e,
               ERR_FORBIDDEN, "only an admin");
    fx_refused(chan_org_create(f->c, &f->rev, "commerce", "Commerce", &out, &e), &e, ERR_FORBIDDEN,
               NULL);
    fx_refused(chan_org_create(f->c, &f->adm, "Bad Slug", "X", &out, &e), &e, ERR_INVALID,
               "'slug'");
    fx_refused(chan_org_create(f->c, &f->adm, "-x", "X", &out, &e), &e, ERR_INVALID, "'slug'");
    fx_refused(chan_org_create(f->c, &f->adm, "commerce", "", &out, &e), &e, ERR_INVALID, "'name'");
    fx_ok(chan_org_list(f->c, &f->alice, &out, &e), &e);
    json_array_foreach(out, i, row)
    {
        const char *slug = json_string_value(json_object_get(row, "slug"));
        assert_true(strcmp(slug, "commerce") != 0);
        found += strcmp(slug, "treasury") == 0;
    }
    assert_int_equal(found, 1);
    json_decref(out);
}

static void test_members(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row;
    size_t i;
    unsigned roles;
    int disabled = 1;
    struct chan_member_input in = {.username = "dave",
                                   .display_name = "Dave D.",
                                   .org = "usaid",
                                   .roles = CHAN_ROLE_MEMBER | CHAN_ROLE_LEADERSHIP};
    struct chan_member_input bad;

    err_init(&e);
    fx_ok(chan_member_create(f->c, &f->p, &f->adm, &in, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "organization")), "usaid");
    assert_int_equal(json_array_size(json_object_get(out, "roles")), 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(out, "roles"), 0)),
                        "member");
    assert_false(json_is_true(json_object_get(out, "disabled")));
    assert_null(json_object_get(out, "password_hash"));
    /* No password: a one-time setup link the member completes. */
    assert_int_equal(
        strlen(json_string_value(json_object_get(json_object_get(out, "setup"), "token"))), 43);
    json_decref(out);

    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &in, &out, &e), &e, ERR_CONFLICT, "taken");
    fx_refused(chan_member_create(f->c, &f->p, &f->alice, &in, &out, &e), &e, ERR_FORBIDDEN,
               "only an admin");
    bad = in;
    bad.username = "erin";
    bad.roles = CHAN_ROLE_ADMIN | CHAN_ROLE_AUDITOR;
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "cannot be combined");
    bad.roles = 0;
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'roles'");
    bad.roles = 1u << 7;
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'roles'");
    bad.roles = CHAN_ROLE_MEMBER;
    bad.org = "nowhere";
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_NOT_FOUND,
               "nowhere");
    bad.org = "usaid";
    bad.display_name = "";
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'display_name'");
    bad.display_name = "E";
    bad.username = "Erin";
    fx_refused(chan_member_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'username'");

    /* updates: roles, disabled; the admin role stays exclusive */
    roles = CHAN_ROLE_MEMBER;
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "dave", &roles, &disabled, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "roles")), 1);
    assert_true(json_is_true(json_object_get(out, "disabled")));
    json_decref(out);
    roles = CHAN_ROLE_ADMIN | CHAN_ROLE_REVIEWER;
    fx_refused(chan_member_update(f->c, &f->p, &f->adm, "adm", &roles, NULL, &out, &e), &e,
               ERR_INVALID, "cannot be combined");
    fx_refused(chan_member_update(f->c, &f->p, &f->adm, "ghost", NULL, &disabled, &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_member_update(f->c, &f->p, &f->rev, "dave", NULL, &disabled, &out, &e), &e,
               ERR_FORBIDDEN, NULL);

    fx_ok(chan_member_list(f->c, &f->adm, NULL, CHAN_MEMBERS_PAGE_DEFAULT, &out, &e), &e);
    assert_true(json_is_null(json_object_get(out, "next_after")));
    json_array_foreach(json_object_get(out, "members"), i, row)
    {
        assert_true(json_is_array(json_object_get(row, "roles")));
        assert_null(json_object_get(row, "password_hash"));
        if (strcmp(json_string_value(json_object_get(row, "username")), "adm") == 0) {
            assert_int_equal(json_array_size(json_object_get(row, "roles")), 1);
            assert_string_equal(json_string_value(json_array_get(json_object_get(row, "roles"), 0)),
                                "admin");
        }
    }
    json_decref(out);
    fx_refused(chan_member_list(f->c, &f->aud, NULL, 10, &out, &e), &e, ERR_FORBIDDEN, NULL);
}

/* The member list comes in pages that together hold every member exactly
 * once (460 more members than the fixture's); the default page is bounded;
 * a limit over the maximum and a cursor that is not a username are
 * refused. The whole list was one reply, growing with the institution. */
static void test_member_pages(void **state)
{
    enum { EXTRA = 460 };
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL, *row, *names = json_object();
    int64_t all = 0;
    char user[32], next[80] = "";
    int pages = 0, limit = 0;
    size_t i, total = 0;
    static const char *const bad_limits[] = {"0", "1001", "-1", "x"};
    static const char *const bad_afters[] = {"A", "-a", "a b", "a/b", "é"};

    err_init(&e);
    for (int k = 0; k < EXTRA; k++) {
        snprintf(user, sizeof user, "zz%03d", (k * 7) % EXTRA);
        (void)fx_plain_member(f, user);
    }
    fx_ok(store_member_count(chan_store(f->c), &all, &e), &e);

    fx_ok(chan_members_page_args(NULL, NULL, &limit, &e), &e);
    assert_int_equal(limit, CHAN_MEMBERS_PAGE_DEFAULT);
    fx_ok(chan_member_list(f->c, &f->adm, NULL, limit, &out, &e), &e);
    assert_int_equal(json_array_size(json_object_get(out, "members")), CHAN_MEMBERS_PAGE_DEFAULT);
    assert_true(json_is_string(json_object_get(out, "next_after")));
    json_decref(out);
    for (i = 0; i < ARRAY_LEN(bad_limits); i++)
        fx_refused(chan_members_page_args(NULL, bad_limits[i], &limit, &e), &e, ERR_INVALID,
                   "limit");
    for (i = 0; i < ARRAY_LEN(bad_afters); i++) {
        fx_refused(chan_members_page_args(bad_afters[i], "5", &limit, &e), &e, ERR_INVALID,
                   "after");
        fx_refused(chan_member_list(f->c, &f->adm, bad_afters[i], 5, &out, &e), &e, ERR_INVALID,
                   "after");
    }
    fx_refused(chan_member_list(f->c, &f->adm, NULL, CHAN_MEMBERS_PAGE_MAX + 1, &out, &e), &e,
               ERR_INVALID, "limit");

    do {
        fx_ok(chan_members_page_args(next, "170", &limit, &e), &e);
        fx_ok(chan_member_list(f->c, &f->adm, next, limit, &out, &e), &e);
        pages++;
        json_array_foreach(json_object_get(out, "members"), i, row)
        {
            const char *u = json_string_value(json_object_get(row, "username"));
            assert_null(json_object_get(names, u));
            json_object_set_new(names, u, json_true());
            total++;
        }
        row = json_object_get(out, "next_after");
        snprintf(next, sizeof next, "%s", json_is_string(row) ? json_string_value(row) : "");
        json_decref(out);
    } while (next[0]);
    assert_int_equal(total, (size_t)all);
    assert_int_equal(pages, (int)((all + 169) / 170));
    json_decref(names);
}

/* Asserts a channel's policy term. */
static void expect_term(const json_t *ch, const char *term, int amount, const char *unit)
{
    const json_t *t = json_object_get(json_object_get(ch, "policy"), term);
    assert_int_equal(fx_int(t, "amount", NULL), amount);
    assert_string_equal(json_string_value(json_object_get(t, "unit")), unit);
}

static void test_channels(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct chan_channel_input in = {.slug = "utc-ch",
                                    .name = "In UTC",
                                    .preset = "state-dissent",
                                    .ceiling = "UNCLASSIFIED",
                                    .timezone = "UTC"};
    struct chan_channel_input bad;

    err_init(&e);
    fx_ok(chan_channel_get(f->c, &f->p, "dissent", &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "preset")), "state-dissent");
    assert_string_equal(json_string_value(json_object_get(out, "timezone")), "America/New_York");
    assert_string_equal(json_string_value(json_object_get(out, "ceiling")), "SBU");
    expect_term(out, "acknowledge", 2, "working_days");
    expect_term(out, "answer", 30, "working_days");
    expect_term(out, "extension", 60, "working_days");
    json_decref(out);
    fx_ok(chan_channel_get(f->c, &f->p, "eu", &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "timezone")), "Europe/Brussels");
    expect_term(out, "acknowledge", 7, "days");
    expect_term(out, "answer", 3, "months");
    expect_term(out, "extension", 0, "months");
    json_decref(out);

    fx_ok(chan_channel_create(f->c, &f->p, &f->adm, &in, &out, &e), &e);
    assert_string_equal(json_string_value(json_object_get(out, "timezone")), "UTC");
    assert_string_equal(json_string_value(json_object_get(out, "ceiling")), "UNCLASSIFIED");
    assert_int_equal(json_array_size(json_object_get(out, "holidays")), 0);
    json_decref(out);
    fx_refused(chan_channel_create(f->c, &f->p, &f->adm, &in, &out, &e), &e, ERR_CONFLICT,
               "already exists");
    bad = in;
    bad.slug = "other";
    fx_refused(chan_channel_create(f->c, &f->p, &f->alice, &bad, &out, &e), &e, ERR_FORBIDDEN,
               "only an admin");
    bad.preset = "whistle";
    fx_refused(chan_channel_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'preset'");
    bad.preset = "eu-directive";
    bad.ceiling = "PUBLIC";
    fx_refused(chan_channel_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'ceiling'");
    bad.ceiling = NULL;
    fx_refused(chan_channel_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'ceiling'");
    bad.ceiling = "SBU";
    bad.timezone = "Mars/Olympus_Mons";
    fx_refused(chan_channel_create(f->c, &f->p, &f->adm, &bad, &out, &e), &e, ERR_INVALID,
               "'timezone'");
    fx_refused(chan_channel_get(f->c, &f->p, "other", &out, &e), &e, ERR_NOT_FOUND, "other");

    /* holidays */
    fx_ok(chan_holiday_add(f->c, &f->p, &f->adm, "utc-ch", "2026-12-25", "Christmas", &out, &e),
          &e);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(out, "holidays"), 0), "date")),
                        "2026-12-25");
    json_decref(out);
    fx_refused(chan_holiday_add(f->c, &f->p, &f->adm, "utc-ch", "25/12/2026", "X", &out, &e), &e,
               ERR_INVALID, "YYYY-MM-DD");
    fx_refused(chan_holiday_add(f->c, &f->p, &f->adm, "utc-ch", "2026-02-30", "X", &out, &e), &e,
               ERR_INVALID, "YYYY-MM-DD");
    fx_refused(chan_holiday_add(f->c, &f->p, &f->adm, "nowhere", "2026-12-24", "X", &out, &e), &e,
               ERR_NOT_FOUND, NULL);
    fx_refused(chan_holiday_add(f->c, &f->p, &f->rev, "utc-ch", "2026-12-24", "X", &out, &e), &e,
               ERR_FORBIDDEN, NULL);
    fx_ok(chan_channel_list(f->c, &out, &e), &e);
    assert_true(json_array_size(out) >= 3);
    json_decref(out);
}

/* The admin role is exclusive, and an admin passes no memo rule, in any state. */
static void test_admin_reads_no_memo(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    struct buf b;
    char id[RANDOM_ID_LEN + 1];
    static const int states[] = {CHAN_STATE_DRAFT, CHAN_STATE_CIRCULATING, CHAN_STATE_SUBMITTED,
                                 CHAN_STATE_CLOSED};

    err_init(&e);
    buf_init(&b, 1 << 20);
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        fx_memo_in(f, states[i], id);
        fx_refused(chan_memo_get(f->c, &f->p, &f->adm, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_memo_versions(f->c, &f->p, &f->adm, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_memo_rendering(f->c, &f->p, &f->adm, id, 0, &b, &e), &e, ERR_NOT_FOUND,
                   NULL);
        fx_refused(chan_signers(f->c, &f->p, &f->adm, id, NULL, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_counts(f->c, &f->p, &f->adm, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_messages(f->c, &f->p, &f->adm, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_access_log(f->c, &f->p, &f->adm, id, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_memo_act(f->c, &f->p, &f->adm, id, CHAN_OP_WITHDRAW, NULL, &out, &e), &e,
                   ERR_NOT_FOUND, NULL);
    }
    buf_release(&b);
    fx_refused(chan_memo_list(f->c, &f->adm, "all", &out, &e), &e, ERR_FORBIDDEN, NULL);
    fx_refused(
        chan_memo_create(f->c, &f->p, &f->adm, "dissent",
                         &(struct chan_version_input){.title = "T", .marking = "SBU", .body = "B"},
                         NULL, 0, &out, &e),
        &e, ERR_FORBIDDEN, NULL);
    fx_refused(chan_access_log(f->c, &f->p, &f->adm, NULL, &out, &e), &e, ERR_FORBIDDEN, NULL);
    /* An admin actor whose roles somehow carry another bit still reads nothing. */
    {
        struct actor both = f->adm;
        both.roles |= CHAN_ROLE_REVIEWER | CHAN_ROLE_MEMBER;
        fx_memo_in(f, CHAN_STATE_SUBMITTED, id);
        fx_refused(chan_memo_get(f->c, &f->p, &both, id, 0, &out, &e), &e, ERR_NOT_FOUND, NULL);
        fx_refused(chan_signers(f->c, &f->p, &both, id, NULL, &out, &e), &e, ERR_NOT_FOUND, NULL);
    }
}

/* The role leaves appended since log index from, as "action role" strings
 * joined by spaces (static storage); asserts no leaf names the account. */
static const char *role_leaves_since(struct fx *f, int64_t from, const char *username)
{
    static char got[512];
    struct err e;
    json_t *out = NULL, *row;
    size_t i, n = 0;
    err_init(&e);
    got[0] = '\0';
    if (from == fx_log_size(f))
        return got;
    fx_ok(chan_log_leaves(f->c, from, fx_log_size(f), &out, &e), &e);
    json_array_foreach(json_object_get(out, "leaves"), i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        json_t *leaf = json_loads(data, 0, NULL);
        assert_non_null(leaf);
        if (strcmp(json_string_value(json_object_get(leaf, "kind")), "role") == 0) {
            assert_null(strstr(data, username));
            assert_int_equal(strlen(json_string_value(json_object_get(leaf, "at"))), 10);
            n += (size_t)snprintf(got + n, sizeof got - n, "%s%s %s", n ? " " : "",
                                  json_string_value(json_object_get(leaf, "action")),
                                  json_string_value(json_object_get(leaf, "role")));
        }
        json_decref(leaf);
    }
    json_decref(out);
    return got;
}

/* Granting or removing a privileged role appends a public "role" leaf:
 * the role and the day, never the name. */
static void test_role_leaves(void **state)
{
    struct fx *f = *state;
    struct err e;
    json_t *out = NULL;
    int64_t at;
    unsigned roles;
    struct chan_member_input in = {.username = "zelda",
                                   .display_name = "Zelda Z.",
                                   .org = "state",
                                   .roles = CHAN_ROLE_MEMBER | CHAN_ROLE_REVIEWER |
                                            CHAN_ROLE_LEADERSHIP};
    err_init(&e);
    at = fx_log_size(f);
    fx_ok(chan_member_create(f->c, &f->p, &f->adm, &in, &out, &e), &e);
    json_decref(out);
    assert_string_equal(role_leaves_since(f, at, "zelda"), "grant reviewer grant leadership");

    at = fx_log_size(f);
    roles = CHAN_ROLE_MEMBER | CHAN_ROLE_LEADERSHIP | CHAN_ROLE_AUDITOR;
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "zelda", &roles, NULL, &out, &e), &e);
    json_decref(out);
    assert_string_equal(role_leaves_since(f, at, "zelda"), "revoke reviewer grant auditor");

    /* the member role is not privileged: nothing logged */
    at = fx_log_size(f);
    roles = CHAN_ROLE_LEADERSHIP | CHAN_ROLE_AUDITOR;
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "zelda", &roles, NULL, &out, &e), &e);
    json_decref(out);
    assert_string_equal(role_leaves_since(f, at, "zelda"), "");

    roles = CHAN_ROLE_ADMIN;
    fx_ok(chan_member_update(f->c, &f->p, &f->adm, "zelda", &roles, NULL, &out, &e), &e);
    json_decref(out);
    assert_string_equal(role_leaves_since(f, at, "zelda"),
                        "revoke leadership revoke auditor grant admin");

    /* a refused change logs nothing */
    at = fx_log_size(f);
    roles = CHAN_ROLE_ADMIN | CHAN_ROLE_REVIEWER;
    fx_refused(chan_member_update(f->c, &f->p, &f->adm, "zelda", &roles, NULL, &out, &e), &e,
               ERR_INVALID, NULL);
    fx_refused(chan_member_update(f->c, &f->p, &f->rev, "zelda", &roles, NULL, &out, &e), &e,
               ERR_FORBIDDEN, NULL);
    assert_int_equal(fx_log_size(f), at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_organizations), cmocka_unit_test(test_members),
        cmocka_unit_test(test_channels),      cmocka_unit_test(test_admin_reads_no_memo),
        cmocka_unit_test(test_role_leaves),   cmocka_unit_test(test_member_pages),
    };
    return cmocka_run_group_tests(tests, fx_group_setup, fx_group_teardown);
}
