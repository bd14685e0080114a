/* Tests for src/ring/keyfile.c: sealed key files (wrong passphrase, every
 * byte tampered, versions, files) and Schnorr proofs of possession. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring/group.h"
#include "ring/keyfile.h"
#include "ring/triptych.h"
#include "unit/test_tmp.h"

#define OPS  1u
#define MEM  8192u
#define PASS "correct horse battery staple"

static void test_seal_open(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], file[RING_KEYFILE_LEN], sk2[32], pk2[32];
    struct err e;
    assert_int_equal(ring_keypair(pk, sk, NULL), 0);
    assert_int_equal(ring_keyfile_seal(file, sk, PASS, strlen(PASS), OPS, MEM, &e), 0);
    assert_int_equal(ring_keyfile_open(sk2, pk2, file, sizeof file, PASS, strlen(PASS), &e), 0);
    assert_memory_equal(sk, sk2, 32);
    assert_memory_equal(pk, pk2, 32);
    assert_int_equal(ring_keyfile_public(pk2, file, sizeof file, &e), 0);
    assert_memory_equal(pk, pk2, 32);
    /* the secret is not in the file in clear */
    for (size_t i = 0; i + 32 <= sizeof file; i++)
        assert_memory_not_equal(file + i, sk, 32);
    /* wrong passphrase */
    assert_int_equal(ring_keyfile_open(sk2, NULL, file, sizeof file, "wrong", 5, &e), -1);
    assert_int_equal(e.code, ERR_UNAUTHORIZED);
    assert_true(sodium_is_zero(sk2, 32));
    assert_int_equal(ring_keyfile_open(sk2, NULL, file, sizeof file, PASS, strlen(PASS) - 1, &e),
                     -1);
    /* wrong length */
    assert_int_equal(ring_keyfile_open(sk2, NULL, file, sizeof file - 1, PASS, strlen(PASS), &e),
                     -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* bad cost */
    assert_int_equal(ring_keyfile_seal(file, sk, PASS, strlen(PASS), 0, MEM, &e), -1);
    assert_int_equal(ring_keyfile_seal(file, sk, PASS, strlen(PASS), OPS, 1024, &e), -1);
    uint8_t zero[32] = {0};
    assert_int_equal(ring_keyfile_seal(file, zero, PASS, strlen(PASS), OPS, MEM, &e), -1);
}

