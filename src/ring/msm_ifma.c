/* msm_ifma.c — Pippenger (variable time, public data only) on eight lanes of
 * AVX-512 IFMA: the verifier's multi-scalar multiplication.
 *
 * Why this shape. A bucket add is nine field multiplications; libdecaf does
 * them one at a time. AVX-512 IFMA multiplies eight 52-bit limbs at once, so
 * eight point additions run in lock step. The eight lanes are eight
 * *windows* of the same point: point P_i goes into bucket |d_{i,w}| of
 * window w in lane w, so the lanes never touch the same bucket (each window
 * has its own buckets), the point itself is one broadcast, and only the
 * buckets are gathered and scattered. Windows are padded to a multiple of
 * eight; a zero digit leaves its lane's bucket alone (masked scatter).
 *
 * Field elements are libdecaf's own (x86-64: five 51-bit limbs, value mod
 * 2^255 - 19), kept below 2^52 per limb between operations so that they are
 * valid IFMA inputs; points are libdecaf's extended coordinates on its
 * internal curve -x^2 + y^2 = 1 + 121665 x^2 y^2 (the add formula is the one
 * decaf_255_point_add uses, so results convert back by copying limbs).
 * tests/unit/ring/test_msm_ifma.c checks every result against ring_msm's
 * portable path and naive sums.
 *
 * Only for x86-64 with GCC or clang; elsewhere (and on CPUs without
 * AVX-512 IFMA, checked at run time) ring_msm uses the portable code. */
#include "ring/msm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(RING_CTGRIND)
#define HAVE_IFMA_BUILD 1
#else
#define HAVE_IFMA_BUILD 0
#endif

#if HAVE_IFMA_BUILD
#include <immintrin.h>
#include <pthread.h>

#define SCALAR_BITS 253
#define LANES       8
#define FE_LIMBS    5
#define PT_WORDS    (4 * FE_LIMBS) /* x, y, z, t */
#define MASK51      ((1ull << 51) - 1)
#define TWO_D       243330ull /* 2 * 121665: libdecaf's 2 * EFF_D for this curve */

_Static_assert(sizeof(((ring_point *)0)->x->limb) / sizeof(((ring_point *)0)->x->limb[0]) ==
                   FE_LIMBS,
               "libdecaf's x86-64 field has five limbs");
_Static_assert(sizeof(((ring_point *)0)->x->limb[0]) == 8, "limbs are 64-bit words");

#define TGT    __attribute__((target("avx512f,avx512ifma")))
#define INLINE static inline __attribute__((always_inline)) TGT

typedef __m512i v8;
struct fe8 {
    v8 l[FE_LIMBS];
};
struct pt8 {
    struct fe8 x, y, z, t;
};
/* A point ready to be added: y - x, y + x, 2d t, 2 z (libdecaf's add,
 * with the part that depends on this operand alone done once). */
struct cached8 {
    struct fe8 ymx, ypx, t2d, z2;
};

/* One carry round on every limb at once: limbs below 2^63 come out below
 * 2^51 + 2^17, which keeps them valid IFMA inputs (below 2^52). */
INLINE void fe8_carry(struct fe8 *r)
{
    const v8 mask = _mm512_set1_epi64((long long)MASK51);
    v8 c[FE_LIMBS];
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        c[i] = _mm512_srli_epi64(r->l[i], 51);
        r->l[i] = _mm512_and_si512(r->l[i], mask);
    }
    /* 19 c4 = 16 c4 + 2 c4 + c4 */
    v8 c19 = _mm512_add_epi64(
        _mm512_add_epi64(_mm512_slli_epi64(c[4], 4), _mm512_slli_epi64(c[4], 1)), c[4]);
    r->l[0] = _mm512_add_epi64(r->l[0], c19);
#pragma GCC unroll 25
    for (int i = 1; i < FE_LIMBS; i++)
        r->l[i] = _mm512_add_epi64(r->l[i], c[i - 1]);
}

INLINE void fe8_add(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++)
        r->l[i] = _mm512_add_epi64(a->l[i], b->l[i]);
    fe8_carry(r);
}

