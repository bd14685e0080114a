/* triptych.c — Triptych prove / verify / batch-verify (docs/protocol-ring.md). */
#include "ring/triptych.h"

#include "ring/h2c.h"
#include "ring/msm.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char DST_GEN[] = "DISSENT-RING-V1-GENERATORS_XMD:SHA-512_R255MAP_RO_";
static const char DST_TAG[] = "DISSENT-RING-V1-TAG_XMD:SHA-512_R255MAP_RO_";
static const char DST_FS[] = "DISSENT-RING-V1-TRIPTYCH-FS";
static const char DST_RING[] = "DISSENT-RING-V1-RING-DIGEST";

#define MAX_N 16
#define MAX_M 24

struct ring_keys {
    size_t count;
    ring_point *keys;
    uint8_t (*enc)[32];
    uint8_t digest[RING_DIGEST_BYTES];
};

/* ---------- generators ---------- */

static ring_point gen_h;               /* H */
static ring_point gen_g[MAX_M][MAX_N]; /* G_{j,i} */
static pthread_once_t gen_once = PTHREAD_ONCE_INIT;
static int gen_status = -1;

static int hash_point(ring_point *p, const uint8_t *msg, size_t len, const char *dst)
{
    uint8_t enc[32];
    struct err e;
    if (ring_hash_to_group(enc, msg, len, (const uint8_t *)dst, strlen(dst), &e) != 0)
        return -1;
    return ring_point_decode(p, enc, 0, "generator", &e);
}

static void gen_init(void)
{
    if (hash_point(&gen_h, (const uint8_t *)"H", 1, DST_GEN) != 0)
        return;
    for (unsigned j = 0; j < MAX_M; j++)
        for (unsigned i = 0; i < MAX_N; i++) {
            uint8_t msg[9] = {'G', 0, 0, 0, (uint8_t)j, 0, 0, 0, (uint8_t)i};
            if (hash_point(&gen_g[j][i], msg, sizeof msg, DST_GEN) != 0)
                return;
        }
    gen_status = 0;
}

static int gens_ready(struct err *e)
{
    if (ring_init(e) != 0)
        return -1;
    pthread_once(&gen_once, gen_init);
    if (gen_status != 0)
        return err_set(e, ERR_INTERNAL, "ring generators could not be derived");
    return 0;
}

/* ---------- small helpers ---------- */

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_u64(uint8_t *p, uint64_t v)
{
    put_u32(p, (uint32_t)(v >> 32));
    put_u32(p + 4, (uint32_t)v);
}

static unsigned log2_of(unsigned n)
{
    unsigned k = 0;
    while ((1u << k) < n)
        k++;
    return k;
}

static size_t ipow(unsigned n, unsigned m)
{
    size_t r = 1;
    for (unsigned k = 0; k < m; k++)
        r *= n;
    return r;
}

static unsigned ncores(void)
{
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2u : 1u;
}

/* ---------- rings ---------- */

struct decode_job {
    struct ring_keys *r;
    size_t lo, hi;
    size_t bad; /* first bad index, or SIZE_MAX */
};

static void *decode_run(void *arg)
{
    struct decode_job *j = arg;
    j->bad = SIZE_MAX;
    for (size_t i = j->lo; i < j->hi; i++) {
        if (ring_point_decode(&j->r->keys[i], j->r->enc[i], 0, "key", NULL) != 0) {
            j->bad = i;
            break;
        }
    }
    return NULL;
}

int ring_keys_new(struct ring_keys **out, const uint8_t (*keys)[RING_POINT_BYTES], size_t count,
                  struct err *e)
{
    struct ring_keys *r = NULL;
    *out = NULL;
    if (count == 0 || count > RING_MAX_MEMBERS)
        return err_set(e, ERR_INVALID, "a ring holds 1 to %u keys, not %zu", RING_MAX_MEMBERS,
                       count);
    if (ring_init(e) != 0)
        return -1;
    r = calloc(1, sizeof *r);
    if (!r)
        goto nomem;
    r->count = count;
    r->keys = malloc(count * sizeof *r->keys);
    r->enc = malloc(count * sizeof *r->enc);
    if (!r->keys || !r->enc)
        goto nomem;
    memcpy(r->enc, keys, count * sizeof *r->enc);