static void test_tampered(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], file[RING_KEYFILE_LEN], c[RING_KEYFILE_LEN], sk2[32];
    struct err e;
    assert_int_equal(ring_keypair(pk, sk, NULL), 0);
    assert_int_equal(ring_keyfile_seal(file, sk, PASS, strlen(PASS), OPS, MEM, &e), 0);
    for (size_t i = 0; i < RING_KEYFILE_LEN; i++) {
        memcpy(c, file, sizeof c);
        c[i] ^= 0x01;
        if (i >= 6 && i < 18) /* cost fields: keep in range so the AEAD is what refuses */
            c[i] = (uint8_t)(file[i] ^ (i == 9 ? 0x02 : 0x00));
        if (memcmp(c, file, sizeof c) == 0)
            continue;
        assert_int_equal(ring_keyfile_open(sk2, NULL, c, sizeof c, PASS, strlen(PASS), &e), -1);
    }
    /* version and kdf */
    memcpy(c, file, sizeof c);
    c[4] = 2;
    assert_int_equal(ring_keyfile_open(sk2, NULL, c, sizeof c, PASS, strlen(PASS), &e), -1);
    assert_int_equal(e.code, ERR_UNSUPPORTED);
    memcpy(c, file, sizeof c);
    c[0] = 'X';
    assert_int_equal(ring_keyfile_open(sk2, NULL, c, sizeof c, PASS, strlen(PASS), &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* a huge memory cost is refused before Argon2id runs */
    memcpy(c, file, sizeof c);
    c[10] = 0x7f;
    assert_int_equal(ring_keyfile_open(sk2, NULL, c, sizeof c, PASS, strlen(PASS), &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* public key swapped for another: authenticated, so refused */
    uint8_t pk3[32], sk3[32];
    assert_int_equal(ring_keypair(pk3, sk3, NULL), 0);
    memcpy(c, file, sizeof c);
    memcpy(c + 74, pk3, 32);
    assert_int_equal(ring_keyfile_open(sk2, NULL, c, sizeof c, PASS, strlen(PASS), &e), -1);
    assert_int_equal(ring_keyfile_open(sk2, NULL, file, sizeof file, PASS, strlen(PASS), &e), 0);
}

static void test_files(void **state)
{
    (void)state;
    char dir[TT_PATH_MAX];
    tt_mkdtemp(dir, sizeof dir, "dissent-ring");
    char path[TT_PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/key", dir);
    uint8_t pk[32], sk[32], file[RING_KEYFILE_LEN], back[RING_KEYFILE_LEN];
    struct err e;
    assert_int_equal(ring_keypair(pk, sk, NULL), 0);
    assert_int_equal(ring_keyfile_seal(file, sk, PASS, strlen(PASS), OPS, MEM, &e), 0);
    assert_int_equal(ring_keyfile_write(path, file, &e), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(ring_keyfile_write(path, file, &e), -1);
    assert_int_equal(e.code, ERR_CONFLICT);
    assert_int_equal(ring_keyfile_read(path, back, &e), 0);
    assert_memory_equal(file, back, sizeof file);
    unlink(path);
    assert_int_equal(ring_keyfile_read(path, back, &e), -1);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_int_equal(tt_rm_tree(dir), 0);
}

static void test_pop(void **state)
{
    (void)state;
    uint8_t pk[32], sk[32], pk2[32], sk2[32], sig[RING_POP_BYTES], c[RING_POP_BYTES];
    const uint8_t *ctx = (const uint8_t *)"enroll:org-1:member-7:nonce-abc";
    const size_t ctx_len = strlen((const char *)ctx);
    struct err e;
    assert_int_equal(ring_keypair(pk, sk, NULL), 0);
    assert_int_equal(ring_keypair(pk2, sk2, NULL), 0);
    assert_int_equal(ring_pop_sign(sig, sk, ctx, ctx_len, &e), 0);
    assert_int_equal(ring_pop_verify(sig, pk, ctx, ctx_len, &e), 0);
    assert_int_equal(ring_pop_verify(sig, pk2, ctx, ctx_len, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    assert_int_equal(ring_pop_verify(sig, pk, ctx, ctx_len - 1, &e), -1);
    assert_int_equal(ring_pop_verify(sig, pk, (const uint8_t *)"enroll:other", 12, &e), -1);
    for (size_t i = 0; i < sizeof sig; i++) {
        memcpy(c, sig, sizeof c);
        c[i] ^= 0x04;
        assert_int_equal(ring_pop_verify(c, pk, ctx, ctx_len, &e), -1);
    }
    uint8_t zero[32] = {0};
    assert_int_equal(ring_pop_verify(sig, zero, ctx, ctx_len, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    memcpy(c, sig, sizeof c);
    memset(c, 0, 32);
    assert_int_equal(ring_pop_verify(c, pk, ctx, ctx_len, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    /* empty context works and differs */
    assert_int_equal(ring_pop_sign(sig, sk, NULL, 0, &e), 0);
    assert_int_equal(ring_pop_verify(sig, pk, NULL, 0, &e), 0);
    assert_int_equal(ring_pop_verify(sig, pk, ctx, ctx_len, &e), -1);
    assert_int_equal(ring_pop_sign(sig, zero, ctx, ctx_len, &e), -1);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seal_open),
        cmocka_unit_test(test_tampered),
        cmocka_unit_test(test_files),
        cmocka_unit_test(test_pop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
