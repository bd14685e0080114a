/* Tests for src/store/access.c through store.h, on every backend
 * (store_fixture.h): the access log's rows keep the reader's capacity at the
 * time of the read, lists select by it, and the other reads count per day. */
#include "store_fixture.h"

#include "store/store_internal.h"

#define DAY 86400

static struct st_read rd(int64_t memo, int64_t reader, unsigned roles, const char *what, int64_t at)
{
    struct st_read r = {
        .memo_id = memo, .reader_id = reader, .roles = roles, .what = what, .at = at};
    return r;
}

static void access_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_access *a = NULL;
    struct st_access_day *d = NULL;
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), ig = fx_member(s, org, "ig", 8);
    int64_t bob = fx_member(s, org, "bob", 1), rita = fx_member(s, org, "rita", 2);
    err_init(&e);
    int64_t m1 = fx_memo(s, ch, amy, "m1", 1, 1), m2 = fx_memo(s, ch, amy, "m2", 1, 1);
    OK(store_drafter_add(s, m1, amy, &e));
    struct st_read r[] = {
        rd(m1, ig, 8, "signer list", 10),
        rd(m2, amy, 1, "rendering", 11),
        rd(m1, amy, 1, "rendering", 12),              /* amy drafts m1 */
        rd(m1, bob, 1, "text of version 1", 13),      /* a plain member */
        rd(m1, bob, 1, "title in a list", 14),        /* the same day */
        rd(m1, bob, 1, "text of version 1", DAY + 5), /* the next day */
        rd(m1, rita, 2, "text of version 1", DAY + 6),
    };
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        OK(store_access_insert(s, &r[i], &e));

    struct st_access_filter all = {.memo_id = m1, .limit = 10};
    OK(store_access_list(s, p, &all, &a, &n, &e));
    assert_int_equal(n, 6);
    assert_string_equal(a[0].reader, "rita"); /* newest first */
    assert_int_equal(a[0].roles, 2);
    assert_int_equal(a[0].drafter, 0);
    assert_string_equal(a[4].reader, "amy");
    assert_string_equal(a[4].memo, "m1");
    assert_string_equal(a[4].what, "rendering");
    assert_int_equal(a[4].at, 12);
    assert_int_equal(a[4].drafter, 1); /* recorded by the store at the read */
    assert_string_equal(a[5].display_name, "ig");

    /* Named: drafters and holders of the given roles; bob is left out. */
    struct st_access_filter named = {.memo_id = m1, .named_roles = 2 | 4 | 8, .limit = 10};
    OK(store_access_list(s, p, &named, &a, &n, &e));
    assert_int_equal(n, 3);
    assert_string_equal(a[0].reader, "rita");
    assert_string_equal(a[1].reader, "amy");
    assert_string_equal(a[2].reader, "ig");

    /* The others, per UTC day, newest first. */
    OK(store_access_days(s, p, &named, "title in a list", &d, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(d[0].day, 1);
    assert_int_equal(d[0].reads, 1);
    assert_int_equal(d[0].listed, 0);
    assert_int_equal(d[1].day, 0);
    assert_int_equal(d[1].reads, 2);
    assert_int_equal(d[1].listed, 1);
    assert_int_equal(d[1].readers, 1);

    /* The whole log, and its limit. */
    struct st_access_filter whole = {.limit = 10};
    OK(store_access_list(s, p, &whole, &a, &n, &e));
    assert_int_equal(n, 7);
    assert_string_equal(a[5].memo, "m2");
    whole.limit = 1;
    OK(store_access_list(s, p, &whole, &a, &n, &e));
    assert_int_equal(n, 1);
    assert_null(a[0].title); /* titles only when asked for */

    /* The auditor's filters: by memo, by reader, by time, a page of them,
     * the total, and the memo's title opened. */
    int64_t total = 0;
    struct st_access_filter byf = {.memo = "m1", .reader = "bob", .limit = 10, .titles = 1};
    OK(store_access_list(s, p, &byf, &a, &n, &e));
    OK(store_access_count(s, &byf, &total, &e));
    assert_int_equal(n, 3);
    assert_int_equal(total, 3);
    assert_string_equal(a[0].title, "title-m1");
    assert_int_equal(a[0].at, DAY + 5);
    byf.from = 14;
    byf.to = DAY;
    OK(store_access_list(s, p, &byf, &a, &n, &e));
    OK(store_access_count(s, &byf, &total, &e));
    assert_int_equal(n, 1);
    assert_int_equal(total, 1);
    assert_string_equal(a[0].what, "title in a list");
    struct st_access_filter pg = {.limit = 2, .offset = 2, .titles = 1};
    OK(store_access_list(s, p, &pg, &a, &n, &e));
    OK(store_access_count(s, &pg, &total, &e));
    assert_int_equal(total, 7);
    assert_int_equal(n, 2);
    assert_int_equal(a[0].at, 14);
    assert_int_equal(a[1].at, 13);
    pg.offset = 6;
    OK(store_access_list(s, p, &pg, &a, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(a[0].title, "title-m1");
    struct st_access_filter none = {.memo = "m2", .reader = "bob", .limit = 10};
    OK(store_access_list(s, p, &none, &a, &n, &e));
    OK(store_access_count(s, &none, &total, &e));
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);
    struct st_access_filter of2 = {.memo = "m2", .limit = 10, .titles = 1};
    OK(store_access_list(s, p, &of2, &a, &n, &e));
    assert_int_equal(n, 1);
    assert_string_equal(a[0].title, "title-m2");
}

/* A list's reads in one call: every memo gets its row, with its own
 * drafter flag, whatever the count (the statements go in chunks). */
static void many_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_access *a = NULL;
    size_t n = 0;
    int64_t ch = fx_channel(s, "ch"), org = fx_org(s, "org");
    int64_t amy = fx_member(s, org, "amy", 1), bob = fx_member(s, org, "bob", 1);
    int64_t ids[203];
    char pid[16];
    err_init(&e);
    for (int i = 0; i < 203; i++) {
        snprintf(pid, sizeof pid, "m%d", i);
        ids[i] = fx_memo(s, ch, amy, pid, 1, 1);
        if (i % 7 == 3)
            OK(store_drafter_add(s, ids[i], bob, &e));
    }
    struct st_read r = rd(0, bob, 1, "title in a list", 42);
    OK(store_access_insert_many(s, &r, ids, 0, &e));
    static const size_t counts[] = {1, 57, 203};
    for (size_t k = 0; k < 3; k++) {
        struct st_access_filter all = {.limit = 1000};
        size_t seen = 0;
        char hit[203] = {0};
        r.at = 100 + (int64_t)k;
        OK(store_access_insert_many(s, &r, ids, counts[k], &e));
        OK(store_access_list(s, p, &all, &a, &n, &e));
        for (size_t i = 0; i < n; i++) {
            long idx = strtol(a[i].memo + 1, NULL, 10);
            if (a[i].at != r.at)
                continue;
            seen++;
            assert_true(idx >= 0 && (size_t)idx < counts[k]);
            assert_false(hit[idx]); /* each once */
            hit[idx] = 1;
            assert_string_equal(a[i].reader, "bob");
            assert_string_equal(a[i].what, "title in a list");
            assert_int_equal(a[i].roles, 1);
            assert_int_equal(a[i].drafter, idx % 7 == 3);
        }
        assert_int_equal(seen, counts[k]);
    }
}

static void test_access_many(void **state)
{
    (void)state;
    fx_run(many_case);
}

static void test_access(void **state)
{
    (void)state;
    fx_run(access_case);
}

/* A drafter's access-log page lists and counts one memo's reads: found
 * by index, newest first, not by scanning the whole log (every read of
 * every memo) from the newest back. These are the queries store_access_list
 * and store_access_count run for one memo. */
static void test_memo_reads_indexed(void **state)
{
    char plan[1024], sql[2048];
    (void)state;
    snprintf(sql, sizeof sql, "EXPLAIN QUERY PLAN " STORE_ACCESS_LIST_SQL(STORE_ACCESS_OF_MEMO),
             201, 0LL);
    fx_sqlite_plan(sql, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN a"));
    assert_non_null(strstr(plan, "access_log_memo (memo_id=?)"));
    assert_null(strstr(plan, "TEMP B-TREE"));
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_ACCESS_COUNT_SQL(STORE_ACCESS_OF_MEMO), plan,
                   sizeof plan);
    assert_null(strstr(plan, "SCAN a"));
    assert_non_null(strstr(plan, "access_log_memo (memo_id=?)"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_access),
        cmocka_unit_test(test_access_many),
        cmocka_unit_test(test_memo_reads_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
