/* coef_ifma.c — the batch verifier's ring coefficients on eight lanes of
 * AVX-512 IFMA (see coef.h for the representation, docs/protocol-ring.md §9).
 *
 * Lane j of group g is key 8g + j. Its two factors are cur[(8g + j) / w]
 * and f[(8g + j) % w]: for w >= 8 the first is one value broadcast to all
 * lanes (for w / 8 groups in a row), for w < 8 lane j takes entry j / w of
 * eight loaded entries; the second is one of w / 8 vectors per limb (one,
 * repeating f, for w < 8), fixed for the proof.
 */
#include "ring/coef.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(RING_CTGRIND)
#define HAVE_IFMA_BUILD 1
#else
#define HAVE_IFMA_BUILD 0
#endif

static _Atomic int coef_impl = RING_MSM_AUTO;

enum ring_msm_impl ring_coef_use(enum ring_msm_impl impl)
{
    return (enum ring_msm_impl)atomic_exchange(&coef_impl, (int)impl);
}

void ring_coef8_free(struct ring_coef8 *c)
{
    if (!c)
        return;
    free(c->col);
    free(c->cur52);
    c->col = c->cur52 = NULL;
}

/* Columns of 8 keys side by side; see below. */
#define LANES 8
#define COLS  10

void ring_coef8_get(const struct ring_coef8 *c, size_t k, struct ring_msc_sum *out)
{
    const uint64_t *s = c->col + k / LANES * COLS * LANES + k % LANES;
    uint64_t r[10] = {0}; /* the last limb only catches what the sum cannot hold */
    for (unsigned i = 0; i < COLS; i++) {
        const unsigned p = 52 * i, q = p / 64;
        const unsigned __int128 t = (unsigned __int128)s[i * LANES] << (p % 64);
        unsigned __int128 cy = (unsigned __int128)r[q] + (uint64_t)t;
        r[q] = (uint64_t)cy;
        cy = (cy >> 64) + r[q + 1] + (uint64_t)(t >> 64);
        r[q + 1] = (uint64_t)cy;
        for (unsigned m = q + 2; m < 10; m++) {
            cy = (cy >> 64) + r[m];
            r[m] = (uint64_t)cy;
        }
    }
    memcpy(out->v, r, sizeof out->v);
}

#if HAVE_IFMA_BUILD
#include <immintrin.h>

#define LIMBS  5 /* 52-bit limbs of a factor (below 2^260) */
#define MASK52 ((1ull << 52) - 1)
/* Products between carries: a column gains below 9 * 2^52 per product, and
 * 2^52 + 256 * 9 * 2^52 < 2^64 (factors below 2l even keep it below 6 * 2^52). */
#define CARRY_GAP 256

#define TGT __attribute__((target("avx512f,avx512ifma")))

typedef __m512i v8;

int ring_coef8_available(void)
{
    return atomic_load(&coef_impl) != RING_MSM_PORTABLE && ring_msm_ifma_available();
}

int ring_coef8_init(struct ring_coef8 *c, size_t count, size_t cap, struct err *e)
{
    *c = (struct ring_coef8){.count = count, .groups = (count + LANES - 1) / LANES, .cap = cap};
    const size_t colbytes = c->groups * COLS * LANES * sizeof(uint64_t);
    c->col = aligned_alloc(64, colbytes);
    /* rows of cap entries, and eight more: the n < 8 loads read past the end */
    c->cur52 = calloc(LIMBS * (cap + LANES), sizeof(uint64_t));
    if (!c->col || !c->cur52) {
        ring_coef8_free(c);
        return err_set(e, ERR_NOMEM, "out of memory for the coefficients of %zu keys", count);
    }
    memset(c->col, 0, colbytes);
    return 0;
}

static void to52(uint64_t l[LIMBS], const struct ring_msc *x)
{
    l[0] = x->v[0] & MASK52;
    l[1] = (x->v[0] >> 52 | x->v[1] << 12) & MASK52;
    l[2] = (x->v[1] >> 40 | x->v[2] << 24) & MASK52;
    l[3] = (x->v[2] >> 28 | x->v[3] << 36) & MASK52;
    l[4] = x->v[3] >> 16;
}

/* One carry round over every column: columns 0..8 come out below 2^52, the
 * top one takes what is above (the value is unchanged). */
TGT static void carry_all(struct ring_coef8 *c)
{
    const v8 mask = _mm512_set1_epi64((long long)MASK52);
    for (size_t g = 0; g < c->groups; g++) {
        uint64_t *s = c->col + g * COLS * LANES;
        v8 carry = _mm512_setzero_si512();
#pragma GCC unroll 10
        for (int k = 0; k < COLS; k++) {
            v8 x = _mm512_add_epi64(_mm512_load_si512((const void *)(s + k * LANES)), carry);
            if (k < COLS - 1) {
                carry = _mm512_srli_epi64(x, 52);
                x = _mm512_and_si512(x, mask);
            }
            _mm512_store_si512((void *)(s + k * LANES), x);
        }
    }
    c->adds = 0;
}

