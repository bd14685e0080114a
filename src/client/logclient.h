/* logclient.h — reading and checking a dissent transparency log from the
 * outside: the public log API (docs/api.md, "Public transparency log"), a
 * compact range of leaf hashes, the well-formedness of channel-event leaves
 * (docs/protocol-tlog.md §2), and the monitor's state file.
 *
 * Nothing here trusts the server: checkpoints are opened against a verifier
 * key the caller pins, leaf hashes are recomputed from leaf bytes, and proofs
 * are checked with tlog/proof.h.
 */
#ifndef DISSENT_CLIENT_LOGCLIENT_H
#define DISSENT_CLIENT_LOGCLIENT_H

#include "base/compat.h"
#include "base/err.h"
#include "client/client.h"
#include "tlog/checkpoint.h"
#include "tlog/hash.h"
#include "tlog/note.h"
#include "tlog/proof.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Most leaves the server gives per request. */
#define LOGC_PAGE 1000
/* Largest log reply accepted (a page of leaves with long paragraph lists). */
#define LOGC_MAX_RESPONSE (64u * 1024u * 1024u)
/* Largest state file read. */
#define LOGC_STATE_MAX (64u * 1024u)

/* ---- compact range ----------------------------------------------------- */

/* The compact range of leaves [0, size): the roots of the perfect subtrees
 * that make up the tree, one per 1-bit of size, largest (leftmost) first.
 * Enough to append leaves and compute the RFC 9162 root without the rest of
 * the tree. Plain data. */
struct logc_range {
    uint64_t size;
    size_t n; /* popcount(size) */
    unsigned char hash[64][TLOG_HASH_SIZE];
};

/* Empties r (size 0). */
void logc_range_init(struct logc_range *r);

/* Appends one leaf hash. Returns 0, or -1 (ERR_INVALID) when the range is
 * at TLOG_MAX_SIZE. */
int logc_range_append(struct logc_range *r, const unsigned char leaf_hash[TLOG_HASH_SIZE],
                      struct err *e) WUR;

/* Writes the root of r: SHA-256("") when empty. */
void logc_range_root(const struct logc_range *r, unsigned char out[TLOG_HASH_SIZE]);

/* Root of the first m leaves of hashes[0..] (m may be 0). */
void logc_root_of(const unsigned char (*hashes)[TLOG_HASH_SIZE], uint64_t m,
                  unsigned char out[TLOG_HASH_SIZE]);

/* The compact range of leaves [0, index) that an inclusion proof of leaf
 * index in the tree of size leaves carries: its left siblings, which are
 * exactly the perfect subtrees of [0, index). Nothing is verified: these are
 * the server's hashes until a root made from them matches a signed one
 * (logc_check_range). Returns 0, or -1 (ERR_INVALID: index >= size, or a
 * proof of the wrong length for index and size). */
int logc_range_from_inclusion(uint64_t index, uint64_t size, const struct tlog_proof *p,
                              struct logc_range *r, struct err *e) WUR;

/* ---- base64 of hashes -------------------------------------------------- */

/* Decodes canonical standard padded base64 of exactly 32 bytes. Returns 0 or -1. */
int logc_hash_decode(const char *b64, unsigned char out[TLOG_HASH_SIZE]) WUR;

/* Writes the standard padded base64 of a 32-byte hash and a NUL (45 bytes). */
void logc_hash_encode(const unsigned char h[TLOG_HASH_SIZE], char out[48]);

/* ---- keys and proofs ---------------------------------------------------- */

/* Parses a verifier key "name+id+key" (tlog/note.h) into v. Returns 0 or -1
 * (ERR_INVALID) with e. */
int logc_key_parse(struct tlog_verifier *v, const char *key, struct err *e) WUR;

/* The string form of v into key. Returns 0 or -1 with e. */
int logc_key_format(const struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX],
                    struct err *e) WUR;

/* The leaf hash of leaf bytes data[0..len) (RFC 9162: SHA-256(0x00 || data)). */
void logc_leaf_hash(const char *data, size_t len, unsigned char out[TLOG_HASH_SIZE]);

