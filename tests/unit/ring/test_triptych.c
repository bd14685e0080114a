/* Tests for src/ring/triptych.c: prove/verify round trips on small rings,
 * padding, batches, linkability, and every way a proof must be refused. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ring/group.h"
#include "ring/triptych.h"
#include "unit/ring/ring_fixture.h"

static void prove_ok(struct fixture *f, size_t idx, uint8_t **proof, size_t *len)
{
    struct err e;
    err_init(&e);
    int rc = ring_prove(proof, len, f->ring, idx, f->sk[idx], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e);
    if (rc != 0)
        fail_msg("prove: %s", e.msg);
}

static int verify(struct fixture *f, const uint8_t *proof, size_t len, struct err *e)
{
    return ring_verify(f->ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, e);
}

static void test_roundtrip_sizes(void **state)
{
    (void)state;
    static const size_t sizes[] = {1, 2, 3, 4, 5, 7, 16, 17, 33, 64, 65, 100};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        struct fixture f;
        fixture_make(&f, sizes[s]);
        size_t idxs[3] = {0, sizes[s] / 2, sizes[s] - 1};
        for (int k = 0; k < 3; k++) {
            uint8_t *proof;
            size_t len;
            struct err e;
            uint8_t tag[32], want[32];
            prove_ok(&f, idxs[k], &proof, &len);
            struct ring_params p;
            assert_int_equal(ring_params_for(sizes[s], &p, &e), 0);
            assert_int_equal(len, ring_proof_len(p));
            assert_int_equal(
                ring_verify(f.ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, tag, &e), 0);
            assert_int_equal(ring_tag(want, f.sk[idxs[k]], SCOPE, SCOPE_LEN, &e), 0);
            assert_memory_equal(tag, want, 32);
            free(proof);
        }
        fixture_free(&f);
    }
}

static void test_other_radices(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 10);
    static const unsigned ns[] = {2, 4, 8, 16};
    for (int k = 0; k < 4; k++) {
        struct ring_params p = {ns[k], ring_params_digits(10, ns[k])};
        uint8_t *proof;
        size_t len;
        struct err e;
        assert_int_equal(ring_prove_with(&proof, &len, p, f.ring, 9, f.sk[9], SCOPE, SCOPE_LEN, MSG,
                                         MSG_LEN, &e),
                         0);
        assert_int_equal(len, ring_proof_len(p));
        assert_int_equal(verify(&f, proof, len, &e), 0);
        free(proof);
        /* m larger than needed is refused */
        p.m++;
        assert_int_equal(ring_prove_with(&proof, &len, p, f.ring, 9, f.sk[9], SCOPE, SCOPE_LEN, MSG,
                                         MSG_LEN, &e),
                         -1);
    }
    fixture_free(&f);
    /* two-digit folds with wide radices: n=16 and n=8 with m=2, n=2 with m=5 */
    fixture_make(&f, 20);
    for (int k = 0; k < 4; k++) {
        struct ring_params p = {ns[k], ring_params_digits(20, ns[k])};
        uint8_t *proof;
        size_t len;
        struct err e;
        assert_int_equal(ring_prove_with(&proof, &len, p, f.ring, 17, f.sk[17], SCOPE, SCOPE_LEN,
                                         MSG, MSG_LEN, &e),
                         0);
        assert_int_equal(verify(&f, proof, len, &e), 0);
        free(proof);
    }
    fixture_free(&f);
    /* three digits, much padding (300 of 4,096 with n=16; of 512 with n=8),
     * the signer among the last keys: the verifier sums the padding's
     * coefficients in closed form */
    fixture_make(&f, 300);
    for (int k = 0; k < 4; k++) {
        struct ring_params p = {ns[k], ring_params_digits(300, ns[k])};
        uint8_t *proof;
        size_t len;
        struct err e;
        assert_int_equal(ring_prove_with(&proof, &len, p, f.ring, 299 - (size_t)k, f.sk[299 - k],
                                         SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e),
                         0);
        assert_int_equal(verify(&f, proof, len, &e), 0);
        proof[len - 40] ^= 1; /* a response changed: refused */
        assert_int_equal(verify(&f, proof, len, &e), -1);
        free(proof);
    }
    fixture_free(&f);
}

