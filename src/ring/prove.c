/* prove.c — the Triptych prover, constant time in its secrets
 * (docs/protocol-ring.md §6, §10). */
#include "ring/triptych.h"

#include "ring/ct.h"
#include "ring/internal.h"
#include "ring/msm.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---------- prover ---------- */

struct fold_job {
    const ring_point *old; /* entries of deg+1 points (coefficients of x^0..x^deg) */
    size_t old_count;      /* entries in old; indices past it are padding (old_at) */
    const ring_point *pad; /* the last ring key, which padding repeats */
    ring_point *next;      /* entries of deg+step+1 points */
    size_t base;           /* group number of next[0] */
    size_t r0, r1;
    unsigned n, deg, step;      /* step: digits folded at once (1 or 2) */
    const uint8_t (*a0)[32];    /* a_{t,i} */
    const uint8_t (*a1)[32];    /* a_{t+1,i} (step 2) */
    const uint8_t (*b)[32];     /* b[i1*n+i0] = a_{t,i0} a_{t+1,i1} (step 2) */
    const uint64_t *mask0;      /* mask0[i] = all ones iff i == l_t */
    const uint64_t *mask1;      /* the same for l_{t+1} */
    struct fold_report *report; /* progress (job 0 only), or NULL */
    int fail;
};

/* Progress over every round of fold_all: rows done of all rounds' rows. */
struct fold_report {
    const struct ring_progress *progress;
    size_t done, total;
    unsigned scale; /* rows the whole pass does per row of job 0 (2 when split) */
    int stop;
};

#define FOLD_MAX (RING_MAX_N * RING_MAX_N + 2 * RING_MAX_N)

/* Coefficient d of entry idx. Past old_count the ring is padding: keys that
 * repeat the last key M_{N-1}. A group made only of padding folds to
 * x^deg M_{N-1} (each digit contributes sum_i (sigma_i x + a_i) = x, as the
 * a_i sum to zero), so such groups are never computed and their entries are
 * read here as that polynomial. Which entries are padding depends on the
 * ring size only (public). */
static const ring_point *old_at(const struct fold_job *j, size_t idx, unsigned d)
{
    if (idx >= j->old_count)
        return d == j->deg ? j->pad : decaf_255_point_identity;
    return &j->old[idx * (j->deg + 1) + d];
}

/* The inputs of degree d of group r's fold (below): the scalars sc, the
 * same for every group; the points, at pts[0], pts[stride], ...; and the
 * term taken by selection, *sel. tmp is scratch. Returns the number of
 * scalars and points. */
static size_t group_terms(const struct fold_job *j, size_t r, unsigned d, uint8_t (*sc)[32],
                          ring_point *pts, size_t stride, ring_point *sel, ring_point *tmp)
{
    const unsigned n = j->n, D = j->deg;
    size_t cnt = 0;
    *sel = *decaf_255_point_identity;
    if (j->step == 1) {
        const size_t base = r * n;
        if (d <= D)
            for (unsigned i = 0; i < n; i++, cnt++) {
                memcpy(sc[cnt], j->a0[i], 32);
                pts[cnt * stride] = *old_at(j, base + i, d);
            }
        if (d >= 1)
            for (unsigned i = 0; i < n; i++)
                ring_point_ct_select(sel, sel, old_at(j, base + i, d - 1), j->mask0[i]);
        return cnt;
    }
    const size_t base = r * n * n;
    if (d <= D)
        for (unsigned i1 = 0; i1 < n; i1++)
            for (unsigned i0 = 0; i0 < n; i0++, cnt++) {
                memcpy(sc[cnt], j->b[i1 * n + i0], 32);
                pts[cnt * stride] = *old_at(j, base + i1 * n + i0, d);
            }
    if (d >= 1 && d <= D + 1) {
        for (unsigned i1 = 0; i1 < n; i1++, cnt++) { /* sigma_t a_{t+1} */
            *tmp = *decaf_255_point_identity;
            for (unsigned i0 = 0; i0 < n; i0++)
                ring_point_ct_select(tmp, tmp, old_at(j, base + i1 * n + i0, d - 1), j->mask0[i0]);
            memcpy(sc[cnt], j->a1[i1], 32);
            pts[cnt * stride] = *tmp;
        }
        for (unsigned i0 = 0; i0 < n; i0++, cnt++) { /* a_t sigma_{t+1} */
            *tmp = *decaf_255_point_identity;
            for (unsigned i1 = 0; i1 < n; i1++)
                ring_point_ct_select(tmp, tmp, old_at(j, base + i1 * n + i0, d - 1), j->mask1[i1]);
            memcpy(sc[cnt], j->a0[i0], 32);
            pts[cnt * stride] = *tmp;
        }
    }
    if (d >= 2)
        for (unsigned i1 = 0; i1 < n; i1++)
            for (unsigned i0 = 0; i0 < n; i0++)
                ring_point_ct_select(sel, sel, old_at(j, base + i1 * n + i0, d - 2),
                                     j->mask0[i0] & j->mask1[i1]);
    return cnt;
}

