/* Tests for src/ring/msm_ct8.c: the eight-lane constant-time MSM against
 * ring_msm_ct lane by lane, on random and edge scalars and points. Skipped,
 * with a message, on a CPU without AVX-512 IFMA. */
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

static int have_lanes(void)
{
    if (ring_msm_ct8_available())
        return 1;
    printf("  skip  this CPU has no AVX-512 IFMA: the prover folds one group at a time here\n");
    return 0;
}

/* Every lane equals ring_msm_ct over that lane's points. */
static void check(const uint8_t (*s)[32], const ring_point *pts, size_t n)
{
    struct err e;
    ring_point got[8], want, *lane = malloc((n ? n : 1) * sizeof *lane);
    assert_non_null(lane);
    assert_int_equal(ring_msm_ct8(got, s, pts, n, &e), 0);
    for (unsigned l = 0; l < 8; l++) {
        for (size_t k = 0; k < n; k++)
            lane[k] = pts[k * 8 + l];
        assert_int_equal(ring_msm_ct(&want, s, lane, n, &e), 0);
        assert_true(decaf_255_point_eq(&want, &got[l]) == DECAF_TRUE);
    }
    free(lane);
}

static void test_ct8_matches_ct(void **state)
{
    (void)state;
    if (!have_lanes())
        return;
    /* 0 (identity), one point, a chunk and a bit, the prover's 256 + 32 */
    static const size_t sizes[] = {0, 1, 15, 16, 17, 40, 288};
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        const size_t n = sizes[z];
        uint8_t(*s)[32] = malloc((n ? n : 1) * 32);
        ring_point *p = malloc((n ? n : 1) * 8 * sizeof *p);
        assert_non_null(s);
        assert_non_null(p);
        for (size_t k = 0; k < n; k++) {
            crypto_core_ristretto255_scalar_random(s[k]);
            for (unsigned l = 0; l < 8; l++)
                fixture_random_point(&p[k * 8 + l], NULL);
        }
        check((const uint8_t(*)[32])s, p, n);
        free(s);
        free(p);
    }
}

/* Scalars whose digits hit every table entry, both signs and zero (0, 1,
 * 16, 17, l - 1, all-ones bytes), the same point in several lanes and the
 * identity as a point. */
static void test_ct8_edges(void **state)
{
    (void)state;
    if (!have_lanes())
        return;
    enum { N = 24 };
    uint8_t s[N][32];
    ring_point p[N * 8], one;
    fixture_random_point(&one, NULL);
    memset(s, 0, sizeof s);
    s[1][0] = 1;
    s[2][0] = 16;
    s[3][0] = 17;
    crypto_core_ristretto255_scalar_negate(s[4], s[1]); /* l - 1 */
    for (int b = 0; b < 31; b++)
        s[5][b] = 0xff;
    s[5][31] = 0x0f;
    for (size_t k = 6; k < N; k++)
        crypto_core_ristretto255_scalar_random(s[k]);
    for (size_t k = 0; k < N; k++)
        for (unsigned l = 0; l < 8; l++) {
            if (l == 3)
                p[k * 8 + l] = *decaf_255_point_identity;
            else if (l >= 5)
                p[k * 8 + l] = one;
            else
                fixture_random_point(&p[k * 8 + l], NULL);
        }
    check((const uint8_t(*)[32])s, p, N);
}

/* Forcing the portable code turns the eight lanes off. */
static void test_ct8_forced_off(void **state)
{
    (void)state;
    if (!have_lanes())
        return;
    assert_int_equal(ring_msm_use(RING_MSM_PORTABLE), RING_MSM_AUTO);
    assert_false(ring_msm_ct8_available());
    assert_int_equal(ring_msm_use(RING_MSM_AUTO), RING_MSM_PORTABLE);
    assert_true(ring_msm_ct8_available());
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ct8_matches_ct),
        cmocka_unit_test(test_ct8_edges),
        cmocka_unit_test(test_ct8_forced_off),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