static void test_batch(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 9);
    enum { K = 5 };
    uint8_t *proofs[K];
    size_t lens[K];
    struct ring_batch_item items[K];
    for (int k = 0; k < K; k++) {
        prove_ok(&f, (size_t)k * 2, &proofs[k], &lens[k]);
        items[k] = (struct ring_batch_item){proofs[k], lens[k], MSG, MSG_LEN};
    }
    struct err e;
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), 0);
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, 0, &e), 0);
    /* one message changed: the batch fails */
    items[3].msg = (const uint8_t *)"version-hash-bbbb";
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    items[3].msg = MSG;
    /* one scalar changed in one proof */
    proofs[2][lens[2] - 40] ^= 1;
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), -1);
    proofs[2][lens[2] - 40] ^= 1;
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), 0);
    for (int k = 0; k < K; k++)
        free(proofs[k]);
    fixture_free(&f);
}

/* Proofs with different radices (and so different padding) in one batch. */
static void test_batch_mixed_radices(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 10);
    static const unsigned ns[] = {2, 4, 8, 16, 4};
    enum { K = 5 };
    uint8_t *proofs[K];
    size_t lens[K];
    struct ring_batch_item items[K];
    struct err e;
    for (int k = 0; k < K; k++) {
        struct ring_params p = {ns[k], ring_params_digits(10, ns[k])};
        size_t who = (size_t)(k * 3) % 10;
        assert_int_equal(ring_prove_with(&proofs[k], &lens[k], p, f.ring, who, f.sk[who], SCOPE,
                                         SCOPE_LEN, MSG, MSG_LEN, &e),
                         0);
        items[k] = (struct ring_batch_item){proofs[k], lens[k], MSG, MSG_LEN};
    }
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), 0);
    proofs[0][lens[0] - 1] ^= 0x01; /* z of the n=2 proof */
    assert_int_equal(ring_verify_batch(f.ring, SCOPE, SCOPE_LEN, items, K, &e), -1);
    for (int k = 0; k < K; k++)
        free(proofs[k]);
    fixture_free(&f);
}

/* Random corruption never verifies and never crashes (run under ASan too). Two flips of
 * the same byte by the same value cancel out (once in ~3000 runs): such a copy is the
 * genuine proof, so it gets one more flip. */
static void test_random_corruption(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 4);
    uint8_t *proof;
    size_t len;
    struct err e;
    prove_ok(&f, 2, &proof, &len);
    uint8_t *c = malloc(len);
    for (int k = 0; k < 150; k++) {
        memcpy(c, proof, len);
        uint32_t flips = 1 + randombytes_uniform(4);
        for (uint32_t q = 0; q < flips; q++) {
            size_t at = randombytes_uniform((uint32_t)len);
            uint8_t v = (uint8_t)(1 + randombytes_uniform(255));
            c[at] ^= v;
        }
        size_t l = len;
        if (k % 10 == 0)
            l = randombytes_uniform((uint32_t)len); /* truncated */
        else if (memcmp(c, proof, len) == 0)
            c[randombytes_uniform((uint32_t)len)] ^= 0x80; /* the flips cancelled out */
        assert_int_equal(verify(&f, c, l, &e), -1);
    }
    free(c);
    free(proof);
    fixture_free(&f);
}

static void test_linkability(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 6);
    struct err e;
    uint8_t *p1, *p2, *p3, *p4;
    size_t l1, l2, l3, l4;
    uint8_t t1[32], t2[32], t3[32], t4[32];
    prove_ok(&f, 3, &p1, &l1);
    assert_int_equal(ring_prove(&p2, &l2, f.ring, 3, f.sk[3], SCOPE, SCOPE_LEN,
                                (const uint8_t *)"other version", 13, &e),
                     0);
    assert_int_equal(
        ring_prove(&p3, &l3, f.ring, 3, f.sk[3], (const uint8_t *)"memo-0002", 9, MSG, MSG_LEN, &e),
        0);
    prove_ok(&f, 4, &p4, &l4);
    assert_memory_not_equal(p1, p2, l1); /* randomized */
    assert_int_equal(ring_proof_tag(t1, p1, l1, &e), 0);
    assert_int_equal(ring_proof_tag(t2, p2, l2, &e), 0);
    assert_int_equal(ring_proof_tag(t3, p3, l3, &e), 0);
    assert_int_equal(ring_proof_tag(t4, p4, l4, &e), 0);
    assert_memory_equal(t1, t2, 32);     /* same key, same memo */
    assert_memory_not_equal(t1, t3, 32); /* same key, other memo */
    assert_memory_not_equal(t1, t4, 32); /* other key, same memo */
    /* the tag base depends on the scope alone: a different ring gives the same tag */
    struct fixture g;
    fixture_make(&g, 3);
    memcpy(g.pk[1], f.pk[3], 32);
    memcpy(g.sk[1], f.sk[3], 32);
    ring_keys_free(g.ring);
    assert_int_equal(ring_keys_new(&g.ring, (const uint8_t(*)[32])g.pk, 3, &e), 0);
    uint8_t *p5;
    size_t l5;
    uint8_t t5[32];
    prove_ok(&g, 1, &p5, &l5);
    assert_int_equal(ring_proof_tag(t5, p5, l5, &e), 0);
    assert_memory_equal(t1, t5, 32);
    free(p1);
    free(p2);
    free(p3);
    free(p4);
    free(p5);
    fixture_free(&f);
    fixture_free(&g);
}

