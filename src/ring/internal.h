/* internal.h — shared by the Triptych files of src/ring (generators.c,
 * rings.c, tag.c, prove.c, verify.c). Not a public interface. */
#ifndef DISSENT_RING_INTERNAL_H
#define DISSENT_RING_INTERNAL_H

#include "ring/triptych.h"

#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#define RING_MAX_N 16 /* largest radix */
#define RING_MAX_M 24 /* most digits (n = 2 at 2^24 keys) */

struct ring_keys {
    size_t count;
    ring_point *keys;   /* decoded keys, count of them (no padding) */
    uint8_t (*enc)[32]; /* their encodings */
    uint8_t digest[RING_DIGEST_BYTES];
};

/* The generators H and G_{j,i}; valid after ring_gens_ready returned 0. */
extern ring_point ring_gen_h;
extern ring_point ring_gen_g[RING_MAX_M][RING_MAX_N];

/* Derives the generators once (thread-safe). Returns 0, or -1 (ERR_INTERNAL). */
int ring_gens_ready(struct err *e) WUR;

/* xi = HS(transcript) (docs/protocol-ring.md §7); commitments points at the
 * 32*(4+2m) bytes A..Y of a proof. */
void ring_challenge(uint8_t xi[32], struct ring_params p, const struct ring_keys *ring,
                    const uint8_t u[32], const uint8_t j[32], const uint8_t *msg, size_t msg_len,
                    const uint8_t *commitments);

/* 1 if a verifier accepts parameters p for a ring of count keys, else 0. */
int ring_params_valid(struct ring_params p, size_t count);

/* 0 if sk is a canonical nonzero scalar, else -1 (ERR_INVALID). */
int ring_check_sk(const uint8_t sk[32], struct err *e) WUR;

static inline void ring_put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static inline void ring_put_u64(uint8_t *p, uint64_t v)
{
    ring_put_u32(p, (uint32_t)(v >> 32));
    ring_put_u32(p + 4, (uint32_t)v);
}

static inline unsigned ring_log2(unsigned n)
{
    unsigned k = 0;
    while ((1u << k) < n)
        k++;
    return k;
}

static inline size_t ring_ipow(unsigned n, unsigned m)
{
    size_t r = 1;
    for (unsigned k = 0; k < m; k++)
        r *= n;
    return r;
}

/* Threads worth using: 2 on a multi-core machine, else 1. */
static inline unsigned ring_ncores(void)
{
    return sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 2u : 1u;
}

/* Proof layout (docs/protocol-ring.md §8). */
#define RING_OFF_J RING_PROOF_HEADER
#define RING_OFF_A (RING_OFF_J + 32)
static inline size_t ring_off_x(void)
{
    return RING_OFF_A + 4 * 32;
}
static inline size_t ring_off_y(unsigned m)
{
    return ring_off_x() + (size_t)m * 32;
}
static inline size_t ring_off_f(unsigned m)
{
    return ring_off_y(m) + (size_t)m * 32;
}
static inline size_t ring_off_z(struct ring_params p)
{
    return ring_off_f(p.m) + (size_t)p.m * (p.n - 1) * 32;
}

#endif
