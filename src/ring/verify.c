/* verify.c — Triptych verification and batch verification as one Pippenger
 * MSM with random weights (docs/protocol-ring.md §8, §9). */
#include "ring/triptych.h"

#include "ring/coef.h"
#include "ring/internal.h"
#include "ring/msm.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- verifier ---------- */

int ring_proof_tag(uint8_t j[RING_POINT_BYTES], const uint8_t *proof, size_t proof_len,
                   struct err *e)
{
    ring_point jp;
    if (proof_len < RING_OFF_J + 32)
        return err_set(e, ERR_INVALID, "the proof is %zu bytes, too short to hold a tag",
                       proof_len);
    if (ring_point_decode(&jp, proof + RING_OFF_J, 0, "the proof's tag J", e) != 0)
        return -1;
    memcpy(j, proof + RING_OFF_J, 32);
    return 0;
}

/* One parsed proof and its part of the batch equation. */
struct parsed {
    struct ring_params p;
    const uint8_t *buf;
    ring_point *pts;                            /* slot in the MSM: J, A, B, C, D, X.., Y.. */
    uint8_t (*sc)[32];                          /* their scalars */
    struct ring_msc fm[RING_MAX_M][RING_MAX_N]; /* the responses f, Montgomery form */
    struct ring_msc xim;                        /* xi, Montgomery form */
    uint8_t xi[32];
};

