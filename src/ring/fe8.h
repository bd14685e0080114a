/* fe8.h — eight field elements and eight points at once, for the AVX-512
 * IFMA MSMs (msm_ifma.c: Pippenger for the verifier; msm_ct8.c: the
 * prover's constant-time MSM).
 *
 * Field elements are libdecaf's own on x86-64: five 51-bit limbs of a value
 * mod 2^255 - 19, kept below 2^52 per limb between operations so that they
 * are valid IFMA inputs. A product's high half (bits 52..103 of a 52x52-bit
 * product) is worth twice a unit of the next 51-bit column; columns at or
 * above 2^255 fold back times 19. Points are libdecaf's extended coordinates
 * on its internal curve -x^2 + y^2 = 1 + 121665 x^2 y^2, and the addition is
 * the formula decaf_255_point_add uses (complete: doubling and the identity
 * included), so a lane converts to and from a ring_point by copying limbs.
 *
 * Every operation is the same instructions whatever the values: no branch,
 * no memory index and no variable-time instruction depends on a limb.
 *
 * Two builds of the same code:
 * - RING_FE8_NATIVE: x86-64 with GCC or clang; v8 is an AVX-512 register and
 *   the functions are compiled for AVX-512 IFMA. Call them only after
 *   ring_fe8_ready() says the CPU has it.
 * - RING_FE8_EMULATED: the constant-time check's build (RING_CTGRIND, run
 *   under valgrind, which has no AVX-512): v8 is eight 64-bit words and each
 *   operation a loop, so `make ct` checks the very algorithm the native code
 *   runs (which branches and addresses it takes), not the instructions.
 * Elsewhere (WebAssembly, other CPUs) neither is defined and nothing here is
 * compiled. */
#ifndef DISSENT_RING_FE8_H
#define DISSENT_RING_FE8_H

#include "ring/group.h"

#if defined(RING_CTGRIND)
#define RING_FE8_EMULATED 1
#elif defined(__x86_64__) && defined(__GNUC__)
#define RING_FE8_NATIVE 1
#endif

#if defined(RING_FE8_NATIVE) || defined(RING_FE8_EMULATED)
#define RING_FE8 1

/* 1 if the eight-lane code may run here: the CPU has AVX-512 IFMA (native
 * build), always (emulated build). Defined in msm_ifma.c. */
int ring_fe8_ready(void);

#define FE8_LIMBS    5
#define FE8_PT_WORDS (4 * FE8_LIMBS) /* x, y, z, t */
#define FE8_MASK51   ((1ull << 51) - 1)
#define FE8_TWO_D    243330ull /* 2 * 121665: libdecaf's 2 * EFF_D for this curve */

_Static_assert(sizeof(((ring_point *)0)->x->limb) / sizeof(((ring_point *)0)->x->limb[0]) ==
                   FE8_LIMBS,
               "libdecaf's x86-64 field has five limbs");
_Static_assert(sizeof(((ring_point *)0)->x->limb[0]) == 8, "limbs are 64-bit words");

#ifdef RING_FE8_NATIVE
#include <immintrin.h>
#define FE8_TARGET __attribute__((target("avx512f,avx512ifma")))
typedef __m512i v8;
#define v8_zero()              _mm512_setzero_si512()
#define v8_set1(x)             _mm512_set1_epi64((long long)(x))
#define v8_add(a, b)           _mm512_add_epi64((a), (b))
#define v8_sub(a, b)           _mm512_sub_epi64((a), (b))
#define v8_and(a, b)           _mm512_and_si512((a), (b))
#define v8_or(a, b)            _mm512_or_si512((a), (b))
#define v8_xor(a, b)           _mm512_xor_si512((a), (b))
#define v8_srli(a, n)          _mm512_srli_epi64((a), (n))
#define v8_slli(a, n)          _mm512_slli_epi64((a), (n))
#define v8_madd52lo(acc, a, b) _mm512_madd52lo_epu64((acc), (a), (b))
#define v8_madd52hi(acc, a, b) _mm512_madd52hi_epu64((acc), (a), (b))
#define v8_load(p)             _mm512_loadu_si512((const void *)(p))
#define v8_store(p, v)         _mm512_storeu_si512((void *)(p), (v))
#else
#define FE8_TARGET
typedef struct {
    uint64_t w[8];
} v8;
#define FE8_EMU static inline __attribute__((always_inline))
FE8_EMU v8 v8_zero(void)
{
    v8 r = {{0}};
    return r;
}
FE8_EMU v8 v8_set1(uint64_t x)
{
    v8 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = x;
    return r;
}
#define FE8_EMU_BIN(name, expr)                                                                    \
    FE8_EMU v8 name(v8 a, v8 b)                                                                    \
    {                                                                                              \
        v8 r;                                                                                      \
        for (int i = 0; i < 8; i++)                                                                \
            r.w[i] = (expr);                                                                       \
        return r;                                                                                  \
    }
