/* h2c.c — RFC 9380 expand_message_xmd (SHA-512) and hash_to_ristretto255. */
#include "ring/h2c.h"

#include <sodium.h>
#include <string.h>

#define XMD_B 64  /* SHA-512 output bytes (b_in_bytes) */
#define XMD_R 128 /* SHA-512 block bytes (s_in_bytes) */

int ring_expand_message_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
                            const uint8_t *dst, size_t dst_len, struct err *e)
{
    static const uint8_t zpad[XMD_R] = {0};
    static const char oversize[] = "H2C-OVERSIZE-DST-";
    uint8_t dst_short[XMD_B];
    uint8_t b0[XMD_B], bi[XMD_B], x[XMD_B];
    crypto_hash_sha512_state st;
    int rc = -1;

    if (out_len == 0 || out_len > RING_XMD_MAX_OUT) {
        err_set(e, ERR_INVALID, "expand_message_xmd length %zu is outside 1..%u", out_len,
                RING_XMD_MAX_OUT);
        goto out;
    }
    if (dst_len > 255) {
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, (const uint8_t *)oversize, sizeof oversize - 1);
        crypto_hash_sha512_update(&st, dst, dst_len);
        crypto_hash_sha512_final(&st, dst_short);
        dst = dst_short;
        dst_len = XMD_B;
    }
    const size_t ell = (out_len + XMD_B - 1) / XMD_B;
    const uint8_t lib[2] = {(uint8_t)(out_len >> 8), (uint8_t)out_len};
    const uint8_t dlen = (uint8_t)dst_len;

    /* b_0 = H(Z_pad || msg || l_i_b_str || I2OSP(0, 1) || DST_prime) */
    crypto_hash_sha512_init(&st);
    crypto_hash_sha512_update(&st, zpad, sizeof zpad);
    if (msg_len)
        crypto_hash_sha512_update(&st, msg, msg_len);
    crypto_hash_sha512_update(&st, lib, 2);
    const uint8_t zero = 0;
    crypto_hash_sha512_update(&st, &zero, 1);
    crypto_hash_sha512_update(&st, dst, dst_len);
    crypto_hash_sha512_update(&st, &dlen, 1);
    crypto_hash_sha512_final(&st, b0);

    /* b_i = H(strxor(b_0, b_(i-1)) || I2OSP(i, 1) || DST_prime), b_1 uses b_0 alone */
    memset(bi, 0, sizeof bi);
    for (size_t i = 1; i <= ell; i++) {
        for (size_t k = 0; k < XMD_B; k++)
            x[k] = (uint8_t)(b0[k] ^ bi[k]);
        const uint8_t ib = (uint8_t)i;
        crypto_hash_sha512_init(&st);
        crypto_hash_sha512_update(&st, x, XMD_B);
        crypto_hash_sha512_update(&st, &ib, 1);
        crypto_hash_sha512_update(&st, dst, dst_len);
        crypto_hash_sha512_update(&st, &dlen, 1);
        crypto_hash_sha512_final(&st, bi);
        size_t off = (i - 1) * XMD_B;
        size_t n = out_len - off < XMD_B ? out_len - off : XMD_B;
        memcpy(out + off, bi, n);
    }
    rc = 0;
out:
    sodium_memzero(b0, sizeof b0);
    sodium_memzero(bi, sizeof bi);
    sodium_memzero(x, sizeof x);
    sodium_memzero(&st, sizeof st);
    return rc;
}

int ring_hash_to_group(uint8_t out[32], const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                       size_t dst_len, struct err *e)
{
    uint8_t u[64];
    if (dst_len == 0)
        return err_set(e, ERR_INVALID, "a hash-to-group domain-separation tag must not be empty");
    if (ring_expand_message_xmd(u, sizeof u, msg, msg_len, dst, dst_len, e) != 0)
        return -1;
    crypto_core_ristretto255_from_hash(out, u);
    sodium_memzero(u, sizeof u);
    return 0;
}
