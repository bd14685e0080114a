/* msm.c — Pippenger (variable time) and fixed-window constant-time MSMs. */
#include "ring/msm.h"

#include "ring/fe8.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SCALAR_BITS 253

/* ---------- Pippenger, variable time ---------- */

unsigned ring_msm_window(size_t n)
{
    if (n < 4)
        return 1;
    unsigned best = 1;
    double best_cost = 0;
    for (unsigned c = 1; c <= 16; c++) {
        double windows = (double)((SCALAR_BITS + 1 + c - 1) / c);
        /* per window: one add per point, two per bucket (running sums) */
        double cost = windows * ((double)n + 2.0 * (double)(1u << (c - 1))) + windows * c;
        if (c == 1 || cost < best_cost) {
            best_cost = cost;
            best = c;
        }
    }
    return best;
}

void ring_msm_recode(int32_t *d, const uint8_t s[32], unsigned c, unsigned windows)
{
    uint64_t limb[5] = {0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++)
        for (int k = 7; k >= 0; k--)
            limb[i] = (limb[i] << 8) | s[8 * i + k];
    int32_t carry = 0;
    const int32_t half = (int32_t)1 << (c - 1);
    const uint64_t mask = ((uint64_t)1 << c) - 1;
    for (unsigned w = 0; w < windows; w++) {
        unsigned bit = w * c, li = bit >> 6, sh = bit & 63;
        uint64_t v64 = limb[li] >> sh;
        if (sh + c > 64 && li < 4)
            v64 |= limb[li + 1] << (64 - sh);
        int32_t v = (int32_t)(v64 & mask) + carry;
        if (v > half) {
            d[w] = v - ((int32_t)1 << c);
            carry = 1;
        } else {
            d[w] = v;
            carry = 0;
        }
    }
}

struct pip_job {
    const int32_t *digits; /* n * windows */
    const struct ring_msm_seg *segs;
    size_t nsegs;
    size_t n;
    unsigned c, windows;
    unsigned first, step; /* windows handled: first, first+step, ... */
    ring_point *sums;     /* one per window */
    ring_point *buckets;
    unsigned char *used;
};

static void *pip_run(void *arg)
{
    struct pip_job *j = arg;
    const size_t nb = (size_t)1 << (j->c - 1);
    for (unsigned w = j->first; w < j->windows; w += j->step) {
        memset(j->used, 0, nb);
        size_t i = 0;
        for (size_t sg = 0; sg < j->nsegs; sg++) {
            const ring_point *pts = j->segs[sg].points;
            for (size_t q = 0; q < j->segs[sg].n; q++, i++) {
                int32_t d = j->digits[i * j->windows + w];
                if (i + 4 < j->n) { /* the bucket a few points ahead: random access */
                    int32_t dn = j->digits[(i + 4) * j->windows + w];
                    __builtin_prefetch(&j->buckets[(size_t)(dn > 0 ? dn : -dn) - (dn != 0)]);
                }
                if (d == 0)
                    continue;
                size_t b = (size_t)(d > 0 ? d : -d) - 1;
                if (!j->used[b]) {
                    if (d > 0)
                        j->buckets[b] = pts[q];
                    else
                        decaf_255_point_negate(&j->buckets[b], &pts[q]);
                    j->used[b] = 1;
                } else if (d > 0) {
                    decaf_255_point_add(&j->buckets[b], &j->buckets[b], &pts[q]);
                } else {
                    decaf_255_point_sub(&j->buckets[b], &j->buckets[b], &pts[q]);
                }
            }
        }
        /* sum_b (b+1) * bucket[b] by running sums from the top */
        ring_point run = *decaf_255_point_identity, tot = *decaf_255_point_identity;
        int have_run = 0, have_tot = 0;
        for (size_t b = nb; b-- > 0;) {
            if (j->used[b]) {
                if (have_run)
                    decaf_255_point_add(&run, &run, &j->buckets[b]);
                else
                    run = j->buckets[b];
                have_run = 1;
            }
            if (have_run) {
                if (have_tot)
                    decaf_255_point_add(&tot, &tot, &run);
                else
                    tot = run;
                have_tot = 1;
            }
        }
        j->sums[w] = tot;
    }
    return NULL;
}