static void test_wrong_context(void **state)
{
    (void)state;
    struct fixture f, g;
    fixture_make(&f, 5);
    fixture_make(&g, 5);
    uint8_t *proof;
    size_t len;
    struct err e;
    prove_ok(&f, 2, &proof, &len);
    assert_int_equal(verify(&f, proof, len, &e), 0);
    /* wrong ring of the same size */
    assert_int_equal(ring_verify(g.ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, &e), -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* same keys, one more key: different digest and parameters */
    struct fixture h;
    fixture_make(&h, 6);
    memcpy(h.pk, f.pk, 5 * 32);
    ring_keys_free(h.ring);
    assert_int_equal(ring_keys_new(&h.ring, (const uint8_t(*)[32])h.pk, 6, &e), 0);
    assert_int_equal(ring_verify(h.ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, &e), -1);
    /* wrong memo (U) */
    assert_int_equal(
        ring_verify(f.ring, proof, len, (const uint8_t *)"memo-0002", 9, MSG, MSG_LEN, NULL, &e),
        -1);
    assert_int_equal(e.code, ERR_CRYPTO);
    /* wrong message (version) */
    assert_int_equal(ring_verify(f.ring, proof, len, SCOPE, SCOPE_LEN,
                                 (const uint8_t *)"version-hash-aaab", MSG_LEN, NULL, &e),
                     -1);
    assert_int_equal(ring_verify(f.ring, proof, len, SCOPE, SCOPE_LEN, MSG, MSG_LEN - 1, NULL, &e),
                     -1);
    /* empty scope */
    assert_int_equal(ring_verify(f.ring, proof, len, SCOPE, 0, MSG, MSG_LEN, NULL, &e), -1);
    /* truncated, extended */
    assert_int_equal(verify(&f, proof, len - 1, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    uint8_t *longer = malloc(len + 32);
    memcpy(longer, proof, len);
    memset(longer + len, 0, 32);
    assert_int_equal(verify(&f, longer, len + 32, &e), -1);
    assert_int_equal(verify(&f, proof, 3, &e), -1);
    free(longer);
    /* wrong key for the index, index out of range */
    uint8_t *p2;
    size_t l2;
    assert_int_equal(ring_prove(&p2, &l2, f.ring, 1, f.sk[2], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e),
                     -1);
    assert_int_equal(ring_prove(&p2, &l2, f.ring, 5, f.sk[2], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e),
                     -1);
    uint8_t zero[32] = {0};
    assert_int_equal(ring_prove(&p2, &l2, f.ring, 1, zero, SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e), -1);
    free(proof);
    fixture_free(&f);
    fixture_free(&g);
    fixture_free(&h);
}

static void test_every_field(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 5); /* n=4, m=2 */
    uint8_t *proof;
    size_t len;
    struct err e;
    prove_ok(&f, 4, &proof, &len);
    struct ring_params p;
    assert_int_equal(ring_params_for(5, &p, &e), 0);
    const size_t npoints = 5 + 2 * p.m, nfields = (len - RING_PROOF_HEADER) / 32;
    assert_int_equal(nfields, npoints + p.m * (p.n - 1) + 3);
    uint8_t *c = malloc(len);
    /* header bytes */
    for (size_t b = 0; b < RING_PROOF_HEADER; b++) {
        memcpy(c, proof, len);
        c[b] ^= 1;
        assert_int_equal(verify(&f, c, len, &e), -1);
    }
    uint8_t other[32], h[64];
    randombytes_buf(h, sizeof h);
    crypto_core_ristretto255_from_hash(other, h);
    static const uint8_t bad_point[32] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
                                          0xff, 0xff, 0xff, 0xff, 0x7f}; /* non-canonical */
    static const uint8_t ell[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58,
                                    0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
                                    0,    0,    0,    0,    0,    0,    0,    0,
                                    0,    0,    0,    0,    0,    0,    0,    0x10};
    for (size_t k = 0; k < nfields; k++) {
        uint8_t *fld = c + RING_PROOF_HEADER + 32 * k;
        const int is_point = k < npoints;
        /* every bit position class: low, middle, high */
        static const size_t bits[] = {0, 77, 200, 250};
        for (size_t b = 0; b < 4; b++) {
            memcpy(c, proof, len);
            fld[bits[b] / 8] ^= (uint8_t)(1u << (bits[b] % 8));
            assert_int_equal(verify(&f, c, len, &e), -1);
        }
        /* identity / zero */
        memcpy(c, proof, len);
        memset(fld, 0, 32);
        assert_int_equal(verify(&f, c, len, &e), -1);
        assert_int_equal(e.code, ERR_INVALID);
        memcpy(c, proof, len);
        if (is_point) {
            memcpy(fld, bad_point, 32); /* non-canonical encoding */
            assert_int_equal(verify(&f, c, len, &e), -1);
            assert_int_equal(e.code, ERR_INVALID);
            memcpy(c, proof, len);
            memcpy(fld, other, 32); /* a valid but wrong point */
            assert_int_equal(verify(&f, c, len, &e), -1);
            assert_int_equal(e.code, ERR_CRYPTO);
        } else {
            /* s + l: the same value, non-canonical */
            unsigned carry = 0;
            for (int i = 0; i < 32; i++) {
                unsigned v = fld[i] + ell[i] + carry;
                fld[i] = (uint8_t)v;
                carry = v >> 8;
            }
            if (!carry) {
                assert_int_equal(verify(&f, c, len, &e), -1);
                assert_int_equal(e.code, ERR_INVALID);
            }
            memcpy(c, proof, len);
            memcpy(fld, ell, 32);
            assert_int_equal(verify(&f, c, len, &e), -1);
            assert_int_equal(e.code, ERR_INVALID);
        }
        /* swapped with the next field */
        if (k + 1 < nfields) {
            memcpy(c, proof, len);
            memcpy(fld, proof + RING_PROOF_HEADER + 32 * (k + 1), 32);
            memcpy(fld + 32, proof + RING_PROOF_HEADER + 32 * k, 32);
            assert_int_equal(verify(&f, c, len, &e), -1);
        }
    }
    memcpy(c, proof, len);
    assert_int_equal(verify(&f, c, len, &e), 0);
    free(c);
    free(proof);
    fixture_free(&f);
}

struct conc {
    struct fixture *f;
    const uint8_t *proof;
    size_t len;
    int ok;
};

static void *conc_run(void *arg)
{
    struct conc *c = arg;
    struct err e;
    c->ok = 1;
    for (int k = 0; k < 4; k++)
        if (ring_verify(c->f->ring, c->proof, c->len, SCOPE, SCOPE_LEN, MSG, MSG_LEN, NULL, &e) !=
            0)
            c->ok = 0;
    uint8_t *p;
    size_t l;
    if (ring_prove(&p, &l, c->f->ring, 1, c->f->sk[1], SCOPE, SCOPE_LEN, MSG, MSG_LEN, &e) != 0)
        c->ok = 0;
    else
        free(p);
    return NULL;
}

/* One ring shared by threads that verify and prove at the same time. */
static void test_concurrent(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 7);
    uint8_t *proof;
    size_t len;
    prove_ok(&f, 6, &proof, &len);
    struct conc c[3] = {{&f, proof, len, 0}, {&f, proof, len, 0}, {&f, proof, len, 0}};
    pthread_t t[3];
    for (int k = 0; k < 3; k++)
        assert_int_equal(pthread_create(&t[k], NULL, conc_run, &c[k]), 0);
    for (int k = 0; k < 3; k++) {
        pthread_join(t[k], NULL);
        assert_true(c[k].ok);
    }
    free(proof);
    fixture_free(&f);
}