#define LANES 8

/* Folds `step` digits: for each group r of n^step entries and each degree d,
 *   next[r]_d = sum_e sum_i coef_e(i) old[r n^step + i]_{d-e}
 * where coef is the x^e coefficient of prod f_{t+s,i_s}(x), f = sigma x + a.
 * Terms with sigma become constant-time selections; the rest is one
 * constant-time MSM per output. The coefficients are the same for every
 * group, so with the eight-lane MSM (ring_msm_ct8) eight groups are folded
 * at once; past the job's last group, lanes repeat it and are dropped (how
 * many groups there are is public). */
static void *fold_run(void *arg)
{
    struct fold_job *j = arg;
    const int lanes = j->r1 - j->r0 >= 2 && ring_msm_ct8_available();
    const size_t width = lanes ? LANES : 1;
    /* libdecaf points are 32-byte aligned; malloc promises 16 */
    ring_point *pts = aligned_alloc(64, FOLD_MAX * width * sizeof *pts), acc[LANES], sel[LANES],
               tmp;
    uint8_t(*sc)[32] = malloc(FOLD_MAX * 32);
    const unsigned D = j->deg;
    if (!pts || !sc) {
        j->fail = 1;
        goto out;
    }
    for (size_t r = j->r0; r < j->r1; r += width) {
        const size_t real = j->r1 - r < width ? j->r1 - r : width;
        for (unsigned d = 0; d <= D + j->step; d++) {
            size_t cnt = 0;
            for (size_t l = 0; l < width; l++)
                cnt = group_terms(j, l < real ? r + l : j->r1 - 1, d, sc, pts + l, width, &sel[l],
                                  &tmp);
            for (size_t l = 0; l < width; l++)
                acc[l] = *decaf_255_point_identity;
            int fail = 0;
            if (cnt && lanes)
                fail = ring_msm_ct8(acc, (const uint8_t(*)[32])sc, pts, cnt, NULL) != 0;
            else if (cnt)
                fail = ring_msm_ct(&acc[0], (const uint8_t(*)[32])sc, pts, cnt, NULL) != 0;
            if (fail) {
                j->fail = 1;
                goto out;
            }
            for (size_t l = 0; l < real; l++)
                decaf_255_point_add(&j->next[(r + l - j->base) * (D + j->step + 1) + d], &acc[l],
                                    &sel[l]);
        }
        if (j->report) {
            struct fold_report *rp = j->report;
            size_t done = rp->done + (r + real - j->r0) * rp->scale;
            if (done > rp->total)
                done = rp->total;
            if (rp->progress->fn(rp->progress->arg, done, rp->total)) {
                rp->stop = 1;
                goto out;
            }
        }
    }
out:
    if (pts)
        sodium_memzero(pts, FOLD_MAX * width * sizeof *pts);
    if (sc)
        sodium_memzero(sc, FOLD_MAX * 32);
    free(pts);
    free(sc);
    sodium_memzero(acc, sizeof acc);
    sodium_memzero(sel, sizeof sel);
    sodium_memzero(&tmp, sizeof tmp);
    return NULL;
}

/* Rows of progress of a whole fold: the groups that hold a ring key, summed
 * over every level. */
static size_t fold_rows(size_t count, struct ring_params p)
{
    size_t total = 0;
    for (size_t t = 0, ent = count; t < p.m;) {
        const unsigned st = p.m - t >= 2 ? 2 : 1;
        const size_t grp = st == 2 ? (size_t)p.n * p.n : p.n;
        ent = (ent + grp - 1) / grp;
        total += ent;
        t += st;
    }
    return total;
}

/* Folds groups [r0, r1) of one level (`step` digits with a0/a1 and
 * mask0/mask1) into next, group r at next[(r - r0) * (deg + step + 1)], on
 * two threads when there are two cores. Returns 0, 1 if progress asked to
 * stop, -1 when out of memory. */
