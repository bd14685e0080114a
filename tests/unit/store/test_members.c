/* Tests for src/store/members.c through store.h, on every backend
 * (store_fixture.h): organizations, members, sessions, login throttling. */
#include "store_fixture.h"
#include "store/store_internal.h"

static void orgs_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_org *o = NULL;
    size_t n = 9;
    int64_t a, b, id = 0;
    err_init(&e);
    OK(store_org_list(s, p, &o, &n, &e));
    assert_int_equal(n, 0);
    b = fx_org(s, "zeta");
    a = fx_org(s, "alpha");
    assert_true(a > 0 && b > 0 && a != b);
    fx_member(s, b, "z1", 1);
    fx_member(s, b, "z2", 1);
    OK(store_org_list(s, p, &o, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(o[0].slug, "alpha"); /* by slug */
    assert_int_equal(o[0].members, 0);
    assert_string_equal(o[1].slug, "zeta");
    assert_string_equal(o[1].name, "zeta");
    assert_int_equal(o[1].members, 2);
    OK(store_org_by_slug(s, "zeta", &id, &e));
    assert_int_equal(id, b);
    FAILS(store_org_by_slug(s, "none", &id, &e), ERR_NOT_FOUND);
    FAILS(store_org_insert(s, "alpha", "again", 1, &id, &e), ERR_CONFLICT);
}

static void test_orgs(void **state)
{
    (void)state;
    fx_run(orgs_case);
}

static void members_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_member m, *list = NULL;
    size_t n = 0;
    int64_t org = fx_org(s, "org"), count = 0, id;
    err_init(&e);
    int64_t bob = fx_member(s, org, "bob", 1 | 2);
    int64_t alice = fx_member(s, org, "alice", 1);
    OK(store_member_by_username(s, p, "bob", &m, &e));
    assert_int_equal(m.id, bob);
    assert_string_equal(m.username, "bob");
    assert_string_equal(m.org_slug, "org");
    assert_int_equal(m.org_id, org);
    assert_int_equal(m.roles, 3);
    assert_string_equal(m.password_hash, "hash");
    assert_int_equal(m.disabled, 0);
    FAILS(store_member_by_username(s, p, "nobody", &m, &e), ERR_NOT_FOUND);
    FAILS(store_member_by_id(s, p, bob + alice + 100, &m, &e), ERR_NOT_FOUND);
    FAILS(store_member_insert(s, &m, 1, &id, &e), ERR_CONFLICT); /* bob again */

    /* Update writes display name, roles, hash and the disabled flag. */
    OK(store_member_by_id(s, p, alice, &m, &e));
    m.display_name = "Alice A.";
    m.roles = 8;
    m.password_hash = "new";
    m.disabled = 1;
    OK(store_member_update(s, &m, &e));
    OK(store_member_by_id(s, p, alice, &m, &e));
    assert_string_equal(m.display_name, "Alice A.");
    assert_int_equal(m.roles, 8);
    assert_string_equal(m.password_hash, "new");
    assert_int_equal(m.disabled, 1);

    /* The list: by username, no password hashes. */
    OK(store_member_page(s, p, NULL, 10, &list, &n, &e));
    assert_int_equal(n, 2);
    assert_string_equal(list[0].username, "alice");
    assert_int_equal(list[0].id, alice);
    assert_int_equal(list[0].disabled, 1);
    assert_int_equal(list[0].roles, 8);
    assert_string_equal(list[0].org_slug, "org");
    assert_null(list[0].password_hash);
    assert_string_equal(list[1].username, "bob");
    assert_null(list[1].password_hash);
    OK(store_member_count(s, &count, &e));
    assert_int_equal(count, 2);
    /* a page of one, then the one after bob: none */
    OK(store_member_page(s, p, "", 1, &list, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(list[0].username, "alice");
    OK(store_member_page(s, p, "alice", 1, &list, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(list[0].username, "bob");
    OK(store_member_page(s, p, "bob", 1, &list, &n, &e));
    assert_int_equal(n, 0);
}

/* Pages of the member list hold every member exactly once, by username. */
static void member_pages_case(struct store *s, struct pool *p)
{
    enum { N = 230, PAGE = 25 };
    struct err e;
    int64_t org = fx_org(s, "org");
    int seen[N] = {0}, pages = 0;
    size_t total = 0;
    char after[32] = "";
    err_init(&e);
    for (int i = 0; i < N; i++) {
        char user[32];
        /* created out of username order */
        snprintf(user, sizeof user, "m%03d", (i * 7) % N);
        fx_member(s, org, user, 1);
    }
    for (;;) {
        struct st_member *m = NULL;
        size_t n = 0;
        OK(store_member_page(s, p, after, PAGE, &m, &n, &e));
        pages++;
        for (size_t i = 0; i < n; i++) {
            int k = -1;
            assert_true(strcmp(m[i].username, after) > 0);
            assert_int_equal(sscanf(m[i].username, "m%d", &k), 1);
            assert_in_range(k, 0, N - 1);
            seen[k]++;
            total++;
            snprintf(after, sizeof after, "%s", m[i].username);
        }
        if (n < PAGE)
            break;
    }
    assert_int_equal(total, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(pages, N / PAGE + 1);
}

static void test_member_pages(void **state)
{
    (void)state;
    fx_run(member_pages_case);
}

/* A page of members is read by the username's index: no scan, no sort. */
static void test_member_page_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_MEMBER_PAGE_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN m"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    assert_non_null(strstr(plan, "username>?"));
}

static void test_members(void **state)
{
    (void)state;
    fx_run(members_case);
}

static void sessions_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_member m;
    unsigned char token[32], other[32];
    int64_t sid = 0, n = 0;
    char *csrf = NULL;
    int64_t org = fx_org(s, "org"), bob = fx_member(s, org, "bob", 1);
    err_init(&e);
    memset(token, 0, sizeof token);
    token[5] = '\\';
    memcpy(other, token, sizeof other);
    other[31] = 1;
    OK(store_session_insert(s, token, bob, "csrf-1", 10, 100, &e));
    OK(store_session_lookup(s, p, token, 50, &sid, &csrf, &m, &e));
    assert_true(sid > 0);
    assert_string_equal(csrf, "csrf-1");
    assert_int_equal(m.id, bob);
    FAILS(store_session_lookup(s, p, other, 50, &sid, &csrf, &m, &e), ERR_UNAUTHORIZED);
    FAILS(store_session_lookup(s, p, token, 100, &sid, &csrf, &m, &e), ERR_UNAUTHORIZED);
    /* A disabled member's session no longer works. */
    OK(store_member_by_id(s, p, bob, &m, &e));
    m.disabled = 1;
    OK(store_member_update(s, &m, &e));
    FAILS(store_session_lookup(s, p, token, 50, &sid, &csrf, &m, &e), ERR_UNAUTHORIZED);
    m.disabled = 0;
    OK(store_member_update(s, &m, &e));
    OK(store_session_lookup(s, p, token, 50, &sid, &csrf, &m, &e));
    OK(store_session_delete(s, sid, &e));
    FAILS(store_session_lookup(s, p, token, 50, &sid, &csrf, &m, &e), ERR_UNAUTHORIZED);

    /* Login failures count from a time, per username, until cleared. */
    OK(store_login_failure_add(s, "bob", 10, &e));
    OK(store_login_failure_add(s, "bob", 20, &e));
    OK(store_login_failure_add(s, "eve", 20, &e));
    OK(store_login_failure_count(s, "bob", 15, &n, &e));
    assert_int_equal(n, 1);
    OK(store_login_failure_count(s, "bob", 0, &n, &e));
    assert_int_equal(n, 2);
    OK(store_login_failure_clear(s, "bob", &e));
    OK(store_login_failure_count(s, "bob", 0, &n, &e));
    assert_int_equal(n, 0);
    OK(store_login_failure_count(s, "eve", 0, &n, &e));
    assert_int_equal(n, 1);
}

static void test_sessions(void **state)
{
    (void)state;
    fx_run(sessions_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orgs),         cmocka_unit_test(test_members),
        cmocka_unit_test(test_member_pages), cmocka_unit_test(test_member_page_indexed),
        cmocka_unit_test(test_sessions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
