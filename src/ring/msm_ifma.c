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
 * The field and point arithmetic is fe8.h's. tests/unit/ring/test_msm_ifma.c
 * checks every result against ring_msm's portable path.
 *
 * Only for x86-64 with GCC or clang; elsewhere (and on CPUs without
 * AVX-512 IFMA, checked at run time) ring_msm uses the portable code. */
#include "ring/msm.h"

#include "ring/fe8.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#ifdef RING_FE8_NATIVE

#define SCALAR_BITS 253
#define LANES       8
#define FE_LIMBS    FE8_LIMBS
#define PT_WORDS    FE8_PT_WORDS
#define TGT         FE8_TARGET
#define INLINE      FE8_FN

/* The same point in every lane. */
INLINE void pt8_broadcast(struct pt8 *r, const ring_point *p)
{
    const ring_point *const lanes[LANES] = {p, p, p, p, p, p, p, p};
    pt8_load_lanes(r, lanes);
}

/* r[c] = column c of the 8x8 matrix of 64-bit words whose rows are r[0..7]
 * (in place): 24 shuffles, against 8 gathers or scatters of one word per lane. */
INLINE void tr8(v8 r[LANES])
{
    const v8 a = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const v8 b = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
    const v8 c = _mm512_set_epi64(11, 10, 9, 8, 3, 2, 1, 0);
    const v8 d = _mm512_set_epi64(15, 14, 13, 12, 7, 6, 5, 4);
    v8 s[LANES], u[LANES];
#pragma GCC unroll 4
    for (int k = 0; k < LANES; k += 2) {
        s[k] = _mm512_unpacklo_epi64(r[k], r[k + 1]);     /* columns 0, 2, 4, 6 */
        s[k + 1] = _mm512_unpackhi_epi64(r[k], r[k + 1]); /* columns 1, 3, 5, 7 */
    }
#pragma GCC unroll 2
    for (int h = 0; h < LANES; h += 4)
#pragma GCC unroll 2
        for (int o = 0; o < 2; o++) {
            u[h + o] = _mm512_permutex2var_epi64(s[h + o], a, s[h + o + 2]);
            u[h + o + 2] = _mm512_permutex2var_epi64(s[h + o], b, s[h + o + 2]);
        }
#pragma GCC unroll 4
    for (int k = 0; k < 4; k++) {
        r[k] = _mm512_permutex2var_epi64(u[k], c, u[k + 4]);
        r[k + 4] = _mm512_permutex2var_epi64(u[k], d, u[k + 4]);
    }
}

/* Buckets are stored point by point, PT_WORDS words each (x0..x4, y.., z..,
 * t..); idx holds each lane's first word. A point's words are loaded (and
 * stored) as rows and transposed into the lanes: gathers and scatters were
 * most of the time. Lanes outside m read bucket 0 (their values are
 * unused). */
INLINE void pt8_gather(struct pt8 *r, const uint64_t *base, v8 idx, __mmask8 m)
{
    uint64_t off[LANES];
    v8 *w = (v8 *)r, blk[LANES];
    _mm512_storeu_si512((void *)off, _mm512_maskz_mov_epi64(m, idx));
#pragma GCC unroll 2
    for (int k = 0; k < 2; k++) {
#pragma GCC unroll 8
        for (int l = 0; l < LANES; l++)
            blk[l] = _mm512_loadu_si512((const void *)(base + off[l] + 8 * k));
        tr8(blk);
#pragma GCC unroll 8
        for (int c = 0; c < LANES; c++)
            w[8 * k + c] = blk[c];
    }
#pragma GCC unroll 8
    for (int l = 0; l < LANES; l++)
        blk[l] = _mm512_maskz_loadu_epi64(0x0f, (const void *)(base + off[l] + 16));
    tr8(blk);
#pragma GCC unroll 4
    for (int c = 0; c < PT_WORDS - 16; c++)
        w[16 + c] = blk[c];
}

