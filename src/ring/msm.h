/* msm.h — multi-scalar multiplication over ristretto255: out = sum s_i * P_i.
 *
 * ring_msm is Pippenger's bucket method with signed digits, for public data
 * (verification): its running time and memory access depend on the scalars.
 * ring_msm_ct is for secrets (the prover): fixed 5-bit signed windows, every
 * digit processed (zero digits add the identity), table entries chosen by a
 * constant-time scan, complete addition formulas; its time and memory access
 * depend only on the number of points. */
#ifndef DISSENT_RING_MSM_H
#define DISSENT_RING_MSM_H

#include "ring/group.h"

/* Pippenger MSM, variable time. scalars[i] are canonical 32-byte scalars.
 * n may be 0 (out = identity). Uses up to `threads` threads (0 = all cores,
 * capped at 2; small inputs run on the calling thread). Returns 0, or -1
 * (ERR_NOMEM). */
int ring_msm(ring_point *out, const uint8_t (*scalars)[RING_SCALAR_BYTES], const ring_point *points,
             size_t n, unsigned threads, struct err *e) WUR;

/* One part of an MSM: n scalars and n points, used in place. */
struct ring_msm_seg {
    const uint8_t (*scalars)[RING_SCALAR_BYTES];
    const ring_point *points;
    size_t n;
};

/* As ring_msm over the concatenation of nsegs segments, without copying
 * them (one Pippenger pass over all points). */
int ring_msm_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs, unsigned threads,
                  struct err *e) WUR;

/* Window width (bits) ring_msm picks for n points. */
unsigned ring_msm_window(size_t n);

/* Pippenger's parts, shared by msm.c and msm_ifma.c. d = the signed base-2^c
 * digits of the canonical scalar s, in [-2^(c-1)+1, 2^(c-1)], windows of
 * them (windows * c >= 254). */
void ring_msm_recode(int32_t *d, const uint8_t s[RING_SCALAR_BYTES], unsigned c, unsigned windows);

/* Runs fn(second) on a new thread and fn(first) on this one, then waits;
 * without second, fn(first) alone; if no thread can be made, both here, one
 * after the other (the same result, on one core). */
void ring_run_pair(void *(*fn)(void *), void *first, void *second);

/* out = sum_w 2^(c w) sums[w] (Horner's rule over the windows' sums). */
void ring_msm_combine(ring_point *out, const ring_point *sums, unsigned windows, unsigned c);

/* Which code ring_msm and ring_msm_segs run on large inputs: RING_MSM_AUTO
 * (the default) takes the AVX-512 IFMA code (msm_ifma.c) when the CPU has it
 * and the portable code otherwise; the others force one (tests and
 * benchmarks compare them). Forcing IFMA on a CPU without it falls back to
 * the portable code. Set it before any MSM runs; returns the previous. */
enum ring_msm_impl { RING_MSM_AUTO, RING_MSM_PORTABLE, RING_MSM_IFMA };
enum ring_msm_impl ring_msm_use(enum ring_msm_impl impl);

/* 1 if this build and CPU can run the AVX-512 IFMA MSM, else 0. */
int ring_msm_ifma_available(void);

/* ring_msm_segs on eight lanes of AVX-512 IFMA (variable time, public data
 * only). Fails with ERR_INTERNAL on a CPU or build without it; ERR_NOMEM. */
int ring_msm_ifma_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs,
                       unsigned threads, struct err *e) WUR;

/* Constant-time MSM for secret scalars (see above). Single-threaded; the
 * prover parallelizes above it. Returns 0, or -1 (ERR_NOMEM). */
int ring_msm_ct(ring_point *out, const uint8_t (*scalars)[RING_SCALAR_BYTES],
                const ring_point *points, size_t n, struct err *e) WUR;

/* The constant-time MSMs' windows: signed RING_CT_W-bit digits, a table of
 * 1P .. 2^(w-1)P per point. */
#define RING_CT_W       5
#define RING_CT_WINDOWS ((254 + RING_CT_W - 1) / RING_CT_W) /* windows * w >= 254 */
#define RING_CT_TABLE   (1u << (RING_CT_W - 1))

/* d = the signed digits of s in [-2^(w-1), 2^(w-1)], branch-free and with no
 * index on s (s may be secret). */
void ring_recode_ct(int8_t d[RING_CT_WINDOWS], const uint8_t s[RING_SCALAR_BYTES]);

/* All ones if a == b, else 0, without a branch (a, b < 2^31). */
static inline uint64_t ring_ct_eq_mask(uint32_t a, uint32_t b)
{
    uint32_t x = a ^ b;
    /* (x - 1) has its top bit set only when x == 0 (x < 2^31) */
    return (uint64_t)0 - (uint64_t)(((x - 1u) >> 31) & 1u);
}

/* The constant-time MSM on eight lanes with shared scalars:
 * out[L] = sum_k scalars[k] * pts[8 k + L] for L = 0..7 (the prover folds
 * eight groups of the ring at once with the same secret coefficients). Same
 * guarantees as ring_msm_ct: time and memory access depend only on n. Only
 * when ring_msm_ct8_available(); returns 0, or -1 (ERR_NOMEM, or
 * ERR_INTERNAL without the eight-lane code). msm_ct8.c. */
int ring_msm_ct8(ring_point out[8], const uint8_t (*scalars)[RING_SCALAR_BYTES],
                 const ring_point *pts, size_t n, struct err *e) WUR;

/* 1 if ring_msm_ct8 runs here and ring_msm_use does not force the portable
 * code, else 0. */
int ring_msm_ct8_available(void);

/* Constant-time fixed-window multiplication of one point (q = s*P). */
void ring_scalarmul_ct(ring_point *q, const uint8_t s[RING_SCALAR_BYTES], const ring_point *p);

#endif
