/* Tests for src/ring/coef_ifma.c: the batch verifier's ring coefficients on
 * AVX-512 IFMA against the portable sums (ring_msc_sum_mul_add), limb for
 * limb, and whole batches verified both ways. The kernel's tests are skipped,
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

#include "ring/coef.h"
#include "ring/group.h"
#include "ring/internal.h"
#include "ring/triptych.h"
#include "unit/ring/ring_fixture.h"

static int have_ifma(void)
{
    if (ring_coef8_available())
        return 1;
    printf("  skip  this CPU has no AVX-512 IFMA: only the portable coefficients run here\n");
    return 0;
}

/* 2l - 1, the largest lazily reduced value. */
static struct ring_msc two_l_minus_1(void)
{
    const uint64_t l[4] = {RING_L0, RING_L1, 0, RING_L3};
    struct ring_msc r;
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)l[i] * 2;
        r.v[i] = (uint64_t)c;
        c >>= 64;
    }
    r.v[0] -= 1; /* l is odd: no borrow */
    return r;
}

/* A factor of a kind: 0 reduced (below l), 1 a lazy product (below 2l),
 * 2 at or just below 2l - 1, 3 small, 4 at or just below 2^253 - 1 (below
 * 2l, every 52-bit limb full but the top one: the largest column sums). */
static void make_factor(struct ring_msc *x, int kind)
{
    uint8_t b[32];
    struct ring_msc y;
    switch (kind) {
    case 0:
        crypto_core_ristretto255_scalar_random(b);
        ring_msc_from_bytes(x, b);
        break;
    case 1:
        make_factor(x, 0);
        make_factor(&y, 0);
        ring_msc_mul_lazy(x, x, &y);
        break;
    case 2:
        *x = two_l_minus_1();
        x->v[0] -= randombytes_uniform(4);
        break;
    case 3:
        *x = (struct ring_msc){{randombytes_uniform(1000), 0, 0, 0}};
        break;
    default:
        *x = (struct ring_msc){{~0ull - randombytes_uniform(4), ~0ull, ~0ull, (1ull << 61) - 1}};
        break;
    }
}

/* Adds `proofs` rounds of cur[k / w] * f[k % w] to count sums both ways and
 * compares the nine-limb sums (and their reductions) exactly. kind < 0
 * mixes the kinds of make_factor. split: the proofs but the last alternate
 * between two sums (the verifier's two threads), which are then added with
 * ring_coef8_add, and the last proof goes to the merged sum. */
static void compare(size_t count, unsigned w, unsigned proofs, int kind, int split)
{
    struct err e;
    const size_t ny = (count + w - 1) / w;
    struct ring_msc_sum *want = calloc(count, sizeof *want), *got = calloc(count, sizeof *got);
    struct ring_msc *cur = malloc(ny * sizeof *cur), f[RING_COEF8_MAX_W];
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(cur);
    /* the sums start nonzero: the kernel's are added to them */
    for (size_t k = 0; k < count; k++) {
        randombytes_buf(want[k].v, 8 * sizeof want[k].v[0]);
        got[k] = want[k];
    }
    struct ring_coef8 c = {0}, c2 = {0};
    assert_int_equal(ring_coef8_init(&c, count, ny + randombytes_uniform(3), &e), 0);
    assert_int_equal(ring_coef8_init(&c2, count, ny, &e), 0);
    for (unsigned p = 0; p < proofs; p++) {
        for (size_t y = 0; y < ny; y++)
            make_factor(&cur[y], kind < 0 ? (int)randombytes_uniform(5) : kind);
        for (unsigned i = 0; i < w; i++)
            make_factor(&f[i], kind < 0 ? (int)randombytes_uniform(5) : kind);
        for (size_t k = 0; k < count; k++)
            ring_msc_sum_mul_add(&want[k], &cur[k / w], &f[k % w]);
        if (split && p + 1 == proofs)
            ring_coef8_add(&c, &c2);
        ring_coef8_mul_add(split && p % 2 && p + 1 < proofs ? &c2 : &c, cur, f, w);
    }
    for (size_t k = 0; k < count; k++) {
        struct ring_msc_sum x;
        ring_coef8_get(&c, k, &x);
        ring_msc_sum_add(&got[k], &x);
        if (memcmp(&want[k], &got[k], sizeof want[k]) != 0)
            fail_msg("count %zu w %u proofs %u kind %d: key %zu differs", count, w, proofs, kind,
                     k);
        struct ring_msc a, b;
        ring_msc_sum_reduce(&a, &want[k]);
        ring_msc_sum_reduce(&b, &got[k]);
        assert_memory_equal(&a, &b, sizeof a);
    }
    ring_coef8_free(&c);
    ring_coef8_free(&c2);
    free(want);
    free(got);
    free(cur);
}

/* Every block width the verifier uses, ring sizes that are and are not
 * multiples of eight or of w, and 1..9 proofs. */
static void test_kernel_matches_portable(void **state)
{
    (void)state;
    if (!have_ifma())
        return;
    static const unsigned widths[] = {2, 4, 8, 16, 32, 64, 128, 256};
    static const size_t counts[] = {1,  2,  3,   7,   8,   9,   15,   16,
                                    17, 31, 100, 255, 256, 257, 1000, 4097};
    unsigned proofs = 1;
    for (size_t a = 0; a < sizeof widths / sizeof *widths; a++)
        for (size_t b = 0; b < sizeof counts / sizeof *counts; b++) {
            compare(counts[b], widths[a], proofs, -1, (a + b) % 2);
            proofs = proofs % 9 + 1;
        }
}