/* The 50 multiply-adds of one group: s += a * b, column by column. */
static inline __attribute__((always_inline)) TGT void mul_add_group(uint64_t *s, const v8 *a,
                                                                    const v8 *b)
{
    v8 t[COLS];
#pragma GCC unroll 10
    for (int k = 0; k < COLS; k++)
        t[k] = _mm512_load_si512((const void *)(s + k * LANES));
#pragma GCC unroll 5
    for (int i = 0; i < LIMBS; i++) {
#pragma GCC unroll 5
        for (int j = 0; j < LIMBS; j++) {
            t[i + j] = _mm512_madd52lo_epu64(t[i + j], a[i], b[j]);
            t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a[i], b[j]);
        }
    }
#pragma GCC unroll 10
    for (int k = 0; k < COLS; k++)
        _mm512_store_si512((void *)(s + k * LANES), t[k]);
}

TGT void ring_coef8_mul_add(struct ring_coef8 *c, const struct ring_msc *cur,
                            const struct ring_msc *f, unsigned w)
{
    if (c->adds == CARRY_GAP)
        carry_all(c);
    c->adds++;
    const size_t ny = (c->count + w - 1) / w, stride = c->cap + LANES;
    uint64_t *rows = c->cur52;
    for (size_t y = 0; y < ny; y++) {
        uint64_t l[LIMBS];
        to52(l, &cur[y]);
#pragma GCC unroll 5
        for (int i = 0; i < LIMBS; i++)
            rows[i * stride + y] = l[i];
    }
    for (int i = 0; i < LIMBS; i++)
        memset(rows + i * stride + ny, 0, LANES * sizeof(uint64_t));
    /* the f vectors: limb i of set h holds f[(8h + j) % w] in lane j */
    const unsigned sets = w >= LANES ? w / LANES : 1;
    _Alignas(64) uint64_t fv[RING_COEF8_MAX_W / LANES][LIMBS][LANES];
    for (unsigned h = 0; h < sets; h++)
        for (unsigned j = 0; j < LANES; j++) {
            uint64_t l[LIMBS];
            to52(l, &f[(LANES * h + j) % w]);
            for (int i = 0; i < LIMBS; i++)
                fv[h][i][j] = l[i];
        }
    uint64_t *s = c->col;
    if (w >= LANES) {
        /* w / 8 groups per entry of cur, which is broadcast */
        size_t g = 0;
        for (size_t y = 0; y < ny; y++) {
            v8 a[LIMBS];
#pragma GCC unroll 5
            for (int i = 0; i < LIMBS; i++)
                a[i] = _mm512_set1_epi64((long long)rows[i * stride + y]);
            for (unsigned h = 0; h < sets && g < c->groups; h++, g++, s += COLS * LANES)
                mul_add_group(s, a, (const v8 *)fv[h]);
        }
    } else {
        /* lane j takes entry 8g / w + j / w */
        const unsigned sh = w == 4 ? 2 : 1;
        const v8 idx = _mm512_srli_epi64(_mm512_set_epi64(7, 6, 5, 4, 3, 2, 1, 0), sh);
        for (size_t g = 0; g < c->groups; g++, s += COLS * LANES) {
            const size_t y0 = (LANES * g) >> sh;
            v8 a[LIMBS];
#pragma GCC unroll 5
            for (int i = 0; i < LIMBS; i++)
                a[i] = _mm512_permutexvar_epi64(
                    idx, _mm512_loadu_si512((const void *)(rows + i * stride + y0)));
            mul_add_group(s, a, (const v8 *)fv[0]);
        }
    }
}

void ring_coef8_add(struct ring_coef8 *c, struct ring_coef8 *x)
{
    /* both carried: the sums' columns stay below 2^53 (the top one aside),
     * and the next product carries again */
    carry_all(c);
    carry_all(x);
    for (size_t i = 0; i < c->groups * COLS * LANES; i++)
        c->col[i] += x->col[i];
    c->adds = CARRY_GAP;
}

#else /* no IFMA build */

int ring_coef8_available(void)
{
    return 0;
}

int ring_coef8_init(struct ring_coef8 *c, size_t count, size_t cap, struct err *e)
{
    (void)count;
    (void)cap;
    *c = (struct ring_coef8){0};
    return err_set(e, ERR_INTERNAL, "this build has no AVX-512 IFMA code");
}

void ring_coef8_mul_add(struct ring_coef8 *c, const struct ring_msc *cur, const struct ring_msc *f,
                        unsigned w)
{
    (void)c;
    (void)cur;
    (void)f;
    (void)w;
}

void ring_coef8_add(struct ring_coef8 *c, struct ring_coef8 *x)
{
    (void)c;
    (void)x;
}

#endif
