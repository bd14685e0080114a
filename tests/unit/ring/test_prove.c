/* Tests for src/ring/prove.c: the prover in phases (ring_prover_begin,
 * ring_fold_part, ring_prover_finish) with the first fold level split into
 * parts gives the very bytes of ring_prove for the same randomness, and a
 * part that is missing, repeated, out of order or of another proof or ring
 * is refused. The randomness is made repeatable by a seeded libsodium
 * randombytes implementation installed before libsodium starts (this
 * program only). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ring/triptych.h"
#include "unit/ring/ring_fixture.h"

/* ---------- repeatable randomness: ChaCha20 from a seed ---------- */

static uint8_t seed_key[crypto_stream_chacha20_KEYBYTES];
static uint64_t seed_ctr;

static void seeded(uint8_t s)
{
    memset(seed_key, s, sizeof seed_key);
    seed_ctr = 0;
}

static void det_buf(void *const buf, const size_t size)
{
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES] = {0};
    memcpy(nonce, &seed_ctr, sizeof seed_ctr);
    seed_ctr++;
    crypto_stream_chacha20(buf, size, nonce, seed_key);
}

static uint32_t det_random(void)
{
    uint32_t v;
    det_buf(&v, sizeof v);
    return v;
}

static const char *det_name(void)
{
    return "dissent-test-seeded";
}

static struct randombytes_implementation det_impl = {
    .implementation_name = det_name,
    .random = det_random,
    .stir = NULL,
    .uniform = NULL,
    .buf = det_buf,
    .close = NULL,
};

/* Parts of [0, groups) cut at the given bounds (cuts[0] = 0 ... cuts[k] =
 * groups), concatenated in the order given by order[]. */
static uint8_t *make_parts(size_t *len, const struct ring_keys *ring, const uint8_t *level,
                           const size_t *cuts, const int *order, int k)
{
    struct err e;
    size_t total = 0;
    for (int i = 0; i < k; i++)
        total += ring_fold_part_len(level, cuts[order[i]], cuts[order[i] + 1]);
    uint8_t *all = malloc(total), *at = all;
    assert_non_null(all);
    for (int i = 0; i < k; i++) {
        const size_t r0 = cuts[order[i]], r1 = cuts[order[i] + 1];
        const size_t l = ring_fold_part_len(level, r0, r1);
        assert_int_equal(ring_fold_part(at, l, ring, level, r0, r1, NULL, &e), 0);
        at += l;
    }
    *len = total;
    return all;
}

/* A phased proof with the first level cut into k nearly equal parts. */
static int phased(uint8_t **proof, size_t *len, const struct fixture *f, struct ring_params p,
                  size_t index, int k)
{
    struct err e;
    struct ring_prover *st;
    uint8_t level[RING_LEVEL_BYTES];
    assert_int_equal(
        ring_prover_begin(&st, p, f->ring, index, f->sk[index], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e),
        0);
    const size_t g = ring_prover_groups(st);
    if ((size_t)k > g)
        k = (int)g;
    size_t cuts[9];
    int order[8];
    for (int i = 0; i <= k; i++)
        cuts[i] = g * (size_t)i / (size_t)k;
    for (int i = 0; i < k; i++)
        order[i] = i;
    ring_prover_level(st, level);
    size_t plen;
    uint8_t *parts = make_parts(&plen, f->ring, level, cuts, order, k);
    int rc = ring_prover_finish(st, proof, len, parts, plen, NULL, &e);
    sodium_memzero(level, sizeof level);
    free(parts);
    ring_prover_free(st);
    return rc;
}

/* Split or not, the same randomness makes the same bytes, and they verify. */
static void test_parts_same_bytes(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        unsigned radix; /* 0: ring_params_for */
    } cases[] = {{5, 0}, {20, 4}, {70, 0}, {300, 0}, {300, 8}, {1100, 0}};
    struct err e;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct fixture f;
        seeded((uint8_t)(c + 1));
        fixture_make(&f, cases[c].n);
        struct ring_params p;
        assert_int_equal(ring_params_for(f.n, &p, &e), 0);
        if (cases[c].radix)
            p = (struct ring_params){cases[c].radix, ring_params_digits(f.n, cases[c].radix)};
        const size_t index = f.n - 2;
        uint8_t *want, *got;
        size_t wlen, glen;
        seeded(0xa5);
        assert_int_equal(ring_prove_with(&want, &wlen, p, f.ring, index, f.sk[index], SCOPE,
                                         SCOPE_LEN, MSG, MSG_LEN, &e),
                         0);
        for (int k = 1; k <= 4; k++) {
            seeded(0xa5);
            assert_int_equal(phased(&got, &glen, &f, p, index, k), 0);
            assert_int_equal(glen, wlen);
            assert_memory_equal(got, want, wlen);
            free(got);
        }
        assert_int_equal(ring_verify(f.ring, want, wlen, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, &e),
                         0);
        free(want);
        fixture_free(&f);
    }
}

