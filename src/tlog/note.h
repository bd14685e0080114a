/* note.h — C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and
 * the key string formats of the Go sumdb/note ecosystem.
 *
 * A signed note is:  text  "\n"  one or more signature lines, where text is
 * non-empty UTF-8 ending in "\n" and each signature line is
 *     "— " key-name " " base64(key-id[4] || signature) "\n"
 * ("—" is U+2014, bytes e2 80 94). The Ed25519 signature covers the text,
 * its final newline included. key-id = SHA-256(name || 0x0a || 0x01 || pk)[:4].
 *
 * Key strings:
 *   verifier  <name>+<8 hex digits of key id>+<base64(0x01 || 32-byte public key)>
 *   signer    PRIVATE+KEY+<name>+<8 hex digits of key id>+<base64(0x01 || 32-byte seed)>
 *
 * Limits (bytes unless said): a name TLOG_NAME_MAX, a whole note
 * TLOG_NOTE_MAX, TLOG_NOTE_SIGS_MAX signature lines, a decoded signature
 * TLOG_SIG_MAX. Anything over a limit is rejected, never truncated.
 */
#ifndef DISSENT_TLOG_NOTE_H
#define DISSENT_TLOG_NOTE_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define TLOG_NAME_MAX        255
#define TLOG_NOTE_MAX        65536
#define TLOG_NOTE_SIGS_MAX   32
#define TLOG_SIG_MAX         4096
#define TLOG_KEY_ID_SIZE     4
#define TLOG_PUBLIC_KEY_SIZE 32
#define TLOG_SEED_SIZE       32
#define TLOG_SECRET_KEY_SIZE 64
#define TLOG_SIGNATURE_SIZE  64

/* Signature type byte of Ed25519 in signed notes. */
#define TLOG_ALG_ED25519 0x01

/* Room for a verifier key string and its NUL: name, '+', 8 hex, '+', 44 base64. */
#define TLOG_VERIFIER_KEY_MAX (TLOG_NAME_MAX + 1 + 8 + 1 + 44 + 1)
/* Room for a signer key string and its NUL ("PRIVATE+KEY+" then as above). */
#define TLOG_SIGNER_KEY_MAX (12 + TLOG_VERIFIER_KEY_MAX)

/* A public key that checks signatures of one name. Plain data. */
struct tlog_verifier {
    char name[TLOG_NAME_MAX + 1];
    unsigned char key_id[TLOG_KEY_ID_SIZE];
    unsigned char pk[TLOG_PUBLIC_KEY_SIZE];
};

/* A signing key. Holds a secret: wipe it with tlog_signer_wipe when done. */
struct tlog_signer {
    struct tlog_verifier pub;
    unsigned char sk[TLOG_SECRET_KEY_SIZE]; /* libsodium layout: seed || public key */
};

/* One signature line of a parsed note. Points into the parsed message. */
struct tlog_note_sig {
    const char *name; /* not NUL-terminated */
    size_t name_len;
    unsigned char key_id[TLOG_KEY_ID_SIZE];
    const char *b64; /* base64 of key id || signature, not NUL-terminated */
    size_t b64_len;
};

/* A parsed (not yet verified) note. Points into the message it was parsed
 * from, which must outlive it. */
struct tlog_note {
    const char *text; /* the signed text, final "\n" included */
    size_t text_len;
    size_t nsigs;
    struct tlog_note_sig sigs[TLOG_NOTE_SIGS_MAX];
};

/* Returns 1 if name[0..len) is a valid key name: 1..TLOG_NAME_MAX bytes of
 * UTF-8 with no Unicode space, no '+' and no control character; else 0. */
int tlog_name_valid(const char *name, size_t len);

/* Writes SHA-256(name || 0x0a || 0x01 || pk)[:4] into out. name is a C string. */
void tlog_key_id(const char *name, const unsigned char pk[TLOG_PUBLIC_KEY_SIZE],
                 unsigned char out[TLOG_KEY_ID_SIZE]);

/* Writes SHA-256(name || 0x0a || alg || pk)[:4] into out: the key id of a
 * key of signature type alg (TLOG_ALG_ED25519 for note signatures,
 * TLOG_ALG_COSIGNATURE_V1 for witness cosignatures, tlog/cosignature.h). */
void tlog_key_id_alg(const char *name, unsigned char alg,
                     const unsigned char pk[TLOG_PUBLIC_KEY_SIZE],
                     unsigned char out[TLOG_KEY_ID_SIZE]);

/* Writes prefix name "+" hex(key_id) "+" base64(alg || key) and a NUL into
 * out (cap bytes). key is a 32-byte public key or seed; every temporary copy
 * is wiped. Returns 0, or -1 with ERR_INTERNAL if out is too small. */
int tlog_key_string_format(char *out, size_t cap, const char *prefix, const char *name,
                           const unsigned char key_id[TLOG_KEY_ID_SIZE], unsigned char alg,
                           const unsigned char key[32], struct err *e) WUR;

/* Parses name "+" 8 lowercase hex "+" base64(alg || 32 bytes) from s[0..len)
 * (no prefix), strictly (valid name, canonical base64, type byte equal to
 * alg). Fills name (NUL-terminated), the key id as written, and key. The
 * caller checks the key id against the key. Returns 0, or -1 with ERR_INVALID. */
