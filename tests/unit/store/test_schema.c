/* Tests for src/store/schema.c through store.h, on every backend
 * (store_fixture.h): a new database is migrated to the latest schema, and
 * opening it again migrates nothing and keeps the data. */
#include "store_fixture.h"

static void schema_case(struct store *s, struct pool *p)
{
    struct err e;
    char *v = NULL;
    int64_t org = 0;
    err_init(&e);
    OK(store_meta_get(s, p, "schema_version", &v, &e));
    assert_non_null(v);
    assert_string_equal(v, "24");
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
    assert_string_equal(v, "24");
    OK(store_org_by_slug(s, "kept", &again, &e));
    assert_int_equal(again, id);
    store_close(s);
    pool_release(&p);
}

static void test_reopen(void **state)
{
    (void)state;
    char path[] = "/tmp/dissent-test-schema-XXXXXX", side[64];
    const char *pg;
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    reopen(path, NULL);
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    snprintf(side, sizeof side, "%s.keys", path);
    fx_rm_keydir(side);
    pg = fx_pg_empty();
    if (pg) {
        char keys[] = "/tmp/dissent-test-keys-XXXXXX";
        assert_non_null(mkdtemp(keys));
        reopen(pg, keys);
        fx_rm_keydir(keys);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fresh),
        cmocka_unit_test(test_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
