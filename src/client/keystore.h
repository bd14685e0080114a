/* keystore.h — the member's ring key on disk, for the CLI: where it lives,
 * making one, opening it. The file format and its encryption are
 * ring/keyfile.h (docs/protocol-ring.md "Key files"); this adds the default
 * path, the parent directories and messages for people.
 *
 * Default path: ${XDG_CONFIG_HOME:-$HOME/.config}/dissent/ring.key, mode 0600
 * in a directory created with mode 0700. */
#ifndef DISSENT_CLIENT_KEYSTORE_H
#define DISSENT_CLIENT_KEYSTORE_H

#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

#define KEYSTORE_PATH_MAX 1024
/* Shortest passphrase accepted for a new key file. */
#define KEYSTORE_PASS_MIN 8
/* A proof of possession as hex, with its NUL (2 * RING_POP_BYTES + 1). */
#define KEYSTORE_PROOF_HEX 129

/* Writes the default key file path into out (size n). Returns 0, or -1
 * (ERR_INVALID) when neither XDG_CONFIG_HOME (absolute) nor HOME is set. */
int keystore_default_path(char *out, size_t n, struct err *e) WUR;

/* Sets the Argon2id cost of the key files keystore_create makes from now on
 * (ring_keyfile_seal's bounds). For tests only, where the default (3 passes
 * over 64 MiB) is slow under sanitizers; 0, 0 restores the default. */
void keystore_set_cost(uint32_t opslimit, uint64_t memlimit);

/* Makes a new ring key pair, seals it under pass (pass_len bytes, at least
 * KEYSTORE_PASS_MIN) and writes it to path with mode 0600, creating missing
 * parent directories with mode 0700. Never overwrites (ERR_CONFLICT). Fills
 * pk with the public key. The secret key is wiped before returning.
 * Returns 0 or -1 with e. */
int keystore_create(const char *path, const char *pass, size_t pass_len, uint8_t pk[32],
                    struct err *e) WUR;

/* Reads and decrypts the key file at path: sk and pk on success (the caller
 * wipes sk). ERR_NOT_FOUND says to run 'dissent key new'; a wrong passphrase
 * or an altered file is ERR_UNAUTHORIZED. sk is wiped on failure.
 * Returns 0 or -1 with e. */
int keystore_open(const char *path, const char *pass, size_t pass_len, uint8_t sk[32],
                  uint8_t pk[32], struct err *e) WUR;

/* The public key stored in the key file at path, without the passphrase (not
 * authenticated until the file is opened). Returns 0 or -1 with e. */
int keystore_public(const char *path, uint8_t pk[32], struct err *e) WUR;

/* The proof of possession that enrolls the key sk (public key pk) in the
 * roster of organization org for member username on the installation whose
 * log origin is origin, answering the server's challenge (64 hex):
 * ring_pop_sign over proto_pop_context, as hex. ERR_INVALID when the names
 * are too long. Returns 0 or -1 with e. */
int keystore_enroll_proof(const uint8_t sk[32], const char *origin, const char *org,
                          const char *username, const char *challenge,
                          char proof_hex[KEYSTORE_PROOF_HEX], struct err *e) WUR;

#endif
