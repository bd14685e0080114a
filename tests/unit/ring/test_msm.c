/* Tests for src/ring group.c and msm.c: libdecaf/libsodium agreement,
 * Montgomery scalars, Pippenger and constant-time MSMs against naive sums. */
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
#include "ring/msm.h"
#include "ring_fixture.h"

static void test_decaf_matches_sodium(void **state)
{
    (void)state;
    for (int i = 0; i < 50; i++) {
        ring_point p, q, r;
        uint8_t pe[32], qe[32], se[32], de[32];
        fixture_random_point(&p, pe);
        fixture_random_point(&q, qe);
        decaf_255_point_add(&r, &p, &q);
        ring_point_encode(de, &r);
        assert_int_equal(crypto_core_ristretto255_add(se, pe, qe), 0);
        assert_memory_equal(de, se, 32);
        decaf_255_point_sub(&r, &p, &q);
        ring_point_encode(de, &r);
        assert_int_equal(crypto_core_ristretto255_sub(se, pe, qe), 0);
        assert_memory_equal(de, se, 32);
        uint8_t s[32];
        ring_scalar_random(s);
        ring_scalarmul_ct(&r, s, &p);
        ring_point_encode(de, &r);
        assert_int_equal(crypto_scalarmult_ristretto255(se, s, pe), 0);
        assert_memory_equal(de, se, 32);
        decaf_255_scalar_t ds;
        assert_true(decaf_255_scalar_decode(ds, s) == DECAF_SUCCESS);
        decaf_255_point_scalarmul(&r, &p, ds);
        ring_point_encode(de, &r);
        assert_memory_equal(de, se, 32);
    }
}

static void test_scalars(void **state)
{
    (void)state;
    uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                     0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                     0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    assert_false(ring_scalar_is_canonical(l));
    l[0]--;
    assert_true(ring_scalar_is_canonical(l));
    uint8_t z[32] = {0};
    assert_true(ring_scalar_is_zero(z));
    assert_true(ring_scalar_is_canonical(z));
    for (int i = 0; i < 200; i++) {
        uint8_t a[32], b[32], m[32], s[32], got[32];
        ring_scalar_random(a);
        ring_scalar_random(b);
        if (i == 0)
            memcpy(a, l, 32); /* l - 1 */
        struct ring_msc ma, mb, mr;
        ring_msc_from_bytes(&ma, a);
        ring_msc_from_bytes(&mb, b);
        ring_msc_to_bytes(got, &ma);
        assert_memory_equal(got, a, 32);
        ring_msc_mul(&mr, &ma, &mb);
        ring_msc_to_bytes(got, &mr);
        crypto_core_ristretto255_scalar_mul(m, a, b);
        assert_memory_equal(got, m, 32);
        ring_msc_add(&mr, &ma, &mb);
        ring_msc_to_bytes(got, &mr);
        crypto_core_ristretto255_scalar_add(s, a, b);
        assert_memory_equal(got, s, 32);
    }
    uint8_t a[32], p[32], want[32] = {1};
    ring_scalar_random(a);
    ring_scalar_pow(p, a, 0);
    assert_memory_equal(p, want, 32);
    ring_scalar_pow(p, a, 5);
    memcpy(want, a, 32);
    for (int i = 1; i < 5; i++)
        crypto_core_ristretto255_scalar_mul(want, want, a);
    assert_memory_equal(p, want, 32);
}

/* little-endian bytes of 4 limbs */
static void limbs_to_bytes(uint8_t out[32], const uint64_t v[4])
{
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(v[i / 8] >> (8 * (i % 8)));
}

/* x + l: the same value mod l, as lazy results may be (below 2l) */
static void add_l(struct ring_msc *x)
{
    static const uint64_t l[4] = {RING_L0, RING_L1, 0, RING_L3};
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)x->v[i] + l[i];
        x->v[i] = (uint64_t)c;
        c >>= 64;
    }
}

/* The batch verifier's lazy products and once-reduced sums of products
 * against libsodium: inputs anywhere below 2l, sums of many terms, and sums
 * whose limbs are arbitrary. */
