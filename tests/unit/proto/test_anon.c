/* Tests for src/proto/anon.c: the exact bytes of the anonymous-signature
 * message (sign, withdraw) and of the proof-of-possession context
 * (docs/protocol-ring.md), and the snprintf-style length when cut. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "proto/anon.h"

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void test_anon_message(void **state)
{
    (void)state;
    char buf[PROTO_ANON_MESSAGE_MAX];
    size_t n = proto_anon_message(buf, sizeof buf, H64);
    assert_int_equal(n, strlen("dissent-anon-v1\nsign\n" H64));
    assert_memory_equal(buf, "dissent-anon-v1\nsign\n" H64, n + 1);
    n = proto_anon_message(buf, sizeof buf, NULL);
    assert_int_equal(n, 25);
    assert_string_equal(buf, "dissent-anon-v1\nwithdraw\n");
    /* too small a buffer: cut and NUL-terminated, the full length returned */
    n = proto_anon_message(buf, 10, H64);
    assert_true(n >= 10);
    assert_int_equal(strlen(buf), 9);
}

static void test_pop_context(void **state)
{
    (void)state;
    char buf[PROTO_POP_CONTEXT_MAX];
    size_t n = proto_pop_context(buf, sizeof buf, "state", "bob");
    assert_int_equal(n, 27);
    assert_string_equal(buf, "dissent-enroll-v1\nstate\nbob"); /* no trailing newline */
    n = proto_pop_context(buf, 8, "state", "bob");
    assert_int_equal(n, 27);
    assert_int_equal(strlen(buf), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anon_message),
        cmocka_unit_test(test_pop_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
