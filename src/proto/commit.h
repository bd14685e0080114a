/* commit.h — commitments to private text (protocol v2, issue #10 break 5):
 * the public values derived from a memo's text, an answer or an extension
 * reason. In v1 these were unkeyed SHA-256 hashes, so anyone could confirm
 * a guessed text against the log ("Declined."). In v2 each is an
 * HMAC-SHA-256 under a random 256-bit salt that is never published: whoever
 * holds the salt and the text can open the commitment; nobody else can test
 * guesses. docs/protocol-tlog.md gives the bytes. */
#ifndef DISSENT_PROTO_COMMIT_H
#define DISSENT_PROTO_COMMIT_H

#include <stddef.h>

#define PROTO_SALT_BYTES 32
#define PROTO_COMMIT_HEX 65

/* The commitment to a version, as 64 lowercase hex digits and a NUL:
 * HMAC-SHA-256(key, "dissent-version-commitment-v2\n" || canonical form),
 * the canonical form being proto_version_hash's bytes
 * ("dissent-memo-version-v1\ntitle: …\nmarking: …\n\n" body). key is the
 * version's verification key (copycheck.h, COPY_KEY_SIZE = 32 random
 * bytes), which the official rendering prints: a holder of the rendering
 * recomputes it from title, marking and body. This value is the version's
 * public "hash" in v2 (leaves, memo JSON, public memo facts, the anonymous
 * signature message). */
void proto_version_commitment(const unsigned char key[PROTO_SALT_BYTES], const char *title,
                              const char *marking, const char *body, char out[PROTO_COMMIT_HEX]);

/* The commitment to a text of one kind (label "answer" or "reason"):
 * HMAC-SHA-256(salt, "dissent-" label "-commitment-v2\n" || text), hex. */
void proto_text_commitment(const unsigned char salt[PROTO_SALT_BYTES], const char *label,
                           const char *text, char out[PROTO_COMMIT_HEX]);

/* The salt of a state event's text commitment, derived so that the server
 * need not store it: HMAC-SHA-256(secret, "dissent-text-salt-v2\n" memo "\n"
 * event "\n" discriminator), where secret is a 32-byte server secret that
 * is never published (the commitment key, commit.key; before it existed,
 * the log's signing seed) and discriminator tells the
 * events of one memo apart (the new answer deadline of an extension, "" for
 * the answer). */
void proto_text_salt(const unsigned char secret[PROTO_SALT_BYTES], const char *memo,
                     const char *event, const char *discriminator,
                     unsigned char salt[PROTO_SALT_BYTES]);

/* The salt of a named signer's commitment (proto_signer_commitment), v2:
 * the hex of HMAC-SHA-256(secret, "dissent-signer-salt-v2\n" memo "\n"
 * username) (64 hex digits and a NUL), secret being the server's private
 * 32-byte commitment key (commit.key; commitments published before it
 * existed used the log's signing seed and keep it). Derived, not drawn and stored, so that it is
 * the same for every leaf of one signer on one memo — across moves, a withdrawal and a re-signature
 * — and the signer can always get it back (their receipt). Nobody without the secret can compute
 * it. */
void proto_signer_salt(const unsigned char secret[PROTO_SALT_BYTES], const char *memo,
                       const char *username, char out[PROTO_COMMIT_HEX]);

#endif