/* out = a - b mod l, a and b fully reduced (Montgomery form or not). */
static void msc_sub(struct ring_msc *out, const struct ring_msc *a, const struct ring_msc *b)
{
    static const uint64_t L[4] = {RING_L0, RING_L1, 0, RING_L3};
    uint64_t r[4], borrow = 0;
    for (int i = 0; i < 4; i++) {
        const unsigned __int128 d = (unsigned __int128)a->v[i] - b->v[i] - borrow;
        r[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1u;
    }
    if (borrow) { /* negative: add l (the carry out cancels the borrow) */
        unsigned __int128 c = 0;
        for (int i = 0; i < 4; i++) {
            c += (unsigned __int128)r[i] + L[i];
            r[i] = (uint64_t)c;
            c >>= 64;
        }
    }
    memcpy(out->v, r, sizeof r);
}

static int msc_is_zero(const struct ring_msc *x)
{
    return (x->v[0] | x->v[1] | x->v[2] | x->v[3]) == 0;
}

/* Parses and checks everything but the equation; fills pts. */
static int parse_proof(struct parsed *q, const struct ring_keys *ring, const uint8_t u[32],
                       const struct ring_batch_item *it, size_t idx, struct err *e)
{
    char what[64];
    if (it->proof_len < RING_PROOF_HEADER)
        return err_set(e, ERR_INVALID, "proof %zu is %zu bytes, shorter than its header", idx,
                       it->proof_len);
    const uint8_t *b = it->proof;
    if (b[0] != RING_PROOF_VERSION)
        return err_set(e, ERR_INVALID, "proof %zu has version %u; only version %u is known", idx,
                       b[0], RING_PROOF_VERSION);
    if (b[3] != 0)
        return err_set(e, ERR_INVALID, "proof %zu has a nonzero reserved header byte", idx);
    q->p.n = b[1];
    q->p.m = b[2];
    if (!ring_params_valid(q->p, ring->count))
        return err_set(e, ERR_INVALID,
                       "proof %zu has parameters n=%u m=%u, which do not fit a ring of %zu keys",
                       idx, q->p.n, q->p.m, ring->count);
    if (it->proof_len != ring_proof_len(q->p))
        return err_set(e, ERR_INVALID, "proof %zu is %zu bytes; n=%u m=%u needs %zu", idx,
                       it->proof_len, q->p.n, q->p.m, ring_proof_len(q->p));
    q->buf = b;
    const unsigned m = q->p.m, n = q->p.n;
    static const char *names[5] = {"J", "A", "B", "C", "D"};
    for (unsigned k = 0; k < 5 + 2 * m; k++) {
        if (k < 5)
            snprintf(what, sizeof what, "proof %zu point %s", idx, names[k]);
        else if (k < 5 + m)
            snprintf(what, sizeof what, "proof %zu point X[%u]", idx, k - 5);
        else
            snprintf(what, sizeof what, "proof %zu point Y[%u]", idx, k - 5 - m);
        if (ring_point_decode(&q->pts[k], b + RING_OFF_J + 32u * k, 0, what, e) != 0)
            return -1;
    }
    const uint8_t *f = b + ring_off_f(m);
    const size_t nscal = (size_t)m * (n - 1) + 3;
    for (size_t k = 0; k < nscal; k++) {
        const uint8_t *x = f + 32 * k;
        if (!ring_scalar_is_canonical(x))
            return err_set(e, ERR_INVALID, "proof %zu scalar %zu is not canonical", idx, k);
        if (ring_scalar_is_zero(x))
            return err_set(e, ERR_INVALID, "proof %zu scalar %zu is zero", idx, k);
    }
    ring_challenge(q->xi, q->p, ring, u, b + RING_OFF_J, it->msg, it->msg_len, b + RING_OFF_A);
    if (ring_scalar_is_zero(q->xi))
        return err_set(e, ERR_CRYPTO, "proof %zu has a zero challenge", idx);
    /* f_{j,0} = xi - sum_{i>0} f_{j,i}, in Montgomery form (as everything
     * that uses f) */
    ring_msc_from_bytes(&q->xim, q->xi);
    for (unsigned j = 0; j < m; j++) {
        q->fm[j][0] = q->xim;
        for (unsigned i = 1; i < n; i++) {
            ring_msc_from_bytes(&q->fm[j][i], f);
            msc_sub(&q->fm[j][0], &q->fm[j][0], &q->fm[j][i]);
            f += 32;
        }
        if (msc_is_zero(&q->fm[j][0]))
            return err_set(e, ERR_INVALID, "proof %zu has a zero response f[%u][0]", idx, j);
    }
    return 0;
}

/* Per-thread accumulators of the shared generators' scalars. */
struct acc {
    uint8_t h[32], base[32], u[32];
    struct ring_msc_sum g[RING_MAX_M][RING_MAX_N]; /* G_{j,i}'s, negated, unreduced */
    struct ring_msc_sum *coef; /* ring coefficients, Montgomery form, unreduced */
    struct ring_msc_sum last;  /* the padding's, for key count - 1 */
    struct ring_msc *scratch[2];
    int vec; /* the ring coefficients are in c8 (AVX-512 IFMA), not in coef */
    struct ring_coef8 c8;
};

/* Adds proof q's terms with random weights to acc and to its own MSM slot. */
static void accumulate(struct acc *a, const struct parsed *q, size_t count)
{
    const unsigned m = q->p.m, n = q->p.n;
    uint8_t w[4][32], t[32], t2[32], xipow[RING_MAX_M + 1][32];
    const uint8_t *z = q->buf + ring_off_z(q->p);
    for (int k = 0; k < 4; k++)
        ring_scalar_random(w[k]);
    memset(xipow[0], 0, 32);
    xipow[0][0] = 1;
    for (unsigned j = 1; j <= m; j++)
        crypto_core_ristretto255_scalar_mul(xipow[j], xipow[j - 1], q->xi);
    /* slots: J, A, B, C, D, X.., Y.. */
    crypto_core_ristretto255_scalar_mul(t, w[3], z + 64);
    crypto_core_ristretto255_scalar_negate(q->sc[0], t);        /* J: -w4 z */
    memcpy(q->sc[1], w[0], 32);                                 /* A: w1 */
    crypto_core_ristretto255_scalar_mul(q->sc[2], w[0], q->xi); /* B: w1 xi */
    crypto_core_ristretto255_scalar_mul(q->sc[3], w[1], q->xi); /* C: w2 xi */
    memcpy(q->sc[4], w[1], 32);                                 /* D: w2 */
    for (unsigned j = 0; j < m; j++) {
        crypto_core_ristretto255_scalar_mul(t, w[2], xipow[j]);
        crypto_core_ristretto255_scalar_negate(q->sc[5 + j], t); /* X_j: -w3 xi^j */
        crypto_core_ristretto255_scalar_mul(t, w[3], xipow[j]);
        crypto_core_ristretto255_scalar_negate(q->sc[5 + m + j], t); /* Y_j: -w4 xi^j */
    }
    /* G_{j,i}: -(w1 f + w2 f (xi - f)) = -f (v - w2 f), v = w1 + w2 xi; g
     * sums f (v - w2 f) in Montgomery form, negated once per batch */
    const struct ring_msc(*fm)[RING_MAX_N] = q->fm;
    struct ring_msc vm, w2m;
    crypto_core_ristretto255_scalar_mul(t, w[1], q->xi);
    crypto_core_ristretto255_scalar_add(t, t, w[0]);
    ring_msc_from_bytes(&vm, t);
    ring_msc_from_bytes(&w2m, w[1]);
    for (unsigned j = 0; j < m; j++)
        for (unsigned i = 0; i < n; i++) {
            struct ring_msc x;
            ring_msc_mul(&x, &w2m, &fm[j][i]);
            msc_sub(&x, &vm, &x);
            ring_msc_sum_mul_add(&a->g[j][i], &fm[j][i], &x);
        }
    /* H: -(w1 zA + w2 zC); G: -w3 z; U: w4 xi^m */
    crypto_core_ristretto255_scalar_mul(t, w[0], z);
    crypto_core_ristretto255_scalar_mul(t2, w[1], z + 32);
    crypto_core_ristretto255_scalar_add(t, t, t2);
    crypto_core_ristretto255_scalar_sub(a->h, a->h, t);
    crypto_core_ristretto255_scalar_mul(t, w[2], z + 64);
    crypto_core_ristretto255_scalar_sub(a->base, a->base, t);
    crypto_core_ristretto255_scalar_mul(t, w[3], xipow[m]);
    crypto_core_ristretto255_scalar_add(a->u, a->u, t);

    /* ring coefficients: coef[k] += w3 prod_j f_{j,k_j}, k = sum k_j n^j,
     * for the count keys of the ring only; the padding's coefficients
     * (indices count .. n^m - 1, all on the last key) are summed in closed
     * form below. */
    struct ring_msc one;
    /* The low digits 0..d-1 (d = low_digits) as one: low[r] = prod_{j<d}
     * f_{j,r_j} for the wd = n^d residues r (wd the largest power of n up
     * to RING_COEF8_MAX_W), so the tree stops at digit d and key k's
     * coefficient is cur[k / wd] * low[k % wd]: the tree's last levels (at
     * least count / n products per proof) shrink to about wd. The product
     * differs from the full tree's by Montgomery representative only. */
    unsigned low_digits = 1;
    size_t wd = n;
    while (low_digits < m && wd * n <= RING_COEF8_MAX_W) {
        wd *= n;
        low_digits++;
    }
    struct ring_msc low[RING_COEF8_MAX_W];
    for (unsigned i = 0; i < n; i++)
        low[i] = fm[0][i];
    for (size_t j = 1, span = n; j < low_digits; j++, span *= n)
        for (size_t r = span * n; r-- > 0;) /* downwards: low[r % span] is still old */
            ring_msc_mul_lazy(&low[r], &fm[j][r / span], &low[r % span]);
    struct ring_msc *cur = a->scratch[0], *nxt = a->scratch[1];
    ring_msc_from_bytes(&cur[0], w[2]);
    size_t span = ring_ipow(n, m); /* span: indices under one entry of nxt */
    for (unsigned j = m; j-- > low_digits;) {
        span /= n;
        /* the entries (digits j and above) that hold an index below count */
        const size_t want = (count + span - 1) / span;
        for (size_t y = 0; y < want; y++)
            ring_msc_mul_lazy(&nxt[y], &cur[y / n], &fm[j][y % n]);
        struct ring_msc *sw = cur;
        cur = nxt;
        nxt = sw;
    }
    /* products stay below 2l (lazy), sums are reduced once per batch */
    if (a->vec) {
        ring_coef8_mul_add(&a->c8, cur, low, (unsigned)wd);
    } else {
        const unsigned sh = ring_log2((unsigned)wd);
        for (size_t k = 0; k < count; k++)
            ring_msc_sum_mul_add(&a->coef[k], &cur[k >> sh], &low[k & (wd - 1)]);
    }
    if (count == ring_ipow(n, m))
        return;
    /* Padding: the indices from count up are count itself and, for each
     * digit j, those that agree with count above j and exceed its digit d_j
     * at j (any digits below). As sum_i f_{t,i} = xi for every digit t, the
     * latter sum to w3 prod_{t>j} f_{t,d_t} (sum_{i>d_j} f_{j,i}) xi^j. */
    struct ring_msc prefix, s, xj, pad = {{0}};
    ring_msc_from_bytes(&prefix, w[2]);
    ring_msc_from_bytes(&one, (const uint8_t[32]){1});
    for (unsigned j = m; j-- > 0;) {
        size_t pw = ring_ipow(n, j);
        const unsigned d = (unsigned)(count / pw % n);
        s = (struct ring_msc){{0}};
        for (unsigned i = d + 1; i < n; i++)
            ring_msc_add(&s, &s, &fm[j][i]);
        xj = one;
        for (unsigned r = 0; r < j; r++)
            ring_msc_mul(&xj, &xj, &q->xim);
        ring_msc_mul(&s, &s, &xj);
        ring_msc_mul(&s, &s, &prefix);
        ring_msc_add(&pad, &pad, &s);
        ring_msc_mul(&prefix, &prefix, &fm[j][d]);
    }
    ring_msc_add(&pad, &pad, &prefix);
    ring_msc_sum_mul_add(&a->last, &pad, &one);
}

struct batch_job {
    const struct ring_keys *ring;
    const uint8_t *u;
    const struct ring_batch_item *items;
    struct parsed *qs;
    size_t lo, hi;
    struct acc *acc;
    int rc;
    struct err err;
};

static void *batch_run(void *arg)
{
    struct batch_job *j = arg;
    j->rc = 0;
    for (size_t k = j->lo; k < j->hi; k++) {
        if (parse_proof(&j->qs[k], j->ring, j->u, &j->items[k], k, &j->err) != 0) {
            j->rc = -1;
            break;
        }
        accumulate(j->acc, &j->qs[k], j->ring->count);
    }
    return NULL;
}

static void acc_free(struct acc *a)
{
    if (!a)
        return;
    free(a->coef);
    free(a->scratch[0]);
    free(a->scratch[1]);
    ring_coef8_free(&a->c8);
    free(a);
}

int ring_verify_batch(const struct ring_keys *ring, const uint8_t *scope, size_t scope_len,
                      const struct ring_batch_item *items, size_t count, struct err *e)
{
    int rc = -1;
    uint8_t u[32];
    struct parsed *qs = NULL;
    struct acc *accs[2] = {NULL, NULL};
    ring_point *pts = NULL;
    uint8_t(*sc)[32] = NULL, (*ringsc)[32] = NULL;
    size_t npts = 0;

    if (count == 0)
        return 0;
    if (ring_gens_ready(e) != 0 || ring_tag_base(u, scope, scope_len, e) != 0)
        return -1;
    /* size everything from the headers */
    size_t pad = 0, per = 0;
    unsigned mmax = 0, nmax = 0;
    for (size_t k = 0; k < count; k++) {
        if (items[k].proof_len < RING_PROOF_HEADER)
            return err_set(e, ERR_INVALID, "proof %zu is %zu bytes, shorter than its header", k,
                           items[k].proof_len);
        struct ring_params p = {items[k].proof[1], items[k].proof[2]};
        if (!ring_params_valid(p, ring->count))
            return err_set(e, ERR_INVALID,
                           "proof %zu has parameters n=%u m=%u, which do not fit a ring of %zu "
                           "keys",
                           k, p.n, p.m, ring->count);
        size_t pp = ring_ipow(p.n, p.m);
        pad = pp > pad ? pp : pad;
        mmax = p.m > mmax ? p.m : mmax;
        nmax = p.n > nmax ? p.n : nmax;
        per += 5 + 2 * (size_t)p.m;
    }
    const size_t shared = (size_t)mmax * nmax + 3;
    npts = shared + per;
    qs = calloc(count, sizeof *qs);
    pts = malloc(npts * sizeof *pts);
    sc = calloc(npts, 32);
    if (!qs || !pts || !sc)
        goto nomem;
    size_t off = shared;
    for (size_t k = 0; k < count; k++) {
        qs[k].pts = pts + off;
        qs[k].sc = sc + off;
        off += 5 + 2 * (size_t)items[k].proof[2];
    }
    const unsigned threads = (count >= 2 && ring_ncores() > 1) ? 2 : 1;
    /* asked once: both threads' sums must have the same form to be merged */
    const int vec = ring_coef8_available();
    for (unsigned t = 0; t < threads; t++) {
        accs[t] = calloc(1, sizeof *accs[t]);
        if (!accs[t])
            goto nomem;
        accs[t]->scratch[0] = malloc(pad / 2 * sizeof(struct ring_msc) + sizeof(struct ring_msc));
        accs[t]->scratch[1] = malloc(pad / 2 * sizeof(struct ring_msc) + sizeof(struct ring_msc));
        if (!accs[t]->scratch[0] || !accs[t]->scratch[1])
            goto nomem;
        if (vec) {
            /* the tree's last level has ceil(count / W) entries, W >= 2 */
            if (ring_coef8_init(&accs[t]->c8, ring->count, ring->count / 2 + 1, e) != 0)
                goto out;
            accs[t]->vec = 1;
        } else {
            accs[t]->coef = calloc(ring->count, sizeof(struct ring_msc_sum));
            if (!accs[t]->coef)
                goto nomem;
        }
    }
    struct batch_job jobs[2];
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (struct batch_job){.ring = ring,
                                     .u = u,
                                     .items = items,
                                     .qs = qs,
                                     .lo = count * t / threads,
                                     .hi = count * (t + 1) / threads,
                                     .acc = accs[t],
                                     .rc = 0};
        err_init(&jobs[t].err);
    }
    pthread_t tid;
    int spawned = 0;
    if (threads == 2) {
        spawned = pthread_create(&tid, NULL, batch_run, &jobs[1]) == 0;
        if (!spawned) {
            jobs[0].hi = count;
            jobs[1].lo = jobs[1].hi = count;
        }
    }
    batch_run(&jobs[0]);
    if (spawned)
        pthread_join(tid, NULL);
    for (unsigned t = 0; t < threads; t++)
        if (jobs[t].rc != 0) {
            if (e)
                *e = jobs[t].err;
            goto out;
        }
    /* merge the accumulators into the shared scalars */
    struct acc *a = accs[0];
    if (threads == 2) {
        struct acc *b = accs[1];
        if (a->vec)
            ring_coef8_add(&a->c8, &b->c8);
        else
            for (size_t k = 0; k < ring->count; k++)
                ring_msc_sum_add(&a->coef[k], &b->coef[k]);
        ring_msc_sum_add(&a->last, &b->last);
        for (unsigned j = 0; j < RING_MAX_M; j++)
            for (unsigned i = 0; i < RING_MAX_N; i++)
                ring_msc_sum_add(&a->g[j][i], &b->g[j][i]);
        crypto_core_ristretto255_scalar_add(a->h, a->h, b->h);
        crypto_core_ristretto255_scalar_add(a->base, a->base, b->base);
        crypto_core_ristretto255_scalar_add(a->u, a->u, b->u);
    }
    ringsc = malloc(ring->count * 32);
    if (!ringsc)
        goto nomem;
    for (size_t k = 0; k < ring->count; k++) {
        struct ring_msc_sum x;
        struct ring_msc v;
        if (a->vec)
            ring_coef8_get(&a->c8, k, &x);
        else
            x = a->coef[k];
        if (k == ring->count - 1)
            ring_msc_sum_add(&x, &a->last);
        ring_msc_sum_reduce(&v, &x);
        ring_msc_to_bytes(ringsc[k], &v);
    }
    size_t k = 0;
    for (unsigned j = 0; j < mmax; j++)
        for (unsigned i = 0; i < nmax; i++, k++) {
            struct ring_msc v;
            ring_msc_sum_reduce(&v, &a->g[j][i]);
            ring_msc_to_bytes(sc[k], &v);
            crypto_core_ristretto255_scalar_negate(sc[k], sc[k]);
            pts[k] = ring_gen_g[j][i];
        }
    memcpy(sc[k], a->h, 32);
    pts[k++] = ring_gen_h;
    memcpy(sc[k], a->base, 32);
    pts[k++] = *decaf_255_point_base;
    memcpy(sc[k], a->u, 32);
    if (ring_point_decode(&pts[k], u, 0, "tag base", e) != 0)
        goto out;
    /* one MSM: the ring's keys in place, then everything else */
    ring_point res;
    const struct ring_msm_seg segs[2] = {{(const uint8_t(*)[32])ringsc, ring->keys, ring->count},
                                         {(const uint8_t(*)[32])sc, pts, npts}};
    if (ring_msm_segs(&res, segs, 2, 0, e) != 0)
        goto out;
    if (!ring_point_is_identity(&res)) {
        err_set(e, ERR_CRYPTO,
                count == 1 ? "the ring signature does not verify"
                           : "at least one ring signature of the batch does not verify");
        goto out;
    }
    rc = 0;
    goto out;
nomem:
    err_set(e, ERR_NOMEM, "out of memory verifying %zu proofs on a ring of %zu keys", count,
            ring->count);
out:
    free(qs);
    free(pts);
    free(sc);
    free(ringsc);
    acc_free(accs[0]);
    acc_free(accs[1]);
    return rc;
}

int ring_verify(const struct ring_keys *ring, const uint8_t *proof, size_t proof_len,
                const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                uint8_t tag[RING_POINT_BYTES], struct err *e)
{
    struct ring_batch_item it = {proof, proof_len, msg, msg_len};
    if (ring_verify_batch(ring, scope, scope_len, &it, 1, e) != 0)
        return -1;
    if (tag)
        memcpy(tag, proof + RING_OFF_J, 32);
    return 0;
}
