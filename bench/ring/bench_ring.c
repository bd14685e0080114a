/* bench_ring.c — figures for src/ring: MSM per point against naive scalar
 * multiplication, and Triptych prove / verify / batch-verify / proof size at
 * ring sizes 2^10 .. 2^16 and 2^20, with the radix table's choice against
 * radix 4 in the same run. Prints figures and ratios; never asserts.
 *
 * DISSENT_BENCH_QUICK=1 runs only the small sizes (2^10, 2^12).
 * Times are wall clock; "cpu" is the process's CPU time over both threads
 * (a wall time far above cpu/2 means the machine was busy with other work).
 * Batches: proving takes about 0.5 s per proof at 2^16, so a batch of B items is made
 * of D distinct proofs (D printed) repeated; the verifier does exactly the
 * same work per item whether or not proofs repeat (fresh weights, full
 * parsing and coefficient computation per item). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring/group.h"
#include "ring/msm.h"
#include "ring/triptych.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU time of the whole process (both threads): tells contention from cost. */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void random_points(ring_point *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t h[64], b[32];
        randombytes_buf(h, sizeof h);
        crypto_core_ristretto255_from_hash(b, h);
        if (ring_point_decode(&p[i], b, 0, "p", NULL) != 0)
            abort();
    }
}

/* Figures of the chosen radix at the largest size run, for the ratio lines. */
static double g_prove_ms, g_verify_ms, g_batch_ms, g_batch1000_ms;
static size_t g_proof_len;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void bench_msm(size_t n)
{
    ring_point *p = malloc(n * sizeof *p), out;
    uint8_t(*s)[32] = malloc(n * 32);
    if (!p || !s)
        abort();
    random_points(p, n);
    for (size_t i = 0; i < n; i++)
        ring_scalar_random(s[i]);
    struct err e;
    /* the portable code first (the in-run baseline), then what ring_msm
     * picks on this CPU (AVX-512 IFMA when it has it) */
    enum ring_msm_impl was = ring_msm_use(RING_MSM_PORTABLE);
    double t0 = now();
    if (ring_msm(&out, (const uint8_t(*)[32])s, p, n, 0, &e) != 0)
        abort();
    double tp = now() - t0;
    ring_msm_use(was);
    t0 = now();
    if (ring_msm(&out, (const uint8_t(*)[32])s, p, n, 0, &e) != 0)
        abort();
    double t2 = now() - t0;
    t0 = now();
    if (ring_msm(&out, (const uint8_t(*)[32])s, p, n, 1, &e) != 0)
        abort();
    double t1 = now() - t0;
    size_t nn = n < 2000 ? n : 2000, nc = n < 512 ? n : 512;
    t0 = now();
    for (size_t i = 0; i < nn; i++) {
        decaf_255_scalar_t ds;
        ring_point q;
        if (decaf_255_scalar_decode(ds, s[i]) != DECAF_SUCCESS)
            abort();
        decaf_255_point_scalarmul(&q, &p[i], ds);
    }
    double tn = (now() - t0) / (double)nn;
    t0 = now();
    if (ring_msm_ct(&out, (const uint8_t(*)[32])s, p, nc, &e) != 0)
        abort();
    double tc = (now() - t0) / (double)nc;
    /* the eight-lane constant-time MSM (the prover's, on AVX-512 IFMA): the
     * first nc / 8 scalars over eight lanes of points, per lane and point */
    double tc8 = 0;
    if (ring_msm_ct8_available()) {
        ring_point out8[8];
        t0 = now();
        if (ring_msm_ct8(out8, (const uint8_t(*)[32])s, p, nc / 8, &e) != 0)
            abort();
        tc8 = (now() - t0) / (double)(nc / 8 * 8);
    }
    printf(
        "msm n=%-6zu %s pippenger %.2f us/pt (2 threads), %.2f us/pt (1 thread); portable "
        "(window %u) %.2f us/pt (2 threads), %.2fx; constant-time %.2f us/pt (eight lanes: %.2f, "
        "%.2fx); naive %.2f us/pt; naive/pippenger %.1fx\n",
        n, ring_msm_ifma_available() ? "AVX-512 IFMA" : "portable", t2 / (double)n * 1e6,
        t1 / (double)n * 1e6, ring_msm_window(n), tp / (double)n * 1e6, t2 / tp, tc * 1e6,
        tc8 * 1e6, tc8 / tc, tn * 1e6, tn / (t2 / (double)n));
    free(p);
    free(s);
}