    struct decode_job jobs[2] = {{r, 0, count, SIZE_MAX}, {r, count, count, SIZE_MAX}};
    pthread_t tid;
    int spawned = 0;
    if (count >= 256 && ncores() > 1) {
        jobs[0].hi = count / 2;
        jobs[1].lo = count / 2;
        spawned = pthread_create(&tid, NULL, decode_run, &jobs[1]) == 0;
        if (!spawned)
            jobs[0].hi = count;
    }
    decode_run(&jobs[0]);
    if (spawned)
        pthread_join(tid, NULL);
    size_t bad = jobs[0].bad != SIZE_MAX ? jobs[0].bad : (spawned ? jobs[1].bad : SIZE_MAX);
    if (bad != SIZE_MAX) {
        err_set(e, ERR_INVALID,
                "ring key %zu is not a canonical ristretto255 encoding of a point other than "
                "the identity",
                bad);
        ring_keys_free(r);
        return -1;
    }

    crypto_hash_sha512_state st;
    uint8_t hdr[1 + sizeof DST_RING - 1 + 8];
    hdr[0] = (uint8_t)(sizeof DST_RING - 1);
    memcpy(hdr + 1, DST_RING, sizeof DST_RING - 1);
    put_u64(hdr + sizeof DST_RING, (uint64_t)count);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, hdr, sizeof hdr);
    crypto_hash_sha512_update(&st, &r->enc[0][0], count * 32);
    crypto_hash_sha512_final(&st, r->digest);
    *out = r;
    return 0;
nomem:
    ring_keys_free(r);
    return err_set(e, ERR_NOMEM, "out of memory for a ring of %zu keys", count);
}

void ring_keys_free(struct ring_keys *r)
{
    if (!r)
        return;
    free(r->keys);
    free(r->enc);
    free(r);
}

size_t ring_keys_count(const struct ring_keys *r)
{
    return r->count;
}

const uint8_t *ring_keys_digest(const struct ring_keys *r)
{
    return r->digest;
}

/* ---------- parameters ---------- */

unsigned ring_params_digits(size_t count, unsigned n)
{
    unsigned m = 1;
    size_t cap = n;
    while (cap < count) {
        cap *= n;
        m++;
    }
    return m;
}

int ring_params_for(size_t count, struct ring_params *p, struct err *e)
{
    if (count == 0 || count > RING_MAX_MEMBERS)
        return err_set(e, ERR_INVALID, "a ring holds 1 to %u keys, not %zu", RING_MAX_MEMBERS,
                       count);
    /* n = 4 everywhere: see docs/protocol-ring.md "Choice of radix" */
    p->n = 4;
    p->m = ring_params_digits(count, p->n);
    return 0;
}

size_t ring_proof_len(struct ring_params p)
{
    return RING_PROOF_HEADER + 32u * (5u + 2u * p.m) + 32u * (p.m * (p.n - 1u) + 3u);
}

static int params_valid(struct ring_params p, size_t count)
{
    if (p.n != 2 && p.n != 4 && p.n != 8 && p.n != 16)
        return 0;
    return p.m == ring_params_digits(count, p.n);
}

/* ---------- tags and keys ---------- */

int ring_tag_base(uint8_t u[RING_POINT_BYTES], const uint8_t *scope, size_t scope_len,
                  struct err *e)
{
    if (scope_len == 0)
        return err_set(e, ERR_INVALID, "the tag scope (memo id) is empty");
    if (ring_hash_to_group(u, scope, scope_len, (const uint8_t *)DST_TAG, sizeof DST_TAG - 1, e) !=
        0)
        return -1;
    if (sodium_is_zero(u, 32))
        return err_set(e, ERR_INVALID, "the tag scope hashes to the identity");
    return 0;
}

static int check_sk(const uint8_t sk[32], struct err *e)
{
    if (!ring_scalar_is_canonical(sk) || ring_scalar_is_zero(sk))
        return err_set(e, ERR_INVALID, "the ring secret key is zero or not a canonical scalar");
    return 0;
}