struct progress_log {
    size_t calls, last_done, total, stop_at;
    int backwards;
};

static int progress_note(void *arg, size_t done, size_t total)
{
    struct progress_log *l = arg;
    if (done < l->last_done || done > total || (l->calls && total != l->total))
        l->backwards = 1;
    l->calls++;
    l->last_done = done;
    l->total = total;
    return l->stop_at && l->calls >= l->stop_at;
}

/* The progress callback sees done rise to total, the proof is the one
 * ring_prove would make (it verifies); a callback that asks to stop gets
 * no proof and ERR_STATE. A browser Worker reports and cancels this way. */
static void test_progress_and_cancel(void **state)
{
    (void)state;
    struct fixture f;
    fixture_make(&f, 300);
    struct progress_log log = {0};
    struct ring_progress pr = {.fn = progress_note, .arg = &log};
    uint8_t *proof = NULL;
    size_t len = 0;
    struct err e;
    err_init(&e);
    assert_int_equal(ring_prove_progress(&proof, &len, f.ring, 123, f.sk[123], SCOPE, SCOPE_LEN,
                                         MSG, MSG_LEN, &pr, &e),
                     0);
    assert_true(log.calls >= 2);
    assert_false(log.backwards);
    assert_int_equal(log.last_done, log.total);
    /* 300 keys, n = 4, m = 5 (padded to 1,024): only the groups that hold a
     * ring key are folded (19 of 16 entries, then 2, then 1), not the 64 +
     * 4 + 1 of the padded ring */
    assert_int_equal(log.total, 19 + 2 + 1);
    assert_int_equal(verify(&f, proof, len, &e), 0);
    free(proof);

    struct progress_log stop = {.stop_at = 2};
    pr.arg = &stop;
    proof = (uint8_t *)&stop; /* must come back NULL */
    assert_int_equal(ring_prove_progress(&proof, &len, f.ring, 7, f.sk[7], SCOPE, SCOPE_LEN, MSG,
                                         MSG_LEN, &pr, &e),
                     -1);
    assert_int_equal(e.code, ERR_STATE);
    assert_null(proof);
    assert_int_equal(len, 0);
    assert_int_equal(stop.calls, 2);
    fixture_free(&f);
}

