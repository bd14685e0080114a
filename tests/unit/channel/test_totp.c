/* Tests for src/channel/totp.c: RFC 6238's SHA-1 vectors (6-digit
 * truncation of appendix B), the ±1 step window and the used-step rule,
 * malformed codes, base32 and the otpauth URI, recovery codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "channel/totp.h"

static const unsigned char rfc_secret[] = "12345678901234567890";

static void test_rfc6238(void **state)
{
    /* RFC 6238 appendix B (SHA-1): the last 6 digits of the 8-digit codes. */
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
    struct err e;
    char code[TOTP_DIGITS + 1];
    (void)state;
    err_init(&e);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_int_equal(totp_code(rfc_secret, 20, totp_step(v[i].t), code, &e), 0);
        assert_string_equal(code, v[i].code);
    }
}

static void test_check(void **state)
{
    struct err e;
    int64_t step = 0, now = 1234567890, base = 1234567890 / 30;
    char prev[TOTP_DIGITS + 1], next[TOTP_DIGITS + 1], far[TOTP_DIGITS + 1];
    (void)state;
    err_init(&e);
    assert_int_equal(totp_check(rfc_secret, 20, now, 0, "005924", &step, &e), 0);
    assert_int_equal(step, base);
    assert_int_equal(totp_check(rfc_secret, 20, now, 0, "005 924", &step, &e), 0);
    assert_int_equal(step, base);
    /* used once: not again, nor any code of an earlier step */
    assert_int_equal(totp_check(rfc_secret, 20, now, base, "005924", &step, &e), 0);
    assert_int_equal(step, 0);
    assert_int_equal(totp_code(rfc_secret, 20, base - 1, prev, &e), 0);
    assert_int_equal(totp_code(rfc_secret, 20, base + 1, next, &e), 0);
    assert_int_equal(totp_code(rfc_secret, 20, base + 2, far, &e), 0);
    assert_int_equal(totp_check(rfc_secret, 20, now, 0, prev, &step, &e), 0);
    assert_int_equal(step, base - 1);
    assert_int_equal(totp_check(rfc_secret, 20, now, base - 1, prev, &step, &e), 0);
    assert_int_equal(step, 0);
    assert_int_equal(totp_check(rfc_secret, 20, now, base, next, &step, &e), 0);
    assert_int_equal(step, base + 1);
    assert_int_equal(totp_check(rfc_secret, 20, now, 0, far, &step, &e), 0);
    assert_int_equal(step, 0);
    /* malformed */
    static const char *const bad[] = {"", "00592", "0059245", "00592a", "-05924", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(totp_check(rfc_secret, 20, now, 0, bad[i], &step, &e), 0);
        assert_int_equal(step, 0);
    }
}

static void test_uri(void **state)
{
    struct pool p;
    char *b32, *uri;
    (void)state;
    pool_init(&p, 1 << 16);
    b32 = totp_base32(&p, rfc_secret, 20);
    assert_string_equal(b32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    uri = totp_uri(&p, rfc_secret, 20, "dissent (dissent.example)", "rita");
    assert_string_equal(uri, "otpauth://totp/dissent%20%28dissent.example%29:rita?secret="
                             "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=dissent%20%28dissent."
                             "example%29&algorithm=SHA1&digits=6&period=30");
    pool_release(&p);
}

static void test_recovery(void **state)
{
    char a[TOTP_RECOVERY_TEXT + 1], b[TOTP_RECOVERY_TEXT + 1], upper[TOTP_RECOVERY_TEXT + 1];
    unsigned char ha[32], hb[32], h[32];
    (void)state;
    totp_recovery_new(a, ha);
    totp_recovery_new(b, hb);
    assert_int_equal(strlen(a), 19);
    assert_int_equal(a[4], '-');
    assert_int_equal(a[14], '-');
    assert_string_not_equal(a, b);
    assert_memory_not_equal(ha, hb, 32);
    assert_int_equal(totp_recovery_hash(a, h), 0);
    assert_memory_equal(h, ha, 32);
    for (size_t i = 0; i <= strlen(a); i++)
        upper[i] = (a[i] >= 'a' && a[i] <= 'z') ? (char)(a[i] - 32) : a[i];
    assert_int_equal(totp_recovery_hash(upper, h), 0);
    assert_memory_equal(h, ha, 32);
    assert_int_equal(totp_recovery_hash("abcd-efgh-ijkl-mno", h), -1);
    assert_int_equal(totp_recovery_hash("abcd-efgh-ijkl-mnop-q", h), -1);
    assert_int_equal(totp_recovery_hash("abcd-efgh-ijkl-mno1", h), -1);
    assert_int_equal(totp_recovery_hash("123456", h), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_uri),
        cmocka_unit_test(test_recovery),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
