/* Tests for src/ring/msm_ifma.c: the AVX-512 IFMA Pippenger against the
 * portable one (msm.c) and naive sums, on random and adversarial scalars and
 * points. Skipped, with a message, on a CPU without AVX-512 IFMA. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring/group.h"
#include "ring/msm.h"
#include "ring_fixture.h"

/* l - 1, the largest scalar. */
static const uint8_t l_minus_1[32] = {
    0xec, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10};

static int have_ifma(void)
{
    if (ring_msm_ifma_available())
        return 1;
    printf("  skip  this CPU has no AVX-512 IFMA: only the portable MSM runs here\n");
    return 0;
}

/* Scalars of a kind: 0 random, 1 small, 2 near l, 3 sparse with runs of
 * ones (digits at the window's edge, carries through every window). */
static void make_scalar(uint8_t s[32], int kind, size_t i)
{
    switch (kind) {
    case 0:
        crypto_core_ristretto255_scalar_random(s);
        break;
    case 1:
        memset(s, 0, 32);
        s[0] = (uint8_t)i;
        s[1] = (uint8_t)(i >> 8);
        break;
    case 2:
        memcpy(s, l_minus_1, 32);
        s[0] = (uint8_t)(s[0] - (i & 7));
        break;
    default:
        memset(s, 0, 32);
        for (size_t b = i % 13; b < 252; b += 11 + i % 5) /* a run of ones per stride */
            for (size_t k = b; k < b + 3 + i % 7 && k < 252; k++)
                s[k / 8] |= (uint8_t)(1u << (k % 8));
        break;
    }
}

/* Computes the MSM both ways (and with 1 and 2 threads) and compares. */
static void compare(const uint8_t (*s)[32], const ring_point *p, size_t n)
{
    struct err e;
    ring_point want, got;
    const struct ring_msm_seg seg = {s, p, n};
    assert_int_equal(ring_msm_use(RING_MSM_PORTABLE), RING_MSM_AUTO);
    assert_int_equal(ring_msm(&want, s, p, n, 0, &e), 0);
    assert_int_equal(ring_msm_use(RING_MSM_AUTO), RING_MSM_PORTABLE);
    for (unsigned threads = 1; threads <= 2; threads++) {
        assert_int_equal(ring_msm_ifma_segs(&got, &seg, 1, threads, &e), 0);
        assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    }
    /* and through the dispatcher, as the verifier calls it */
    assert_int_equal(ring_msm(&got, s, p, n, 0, &e), 0);
    assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
}

static void test_ifma_matches_portable(void **state)
{
    (void)state;
    if (!have_ifma())
        return;
    static const size_t sizes[] = {1, 2, 7, 255, 256, 511, 512, 513, 1000, 4099, 20000};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        const size_t n = sizes[z];
        uint8_t(*s)[32] = malloc(n * 32);
        ring_point *p = malloc(n * sizeof *p);
        assert_non_null(s);
        assert_non_null(p);
        for (int kind = 0; kind < 4; kind++) {
            for (size_t i = 0; i < n; i++) {
                make_scalar(s[i], kind, i);
                fixture_random_point(&p[i], NULL);
            }
            compare((const uint8_t(*)[32])s, p, n);
        }
        free(s);
        free(p);
    }
}

/* The same point many times (every lane hits buckets that already hold
 * it: the add must be complete, doubling included), the identity among the
 * points, and a scalar and its negation cancelling to the identity. */
static void test_ifma_edge_points(void **state)
{
    (void)state;
    if (!have_ifma())
        return;
    const size_t n = 3000;
    uint8_t(*s)[32] = malloc(n * 32);
    ring_point *p = malloc(n * sizeof *p);
    assert_non_null(s);
    assert_non_null(p);
    ring_point one;
    fixture_random_point(&one, NULL);
    for (size_t i = 0; i < n; i++) {
        p[i] = i % 3 == 0 ? *decaf_255_point_identity : one;
        make_scalar(s[i], i % 2 ? 1 : 3, i / 2); /* equal scalars in pairs */
    }
    compare((const uint8_t(*)[32])s, p, n);
    /* s * P + (l - s) * P = identity */
    for (size_t i = 0; i < n; i += 2) {
        fixture_random_point(&p[i], NULL);
        p[i + 1] = p[i];
        crypto_core_ristretto255_scalar_random(s[i]);
        crypto_core_ristretto255_scalar_negate(s[i + 1], s[i]);
    }
    struct err e;
    ring_point got;
    const struct ring_msm_seg seg = {(const uint8_t(*)[32])s, p, n};
    assert_int_equal(ring_msm_ifma_segs(&got, &seg, 1, 2, &e), 0);
    assert_true(ring_point_is_identity(&got));
    /* one scalar changed: no longer the identity */
    s[n / 2][0] ^= 1;
    assert_int_equal(ring_msm_ifma_segs(&got, &seg, 1, 2, &e), 0);
    assert_false(ring_point_is_identity(&got));
    free(s);
    free(p);
}

/* Segments are taken in place and split across threads anywhere. */
static void test_ifma_segments(void **state)
{
    (void)state;
    if (!have_ifma())
        return;
    enum { N = 2600 };
    uint8_t(*s)[32] = malloc(N * 32);
    ring_point *p = malloc(N * sizeof *p);
    assert_non_null(s);
    assert_non_null(p);
    for (size_t i = 0; i < N; i++) {
        crypto_core_ristretto255_scalar_random(s[i]);
        fixture_random_point(&p[i], NULL);
    }
    struct err e;
    ring_point want, got;
    const struct ring_msm_seg whole = {(const uint8_t(*)[32])s, p, N};
    assert_int_equal(ring_msm_ifma_segs(&want, &whole, 1, 1, &e), 0);
    const struct ring_msm_seg segs[4] = {{(const uint8_t(*)[32])s, p, 1299},
                                         {(const uint8_t(*)[32])s + 1299, p + 1299, 0},
                                         {(const uint8_t(*)[32])s + 1299, p + 1299, 2},
                                         {(const uint8_t(*)[32])s + 1301, p + 1301, N - 1301}};
    assert_int_equal(ring_msm_ifma_segs(&got, segs, 4, 2, &e), 0);
    assert_true(decaf_255_point_eq(&want, &got) == DECAF_TRUE);
    assert_int_equal(ring_msm_ifma_segs(&got, segs, 0, 2, &e), 0);
    assert_true(ring_point_is_identity(&got));
    free(s);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ifma_matches_portable),
        cmocka_unit_test(test_ifma_edge_points),
        cmocka_unit_test(test_ifma_segments),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