FE8_EMU_BIN(v8_add, a.w[i] + b.w[i])
FE8_EMU_BIN(v8_sub, a.w[i] - b.w[i])
FE8_EMU_BIN(v8_and, a.w[i] & b.w[i])
FE8_EMU_BIN(v8_or, a.w[i] | b.w[i])
FE8_EMU_BIN(v8_xor, a.w[i] ^ b.w[i])
FE8_EMU v8 v8_srli(v8 a, unsigned n)
{
    for (int i = 0; i < 8; i++)
        a.w[i] >>= n;
    return a;
}
FE8_EMU v8 v8_slli(v8 a, unsigned n)
{
    for (int i = 0; i < 8; i++)
        a.w[i] <<= n;
    return a;
}
/* IFMA's semantics: the low 52 bits of each input, their 104-bit product,
 * its low or high 52 bits added to acc. */
FE8_EMU v8 v8_madd52lo(v8 acc, v8 a, v8 b)
{
    for (int i = 0; i < 8; i++) {
        unsigned __int128 p =
            (unsigned __int128)(a.w[i] & ((1ull << 52) - 1)) * (b.w[i] & ((1ull << 52) - 1));
        acc.w[i] += (uint64_t)p & ((1ull << 52) - 1);
    }
    return acc;
}
FE8_EMU v8 v8_madd52hi(v8 acc, v8 a, v8 b)
{
    for (int i = 0; i < 8; i++) {
        unsigned __int128 p =
            (unsigned __int128)(a.w[i] & ((1ull << 52) - 1)) * (b.w[i] & ((1ull << 52) - 1));
        acc.w[i] += (uint64_t)(p >> 52);
    }
    return acc;
}
FE8_EMU v8 v8_load(const uint64_t *p)
{
    v8 r;
    for (int i = 0; i < 8; i++)
        r.w[i] = p[i];
    return r;
}
FE8_EMU void v8_store(uint64_t *p, v8 v)
{
    for (int i = 0; i < 8; i++)
        p[i] = v.w[i];
}
#endif

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FE8_SANITIZED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FE8_SANITIZED 1
#endif

#ifdef RING_FE8_NATIVE
#define FE8_FN static inline __attribute__((always_inline)) FE8_TARGET
/* The point operations are inlined where they are used (about 20% faster
 * than calls in the prover), except under the sanitizers: there clang took
 * three minutes to compile msm_ct8.c that way (the fuzzing build), against
 * seconds with the point operations compiled once. */
#ifdef FE8_SANITIZED
#define FE8_PT_FN __attribute__((unused, noinline)) static FE8_TARGET
#else
#define FE8_PT_FN FE8_FN
#endif
#else
/* Emulated: each function compiled once (inlined, the emulation's loops
 * make minutes of compilation). */
#define FE8_FN    __attribute__((unused, noinline)) static
#define FE8_PT_FN FE8_FN
#endif

struct fe8 {
    v8 l[FE8_LIMBS];
};
struct pt8 {
    struct fe8 x, y, z, t;
};
/* A point ready to be added: y - x, y + x, 2d t, 2 z (the part of
 * libdecaf's addition that depends on this operand alone, done once). */
struct cached8 {
    struct fe8 ymx, ypx, t2d, z2;
};