/* Frees *st (if any) and begins a proof by key 3 of f again, its level in
 * level. */
static void restart(struct ring_prover **st, const struct fixture *f, struct ring_params p,
                    uint8_t level[RING_LEVEL_BYTES])
{
    struct err e;
    ring_prover_free(*st);
    assert_int_equal(
        ring_prover_begin(st, p, f->ring, 3, f->sk[3], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e), 0);
    ring_prover_level(*st, level);
}

/* finish refuses parts that are missing, repeated, out of order, cut short
 * or of another proof; fold_part refuses a level of another ring and
 * ranges outside the level; a state finishes once. */
static void test_bad_parts(void **state)
{
    (void)state;
    struct err e;
    struct fixture f, other;
    seeded(7);
    fixture_make(&f, 300);
    seeded(8);
    fixture_make(&other, 300);
    struct ring_params p;
    assert_int_equal(ring_params_for(f.n, &p, &e), 0);
    struct ring_prover *st = NULL, *st2;
    uint8_t level[RING_LEVEL_BYTES], level2[RING_LEVEL_BYTES];
    restart(&st, &f, p, level);
    assert_int_equal(
        ring_prover_begin(&st2, p, f.ring, 4, f.sk[4], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e), 0);
    const size_t g = ring_prover_groups(st);
    assert_true(g >= 3);
    assert_true(ring_prover_rows(st) > g);
    ring_prover_level(st2, level2);
    const size_t cuts[4] = {0, 1, g / 2, g};
    uint8_t *proof = NULL, *parts;
    size_t len, plen;

    /* a level of another ring; ranges outside the level; wrong size */
    uint8_t *tiny = malloc(ring_fold_part_len(level, 0, 1));
    assert_non_null(tiny);
    e.code = ERR_OK;
    assert_int_equal(
        ring_fold_part(tiny, ring_fold_part_len(level, 0, 1), other.ring, level, 0, 1, NULL, &e),
        -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_int_equal(ring_fold_part(tiny, ring_fold_part_len(level, g, g + 1), f.ring, level, g,
                                    g + 1, NULL, &e),
                     -1);
    assert_int_equal(
        ring_fold_part(tiny, ring_fold_part_len(level, 0, 1) - 1, f.ring, level, 0, 1, NULL, &e),
        -1);
    assert_int_equal(ring_fold_part_len(level, 2, 2), 0);
    free(tiny);

    static const int missing[] = {0, 2}, swapped[] = {0, 2, 1}, repeated[] = {0, 1, 1, 2};
    const struct {
        const int *order;
        int k;
    } bad[] = {{missing, 2}, {swapped, 3}, {repeated, 4}};
    for (size_t b = 0; b < 3; b++) {
        parts = make_parts(&plen, f.ring, level, cuts, bad[b].order, bad[b].k);
        assert_int_equal(ring_prover_finish(st, &proof, &len, parts, plen, NULL, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        assert_null(proof);
        free(parts);
        /* a refused finish spends the state: begin again */
        restart(&st, &f, p, level);
    }
    static const int all[] = {0, 1, 2};
    /* parts of another proof over the same ring */
    parts = make_parts(&plen, f.ring, level2, cuts, all, 3);
    assert_int_equal(ring_prover_finish(st, &proof, &len, parts, plen, NULL, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    free(parts);
    restart(&st, &f, p, level);
    /* cut short */
    parts = make_parts(&plen, f.ring, level, cuts, all, 3);
    assert_int_equal(ring_prover_finish(st, &proof, &len, parts, plen - 1, NULL, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    free(parts);
    /* the right parts: a proof that verifies, then the state is spent */
    restart(&st, &f, p, level);
    parts = make_parts(&plen, f.ring, level, cuts, all, 3);
    assert_int_equal(ring_prover_finish(st, &proof, &len, parts, plen, NULL, &e), 0);
    assert_int_equal(ring_verify(f.ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, &e), 0);
    free(proof);
    proof = NULL;
    assert_int_equal(ring_prover_finish(st, &proof, &len, parts, plen, NULL, &e), -1);
    assert_int_equal(e.code, ERR_STATE);
    free(parts);
    ring_prover_free(st);
    ring_prover_free(st2);
    fixture_free(&f);
    fixture_free(&other);
}

int main(void)
{
    struct err e;
    /* before libsodium starts (ring_init): every random byte from the seed */
    if (randombytes_set_implementation(&det_impl) != 0)
        return 1;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_same_bytes),
        cmocka_unit_test(test_bad_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
