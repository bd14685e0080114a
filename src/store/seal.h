/* seal.h — authenticated encryption of values at rest (XChaCha20-Poly1305,
 * libsodium's IETF construction with a random 192-bit nonce).
 *
 * A sealed value is text, so it fits the TEXT columns of both backends:
 * "dx1:" followed by unpadded URL-safe base64 of nonce (24 bytes) ||
 * ciphertext || tag (16 bytes). The associated data (ad) names the row and
 * the field the value belongs to (see at_rest.c), so a ciphertext moved to
 * another row or field no longer opens. Keys are 32 bytes; callers wipe
 * them with sodium_memzero. Call sodium_init() first. */
#ifndef DISSENT_STORE_SEAL_H
#define DISSENT_STORE_SEAL_H

#include "base/err.h"
#include "base/pool.h"
#include <stddef.h>

#define SEAL_KEY_SIZE 32
#define SEAL_PREFIX   "dx1:"
/* Characters of a key id (hex of 32 bytes). */
#define SEAL_KEY_ID_LEN 64

/* Encrypts len bytes of plain under key, bound to ad (NUL-terminated), and
 * sets *out to the sealed text (from p). Returns 0, or -1 (ERR_NOMEM,
 * ERR_TOO_LARGE). */
int seal_bytes(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
               const void *plain, size_t len, char **out, struct err *e) WUR;

/* Opens sealed text made by seal_bytes with the same key and ad: *out (from
 * p) holds the plaintext followed by a NUL, *len its length (len may be
 * NULL). Returns 0, or -1 with ERR_CRYPTO when the value is malformed, was
 * sealed under another key or ad, or was altered. */
int seal_open(struct pool *p, const unsigned char key[SEAL_KEY_SIZE], const char *ad,
              const char *sealed, char **out, size_t *len, struct err *e) WUR;

/* 1 if s looks like a sealed value (starts with SEAL_PREFIX). */
int seal_is_sealed(const char *s);

/* A public name of key: the hex of a BLAKE2b-256 keyed by it over a fixed
 * label, so a database can record which key it was sealed with without
 * holding anything that helps to find the key. */
void seal_key_id(const unsigned char key[SEAL_KEY_SIZE], char out[SEAL_KEY_ID_LEN + 1]);

#endif