/* Verifies a proof (logc_fetch_inclusion) that the leaf with hash leaf_hash
 * is leaf index of the tree of size leaves with root root. Returns 0, or -1
 * (ERR_CRYPTO) with e saying why. */
int logc_verify_inclusion(uint64_t index, uint64_t size,
                          const unsigned char leaf_hash[TLOG_HASH_SIZE], const struct tlog_proof *p,
                          const unsigned char root[TLOG_HASH_SIZE], struct err *e) WUR;

/* Verifies a proof (logc_fetch_consistency) that the tree of size to with
 * root to_root extends the tree of size from with root from_root. Returns 0,
 * or -1 (ERR_CRYPTO) with e saying why. */
int logc_verify_consistency(uint64_t from, uint64_t to,
                            const unsigned char from_root[TLOG_HASH_SIZE],
                            const unsigned char to_root[TLOG_HASH_SIZE], const struct tlog_proof *p,
                            struct err *e) WUR;

/* ---- leaves ------------------------------------------------------------ */

/* Checks that data[0..len) is a well-formed channel-event leaf: a JSON
 * object in canonical form (compact, sorted keys, ASCII: re-encoding gives
 * the same bytes), "v" 1, a known "kind" with exactly the fields of
 * docs/protocol-tlog.md §2, each of the right type and shape: the table of
 * leaf kinds the server builds its leaves from (proto/events.h). On success
 * and when parsed is non-NULL, *parsed holds the object (a new reference).
 * Returns 0, or -1 with ERR_INVALID and a message naming the field. */
int logc_leaf_check(const char *data, size_t len, json_t **parsed, struct err *e) WUR;

/* ---- the public log API ------------------------------------------------ */

/* GETs path from c and fills *out with the JSON object (new reference).
 * Returns 0 or -1 with e. */
int logc_get(struct client *c, const char *path, json_t **out, struct err *e) WUR;

/* Fetches /log/key into v and its string form into key. Returns 0 or -1. */
int logc_fetch_key(struct client *c, struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX],
                   struct err *e) WUR;

/* Like logc_fetch_key, and first receives the key the log says it was made
 * with (first_verifier_key; the same as key when the server does not say).
 * Returns 0 or -1. */
int logc_fetch_key_first(struct client *c, struct tlog_verifier *v, char key[TLOG_VERIFIER_KEY_MAX],
                         char first[TLOG_VERIFIER_KEY_MAX], struct err *e) WUR;

/* Fetches /log/checkpoint, opens its signed note against v (signature,
 * origin) and checks that the reply's size and root fields agree with the
 * note. Fills cp. Returns 0, or -1 (ERR_CRYPTO: bad signature or a reply
 * that contradicts its note). */
int logc_fetch_checkpoint(struct client *c, const struct tlog_verifier *v,
                          struct tlog_checkpoint *cp, struct err *e) WUR;

/* Like logc_fetch_checkpoint, and appends the signed note as received
 * (cosignatures included) to note_out when it is not NULL. */
int logc_fetch_checkpoint_note(struct client *c, const struct tlog_verifier *v,
                               struct tlog_checkpoint *cp, struct buf *note_out, struct err *e) WUR;

/* Fetches leaves [start, end) (several requests if needed) and checks that
 * exactly those indices came back, in order. Each element of *leaves (a new
 * array) is the server's {index, data, leaf_hash}; hashes[0..end-start),
 * when non-NULL, receives the leaf hashes recomputed from data. A leaf_hash
 * the server sent that differs from the recomputed one is ERR_CRYPTO.
 * Returns 0 or -1. */
int logc_fetch_leaves(struct client *c, uint64_t start, uint64_t end, json_t **leaves,
                      unsigned char (*hashes)[TLOG_HASH_SIZE], struct err *e) WUR;

/* Fetches the inclusion proof of leaf index in the tree of size leaves.
 * Returns 0 or -1. */
