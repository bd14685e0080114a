/* generators.c — the Triptych commitment generators H and G_{j,i}, and the
 * Fiat–Shamir challenge (docs/protocol-ring.md §3, §7). */
#include "ring/triptych.h"

#include "ring/internal.h"
#include "ring/h2c.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

static const char DST_GEN[] = "DISSENT-RING-V1-GENERATORS_XMD:SHA-512_R255MAP_RO_";
static const char DST_FS[] = "DISSENT-RING-V1-TRIPTYCH-FS";

/* ---------- generators ---------- */

ring_point ring_gen_h;
ring_point ring_gen_g[RING_MAX_M][RING_MAX_N];
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
    if (hash_point(&ring_gen_h, (const uint8_t *)"H", 1, DST_GEN) != 0)
        return;
    for (unsigned j = 0; j < RING_MAX_M; j++)
        for (unsigned i = 0; i < RING_MAX_N; i++) {
            uint8_t msg[9] = {'G', 0, 0, 0, (uint8_t)j, 0, 0, 0, (uint8_t)i};
            if (hash_point(&ring_gen_g[j][i], msg, sizeof msg, DST_GEN) != 0)
                return;
        }
    gen_status = 0;
}

int ring_gens_ready(struct err *e)
{
    if (ring_init(e) != 0)
        return -1;
    pthread_once(&gen_once, gen_init);
    if (gen_status != 0)
        return err_set(e, ERR_INTERNAL, "ring generators could not be derived");
    return 0;
}

/* ---------- transcript ---------- */

/* xi = SHA-512(transcript) mod l; see docs/protocol-ring.md. commitments
 * points at A..Y (32*(4+2m) bytes). */
void ring_challenge(uint8_t xi[32], struct ring_params p, const struct ring_keys *ring,
                    const uint8_t u[32], const uint8_t j[32], const uint8_t *msg, size_t msg_len,
                    const uint8_t *commitments)
{
    crypto_hash_sha512_state st;
    uint8_t hdr[1 + sizeof DST_FS - 1 + 4 + 4 + 8], len8[8], h[64];
    hdr[0] = (uint8_t)(sizeof DST_FS - 1);
    memcpy(hdr + 1, DST_FS, sizeof DST_FS - 1);
    ring_put_u32(hdr + sizeof DST_FS, p.n);
    ring_put_u32(hdr + sizeof DST_FS + 4, p.m);
    ring_put_u64(hdr + sizeof DST_FS + 8, (uint64_t)ring->count);
    ring_put_u64(len8, (uint64_t)msg_len);
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
