/* Tests for src/store/seal.c: a sealed value opens with its key and
 * associated data only, and any change to it is refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <string.h>

#include "store/seal.h"

static unsigned char key[SEAL_KEY_SIZE], other[SEAL_KEY_SIZE];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    randombytes_buf(key, sizeof key);
    randombytes_buf(other, sizeof other);
    return 0;
}

static void test_round_trip(void **state)
{
    struct pool p;
    struct err e;
    char *sealed = NULL, *plain = NULL;
    size_t len = 0;
    const char *text = "A memo body, with UTF-8: Ünïcödé — and more.";
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    assert_int_equal(seal_bytes(&p, key, "memo=1:body", text, strlen(text), &sealed, &e), 0);
    assert_true(seal_is_sealed(sealed));
    assert_null(strstr(sealed, "memo body"));
    assert_int_equal(seal_open(&p, key, "memo=1:body", sealed, &plain, &len, &e), 0);
    assert_int_equal(len, strlen(text));
    assert_string_equal(plain, text);
    /* The empty string too; and two seals of one text differ (random nonce). */
    char *a = NULL, *b = NULL;
    assert_int_equal(seal_bytes(&p, key, "x", "", 0, &a, &e), 0);
    assert_int_equal(seal_open(&p, key, "x", a, &plain, &len, &e), 0);
    assert_int_equal(len, 0);
    assert_string_equal(plain, "");
    assert_int_equal(seal_bytes(&p, key, "x", "same", 4, &a, &e), 0);
    assert_int_equal(seal_bytes(&p, key, "x", "same", 4, &b, &e), 0);
    assert_string_not_equal(a, b);
    pool_release(&p);
}

static void test_wrong_ad_or_key_refused(void **state)
{
    struct pool p;
    struct err e;
    char *sealed = NULL, *plain = NULL;
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    assert_int_equal(seal_bytes(&p, key, "memo=1:version=1:body", "secret", 6, &sealed, &e), 0);
    /* Another row or another field: refused. */
    assert_int_equal(seal_open(&p, key, "memo=1:version=2:body", sealed, &plain, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(seal_open(&p, key, "memo=1:version=1:title", sealed, &plain, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(seal_open(&p, key, "memo=2:version=1:body", sealed, &plain, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* Another key: refused. */
    assert_int_equal(seal_open(&p, other, "memo=1:version=1:body", sealed, &plain, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_null(plain);
    pool_release(&p);
}

static void test_tamper_refused(void **state)
{
    struct pool p;
    struct err e;
    char *sealed = NULL, *plain = NULL, *copy;
    size_t n;
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 20);
    assert_int_equal(seal_bytes(&p, key, "ad", "a longer secret text", 20, &sealed, &e), 0);
    n = strlen(sealed);
    copy = pool_strdup(&p, sealed);
    assert_non_null(copy);
    /* Every character changed in turn (nonce, ciphertext, tag): refused. */
    for (size_t i = strlen(SEAL_PREFIX); i < n; i++) {
        memcpy(copy, sealed, n + 1);
        copy[i] = copy[i] == 'A' ? 'B' : 'A';
        assert_int_equal(seal_open(&p, key, "ad", copy, &plain, NULL, &e), -1);
        assert_int_equal(e.code, ERR_CRYPTO);
    }
    /* Truncated, extended, not base64, plaintext: refused. */
    memcpy(copy, sealed, n + 1);
    copy[n - 1] = '\0';
    assert_int_equal(seal_open(&p, key, "ad", copy, &plain, NULL, &e), -1);
    assert_int_equal(seal_open(&p, key, "ad", "dx1:AAAA", &plain, NULL, &e), -1);
    assert_int_equal(seal_open(&p, key, "ad", "dx1:!!!!", &plain, NULL, &e), -1);
    assert_int_equal(seal_open(&p, key, "ad", "plain text", &plain, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_false(seal_is_sealed("plain text"));
    assert_false(seal_is_sealed(NULL));
    pool_release(&p);
}

static void test_key_id(void **state)
{
    char a[SEAL_KEY_ID_LEN + 1], b[SEAL_KEY_ID_LEN + 1], hex[2 * SEAL_KEY_SIZE + 1];
    (void)state;
    seal_key_id(key, a);
    seal_key_id(key, b);
    assert_int_equal(strlen(a), SEAL_KEY_ID_LEN);
    assert_string_equal(a, b);
    seal_key_id(other, b);
    assert_string_not_equal(a, b);
    /* The id is not the key. */
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    assert_string_not_equal(a, hex);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_wrong_ad_or_key_refused),
        cmocka_unit_test(test_tamper_refused),
        cmocka_unit_test(test_key_id),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