static void test_lazy_sums(void **state)
{
    (void)state;
    uint8_t want[32] = {0}, got[32], a[32], b[32], m[32];
    struct ring_msc_sum acc = {{0}};
    struct ring_msc r, ma, mb;
    for (int i = 0; i < 3000; i++) {
        ring_scalar_random(a);
        ring_scalar_random(b);
        if (i < 4) { /* l - 1 */
            memset(a, 0, 32);
            crypto_core_ristretto255_scalar_sub(a, a, (const uint8_t[32]){1});
        }
        ring_msc_from_bytes(&ma, a);
        ring_msc_from_bytes(&mb, b);
        if (i % 2 || i < 4)
            add_l(&ma);
        if (i % 3 == 0)
            add_l(&mb);
        ring_msc_mul_lazy(&r, &ma, &mb);
        assert_true(r.v[3] < (RING_L3 << 2)); /* below 2^254 */
        ring_msc_to_bytes(got, &r);
        crypto_core_ristretto255_scalar_mul(m, a, b);
        assert_memory_equal(got, m, 32);
        crypto_core_ristretto255_scalar_add(want, want, m);
        ring_msc_sum_mul_add(&acc, &ma, &mb);
    }
    ring_msc_sum_reduce(&r, &acc);
    ring_msc_to_bytes(got, &r);
    assert_memory_equal(got, want, 32);
    /* doubling a sum, as the threads' sums are merged */
    ring_msc_sum_add(&acc, &acc);
    crypto_core_ristretto255_scalar_add(want, want, want);
    ring_msc_sum_reduce(&r, &acc);
    ring_msc_to_bytes(got, &r);
    assert_memory_equal(got, want, 32);
    /* any nine limbs within the bound: out R = x (mod l) */
    uint8_t rmod[32], r2mod[32], wide[64] = {0};
    wide[32] = 1;
    crypto_core_ristretto255_scalar_reduce(rmod, wide); /* 2^256 mod l */
    crypto_core_ristretto255_scalar_mul(r2mod, rmod, rmod);
    for (int i = 0; i < 1000; i++) {
        struct ring_msc_sum x;
        uint8_t hi[32] = {0}, t[32];
        randombytes_buf(x.v, sizeof x.v);
        x.v[8] >>= 1 + i % 60;
        if (i == 0) {
            memset(x.v, 0xff, sizeof x.v);
            x.v[8] = 0x7fffffffffffffffULL;
        }
        if (i == 1)
            memset(x.v, 0, sizeof x.v);
        for (int k = 0; k < 64; k++)
            wide[k] = (uint8_t)(x.v[k / 8] >> (8 * (k % 8)));
        for (int k = 0; k < 8; k++)
            hi[k] = (uint8_t)(x.v[8] >> (8 * k));
        crypto_core_ristretto255_scalar_reduce(want, wide);
        crypto_core_ristretto255_scalar_mul(t, hi, r2mod);
        crypto_core_ristretto255_scalar_add(want, want, t);
        ring_msc_sum_reduce(&r, &x);
        limbs_to_bytes(got, r.v);
        assert_true(ring_scalar_is_canonical(got));
        crypto_core_ristretto255_scalar_mul(got, got, rmod);
        assert_memory_equal(got, want, 32);
    }
}

static void naive(ring_point *out, uint8_t (*s)[32], const ring_point *p, size_t n)
{
    *out = *decaf_255_point_identity;
    for (size_t i = 0; i < n; i++) {
        decaf_255_scalar_t ds;
        ring_point t;
        assert_true(decaf_255_scalar_decode(ds, s[i]) == DECAF_SUCCESS);
        decaf_255_point_scalarmul(&t, &p[i], ds);
        decaf_255_point_add(out, out, &t);
    }
}

static void check_size(size_t n, int with_ct)
{
    uint8_t(*s)[32] = malloc((n + 1) * 32);
    ring_point *p = malloc((n + 1) * sizeof *p);
    assert_non_null(s);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        fixture_random_point(&p[i], NULL);
        ring_scalar_random(s[i]);
        /* special scalars: 0, 1, l-1, small, repeated points */
        if (i % 7 == 1)
            memset(s[i], 0, 32);
        if (i % 11 == 2) {
            memset(s[i], 0, 32);
            s[i][0] = 1;
        }
        if (i % 13 == 3) {
            uint8_t one[32] = {1};
            crypto_core_ristretto255_scalar_negate(s[i], one);
        }
        if (i % 17 == 4 && i > 0)
            p[i] = p[i - 1];
    }
    ring_point want, got;
    naive(&want, s, p, n);
    struct err e;
    assert_int_equal(ring_msm(&got, (const uint8_t(*)[32])s, p, n, 0, &e), 0);
    assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    assert_int_equal(ring_msm(&got, (const uint8_t(*)[32])s, p, n, 1, &e), 0);
    assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    if (with_ct) {
        assert_int_equal(ring_msm_ct(&got, (const uint8_t(*)[32])s, p, n, &e), 0);
        assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    }
    free(s);
    free(p);
}