int tlog_key_string_parse(const char *s, size_t len, unsigned char alg,
                          char name[TLOG_NAME_MAX + 1], unsigned char key_id[TLOG_KEY_ID_SIZE],
                          unsigned char key[32], struct err *e) WUR;

/* Fills v from a name (C string) and an Ed25519 public key. Returns 0, or -1
 * with ERR_INVALID for an invalid name. */
int tlog_verifier_init(struct tlog_verifier *v, const char *name,
                       const unsigned char pk[TLOG_PUBLIC_KEY_SIZE], struct err *e) WUR;

/* Writes the verifier key string of v and a NUL into out. Returns 0 or -1. */
int tlog_verifier_format(const struct tlog_verifier *v, char out[TLOG_VERIFIER_KEY_MAX],
                         struct err *e) WUR;

/* Parses a verifier key string s[0..len) into v. Strict: valid name, exactly 8
 * hex digits equal to the key id computed from name and key, canonical padded
 * base64 of 33 bytes starting with 0x01. Returns 0, or -1 with ERR_INVALID. */
int tlog_verifier_parse(struct tlog_verifier *v, const char *s, size_t len, struct err *e) WUR;

/* Makes a new random key pair for name (C string) into s. Returns 0, or -1
 * with ERR_INVALID (bad name) or ERR_CRYPTO (libsodium unavailable). */
int tlog_signer_generate(struct tlog_signer *s, const char *name, struct err *e) WUR;

/* Derives the key pair of a 32-byte seed for name into s. Returns 0 or -1. */
int tlog_signer_from_seed(struct tlog_signer *s, const char *name,
                          const unsigned char seed[TLOG_SEED_SIZE], struct err *e) WUR;

/* Like tlog_signer_from_seed, with the key id of signature type alg
 * (TLOG_ALG_ED25519, or TLOG_ALG_COSIGNATURE_V1 for witness keys). */
int tlog_signer_from_seed_alg(struct tlog_signer *s, const char *name, unsigned char alg,
                              const unsigned char seed[TLOG_SEED_SIZE], struct err *e) WUR;

/* Wipes the secret key (and the rest of s). */
void tlog_signer_wipe(struct tlog_signer *s);

/* Writes the signer key string of s and a NUL into out. out then holds a
 * secret: the caller wipes it (sodium_memzero) when done. Returns 0 or -1. */
int tlog_signer_format(const struct tlog_signer *s, char out[TLOG_SIGNER_KEY_MAX],
                       struct err *e) WUR;

/* Parses a signer key string s[0..len) into signer (same checks as
 * tlog_verifier_parse, with the "PRIVATE+KEY+" prefix and a seed). On failure
 * signer is wiped. Every temporary copy of the seed is wiped. Returns 0 or -1. */
int tlog_signer_parse(struct tlog_signer *signer, const char *s, size_t len, struct err *e) WUR;

/* Like tlog_signer_parse, for a key of signature type alg. */
int tlog_signer_parse_alg(struct tlog_signer *signer, const char *s, size_t len, unsigned char alg,
                          struct err *e) WUR;

/* Returns 1 if signature line sig is by v (same name and key id), else 0. */
int tlog_note_sig_is(const struct tlog_note_sig *sig, const struct tlog_verifier *v);

/* Decodes the base64 of signature line sig (canonical, as tlog_note_parse
 * checked it) into bin (max bytes) and its length into *len, the 4-byte key
 * id included. Returns 0, or -1 when it does not fit. */
int tlog_note_sig_decode(const struct tlog_note_sig *sig, unsigned char *bin, size_t max,
                         size_t *len) WUR;

/* Appends the signature line "— " name " " base64(bin[0..n)) "\n" to out.
 * Returns 0, or -1 with out's error. */
int tlog_note_sig_line(struct buf *out, const char *name, const unsigned char *bin, size_t n,
                       struct err *e) WUR;

/* Parses the syntax of a signed note msg[0..len) into n (no signature is
 * checked). Strict: at most TLOG_NOTE_MAX bytes, valid UTF-8, no control
 * character but "\n", text and signatures separated by the last blank line,
 * 1..TLOG_NOTE_SIGS_MAX well-formed signature lines (valid name, canonical
 * base64 of 5..TLOG_SIG_MAX bytes). Returns 0, or -1 with ERR_INVALID or
 * ERR_TOO_LARGE. */
int tlog_note_parse(struct tlog_note *n, const char *msg, size_t len, struct err *e) WUR;

/* Verifies a parsed note against one trusted key (C2SP rules): signatures
 * whose name or key id differ from v are ignored; every signature with v's
 * name and key id must verify; at least one must be present.
 * Returns 0, or -1 with ERR_CRYPTO. */
int tlog_note_verify(const struct tlog_note *n, const struct tlog_verifier *v, struct err *e) WUR;

/* Appends to out the signed note of text[0..len) with one signature by s:
 * text, "\n", the signature line. text must be non-empty valid UTF-8 ending in
 * "\n" with no other control character. Returns 0, or -1 with ERR_INVALID or
 * the error of out (ERR_TOO_LARGE, ERR_NOMEM). */
int tlog_note_sign(const char *text, size_t len, const struct tlog_signer *s, struct buf *out,
                   struct err *e) WUR;

#endif