/* r = a - b + 4p; b's limbs are below 2^52, under 4p's. */
INLINE void fe8_sub(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
    const v8 p0 = _mm512_set1_epi64((long long)(4 * ((1ull << 51) - 19)));
    const v8 pi = _mm512_set1_epi64((long long)(4 * MASK51));
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++)
        r->l[i] = _mm512_sub_epi64(_mm512_add_epi64(a->l[i], i == 0 ? p0 : pi), b->l[i]);
    fe8_carry(r);
}

/* Folds the columns z[5..9] (weight 2^255 * 2^(51 k)) onto z[0..4] (2^255 =
 * 19 mod p) and carries. Columns are below 2^57, so z + 19 z' < 2^63. */
INLINE void fe8_fold(struct fe8 *r, v8 z[2 * FE_LIMBS])
{
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        v8 h = z[i + FE_LIMBS];
        v8 h19 =
            _mm512_add_epi64(_mm512_add_epi64(_mm512_slli_epi64(h, 4), _mm512_slli_epi64(h, 1)), h);
        r->l[i] = _mm512_add_epi64(z[i], h19);
    }
    fe8_carry(r);
}

/* r = a * b. With 51-bit columns, a product's high half (bits 52..103) is
 * worth twice a unit of the next column. */
INLINE void fe8_mul(struct fe8 *r, const struct fe8 *a, const struct fe8 *b)
{
    v8 lo[2 * FE_LIMBS], hi[2 * FE_LIMBS];
#pragma GCC unroll 25
    for (int k = 0; k < 2 * FE_LIMBS; k++)
        lo[k] = hi[k] = _mm512_setzero_si512();
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++)
#pragma GCC unroll 25
        for (int j = 0; j < FE_LIMBS; j++) {
            lo[i + j] = _mm512_madd52lo_epu64(lo[i + j], a->l[i], b->l[j]);
            hi[i + j] = _mm512_madd52hi_epu64(hi[i + j], a->l[i], b->l[j]);
        }
    v8 z[2 * FE_LIMBS];
    z[0] = lo[0];
#pragma GCC unroll 25
    for (int k = 1; k < 2 * FE_LIMBS; k++)
        z[k] = _mm512_add_epi64(lo[k], _mm512_slli_epi64(hi[k - 1], 1));
    fe8_fold(r, z);
}

/* r = a * k for a small constant k (below 2^52). */
INLINE void fe8_mul_small(struct fe8 *r, const struct fe8 *a, uint64_t k)
{
    const v8 kv = _mm512_set1_epi64((long long)k), zero = _mm512_setzero_si512();
    v8 z[2 * FE_LIMBS];
    v8 hi[FE_LIMBS];
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        z[i] = _mm512_madd52lo_epu64(zero, a->l[i], kv);
        hi[i] = _mm512_madd52hi_epu64(zero, a->l[i], kv);
    }
#pragma GCC unroll 25
    for (int i = 1; i < FE_LIMBS; i++)
        z[i] = _mm512_add_epi64(z[i], _mm512_slli_epi64(hi[i - 1], 1));
    z[FE_LIMBS] = _mm512_slli_epi64(hi[FE_LIMBS - 1], 1);
#pragma GCC unroll 25
    for (int i = FE_LIMBS + 1; i < 2 * FE_LIMBS; i++)
        z[i] = zero;
    fe8_fold(r, z);
}

INLINE void cached8_from(struct cached8 *c, const struct pt8 *p)
{
    fe8_sub(&c->ymx, &p->y, &p->x);
    fe8_add(&c->ypx, &p->y, &p->x);
    fe8_mul_small(&c->t2d, &p->t, TWO_D);
    fe8_add(&c->z2, &p->z, &p->z);
}

/* c = -c in the lanes of neg: -(x, y, z, t) = (-x, y, z, -t), so y - x and
 * y + x swap and 2d t changes sign. */
