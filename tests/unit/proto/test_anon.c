/* Tests for src/proto/anon.c: the exact bytes of the anonymous-signature
 * message (sign, withdraw; protocol v2), of its scope and of the proof-of-possession context
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
    size_t n = proto_anon_message(buf, sizeof buf, 0, 3, H64);
    assert_int_equal(n, strlen("dissent-anon-v2\nsign\n0\n3\n" H64));
    assert_memory_equal(buf, "dissent-anon-v2\nsign\n0\n3\n" H64, n + 1);
    /* the version number is signed: identical texts (one hash) differ */
    n = proto_anon_message(buf, sizeof buf, 0, 1, H64);
    assert_string_equal(buf, "dissent-anon-v2\nsign\n0\n1\n" H64);
    /* the sequence number is signed: each action is good once */
    n = proto_anon_message(buf, sizeof buf, 12, 1, H64);
    assert_string_equal(buf, "dissent-anon-v2\nsign\n12\n1\n" H64);
    n = proto_anon_message(buf, sizeof buf, 7, 0, NULL);
    assert_int_equal(n, 26);
    assert_string_equal(buf, "dissent-anon-v2\nwithdraw\n7"); /* no trailing newline */
    n = proto_anon_message(buf, sizeof buf, UINT64_C(18446744073709551615), 0, NULL);
    assert_string_equal(buf, "dissent-anon-v2\nwithdraw\n18446744073709551615");
    /* too small a buffer: cut and NUL-terminated, the full length returned */
    n = proto_anon_message(buf, 10, 0, 1, H64);
    assert_true(n >= 10);
    assert_int_equal(strlen(buf), 9);
}

static void test_anon_scope(void **state)
{
    (void)state;
    char buf[PROTO_ANON_SCOPE_MAX];
    size_t n = proto_anon_scope(buf, sizeof buf, "dissent.local/log-abcdefgh",
                                "01JD0000000000000000000000");
    assert_int_equal(n, strlen(buf));
    assert_string_equal(buf,
                        "dissent-anon-v2\ndissent.local/log-abcdefgh\n01JD0000000000000000000000");
    n = proto_anon_scope(buf, 12, "o", "m");
    assert_int_equal(n, 19);
    assert_int_equal(strlen(buf), 11);
}

static void test_pop_context(void **state)
{
    (void)state;
    char buf[PROTO_POP_CONTEXT_MAX];
    size_t n = proto_pop_context(buf, sizeof buf, "dissent.local/log-x", "state", "bob", "c0ffee");
    assert_int_equal(n, strlen(buf));
    /* no trailing newline */
    assert_string_equal(buf, "dissent-enroll-v2\ndissent.local/log-x\nstate\nbob\nc0ffee");
    n = proto_pop_context(buf, 8, "o", "state", "bob", "c");
    assert_int_equal(n, 31);
    assert_int_equal(strlen(buf), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anon_message),
        cmocka_unit_test(test_anon_scope),
        cmocka_unit_test(test_pop_context),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