int logc_fetch_inclusion(struct client *c, uint64_t index, uint64_t size, struct tlog_proof *p,
                         struct err *e) WUR;

/* Fetches the consistency proof from size from to size to. Returns 0 or -1. */
int logc_fetch_consistency(struct client *c, uint64_t from, uint64_t to, struct tlog_proof *p,
                           struct err *e) WUR;

/* Checks that leaves [start, end) with leaf hashes hashes[0..end-start)
 * (recomputed from their data) are those of the signed checkpoint cp, with
 * start < end <= cp->size, by one check for the whole range: the inclusion
 * proof of leaf start in the tree of end leaves gives the subtrees left of
 * the range (logc_range_from_inclusion; none when start is 0), the leaves
 * give the root of the first end leaves, and that root is cp's root (end ==
 * cp->size) or a consistency proof ties it to cp. *ok is 1 when it holds, 0
 * when the leaves or the server's proofs do not hash to the signed root.
 * Returns 0, or -1 when a proof cannot be fetched. */
int logc_check_range(struct client *c, const struct tlog_checkpoint *cp, uint64_t start,
                     uint64_t end, const unsigned char (*hashes)[TLOG_HASH_SIZE], int *ok,
                     struct err *e) WUR;

/* Marks with bad[i] = 1 each leaf start + i of [start, end) that the signed
 * checkpoint cp does not vouch for (logc_check_range), *nbad their number:
 * the whole range by one check, and only when it fails its halves, down to
 * single leaves. bad has end - start elements, set to 0 first. Returns 0,
 * or -1 when a proof cannot be fetched. */
int logc_check_leaves(struct client *c, const struct tlog_checkpoint *cp, uint64_t start,
                      uint64_t end, const unsigned char (*hashes)[TLOG_HASH_SIZE],
                      unsigned char *bad, uint64_t *nbad, struct err *e) WUR;

/* ---- the monitor's state file ------------------------------------------ */

/* What a monitor remembers between runs: the pinned key and the last
 * checkpoint it verified, with the compact range of its leaves. */
struct logc_state {
    char verifier_key[TLOG_VERIFIER_KEY_MAX];
    struct tlog_verifier verifier; /* parsed from verifier_key */
    char server[CLIENT_URL_MAX];   /* informational: where it was last read */
    uint64_t size;
    unsigned char root[TLOG_HASH_SIZE];
    struct logc_range range; /* of leaves [0, size) */
    char checked_at[24];     /* UTC time of the last successful run */
};

/* Reads the state at path into s. *found is 0 when there is no file (s is
 * then zeroed). A file that exists must be a valid state: a parsable key,
 * a range of exactly size leaves whose root is root. Returns 0 or -1. */
int logc_state_load(const char *path, struct logc_state *s, int *found, struct err *e) WUR;

/* Writes s to path atomically: a temporary file in the same directory with
 * mode 0600, written, flushed to disk, renamed over path. Returns 0 or -1. */
int logc_state_save(const char *path, const struct logc_state *s, struct err *e) WUR;

/* ---- pinned keys ------------------------------------------------------- */

/* Where `dissent verify` pins log keys: $DISSENT_LOG_KEYS, else
 * ${XDG_CONFIG_HOME:-$HOME/.config}/dissent/log-keys.json. Returns 0 or -1. */
int logc_pins_path(char *out, size_t n, struct err *e) WUR;

/* Looks up the verifier key pinned for server (a normalized URL) in the
 * pins file at path ({"<server>": "<verifier key>", ...}). *found is 0 when
 * the file or the entry is missing. key receives the string. Returns 0 or -1. */
int logc_pin_get(const char *path, const char *server, char key[TLOG_VERIFIER_KEY_MAX], int *found,
                 struct err *e) WUR;

/* Adds (or replaces) the pin of server in the file at path, written
 * atomically with mode 0600 (directories 0700). Returns 0 or -1. */
int logc_pin_set(const char *path, const char *server, const char *key, struct err *e) WUR;

#endif
