/* keyfile.h — a member's ring secret key at rest, and proof of possession.
 *
 * Key file (docs/protocol-ring.md "Key files"), 138 bytes:
 *   "DSRK" | version 1 | kdf 1 (Argon2id13) | opslimit u32be | memlimit u64be
 *   | salt[16] | nonce[24] | public key[32] | XChaCha20-Poly1305(sk)[32+16]
 * The AEAD key is crypto_pwhash(passphrase, salt, opslimit, memlimit,
 * Argon2id13); everything before the ciphertext is the associated data.
 *
 * Proof of possession: a Schnorr signature over ristretto255 (R, s) on a
 * context chosen by the verifier (an enrollment challenge), 64 bytes. */
#ifndef DISSENT_RING_KEYFILE_H
#define DISSENT_RING_KEYFILE_H

#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define RING_KEYFILE_LEN     138
#define RING_KEYFILE_VERSION 1
/* Default Argon2id cost: 3 passes over 64 MiB. */
#define RING_KEYFILE_OPSLIMIT 3u
#define RING_KEYFILE_MEMLIMIT (64u * 1024u * 1024u)
#define RING_POP_BYTES        64

/* Encrypts sk (a canonical nonzero scalar) under passphrase into out, with
 * the given Argon2id cost (opslimit 1..10, memlimit 8 KiB..1 GiB; tests use
 * the minimum). pass need not be NUL-terminated. Returns 0, or -1
 * (ERR_INVALID: bad key or cost; ERR_NOMEM if Argon2id cannot allocate). */
int ring_keyfile_seal(uint8_t out[RING_KEYFILE_LEN], const uint8_t sk[32], const char *pass,
                      size_t pass_len, uint32_t opslimit, uint64_t memlimit, struct err *e) WUR;

/* Decrypts a key file: sk (and pk if not NULL) on success. Fails with
 * ERR_INVALID (wrong length, magic or cost out of range), ERR_UNSUPPORTED
 * (unknown version or KDF), ERR_UNAUTHORIZED (wrong passphrase, or the file
 * was altered: the two cannot be told apart), ERR_CRYPTO (decrypts but the
 * key does not match the stored public key). sk is wiped on failure. */
int ring_keyfile_open(uint8_t sk[32], uint8_t pk[32], const uint8_t *in, size_t in_len,
                      const char *pass, size_t pass_len, struct err *e) WUR;

/* The public key stored in a key file, without the passphrase (not
 * authenticated until the file is opened). Returns 0 or -1 (ERR_INVALID). */
int ring_keyfile_public(uint8_t pk[32], const uint8_t *in, size_t in_len, struct err *e) WUR;

/* Writes a sealed key file to path with mode 0600, refusing to overwrite
 * (ERR_CONFLICT); ERR_IO on failure. */
int ring_keyfile_write(const char *path, const uint8_t data[RING_KEYFILE_LEN], struct err *e) WUR;

/* Reads a key file of exactly RING_KEYFILE_LEN bytes from path (ERR_IO,
 * ERR_NOT_FOUND, ERR_INVALID). */
int ring_keyfile_read(const char *path, uint8_t data[RING_KEYFILE_LEN], struct err *e) WUR;

/* Proof of possession of sk for pk = sk*G on ctx (an enrollment challenge;
 * any bytes, may be empty): sig = R || s with R = k*G, c = H(pk, R, ctx),
 * s = k + c*sk; k is hedged (random and derived from sk and ctx).
 * Returns 0, or -1 (ERR_INVALID for a bad sk). */
int ring_pop_sign(uint8_t sig[RING_POP_BYTES], const uint8_t sk[32], const uint8_t *ctx,
                  size_t ctx_len, struct err *e) WUR;

/* Verifies a proof of possession: s*G == R + c*pk, pk and R canonical and
 * not the identity, s canonical. Returns 0, or -1 (ERR_INVALID for a
 * malformed input, ERR_CRYPTO when it does not verify). */
int ring_pop_verify(const uint8_t sig[RING_POP_BYTES], const uint8_t pk[32], const uint8_t *ctx,
                    size_t ctx_len, struct err *e) WUR;

#endif
