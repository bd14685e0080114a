/* test_prover_ct.c — the prover's constant-time check (`make ct`).
 *
 * Built against src/ring compiled with -DRING_CTGRIND and run under
 * valgrind's memcheck: the secrets (the ring secret key, the signer's index,
 * the scalars of a constant-time MSM) are marked undefined (RING_CT_SECRET),
 * and the prover marks its own random scalars so too. memcheck then reports
 * any conditional jump or memory address that depends on them — a secret
 * branch or a secret table index — and the run fails (--error-exitcode).
 * What the protocol makes public (the proof, the challenge, the public key)
 * is marked defined where it is made (RING_CT_PUBLIC in src/ring/prove.c).
 * Outside valgrind the marks are no-ops and the program only checks that the
 * results are right. Each case prints one line. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ring/ct.h"
#include "ring/group.h"
#include "ring/msm.h"
#include "ring/triptych.h"

static int passes, failures;

static void check(int ok, const char *what)
{
    printf("%s: %s\n", ok ? "ok" : "FAILED", what);
    if (ok)
        passes++;
    else
        failures++;
}

static void random_point(ring_point *p)
{
    uint8_t h[64], b[32];
    randombytes_buf(h, sizeof h);
    crypto_core_ristretto255_from_hash(b, h);
    if (ring_point_decode(p, b, 0, "p", NULL) != 0)
        abort();
}

static int same_point(const ring_point *a, const ring_point *b)
{
    uint8_t x[32], y[32];
    ring_point_encode(x, a);
    ring_point_encode(y, b);
    RING_CT_PUBLIC(x, sizeof x); /* compared only to check the result */
    return memcmp(x, y, 32) == 0;
}

/* ring_msm_ct and ring_scalarmul_ct with secret scalars, including the
 * digits that recode to zero and to the table's ends. */
static void test_msm(void)
{
    enum { N = 12 };
    ring_point p[N], got, want;
    uint8_t s[N][32];
    struct err e;
    for (int i = 0; i < N; i++) {
        random_point(&p[i]);
        ring_scalar_random(s[i]);
    }
    memset(s[0], 0, 32);    /* zero */
    memset(s[1], 0x10, 32); /* every 5-bit window 16 or near it: the carry path */
    s[1][31] = 0x0f;
    if (ring_msm(&want, (const uint8_t(*)[32])s, p, N, 1, &e) != 0)
        abort();
    RING_CT_SECRET(s, sizeof s);
    check(ring_msm_ct(&got, (const uint8_t(*)[32])s, p, N, &e) == 0 && same_point(&got, &want),
          "ring_msm_ct: no branch or index on its secret scalars, and the sum is right");
    ring_point one;
    ring_scalarmul_ct(&one, s[2], &p[2]);
    RING_CT_PUBLIC(s, sizeof s);
    decaf_255_scalar_t ds;
    if (decaf_255_scalar_decode(ds, s[2]) != DECAF_SUCCESS)
        abort();
    decaf_255_point_scalarmul(&want, &p[2], ds);
    check(same_point(&one, &want), "ring_scalarmul_ct: no branch or index on its secret scalar");
}

/* ring_msm_ct8 (the prover's eight-lane MSM; in this build fe8.h's
 * emulation, the same algorithm as the AVX-512 IFMA code) with secret
 * scalars: every lane right. */
static void test_msm_ct8(void)
{
    enum { N = 20 };
    ring_point p[N * 8], lane[N], got[8], want;
    uint8_t s[N][32];
    struct err e;
    int ok = ring_msm_ct8_available();
    for (int i = 0; i < N; i++) {
        ring_scalar_random(s[i]);
        for (int l = 0; l < 8; l++)
            random_point(&p[i * 8 + l]);
    }
    memset(s[0], 0, 32);
    memset(s[1], 0x10, 32);
    s[1][31] = 0x0f;
    crypto_core_ristretto255_scalar_negate(s[2], s[3]);
    RING_CT_SECRET(s, sizeof s);
    ok = ok && ring_msm_ct8(got, (const uint8_t(*)[32])s, p, N, &e) == 0;
    RING_CT_PUBLIC(s, sizeof s);
    for (int l = 0; ok && l < 8; l++) {
        for (int i = 0; i < N; i++)
            lane[i] = p[i * 8 + l];
        ok = ring_msm(&want, (const uint8_t(*)[32])s, lane, N, 1, &e) == 0 &&
             same_point(&got[l], &want);
    }
    check(ok, "ring_msm_ct8: no branch or index on its secret scalars, and every lane is right");
}

/* A ring of n fresh keys; their secret keys in sk. */
static struct ring_keys *fresh_ring(uint8_t (*sk)[32], size_t n)
{
    uint8_t(*pk)[32] = malloc(n * 32);
    struct ring_keys *ring;
    struct err e;
    if (!pk)
        abort();
    for (size_t i = 0; i < n; i++)
        if (ring_keypair(pk[i], sk[i], &e) != 0)
            abort();
    if (ring_keys_new(&ring, (const uint8_t(*)[32])pk, n, &e) != 0)
        abort();
    free(pk);
    return ring;
}

