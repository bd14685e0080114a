/* tag.c — key pairs and linkability tags J = r^-1 U(scope)
 * (docs/protocol-ring.md §3, §4). */
#include "ring/triptych.h"

#include "ring/ct.h"
#include "ring/internal.h"
#include "ring/h2c.h"
#include "ring/msm.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static const char DST_TAG[] = "DISSENT-RING-V1-TAG_XMD:SHA-512_R255MAP_RO_";

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

int ring_check_sk(const uint8_t sk[32], struct err *e)
{
    /* constant time in sk; only whether it is a valid key is told */
    int ok = ring_scalar_is_canonical_ct(sk) & (ring_scalar_is_zero(sk) ^ 1);
    RING_CT_PUBLIC(&ok, sizeof ok);
    if (!ok)
        return err_set(e, ERR_INVALID, "the ring secret key is zero or not a canonical scalar");
    return 0;
}

int ring_tag(uint8_t j[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
             size_t scope_len, struct err *e)
{
    uint8_t u[32], inv[32];
    ring_point up, jp;
    int rc = -1;
    if (ring_init(e) != 0 || ring_check_sk(sk, e) != 0 ||
        ring_tag_base(u, scope, scope_len, e) != 0)
        goto out;
    if (ring_point_decode(&up, u, 0, "tag base", e) != 0)
        goto out;
    int noinv = crypto_core_ristretto255_scalar_invert(inv, sk) != 0;
    RING_CT_PUBLIC(&noinv, sizeof noinv);
    if (noinv) {
        err_set(e, ERR_INVALID, "the ring secret key is not invertible");
        goto out;
    }
    ring_scalarmul_ct(&jp, inv, &up);
    ring_point_encode(j, &jp);
    RING_CT_PUBLIC(j, RING_POINT_BYTES); /* the tag is published */
    rc = 0;
out:
    sodium_memzero(inv, sizeof inv);
    sodium_memzero(&jp, sizeof jp);
    return rc;
}

int ring_keypair(uint8_t pk[RING_POINT_BYTES], uint8_t sk[RING_SCALAR_BYTES], struct err *e)
{
    if (ring_init(e) != 0)
        return -1;
    ring_scalar_random(sk);
    if (crypto_scalarmult_ristretto255_base(pk, sk) != 0) { /* unreachable: sk is nonzero */
        sodium_memzero(sk, RING_SCALAR_BYTES);
        return err_set(e, ERR_INTERNAL, "key generation gave the identity");
    }
    return 0;
}

int ring_public_key(uint8_t pk[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES],
                    struct err *e)
{
    if (ring_init(e) != 0 || ring_check_sk(sk, e) != 0)
        return -1;
    if (crypto_scalarmult_ristretto255_base(pk, sk) != 0)
        return err_set(e, ERR_INVALID, "the ring secret key gives the identity");
    return 0;
}