void ring_run_pair(void *(*fn)(void *), void *first, void *second)
{
    pthread_t tid;
    int spawned = second && pthread_create(&tid, NULL, fn, second) == 0;
    fn(first);
    if (spawned)
        pthread_join(tid, NULL);
    else if (second)
        fn(second);
}

void ring_msm_combine(ring_point *out, const ring_point *sums, unsigned windows, unsigned c)
{
    ring_point acc = sums[windows - 1];
    for (unsigned w = windows - 1; w-- > 0;) {
        for (unsigned k = 0; k < c; k++)
            decaf_255_point_double(&acc, &acc);
        decaf_255_point_add(&acc, &acc, &sums[w]);
    }
    *out = acc;
}

static unsigned ncores(void)
{
    long c = sysconf(_SC_NPROCESSORS_ONLN);
    return c >= 2 ? 2u : 1u;
}

int ring_msm(ring_point *out, const uint8_t (*scalars)[RING_SCALAR_BYTES], const ring_point *points,
             size_t n, unsigned threads, struct err *e)
{
    struct ring_msm_seg seg = {scalars, points, n};
    return ring_msm_segs(out, &seg, 1, threads, e);
}

static _Atomic int msm_impl = RING_MSM_AUTO;

enum ring_msm_impl ring_msm_use(enum ring_msm_impl impl)
{
    return (enum ring_msm_impl)atomic_exchange(&msm_impl, (int)impl);
}

int ring_msm_ct8_available(void)
{
#ifdef RING_FE8
    return atomic_load(&msm_impl) != RING_MSM_PORTABLE && ring_fe8_ready();
#else
    return 0;
#endif
}

/* Below this many points the IFMA code's fixed costs (eight windows' buckets
 * at least) outweigh its faster adds. */
#define IFMA_MIN_POINTS 256

int ring_msm_segs(ring_point *out, const struct ring_msm_seg *segs, size_t nsegs, unsigned threads,
                  struct err *e)
{
    int rc = -1;
    size_t n = 0;
    for (size_t sg = 0; sg < nsegs; sg++)
        n += segs[sg].n;
    int32_t *digits = NULL;
    ring_point *sums = NULL, *buckets[2] = {NULL, NULL};
    unsigned char *used[2] = {NULL, NULL};

    *out = *decaf_255_point_identity;
    if (n == 0)
        return 0;
    if (n >= IFMA_MIN_POINTS && atomic_load(&msm_impl) != RING_MSM_PORTABLE &&
        ring_msm_ifma_available())
        return ring_msm_ifma_segs(out, segs, nsegs, threads, e);
    const unsigned c = ring_msm_window(n);
    const unsigned windows = (SCALAR_BITS + 1 + c - 1) / c;
    const size_t nb = (size_t)1 << (c - 1);
    if (threads == 0)
        threads = ncores();
    if (threads > 2)
        threads = 2;
    if (n < 256 || windows < 2)
        threads = 1;

    digits = malloc(n * windows * sizeof *digits);
    sums = malloc(windows * sizeof *sums);
    if (!digits || !sums)
        goto nomem;
    for (unsigned t = 0; t < threads; t++) {
        buckets[t] = malloc(nb * sizeof(ring_point));
        used[t] = malloc(nb);
        if (!buckets[t] || !used[t])
            goto nomem;
    }
    size_t i = 0;
    for (size_t sg = 0; sg < nsegs; sg++)
        for (size_t q = 0; q < segs[sg].n; q++, i++)
            ring_msm_recode(digits + i * windows, segs[sg].scalars[q], c, windows);

