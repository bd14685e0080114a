/* seal.c — XChaCha20-Poly1305 sealing of values at rest (see seal.h). */
#include "store/seal.h"

#include "base/util.h"

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define NONCE_SIZE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define TAG_SIZE   crypto_aead_xchacha20poly1305_ietf_ABYTES
#define B64        sodium_base64_VARIANT_URLSAFE_NO_PADDING
/* Values larger than this are refused (a memo body is far smaller). */
#define SEAL_MAX (64u << 20)

int seal_bytes(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
               const void *plain, size_t len, char **out, struct err *e)
{
    int rc = -1;
    unsigned char *raw = NULL;
    size_t raw_len = NONCE_SIZE + len + TAG_SIZE, pre = strlen(SEAL_PREFIX), b64_len;
    char *text = NULL;

    *out = NULL;
    if (len > SEAL_MAX) {
        rc = err_set(e, ERR_TOO_LARGE, "a value to encrypt is larger than %u bytes", SEAL_MAX);
        goto out;
    }
    b64_len = sodium_base64_encoded_len(raw_len, B64);
    raw = pool_alloc(p, raw_len);
    text = pool_alloc(p, pre + b64_len);
    if (!raw || !text) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    randombytes_buf(raw, NONCE_SIZE);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        raw + NONCE_SIZE, NULL, plain, len, (const unsigned char *)ad, strlen(ad), NULL, raw, key);
    memcpy(text, SEAL_PREFIX, pre);
    sodium_bin2base64(text + pre, b64_len, raw, raw_len, B64);
    *out = text;
    rc = 0;
out:
    return rc;
}

int seal_open(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
              const char *sealed, char **out, size_t *len, struct err *e)
{
    int rc = -1;
    size_t pre = strlen(SEAL_PREFIX), n, raw_len = 0;
    unsigned long long plain_len = 0;
    unsigned char *raw = NULL;
    char *plain = NULL;

    *out = NULL;
    if (!seal_is_sealed(sealed)) {
        rc = err_set(e, ERR_CRYPTO, "a stored value is not encrypted (run 'dissent migrate')");
        goto out;
    }
    n = strlen(sealed + pre);
    raw = pool_alloc(p, n + 1);
    if (!raw) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (sodium_base642bin(raw, n + 1, sealed + pre, n, NULL, &raw_len, NULL, B64) != 0 ||
        raw_len < NONCE_SIZE + TAG_SIZE) {
        rc = err_set(e, ERR_CRYPTO, "a stored encrypted value is malformed");
        goto out;
    }
    plain = pool_alloc(p, raw_len - NONCE_SIZE - TAG_SIZE + 1);
    if (!plain) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)plain, &plain_len, NULL, raw + NONCE_SIZE, raw_len - NONCE_SIZE,
            (const unsigned char *)ad, strlen(ad), raw, key) != 0) {
        rc = err_set(e, ERR_CRYPTO,
                     "a stored encrypted value does not open with this key and row (%s): "
                     "altered, moved, or sealed under another data key",
                     ad);
        goto out;
    }
    plain[plain_len] = '\0';
    *out = plain;
    if (len)
        *len = (size_t)plain_len;
    rc = 0;
out:
    return rc;
}

int seal_is_sealed(const char *s)
{
    return s && strncmp(s, SEAL_PREFIX, strlen(SEAL_PREFIX)) == 0;
}

void seal_key_id(const unsigned char key[SEAL_KEY_SIZE], char out[SEAL_KEY_ID_LEN + 1])
{
    static const char label[] = "dissent data key id v1";
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)label, sizeof label - 1, key,
                       SEAL_KEY_SIZE);
    hex_encode(out, h, sizeof h);
}
