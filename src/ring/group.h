/* group.h — ristretto255 points and scalars for the ring layer.
 *
 * Points are libdecaf decaf_255 points (extended coordinates; the same group
 * as libsodium's ristretto255, with byte-identical encodings). Scalars are
 * 32-byte little-endian integers below the group order l, handled with
 * libsodium's crypto_core_ristretto255_scalar_* functions. For the verifier's
 * hot loops (which never touch secrets) there is a Montgomery-form scalar,
 * struct ring_msc, several times faster than the byte form. */
#ifndef DISSENT_RING_GROUP_H
#define DISSENT_RING_GROUP_H

#include "base/compat.h"
#include "base/err.h"
#include <decaf/point_255.h>
#include <stddef.h>
#include <stdint.h>

#define RING_POINT_BYTES  32
#define RING_SCALAR_BYTES 32

typedef struct decaf_255_point_s ring_point;

/* Initializes libsodium once (thread-safe, idempotent). Returns 0, or -1
 * (ERR_INTERNAL) if libsodium cannot start. Every public ring_* entry point
 * that needs randomness calls it; callers may too. */
int ring_init(struct err *e) WUR;

/* Decodes a canonical ristretto255 encoding. Non-canonical encodings are
 * refused (ERR_INVALID), and so is the identity unless allow_identity is
 * nonzero. what names the field in the error message. Returns 0 or -1. */
int ring_point_decode(ring_point *p, const uint8_t in[RING_POINT_BYTES], int allow_identity,
                      const char *what, struct err *e) WUR;

/* Writes the canonical 32-byte encoding of p. */
void ring_point_encode(uint8_t out[RING_POINT_BYTES], const ring_point *p);

/* 1 if p is the identity, else 0. */
int ring_point_is_identity(const ring_point *p);

/* out = mask ? b : a, in constant time (mask is 0 or all ones). */
void ring_point_ct_select(ring_point *out, const ring_point *a, const ring_point *b, uint64_t mask);

/* 1 if s is a canonical scalar (s < l), else 0. Not constant time. */
int ring_scalar_is_canonical(const uint8_t s[RING_SCALAR_BYTES]);

/* 1 if s is a canonical scalar (s < l), else 0, in constant time (for
 * secret keys). */
int ring_scalar_is_canonical_ct(const uint8_t s[RING_SCALAR_BYTES]);

/* 1 if s is all zeros, else 0 (constant time). */
int ring_scalar_is_zero(const uint8_t s[RING_SCALAR_BYTES]);

/* s = a uniformly random nonzero scalar. */
void ring_scalar_random(uint8_t s[RING_SCALAR_BYTES]);

/* out = H mod l for a 64-byte hash output. */
void ring_scalar_from_hash(uint8_t out[RING_SCALAR_BYTES], const uint8_t h[64]);

/* out = a^k for a small public exponent k. */
void ring_scalar_pow(uint8_t out[RING_SCALAR_BYTES], const uint8_t a[RING_SCALAR_BYTES],
                     unsigned k);

/* The group order l = 2^252 + 27742317777372353535851937790883648493 in
 * 64-bit limbs (little-endian; limb 2 is zero, limb 3 is 2^60), and
 * -l^-1 mod 2^64 for Montgomery reduction. */
#define RING_L0   0x5812631a5cf5d3edULL
#define RING_L1   0x14def9dea2f79cd6ULL
#define RING_L3   0x1000000000000000ULL
#define RING_L_N0 0xd2b51da312547e1bULL

/* Montgomery-form scalar (value * 2^256 mod l), 4 x 64-bit limbs, fully
 * reduced, except where a function below says "lazy" (then below 2l). */
struct ring_msc {
    uint64_t v[4];
};

/* A sum of many products of Montgomery values, kept as plain 512-bit
 * products and reduced only once at the end. Zero-initialize to start. */
struct ring_msc_sum {
    uint64_t v[9];
};

/* Converts a canonical byte scalar to Montgomery form, and back. */
void ring_msc_from_bytes(struct ring_msc *out, const uint8_t in[RING_SCALAR_BYTES]);
void ring_msc_to_bytes(uint8_t out[RING_SCALAR_BYTES], const struct ring_msc *in);