/* One carry round on every limb at once: limbs below 2^63 come out below
 * 2^51 + 2^17, valid IFMA inputs (below 2^52). */
FE8_FN void fe8_carry(struct fe8 *r)
{
    const v8 mask = v8_set1(FE8_MASK51);
    v8 c[FE8_LIMBS];
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        c[i] = v8_srli(r->l[i], 51);
        r->l[i] = v8_and(r->l[i], mask);
    }
    /* 19 c4 = 16 c4 + 2 c4 + c4 */
    v8 c19 = v8_add(v8_add(v8_slli(c[4], 4), v8_slli(c[4], 1)), c[4]);
    r->l[0] = v8_add(r->l[0], c19);
#pragma GCC unroll 5
    for (int i = 1; i < FE8_LIMBS; i++)
        r->l[i] = v8_add(r->l[i], c[i - 1]);
}

FE8_FN void fe8_add(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++)
        r->l[i] = v8_add(a->l[i], b->l[i]);
    fe8_carry(r);
}

/* r = a - b + 4p; b's limbs are below 2^52, under 4p's. */
FE8_FN void fe8_sub(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
    const v8 p0 = v8_set1(4 * ((1ull << 51) - 19));
    const v8 pi = v8_set1(4 * FE8_MASK51);
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++)
        r->l[i] = v8_sub(v8_add(a->l[i], i == 0 ? p0 : pi), b->l[i]);
    fe8_carry(r);
}

/* Folds the columns z[5..9] (weight 2^255 * 2^(51 k)) onto z[0..4]
 * (2^255 = 19 mod p) and carries. Columns are below 2^57, so z + 19 z' is
 * below 2^63. */
FE8_FN void fe8_fold(struct fe8 *r, v8 z[2 * FE8_LIMBS])
{
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        v8 h = z[i + FE8_LIMBS];
        r->l[i] = v8_add(z[i], v8_add(v8_add(v8_slli(h, 4), v8_slli(h, 1)), h));
    }
    fe8_carry(r);
}

/* r = a * b. */
FE8_FN void fe8_mul(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
    v8 lo[2 * FE8_LIMBS], hi[2 * FE8_LIMBS];
#pragma GCC unroll 10
    for (int k = 0; k < 2 * FE8_LIMBS; k++)
        lo[k] = hi[k] = v8_zero();
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++)
#pragma GCC unroll 5
        for (int j = 0; j < FE8_LIMBS; j++) {
            lo[i + j] = v8_madd52lo(lo[i + j], a->l[i], b->l[j]);
            hi[i + j] = v8_madd52hi(hi[i + j], a->l[i], b->l[j]);
        }
    v8 z[2 * FE8_LIMBS];
    z[0] = lo[0];
#pragma GCC unroll 10
    for (int k = 1; k < 2 * FE8_LIMBS; k++)
        z[k] = v8_add(lo[k], v8_slli(hi[k - 1], 1));
    fe8_fold(r, z);
}

/* r = a * k for a constant k below 2^52. */
FE8_FN void fe8_mul_small(struct fe8 *r, const struct fe8 *a, uint64_t k)
{
    const v8 kv = v8_set1(k);
    v8 z[2 * FE8_LIMBS], hi[FE8_LIMBS];
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        z[i] = v8_madd52lo(v8_zero(), a->l[i], kv);
        hi[i] = v8_madd52hi(v8_zero(), a->l[i], kv);
    }
#pragma GCC unroll 5
    for (int i = 1; i < FE8_LIMBS; i++)
        z[i] = v8_add(z[i], v8_slli(hi[i - 1], 1));
    z[FE8_LIMBS] = v8_slli(hi[FE8_LIMBS - 1], 1);
#pragma GCC unroll 5
    for (int i = FE8_LIMBS + 1; i < 2 * FE8_LIMBS; i++)
        z[i] = v8_zero();
    fe8_fold(r, z);
}

FE8_PT_FN void cached8_from(struct cached8 *c, const struct pt8 *p)
{
    fe8_sub(&c->ymx, &p->y, &p->x);
    fe8_add(&c->ypx, &p->y, &p->x);
    fe8_mul_small(&c->t2d, &p->t, FE8_TWO_D);
    fe8_add(&c->z2, &p->z, &p->z);
}

