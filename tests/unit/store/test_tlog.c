/* Tests for src/store/tlog.c through store.h, on every backend
 * (store_fixture.h): the transparency log's leaves and tree nodes. */
#include "store_fixture.h"

#include "store/store_internal.h"

static void nodes_case(struct store *s, struct pool *p)
{
    struct err e;
    unsigned char node[32], back[32];
    (void)p;
    err_init(&e);
    for (int i = 0; i < 32; i++)
        node[i] = (unsigned char)(i * 37 + 92);
    node[0] = 0;
    node[1] = '\\';
    OK(store_tlog_node_put(s, 0, 0, node, &e));
    OK(store_tlog_node_put(s, 3, 7, node + 0, &e));
    FAILS(store_tlog_node_put(s, 0, 0, node, &e), ERR_CONFLICT);
    OK(store_tlog_node_get(s, 0, 0, back, &e));
    assert_memory_equal(node, back, 32);
    OK(store_tlog_node_get(s, 3, 7, back, &e));
    assert_memory_equal(node, back, 32);
    FAILS(store_tlog_node_get(s, 3, 9, back, &e), ERR_NOT_FOUND);
}

static void test_nodes(void **state)
{
    (void)state;
    fx_run(nodes_case);
}

static void leaves_case(struct store *s, struct pool *p)
{
    struct err e;
    struct st_leaf *l = NULL;
    size_t n = 9;
    int64_t size = 9;
    static const char utf8[] = "{\"a\":\"\\u00e9 \xc3\xa9\"}";
    err_init(&e);
    OK(store_tlog_size(s, &size, &e));
    assert_int_equal(size, 0);
    OK(store_tlog_leaves(s, p, 0, 10, &l, &n, &e));
    assert_int_equal(n, 0);
    OK(store_tlog_leaf_insert(s, 0, utf8, "m1", "version", 1, &e));
    OK(store_tlog_leaf_insert(s, 1, "{\"b\":2}", "m1", "state", 0, &e));
    OK(store_tlog_leaf_insert(s, 2, "{\"c\":3}", NULL, "roster", 0, &e));
    OK(store_tlog_leaf_insert(s, 3, "{\"d\":4}", "m2", "version", 1, &e));
    FAILS(store_tlog_leaf_insert(s, 3, "{}", NULL, "roster", 0, &e), ERR_CONFLICT);
    OK(store_tlog_size(s, &size, &e));
    assert_int_equal(size, 4);

    /* A range [start, end), by index; the text as stored. */
    OK(store_tlog_leaves(s, p, 0, 2, &l, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].index, 0);
    assert_string_equal(l[0].data, utf8);
    assert_int_equal(l[0].len, strlen(utf8));
    assert_int_equal(l[1].index, 1);
    OK(store_tlog_leaves(s, p, 2, 100, &l, &n, &e));
    assert_int_equal(n, 2);
    assert_int_equal(l[0].index, 2);
    assert_string_equal(l[1].data, "{\"d\":4}");

    /* One memo's leaves, optionally of one kind. */
    OK(store_tlog_memo_leaves(s, p, "m1", NULL, &l, &n, &e));
    assert_int_equal(n, 2);
    OK(store_tlog_memo_leaves(s, p, "m1", "state", &l, &n, &e));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].index, 1);
    assert_string_equal(l[0].data, "{\"b\":2}");
    OK(store_tlog_memo_leaves(s, p, "m3", NULL, &l, &n, &e));
    assert_int_equal(n, 0);

    /* The last leaf of a kind about no memo (a client release). */
    {
        struct st_leaf last = {0};
        int found = 1;
        OK(store_tlog_last_of_kind(s, p, "client-release", &last, &found, &e));
        assert_int_equal(found, 0);
        OK(store_tlog_last_of_kind(s, p, "roster", &last, &found, &e));
        assert_int_equal(found, 1);
        assert_int_equal(last.index, 2);
        OK(store_tlog_leaf_insert(s, 4, "{\"r\":1}", NULL, "client-release", 0, &e));
        OK(store_tlog_leaf_insert(s, 5, "{\"r\":2}", NULL, "client-release", 0, &e));
        OK(store_tlog_last_of_kind(s, p, "client-release", &last, &found, &e));
        assert_int_equal(found, 1);
        assert_int_equal(last.index, 5);
        assert_string_equal(last.data, "{\"r\":2}");
    }

    /* Leaf data must read back as UTF-8 text. */
    OK(store_tlog_leaf_insert(s, 6, "{\"x\":\"\xff\"}", "m4", "state", 0, &e));
    FAILS(store_tlog_memo_leaves(s, p, "m4", NULL, &l, &n, &e), ERR_DB);
}

static void test_leaves(void **state)
{
    (void)state;
    fx_run(leaves_case);
}

/* The public memo page reads the memo's missed deadlines on every view:
 * the leaves of one kind are found by (memo, kind), not by reading and
 * sorting every leaf of the memo (each co-signature's). This is the query
 * store_tlog_memo_range runs for one kind. */
static void test_memo_kind_indexed(void **state)
{
    char plan[1024];
    (void)state;
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_TLOG_MEMO_KIND_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN tlog_leaves"));
    assert_non_null(strstr(plan, "memo=? AND kind=?"));
    /* a memo page's review leaves: never its signatures */
    fx_sqlite_plan("EXPLAIN QUERY PLAN " STORE_TLOG_MEMO_REVIEW_SQL, plan, sizeof plan);
    assert_null(strstr(plan, "SCAN tlog_leaves"));
    assert_non_null(strstr(plan, "memo=? AND kind=?"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_leaves),
        cmocka_unit_test(test_memo_kind_indexed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