static void test_msm_segments(void **state)
{
    (void)state;
    enum { N = 700 };
    uint8_t(*s)[32] = malloc(N * 32);
    ring_point *p = malloc(N * sizeof *p), want, got;
    for (size_t i = 0; i < N; i++) {
        fixture_random_point(&p[i], NULL);
        ring_scalar_random(s[i]);
    }
    struct err e;
    assert_int_equal(ring_msm(&want, (const uint8_t(*)[32])s, p, N, 0, &e), 0);
    const struct ring_msm_seg segs[4] = {{(const uint8_t(*)[32])s, p, 300},
                                         {(const uint8_t(*)[32])s + 300, p + 300, 0},
                                         {(const uint8_t(*)[32])s + 300, p + 300, 399},
                                         {(const uint8_t(*)[32])s + 699, p + 699, 1}};
    assert_int_equal(ring_msm_segs(&got, segs, 4, 0, &e), 0);
    assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    assert_int_equal(ring_msm_segs(&got, segs, 0, 0, &e), 0);
    assert_true(ring_point_is_identity(&got));
    free(s);
    free(p);
}

static void test_msm_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 64, 100, 255, 256, 257, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        check_size(sizes[i], sizes[i] <= 100);
}

static void test_msm_large(void **state)
{
    (void)state;
    check_size(3000, 0);
}

static void test_xmd_limits(void **state)
{
    (void)state;
    uint8_t out[64];
    struct err e;
    assert_int_equal(ring_expand_message_xmd(out, 0, NULL, 0, (const uint8_t *)"d", 1, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    uint8_t *big = malloc(RING_XMD_MAX_OUT + 1);
    assert_int_equal(
        ring_expand_message_xmd(big, RING_XMD_MAX_OUT + 1, NULL, 0, (const uint8_t *)"d", 1, &e),
        -1);
    assert_int_equal(
        ring_expand_message_xmd(big, RING_XMD_MAX_OUT, NULL, 0, (const uint8_t *)"d", 1, &e), 0);
    free(big);
    /* oversize DST equals the hashed DST (RFC 9380 §5.3.3) */
    uint8_t dst[300], hd[64], a[32], b[32];
    memset(dst, 'X', sizeof dst);
    crypto_hash_sha512_state st;
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, (const uint8_t *)"H2C-OVERSIZE-DST-", 17);
    crypto_hash_sha512_update(&st, dst, sizeof dst);
    crypto_hash_sha512_final(&st, hd);
    assert_int_equal(ring_expand_message_xmd(a, 32, (const uint8_t *)"msg", 3, dst, sizeof dst, &e),
                     0);
    assert_int_equal(ring_expand_message_xmd(b, 32, (const uint8_t *)"msg", 3, hd, 64, &e), 0);
    assert_memory_equal(a, b, 32);
    /* different DSTs give different points */
    assert_int_equal(ring_hash_to_group(a, (const uint8_t *)"m", 1, (const uint8_t *)"A", 1, &e),
                     0);
    assert_int_equal(ring_hash_to_group(b, (const uint8_t *)"m", 1, (const uint8_t *)"B", 1, &e),
                     0);
    assert_memory_not_equal(a, b, 32);
    assert_int_equal(ring_hash_to_group(b, (const uint8_t *)"m", 1, NULL, 0, &e), -1);
}

/* The constant-time canonical check (for secret keys) agrees with the
 * plain one at l - 1, l, l + 1, 0, 2^256 - 1, a borrow across every limb and
 * random values. */
static void test_canonical_ct(void **state)
{
    (void)state;
    static const uint8_t l[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
                                  0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
                                  0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
    uint8_t v[32];
    memcpy(v, l, 32);
    assert_int_equal(ring_scalar_is_canonical_ct(v), 0);
    v[0]--; /* l - 1 */
    assert_int_equal(ring_scalar_is_canonical_ct(v), 1);
    v[0] += 2; /* l + 1 */
    assert_int_equal(ring_scalar_is_canonical_ct(v), 0);
    memset(v, 0, 32);
    assert_int_equal(ring_scalar_is_canonical_ct(v), 1);
    memset(v, 0xff, 32);
    assert_int_equal(ring_scalar_is_canonical_ct(v), 0);
    memset(v, 0, 32);
    v[31] = 0x10; /* 2^252 < l: borrows through the zero limbs */
    assert_int_equal(ring_scalar_is_canonical_ct(v), 1);
    for (int k = 0; k < 2000; k++) {
        randombytes_buf(v, 32);
        v[31] = (uint8_t)(k & 1 ? 0x10 : v[31] & 0x1f); /* near l, and on both sides */
        assert_int_equal(ring_scalar_is_canonical_ct(v), ring_scalar_is_canonical(v));
    }
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decaf_matches_sodium),
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_lazy_sums),
        cmocka_unit_test(test_msm_sizes),
        cmocka_unit_test(test_msm_large),
        cmocka_unit_test(test_xmd_limits),
        cmocka_unit_test(test_msm_segments),
        cmocka_unit_test(test_canonical_ct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