/* Figures of one size: every radix worth showing (the table's choice marked
 * '*', and radix 4, protocol v2's first table, as the in-run baseline), then
 * repeated proofs, verifications and batches with the chosen radix. */
static void bench_ring(unsigned logn, int quick)
{
    const size_t n = (size_t)1 << logn;
    const int big = logn >= 20; /* fewer repetitions: one proof takes seconds */
    uint8_t(*pk)[32] = malloc(n * 32), sk[32];
    if (!pk)
        abort();
    uint8_t h[64];
    const size_t signer = n / 3;
    for (size_t i = 0; i < n; i++) {
        if (i == signer) {
            if (ring_keypair(pk[i], sk, NULL) != 0)
                abort();
        } else {
            randombytes_buf(h, sizeof h);
            crypto_core_ristretto255_from_hash(pk[i], h);
        }
    }
    struct err e;
    struct ring_keys *ring;
    double t0 = now();
    if (ring_keys_new(&ring, (const uint8_t(*)[32])pk, n, &e) != 0) {
        printf("ring: %s\n", e.msg);
        abort();
    }
    double tring = now() - t0;
    const uint8_t *scope = (const uint8_t *)"memo-bench", *msg = (const uint8_t *)"version";
    printf("\n== ring 2^%u = %zu keys (ring decode + digest, once per roster: %.1f ms)\n", logn, n,
           tring * 1e3);

    static const unsigned radices[] = {4, 8, 16, 2};
    enum { D = 4 };
    const int dn = big ? 2 : D; /* distinct proofs made */
    uint8_t *proofs[D] = {0};
    size_t lens[D] = {0};
    struct ring_params chosen;
    if (ring_params_for(n, &chosen, &e) != 0)
        abort();
    double base_ms = 0, chosen_ms = 0;
    for (int r = 0; r < 4; r++) {
        struct ring_params p = {radices[r], ring_params_digits(n, radices[r])};
        const int is_chosen = p.n == chosen.n;
        if (!is_chosen && p.n != 4) {
            /* other radices: for information, where they are quick to show */
            if (p.n == 2 && (quick || logn > 12))
                continue;
            if (p.n == 8 && logn != 16)
                continue;
            if (p.n == 16 && (big || ring_proof_len(p) > 2500))
                continue;
        }
        uint8_t *proof;
        size_t len;
        double c0 = cpu_now();
        t0 = now();
        if (ring_prove_with(&proof, &len, p, ring, signer, sk, scope, 10, msg, 7, &e) != 0)
            abort();
        double tp = now() - t0, cp = cpu_now() - c0;
        c0 = cpu_now();
        t0 = now();
        int ok = ring_verify(ring, proof, len, scope, 10, msg, 7, NULL, &e);
        double tv = now() - t0, cv = cpu_now() - c0;
        printf("n=%-2u m=%-2u%s prove %8.1f ms (cpu %8.1f)  verify %7.1f ms (cpu %7.1f)  proof %zu "
               "bytes  (%s)\n",
               p.n, p.m, is_chosen ? "*" : " ", tp * 1e3, cp * 1e3, tv * 1e3, cv * 1e3, len,
               ok == 0 ? "valid" : e.msg);
        if (p.n == 4)
            base_ms = tp * 1e3;
        if (is_chosen) {
            chosen_ms = tp * 1e3;
            g_prove_ms = tp * 1e3;
            g_verify_ms = tv * 1e3;
            g_proof_len = len;
            proofs[0] = proof;
            lens[0] = len;
        } else {
            free(proof);
        }
    }
    if (chosen.n != 4)
        printf("radix table: n=%u proves in %.2fx the time of n=4 (v2's first table) in this run\n",
               chosen.n, chosen_ms / base_ms);
    /* more proofs for the batches; their times (with the first) give min and median */
    double tprove[D];
    tprove[0] = g_prove_ms;
    for (int k = 1; k < dn; k++) {
        t0 = now();
        if (ring_prove(&proofs[k], &lens[k], ring, signer, sk, scope, 10, msg, 7, &e) != 0)
            abort();
        tprove[k] = (now() - t0) * 1e3;
    }
    double tver[3];
    for (int k = 0; k < 3; k++) {
        t0 = now();
        if (ring_verify(ring, proofs[k % dn], lens[k % dn], scope, 10, msg, 7, NULL, &e) != 0)
            abort();
        tver[k] = (now() - t0) * 1e3;
    }
    qsort(tprove, (size_t)dn, sizeof tprove[0], cmp_double);
    qsort(tver, 3, sizeof tver[0], cmp_double);
    printf(
        "n=%u chosen: prove over %d runs min %.1f ms median %.1f ms; verify over 3 runs min %.1f "
        "ms median %.1f ms\n",
        chosen.n, dn, tprove[0], (tprove[dn / 2 - 1] + tprove[dn / 2]) / 2, tver[0], tver[1]);
    g_prove_ms = tprove[0];
    g_verify_ms = tver[0];
    static const size_t batches[] = {100, 1000};
    for (int b = 0; b < 2; b++) {
        size_t cnt = batches[b];
        if (cnt == 1000 && logn > 14 && quick)
            continue;
        struct ring_batch_item *items = malloc(cnt * sizeof *items);
        for (size_t k = 0; k < cnt; k++)
            items[k] =
                (struct ring_batch_item){proofs[k % (size_t)dn], lens[k % (size_t)dn], msg, 7};
        t0 = now();
        int ok = ring_verify_batch(ring, scope, 10, items, cnt, &e);
        double tb = now() - t0;
        printf("batch of %4zu proofs (%d distinct): %.2f ms per proof, %.1f ms total (%s)\n", cnt,
               dn, tb / (double)cnt * 1e3, tb * 1e3, ok == 0 ? "valid" : e.msg);
        if (cnt == 100)
            g_batch_ms = tb / (double)cnt * 1e3;
        if (cnt == 1000)
            g_batch1000_ms = tb / (double)cnt * 1e3;
        free(items);
    }
    for (int k = 0; k < dn; k++)
        free(proofs[k]);
    ring_keys_free(ring);
    free(pk);
    sodium_memzero(sk, sizeof sk);
}

