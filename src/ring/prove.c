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

/* Folds `step` digits: for each group r of n^step entries and each degree d,
 *   next[r]_d = sum_e sum_i coef_e(i) old[r n^step + i]_{d-e}
 * where coef is the x^e coefficient of prod f_{t+s,i_s}(x), f = sigma x + a.
 * Terms with sigma become constant-time selections; the rest is one
 * constant-time MSM per output. */
static void *fold_run(void *arg)
{
    struct fold_job *j = arg;
    ring_point *pts = malloc(FOLD_MAX * sizeof *pts), acc, sel, tmp;
    uint8_t(*sc)[32] = malloc(FOLD_MAX * 32);
    const unsigned n = j->n, D = j->deg;
    if (!pts || !sc) {
        j->fail = 1;
        goto out;
    }
    for (size_t r = j->r0; r < j->r1; r++) {
        ring_point *dst = &j->next[r * (D + j->step + 1)];
        for (unsigned d = 0; d <= D + j->step; d++) {
            size_t cnt = 0;
            sel = *decaf_255_point_identity;
            if (j->step == 1) {
                const size_t base = r * n;
                if (d <= D)
                    for (unsigned i = 0; i < n; i++, cnt++) {
                        memcpy(sc[cnt], j->a0[i], 32);
                        pts[cnt] = *old_at(j, base + i, d);
                    }
                if (d >= 1)
                    for (unsigned i = 0; i < n; i++)
                        ring_point_ct_select(&sel, &sel, old_at(j, base + i, d - 1), j->mask0[i]);
            } else {
                const size_t base = r * n * n;
                if (d <= D)
                    for (unsigned i1 = 0; i1 < n; i1++)
                        for (unsigned i0 = 0; i0 < n; i0++, cnt++) {
                            memcpy(sc[cnt], j->b[i1 * n + i0], 32);
                            pts[cnt] = *old_at(j, base + i1 * n + i0, d);
                        }
                if (d >= 1 && d <= D + 1) {
                    for (unsigned i1 = 0; i1 < n; i1++, cnt++) { /* sigma_t a_{t+1} */
                        tmp = *decaf_255_point_identity;
                        for (unsigned i0 = 0; i0 < n; i0++)
                            ring_point_ct_select(&tmp, &tmp, old_at(j, base + i1 * n + i0, d - 1),
                                                 j->mask0[i0]);
                        memcpy(sc[cnt], j->a1[i1], 32);
                        pts[cnt] = tmp;
                    }
                    for (unsigned i0 = 0; i0 < n; i0++, cnt++) { /* a_t sigma_{t+1} */
                        tmp = *decaf_255_point_identity;
                        for (unsigned i1 = 0; i1 < n; i1++)
                            ring_point_ct_select(&tmp, &tmp, old_at(j, base + i1 * n + i0, d - 1),
                                                 j->mask1[i1]);
                        memcpy(sc[cnt], j->a0[i0], 32);
                        pts[cnt] = tmp;
                    }
                }
                if (d >= 2)
                    for (unsigned i1 = 0; i1 < n; i1++)
                        for (unsigned i0 = 0; i0 < n; i0++)
                            ring_point_ct_select(&sel, &sel, old_at(j, base + i1 * n + i0, d - 2),
                                                 j->mask0[i0] & j->mask1[i1]);
            }
            acc = *decaf_255_point_identity;
            if (cnt && ring_msm_ct(&acc, (const uint8_t(*)[32])sc, pts, cnt, NULL) != 0) {
                j->fail = 1;
                goto out;
            }
            decaf_255_point_add(&acc, &acc, &sel);
            dst[d] = acc;
        }
        if (j->report) {
            struct fold_report *rp = j->report;
            size_t done = rp->done + (r + 1 - j->r0) * rp->scale;
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
        sodium_memzero(pts, FOLD_MAX * sizeof *pts);
    if (sc)
        sodium_memzero(sc, FOLD_MAX * 32);
    free(pts);
    free(sc);
    sodium_memzero(&acc, sizeof acc);
    sodium_memzero(&sel, sizeof sel);
    sodium_memzero(&tmp, sizeof tmp);
    return NULL;
}

/* Computes P_d = sum_k p_{k,d} M_k for d = 0..m (p_k(x) = prod_j (sigma x + a)),
 * folding two digits at a time (one for an odd last digit); out receives
 * m+1 points. */
static int fold_all(ring_point *out, const struct ring_keys *ring, struct ring_params p,
                    const uint8_t (*a)[RING_MAX_N][32], const uint64_t (*mask)[RING_MAX_N],
                    const struct ring_progress *progress, struct err *e)
{
    struct fold_report report = {.progress = progress};
    if (progress && progress->fn) /* rows of every round: the groups that hold a ring key */
        for (size_t t = 0, ent = ring->count; t < p.m;) {
            const unsigned st = p.m - t >= 2 ? 2 : 1;
            const size_t grp = st == 2 ? (size_t)p.n * p.n : p.n;
            ent = (ent + grp - 1) / grp;
            report.total += ent;
            t += st;
        }
    int rc = -1;
    const ring_point *old = ring->keys;
    size_t old_count = ring->count;
    ring_point *bufs[2] = {NULL, NULL};
    size_t bufsz[2] = {0, 0};
    uint8_t(*b)[32] = sodium_malloc(RING_MAX_N * RING_MAX_N * 32);
    if (!b) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        return -1;
    }
    unsigned t = 0, deg = 0;
    for (int slot = 0; t < p.m; slot ^= 1) {
        const unsigned step = p.m - t >= 2 ? 2 : 1;
        const size_t group = step == 2 ? (size_t)p.n * p.n : p.n;
        /* only the groups that hold at least one ring key: the others are
         * padding, read back by old_at */
        const size_t s = (old_count + group - 1) / group;
        if (step == 2)
            for (unsigned i1 = 0; i1 < p.n; i1++)
                for (unsigned i0 = 0; i0 < p.n; i0++)
                    crypto_core_ristretto255_scalar_mul(b[i1 * p.n + i0], a[t][i0], a[t + 1][i1]);
        const size_t stride = deg + step + 1;
        ring_point *next = malloc(s * stride * sizeof *next);
        if (!next) {
            err_set(e, ERR_NOMEM, "out of memory while proving");
            goto out;
        }
        struct fold_job jobs[2];
        for (int k = 0; k < 2; k++)
            jobs[k] = (struct fold_job){.old = old,
                                        .old_count = old_count,
                                        .pad = &ring->keys[ring->count - 1],
                                        .next = next,
                                        .r0 = 0,
                                        .r1 = s,
                                        .n = p.n,
                                        .deg = deg,
                                        .step = step,
                                        .a0 = a[t],
                                        .a1 = step == 2 ? a[t + 1] : a[t],
                                        .b = (const uint8_t(*)[32])b,
                                        .mask0 = mask[t],
                                        .mask1 = step == 2 ? mask[t + 1] : mask[t],
                                        .report = NULL,
                                        .fail = 0};
        if (report.total)
            jobs[0].report = &report;
        report.scale = 1;
        pthread_t tid;
        int spawned = 0;
        if (s >= 2 && ring_ncores() > 1) {
            jobs[0].r1 = s / 2;
            jobs[1].r0 = s / 2;
            spawned = pthread_create(&tid, NULL, fold_run, &jobs[1]) == 0;
            if (!spawned)
                jobs[0].r1 = s;
            else
                report.scale = 2;
        }
        fold_run(&jobs[0]);
        if (spawned)
            pthread_join(tid, NULL);
        /* the older intermediate buffer is secret-dependent: wipe it */
        if (bufs[slot]) {
            sodium_memzero(bufs[slot], bufsz[slot]);
            free(bufs[slot]);
        }
        bufs[slot] = next;
        bufsz[slot] = s * stride * sizeof *next;
        if (report.stop) {
            err_set(e, ERR_STATE, "the proof was cancelled");
            goto out;
        }
        report.done += s;
        if (jobs[0].fail || (spawned && jobs[1].fail)) {
            err_set(e, ERR_NOMEM, "out of memory while proving");
            goto out;
        }
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
    sodium_free(b);
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

static uint64_t ct_eq_mask64(uint64_t a, uint64_t b)
{
    uint64_t x = a ^ b;
    return (uint64_t)0 - (((x | ((uint64_t)0 - x)) >> 63) ^ 1u);
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
    return ring_prove_with(proof, proof_len, p, ring, index, sk, scope, scope_len, msg, msg_len, e);
}

static int prove(uint8_t **proof, size_t *proof_len, struct ring_params p,
                 const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                 const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                 const struct ring_progress *progress, struct err *e);

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

static int prove(uint8_t **proof, size_t *proof_len, struct ring_params p,
                 const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                 const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                 const struct ring_progress *progress, struct err *e)
{
    struct prover_secrets *s = NULL;
    uint8_t *buf = NULL, u[32], pk[32];
    ring_point up, jp;
    int rc = -1;
    *proof = NULL;
    *proof_len = 0;

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
    ring_scalarmul_ct(&jp, sk, decaf_255_point_base); /* M = r G, constant time */
    ring_point_encode(pk, &jp);
    RING_CT_PUBLIC(pk, sizeof pk); /* the public key */
    int match = key_at(ring, index, pk);
    RING_CT_PUBLIC(&match, sizeof match);
    if (!match) {
        err_set(e, ERR_INVALID, "the secret key does not match ring key %zu", index);
        goto out;
    }
    if (ring_tag_base(u, scope, scope_len, e) != 0 ||
        ring_point_decode(&up, u, 0, "tag base", e) != 0)
        goto out;
    s = sodium_malloc(sizeof *s);
    const size_t len = ring_proof_len(p);
    buf = malloc(len);
    if (!s || !buf) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        goto out;
    }
    memset(buf, 0, len);
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
    ring_scalarmul_ct(&jp, s->rinv, &up);
    ring_point_encode(buf + RING_OFF_J, &jp);

    const unsigned lg = ring_log2(p.n);
    const uint8_t one[32] = {1};
    for (int attempt = 0;; attempt++) {
        if (attempt == 4) {
            err_set(e, ERR_INTERNAL, "could not produce a proof without zero responses");
            goto out;
        }
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

        if (fold_all(s->fold, ring, p, (const uint8_t(*)[RING_MAX_N][32])s->a,
                     (const uint64_t(*)[RING_MAX_N])s->mask, progress, e) != 0)
            goto out;
        for (unsigned j = 0; j < p.m; j++) {
            /* X_j = P_j + rho_j G, Y_j = rho_j J */
            ring_scalarmul_ct(&s->pt, s->rho[j], decaf_255_point_base);
            decaf_255_point_add(&s->pt, &s->pt, &s->fold[j]);
            ring_point_encode(buf + ring_off_x() + 32u * j, &s->pt);
            ring_scalarmul_ct(&s->pt, s->rho[j], &jp);
            ring_point_encode(buf + ring_off_y(p.m) + 32u * j, &s->pt);
        }

        /* J, A..D, X, Y are the proof's (public) points */
        RING_CT_PUBLIC(buf + RING_OFF_J, ring_off_f(p.m) - RING_OFF_J);
        ring_challenge(s->xi, p, ring, u, buf + RING_OFF_J, msg, msg_len, buf + RING_OFF_A);
        if (ring_scalar_is_zero(s->xi))
            continue;
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
        crypto_core_ristretto255_scalar_mul(z + 64, sk, s->xipow[p.m]);
        for (unsigned j = 0; j < p.m; j++) {
            crypto_core_ristretto255_scalar_mul(s->tmp, s->rho[j], s->xipow[j]);
            crypto_core_ristretto255_scalar_sub(z + 64, z + 64, s->tmp);
        }
        zero |= ring_scalar_is_zero(z) | ring_scalar_is_zero(z + 32) | ring_scalar_is_zero(z + 64);
        /* the responses f and z are the proof's; f_{j,0} = xi - sum f_{j,i} too */
        RING_CT_PUBLIC(buf + ring_off_f(p.m), len - ring_off_f(p.m));
        RING_CT_PUBLIC(&zero, sizeof zero);
        if (!zero)
            break;
    }
    *proof = buf;
    *proof_len = len;
    buf = NULL;
    rc = 0;
out:
    if (s)
        sodium_free(s); /* sodium_free wipes */
    free(buf);
    sodium_memzero(&jp, sizeof jp);
    return rc;
}