INLINE void cached8_neg_lanes(struct cached8 *c, __mmask8 neg)
{
    struct fe8 zero, nt;
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++)
        zero.l[i] = _mm512_setzero_si512();
    fe8_sub(&nt, &zero, &c->t2d);
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        v8 a = c->ymx.l[i], b = c->ypx.l[i];
        c->ymx.l[i] = _mm512_mask_blend_epi64(neg, a, b);
        c->ypx.l[i] = _mm512_mask_blend_epi64(neg, b, a);
        c->t2d.l[i] = _mm512_mask_blend_epi64(neg, c->t2d.l[i], nt.l[i]);
    }
}

/* r = p + c: libdecaf's decaf_255_point_add, eight lanes (complete). */
INLINE void pt8_add(struct pt8 *r, const struct pt8 *p, const struct cached8 *c)
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

INLINE void pt8_identity(struct pt8 *p)
{
    const v8 zero = _mm512_setzero_si512(), one = _mm512_set1_epi64(1);
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        p->x.l[i] = p->t.l[i] = zero;
        p->y.l[i] = p->z.l[i] = i == 0 ? one : zero;
    }
}

/* The same point in every lane, limbs carried (libdecaf may leave them
 * above 2^52). */
INLINE void pt8_broadcast(struct pt8 *r, const ring_point *p)
{
#pragma GCC unroll 25
    for (int i = 0; i < FE_LIMBS; i++) {
        r->x.l[i] = _mm512_set1_epi64((long long)p->x->limb[i]);
        r->y.l[i] = _mm512_set1_epi64((long long)p->y->limb[i]);
        r->z.l[i] = _mm512_set1_epi64((long long)p->z->limb[i]);
        r->t.l[i] = _mm512_set1_epi64((long long)p->t->limb[i]);
    }
    fe8_carry(&r->x);
    fe8_carry(&r->y);
    fe8_carry(&r->z);
    fe8_carry(&r->t);
}

/* Buckets are stored point by point, PT_WORDS words each (x0..x4, y.., z..,
 * t..); idx holds each lane's first word. */
INLINE void pt8_gather(struct pt8 *r, const uint64_t *base, v8 idx, __mmask8 m)
{
    v8 *w = (v8 *)r;
#pragma GCC unroll 25
    for (int k = 0; k < PT_WORDS; k++)
        w[k] = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), m, idx, base + k, 8);
}

INLINE void pt8_scatter(uint64_t *base, v8 idx, __mmask8 m, const struct pt8 *r)
{
    const v8 *w = (const v8 *)r;
#pragma GCC unroll 25
    for (int k = 0; k < PT_WORDS; k++)
        _mm512_mask_i64scatter_epi64(base + k, m, idx, w[k], 8);
}

_Static_assert(sizeof(struct pt8) == PT_WORDS * sizeof(v8), "a pt8 is its words, in order");

/* Copies lane `lane` of p out as a libdecaf point. */
TGT static void pt8_lane(ring_point *out, const struct pt8 *p, unsigned lane)
{
    uint64_t w[LANES];
    const struct fe8 *f[4] = {&p->x, &p->y, &p->z, &p->t};
    gf_25519_s *g[4] = {out->x, out->y, out->z, out->t};
#pragma GCC unroll 25
    for (int c = 0; c < 4; c++)
#pragma GCC unroll 25
        for (int i = 0; i < FE_LIMBS; i++) {
            _mm512_storeu_si512((void *)w, f[c]->l[i]);
            g[c]->limb[i] = w[lane];
        }
}

/* Signed base-2^c digits, as msm.c's (d in [-2^(c-1)+1, 2^(c-1)]). */
static void recode(int32_t *d, const uint8_t s[32], unsigned c, unsigned windows)
{
    uint64_t limb[5] = {0, 0, 0, 0, 0};
#pragma GCC unroll 25
    for (int i = 0; i < 4; i++)
#pragma GCC unroll 25
        for (int k = 7; k >= 0; k--)
            limb[i] = (limb[i] << 8) | s[8 * i + k];
    int32_t carry = 0;
    const int32_t half = (int32_t)1 << (c - 1);
    const uint64_t mask = ((uint64_t)1 << c) - 1;
    for (unsigned w = 0; w < windows; w++) {
        unsigned bit = w * c, li = bit >> 6, sh = bit & 63;
        uint64_t v64 = li < 5 ? limb[li] >> sh : 0;
        if (sh + c > 64 && li < 4)
            v64 |= limb[li + 1] << (64 - sh);
        int32_t v = (int32_t)(v64 & mask) + carry;
        carry = v > half;
        d[w] = v - (carry << c);
    }
}

