/* Tests for src/store/schema.c through store.h, on every backend
 * (store_fixture.h): a new database is migrated to the latest schema, and
 * opening it again migrates nothing and keeps the data. */
#include "store_fixture.h"

#include "store/store_internal.h"

#include "base/util.h"
#include "unit/test_tmp.h"

static void schema_case(struct store *s, struct pool *p)
{
    struct err e;
    char *v = NULL;
    int64_t org = 0;
    err_init(&e);
    OK(store_meta_get(s, p, "schema_version", &v, &e));
    assert_non_null(v);
    assert_string_equal(v, "26");
    /* The tables are there and empty. */
    FAILS(store_org_by_slug(s, "none", &org, &e), ERR_NOT_FOUND);
    OK(store_tlog_size(s, &org, &e));
    assert_int_equal(org, 0);
    OK(store_roster_size(s, 1, &org, &e));
}

static void test_fresh(void **state)
{
    (void)state;
    fx_run(schema_case);
}

/* Opens url (keys: its key directory, NULL beside a SQLite file), adds a
 * row, closes, opens again: nothing to migrate, row kept. */
static void reopen(const char *url, const char *keys)
{
    struct store *s = NULL;
    struct pool p;
    struct err e;
    char *v = NULL;
    int64_t id = 0, again = 0;
    err_init(&e);
    pool_init(&p, 1 << 20);
    OK(store_open_keys(&s, url, keys, 0, &e));
    OK(store_org_insert(s, "kept", "Kept", 1, &id, &e));
    store_close(s);
    OK(store_open_keys(&s, url, keys, 0, &e));
    OK(store_meta_get(s, &p, "schema_version", &v, &e));
    assert_string_equal(v, "26");
    OK(store_org_by_slug(s, "kept", &again, &e));
    assert_int_equal(again, id);
    store_close(s);
    pool_release(&p);
}

static void test_reopen(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX], path[FX_DB_PATH_MAX];
    const char *pg;
    fx_db_dir(dir, path, "dissent-test-schema");
    reopen(path, NULL);
    assert_int_equal(tt_rm_tree(dir), 0);
    pg = fx_pg_empty();
    if (pg) {
        char keys[TT_PATH_MAX];
        tt_mkdtemp(keys, sizeof keys, "dissent-test-keys");
        reopen(pg, keys);
        assert_int_equal(tt_rm_tree(keys), 0);
    }
}

/* Moves the database's schema version one past this binary's, as a newer
 * dissent's migration would: returns the version this binary knows, and
 * puts the new one, as text, in moved. */
static int64_t move_version(struct store *s, struct pool *p, char moved[24])
{
    struct err e;
    char *v = NULL;
    int64_t known = 0;
    err_init(&e);
    OK(store_meta_get(s, p, "schema_version", &v, &e));
    assert_non_null(v);
    assert_int_equal(parse_i64(v, 1, INT32_MAX, &known), 0);
    snprintf(moved, 24, "%lld", (long long)known + 1);
    OK(db_exec(s->db, &e, "UPDATE meta SET value = ? WHERE key = 'schema_version'", "s", moved));
    return known;
}

/* A server left running while a newer dissent migrates the database (a
 * rolling upgrade, or `dissent migrate` beside it) must not write into a
 * schema it does not know: its writes would skip what the new schema
 * keeps (migration 23's running totals, 24's node keys). Each write
 * transaction reads the version once it holds the writers' lock, and
 * refuses to go on when it is not the one this binary migrated to; reads
 * go on. Here the version moves under the open store, as the other
 * process's migration would move it. */
