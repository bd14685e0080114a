/* coef.h — the batch verifier's ring coefficients on eight lanes of AVX-512
 * IFMA (docs/protocol-ring.md §9).
 *
 * For every proof the verifier adds cur[k / w] * low[k % w] to the
 * coefficient of ring key k, for every key (w = n^d: the proof's d lowest
 * digits taken as one, verify.c): the batch's cost per proof. The portable
 * code adds each full 512-bit product into a nine-limb struct ring_msc_sum.
 * Here the sums are kept as ten columns of 52-bit weight (column c weighs
 * 2^(52c)) for eight keys side by side, and one proof's products for those
 * eight keys are 25 low and 25 high IFMA multiply-adds into them, with no
 * carries: a column gains below 9 * 2^52 per product, so the columns are
 * carried (ring_coef8_mul_add does it itself) every 256 products.
 * ring_coef8_get gives the very integers the portable code sums into
 * ring_msc_sum's, so the reduced scalars are identical.
 *
 * Only for x86-64 with GCC or clang; elsewhere, and on CPUs without AVX-512
 * IFMA, ring_coef8_available says 0 and the rest is never called. */
#ifndef DISSENT_RING_COEF_H
#define DISSENT_RING_COEF_H

#include "ring/group.h"
#include "ring/msm.h"

/* The column sums of count keys. Zero-initialize, then ring_coef8_init. */
struct ring_coef8 {
    uint64_t *col;   /* groups of eight keys: 10 columns x 8 lanes each */
    uint64_t *cur52; /* scratch: cur in five 52-bit limb rows */
    size_t count, groups, cap;
    unsigned adds; /* products per column since the last carry */
};

/* 1 if the verifier takes this code: the CPU and build have AVX-512 IFMA and
 * ring_coef_use has not forced the portable code. */
int ring_coef8_available(void);

/* Which code the batch verifier's coefficients use: RING_MSM_AUTO (the
 * default: IFMA where available), RING_MSM_PORTABLE or RING_MSM_IFMA (as
 * AUTO; tests and benchmarks compare them). Returns the previous. */
enum ring_msm_impl ring_coef_use(enum ring_msm_impl impl);

/* Sums for count keys, all zero, with room for cur arrays of up to cap
 * entries. Returns 0, or -1 (ERR_NOMEM). */
int ring_coef8_init(struct ring_coef8 *c, size_t count, size_t cap, struct err *e) WUR;

/* Largest block width of ring_coef8_mul_add. */
#define RING_COEF8_MAX_W 256

/* Adds cur[k / w] * f[k % w] to the sum of key k, for every key k < count
 * (w a power of two from 2 to RING_COEF8_MAX_W; cur holds ceil(count / w)
 * entries, at most cap; cur and f below 2l, as ring_msc_mul_lazy gives
 * them). */
void ring_coef8_mul_add(struct ring_coef8 *c, const struct ring_msc *cur, const struct ring_msc *f,
                        unsigned w);

/* c += x, key by key (the sums of two threads; same count). */
void ring_coef8_add(struct ring_coef8 *c, struct ring_coef8 *x);

/* out = the sum of key k (k < count) as the nine-limb integer the portable
 * code would hold. */
void ring_coef8_get(const struct ring_coef8 *c, size_t k, struct ring_msc_sum *out);

void ring_coef8_free(struct ring_coef8 *c);

#endif