/* A proof with the key and the signer's index secret, for each radix the
 * table uses, on a ring whose size needs padding (20 keys: one or two
 * groups, folded one at a time), and on a ring whose first level has two
 * groups or more per thread, which the eight-lane MSM folds (70 keys at
 * radix 4: five groups); `lanes` says which. */
static void test_prove(size_t N, const unsigned *radices, int nradices, int lanes)
{
    uint8_t(*sk)[32] = malloc(N * 32);
    if (!sk)
        abort();
    struct err e;
    struct ring_keys *ring = fresh_ring(sk, N);
    const uint8_t scope[] = "ct-scope", msg[] = "ct-message";
    for (int r = 0; r < nradices; r++) {
        struct ring_params p = {radices[r], ring_params_digits(N, radices[r])};
        size_t index = N * 2 / 3; /* secret */
        uint8_t key[32];
        memcpy(key, sk[index], 32);
        RING_CT_SECRET(&index, sizeof index);
        RING_CT_SECRET(key, sizeof key);
        uint8_t *proof = NULL;
        size_t len = 0;
        int rc = ring_prove_with(&proof, &len, p, ring, index, key, scope, sizeof scope - 1, msg,
                                 sizeof msg - 1, &e);
        int ok = rc == 0 && ring_verify(ring, proof, len, scope, sizeof scope - 1, msg,
                                        sizeof msg - 1, NULL, &e) == 0;
        char what[160];
        snprintf(what, sizeof what,
                 "ring_prove n=%u m=%u, %zu keys%s: no branch or index on the key, the "
                 "index or the randomness; the proof verifies",
                 p.n, p.m, N, lanes ? " (eight lanes)" : "");
        check(ok, what);
        if (r == 0 && ok) { /* the tag alone, as the CLI computes it */
            uint8_t tag[32];
            RING_CT_SECRET(key, sizeof key);
            check(ring_tag(tag, key, scope, sizeof scope - 1, &e) == 0 &&
                      memcmp(tag, proof + RING_PROOF_HEADER, 32) == 0,
                  "ring_tag: no branch or index on the key; the tag is the proof's");
        }
        free(proof);
        sodium_memzero(key, sizeof key);
    }
    ring_keys_free(ring);
    sodium_memzero(sk, N * 32);
    free(sk);
}

/* The prover in phases, as the browser runs it on several Workers: the
 * first level in two parts from the level blob (secret), then finish. */
static void test_phased(void)
{
    enum { N = 40 };
    uint8_t sk[N][32];
    struct err e;
    struct ring_keys *ring = fresh_ring(sk, N);
    const uint8_t scope[] = "ct-scope", msg[] = "ct-message";
    struct ring_params p = {4, ring_params_digits(N, 4)};
    size_t index = 29; /* secret */
    uint8_t key[32], level[RING_LEVEL_BYTES];
    memcpy(key, sk[29], 32);
    RING_CT_SECRET(&index, sizeof index);
    RING_CT_SECRET(key, sizeof key);
    struct ring_prover *st;
    uint8_t *proof = NULL, *parts = NULL;
    size_t len = 0;
    int ok = ring_prover_begin(&st, p, ring, index, key, scope, sizeof scope - 1, msg,
                               sizeof msg - 1, &e) == 0;
    if (ok) {
        const size_t g = ring_prover_groups(st), mid = g / 2;
        ring_prover_level(st, level);
        const size_t l0 = ring_fold_part_len(level, 0, mid), l1 = ring_fold_part_len(level, mid, g);
        parts = malloc(l0 + l1);
        ok = parts && ring_fold_part(parts, l0, ring, level, 0, mid, NULL, &e) == 0 &&
             ring_fold_part(parts + l0, l1, ring, level, mid, g, NULL, &e) == 0 &&
             ring_prover_finish(st, &proof, &len, parts, l0 + l1, NULL, &e) == 0 &&
             ring_verify(ring, proof, len, scope, sizeof scope - 1, msg, sizeof msg - 1, NULL,
                         &e) == 0;
        if (parts)
            sodium_memzero(parts, l0 + l1);
        free(parts);
        ring_prover_free(st);
    }
    check(ok, "ring_prover_begin, ring_fold_part (two parts), ring_prover_finish: no branch or "
              "index on the key, the index, the level or the parts; the proof verifies");
    free(proof);
    sodium_memzero(level, sizeof level);
    sodium_memzero(key, sizeof key);
    ring_keys_free(ring);
    sodium_memzero(sk, sizeof sk);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    static const unsigned all[] = {4, 8, 16}, four[] = {4};
    test_msm();
    test_msm_ct8();
    /* one group at a time (the portable fold, as on CPUs without IFMA) */
    enum ring_msm_impl was = ring_msm_use(RING_MSM_PORTABLE);
    test_prove(20, all, 3, 0);
    ring_msm_use(was);
    test_prove(70, four, 1, 1);
    test_phased();
    printf("ct: %d passed, %d failed\n", passes, failures);
    return failures ? 1 : 0;
}
