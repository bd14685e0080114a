/* Checks that src/ring computes exactly what docs/protocol-ring.md says, with
 * an independent verifier written from the document using libsodium alone
 * (no libdecaf, no MSM): ring digest, tag base, generators, transcript,
 * and the four verification equations. Also shows why one key per member
 * matters: a second key means a second tag. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ring/group.h"
#include "ring/h2c.h"
#include "ring/triptych.h"

#define SCOPE     ((const uint8_t *)"memo-42")
#define SCOPE_LEN 7
#define MSG       ((const uint8_t *)"sha256-of-version")
#define MSG_LEN   17

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
    be32(p, (uint32_t)(v >> 32));
    be32(p + 4, (uint32_t)v);
}

/* a + s*P with libsodium; P and a may be the identity (all zeros) */
static void add_mul(uint8_t acc[32], const uint8_t s[32], const uint8_t p[32])
{
    uint8_t t[32];
    if (sodium_is_zero(p, 32) || sodium_is_zero(s, 32))
        return;
    assert_int_equal(crypto_scalarmult_ristretto255(t, s, p), 0);
    if (sodium_is_zero(acc, 32))
        memcpy(acc, t, 32);
    else
        assert_int_equal(crypto_core_ristretto255_add(acc, acc, t), 0);
}

static void hg(uint8_t out[32], const char *dst, const uint8_t *msg, size_t len)
{
    struct err e;
    assert_int_equal(ring_hash_to_group(out, msg, len, (const uint8_t *)dst, strlen(dst), &e), 0);
}

static void gen(uint8_t out[32], unsigned j, unsigned i)
{
    uint8_t m[9] = {'G'};
    be32(m + 1, j);
    be32(m + 5, i);
    hg(out, "DISSENT-RING-V1-GENERATORS_XMD:SHA-512_R255MAP_RO_", m, sizeof m);
}

static void neg(uint8_t s[32])
{
    crypto_core_ristretto255_scalar_negate(s, s);
}

static void check_proof(const uint8_t (*keys)[32], size_t n_keys, const uint8_t *proof, size_t len)
{
    const unsigned n = proof[1], m = proof[2];
    assert_int_equal(proof[0], 1);
    assert_int_equal(len, 4 + 32 * (5 + 2 * m) + 32 * (m * (n - 1) + 3));
    const uint8_t *J = proof + 4, *A = J + 32, *B = A + 32, *C = B + 32, *D = C + 32, *X = D + 32,
                  *Y = X + 32 * m, *F = Y + 32 * m, *Z = F + 32 * m * (n - 1);
    /* ring digest (§4) */
    uint8_t digest[64], hdr[36];
    crypto_hash_sha512_state st;
    hdr[0] = 27;
    memcpy(hdr + 1, "DISSENT-RING-V1-RING-DIGEST", 27);
    be64(hdr + 28, n_keys);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, hdr, 36);
    crypto_hash_sha512_update(&st, &keys[0][0], 32 * n_keys);
    crypto_hash_sha512_final(&st, digest);
    /* tag base (§3) */
    uint8_t U[32];
    hg(U, "DISSENT-RING-V1-TAG_XMD:SHA-512_R255MAP_RO_", SCOPE, SCOPE_LEN);
    /* transcript (§7) */
    uint8_t t[1 + 27 + 16], l8[8], h[64], xi[32];
    t[0] = 27;
    memcpy(t + 1, "DISSENT-RING-V1-TRIPTYCH-FS", 27);
    be32(t + 28, n);
    be32(t + 32, m);
    be64(t + 36, n_keys);
    be64(l8, MSG_LEN);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, t, sizeof t);
    crypto_hash_sha512_update(&st, digest, 64);
    crypto_hash_sha512_update(&st, U, 32);
    crypto_hash_sha512_update(&st, J, 32);
    crypto_hash_sha512_update(&st, l8, 8);
    crypto_hash_sha512_update(&st, MSG, MSG_LEN);
    crypto_hash_sha512_update(&st, A, 32 * (4 + 2 * m));
    crypto_hash_sha512_final(&st, h);
    crypto_core_ristretto255_scalar_reduce(xi, h);

    /* f_{j,0} = xi - sum f_{j,i} */
    uint8_t(*f)[16][32] = calloc(m, sizeof *f);
    for (unsigned j = 0; j < m; j++) {
        memcpy(f[j][0], xi, 32);
        for (unsigned i = 1; i < n; i++) {
            memcpy(f[j][i], F + 32 * (j * (n - 1) + i - 1), 32);
            crypto_core_ristretto255_scalar_sub(f[j][0], f[j][0], f[j][i]);
        }
    }
    uint8_t Hg[32], lhs[32], rhs[32], s[32], s2[32];
    hg(Hg, "DISSENT-RING-V1-GENERATORS_XMD:SHA-512_R255MAP_RO_", (const uint8_t *)"H", 1);
    /* (1) A + xi B = Com(f; zA) */
    memcpy(lhs, A, 32);
    add_mul(lhs, xi, B);
    memset(rhs, 0, 32);
    for (unsigned j = 0; j < m; j++)
        for (unsigned i = 0; i < n; i++) {
            uint8_t g[32];
            gen(g, j, i);
            add_mul(rhs, f[j][i], g);
        }
    add_mul(rhs, Z, Hg);
    assert_memory_equal(lhs, rhs, 32);
    /* (2) xi C + D = Com(f (xi - f); zC) */
    memcpy(lhs, D, 32);
    add_mul(lhs, xi, C);
    memset(rhs, 0, 32);
    for (unsigned j = 0; j < m; j++)
        for (unsigned i = 0; i < n; i++) {
            uint8_t g[32];
            gen(g, j, i);
            crypto_core_ristretto255_scalar_sub(s, xi, f[j][i]);
            crypto_core_ristretto255_scalar_mul(s, s, f[j][i]);
            add_mul(rhs, s, g);
        }
    add_mul(rhs, Z + 32, Hg);
    assert_memory_equal(lhs, rhs, 32);
    /* (3) sum_k t_k M_k - sum_j xi^j X_j = z G, padding repeats the last key */
    size_t pad = 1;
    for (unsigned j = 0; j < m; j++)
        pad *= n;
    memset(lhs, 0, 32);
    for (size_t k = 0; k < pad; k++) {
        uint8_t tk[32] = {1};
        size_t kk = k;
        for (unsigned j = 0; j < m; j++, kk /= n)
            crypto_core_ristretto255_scalar_mul(tk, tk, f[j][kk % n]);
        add_mul(lhs, tk, keys[k < n_keys ? k : n_keys - 1]);
    }
    uint8_t xp[32] = {1};
    for (unsigned j = 0; j < m; j++) {
        memcpy(s2, xp, 32);
        neg(s2);
        add_mul(lhs, s2, X + 32 * j);
        crypto_core_ristretto255_scalar_mul(xp, xp, xi);
    }
    assert_int_equal(crypto_scalarmult_ristretto255_base(rhs, Z + 64), 0);
    assert_memory_equal(lhs, rhs, 32);
    /* (4) xi^m U - sum_j xi^j Y_j = z J */
    memset(lhs, 0, 32);
    add_mul(lhs, xp, U); /* xp = xi^m now */
    uint8_t xq[32] = {1};
    for (unsigned j = 0; j < m; j++) {
        memcpy(s2, xq, 32);
        neg(s2);
        add_mul(lhs, s2, Y + 32 * j);
        crypto_core_ristretto255_scalar_mul(xq, xq, xi);
    }
    assert_int_equal(crypto_scalarmult_ristretto255(rhs, Z + 64, J), 0);
    assert_memory_equal(lhs, rhs, 32);
    free(f);
}

