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
    /* A page after an index (the public ?after=, up to INT64_MAX): after
     * the last one there is nothing, with no overflow on the way. */
    OK(store_tlog_memo_range(s, p, "m1", NULL, 0, INT64_MAX, &l, &n, &e));
    assert_int_equal(n, 1);
    assert_int_equal(l[0].index, 1);
    OK(store_tlog_memo_range(s, p, "m1", NULL, INT64_MAX, INT64_MAX, &l, &n, &e));
    assert_int_equal(n, 0);
    OK(store_tlog_memo_range(s, p, "m1", NULL, INT64_MAX - 1, INT64_MAX, &l, &n, &e));
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

/* The nodes of a tree of 8 leaves, put as the log appends them: each leaf's
 * hash, then the nodes that leaf completes (RFC 9162 post-order). */
static const struct {
    unsigned level;
    int64_t idx;
} appended[] = {{0, 0}, {0, 1}, {1, 0}, {0, 2}, {0, 3}, {1, 1}, {2, 0}, {0, 4},
                {0, 5}, {1, 2}, {0, 6}, {0, 7}, {1, 3}, {2, 1}, {3, 0}};

static void put_appended(struct store *s)
{
    struct err e;
    unsigned char h[32] = {0};
    err_init(&e);
    for (size_t i = 0; i < ARRAY_LEN(appended); i++) {
        h[0] = (unsigned char)i;
        OK(store_tlog_node_put(s, appended[i].level, appended[i].idx, h, &e));
    }
}

static void get_appended(struct store *s)
{
    struct err e;
    unsigned char h[32];
    err_init(&e);
    for (size_t i = 0; i < ARRAY_LEN(appended); i++) {
        OK(store_tlog_node_get(s, appended[i].level, appended[i].idx, h, &e));
        assert_int_equal(h[0], i);
    }
}

/* A group commit appends a dozen leaves and the nodes they complete; kept
 * by (level, idx), those went to one B-tree page per level (about 10 of a
 * group's 47 WAL pages). The table keeps the nodes in the order they are
 * appended, so a commit's new nodes share one or two pages. A full scan of
 * a SQLite table follows its key: it returns them in append order. */
static void append_order_case(struct store *s, struct pool *p)
{
    struct err e;
    struct db_stmt *st;
    size_t i = 0;
    int r;
    (void)p;
    err_init(&e);
    put_appended(s);
    st = db_query(s->db, &e, "SELECT hash FROM tlog_tree", NULL);
    assert_non_null(st);
    while ((r = db_next(st, &e)) == 1) {
        size_t len = 0;
        const unsigned char *h = db_blob(st, 0, &len);
        assert_int_equal(len, 32);
        assert_int_equal(h[0], i);
        i++;
    }
    assert_int_equal(r, 0);
    db_finish(st);
    assert_int_equal(i, ARRAY_LEN(appended));
    get_appended(s);
}

static void test_nodes_in_append_order(void **state)
{
    (void)state;
    fx_sqlite(append_order_case);
}

/* A database of schema 23 kept its nodes by (level, idx): migration 24
 * moves every one, and each reads back where the log looks for it. */
static void migrated_nodes_case(struct store *s, struct pool *p)
{
    struct err e;
    unsigned char h[32];
    (void)p;
    err_init(&e);
    OK(db_exec_script(s->db,
                      "CREATE TABLE tlog_nodes(\n"
                      "  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,\n"
                      "  PRIMARY KEY(level, idx)) WITHOUT ROWID;\n"
                      "UPDATE meta SET value = '23' WHERE key = 'schema_version';",
                      &e));
    for (size_t i = 0; i < ARRAY_LEN(appended); i++) {
        memset(h, 0, sizeof h);
        h[0] = (unsigned char)i;
        OK(db_exec(s->db, &e, "INSERT INTO tlog_nodes(level, idx, hash) VALUES(?, ?, ?)", "iib",
                   (int64_t)appended[i].level, appended[i].idx, h, sizeof h));
    }
    OK(store_migrate(s, &e));
    get_appended(s);
    FAILS(store_tlog_node_get(s, 3, 1, h, &e), ERR_NOT_FOUND);
    /* the log goes on from there */
    h[0] = 99;
    OK(store_tlog_node_put(s, 0, 8, h, &e));
    FAILS(store_tlog_node_put(s, 3, 0, h, &e), ERR_CONFLICT);
}

static void test_nodes_migrated(void **state)
{
    (void)state;
    fx_run(migrated_nodes_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nodes),
        cmocka_unit_test(test_leaves),
        cmocka_unit_test(test_memo_kind_indexed),
        cmocka_unit_test(test_nodes_in_append_order),
        cmocka_unit_test(test_nodes_migrated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