/* c = -c in the lanes where sm is all ones (0 elsewhere), without a branch:
 * -(x, y, z, t) = (-x, y, z, -t), so y - x and y + x swap and 2d t changes
 * sign. */
FE8_FN void cached8_cneg(struct cached8 *c, v8 sm)
{
    struct fe8 zero, nt;
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++)
        zero.l[i] = v8_zero();
    fe8_sub(&nt, &zero, &c->t2d);
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        const v8 x = v8_and(v8_xor(c->ymx.l[i], c->ypx.l[i]), sm);
        c->ymx.l[i] = v8_xor(c->ymx.l[i], x);
        c->ypx.l[i] = v8_xor(c->ypx.l[i], x);
        c->t2d.l[i] = v8_xor(c->t2d.l[i], v8_and(v8_xor(c->t2d.l[i], nt.l[i]), sm));
    }
}

/* r = p + c: decaf_255_point_add's formula on eight lanes. */
FE8_PT_FN void pt8_add(struct pt8 *r, const struct pt8 *p, const struct cached8 *c)
{
    struct fe8 a, b, pa, py, px, zz, e, f, g, h;
    fe8_sub(&a, &p->y, &p->x);
    fe8_mul(&pa, &a, &c->ymx);
    fe8_add(&b, &p->y, &p->x);
    fe8_mul(&py, &b, &c->ypx);
    fe8_mul(&px, &p->t, &c->t2d);
    fe8_mul(&zz, &p->z, &c->z2);
    fe8_sub(&e, &py, &pa);
    fe8_add(&h, &py, &pa);
    fe8_sub(&f, &zz, &px);
    fe8_add(&g, &zz, &px);
    fe8_mul(&r->x, &e, &f);
    fe8_mul(&r->y, &g, &h);
    fe8_mul(&r->z, &f, &g);
    fe8_mul(&r->t, &e, &h);
}

FE8_FN void pt8_identity(struct pt8 *p)
{
    const v8 zero = v8_zero(), one = v8_set1(1);
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        p->x.l[i] = p->t.l[i] = zero;
        p->y.l[i] = p->z.l[i] = i == 0 ? one : zero;
    }
}

/* Lane k of p is pts[k] (limbs carried: libdecaf may leave them above
 * 2^52). */
FE8_PT_FN void pt8_load_lanes(struct pt8 *p, const ring_point *const pts[8])
{
    uint64_t w[8];
    struct fe8 *f[4] = {&p->x, &p->y, &p->z, &p->t};
#pragma GCC unroll 5
    for (int i = 0; i < FE8_LIMBS; i++) {
        for (int k = 0; k < 8; k++)
            w[k] = pts[k]->x->limb[i];
        f[0]->l[i] = v8_load(w);
        for (int k = 0; k < 8; k++)
            w[k] = pts[k]->y->limb[i];
        f[1]->l[i] = v8_load(w);
        for (int k = 0; k < 8; k++)
            w[k] = pts[k]->z->limb[i];
        f[2]->l[i] = v8_load(w);
        for (int k = 0; k < 8; k++)
            w[k] = pts[k]->t->limb[i];
        f[3]->l[i] = v8_load(w);
    }
    for (int c = 0; c < 4; c++)
        fe8_carry(f[c]);
}

/* Copies lane `lane` of p out as a libdecaf point. */
FE8_PT_FN void pt8_store_lane(ring_point *out, const struct pt8 *p, unsigned lane)
{
    uint64_t w[8];
    const struct fe8 *f[4] = {&p->x, &p->y, &p->z, &p->t};
    gf_25519_s *g[4] = {out->x, out->y, out->z, out->t};
    for (int c = 0; c < 4; c++)
#pragma GCC unroll 5
        for (int i = 0; i < FE8_LIMBS; i++) {
            v8_store(w, f[c]->l[i]);
            g[c]->limb[i] = w[lane];
        }
}

#endif /* RING_FE8 */
#endif