static void test_independent_verifier(void **state)
{
    (void)state;
    static const size_t sizes[] = {3, 6};
    for (int q = 0; q < 2; q++) {
        const size_t N = sizes[q];
        uint8_t(*pk)[32] = malloc(N * 32), (*sk)[32] = malloc(N * 32);
        for (size_t i = 0; i < N; i++)
            assert_int_equal(ring_keypair(pk[i], sk[i], NULL), 0);
        struct ring_keys *ring;
        struct err e;
        assert_int_equal(ring_keys_new(&ring, (const uint8_t(*)[32])pk, N, &e), 0);
        uint8_t *proof;
        size_t len;
        const size_t who = N - 1; /* the last key: also the padding key */
        assert_int_equal(
            ring_prove(&proof, &len, ring, who, sk[who], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e), 0);
        check_proof((const uint8_t(*)[32])pk, N, proof, len);
        /* the tag is r^-1 U */
        uint8_t U[32], inv[32], J[32];
        hg(U, "DISSENT-RING-V1-TAG_XMD:SHA-512_R255MAP_RO_", SCOPE, SCOPE_LEN);
        assert_int_equal(crypto_core_ristretto255_scalar_invert(inv, sk[who]), 0);
        assert_int_equal(crypto_scalarmult_ristretto255(J, inv, U), 0);
        assert_memory_equal(J, proof + 4, 32);
        free(proof);
        ring_keys_free(ring);
        free(pk);
        free(sk);
    }
}

/* A member who holds two keys in accepted rings gets two tags on one memo:
 * the channel layer must keep one key per member (DESIGN, "One member, one key"). */
static void test_rekey_gives_a_second_tag(void **state)
{
    (void)state;
    uint8_t pk1[32], sk1[32], pk2[32], sk2[32], t1[32], t2[32], t1b[32];
    struct err e;
    assert_int_equal(ring_keypair(pk1, sk1, NULL), 0);
    assert_int_equal(ring_keypair(pk2, sk2, NULL), 0);
    assert_int_equal(ring_tag(t1, sk1, SCOPE, SCOPE_LEN, &e), 0);
    assert_int_equal(ring_tag(t1b, sk1, SCOPE, SCOPE_LEN, &e), 0);
    assert_int_equal(ring_tag(t2, sk2, SCOPE, SCOPE_LEN, &e), 0);
    assert_memory_equal(t1, t1b, 32);
    assert_memory_not_equal(t1, t2, 32);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_independent_verifier),
        cmocka_unit_test(test_rekey_gives_a_second_tag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
