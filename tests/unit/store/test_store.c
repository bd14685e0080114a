/* Tests for src/store/store.c through store.h, on every backend
 * (store_fixture.h): settings, transactions and read snapshots. */
#include "store_fixture.h"

static void meta_case(struct store *s, struct pool *p)
{
    struct err e;
    char *v = NULL;
    err_init(&e);
    OK(store_meta_get(s, p, "absent", &v, &e));
    assert_null(v);
    OK(store_meta_set(s, "k", "one", &e));
    OK(store_meta_set(s, "k", "two", &e)); /* an upsert */
    OK(store_meta_get(s, p, "k", &v, &e));
    assert_string_equal(v, "two");
}

static void test_meta(void **state)
{
    (void)state;
    fx_run(meta_case);
}

static void transaction_case(struct store *s, struct pool *p)
{
    struct err e;
    char *v = NULL;
    int64_t id = 0;
    err_init(&e);
    /* A rolled-back change is gone; a committed one stays. */
    OK(store_begin(s, &e));
    OK(store_meta_set(s, "k", "rolled back", &e));
    store_rollback(s);
    OK(store_meta_get(s, p, "k", &v, &e));
    assert_null(v);
    OK(store_begin(s, &e));
    OK(store_meta_set(s, "k", "kept", &e));
    OK(store_commit(s, &e));
    OK(store_meta_get(s, p, "k", &v, &e));
    assert_string_equal(v, "kept");
    /* After a failed statement and a rollback the connection works again
     * (PostgreSQL refuses the rest of a failed transaction). */
    fx_org(s, "org");
    OK(store_begin(s, &e));
    FAILS(store_org_insert(s, "org", "again", 1, &id, &e), ERR_CONFLICT);
    store_rollback(s);
    OK(store_begin(s, &e));
    OK(store_meta_set(s, "after", "yes", &e));
    OK(store_commit(s, &e));
    /* A read snapshot sees committed data. */
    OK(store_begin_read(s, &e));
    OK(store_meta_get(s, p, "after", &v, &e));
    assert_string_equal(v, "yes");
    store_rollback(s);
}

static void test_transactions(void **state)
{
    (void)state;
    fx_run(transaction_case);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta),
        cmocka_unit_test(test_transactions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
