/* Tests for src/proto/version.c: the hash of a version's canonical form
 * against a hash of the same bytes laid out by hand, and that every part
 * (title, marking, body, a trailing newline) changes it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "base/util.h"
#include "proto/version.h"

static void test_canonical_form(void **state)
{
    (void)state;
    static const char form[] = "dissent-memo-version-v1\ntitle: A title\nmarking: SBU\n\n"
                               "Line one.\n\nLine two — é.";
    unsigned char h[32];
    char want[65], got[PROTO_VERSION_HASH_HEX];
    crypto_hash_sha256(h, (const unsigned char *)form, sizeof form - 1);
    hex_encode(want, h, 32);
    proto_version_hash("A title", "SBU", "Line one.\n\nLine two — é.", got);
    assert_string_equal(got, want);
    assert_int_equal(strlen(got), 64);
}

static void test_every_part_counts(void **state)
{
    (void)state;
    char a[PROTO_VERSION_HASH_HEX], b[PROTO_VERSION_HASH_HEX];
    proto_version_hash("T", "SBU", "body", a);
    proto_version_hash("T ", "SBU", "body", b);
    assert_string_not_equal(a, b);
    proto_version_hash("T", "SECRET", "body", b);
    assert_string_not_equal(a, b);
    proto_version_hash("T", "SBU", "body\n", b);
    assert_string_not_equal(a, b);
    proto_version_hash("T", "SBU", "body", b);
    assert_string_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_form),
        cmocka_unit_test(test_every_part_counts),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
