/* version.c — the canonical form of a version and its hash. */
#include "proto/version.h"

#include "base/util.h"

#include <sodium.h>
#include <string.h>

void proto_version_hash(const char *title, const char *marking, const char *body,
                        char out[PROTO_VERSION_HASH_HEX])
{
    /* Canonical form (docs/protocol-tlog.md): a fixed header line, then
     * "title: …", "marking: …", a blank line and the body, each line ending
     * in "\n". The body is taken as stored (already normalized to LF). */
    static const char header[] = "dissent-memo-version-v1\n";
    crypto_hash_sha256_state st;
    unsigned char h[32];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)header, sizeof header - 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)"title: ", 7);
    crypto_hash_sha256_update(&st, (const unsigned char *)title, strlen(title));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\nmarking: ", 10);
    crypto_hash_sha256_update(&st, (const unsigned char *)marking, strlen(marking));
    crypto_hash_sha256_update(&st, (const unsigned char *)"\n\n", 2);
    crypto_hash_sha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_hash_sha256_final(&st, h);
    hex_encode(out, h, 32);
}