INLINE void pt8_scatter(uint64_t *base, v8 idx, __mmask8 m, const struct pt8 *r)
{
    uint64_t off[LANES];
    const v8 *w = (const v8 *)r;
    v8 blk[LANES];
    _mm512_storeu_si512((void *)off, idx);
#pragma GCC unroll 2
    for (int k = 0; k < 2; k++) {
#pragma GCC unroll 8
        for (int c = 0; c < LANES; c++)
            blk[c] = w[8 * k + c];
        tr8(blk);
        for (int l = 0; l < LANES; l++)
            if (m >> l & 1)
                _mm512_storeu_si512((void *)(base + off[l] + 8 * k), blk[l]);
    }
#pragma GCC unroll 8
    for (int c = 0; c < LANES; c++)
        blk[c] = c < PT_WORDS - 16 ? w[16 + c] : _mm512_setzero_si512();
    tr8(blk);
    for (int l = 0; l < LANES; l++)
        if (m >> l & 1)
            _mm512_mask_storeu_epi64((void *)(base + off[l] + 16), 0x0f, blk[l]);
}

_Static_assert(sizeof(struct pt8) == PT_WORDS * sizeof(v8), "a pt8 is its words, in order");

/* ring_msm_recode's digits, narrowed to 16 bits (|d| <= 2^10 here). */
static void recode(int16_t *d, const uint8_t s[32], unsigned c, unsigned windows)
{
    int32_t wide[SCALAR_BITS + 1];
    ring_msm_recode(wide, s, c, windows);
    for (unsigned w = 0; w < windows; w++)
        d[w] = (int16_t)wide[w];
}

static unsigned windows_for(unsigned c)
{
    return (SCALAR_BITS + 1 + c - 1) / c;
}

/* Widest window: eight windows' buckets of 11 bits take 1.3 MB, about a
 * core's L2 cache. Wider windows do fewer additions on paper but gather and
 * scatter from further away: at 2^20 points, 16 bits (42 MB of buckets) took
 * about twice the time of 11 (measured with msm_ifma's first version). */
#define IFMA_MAX_WINDOW 11 /* also keeps digits within 16 bits */
_Static_assert(IFMA_MAX_WINDOW <= 15, "digits are int16_t");

/* The window width with the least work for n points per thread: each group
 * of eight windows costs one eight-lane add per point and two per bucket. */
static unsigned ifma_window(size_t n)
{
    unsigned best = 4;
    double best_cost = 0;
    for (unsigned c = 4; c <= IFMA_MAX_WINDOW; c++) {
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
    const int16_t *digits; /* wpad per point, windows beyond `windows` zero */
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
                const int16_t *dp = j->digits + i * j->wpad + (size_t)g * LANES;
                v8 d = _mm512_cvtepi16_epi64(_mm_loadu_si128((const __m128i *)dp));
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
                    cached8_cneg(&pc, _mm512_maskz_mov_epi64(neg, _mm512_set1_epi64(-1)));
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
            pt8_store_lane(&j->sums[g * LANES + l], &tot, l);
    }
    return NULL;
}

static int cpu_has_ifma(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512ifma");
}

int ring_fe8_ready(void)
{
    static _Atomic int known = -1; /* every thread computes the same */
    int k = atomic_load(&known);
    if (k < 0) {
        k = cpu_has_ifma();
        atomic_store(&known, k);
    }
    return k;
}

int ring_msm_ifma_available(void)
{
    return ring_fe8_ready();
}

int ring_msm_ifma_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs,
                       unsigned threads, struct err *e)
{
    int rc = -1;
    size_t n = 0;
    for (size_t sg = 0; sg < nsegs; sg++)
        n += segs[sg].n;
    int16_t *digits = NULL; /* |d| <= 2^10: 16 bits, half the memory of 32 */
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
    ring_run_pair(ifma_run, &jobs[0], threads == 2 ? &jobs[1] : NULL);
    if (threads == 2) {
        for (unsigned w = 0; w < windows; w++)
            decaf_255_point_add(&sums[0][w], &sums[0][w], &sums[1][w]);
    }
    ring_msm_combine(out, sums[0], windows, c);
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

#else /* no native IFMA build */

#ifdef RING_FE8_EMULATED
int ring_fe8_ready(void)
{
    return 1; /* the emulation runs anywhere (the constant-time check's build) */
}
#endif

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