static unsigned windows_for(unsigned c)
{
    return (SCALAR_BITS + 1 + c - 1) / c;
}

/* The window width with the least work for n points per thread: each group
 * of eight windows costs one eight-lane add per point and two per bucket. */
static unsigned ifma_window(size_t n)
{
    unsigned best = 4;
    double best_cost = 0;
    for (unsigned c = 4; c <= 16; c++) {
        double groups = (double)((windows_for(c) + LANES - 1) / LANES);
        double cost = groups * ((double)n + 2.0 * (double)(1u << (c - 1)));
        if (c == 4 || cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

struct ifma_job {
    const struct ring_msm_seg *segs;
    size_t nsegs;
    size_t lo, hi;         /* points [lo, hi) of the concatenation */
    const int32_t *digits; /* wpad per point, windows beyond `windows` zero */
    unsigned c, wpad;
    ring_point *sums;  /* wpad window sums */
    uint64_t *buckets; /* LANES * nb * PT_WORDS */
};

TGT static void *ifma_run(void *arg)
{
    struct ifma_job *j = arg;
    const size_t nb = (size_t)1 << (j->c - 1);
    const long long st = (long long)(nb * PT_WORDS); /* one window's buckets */
    const v8 lane_base = _mm512_set_epi64(7 * st, 6 * st, 5 * st, 4 * st, 3 * st, 2 * st, st, 0);
    const v8 one = _mm512_set1_epi64(1);
    struct pt8 acc, run, tot, id;
    struct cached8 pc;
    pt8_identity(&id);
    for (unsigned g = 0; g < j->wpad / LANES; g++) {
        /* every bucket of the eight windows starts as the identity */
        for (size_t b = 0; b < LANES * nb; b++) {
            uint64_t *w = j->buckets + b * PT_WORDS;
            memset(w, 0, PT_WORDS * sizeof *w);
            w[FE_LIMBS] = 1;     /* y0 */
            w[2 * FE_LIMBS] = 1; /* z0 */
        }
        size_t i = 0;
        for (size_t sg = 0; sg < j->nsegs; sg++) {
            const ring_point *pts = j->segs[sg].points;
            for (size_t q = 0; q < j->segs[sg].n; q++, i++) {
                if (i < j->lo)
                    continue;
                if (i >= j->hi)
                    break;
                const int32_t *dp = j->digits + i * j->wpad + (size_t)g * LANES;
                v8 d = _mm512_cvtepi32_epi64(_mm256_loadu_si256((const __m256i *)dp));
                __mmask8 nz = _mm512_test_epi64_mask(d, d);
                if (!nz)
                    continue;
                __mmask8 neg = _mm512_cmplt_epi64_mask(d, _mm512_setzero_si512());
                v8 mag = _mm512_sub_epi64(_mm512_abs_epi64(d), one);
                /* mag * 20 = mag * 16 + mag * 4 */
                v8 idx = _mm512_add_epi64(lane_base, _mm512_add_epi64(_mm512_slli_epi64(mag, 4),
                                                                      _mm512_slli_epi64(mag, 2)));
                struct pt8 p;
                pt8_broadcast(&p, &pts[q]);
                cached8_from(&pc, &p);
                if (neg)
                    cached8_neg_lanes(&pc, neg);
                pt8_gather(&acc, j->buckets, idx, nz);
                pt8_add(&acc, &acc, &pc);
                pt8_scatter(j->buckets, idx, nz, &acc);
            }
        }
        /* sum_b (b+1) bucket[b], by running sums from the top */
        run = id;
        tot = id;
        for (size_t b = nb; b-- > 0;) {
            v8 idx = _mm512_add_epi64(lane_base, _mm512_set1_epi64((long long)(b * PT_WORDS)));
            pt8_gather(&acc, j->buckets, idx, 0xff);
            cached8_from(&pc, &acc);
            pt8_add(&run, &run, &pc);
            cached8_from(&pc, &run);
            pt8_add(&tot, &tot, &pc);
        }
        for (unsigned l = 0; l < LANES; l++)
            pt8_lane(&j->sums[g * LANES + l], &tot, l);
    }
    return NULL;
}

static int cpu_has_ifma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

int ring_msm_ifma_available(void)
{
    static int known = -1; /* racy but idempotent: every thread computes the same */
    if (known < 0)
        known = cpu_has_ifma();
    return known;
}

int ring_msm_ifma_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs,
                       unsigned threads, struct err *e)
{
    int rc = -1;
    size_t n = 0;
    for (size_t sg = 0; sg < nsegs; sg++)
        n += segs[sg].n;
    int32_t *digits = NULL;
    ring_point *sums[2] = {NULL, NULL};
    uint64_t *buckets[2] = {NULL, NULL};

    *out = *decaf_255_point_identity;
    if (n == 0)
        return 0;
    if (!ring_msm_ifma_available())
        return err_set(e, ERR_INTERNAL, "this CPU has no AVX-512 IFMA");
    if (threads == 0 || threads > 2)
        threads = 2;
    if (n < 512)
        threads = 1;
    const unsigned c = ifma_window((n + threads - 1) / threads);
    const unsigned windows = windows_for(c);
    const unsigned wpad = (windows + LANES - 1) / LANES * LANES;
    const size_t nb = (size_t)1 << (c - 1);

    digits = calloc(n * wpad, sizeof *digits);
    if (!digits)
        goto nomem;
    for (unsigned t = 0; t < threads; t++) {
        /* libdecaf's points are 32-byte aligned; malloc promises 16 */
        sums[t] = aligned_alloc(64, wpad * sizeof(ring_point));
        buckets[t] = aligned_alloc(64, LANES * nb * PT_WORDS * sizeof(uint64_t));
        if (!sums[t] || !buckets[t])
            goto nomem;
    }
    size_t i = 0;
    for (size_t sg = 0; sg < nsegs; sg++)
        for (size_t q = 0; q < segs[sg].n; q++, i++)
            recode(digits + i * wpad, segs[sg].scalars[q], c, windows);

    struct ifma_job jobs[2];
    for (unsigned t = 0; t < threads; t++)
        jobs[t] = (struct ifma_job){.segs = segs,
                                    .nsegs = nsegs,
                                    .lo = n * t / threads,
                                    .hi = n * (t + 1) / threads,
                                    .digits = digits,
                                    .c = c,
                                    .wpad = wpad,
                                    .sums = sums[t],
                                    .buckets = buckets[t]};
    pthread_t tid;
    int spawned = 0;
    if (threads == 2)
        spawned = pthread_create(&tid, NULL, ifma_run, &jobs[1]) == 0;
    ifma_run(&jobs[0]);
    if (threads == 2) {
        if (spawned)
            pthread_join(tid, NULL);
        else
            ifma_run(&jobs[1]);
        for (unsigned w = 0; w < windows; w++)
            decaf_255_point_add(&sums[0][w], &sums[0][w], &sums[1][w]);
    }
    ring_point acc = sums[0][windows - 1];
    for (unsigned w = windows - 1; w-- > 0;) {
        for (unsigned k = 0; k < c; k++)
            decaf_255_point_double(&acc, &acc);
        decaf_255_point_add(&acc, &acc, &sums[0][w]);
    }
    *out = acc;
    rc = 0;
    goto out;
nomem:
    err_set(e, ERR_NOMEM, "out of memory in a multi-scalar multiplication of %zu points", n);
out:
    free(digits);
    for (unsigned t = 0; t < 2; t++) {
        free(sums[t]);
        free(buckets[t]);
    }
    return rc;
}

#else /* no IFMA build */

int ring_msm_ifma_available(void)
{
    return 0;
}

int ring_msm_ifma_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs,
                       unsigned threads, struct err *e)
{
    (void)segs;
    (void)nsegs;
    (void)threads;
    *out = *decaf_255_point_identity;
    return err_set(e, ERR_INTERNAL, "this build has no AVX-512 IFMA code");
}

#endif