static int fold_level(ring_point *next, const ring_point *old, size_t old_count,
                      const ring_point *pad, unsigned n, unsigned deg, unsigned step,
                      const uint8_t (*a0)[32], const uint8_t (*a1)[32], const uint64_t *mask0,
                      const uint64_t *mask1, size_t r0, size_t r1, struct fold_report *report)
{
    uint8_t(*b)[32] = sodium_malloc(RING_MAX_N * RING_MAX_N * 32);
    if (!b)
        return -1;
    if (step == 2)
        for (unsigned i1 = 0; i1 < n; i1++)
            for (unsigned i0 = 0; i0 < n; i0++)
                crypto_core_ristretto255_scalar_mul(b[i1 * n + i0], a0[i0], a1[i1]);
    struct fold_job jobs[2];
    for (int k = 0; k < 2; k++)
        jobs[k] = (struct fold_job){.old = old,
                                    .old_count = old_count,
                                    .pad = pad,
                                    .next = next,
                                    .base = r0,
                                    .r0 = r0,
                                    .r1 = r1,
                                    .n = n,
                                    .deg = deg,
                                    .step = step,
                                    .a0 = a0,
                                    .a1 = a1,
                                    .b = (const uint8_t(*)[32])b,
                                    .mask0 = mask0,
                                    .mask1 = mask1,
                                    .report = NULL,
                                    .fail = 0};
    if (report && report->total) {
        jobs[0].report = report;
        report->scale = 1;
    }
    pthread_t tid;
    int spawned = 0;
    if (r1 - r0 >= 2 && ring_ncores() > 1) {
        jobs[0].r1 = r0 + (r1 - r0) / 2;
        jobs[1].r0 = jobs[0].r1;
        spawned = pthread_create(&tid, NULL, fold_run, &jobs[1]) == 0;
        if (!spawned)
            jobs[0].r1 = r1;
        else if (jobs[0].report)
            report->scale = 2;
    }
    fold_run(&jobs[0]);
    if (spawned)
        pthread_join(tid, NULL);
    sodium_free(b);
    if (report && report->stop)
        return 1;
    if (report)
        report->done += r1 - r0;
    return jobs[0].fail || (spawned && jobs[1].fail) ? -1 : 0;
}

/* 1 (with e) if fold_level's answer f is a failure: cancelled or out of
 * memory; else 0. */
static int fold_failed(int f, struct err *e)
{
    if (f > 0)
        err_set(e, ERR_STATE, "the proof was cancelled");
    else if (f < 0)
        err_set(e, ERR_NOMEM, "out of memory while proving");
    return f != 0;
}

/* Folds the levels from digit t on (first: the groups of the level before,
 * first_count of them, of degree t) into P_d, d = 0..m: out receives m+1
 * points. The intermediate levels are wiped. */
static int fold_all(ring_point *out, const struct ring_keys *ring, struct ring_params p, unsigned t,
                    const ring_point *first, size_t first_count, const uint8_t (*a)[RING_MAX_N][32],
                    const uint64_t (*mask)[RING_MAX_N], struct fold_report *report, struct err *e)
{
    int rc = -1;
    const ring_point *old = first;
    size_t old_count = first_count;
    ring_point *bufs[2] = {NULL, NULL};
    size_t bufsz[2] = {0, 0};
    unsigned deg = t;
    for (int slot = 0; t < p.m; slot ^= 1) {
        const unsigned step = p.m - t >= 2 ? 2 : 1;
        const size_t group = step == 2 ? (size_t)p.n * p.n : p.n;
        /* only the groups that hold at least one ring key: the others are
         * padding, read back by old_at */
        const size_t s = (old_count + group - 1) / group;
        const size_t stride = deg + step + 1;
        /* zeroed: the points' padding bytes (libdecaf aligns each coordinate)
         * are never written, and a part carries the points as they are */
        ring_point *next = calloc(s * stride, sizeof *next);
        if (!next) {
            err_set(e, ERR_NOMEM, "out of memory while proving");
            goto out;
        }
        int f = fold_level(next, old, old_count, &ring->keys[ring->count - 1], p.n, deg, step, a[t],
                           step == 2 ? a[t + 1] : a[t], mask[t], step == 2 ? mask[t + 1] : mask[t],
                           0, s, report);
        /* the older intermediate buffer is secret-dependent: wipe it */
        if (bufs[slot]) {
            sodium_memzero(bufs[slot], bufsz[slot]);
            free(bufs[slot]);
        }
        bufs[slot] = next;
        bufsz[slot] = s * stride * sizeof *next;
        if (fold_failed(f, e))
            goto out;
        old = next;
        old_count = s;
        t += step;
        deg += step;
    }
    memcpy(out, old, (p.m + 1) * sizeof *out);
    rc = 0;
out:
    for (int k = 0; k < 2; k++)
        if (bufs[k]) {
            sodium_memzero(bufs[k], bufsz[k]);
            free(bufs[k]);
        }
    return rc;
}

/* Com(v; r) = sum v_{j,i} G_{j,i} + r H, constant time. */
static int commit(ring_point *out, struct ring_params p, const uint8_t (*v)[RING_MAX_N][32],
                  const uint8_t r[32], struct err *e)
{
    const size_t cnt = (size_t)p.m * p.n + 1;
    uint8_t(*s)[32] = malloc(cnt * 32);
    ring_point *pts = malloc(cnt * sizeof *pts);
    int rc = -1;
    if (!s || !pts) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    size_t k = 0;
    for (unsigned j = 0; j < p.m; j++)
        for (unsigned i = 0; i < p.n; i++, k++) {
            memcpy(s[k], v[j][i], 32);
            pts[k] = ring_gen_g[j][i];
        }
    memcpy(s[k], r, 32);
    pts[k] = ring_gen_h;
    rc = ring_msm_ct(out, (const uint8_t(*)[32])s, pts, cnt, e);
out:
    if (s)
        sodium_memzero(s, cnt * 32);
    free(s);
    free(pts);
    return rc;
}

/* 1 if ring key number index (secret) encodes as pk. Reads every key, so
 * the memory access pattern does not depend on index. */