    struct pip_job jobs[2];
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (struct pip_job){.digits = digits,
                                   .segs = segs,
                                   .nsegs = nsegs,
                                   .n = n,
                                   .c = c,
                                   .windows = windows,
                                   .first = t,
                                   .step = threads,
                                   .sums = sums,
                                   .buckets = buckets[t],
                                   .used = used[t]};
    }
    ring_run_pair(pip_run, &jobs[0], threads == 2 ? &jobs[1] : NULL);

    ring_msm_combine(out, sums, windows, c);
    rc = 0;
    goto out;
nomem:
    err_set(e, ERR_NOMEM, "out of memory in a multi-scalar multiplication of %zu points", n);
out:
    free(digits);
    free(sums);
    for (unsigned t = 0; t < 2; t++) {
        free(buckets[t]);
        free(used[t]);
    }
    return rc;
}

/* ---------- constant time ---------- */

#define CT_W       RING_CT_W
#define CT_WINDOWS RING_CT_WINDOWS
#define CT_TABLE   RING_CT_TABLE

void ring_recode_ct(int8_t d[RING_CT_WINDOWS], const uint8_t s[RING_SCALAR_BYTES])
{
    uint32_t carry = 0;
    for (unsigned w = 0; w < CT_WINDOWS; w++) {
        unsigned bit = w * CT_W;
        uint32_t v = 0;
        for (unsigned k = 0; k < CT_W; k++) {
            unsigned b = bit + k;
            uint32_t byte = b < 256 ? s[b >> 3] : 0; /* b is public */
            v |= ((byte >> (b & 7)) & 1u) << k;
        }
        v += carry;                          /* 0..32 */
        carry = ((CT_TABLE - v) >> 31) & 1u; /* v > 2^(w-1) */
        d[w] = (int8_t)((int32_t)v - (int32_t)(carry << CT_W));
    }
}

/* A table entry in compact form: x, y, z, t limbs without the padding that
 * decaf's 32-byte alignment adds, so a constant-time scan touches less memory.
 * The scan reads it as 64-bit words: with 32-bit limbs (WebAssembly) two
 * limbs per word, half the operations of one limb per word. */
#define NLIMB      (sizeof(((ring_point *)0)->x->limb) / sizeof(((ring_point *)0)->x->limb[0]))
#define CPT_LIMBS  (4 * NLIMB)
#define CPT_QWORDS ((CPT_LIMBS * sizeof(decaf_word_t) + 7) / 8)
struct cpt {
    union {
        decaf_word_t l[CPT_LIMBS];
        uint64_t q[CPT_QWORDS];
    };
};
_Static_assert(CPT_LIMBS * sizeof(decaf_word_t) == CPT_QWORDS * 8,
               "a table entry is a whole number of 64-bit words");

static void to_cpt(struct cpt *c, const ring_point *p)
{
    for (unsigned l = 0; l < NLIMB; l++) {
        c->l[l] = p->x->limb[l];
        c->l[NLIMB + l] = p->y->limb[l];
        c->l[2 * NLIMB + l] = p->z->limb[l];
        c->l[3 * NLIMB + l] = p->t->limb[l];
    }
}

static void from_cpt(ring_point *p, const struct cpt *c)
{
    for (unsigned l = 0; l < NLIMB; l++) {
        p->x->limb[l] = c->l[l];
        p->y->limb[l] = c->l[NLIMB + l];
        p->z->limb[l] = c->l[2 * NLIMB + l];
        p->t->limb[l] = c->l[3 * NLIMB + l];
    }
}

/* tab[k] = (k+1) P for k = 0..15. */
static void table_build(struct cpt tab[CT_TABLE], const ring_point *p)
{
    ring_point cur = *p, two;
    decaf_255_point_double(&two, p);
    to_cpt(&tab[0], p);
    to_cpt(&tab[1], &two);
    cur = two;
    for (unsigned k = 2; k < CT_TABLE; k++) {
        decaf_255_point_add(&cur, &cur, p);
        to_cpt(&tab[k], &cur);
    }
    sodium_memzero(&cur, sizeof cur);
    sodium_memzero(&two, sizeof two);
}

