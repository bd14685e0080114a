/* Tests for src/store/totp.c: a TOTP secret is sealed (the raw bytes are not
 * in the row) and opens for its member only, is unconfirmed until confirmed,
 * remembers the last step; recovery codes are single use; pending logins
 * expire and count wrong tries — on SQLite, and on PostgreSQL when asked. */
#include "store_fixture.h"

#include <sodium.h>

static void case_totp(struct store *s, struct pool *p)
{
    struct err e;
    struct st_totp t;
    unsigned char secret[20], codes[3][32], pend[32];
    int64_t org = fx_org(s, "ops"), mona = fx_member(s, org, "mona", 1),
            ivan = fx_member(s, org, "ivan", 1), mid = 0, tries = 0, left = 0;
    int confirmed = 1, used = 0;
    (void)p;

    err_init(&e);
    memset(secret, 0x5a, sizeof secret);
    assert_int_equal(store_totp_get(s, mona, &t, &e), 0);
    assert_int_equal(t.found, 0);
    assert_int_equal(store_totp_put(s, mona, secret, sizeof secret, 100, &e), 0);
    assert_int_equal(store_totp_get(s, mona, &t, &e), 0);
    assert_int_equal(t.found, 1);
    assert_int_equal(t.confirmed, 0);
    assert_int_equal(t.secret_len, 20);
    assert_memory_equal(t.secret, secret, 20);
    assert_int_equal(store_totp_confirmed(s, mona, &confirmed, &e), 0);
    assert_int_equal(confirmed, 0);
    assert_int_equal(store_totp_used(s, mona, 1234, 1, &e), 0);
    assert_int_equal(store_totp_get(s, mona, &t, &e), 0);
    assert_int_equal(t.confirmed, 1);
    assert_int_equal(t.last_step, 1234);
    assert_int_equal(store_totp_confirmed(s, mona, &confirmed, &e), 0);
    assert_int_equal(confirmed, 1);
    assert_int_equal(store_totp_confirmed(s, ivan, &confirmed, &e), 0);
    assert_int_equal(confirmed, 0);

    /* A new secret replaces the old and is not in force until confirmed. */
    secret[0] = 1;
    assert_int_equal(store_totp_put(s, mona, secret, sizeof secret, 200, &e), 0);
    assert_int_equal(store_totp_get(s, mona, &t, &e), 0);
    assert_int_equal(t.confirmed, 0);
    assert_int_equal(t.last_step, 0);
    assert_int_equal(t.secret[0], 1);

    /* recovery codes: hashed, single use, replaced all at once */
    memset(codes, 0, sizeof codes);
    for (int i = 0; i < 3; i++)
        codes[i][0] = (unsigned char)(i + 1);
    assert_int_equal(store_totp_codes_put(s, mona, (const unsigned char(*)[32])codes, 3, &e), 0);
    assert_int_equal(store_totp_codes_left(s, mona, &left, &e), 0);
    assert_int_equal(left, 3);
    assert_int_equal(store_totp_code_use(s, ivan, codes[1], 300, &used, &e), 0);
    assert_int_equal(used, 0);
    assert_int_equal(store_totp_code_use(s, mona, codes[1], 300, &used, &e), 0);
    assert_int_equal(used, 1);
    assert_int_equal(store_totp_code_use(s, mona, codes[1], 301, &used, &e), 0);
    assert_int_equal(used, 0);
    assert_int_equal(store_totp_codes_left(s, mona, &left, &e), 0);
    assert_int_equal(left, 2);
    assert_int_equal(store_totp_codes_put(s, mona, (const unsigned char(*)[32])codes, 1, &e), 0);
    assert_int_equal(store_totp_codes_left(s, mona, &left, &e), 0);
    assert_int_equal(left, 1);
    assert_int_equal(store_totp_delete(s, mona, &e), 0);
    assert_int_equal(store_totp_get(s, mona, &t, &e), 0);
    assert_int_equal(t.found, 0);
    assert_int_equal(store_totp_codes_left(s, mona, &left, &e), 0);
    assert_int_equal(left, 0);

    /* pending logins */
    memset(pend, 7, sizeof pend);
    assert_int_equal(store_login_pending_put(s, pend, mona, "10.0.0.1", 1000, 1300, &e), 0);
    assert_int_equal(store_login_pending_get(s, pend, 1100, &mid, &tries, &e), 0);
    assert_int_equal(mid, mona);
    assert_int_equal(tries, 0);
    assert_int_equal(store_login_pending_tried(s, pend, &e), 0);
    assert_int_equal(store_login_pending_get(s, pend, 1100, &mid, &tries, &e), 0);
    assert_int_equal(tries, 1);
    assert_int_equal(store_login_pending_get(s, pend, 1300, &mid, &tries, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_int_equal(store_login_pending_delete(s, pend, &e), 0);
    assert_int_equal(store_login_pending_get(s, pend, 1100, &mid, &tries, &e), -1);
    sodium_memzero(&t, sizeof t);
}

/* A rotation of the data key re-seals the secrets: they still open. */
static void case_rotate(struct store *s, struct pool *p)
{
    struct err e;
    struct st_totp t;
    unsigned char secret[20];
    int64_t org = fx_org(s, "ops"), mona = fx_member(s, org, "mona", 1), memos = 0;
    (void)p;
    err_init(&e);
    memset(secret, 0x33, sizeof secret);
    OK(store_totp_put(s, mona, secret, sizeof secret, 100, &e));
    OK(store_totp_used(s, mona, 77, 1, &e));
    OK(store_rotate_data_key(s, &memos, &e));
    OK(store_totp_get(s, mona, &t, &e));
    assert_int_equal(t.found, 1);
    assert_int_equal(t.confirmed, 1);
    assert_int_equal(t.last_step, 77);
    assert_memory_equal(t.secret, secret, sizeof secret);
    sodium_memzero(&t, sizeof t);
}

static void test_rotate(void **state)
{
    (void)state;
    fx_run(case_rotate);
}

static void test_totp(void **state)
{
    (void)state;
    fx_run(case_totp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_totp),
        cmocka_unit_test(test_rotate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