static int key_at(const struct ring_keys *ring, size_t index, const uint8_t pk[32])
{
    uint8_t diff = 0;
    for (size_t k = 0; k < ring->count; k++) {
        uint64_t x = (uint64_t)k ^ (uint64_t)index;
        uint8_t m = (uint8_t)(((x | ((uint64_t)0 - x)) >> 63) ^ 1u); /* 1 iff k == index */
        m = (uint8_t)(0u - m);
        for (int b = 0; b < 32; b++)
            diff |= (uint8_t)((pk[b] ^ ring->enc[k][b]) & m);
    }
    return diff == 0;
}

struct prover_secrets {
    uint8_t a[RING_MAX_M][RING_MAX_N][32], sigma[RING_MAX_M][RING_MAX_N][32],
        c[RING_MAX_M][RING_MAX_N][32], d[RING_MAX_M][RING_MAX_N][32];
    uint64_t mask[RING_MAX_M][RING_MAX_N];
    uint8_t ra[32], rb[32], rc[32], rd[32], rho[RING_MAX_M][32], rinv[32], xi[32],
        xipow[RING_MAX_M + 1][32], tmp[32];
    ring_point fold[RING_MAX_M + 1], pt;
};

/* One proof in the making (ring_prover_begin .. ring_prover_finish). */
struct ring_prover {
    struct prover_secrets s;
    uint8_t sk[32];
    ring_point jp; /* J, the tag */
    uint8_t u[32]; /* the scope's tag base, encoded */
    struct ring_params p;
    const struct ring_keys *ring; /* borrowed */
    unsigned step;                /* digits of the first level */
    size_t groups, rows;          /* of the first level; of the whole fold */
    uint8_t *buf;                 /* the proof, filled up to Y by begin */
    size_t len;
    uint8_t *msg;
    size_t msg_len;
    int spent;
};

/* The level blob (RING_LEVEL_BYTES): "DL" n m | id[16] | ring digest[64] |
 * count u64 | pad[4] | a_t[16][32] | a_t+1[16][32] | mask_t[16] u64 |
 * mask_t+1[16] u64 (native order). A part: "DP" 0 0 | id[16] | r0 u64 |
 * r1 u64 | points (native ring_point, deg+step+1 per group). */
#define LEVEL_OFF_ID     4
#define LEVEL_OFF_DIGEST 20
#define LEVEL_OFF_COUNT  84
#define LEVEL_OFF_A0     96
#define LEVEL_OFF_A1     (LEVEL_OFF_A0 + RING_MAX_N * 32)
#define LEVEL_OFF_M0     (LEVEL_OFF_A1 + RING_MAX_N * 32)
#define LEVEL_OFF_M1     (LEVEL_OFF_M0 + RING_MAX_N * 8)
_Static_assert(LEVEL_OFF_M1 + RING_MAX_N * 8 == RING_LEVEL_BYTES, "level blob layout");
#define PART_HEADER 40

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int k = 0; k < 8; k++)
        v = v << 8 | p[k];
    return v;
}

static uint64_t ct_eq_mask64(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    return (uint64_t)0 - (((x | ((uint64_t)0 - x)) >> 63) ^ 1u);
}

void ring_prover_free(struct ring_prover *st)
{
    if (!st)
        return;
    free(st->buf);
    free(st->msg);
    sodium_free(st); /* sodium_free wipes */
}

size_t ring_prover_groups(const struct ring_prover *st)
{
    return st->groups;
}

size_t ring_prover_rows(const struct ring_prover *st)
{
    return st->rows;
}