/* q = d * P from the table, |d| <= CT_TABLE, constant time: every entry is
 * read and masked; the identity is taken when d = 0. neg is scratch; the
 * caller wipes q and neg when done. */
static void table_lookup(ring_point *q, ring_point *neg, const struct cpt tab[CT_TABLE], int8_t d)
{
    uint32_t sign = (uint32_t)((uint8_t)d >> 7); /* 1 if negative */
    uint32_t mag = (uint32_t)(((int32_t)d ^ -(int32_t)sign) + (int32_t)sign);
    struct cpt acc;
    to_cpt(&acc, decaf_255_point_identity);
    const uint64_t m0 = ring_ct_eq_mask(mag, 0);
    for (unsigned w = 0; w < CPT_QWORDS; w++)
        acc.q[w] &= m0;
    for (uint32_t k = 0; k < CT_TABLE; k++) {
        const uint64_t m = ring_ct_eq_mask(mag, k + 1);
        /* fully unrolled so the accumulator lives in registers */
#pragma GCC unroll 20
        for (unsigned w = 0; w < CPT_QWORDS; w++)
            acc.q[w] |= tab[k].q[w] & m;
    }
    from_cpt(q, &acc);
    decaf_255_point_negate(neg, q);
    ring_point_ct_select(q, q, neg, (uint64_t)0 - (uint64_t)sign);
}

int ring_msm_ct(ring_point *out, const uint8_t (*scalars)[RING_SCALAR_BYTES],
                const ring_point *points, size_t n, struct err *e)
{
    int rc = -1;
    struct cpt *tabs = NULL;
    int8_t *digits = NULL;

    *out = *decaf_255_point_identity;
    if (n == 0)
        return 0;
    tabs = malloc(n * CT_TABLE * sizeof *tabs);
    digits = malloc(n * CT_WINDOWS);
    if (!tabs || !digits) {
        err_set(e, ERR_NOMEM, "out of memory in a multi-scalar multiplication of %zu points", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        table_build(tabs + i * CT_TABLE, &points[i]);
        ring_recode_ct(digits + i * CT_WINDOWS, scalars[i]);
    }
    ring_point acc = *decaf_255_point_identity, t, neg;
    for (unsigned w = CT_WINDOWS; w-- > 0;) {
        if (w != CT_WINDOWS - 1)
            for (unsigned k = 0; k < CT_W; k++)
                decaf_255_point_double(&acc, &acc);
        for (size_t i = 0; i < n; i++) {
            table_lookup(&t, &neg, tabs + i * CT_TABLE, digits[i * CT_WINDOWS + w]);
            decaf_255_point_add(&acc, &acc, &t);
        }
    }
    *out = acc;
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&t, sizeof t);
    sodium_memzero(&neg, sizeof neg);
    rc = 0;
out:
    if (digits)
        sodium_memzero(digits, n * CT_WINDOWS);
    free(digits);
    if (tabs)
        sodium_memzero(tabs, n * CT_TABLE * sizeof *tabs); /* may derive from secrets */
    free(tabs);
    return rc;
}

void ring_scalarmul_ct(ring_point *q, const uint8_t s[RING_SCALAR_BYTES], const ring_point *p)
{
    struct cpt tab[CT_TABLE];
    ring_point acc = *decaf_255_point_identity, t, neg;
    int8_t d[CT_WINDOWS];
    table_build(tab, p);
    ring_recode_ct(d, s);
    for (unsigned w = CT_WINDOWS; w-- > 0;) {
        if (w != CT_WINDOWS - 1)
            for (unsigned k = 0; k < CT_W; k++)
                decaf_255_point_double(&acc, &acc);
        table_lookup(&t, &neg, tab, d[w]);
        decaf_255_point_add(&acc, &acc, &t);
    }
    *q = acc;
    sodium_memzero(tab, sizeof tab);
    sodium_memzero(&neg, sizeof neg);
    sodium_memzero(d, sizeof d);
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&t, sizeof t);
}
