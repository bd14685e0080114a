/* Tests for src/cli/serve_witness.c: parsing --witness NAME+KEYID+KEY+URL
 * (the key's base64 holds '+', so the URL is found by length), the
 * submission URL, and refusals. The rounds themselves run against real
 * witnesses in tests/e2e/test_witness.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "cli/serve_witness.h"
#include "tlog/cosignature.h"

static void test_parse(void **state)
{
    (void)state;
    struct serve_witness sw;
    struct tlog_signer w;
    struct err e;
    char key[TLOG_VERIFIER_KEY_MAX], arg[1024];
    err_init(&e);
    serve_witness_init(&sw);
    assert_int_equal(tlog_cosigner_generate(&w, "w.example/1", &e), 0);
    assert_int_equal(tlog_cosigner_key_format(&w.pub, key, &e), 0);

    snprintf(arg, sizeof arg, "%s+http://127.0.0.1:8090/", key);
    assert_int_equal(serve_witness_add(&sw, arg, &e), 0);
    assert_int_equal(sw.policy.n, 1);
    assert_string_equal(sw.url[0], "http://127.0.0.1:8090/add-checkpoint");
    assert_memory_equal(&sw.policy.w[0], &w.pub, sizeof w.pub);
    /* the same witness twice */
    assert_int_equal(serve_witness_add(&sw, arg, &e), -1);

    snprintf(arg, sizeof arg, "%s+ftp://x", key);
    assert_int_equal(serve_witness_add(&sw, arg, &e), -1);
    snprintf(arg, sizeof arg, "%s", key); /* no URL */
    assert_int_equal(serve_witness_add(&sw, arg, &e), -1);
    assert_non_null(strstr(e.msg, "NAME+KEYID+KEY+URL"));
    arg[strchr(arg, '+') - arg + 1] ^= 1; /* a wrong key id */
    snprintf(arg + strlen(key), sizeof arg - strlen(key), "+http://x");
    assert_int_equal(serve_witness_add(&sw, arg, &e), -1);
    assert_int_equal(sw.policy.n, 1);
    tlog_signer_wipe(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
