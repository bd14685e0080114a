/* cosignature.h — C2SP tlog-cosignature (c2sp.org/tlog-cosignature),
 * version cosignature/v1 with Ed25519: a witness's timestamped statement that
 * a checkpoint is the largest consistent tree it has seen for that log.
 *
 * A cosignature is a signature line of the checkpoint's signed note
 * (tlog/note.h):
 *     "— " witness-name " " base64(key-id[4] || timestamp[8] || signature[64]) "\n"
 * where key-id = SHA-256(name || 0x0a || 0x04 || pk)[:4] (type byte 0x04, not
 * the 0x01 of note signatures: the same key cannot be mistaken for a log
 * key), timestamp is a big-endian POSIX time at most 2^63-1, and the Ed25519
 * signature covers
 *     "cosignature/v1\n" "time " <timestamp in decimal> "\n" <note text>
 * (the note text with its final newline, no signature line).
 *
 * Witness keys reuse struct tlog_verifier and struct tlog_signer of
 * tlog/note.h; only the key id (type 0x04) differs. Their strings:
 *   verifier  <name>+<8 hex of key id>+<base64(0x04 || 32-byte public key)>
 *   signer    PRIVATE+KEY+<name>+<8 hex of key id>+<base64(0x04 || 32-byte seed)>
 */
#ifndef DISSENT_TLOG_COSIGNATURE_H
#define DISSENT_TLOG_COSIGNATURE_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "tlog/note.h"

#include <stdint.h>

/* Signature type byte of cosignature/v1 (Ed25519, timestamped). */
#define TLOG_ALG_COSIGNATURE_V1 0x04

/* Decoded size of a cosignature: key id, timestamp, Ed25519 signature. */
#define TLOG_COSIGNATURE_SIZE (TLOG_KEY_ID_SIZE + 8 + TLOG_SIGNATURE_SIZE)

/* Largest timestamp a cosignature may carry (2^63 - 1). */
#define TLOG_COSIGNATURE_TIME_MAX ((uint64_t)INT64_MAX)

/* Makes a new random witness key pair for name (C string) into s, its key id
 * of type 0x04. Returns 0, or -1 with ERR_INVALID or ERR_CRYPTO. */
int tlog_cosigner_generate(struct tlog_signer *s, const char *name, struct err *e) WUR;

/* Writes the signer string of witness key s and a NUL into out. out then
 * holds a secret: the caller wipes it. Returns 0 or -1. */
int tlog_cosigner_format(const struct tlog_signer *s, char out[TLOG_SIGNER_KEY_MAX],
                         struct err *e) WUR;

/* Parses a witness signer string s[0..len) (type 0x04, key id checked) into
 * signer; wiped on failure. Returns 0, or -1 with ERR_INVALID. */
int tlog_cosigner_parse(struct tlog_signer *signer, const char *s, size_t len, struct err *e) WUR;

/* Writes the verifier string of witness key v and a NUL into out. */
int tlog_cosigner_key_format(const struct tlog_verifier *v, char out[TLOG_VERIFIER_KEY_MAX],
                             struct err *e) WUR;

/* Parses a witness verifier string s[0..len) (type 0x04, key id checked)
 * into v. Returns 0, or -1 with ERR_INVALID. */
int tlog_cosigner_key_parse(struct tlog_verifier *v, const char *s, size_t len, struct err *e) WUR;

/* Appends to out the cosignature line by witness key s, made at time
 * timestamp (<= TLOG_COSIGNATURE_TIME_MAX), over the note text text[0..len)
 * (non-empty, ending in "\n"). Returns 0, or -1 with ERR_INVALID, ERR_CRYPTO
 * or out's error. */
int tlog_cosign(const char *text, size_t len, uint64_t timestamp, const struct tlog_signer *s,
                struct buf *out, struct err *e) WUR;

/* Verifies the cosignatures of witness key v on a parsed note: lines whose
 * name or key id differ from v are ignored; each line with v's name and key
 * id must be a well-formed cosignature that verifies; at least one must be
 * present. *timestamp (may be NULL) gets the latest verified time.
 * Returns 0, or -1 with ERR_CRYPTO (the message names the witness and its
 * key id). */
int tlog_cosignature_verify(const struct tlog_note *n, const struct tlog_verifier *v,
                            uint64_t *timestamp, struct err *e) WUR;

#endif