static void test_bad_rings(void **state)
{
    (void)state;
    uint8_t keys[3][32], sk[32];
    struct ring_keys *r = NULL;
    struct err e;
    assert_int_equal(ring_keypair(keys[0], sk, NULL), 0);
    assert_int_equal(ring_keypair(keys[1], sk, NULL), 0);
    assert_int_equal(ring_keypair(keys[2], sk, NULL), 0);
    assert_int_equal(ring_key_check(keys[1], &e), 0);
    memset(keys[1], 0, 32); /* the identity */
    assert_int_equal(ring_key_check(keys[1], &e), -1);
    assert_int_equal(ring_keys_new(&r, (const uint8_t(*)[32])keys, 3, &e), -1);
    assert_int_equal(e.code, ERR_INVALID);
    assert_null(r);
    memset(keys[1], 0xff, 31);
    keys[1][31] = 0x7f; /* non-canonical */
    assert_int_equal(ring_key_check(keys[1], &e), -1);
    assert_int_equal(ring_keys_new(&r, (const uint8_t(*)[32])keys, 3, &e), -1);
    assert_int_equal(ring_keys_new(&r, (const uint8_t(*)[32])keys, 0, &e), -1);
    assert_int_equal(ring_keys_new(&r, (const uint8_t(*)[32])keys, 1, &e), 0);
    uint8_t d1[64];
    memcpy(d1, ring_keys_digest(r), 64);
    ring_keys_free(r);
    struct ring_params p;
    assert_int_equal(ring_params_for(0, &p, &e), -1);
    assert_int_equal(ring_params_for(RING_MAX_MEMBERS + 1u, &p, &e), -1);
    /* the radix table (docs/protocol-ring.md §5): every proof within 2.5 KB */
    static const struct {
        size_t count;
        unsigned n, m;
    } table[] = {{1, 4, 1},
                 {4096, 4, 6},
                 {4097, 16, 4},
                 {1u << 16, 16, 4},
                 {(1u << 16) + 1, 8, 6},
                 {1u << 20, 8, 7},
                 {1u << 21, 8, 7},
                 {(1u << 21) + 1, 4, 11},
                 {RING_MAX_MEMBERS, 4, 12}};
    for (size_t k = 0; k < sizeof table / sizeof table[0]; k++) {
        assert_int_equal(ring_params_for(table[k].count, &p, &e), 0);
        assert_int_equal(p.n, table[k].n);
        assert_int_equal(p.m, table[k].m);
        assert_true(ring_proof_len(p) <= 2500);
    }
    uint8_t t[32];
    uint8_t zero[32] = {0};
    assert_int_equal(ring_tag(t, zero, SCOPE, SCOPE_LEN, &e), -1);
    assert_int_equal(ring_tag_base(t, SCOPE, 0, &e), -1);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_sizes),
        cmocka_unit_test(test_other_radices),
        cmocka_unit_test(test_batch),
        cmocka_unit_test(test_linkability),
        cmocka_unit_test(test_wrong_context),
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_bad_rings),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_batch_mixed_radices),
        cmocka_unit_test(test_random_corruption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