int ring_prover_begin(struct ring_prover **out, struct ring_params p, const struct ring_keys *ring,
                      size_t index, const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
                      size_t scope_len, const uint8_t *msg, size_t msg_len, struct err *e)
{
    struct ring_prover *st = NULL;
    uint8_t pk[32];
    ring_point up;
    int rc = -1;
    *out = NULL;

    if (ring_gens_ready(e) != 0 || ring_check_sk(sk, e) != 0)
        goto out;
    if (!ring_params_valid(p, ring->count)) {
        err_set(e, ERR_INVALID, "parameters n=%u m=%u do not fit a ring of %zu keys", p.n, p.m,
                ring->count);
        goto out;
    }
    /* Argument checks: whether the index is in the ring and the key is its
     * key there is told (an error), nothing else about them. */
    int outside = index >= ring->count;
    RING_CT_PUBLIC(&outside, sizeof outside);
    if (outside) {
        err_set(e, ERR_INVALID, "signer index %zu is outside a ring of %zu keys", index,
                ring->count);
        goto out;
    }
    st = sodium_malloc(sizeof *st);
    if (!st) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    memset(st, 0, sizeof *st);
    struct prover_secrets *s = &st->s;
    ring_scalarmul_ct(&st->jp, sk, decaf_255_point_base); /* M = r G, constant time */
    ring_point_encode(pk, &st->jp);
    RING_CT_PUBLIC(pk, sizeof pk); /* the public key */
    int match = key_at(ring, index, pk);
    RING_CT_PUBLIC(&match, sizeof match);
    if (!match) {
        err_set(e, ERR_INVALID, "the secret key does not match ring key %zu", index);
        goto out;
    }
    if (ring_tag_base(st->u, scope, scope_len, e) != 0 ||
        ring_point_decode(&up, st->u, 0, "tag base", e) != 0)
        goto out;
    st->p = p;
    st->ring = ring;
    st->step = p.m >= 2 ? 2 : 1;
    const size_t group = st->step == 2 ? (size_t)p.n * p.n : p.n;
    st->groups = (ring->count + group - 1) / group;
    st->rows = fold_rows(ring->count, p);
    memcpy(st->sk, sk, 32);
    st->len = ring_proof_len(p);
    st->buf = malloc(st->len);
    st->msg = malloc(msg_len ? msg_len : 1);
    if (!st->buf || !st->msg) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    if (msg_len)
        memcpy(st->msg, msg, msg_len);
    st->msg_len = msg_len;
    uint8_t *buf = st->buf;
    memset(buf, 0, st->len);
    buf[0] = RING_PROOF_VERSION;
    buf[1] = (uint8_t)p.n;
    buf[2] = (uint8_t)p.m;
    buf[3] = 0;

    /* J = r^-1 U */
    int noinv = crypto_core_ristretto255_scalar_invert(s->rinv, sk) != 0;
    RING_CT_PUBLIC(&noinv, sizeof noinv);
    if (noinv) {
        err_set(e, ERR_INVALID, "the ring secret key is not invertible");
        goto out;
    }
    ring_scalarmul_ct(&st->jp, s->rinv, &up);
    ring_point_encode(buf + RING_OFF_J, &st->jp);

    const unsigned lg = ring_log2(p.n);
    const uint8_t one[32] = {1};
    ring_scalar_random(s->ra);
    ring_scalar_random(s->rb);
    ring_scalar_random(s->rc);
    ring_scalar_random(s->rd);
    for (unsigned j = 0; j < p.m; j++) {
        uint64_t lj = ((uint64_t)index >> (j * lg)) & (p.n - 1u); /* shifts: constant time */
        memset(s->a[j][0], 0, 32);
        for (unsigned i = 0; i < p.n; i++) {
            if (i > 0) {
                ring_scalar_random(s->a[j][i]);
                crypto_core_ristretto255_scalar_sub(s->a[j][0], s->a[j][0], s->a[j][i]);
            }
            s->mask[j][i] = ct_eq_mask64(lj, i);
            memset(s->sigma[j][i], 0, 32);
            s->sigma[j][i][0] = (uint8_t)(s->mask[j][i] & 1u);
        }
        RING_CT_SECRET(s->a[j], sizeof s->a[j]); /* as secret as the key (before c, d) */
        for (unsigned i = 0; i < p.n; i++) {
            /* c = a (1 - 2 sigma), d = -a^2 */
            crypto_core_ristretto255_scalar_add(s->tmp, s->sigma[j][i], s->sigma[j][i]);
            crypto_core_ristretto255_scalar_sub(s->tmp, one, s->tmp);
            crypto_core_ristretto255_scalar_mul(s->c[j][i], s->a[j][i], s->tmp);
            crypto_core_ristretto255_scalar_mul(s->tmp, s->a[j][i], s->a[j][i]);
            crypto_core_ristretto255_scalar_negate(s->d[j][i], s->tmp);
        }
        ring_scalar_random(s->rho[j]);
    }
    /* the prover's randomness is as secret as the key */
    RING_CT_SECRET(s->ra, 32);
    RING_CT_SECRET(s->rb, 32);
    RING_CT_SECRET(s->rc, 32);
    RING_CT_SECRET(s->rd, 32);
    RING_CT_SECRET(s->rho, sizeof s->rho);
    uint8_t *cm = buf + RING_OFF_A;
    if (commit(&s->pt, p, (const uint8_t(*)[RING_MAX_N][32])s->a, s->ra, e) != 0)
        goto out;
    ring_point_encode(cm, &s->pt);
    if (commit(&s->pt, p, (const uint8_t(*)[RING_MAX_N][32])s->sigma, s->rb, e) != 0)
        goto out;
    ring_point_encode(cm + 32, &s->pt);
    if (commit(&s->pt, p, (const uint8_t(*)[RING_MAX_N][32])s->c, s->rc, e) != 0)
        goto out;
    ring_point_encode(cm + 64, &s->pt);
    if (commit(&s->pt, p, (const uint8_t(*)[RING_MAX_N][32])s->d, s->rd, e) != 0)
        goto out;
    ring_point_encode(cm + 96, &s->pt);
    /* A..D are the proof's (hiding commitments): A names the parts */
    RING_CT_PUBLIC(cm, 128);
    *out = st;
    st = NULL;
    rc = 0;
out:
    ring_prover_free(st);
    sodium_memzero(&up, sizeof up);
    return rc;
}

