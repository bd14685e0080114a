/* group.c — ristretto255 points (libdecaf) and scalars (libsodium, Montgomery). */
#include "ring/group.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static const uint64_t L[4] = {RING_L0, RING_L1, 0x0ULL, RING_L3};
static const struct ring_msc R2 = {
    {0xa40611e3449c0f01ULL, 0xd00e1ba768859347ULL, 0xceec73d217f5be65ULL, 0x0399411b7c309a3dULL}};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_status = -1;

static void do_init(void)
{
    init_status = sodium_init() < 0 ? -1 : 0;
}

int ring_init(struct err *e)
{
    pthread_once(&init_once, do_init);
    if (init_status != 0)
        return err_set(e, ERR_INTERNAL, "libsodium could not be initialized");
    return 0;
}

int ring_point_decode(ring_point *p, const uint8_t in[RING_POINT_BYTES], int allow_identity,
                      const char *what, struct err *e)
{
    if (decaf_255_point_decode(p, in, DECAF_TRUE) != DECAF_SUCCESS)
        return err_set(e, ERR_INVALID, "%s is not a canonical ristretto255 encoding", what);
    if (!allow_identity && ring_point_is_identity(p))
        return err_set(e, ERR_INVALID, "%s is the identity point, which is not allowed here", what);
    return 0;
}

void ring_point_encode(uint8_t out[RING_POINT_BYTES], const ring_point *p)
{
    decaf_255_point_encode(out, p);
}

int ring_point_is_identity(const ring_point *p)
{
    return decaf_255_point_eq(p, decaf_255_point_identity) == DECAF_TRUE;
}

void ring_point_ct_select(ring_point *out, const ring_point *a, const ring_point *b, uint64_t mask)
{
    const size_t nl = sizeof a->x->limb / sizeof a->x->limb[0];
    for (size_t i = 0; i < nl; i++) {
        out->x->limb[i] = (a->x->limb[i] & ~mask) | (b->x->limb[i] & mask);
        out->y->limb[i] = (a->y->limb[i] & ~mask) | (b->y->limb[i] & mask);
        out->z->limb[i] = (a->z->limb[i] & ~mask) | (b->z->limb[i] & mask);
        out->t->limb[i] = (a->t->limb[i] & ~mask) | (b->t->limb[i] & mask);
    }
}

static void load4(uint64_t v[4], const uint8_t in[32])
{
    for (int i = 0; i < 4; i++) {
        uint64_t w = 0;
        for (int k = 7; k >= 0; k--)
            w = (w << 8) | in[8 * i + k];
        v[i] = w;
    }
}

static void store4(uint8_t out[32], const uint64_t v[4])
{
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 8; k++)
            out[8 * i + k] = (uint8_t)(v[i] >> (8 * k));
}

int ring_scalar_is_canonical(const uint8_t s[RING_SCALAR_BYTES])
{
    uint64_t v[4];
    load4(v, s);
    for (int i = 3; i >= 0; i--) {
        if (v[i] < L[i])
            return 1;
        if (v[i] > L[i])
            return 0;
    }
    return 0; /* equal to l */
}

int ring_scalar_is_canonical_ct(const uint8_t s[RING_SCALAR_BYTES])
{
    uint64_t v[4], borrow = 0;
    load4(v, s);
    for (int i = 0; i < 4; i++) { /* the borrow out of s - l: 1 iff s < l */
        const uint64_t d = v[i] - L[i] - borrow;
        borrow = ((~v[i] & L[i]) | (~(v[i] ^ L[i]) & d)) >> 63;
    }
    sodium_memzero(v, sizeof v);
    return (int)borrow;
}

int ring_scalar_is_zero(const uint8_t s[RING_SCALAR_BYTES])
{
    return sodium_is_zero(s, RING_SCALAR_BYTES);
}

void ring_scalar_random(uint8_t s[RING_SCALAR_BYTES])
{
    do {
        crypto_core_ristretto255_scalar_random(s);
    } while (sodium_is_zero(s, RING_SCALAR_BYTES));
}

void ring_scalar_from_hash(uint8_t out[RING_SCALAR_BYTES], const uint8_t h[64])
{
    uint8_t tmp[64];
    memcpy(tmp, h, 64);
    crypto_core_ristretto255_scalar_reduce(out, tmp);
    sodium_memzero(tmp, sizeof tmp);
}

