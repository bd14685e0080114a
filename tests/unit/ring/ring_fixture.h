/* ring_fixture.h — a ring of n fresh key pairs and the scope and message the
 * ring tests prove over (tests/unit/ring/). Include after <cmocka.h>. */
#ifndef DISSENT_TESTS_RING_FIXTURE_H
#define DISSENT_TESTS_RING_FIXTURE_H

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "ring/group.h"
#include "ring/triptych.h"

#define SCOPE     ((const uint8_t *)"memo-0001")
#define SCOPE_LEN 9
#define MSG       ((const uint8_t *)"version-hash-aaaa")
#define MSG_LEN   17

struct fixture {
    size_t n;
    uint8_t (*pk)[32];
    uint8_t (*sk)[32];
    struct ring_keys *ring;
};

static inline void fixture_make(struct fixture *f, size_t n)
{
    struct err e;
    f->n = n;
    f->pk = malloc(n * 32);
    f->sk = malloc(n * 32);
    assert_non_null(f->pk);
    assert_non_null(f->sk);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ring_keypair(f->pk[i], f->sk[i], NULL), 0);
    assert_int_equal(ring_keys_new(&f->ring, (const uint8_t(*)[32])f->pk, n, &e), 0);
}

/* *p = a uniformly random point (hash to the group); its encoding in enc
 * unless NULL. */
static inline void fixture_random_point(ring_point *p, uint8_t enc[32])
{
    uint8_t h[64], b[32];
    struct err e;
    randombytes_buf(h, sizeof h);
    crypto_core_ristretto255_from_hash(b, h);
    assert_int_equal(ring_point_decode(p, b, 0, "random point", &e), 0);
    if (enc)
        memcpy(enc, b, 32);
}

static inline void fixture_free(struct fixture *f)
{
    ring_keys_free(f->ring);
    free(f->pk);
    free(f->sk);
}

#endif