void ring_prover_level(const struct ring_prover *st, uint8_t out[RING_LEVEL_BYTES])
{
    const struct prover_secrets *s = &st->s;
    const unsigned t1 = st->step == 2 ? 1 : 0;
    memset(out, 0, RING_LEVEL_BYTES);
    out[0] = 'D';
    out[1] = 'L';
    out[2] = (uint8_t)st->p.n;
    out[3] = (uint8_t)st->p.m;
    memcpy(out + LEVEL_OFF_ID, st->buf + RING_OFF_A, 16);
    memcpy(out + LEVEL_OFF_DIGEST, st->ring->digest, RING_DIGEST_BYTES);
    ring_put_u64(out + LEVEL_OFF_COUNT, st->ring->count);
    memcpy(out + LEVEL_OFF_A0, s->a[0], RING_MAX_N * 32);
    memcpy(out + LEVEL_OFF_A1, s->a[t1], RING_MAX_N * 32);
    memcpy(out + LEVEL_OFF_M0, s->mask[0], RING_MAX_N * 8);
    memcpy(out + LEVEL_OFF_M1, s->mask[t1], RING_MAX_N * 8);
}

/* The first level's shape from a level blob's public header: 0, or -1
 * (ERR_INVALID) if the header is not one ring_prover_level makes for ring. */
static int level_shape(const uint8_t *level, const struct ring_keys *ring, struct ring_params *p,
                       unsigned *step, size_t *groups, struct err *e)
{
    p->n = level[2];
    p->m = level[3];
    if (level[0] != 'D' || level[1] != 'L' || !ring_params_valid(*p, ring->count) ||
        get_u64(level + LEVEL_OFF_COUNT) != ring->count) {
        err_set(e, ERR_INVALID, "the level is not one of a proof over this ring");
        return -1;
    }
    if (memcmp(level + LEVEL_OFF_DIGEST, ring->digest, RING_DIGEST_BYTES) != 0) {
        err_set(e, ERR_INVALID, "the level is of a proof over another ring");
        return -1;
    }
    *step = p->m >= 2 ? 2 : 1;
    const size_t group = *step == 2 ? (size_t)p->n * p->n : p->n;
    *groups = (ring->count + group - 1) / group;
    return 0;
}

size_t ring_fold_part_len(const uint8_t level[RING_LEVEL_BYTES], size_t r0, size_t r1)
{
    const unsigned m = level[3];
    const unsigned step = m >= 2 ? 2 : 1;
    if (r1 <= r0 || r1 - r0 > RING_MAX_MEMBERS)
        return 0;
    return PART_HEADER + (r1 - r0) * (step + 1) * sizeof(ring_point);
}

/* Relays a part's progress (rows of the part) as rows of the whole fold. */
struct part_relay {
    const struct ring_progress *progress;
    size_t base, total;
};

static int part_relay_fn(void *arg, size_t done, size_t total)
{
    const struct part_relay *r = arg;
    (void)total;
    return r->progress->fn(r->progress->arg, r->base + done, r->total);
}

int ring_fold_part(uint8_t *out, size_t out_len, const struct ring_keys *ring,
                   const uint8_t level[RING_LEVEL_BYTES], size_t r0, size_t r1,
                   const struct ring_progress *progress, struct err *e)
{
    struct ring_params p;
    unsigned step;
    size_t groups;
    struct {
        uint8_t a0[RING_MAX_N][32], a1[RING_MAX_N][32];
        uint64_t m0[RING_MAX_N], m1[RING_MAX_N];
    } *in = NULL;
    ring_point *pts = NULL;
    size_t pts_len = 0;
    int rc = -1;
    if (level_shape(level, ring, &p, &step, &groups, e) != 0)
        goto out;
    if (r0 >= r1 || r1 > groups) {
        err_set(e, ERR_INVALID, "groups [%zu, %zu) are not a part of a level of %zu", r0, r1,
                groups);
        goto out;
    }
    if (out_len != ring_fold_part_len(level, r0, r1)) {
        err_set(e, ERR_INVALID, "a part of %zu groups needs %zu bytes, not %zu", r1 - r0,
                ring_fold_part_len(level, r0, r1), out_len);
        goto out;
    }
    in = sodium_malloc(sizeof *in);
    pts_len = (r1 - r0) * (step + 1) * sizeof *pts;
    pts = calloc(1, pts_len); /* zeroed padding: a part's bytes depend on its points alone */
    if (!in || !pts) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    memcpy(in->a0, level + LEVEL_OFF_A0, sizeof in->a0);
    memcpy(in->a1, level + LEVEL_OFF_A1, sizeof in->a1);
    memcpy(in->m0, level + LEVEL_OFF_M0, sizeof in->m0);
    memcpy(in->m1, level + LEVEL_OFF_M1, sizeof in->m1);
    struct fold_report report = {.progress = progress,
                                 .total = progress && progress->fn ? r1 - r0 : 0};
    int f = fold_level(pts, ring->keys, ring->count, &ring->keys[ring->count - 1], p.n, 0, step,
                       (const uint8_t(*)[32])in->a0, (const uint8_t(*)[32])in->a1, in->m0, in->m1,
                       r0, r1, &report);
    if (fold_failed(f, e))
        goto out;
    out[0] = 'D';
    out[1] = 'P';
    out[2] = out[3] = 0;
    memcpy(out + 4, level + LEVEL_OFF_ID, 16);
    ring_put_u64(out + 20, r0);
    ring_put_u64(out + 28, r1);
    memset(out + 36, 0, 4);
    memcpy(out + PART_HEADER, pts, pts_len);
    rc = 0;
out:
    if (in)
        sodium_free(in);
    if (pts) {
        sodium_memzero(pts, pts_len);
        free(pts);
    }
    return rc;
}