/* out = a*b, a+b, in Montgomery form (out may alias). Variable time: for
 * public values only. */
void ring_msc_mul(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b);
void ring_msc_add(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b);

/* out = the fully reduced Montgomery value of the sum of products acc
 * (acc R^-1 mod l, R = 2^256). acc must be below 2^576 - 2^509. */
void ring_msc_sum_reduce(struct ring_msc *out, const struct ring_msc_sum *acc);

/* out = a*b in Montgomery form, lazily reduced: a and b below 2l give out
 * below 2l (l < 2^256 / 4). Montgomery's CIOS loop, unrolled, with the zero
 * limb of l and its power-of-two top limb folded in: the batch verifier's
 * inner loop. Variable time is not an issue (public values), and there is no
 * branch anyway. out may alias a or b. */
static inline void ring_msc_mul_lazy(struct ring_msc *out, const struct ring_msc *a,
                                     const struct ring_msc *b)
{
    typedef unsigned __int128 u128;
    const uint64_t a0 = a->v[0], a1 = a->v[1], a2 = a->v[2], a3 = a->v[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4 = 0;
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        const uint64_t bi = b->v[i];
        u128 c = (u128)a0 * bi + t0;
        t0 = (uint64_t)c;
        c = (c >> 64) + (u128)a1 * bi + t1;
        t1 = (uint64_t)c;
        c = (c >> 64) + (u128)a2 * bi + t2;
        t2 = (uint64_t)c;
        c = (c >> 64) + (u128)a3 * bi + t3;
        t3 = (uint64_t)c;
        c = (c >> 64) + t4;
        t4 = (uint64_t)c;
        const uint64_t t5 = (uint64_t)(c >> 64);
        /* t += m l, then shift down one limb (t0 becomes zero) */
        const uint64_t m = t0 * RING_L_N0;
        c = ((u128)m * RING_L0 + t0) >> 64;
        c += (u128)m * RING_L1 + t1;
        t0 = (uint64_t)c;
        c = (c >> 64) + t2; /* m * limb 2 of l = 0 */
        t1 = (uint64_t)c;
        c = (c >> 64) + ((u128)m << 60) + t3; /* m * 2^60 */
        t2 = (uint64_t)c;
        c = (c >> 64) + t4;
        t3 = (uint64_t)c;
        t4 = t5 + (uint64_t)(c >> 64);
    }
    out->v[0] = t0;
    out->v[1] = t1;
    out->v[2] = t2;
    out->v[3] = t3;
}

/* acc += a*b, the full 512-bit product, not reduced at all (a and b below
 * 2l, so each product is below 2^506 and nine limbs hold 2^70 of them):
 * 16 multiplications against the 28 of a reduced product. The sum is
 * Montgomery-reduced once, by ring_msc_sum_reduce. */
static inline void ring_msc_sum_mul_add(struct ring_msc_sum *acc, const struct ring_msc *a,
                                        const struct ring_msc *b)
{
    typedef unsigned __int128 u128;
    uint64_t p[8];
#pragma GCC unroll 4
    for (int i = 0; i < 4; i++) {
        const uint64_t bi = b->v[i];
        u128 c = 0;
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            c += (u128)a->v[j] * bi + (i == 0 ? 0 : p[i + j]);
            p[i + j] = (uint64_t)c;
            c >>= 64;
        }
        p[i + 4] = (uint64_t)c;
    }
    u128 c = 0;
#pragma GCC unroll 8
    for (int k = 0; k < 8; k++) {
        c += (u128)acc->v[k] + p[k];
        acc->v[k] = (uint64_t)c;
        c >>= 64;
    }
    acc->v[8] += (uint64_t)c;
}

/* acc += x (another sum). */
static inline void ring_msc_sum_add(struct ring_msc_sum *acc, const struct ring_msc_sum *x)
{
    unsigned __int128 c = 0;
    for (int i = 0; i < 9; i++) {
        c += (unsigned __int128)acc->v[i] + x->v[i];
        acc->v[i] = (uint64_t)c;
        c >>= 64;
    }
}

#endif