int ring_tag(uint8_t j[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES],
             const uint8_t *scope, size_t scope_len, struct err *e)
{
    uint8_t u[32], inv[32];
    ring_point up, jp;
    int rc = -1;
    if (ring_init(e) != 0 || check_sk(sk, e) != 0 || ring_tag_base(u, scope, scope_len, e) != 0)
        goto out;
    if (ring_point_decode(&up, u, 0, "tag base", e) != 0)
        goto out;
    if (crypto_core_ristretto255_scalar_invert(inv, sk) != 0) {
        err_set(e, ERR_INVALID, "the ring secret key is not invertible");
        goto out;
    }
    ring_scalarmul_ct(&jp, inv, &up);
    ring_point_encode(j, &jp);
    rc = 0;
out:
    sodium_memzero(inv, sizeof inv);
    sodium_memzero(&jp, sizeof jp);
    return rc;
}

void ring_keypair(uint8_t pk[RING_POINT_BYTES], uint8_t sk[RING_SCALAR_BYTES])
{
    struct err e;
    if (ring_init(&e) != 0)
        abort(); /* libsodium cannot start: nothing safe to do */
    ring_scalar_random(sk);
    if (crypto_scalarmult_ristretto255_base(pk, sk) != 0)
        abort(); /* unreachable: sk is nonzero */
}

int ring_public_key(uint8_t pk[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES],
                    struct err *e)
{
    if (ring_init(e) != 0 || check_sk(sk, e) != 0)
        return -1;
    if (crypto_scalarmult_ristretto255_base(pk, sk) != 0)
        return err_set(e, ERR_INVALID, "the ring secret key gives the identity");
    return 0;
}

/* ---------- transcript ---------- */

/* xi = SHA-512(transcript) mod l; see docs/protocol-ring.md. commitments
 * points at A..Y (32*(4+2m) bytes). */
static void challenge(uint8_t xi[32], struct ring_params p, const struct ring_keys *ring,
                      const uint8_t u[32], const uint8_t j[32], const uint8_t *msg,
                      size_t msg_len, const uint8_t *commitments)
{
    crypto_hash_sha512_state st;
    uint8_t hdr[1 + sizeof DST_FS - 1 + 4 + 4 + 8], len8[8], h[64];
    hdr[0] = (uint8_t)(sizeof DST_FS - 1);
    memcpy(hdr + 1, DST_FS, sizeof DST_FS - 1);
    put_u32(hdr + sizeof DST_FS, p.n);
    put_u32(hdr + sizeof DST_FS + 4, p.m);
    put_u64(hdr + sizeof DST_FS + 8, (uint64_t)ring->count);
    put_u64(len8, (uint64_t)msg_len);
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, hdr, sizeof hdr);
    crypto_hash_sha512_update(&st, ring->digest, RING_DIGEST_BYTES);
    crypto_hash_sha512_update(&st, u, 32);
    crypto_hash_sha512_update(&st, j, 32);
    crypto_hash_sha512_update(&st, len8, 8);
    if (msg_len)
        crypto_hash_sha512_update(&st, msg, msg_len);
    crypto_hash_sha512_update(&st, commitments, 32u * (4u + 2u * p.m));
    crypto_hash_sha512_final(&st, h);
    ring_scalar_from_hash(xi, h);
}

/* Proof layout offsets. */
#define OFF_J RING_PROOF_HEADER
#define OFF_A (OFF_J + 32)
static size_t off_x(void) { return OFF_A + 4 * 32; }
static size_t off_y(unsigned m) { return off_x() + (size_t)m * 32; }
static size_t off_f(unsigned m) { return off_y(m) + (size_t)m * 32; }
static size_t off_z(struct ring_params p) { return off_f(p.m) + (size_t)p.m * (p.n - 1) * 32; }

/* ---------- prover ---------- */

struct fold_job {
    const ring_point *old; /* entries of deg+1 points (coefficients of x^0..x^deg) */
    size_t old_count;      /* entries in old (indices past it repeat the last: padding) */
    ring_point *next;      /* entries of deg+step+1 points */
    size_t r0, r1;
    unsigned n, deg, step;  /* step: digits folded at once (1 or 2) */
    const uint8_t (*a0)[32]; /* a_{t,i} */
    const uint8_t (*a1)[32]; /* a_{t+1,i} (step 2) */
    const uint8_t (*b)[32];  /* b[i1*n+i0] = a_{t,i0} a_{t+1,i1} (step 2) */
    const uint64_t *mask0;  /* mask0[i] = all ones iff i == l_t */
    const uint64_t *mask1;  /* the same for l_{t+1} */
    int fail;
};