static void moved_schema_case(struct store *s, struct pool *p)
{
    struct err e, ignored;
    char *v = NULL, moved[24], said[64], known_text[24];
    int64_t id = 0, known = move_version(s, p, moved);
    int rc;
    err_init(&e);
    err_init(&ignored);
    snprintf(said, sizeof said, "schema version %s, not %lld", moved, (long long)known);
    snprintf(known_text, sizeof known_text, "%lld", (long long)known);

    rc = store_begin(s, &e);
    if (rc == 0) {
        rc = store_org_insert(s, "late", "Late", 1, &id, &e);
        store_rollback(s);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(e.code, ERR_DB);
    assert_non_null(strstr(e.msg, said));
    assert_non_null(strstr(e.msg, "restart"));

    /* the writer's group, two operations (two requests) in it: neither
     * writes, and the group commits nothing (on PostgreSQL the version is
     * read with the first operation's statements; the second must not slip
     * through the transaction the first opened) */
    err_init(&e);
    rc = store_group_begin(s, &e);
    if (rc == 0) {
        for (int op = 0; op < 2; op++) {
            struct err oe;
            err_init(&oe);
            if (store_begin(s, &oe) == 0) {
                if (store_org_insert(s, op ? "later" : "late", "Late", 1, &id, &oe) == 0 &&
                    store_commit(s, &oe) == 0)
                    fail_msg("operation %d of the group wrote", op);
                store_rollback(s);
            }
            assert_non_null(strstr(oe.msg, said));
            if (op == 0)
                e = oe;
        }
        /* whether the commit fails or commits nothing, nothing is there */
        int ended = store_group_end(s, 1, &ignored);
        (void)ended;
        rc = -1;
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, said));

    /* nothing was written, and reads go on */
    FAILS(store_org_by_slug(s, "late", &id, &e), ERR_NOT_FOUND);
    FAILS(store_org_by_slug(s, "later", &id, &e), ERR_NOT_FOUND);
    OK(store_meta_get(s, p, "schema_version", &v, &e));
    assert_string_equal(v, moved);

    /* the version this binary knows back (a restore): writes go on */
    OK(db_exec(s->db, &e, "UPDATE meta SET value = ? WHERE key = 'schema_version'", "s",
               known_text));
    OK(store_begin(s, &e));
    OK(store_org_insert(s, "late", "Late", 1, &id, &e));
    OK(store_commit(s, &e));
    OK(store_org_by_slug(s, "late", &id, &e));
}

static void test_moved_schema(void **state)
{
    (void)state;
    fx_run(moved_schema_case);
}

/* On PostgreSQL a transaction whose statements were all held (db_exec_later)
 * sends them with its COMMIT, in the one round trip that also begins it,
 * takes the lock and reads the version: the refusal must keep the server
 * from committing them, not only be reported once it has. */
static void moved_schema_held_case(struct store *s, struct pool *p)
{
    struct err e;
    unsigned char h[32] = {0};
    char moved[24];
    int64_t n = -1;
    int rc;
    err_init(&e);
    /* the INSERT is prepared (PostgreSQL: cached, so held) before the move */
    OK(store_begin(s, &e));
    OK(store_tlog_node_put(s, 0, 0, h, &e));
    OK(store_commit(s, &e));
    (void)move_version(s, p, moved);

    rc = store_begin(s, &e);
    if (rc == 0) {
        rc = store_tlog_node_put(s, 0, 1, h, &e);
        if (rc == 0)
            rc = store_commit(s, &e); /* rolled back when it fails */
        else
            store_rollback(s);
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, moved));
    /* nothing was written; and, the transaction over, a read outside one
     * is no longer refused */
    OK(db_scalar(s->db, &e, -1, &n, "SELECT COUNT(*) FROM tlog_tree", NULL));
    assert_int_equal(n, 1);
}

static void test_moved_schema_held(void **state)
{
    (void)state;
    fx_run(moved_schema_held_case);
}

/* A read that records itself (db_begin_unordered: the access log) is a
 * write as well, refused alike on both backends; on PostgreSQL it takes no
 * writers' lock and was not checked at all. */
static void moved_schema_unordered_case(struct store *s, struct pool *p)
{
    struct err e;
    char *v = NULL, moved[24];
    int rc;
    err_init(&e);
    (void)move_version(s, p, moved);
    rc = store_begin_unordered(s, &e);
    if (rc == 0) {
        rc = db_exec(s->db, &e, "INSERT INTO meta(key, value) VALUES('unordered', 'x')", NULL);
        if (rc == 0)
            rc = store_commit(s, &e);
        else
            store_rollback(s);
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(e.msg, moved));
    OK(store_meta_get(s, p, "unordered", &v, &e));
    assert_null(v);
}

static void test_moved_schema_unordered(void **state)
{
    (void)state;
    fx_run(moved_schema_unordered_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_moved_schema),
        cmocka_unit_test(test_moved_schema_held),
        cmocka_unit_test(test_moved_schema_unordered),
        cmocka_unit_test(test_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
