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

/* Montgomery-form scalar (value * 2^256 mod l), 4 x 64-bit limbs, fully reduced. */
struct ring_msc {
    uint64_t v[4];
};

/* Converts a canonical byte scalar to Montgomery form, and back. */
void ring_msc_from_bytes(struct ring_msc *out, const uint8_t in[RING_SCALAR_BYTES]);
void ring_msc_to_bytes(uint8_t out[RING_SCALAR_BYTES], const struct ring_msc *in);

/* out = a*b, a+b, in Montgomery form (out may alias). Variable time: for
 * public values only. */
void ring_msc_mul(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b);
void ring_msc_add(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b);

#endif