void ring_scalar_pow(uint8_t out[RING_SCALAR_BYTES], const uint8_t a[RING_SCALAR_BYTES], unsigned k)
{
    uint8_t acc[32] = {1}, base[32];
    memcpy(base, a, 32);
    while (k) {
        if (k & 1)
            crypto_core_ristretto255_scalar_mul(acc, acc, base);
        crypto_core_ristretto255_scalar_mul(base, base, base);
        k >>= 1;
    }
    memcpy(out, acc, 32);
}

/* r = r - l if r >= l (r < 2l, possibly with a carry bit). */
static inline __attribute__((always_inline)) void sub_l_if_ge(uint64_t r[4], uint64_t carry)
{
    uint64_t t[4];
    unsigned __int128 b = 0;
    for (int i = 0; i < 4; i++) {
        unsigned __int128 d = (unsigned __int128)r[i] - L[i] - (uint64_t)b;
        t[i] = (uint64_t)d;
        b = (d >> 64) & 1;
    }
    /* keep t when there was a carry out of r or no borrow */
    const uint64_t keep = (uint64_t)0 - (uint64_t)((carry | ((uint64_t)b ^ 1u)) & 1u);
    for (int i = 0; i < 4; i++)
        r[i] = (t[i] & keep) | (r[i] & ~keep);
}

void ring_msc_mul(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b)
{
    struct ring_msc r;
    ring_msc_mul_lazy(&r, a, b); /* below 2l, as a and b are below l */
    sub_l_if_ge(r.v, 0);
    *out = r;
}

void ring_msc_add(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b)
{
    uint64_t r[4];
    unsigned __int128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (unsigned __int128)a->v[i] + b->v[i];
        r[i] = (uint64_t)c;
        c >>= 64;
    }
    sub_l_if_ge(r, (uint64_t)c);
    memcpy(out->v, r, sizeof r);
}

/* x mod l for x below 2^320 (five limbs): x = hi 2^252 + lo, and 2^252 = -c
 * (mod l) with c = l - 2^252 = RING_L0 + RING_L1 2^64 (125 bits); hi < 2^68,
 * so hi c < 2^193 and lo - hi c lies in (-l, 2^252): one addition of l when
 * negative. */
static void reduce320(uint64_t r[4], const uint64_t x[5])
{
    typedef unsigned __int128 u128;
    const uint64_t hi0 = (x[3] >> 60) | (x[4] << 4), hi1 = x[4] >> 60;
    const uint64_t lo[4] = {x[0], x[1], x[2], x[3] & (RING_L3 - 1)};
    uint64_t hc[4];
    u128 p = (u128)hi0 * RING_L0;
    hc[0] = (uint64_t)p;
    p = (p >> 64) + (u128)hi0 * RING_L1 + (u128)hi1 * RING_L0;
    hc[1] = (uint64_t)p;
    p = (p >> 64) + (u128)hi1 * RING_L1;
    hc[2] = (uint64_t)p;
    hc[3] = (uint64_t)(p >> 64);
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)lo[i] - hc[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1u;
    }
    if (borrow) { /* negative: add l (the carry out cancels the borrow) */
        u128 c = 0;
        for (int i = 0; i < 4; i++) {
            c += (u128)r[i] + L[i];
            r[i] = (uint64_t)c;
            c >>= 64;
        }
    }
}

void ring_msc_sum_reduce(struct ring_msc *out, const struct ring_msc_sum *acc)
{
    /* four Montgomery steps divide by R: (acc + M l) / R, M < R, is below
     * 2^320 for acc below 2^576 - 2^509; then reduce320 */
    typedef unsigned __int128 u128;
    uint64_t t[9];
    memcpy(t, acc->v, sizeof t);
    for (int i = 0; i < 4; i++) {
        const uint64_t m = t[i] * RING_L_N0;
        u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (u128)m * L[j] + t[i + j];
            t[i + j] = (uint64_t)c;
            c >>= 64;
        }
        for (int k = i + 4; k < 9; k++) {
            c += t[k];
            t[k] = (uint64_t)c;
            c >>= 64;
        }
    }
    reduce320(out->v, t + 4);
}

void ring_msc_from_bytes(struct ring_msc *out, const uint8_t in[RING_SCALAR_BYTES])
{
    struct ring_msc x;
    load4(x.v, in);
    ring_msc_mul(out, &x, &R2);
}

void ring_msc_to_bytes(uint8_t out[RING_SCALAR_BYTES], const struct ring_msc *in)
{
    struct ring_msc one = {{1, 0, 0, 0}}, r;
    ring_msc_mul(&r, in, &one);
    store4(out, r.v);
}
