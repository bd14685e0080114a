/* Tests for src/store/accounts.c: setup links found by hash only, recovery
 * codes, and the throttling rows kept bounded (oldest dropped first) — on
 * every backend of store_fixture.h (SQLite, and PostgreSQL when asked). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/pool.h"
#include "store/store.h"
#include "store/store_internal.h"
#include "store_fixture.h"
#include "unit/test_tmp.h"

static void accounts(struct store *s, struct pool *p)
{
    char user[32];
    struct err e;
    unsigned char h1[32], h2[32], got[32];
    int64_t org = 0, member = 0, mid = 0, exp = 0, n = 0, f = 0, last = 0;
    char *kind = NULL;
    int found = 0;
    struct st_member m = {.username = "mona", .display_name = "Mona", .password_hash = ""};

    err_init(&e);
    assert_int_equal(store_org_insert(s, "ops", "Ops", 1, &org, &e), 0);
    m.org_id = org;
    m.roles = 1;
    assert_int_equal(store_member_insert(s, &m, 1, &member, &e), 0);

    memset(h1, 1, 32);
    memset(h2, 2, 32);
    assert_int_equal(store_setup_put(s, member, h1, "created", 10, 100, &e), 0);
    assert_int_equal(store_setup_find(s, p, h1, &mid, &kind, &exp, &e), 0);
    assert_int_equal(mid, member);
    assert_string_equal(kind, "created");
    assert_int_equal(exp, 100);
    /* A new link voids the old. */
    assert_int_equal(store_setup_put(s, member, h2, "reset", 20, 200, &e), 0);
    assert_int_equal(store_setup_find(s, p, h1, &mid, &kind, &exp, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_int_equal(store_setup_delete(s, member, &e), 0);
    assert_int_equal(store_setup_find(s, p, h2, &mid, &kind, &exp, &e), -1);

    assert_int_equal(store_recovery_get(s, member, got, &found, &e), 0);
    assert_false(found);
    assert_int_equal(store_recovery_put(s, member, h1, 5, &e), 0);
    assert_int_equal(store_recovery_put(s, member, h2, 6, &e), 0);
    assert_int_equal(store_recovery_get(s, member, got, &found, &e), 0);
    assert_true(found);
    assert_memory_equal(got, h2, 32);

    /* Throttling rows: counted per (username, client), trimmed to a bound. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(store_throttle_fail(s, "mona", "192.0.2.1", 100 + i, &e), 0);
    assert_int_equal(store_throttle_get(s, "mona", "192.0.2.1", &f, &last, &e), 0);
    assert_int_equal(f, 3);
    assert_int_equal(last, 102);
    for (int i = 0; i < 40; i++) {
        snprintf(user, sizeof user, "nobody%d", i);
        assert_int_equal(store_throttle_fail(s, user, "192.0.2.9", 200 + i, &e), 0);
    }
    assert_int_equal(store_throttle_client(s, "192.0.2.9", 0, &n, &e), 0);
    assert_int_equal(n, 40);
    assert_int_equal(store_throttle_trim(s, 0, 10, &e), 0);
    assert_int_equal(store_throttle_rows(s, &n, &e), 0);
    assert_int_equal(n, 10);
    /* The oldest went first: mona's row (last at 102) is gone, the newest stay. */
    assert_int_equal(store_throttle_get(s, "mona", "192.0.2.1", &f, &last, &e), 0);
    assert_int_equal(f, 0);
    assert_int_equal(store_throttle_get(s, "nobody39", "192.0.2.9", &f, &last, &e), 0);
    assert_int_equal(f, 1);
    assert_int_equal(store_throttle_trim(s, 235, 1000, &e), 0);
    assert_int_equal(store_throttle_rows(s, &n, &e), 0);
    assert_int_equal(n, 5);
}

/* On SQLite, then on PostgreSQL when DISSENT_TEST_PG_URL names a database
 * (tests/e2e/test_postgres.sh runs it so), each with its own key directory. */
static void test_accounts(void **state)
{
    (void)state;
    fx_run(accounts);
}

/* Every login first deletes the expired and idle sessions
 * (store_sessions_purge, inside the login's write transaction): both are
 * found by index, not by scanning every live session on each login. */
static void test_sessions_purge_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_SESSIONS_PURGE_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN sessions"));
    assert_non_null(strstr(plan, "expires_at<?"));
    assert_non_null(strstr(plan, "last_seen<?"));
}

/* Every login asks for the member's unseen account events
 * (chan_account_unseen): they are found by index, newest first, not by
 * scanning every member's events (all of them when she has none unseen).
 * This is the query store_account_events runs for one member. */
static void test_events_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ACCOUNT_EVENTS_SQL(STORE_EVENTS_OF_MEMBER), plan,
                   sizeof plan);
    assert_null(strstr(plan, "SCAN a"));
    assert_non_null(strstr(plan, "account_events_member (member_id=?)"));
    assert_null(strstr(plan, "TEMP B-TREE"));
}

/* Everyone's account events in pages, newest first: together they hold
 * every event exactly once, a page never more than asked, while events are
 * added between pages (newer: not on a later page). */
static void events_pages_case(struct store *s, struct pool *p)
{
    enum { N = 530, PAGE = 60 };
    struct err e;
    int64_t org = fx_org(s, "org"), a = fx_member(s, org, "a", 1), b = fx_member(s, org, "b", 1);
    int64_t before = 0, last = INT64_MAX;
    int seen[N + 1] = {0}, pages = 0;
    size_t total = 0;
    err_init(&e);
    for (int i = 0; i < N; i++) {
        char detail[32];
        snprintf(detail, sizeof detail, "%d", i);
        OK(store_account_event_add(s, i % 2 ? a : b, "k", NULL, detail, 10 + i, 0, &e));
    }
    for (;;) {
        struct st_account_event *ev = NULL;
        size_t n = 0;
        OK(store_account_events_before(s, p, before, PAGE, &ev, &n, &e));
        assert_in_range(n, 0, PAGE);
        for (size_t i = 0; i < n; i++) {
            int k = atoi(ev[i].detail);
            assert_true(ev[i].id < last);
            last = ev[i].id;
            assert_in_range(k, 0, N - 1);
            seen[k]++;
            total++;
        }
        if (++pages == 1)
            OK(store_account_event_add(s, a, "k", NULL, "new", 9999, 0, &e));
        if (n < PAGE)
            break;
        before = ev[n - 1].id;
    }
    assert_int_equal(total, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(pages, N / PAGE + 1);
}

static void test_events_pages(void **state)
{
    (void)state;
    fx_run(events_pages_case);
}

/* A page of everyone's events is read by the primary key, newest first:
 * no scan of every event and no sort. */
static void test_events_all_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ACCOUNT_EVENTS_SQL(STORE_EVENTS_OF_ALL), plan,
                   sizeof plan);
    assert_null(strstr(plan, "SCAN a"));
    assert_non_null(strstr(plan, "rowid<?"));
    assert_null(strstr(plan, "TEMP B-TREE"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts),           cmocka_unit_test(test_sessions_purge_indexed),
        cmocka_unit_test(test_events_indexed),     cmocka_unit_test(test_events_pages),
        cmocka_unit_test(test_events_all_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
