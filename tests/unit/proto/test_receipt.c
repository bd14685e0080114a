/* Tests for src/proto/receipt.c: a receipt verifies with the key that
 * signed it, over the documented bytes ("dissent-receipt-v2\n" + canonical
 * JSON, checked here with libsodium directly), and not after any change of
 * a field, with another key, or in another shape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "proto/receipt.h"

static json_t *receipt(void)
{
    return json_pack("{s:i,s:s,s:s,s:s,s:s,s:i,s:s,s:i,s:s,s:i,s:s}", "v", 2, "kind", "receipt",
                     "origin", "dissent.local/log-x", "memo", "m", "tag", "ab", "seq", 0, "action",
                     "added", "version", 1, "organization", "state", "ring", 1, "publish_by",
                     "2026-03-02T11:00:00Z");
}

static void test_sign_and_verify(void **state)
{
    (void)state;
    unsigned char pk[32], sk[64], pk2[32], sk2[64], raw[64];
    char sig[PROTO_RECEIPT_SIG_B64];
    size_t rawlen = 0;
    struct err e;
    json_t *r = receipt();
    char *canon = json_dumps(r, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    char msg[1024];

    err_init(&e);
    crypto_sign_keypair(pk, sk);
    crypto_sign_keypair(pk2, sk2);
    assert_int_equal(proto_receipt_sign(r, sk, sig, &e), 0);
    assert_int_equal(proto_receipt_verify(r, sig, pk, &e), 0);
    /* the documented bytes */
    snprintf(msg, sizeof msg, "dissent-receipt-v2\n%s", canon);
    assert_int_equal(sodium_base642bin(raw, sizeof raw, sig, strlen(sig), NULL, &rawlen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(rawlen, 64);
    assert_int_equal(crypto_sign_verify_detached(raw, (const unsigned char *)msg, strlen(msg), pk),
                     0);
    /* another key */
    assert_int_equal(proto_receipt_verify(r, sig, pk2, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* a changed promise */
    json_object_set_new(r, "publish_by", json_string("2026-03-09T11:00:00Z"));
    assert_int_equal(proto_receipt_verify(r, sig, pk, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    json_object_set_new(r, "publish_by", json_string("2026-03-02T11:00:00Z"));
    assert_int_equal(proto_receipt_verify(r, sig, pk, &e), 0);
    /* not a v2 receipt */
    json_object_set_new(r, "v", json_integer(1));
    assert_int_equal(proto_receipt_verify(r, sig, pk, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* a signature that is not 64 bytes */
    json_object_set_new(r, "v", json_integer(2));
    assert_int_equal(proto_receipt_verify(r, "AAAA", pk, &e), -1);
    free(canon);
    json_decref(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_and_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