int ring_prover_finish(struct ring_prover *st, uint8_t **proof, size_t *proof_len,
                       const uint8_t *parts, size_t parts_len, const struct ring_progress *progress,
                       struct err *e)
{
    struct prover_secrets *s = &st->s;
    const struct ring_params p = st->p;
    const size_t stride = st->step + 1;
    const size_t first_len = st->groups * stride * sizeof(ring_point);
    ring_point *first = NULL;
    int rc = -1;
    *proof = NULL;
    *proof_len = 0;
    if (st->spent) {
        err_set(e, ERR_STATE, "this proof was finished already: begin another");
        return -1;
    }
    st->spent = 1;
    first = malloc(first_len);
    if (!first) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    /* the parts, in order, must cover the groups [0, groups) once */
    size_t expect = 0, off = 0;
    while (off < parts_len) {
        const uint8_t *h = parts + off;
        if (parts_len - off < PART_HEADER || h[0] != 'D' || h[1] != 'P' ||
            memcmp(h + 4, st->buf + RING_OFF_A, 16) != 0) {
            err_set(e, ERR_INVALID, "a part is not one of this proof");
            goto out;
        }
        const uint64_t r0 = get_u64(h + 20), r1 = get_u64(h + 28);
        if (r0 != expect || r1 <= r0 || r1 > st->groups) {
            err_set(e, ERR_INVALID, "the parts do not cover the first level's %zu groups in order",
                    st->groups);
            goto out;
        }
        const size_t body = (size_t)(r1 - r0) * stride * sizeof(ring_point);
        if (parts_len - off - PART_HEADER < body) {
            err_set(e, ERR_INVALID, "a part is cut short");
            goto out;
        }
        memcpy(&first[r0 * stride], h + PART_HEADER, body);
        expect = (size_t)r1;
        off += PART_HEADER + body;
    }
    if (expect != st->groups) {
        err_set(e, ERR_INVALID, "the parts cover %zu of the first level's %zu groups", expect,
                st->groups);
        goto out;
    }
    struct fold_report report = {
        .progress = progress, .done = st->groups, .total = progress && progress->fn ? st->rows : 0};
    if (fold_all(s->fold, st->ring, p, st->step, first, st->groups,
                 (const uint8_t(*)[RING_MAX_N][32])s->a, (const uint64_t(*)[RING_MAX_N])s->mask,
                 &report, e) != 0)
        goto out;
    uint8_t *buf = st->buf;
    for (unsigned j = 0; j < p.m; j++) {
        /* X_j = P_j + rho_j G, Y_j = rho_j J */
        ring_scalarmul_ct(&s->pt, s->rho[j], decaf_255_point_base);
        decaf_255_point_add(&s->pt, &s->pt, &s->fold[j]);
        ring_point_encode(buf + ring_off_x() + 32u * j, &s->pt);
        ring_scalarmul_ct(&s->pt, s->rho[j], &st->jp);
        ring_point_encode(buf + ring_off_y(p.m) + 32u * j, &s->pt);
    }

    /* J, A..D, X, Y are the proof's (public) points */
    RING_CT_PUBLIC(buf + RING_OFF_J, ring_off_f(p.m) - RING_OFF_J);
    ring_challenge(s->xi, p, st->ring, st->u, buf + RING_OFF_J, st->msg, st->msg_len,
                   buf + RING_OFF_A);
    if (ring_scalar_is_zero(s->xi)) {
        rc = 1;
        goto out;
    }
    const uint8_t one[32] = {1};
    memcpy(s->xipow[0], one, 32);
    for (unsigned j = 1; j <= p.m; j++)
        crypto_core_ristretto255_scalar_mul(s->xipow[j], s->xipow[j - 1], s->xi);

