/* anon.h — the client side of anonymous co-signatures (docs/protocol-ring.md,
 * "In the channel"): reading a memo's public facts (GET
 * /api/v1/public/memos/:id), choosing the ring and the version, proving
 * locally, and re-verifying every anonymous signature from public data alone.
 *
 * The bytes a proof signs are the protocol's (proto_anon_scope,
 * proto_anon_message: v2), the same the server verifies. Nothing here talks to a
 * server: the caller fetches the JSON and posts the request. */
#ifndef DISSENT_CLIENT_ANON_H
#define DISSENT_CLIENT_ANON_H

#include "base/compat.h"
#include "base/err.h"
#include "ring/triptych.h"
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Where a key signs: a ring of the memo that holds it. Strings point into
 * the public memo JSON, which must outlive the choice. */
struct anon_choice {
    const char *organization;
    int ring;               /* ring number (1 = the snapshot at circulation) */
    size_t index;           /* position of the key in the ring */
    size_t count;           /* keys in the ring */
    const json_t *ring_obj; /* {organization, ring, digest, count, keys} */
};

/* Finds pk in the organizations' rings of pub (never the coalition ring),
 * taking the newest ring (highest number) that holds it. ERR_NOT_FOUND:
 * "your key is not in a ring of your organization …". Returns 0 or -1 with
 * e. */
int anon_find_ring(const json_t *pub, const uint8_t pk[RING_POINT_BYTES], struct anon_choice *out,
                   struct err *e) WUR;

/* As anon_find_ring, in the coalition rings of pub when coalition is
 * nonzero (organization PROTO_COALITION: every organization's members,
 * counted in the total only), else in the organizations' rings. */
int anon_find_ring_kind(const json_t *pub, const uint8_t pk[RING_POINT_BYTES], int coalition,
                        struct anon_choice *out, struct err *e) WUR;

/* 1 when organization names the coalition ring (PROTO_COALITION). */
int anon_is_coalition(const char *organization);

/* The version to sign: want (1..), or the latest when want is 0. Sets
 * *number and *hash (pointing into pub). ERR_NOT_FOUND names the versions
 * there are. Returns 0 or -1 with e. */
int anon_find_version(const json_t *pub, int want, int *number, const char **hash,
                      struct err *e) WUR;

/* Builds the ring of a ring object {keys:[hex], digest, count} and checks
 * that its digest and count are the published ones (ERR_CRYPTO otherwise).
 * On success *out owns the ring (anon_ring_free). Returns 0 or -1 with e. */
int anon_ring_build(const json_t *ring_obj, struct ring_keys **out, struct err *e) WUR;

/* Frees a ring of anon_ring_build (NULL is fine). */
void anon_ring_free(struct ring_keys *ring);

/* The scope of the memo of pub (proto_anon_scope of its "origin" and
 * "memo") into buf (n bytes), its length in *len. ERR_INVALID when pub lacks
 * either (a server older than protocol v2). Returns 0 or -1 with e. */
int anon_scope(const json_t *pub, char *buf, size_t n, size_t *len, struct err *e) WUR;

/* The sequence number the next action of tag (64 hex digits) must carry,
 * from pub's "sequences" (0 for a tag that never acted). */
int64_t anon_next_seq(const json_t *pub, const char *tag_hex);

/* The tag the key sk gives on the memo of pub, as 64 hex digits: the same
 * member on the same memo of one installation always gives the same tag.
 * Returns 0 or -1 with e. */
int anon_tag(const json_t *pub, const uint8_t sk[RING_SCALAR_BYTES], char tag_hex[65],
             struct err *e) WUR;

/* The published signature carrying tag (64 hex digits) in pub, or NULL. */
const json_t *anon_signature_by_tag(const json_t *pub, const char *tag_hex);

/* Proves, for the memo of pub, with the key sk at ch, the message of
 * signing version (number and hash) at the tag's sequence number seq, or of
 * withdrawing when version_hash is NULL. ring is ch's ring
 * (anon_ring_build).
 * On success *proof_b64 is a malloc'd standard-base64 string (free()) and
 * tag holds the proof's tag. Returns 0 or -1 with e. */
int anon_prove(const json_t *pub, const struct ring_keys *ring, const struct anon_choice *ch,
               const uint8_t sk[RING_SCALAR_BYTES], int64_t seq, int version,
               const char *version_hash, char **proof_b64, uint8_t tag[RING_POINT_BYTES],
               struct err *e) WUR;

/* The body of POST /api/v1/anonymous/memos/:id/signatures for one proof:
 * {signatures:[{version (null when 0: withdraw), organization, ring, seq,
 * proof}]}. Returns a new reference, or NULL when out of memory. */
json_t *anon_request(int version, int64_t seq, const struct anon_choice *ch, const char *proof_b64);

/* Re-verifies everything about the anonymous signatures of pub: every ring
 * rebuilt from its keys (digest and count as published; each ring of an
 * organization holding the keys of the one before it), every signature
 * verified (one batch per ring, then one by one to name a bad one) with the
 * tag it claims, tags unique, and the counts per version and per
 * organization recomputed from the valid signatures and compared with
 * counts.anonymous. *report (a new reference) is
 * (a coalition signature counts in total and by_version, in no organization)
 *   {memo, ok, rings:[{organization, ring, count, digest}], signatures,
 *    verified, counts:{total, by_version, by_organization}, server_counts,
 *    problems:[text], pre_v2:[tag]}
 * A signature that fails the v2 checks but verifies with protocol v1's
 * bytes (a tag's first action, seq 0: stored before the upgrade) is listed
 * in pre_v2 and not counted; the server's counts, which still include it,
 * are compared with the v2 counts plus those.
 * Returns 0 when the check could run (ok tells the result), -1 with e when
 * pub is not a public memo at all. */
int anon_verify_public(const json_t *pub, json_t **report, struct err *e) WUR;

#endif
