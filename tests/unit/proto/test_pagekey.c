/* Tests for src/proto/pagekey.c: the signer list's page key, which the
 * server writes and reads and the CLI reads to check that pages go on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "proto/pagekey.h"

static void test_round_trip(void **state)
{
    struct proto_page_key k = {.at = 1764633600, .member = 42}, got = {0};
    char out[PROTO_PAGE_KEY_MAX];
    (void)state;
    proto_page_key_format(&k, out);
    assert_string_equal(out, "1764633600-42");
    assert_int_equal(proto_page_key_parse(out, &got), 0);
    assert_true(got.at == k.at && got.member == k.member);
    k = (struct proto_page_key){.at = INT64_MAX, .member = INT64_MAX};
    proto_page_key_format(&k, out);
    assert_int_equal(proto_page_key_parse(out, &got), 0);
    assert_true(got.at == INT64_MAX && got.member == INT64_MAX);
}

static void test_refused(void **state)
{
    static const char *const bad[] = {"",
                                      "x",
                                      "5",
                                      "-1-2",
                                      "1-0",
                                      "1-",
                                      "-",
                                      "1-2-3",
                                      "1--2",
                                      " 1-2",
                                      "1-2 ",
                                      "1.5-2",
                                      "99999999999999999999-1",
                                      "1-99999999999999999999"};
    struct proto_page_key k = {.at = 7, .member = 7};
    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(proto_page_key_parse(bad[i], &k), -1);
        assert_true(k.at == 7 && k.member == 7); /* untouched */
    }
    assert_int_equal(proto_page_key_parse(NULL, &k), -1);
}

static void test_order(void **state)
{
    struct proto_page_key a = {.at = 5, .member = 2}, b = {.at = 5, .member = 1},
                          c = {.at = 4, .member = 9};
    (void)state;
    assert_true(proto_page_key_after(&a, &b));
    assert_false(proto_page_key_after(&b, &a));
    assert_false(proto_page_key_after(&a, &a));
    assert_true(proto_page_key_after(&b, &c));
    assert_false(proto_page_key_after(&c, &b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