    int zero = 0;
    uint8_t *f = buf + ring_off_f(p.m);
    for (unsigned j = 0; j < p.m; j++)
        for (unsigned i = 1; i < p.n; i++, f += 32) {
            crypto_core_ristretto255_scalar_mul(s->tmp, s->sigma[j][i], s->xi);
            crypto_core_ristretto255_scalar_add(f, s->tmp, s->a[j][i]);
            zero |= ring_scalar_is_zero(f);
        }
    for (unsigned j = 0; j < p.m; j++) { /* f_{j,0} = xi - sum f_{j,i}, must be nonzero too */
        crypto_core_ristretto255_scalar_mul(s->tmp, s->sigma[j][0], s->xi);
        crypto_core_ristretto255_scalar_add(s->tmp, s->tmp, s->a[j][0]);
        zero |= ring_scalar_is_zero(s->tmp);
    }
    uint8_t *z = buf + ring_off_z(p);
    crypto_core_ristretto255_scalar_mul(s->tmp, s->xi, s->rb);
    crypto_core_ristretto255_scalar_add(z, s->ra, s->tmp); /* zA */
    crypto_core_ristretto255_scalar_mul(s->tmp, s->xi, s->rc);
    crypto_core_ristretto255_scalar_add(z + 32, s->tmp, s->rd); /* zC */
    crypto_core_ristretto255_scalar_mul(z + 64, st->sk, s->xipow[p.m]);
    for (unsigned j = 0; j < p.m; j++) {
        crypto_core_ristretto255_scalar_mul(s->tmp, s->rho[j], s->xipow[j]);
        crypto_core_ristretto255_scalar_sub(z + 64, z + 64, s->tmp);
    }
    zero |= ring_scalar_is_zero(z) | ring_scalar_is_zero(z + 32) | ring_scalar_is_zero(z + 64);
    /* the responses f and z are the proof's; f_{j,0} = xi - sum f_{j,i} too */
    RING_CT_PUBLIC(buf + ring_off_f(p.m), st->len - ring_off_f(p.m));
    RING_CT_PUBLIC(&zero, sizeof zero);
    if (zero) {
        rc = 1;
        goto out;
    }
    *proof = st->buf;
    *proof_len = st->len;
    st->buf = NULL;
    rc = 0;
out:
    if (first) {
        sodium_memzero(first, first_len);
        free(first);
    }
    return rc;
}

/* The one-shot prover: the phases above, the first level as one part (on
 * two threads with two cores); a zero response (probability ~2^-250)
 * starts again, at most four times. */
static int prove(uint8_t **proof, size_t *proof_len, struct ring_params p,
                 const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                 const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                 const struct ring_progress *progress, struct err *e)
{
    struct ring_prover *st = NULL;
    uint8_t *level = NULL, *part = NULL;
    size_t part_len = 0;
    int rc = -1;
    *proof = NULL;
    *proof_len = 0;
    level = sodium_malloc(RING_LEVEL_BYTES);
    if (!level) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    for (int attempt = 0;; attempt++) {
        if (attempt == 4) {
            err_set(e, ERR_INTERNAL, "could not produce a proof without zero responses");
            goto out;
        }
        if (ring_prover_begin(&st, p, ring, index, sk, scope, scope_len, msg, msg_len, e) != 0)
            goto out;
        ring_prover_level(st, level);
        part_len = ring_fold_part_len(level, 0, st->groups);
        part = malloc(part_len);
        if (!part) {
            err_set(e, ERR_NOMEM, "out of memory while proving");
            goto out;
        }
        struct part_relay relay = {.progress = progress, .base = 0, .total = st->rows};
        const struct ring_progress rp = {.fn = part_relay_fn, .arg = &relay};
        if (ring_fold_part(part, part_len, ring, level, 0, st->groups,
                           progress && progress->fn ? &rp : NULL, e) != 0)
            goto out;
        int f = ring_prover_finish(st, proof, proof_len, part, part_len, progress, e);
        sodium_memzero(part, part_len);
        free(part);
        part = NULL;
        ring_prover_free(st);
        st = NULL;
        if (f < 0)
            goto out;
        if (f == 0)
            break;
    }
    rc = 0;
out:
    ring_prover_free(st);
    if (part) {
        sodium_memzero(part, part_len);
        free(part);
    }
    if (level)
        sodium_free(level);
    return rc;
}

int ring_prove(uint8_t **proof, size_t *proof_len, const struct ring_keys *ring, size_t index,
               const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope, size_t scope_len,
               const uint8_t *msg, size_t msg_len, struct err *e)
{
    struct ring_params p;
    *proof = NULL;
    *proof_len = 0;
    if (ring_params_for(ring->count, &p, e) != 0)
        return -1;
    return prove(proof, proof_len, p, ring, index, sk, scope, scope_len, msg, msg_len, NULL, e);
}

int ring_prove_with(uint8_t **proof, size_t *proof_len, struct ring_params p,
                    const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                    const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                    struct err *e)
{
    return prove(proof, proof_len, p, ring, index, sk, scope, scope_len, msg, msg_len, NULL, e);
}

int ring_prove_progress(uint8_t **proof, size_t *proof_len, const struct ring_keys *ring,
                        size_t index, const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
                        size_t scope_len, const uint8_t *msg, size_t msg_len,
                        const struct ring_progress *progress, struct err *e)
{
    struct ring_params p;
    *proof = NULL;
    *proof_len = 0;
    if (ring_params_for(ring->count, &p, e) != 0)
        return -1;
    return prove(proof, proof_len, p, ring, index, sk, scope, scope_len, msg, msg_len, progress, e);
}
