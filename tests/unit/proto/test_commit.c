/* Tests for src/proto/commit.c: the commitments are HMAC-SHA-256 over the
 * documented bytes (recomputed here independently), differ from the bare
 * SHA-256 a v1 verifier would have published, depend on the salt, and the
 * derived text salts differ per memo, event and discriminator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <string.h>

#include "base/util.h"
#include "proto/commit.h"
#include "proto/version.h"

static void hmac_hex(const unsigned char key[32], const char *msg, char out[65])
{
    unsigned char h[32];
    crypto_auth_hmacsha256(h, (const unsigned char *)msg, strlen(msg), key);
    hex_encode(out, h, 32);
}

static void test_version_commitment(void **state)
{
    (void)state;
    unsigned char key[32], key2[32];
    char got[PROTO_COMMIT_HEX], want[65], bare[PROTO_VERSION_HASH_HEX], other[PROTO_COMMIT_HEX];
    memset(key, 1, sizeof key);
    memset(key2, 2, sizeof key2);
    proto_version_commitment(key, "A title", "SBU", "Line one.\n\nLine two.", got);
    hmac_hex(key,
             "dissent-version-commitment-v2\ndissent-memo-version-v1\ntitle: A title\nmarking: "
             "SBU\n\nLine one.\n\nLine two.",
             want);
    assert_string_equal(got, want);
    proto_version_hash("A title", "SBU", "Line one.\n\nLine two.", bare);
    assert_string_not_equal(got, bare);
    proto_version_commitment(key2, "A title", "SBU", "Line one.\n\nLine two.", other);
    assert_string_not_equal(got, other); /* identical text, another version: another value */
    proto_version_commitment(key, "A title", "SECRET", "Line one.\n\nLine two.", other);
    assert_string_not_equal(got, other);
}

static void test_text_commitment_and_salt(void **state)
{
    (void)state;
    unsigned char secret[32], s1[32], s2[32], s3[32];
    char got[PROTO_COMMIT_HEX], want[65];
    memset(secret, 9, sizeof secret);
    proto_text_commitment(secret, "answer", "Declined.", got);
    hmac_hex(secret, "dissent-answer-commitment-v2\nDeclined.", want);
    assert_string_equal(got, want);
    proto_text_commitment(secret, "reason", "Declined.", want);
    assert_string_not_equal(got, want);

    proto_text_salt(secret, "m1", "extended", "2026-11-25T04:59:59Z", s1);
    hmac_hex(secret, "dissent-text-salt-v2\nm1\nextended\n2026-11-25T04:59:59Z", want);
    {
        char hex[65];
        hex_encode(hex, s1, 32);
        assert_string_equal(hex, want);
    }
    proto_text_salt(secret, "m1", "extended", "2026-11-26T04:59:59Z", s2);
    proto_text_salt(secret, "m2", "extended", "2026-11-25T04:59:59Z", s3);
    assert_memory_not_equal(s1, s2, 32);
    assert_memory_not_equal(s1, s3, 32);
}

static void test_signer_salt(void **state)
{
    (void)state;
    unsigned char secret[32];
    char a[PROTO_COMMIT_HEX], b[PROTO_COMMIT_HEX], want[65];
    memset(secret, 5, sizeof secret);
    proto_signer_salt(secret, "m1", "bob", a);
    hmac_hex(secret, "dissent-signer-salt-v2\nm1\nbob", want);
    assert_string_equal(a, want);
    proto_signer_salt(secret, "m1", "bob", b);
    assert_string_equal(a, b); /* stable: the same on every call */
    proto_signer_salt(secret, "m1", "carol", b);
    assert_string_not_equal(a, b);
    proto_signer_salt(secret, "m2", "bob", b);
    assert_string_not_equal(a, b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_commitment),
        cmocka_unit_test(test_text_commitment_and_salt),
        cmocka_unit_test(test_signer_salt),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