/* Many products of the largest factors: the columns are carried every 256
 * products, and must be (products of 2^253 - 1 overflow an uncarried column
 * after 684 of them), so runs of 255..1000 products check the headroom; the
 * other kinds for good measure. */
static void test_kernel_carries(void **state)
{
    (void)state;
    if (!have_ifma())
        return;
    compare(17, 8, 1000, 4, 0);
    compare(24, 2, 700, 4, 0);
    compare(17, 8, 1000, 2, 0);
    compare(9, 2, 255, 2, 0);
    compare(9, 4, 256, 2, 0);
    compare(9, 16, 257, 2, 0);
    compare(40, 16, 600, -1, 0);
    compare(40, 4, 300, 1, 0);
    compare(40, 4, 300, 3, 0);
    /* two sums of 1,300 products each, added: the merged columns carry again */
    compare(17, 8, 2601, 4, 1);
}

/* The dispatch switch: forcing the portable code turns the kernel off. */
static void test_switch(void **state)
{
    (void)state;
    const int avail = ring_coef8_available();
    assert_int_equal(ring_coef_use(RING_MSM_PORTABLE), RING_MSM_AUTO);
    assert_int_equal(ring_coef8_available(), 0);
    assert_int_equal(ring_coef_use(RING_MSM_IFMA), RING_MSM_PORTABLE);
    assert_int_equal(ring_coef8_available(), avail);
    assert_int_equal(ring_coef_use(RING_MSM_AUTO), RING_MSM_IFMA);
}

/* Verifies items[0..count) with the coefficients on the portable code and
 * on the default; both must say want (0, or -1 with ERR_CRYPTO). */
static void verify_both(const struct fixture *f, const struct ring_batch_item *items, size_t count,
                        int want)
{
    for (int portable = 0; portable < 2; portable++) {
        struct err e;
        err_init(&e);
        ring_coef_use(portable ? RING_MSM_PORTABLE : RING_MSM_AUTO);
        int rc = ring_verify_batch(f->ring, SCOPE, SCOPE_LEN, items, count, &e);
        ring_coef_use(RING_MSM_AUTO);
        if (rc != want)
            fail_msg("ring of %zu, batch of %zu, %s coefficients: %d (%s), want %d", f->n, count,
                     portable ? "portable" : "default", rc, e.msg, want);
        if (rc != 0)
            assert_int_equal(e.code, ERR_CRYPTO);
    }
}

/* Batches of 1..9 proofs (one thread for one proof, two beyond), radix 2,
 * 4, 8 and 16 and then all mixed, on rings whose sizes are not powers of
 * the radix: valid batches pass both ways, and a batch with one bad proof
 * (its message, or one response f, changed) fails both ways. */
static void test_batches_both_ways(void **state)
{
    (void)state;
    static const size_t sizes[] = {5, 70, 300};
    static const unsigned radices[] = {2, 4, 8, 16};
    enum { K = 9, R = 4 };
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        struct fixture f;
        fixture_make(&f, sizes[z]);
        uint8_t *proofs[R][K];
        size_t lens[R][K];
        struct ring_batch_item items[R][K], mixed[K];
        for (unsigned r = 0; r < R; r++) {
            struct ring_params p = {radices[r], 0};
            size_t cap = 1;
            while (cap < f.n) {
                cap *= p.n;
                p.m++;
            }
            if (p.m == 0)
                p.m = 1;
            for (int k = 0; k < K; k++) {
                struct err e;
                const size_t idx = (size_t)k * 37 % f.n;
                if (ring_prove_with(&proofs[r][k], &lens[r][k], p, f.ring, idx, f.sk[idx], SCOPE,
                                    SCOPE_LEN, MSG, MSG_LEN, &e) != 0)
                    fail_msg("prove n=%u m=%u: %s", p.n, p.m, e.msg);
                items[r][k] = (struct ring_batch_item){proofs[r][k], lens[r][k], MSG, MSG_LEN};
            }
        }
        for (int k = 0; k < K; k++) /* radices 2, 4, 8, 16, 2, ... */
            mixed[k] = (struct ring_batch_item){proofs[k % R][k], lens[k % R][k], MSG, MSG_LEN};
        for (unsigned r = 0; r <= R; r++) {
            struct ring_batch_item *it = r < R ? items[r] : mixed;
            for (size_t count = 1; count <= K; count++) {
                verify_both(&f, it, count, 0);
                const size_t bad = count / 2;
                it[bad].msg = (const uint8_t *)"version-hash-bbbb";
                verify_both(&f, it, count, -1);
                it[bad].msg = MSG;
                /* f[0][1]'s low bit: the ring coefficients change */
                uint8_t *pf = (uint8_t *)it[bad].proof + ring_off_f(it[bad].proof[2]);
                pf[0] ^= 1;
                verify_both(&f, it, count, -1);
                pf[0] ^= 1;
            }
        }
        for (unsigned r = 0; r < R; r++)
            for (int k = 0; k < K; k++)
                free(proofs[r][k]);
        fixture_free(&f);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_matches_portable),
        cmocka_unit_test(test_kernel_carries),
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_batches_both_ways),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