#define FOLD_MAX (MAX_N * MAX_N + 2 * MAX_N)

static const ring_point *old_at(const struct fold_job *j, size_t idx, unsigned d)
{
    if (idx >= j->old_count)
        idx = j->old_count - 1; /* public: padding depends on the ring size only */
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
                    const uint8_t (*a)[MAX_N][32], const uint64_t (*mask)[MAX_N], struct err *e)
{
    int rc = -1;
    const ring_point *old = ring->keys;
    size_t old_count = ring->count;
    ring_point *bufs[2] = {NULL, NULL};
    size_t bufsz[2] = {0, 0};
    size_t entries = ipow(p.n, p.m);
    uint8_t(*b)[32] = sodium_malloc(MAX_N * MAX_N * 32);
    if (!b) {
        err_set(e, ERR_NOMEM, "out of memory while proving");
        return -1;
    }
    unsigned t = 0, deg = 0;
    for (int slot = 0; t < p.m; slot ^= 1) {
        const unsigned step = p.m - t >= 2 ? 2 : 1;
        const size_t group = step == 2 ? (size_t)p.n * p.n : p.n;
        const size_t s = entries / group;
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
            jobs[k] = (struct fold_job){.old = old, .old_count = old_count, .next = next,
                                        .r0 = 0, .r1 = s, .n = p.n, .deg = deg, .step = step,
                                        .a0 = a[t], .a1 = step == 2 ? a[t + 1] : a[t],
                                        .b = (const uint8_t(*)[32])b, .mask0 = mask[t],
                                        .mask1 = step == 2 ? mask[t + 1] : mask[t], .fail = 0};
        pthread_t tid;
        int spawned = 0;
        if (s >= 2 && ncores() > 1) {
            jobs[0].r1 = s / 2;
            jobs[1].r0 = s / 2;
            spawned = pthread_create(&tid, NULL, fold_run, &jobs[1]) == 0;
            if (!spawned)
                jobs[0].r1 = s;
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
        if (jobs[0].fail || (spawned && jobs[1].fail)) {
            err_set(e, ERR_NOMEM, "out of memory while proving");
            goto out;
        }
        old = next;
        old_count = s;
        entries = s;
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
static int commit(ring_point *out, struct ring_params p, const uint8_t (*v)[MAX_N][32],
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
            pts[k] = gen_g[j][i];
        }
    memcpy(s[k], r, 32);
    pts[k] = gen_h;
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
    uint8_t a[MAX_M][MAX_N][32], sigma[MAX_M][MAX_N][32], c[MAX_M][MAX_N][32],
        d[MAX_M][MAX_N][32];
    uint64_t mask[MAX_M][MAX_N];
    uint8_t ra[32], rb[32], rc[32], rd[32], rho[MAX_M][32], rinv[32], xi[32], xipow[MAX_M + 1][32],
        tmp[32];
    ring_point fold[MAX_M + 1], pt;
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
    return ring_prove_with(proof, proof_len, p, ring, index, sk, scope, scope_len, msg, msg_len,
                           e);
}

int ring_prove_with(uint8_t **proof, size_t *proof_len, struct ring_params p,
                    const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                    const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                    struct err *e)
{
    struct prover_secrets *s = NULL;
    uint8_t *buf = NULL, u[32], pk[32];
    ring_point up, jp;
    int rc = -1;
    *proof = NULL;
    *proof_len = 0;

    if (gens_ready(e) != 0 || check_sk(sk, e) != 0)
        goto out;
    if (!params_valid(p, ring->count)) {
        err_set(e, ERR_INVALID, "parameters n=%u m=%u do not fit a ring of %zu keys", p.n, p.m,
                ring->count);
        goto out;
    }
    if (index >= ring->count) {
        err_set(e, ERR_INVALID, "signer index %zu is outside a ring of %zu keys", index,
                ring->count);
        goto out;
    }
    if (crypto_scalarmult_ristretto255_base(pk, sk) != 0 || !key_at(ring, index, pk)) {
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
    if (crypto_core_ristretto255_scalar_invert(s->rinv, sk) != 0) {
        err_set(e, ERR_INVALID, "the ring secret key is not invertible");
        goto out;
    }
    ring_scalarmul_ct(&jp, s->rinv, &up);
    ring_point_encode(buf + OFF_J, &jp);

    const unsigned lg = log2_of(p.n);
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
        uint8_t *cm = buf + OFF_A;
        if (commit(&s->pt, p, (const uint8_t(*)[MAX_N][32])s->a, s->ra, e) != 0)
            goto out;
        ring_point_encode(cm, &s->pt);
        if (commit(&s->pt, p, (const uint8_t(*)[MAX_N][32])s->sigma, s->rb, e) != 0)
            goto out;
        ring_point_encode(cm + 32, &s->pt);
        if (commit(&s->pt, p, (const uint8_t(*)[MAX_N][32])s->c, s->rc, e) != 0)
            goto out;
        ring_point_encode(cm + 64, &s->pt);
        if (commit(&s->pt, p, (const uint8_t(*)[MAX_N][32])s->d, s->rd, e) != 0)
            goto out;
        ring_point_encode(cm + 96, &s->pt);

        if (fold_all(s->fold, ring, p, (const uint8_t(*)[MAX_N][32])s->a,
                     (const uint64_t(*)[MAX_N])s->mask, e) != 0)
            goto out;
        for (unsigned j = 0; j < p.m; j++) {
            /* X_j = P_j + rho_j G, Y_j = rho_j J */
            ring_scalarmul_ct(&s->pt, s->rho[j], decaf_255_point_base);
            decaf_255_point_add(&s->pt, &s->pt, &s->fold[j]);
            ring_point_encode(buf + off_x() + 32u * j, &s->pt);
            ring_scalarmul_ct(&s->pt, s->rho[j], &jp);
            ring_point_encode(buf + off_y(p.m) + 32u * j, &s->pt);
        }

        challenge(s->xi, p, ring, u, buf + OFF_J, msg, msg_len, buf + OFF_A);
        if (ring_scalar_is_zero(s->xi))
            continue;
        memcpy(s->xipow[0], one, 32);
        for (unsigned j = 1; j <= p.m; j++)
            crypto_core_ristretto255_scalar_mul(s->xipow[j], s->xipow[j - 1], s->xi);

        int zero = 0;
        uint8_t *f = buf + off_f(p.m);
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
        uint8_t *z = buf + off_z(p);
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

/* ---------- verifier ---------- */

int ring_proof_tag(uint8_t j[RING_POINT_BYTES], const uint8_t *proof, size_t proof_len,
                   struct err *e)
{
    ring_point jp;
    if (proof_len < OFF_J + 32)
        return err_set(e, ERR_INVALID, "the proof is %zu bytes, too short to hold a tag",
                       proof_len);
    if (ring_point_decode(&jp, proof + OFF_J, 0, "the proof's tag J", e) != 0)
        return -1;
    memcpy(j, proof + OFF_J, 32);
    return 0;
}

/* One parsed proof and its part of the batch equation. */
struct parsed {
    struct ring_params p;
    const uint8_t *buf;
    ring_point *pts;    /* slot in the MSM: J, A, B, C, D, X.., Y.. */
    uint8_t (*sc)[32];  /* their scalars */
    uint8_t f[MAX_M][MAX_N][32];
    uint8_t xi[32];
};

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
    if (!params_valid(q->p, ring->count))
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
        if (ring_point_decode(&q->pts[k], b + OFF_J + 32u * k, 0, what, e) != 0)
            return -1;
    }
    const uint8_t *f = b + off_f(m);
    const size_t nscal = (size_t)m * (n - 1) + 3;
    for (size_t k = 0; k < nscal; k++) {
        const uint8_t *x = f + 32 * k;
        if (!ring_scalar_is_canonical(x))
            return err_set(e, ERR_INVALID, "proof %zu scalar %zu is not canonical", idx, k);
        if (ring_scalar_is_zero(x))
            return err_set(e, ERR_INVALID, "proof %zu scalar %zu is zero", idx, k);
    }
    challenge(q->xi, q->p, ring, u, b + OFF_J, it->msg, it->msg_len, b + OFF_A);
    if (ring_scalar_is_zero(q->xi))
        return err_set(e, ERR_CRYPTO, "proof %zu has a zero challenge", idx);
    for (unsigned j = 0; j < m; j++) {
        memcpy(q->f[j][0], q->xi, 32);
        for (unsigned i = 1; i < n; i++) {
            memcpy(q->f[j][i], f, 32);
            crypto_core_ristretto255_scalar_sub(q->f[j][0], q->f[j][0], f);
            f += 32;
        }
        if (ring_scalar_is_zero(q->f[j][0]))
            return err_set(e, ERR_INVALID, "proof %zu has a zero response f[%u][0]", idx, j);
    }
    return 0;
}

/* Per-thread accumulators of the shared generators' scalars. */
struct acc {
    uint8_t g[MAX_M][MAX_N][32], h[32], base[32], u[32];
    struct ring_msc *coef; /* padded ring coefficients, Montgomery form */
    struct ring_msc *scratch[2];
};

/* Adds proof q's terms with random weights to acc and to its own MSM slot. */
static void accumulate(struct acc *a, const struct parsed *q)
{
    const unsigned m = q->p.m, n = q->p.n;
    uint8_t w[4][32], t[32], t2[32], xipow[MAX_M + 1][32];
    const uint8_t *z = q->buf + off_z(q->p);
    for (int k = 0; k < 4; k++)
        ring_scalar_random(w[k]);
    memset(xipow[0], 0, 32);
    xipow[0][0] = 1;
    for (unsigned j = 1; j <= m; j++)
        crypto_core_ristretto255_scalar_mul(xipow[j], xipow[j - 1], q->xi);
    /* slots: J, A, B, C, D, X.., Y.. */
    crypto_core_ristretto255_scalar_mul(t, w[3], z + 64);
    crypto_core_ristretto255_scalar_negate(q->sc[0], t);         /* J: -w4 z */
    memcpy(q->sc[1], w[0], 32);                                  /* A: w1 */
    crypto_core_ristretto255_scalar_mul(q->sc[2], w[0], q->xi);  /* B: w1 xi */
    crypto_core_ristretto255_scalar_mul(q->sc[3], w[1], q->xi);  /* C: w2 xi */
    memcpy(q->sc[4], w[1], 32);                                  /* D: w2 */
    for (unsigned j = 0; j < m; j++) {
        crypto_core_ristretto255_scalar_mul(t, w[2], xipow[j]);
        crypto_core_ristretto255_scalar_negate(q->sc[5 + j], t); /* X_j: -w3 xi^j */
        crypto_core_ristretto255_scalar_mul(t, w[3], xipow[j]);
        crypto_core_ristretto255_scalar_negate(q->sc[5 + m + j], t); /* Y_j: -w4 xi^j */
    }
    /* G_{j,i}: -(w1 f + w2 f (xi - f)) */
    for (unsigned j = 0; j < m; j++)
        for (unsigned i = 0; i < n; i++) {
            const uint8_t *f = q->f[j][i];
            crypto_core_ristretto255_scalar_sub(t, q->xi, f);
            crypto_core_ristretto255_scalar_mul(t, t, f);
            crypto_core_ristretto255_scalar_mul(t, t, w[1]);
            crypto_core_ristretto255_scalar_mul(t2, w[0], f);
            crypto_core_ristretto255_scalar_add(t, t, t2);
            crypto_core_ristretto255_scalar_sub(a->g[j][i], a->g[j][i], t);
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

    /* ring coefficients: coef[k] += w3 prod_j f_{j,k_j}, k = sum k_j n^j */
    struct ring_msc fm[MAX_M][MAX_N];
    for (unsigned j = 0; j < m; j++)
        for (unsigned i = 0; i < n; i++)
            ring_msc_from_bytes(&fm[j][i], q->f[j][i]);
    struct ring_msc *cur = a->scratch[0], *nxt = a->scratch[1];
    ring_msc_from_bytes(&cur[0], w[2]);
    size_t len = 1;
    for (unsigned j = m; j-- > 1;) {
        for (size_t x = 0; x < len; x++)
            for (unsigned i = 0; i < n; i++)
                ring_msc_mul(&nxt[x * n + i], &cur[x], &fm[j][i]);
        len *= n;
        struct ring_msc *sw = cur;
        cur = nxt;
        nxt = sw;
    }
    for (size_t x = 0; x < len; x++)
        for (unsigned i = 0; i < n; i++) {
            struct ring_msc v;
            ring_msc_mul(&v, &cur[x], &fm[0][i]);
            ring_msc_add(&a->coef[x * n + i], &a->coef[x * n + i], &v);
        }
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
        accumulate(j->acc, &j->qs[k]);
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
    if (gens_ready(e) != 0 || ring_tag_base(u, scope, scope_len, e) != 0)
        return -1;
    /* size everything from the headers */
    size_t pad = 0, per = 0;
    unsigned mmax = 0, nmax = 0;
    for (size_t k = 0; k < count; k++) {
        if (items[k].proof_len < RING_PROOF_HEADER)
            return err_set(e, ERR_INVALID, "proof %zu is %zu bytes, shorter than its header", k,
                           items[k].proof_len);
        struct ring_params p = {items[k].proof[1], items[k].proof[2]};
        if (!params_valid(p, ring->count))
            return err_set(e, ERR_INVALID,
                           "proof %zu has parameters n=%u m=%u, which do not fit a ring of %zu "
                           "keys",
                           k, p.n, p.m, ring->count);
        size_t pp = ipow(p.n, p.m);
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
    const unsigned threads = (count >= 2 && ncores() > 1) ? 2 : 1;
    for (unsigned t = 0; t < threads; t++) {
        accs[t] = calloc(1, sizeof *accs[t]);
        if (!accs[t])
            goto nomem;
        accs[t]->coef = calloc(pad, sizeof(struct ring_msc));
        accs[t]->scratch[0] = malloc(pad / 2 * sizeof(struct ring_msc) + sizeof(struct ring_msc));
        accs[t]->scratch[1] = malloc(pad / 2 * sizeof(struct ring_msc) + sizeof(struct ring_msc));
        if (!accs[t]->coef || !accs[t]->scratch[0] || !accs[t]->scratch[1])
            goto nomem;
    }
    struct batch_job jobs[2];
    for (unsigned t = 0; t < threads; t++) {
        jobs[t] = (struct batch_job){.ring = ring, .u = u, .items = items, .qs = qs,
                                     .lo = count * t / threads, .hi = count * (t + 1) / threads,
                                     .acc = accs[t], .rc = 0};
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
        for (size_t k = 0; k < pad; k++)
            ring_msc_add(&a->coef[k], &a->coef[k], &b->coef[k]);
        for (unsigned j = 0; j < MAX_M; j++)
            for (unsigned i = 0; i < MAX_N; i++)
                crypto_core_ristretto255_scalar_add(a->g[j][i], a->g[j][i], b->g[j][i]);
        crypto_core_ristretto255_scalar_add(a->h, a->h, b->h);
        crypto_core_ristretto255_scalar_add(a->base, a->base, b->base);
        crypto_core_ristretto255_scalar_add(a->u, a->u, b->u);
    }
    /* padding: keys past the ring repeat the last key */
    for (size_t k = ring->count; k < pad; k++)
        ring_msc_add(&a->coef[ring->count - 1], &a->coef[ring->count - 1], &a->coef[k]);
    ringsc = malloc(ring->count * 32);
    if (!ringsc)
        goto nomem;
    for (size_t k = 0; k < ring->count; k++)
        ring_msc_to_bytes(ringsc[k], &a->coef[k]);
    size_t k = 0;
    for (unsigned j = 0; j < mmax; j++)
        for (unsigned i = 0; i < nmax; i++, k++) {
            memcpy(sc[k], a->g[j][i], 32);
            pts[k] = gen_g[j][i];
        }
    memcpy(sc[k], a->h, 32);
    pts[k++] = gen_h;
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
        memcpy(tag, proof + OFF_J, 32);
    return 0;
}
