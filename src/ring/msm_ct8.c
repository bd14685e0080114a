/* msm_ct8.c — the prover's constant-time MSM on eight lanes (fe8.h).
 *
 * The prover's first fold level computes, for every group of n^2 ring keys,
 * sums of the same secret coefficients times that group's keys. Eight groups
 * in lock step are eight lanes of one computation: the scalars, hence the
 * digits and the table entry each window takes, are the same in every lane,
 * and each lane reads its own table. The method is ring_msm_ct's: signed
 * RING_CT_W-bit fixed windows, every window processed (a zero digit adds the
 * identity), every table entry read and masked, negation by masking, the
 * complete addition. Nothing branches on or indexes by a digit.
 *
 * Tables are 16 cached points of 1,280 bytes per point (eight lanes), so the
 * points are taken in chunks whose tables stay in the core's cache (CHUNK
 * points, 320 KB); each chunk has its own accumulator (five doublings per
 * window per chunk: the price of the cache). */
#include "ring/msm.h"

#include "ring/fe8.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#ifdef RING_FE8

#define LANES 8
#define CHUNK 16

_Static_assert(sizeof(struct cached8) == 4 * FE8_LIMBS * sizeof(v8), "a cached8 is its words");

#define CACHED_WORDS (4 * FE8_LIMBS)

FE8_FN void cached8_identity(struct cached8 *c)
{
    struct pt8 id;
    pt8_identity(&id);
    cached8_from(c, &id);
}

/* c = d * P from P's table (tab[k] = (k+1) P), |d| <= RING_CT_TABLE, reading
 * every entry; the identity when d = 0. */
FE8_PT_FN void lookup(struct cached8 *c, const struct cached8 *tab, const struct cached8 *id,
                      int8_t d)
{
    const uint32_t sign = (uint32_t)((uint8_t)d >> 7); /* 1 if negative */
    const uint32_t mag = (uint32_t)(((int32_t)d ^ -(int32_t)sign) + (int32_t)sign);
    v8 *cw = (v8 *)c;
    const v8 *iw = (const v8 *)id;
    const v8 m0 = v8_set1(ring_ct_eq_mask(mag, 0));
#pragma GCC unroll 20
    for (int w = 0; w < CACHED_WORDS; w++)
        cw[w] = v8_and(iw[w], m0);
    for (uint32_t k = 0; k < RING_CT_TABLE; k++) {
        const v8 m = v8_set1(ring_ct_eq_mask(mag, k + 1));
        const v8 *tw = (const v8 *)&tab[k];
#pragma GCC unroll 20
        for (int w = 0; w < CACHED_WORDS; w++)
            cw[w] = v8_or(cw[w], v8_and(tw[w], m));
    }
    cached8_cneg(c, v8_set1((uint64_t)0 - (uint64_t)sign));
}

/* tab[k] = (k+1) P for the eight lanes' points P. */
FE8_PT_FN void table_build(struct cached8 *tab, const ring_point *lane_pts)
{
    const ring_point *lanes[LANES];
    for (int l = 0; l < LANES; l++)
        lanes[l] = &lane_pts[l];
    struct pt8 p, cur;
    pt8_load_lanes(&p, lanes);
    cached8_from(&tab[0], &p);
    cur = p;
    for (unsigned k = 1; k < RING_CT_TABLE; k++) {
        pt8_add(&cur, &cur, &tab[0]);
        cached8_from(&tab[k], &cur);
    }
    sodium_memzero(&p, sizeof p);
    sodium_memzero(&cur, sizeof cur);
}

FE8_TARGET static void msm_ct8_run(ring_point out[LANES], struct cached8 *tabs,
                                   const int8_t *digits, const ring_point *pts, size_t n)
{
    struct cached8 id, c;
    struct pt8 acc, total[1];
    cached8_identity(&id);
    pt8_identity(total);
    for (size_t k0 = 0; k0 < n; k0 += CHUNK) {
        const size_t kn = n - k0 < CHUNK ? n - k0 : CHUNK;
        for (size_t k = 0; k < kn; k++)
            table_build(tabs + k * RING_CT_TABLE, pts + (k0 + k) * LANES);
        pt8_identity(&acc);
        for (unsigned w = RING_CT_WINDOWS; w-- > 0;) {
            if (w != RING_CT_WINDOWS - 1)
                for (unsigned b = 0; b < RING_CT_W; b++) {
                    cached8_from(&c, &acc);
                    pt8_add(&acc, &acc, &c);
                }
            for (size_t k = 0; k < kn; k++) {
                lookup(&c, tabs + k * RING_CT_TABLE, &id, digits[(k0 + k) * RING_CT_WINDOWS + w]);
                pt8_add(&acc, &acc, &c);
            }
        }
        cached8_from(&c, &acc);
        pt8_add(total, total, &c);
    }
    for (unsigned l = 0; l < LANES; l++)
        pt8_store_lane(&out[l], total, l);
    sodium_memzero(total, sizeof total);
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&c, sizeof c);
}

/* Zeroes the stack below the caller's frame, where msm_ct8_run (just
 * returned) spilled vector registers holding table entries and
 * accumulators (about 9 KB of frame with GCC 12). */
__attribute__((noinline)) static void wipe_stack_below(void)
{
    unsigned char scrub[32768];
    sodium_memzero(scrub, sizeof scrub);
    __asm__ __volatile__("" : : "r"(scrub) : "memory");
}

int ring_msm_ct8(ring_point out[8], const uint8_t (*scalars)[RING_SCALAR_BYTES],
                 const ring_point *pts, size_t n, struct err *e)
{
    int rc = -1;
    const size_t tab_bytes = CHUNK * RING_CT_TABLE * sizeof(struct cached8);
    struct cached8 *tabs = NULL;
    int8_t *digits = NULL;

    if (!ring_fe8_ready())
        return err_set(e, ERR_INTERNAL, "this CPU has no AVX-512 IFMA");
    tabs = aligned_alloc(64, tab_bytes);
    digits = malloc(n ? n * RING_CT_WINDOWS : 1);
    if (!tabs || !digits) {
        err_set(e, ERR_NOMEM, "out of memory in a multi-scalar multiplication of %zu points", n);
        goto out;
    }
    for (size_t k = 0; k < n; k++)
        ring_recode_ct(digits + k * RING_CT_WINDOWS, scalars[k]);
    msm_ct8_run(out, tabs, digits, pts, n);
    wipe_stack_below();
    rc = 0;
out:
    if (digits)
        sodium_memzero(digits, n ? n * RING_CT_WINDOWS : 1);
    free(digits);
    if (tabs)
        sodium_memzero(tabs, tab_bytes); /* derived from secret-dependent points */
    free(tabs);
    return rc;
}

#else /* no eight-lane code in this build */

int ring_msm_ct8(ring_point out[8], const uint8_t (*scalars)[RING_SCALAR_BYTES],
                 const ring_point *pts, size_t n, struct err *e)
{
    (void)out;
    (void)scalars;
    (void)pts;
    (void)n;
    return err_set(e, ERR_INTERNAL, "this build has no eight-lane constant-time MSM");
}

#endif