int main(void)
{
    struct err e;
    if (ring_init(&e) != 0)
        return 1;
    const char *q = getenv("DISSENT_BENCH_QUICK");
    int quick = q && *q && strcmp(q, "0") != 0;
    printf("goals at 2^16 (2 cores, issue #12): prove <= 400 ms, verify one <= 100 ms, batch of "
           "1,000 <= 1.5 ms/proof, proof <= 2,500 bytes; at 2^20: prove <= 6 s, batch <= 25 "
           "ms/proof\n");
    bench_msm(1024);
    bench_msm(4096);
    if (!quick) {
        bench_msm(16384);
        bench_msm(65536);
    }
    static const unsigned sizes[] = {10, 12, 14, 16, 20};
    unsigned last = 0;
    double p16 = 0, v16 = 0, b16 = 0, b16k = 0;
    size_t l16 = 0;
    for (int i = 0; i < 5; i++) {
        if (quick && sizes[i] > 12)
            break;
        bench_ring(sizes[i], quick);
        last = sizes[i];
        if (sizes[i] == 16) {
            p16 = g_prove_ms;
            v16 = g_verify_ms;
            b16 = g_batch_ms;
            b16k = g_batch1000_ms;
            l16 = g_proof_len;
        }
    }
    if (last < 16) {
        printf("\n(ratios to the 2^16 goals need the full run: unset DISSENT_BENCH_QUICK)\n");
        return 0;
    }
    printf("\n== ratios at 2^16 (chosen radix, best runs), measured / goal (< 1 meets it)\n");
    printf("prove %.2f   verify %.2f   batch-1000 per proof %.2f   proof size %.2f\n", p16 / 400.0,
           v16 / 100.0, b16k / 1.5, (double)l16 / 2500.0);
    printf("against Semaphore v4 at 2^16 (measured on this kind of machine: prove 744 ms, verify "
           "17.1 ms, 256 B): prove %.2fx, single verify %.2fx, batched verify per proof %.2fx, "
           "size %.1fx\n",
           p16 / 744.0, v16 / 17.1, b16 / 17.1, (double)l16 / 256.0);
    if (last == 20)
        printf("at 2^20: prove %.0f ms (goal 6000: %.2f), batch of 100 %.2f ms/proof (goal 25: "
               "%.2f), proof %zu bytes\n",
               g_prove_ms, g_prove_ms / 6000.0, g_batch_ms, g_batch_ms / 25.0, g_proof_len);
    return 0;
}
