/* commit.c — salted commitments to private text (HMAC-SHA-256). */
#include "proto/commit.h"

#include "base/util.h"

#include <sodium.h>
#include <string.h>

static void upd(crypto_auth_hmacsha256_state *st, const char *s)
{
    crypto_auth_hmacsha256_update(st, (const unsigned char *)s, strlen(s));
}

void proto_version_commitment(const unsigned char key[PROTO_SALT_BYTES], const char *title,
                              const char *marking, const char *body, char out[PROTO_COMMIT_HEX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char h[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, key, PROTO_SALT_BYTES);
    upd(&st, "dissent-version-commitment-v2\n");
    /* the canonical form of proto_version_hash, byte for byte */
    upd(&st, "dissent-memo-version-v1\ntitle: ");
    upd(&st, title);
    upd(&st, "\nmarking: ");
    upd(&st, marking);
    upd(&st, "\n\n");
    upd(&st, body);
    crypto_auth_hmacsha256_final(&st, h);
    hex_encode(out, h, sizeof h);
    sodium_memzero(&st, sizeof st);
}

void proto_text_commitment(const unsigned char salt[PROTO_SALT_BYTES], const char *label,
                           const char *text, char out[PROTO_COMMIT_HEX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char h[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, salt, PROTO_SALT_BYTES);
    upd(&st, "dissent-");
    upd(&st, label);
    upd(&st, "-commitment-v2\n");
    upd(&st, text);
    crypto_auth_hmacsha256_final(&st, h);
    hex_encode(out, h, sizeof h);
    sodium_memzero(&st, sizeof st);
}

void proto_text_salt(const unsigned char secret[PROTO_SALT_BYTES], const char *memo,
                     const char *event, const char *discriminator,
                     unsigned char salt[PROTO_SALT_BYTES])
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, secret, PROTO_SALT_BYTES);
    upd(&st, "dissent-text-salt-v2\n");
    upd(&st, memo);
    upd(&st, "\n");
    upd(&st, event);
    upd(&st, "\n");
    upd(&st, discriminator);
    crypto_auth_hmacsha256_final(&st, salt);
    sodium_memzero(&st, sizeof st);
}

void proto_signer_salt(const unsigned char secret[PROTO_SALT_BYTES], const char *memo,
                       const char *username, char out[PROTO_COMMIT_HEX])
{
    crypto_auth_hmacsha256_state st;
    unsigned char h[crypto_auth_hmacsha256_BYTES];

    crypto_auth_hmacsha256_init(&st, secret, PROTO_SALT_BYTES);
    upd(&st, "dissent-signer-salt-v2\n");
    upd(&st, memo);
    upd(&st, "\n");
    upd(&st, username);
    crypto_auth_hmacsha256_final(&st, h);
    hex_encode(out, h, sizeof h);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(h, sizeof h);
}
