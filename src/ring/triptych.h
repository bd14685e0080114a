/* triptych.h — Triptych linkable ring signatures over ristretto255
 * (Noether & Goodell, IACR ePrint 2020/018), as specified byte for byte in
 * docs/protocol-ring.md.
 *
 * A signer holding r with M_l = r*G for some key M_l of the ring proves it
 * without revealing l, and publishes the tag J = r^-1 * U where
 * U = hash_to_group(DST_tag, scope). The scope is the memo id: the same key
 * on the same scope always gives the same tag; different scopes give
 * unlinkable tags. The proof also binds a message (the version hash).
 *
 * This layer knows nothing of memos: scope and message are opaque bytes.
 * Implemented in rings.c, tag.c, generators.c, prove.c and verify.c. */
#ifndef DISSENT_RING_TRIPTYCH_H
#define DISSENT_RING_TRIPTYCH_H

#include "ring/group.h"

/* Most keys a ring may hold (2^24). */
#define RING_MAX_MEMBERS (1u << 24)
/* Length of a ring digest (SHA-512). */
#define RING_DIGEST_BYTES 64
/* Bytes of a proof header (version, n, m, reserved). */
#define RING_PROOF_HEADER  4
#define RING_PROOF_VERSION 1

/* A ring: the decoded member keys of one roster snapshot, and its digest.
 * Immutable once built; safe to share between threads. */
struct ring_keys;

/* Builds a ring from count (1..RING_MAX_MEMBERS) 32-byte encodings in order.
 * Every key must be a canonical ristretto255 encoding other than the
 * identity (ERR_INVALID names the first bad index). Decoding uses both
 * cores. On success *out owns the ring (free with ring_keys_free). */
int ring_keys_new(struct ring_keys **out, const uint8_t (*keys)[RING_POINT_BYTES], size_t count,
                  struct err *e) WUR;

/* Checks that pk is a valid ring member key: a canonical ristretto255
 * encoding other than the identity. Returns 0, or -1 (ERR_INVALID). */
int ring_key_check(const uint8_t pk[RING_POINT_BYTES], struct err *e) WUR;

/* Frees a ring (NULL is fine). */
void ring_keys_free(struct ring_keys *r);

/* Number of keys (before padding). */
size_t ring_keys_count(const struct ring_keys *r);

/* The ring digest: SHA-512 over a DST, the count and every key encoding
 * (docs/protocol-ring.md); points into the ring. */
const uint8_t *ring_keys_digest(const struct ring_keys *r);

/* Proof parameters: radix n (2, 4, 8 or 16) and m digits; n^m >= count. */
struct ring_params {
    unsigned n, m;
};

/* The radix table (docs/protocol-ring.md §5): radix 4 up to RING_RADIX4_MAX
 * keys, 16 up to RING_RADIX16_MAX, 8 up to RING_RADIX8_MAX, 4 beyond. */
#define RING_RADIX4_MAX  (1u << 12)
#define RING_RADIX16_MAX (1u << 16)
#define RING_RADIX8_MAX  (1u << 21)

/* The parameters a prover uses for a ring of count keys (the radix table
 * above, chosen from benchmarks; docs/protocol-ring.md). A verifier accepts any n in
 * {2,4,8,16} with the smallest m such that n^m >= count. Returns 0, or -1
 * (ERR_INVALID: count outside 1..RING_MAX_MEMBERS). */
int ring_params_for(size_t count, struct ring_params *p, struct err *e) WUR;

/* Smallest m for radix n (n^m >= count, m >= 1). */
unsigned ring_params_digits(size_t count, unsigned n);

/* Exact serialized length of a proof with parameters p:
 * 4 + 32*(5 + 2m) + 32*(m(n-1) + 3). */
size_t ring_proof_len(struct ring_params p);

/* U = hash_to_group(DST_tag, scope): the tag base of a scope (memo id).
 * Depends on the scope alone. Returns 0, or -1 (ERR_INVALID for an empty
 * scope). */
int ring_tag_base(uint8_t u[RING_POINT_BYTES], const uint8_t *scope, size_t scope_len,
                  struct err *e) WUR;

/* J = sk^-1 * U(scope): the tag the key sk gets on that scope. Compare tags
 * by their encodings. Returns 0, or -1 (ERR_INVALID: sk zero or not
 * canonical, empty scope). Constant time in sk. */
int ring_tag(uint8_t j[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
             size_t scope_len, struct err *e) WUR;

/* Proves that the caller holds sk for ring key number index, for scope and
 * message msg (msg may be NULL when msg_len is 0). On success *proof is a
 * malloc'd buffer of *proof_len bytes that the caller frees. Fails with
 * ERR_INVALID when index is out of range, sk is zero or not canonical, or
 * sk*G is not the key at index; ERR_NOMEM. Secret-dependent work is constant
 * time (ring_msm_ct, constant-time selection) and uses both cores. */
int ring_prove(uint8_t **proof, size_t *proof_len, const struct ring_keys *ring, size_t index,
               const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope, size_t scope_len,
               const uint8_t *msg, size_t msg_len, struct err *e) WUR;

/* As ring_prove with explicit parameters (n in {2,4,8,16}, m the smallest
 * with n^m >= count; ERR_INVALID otherwise): for tests and benchmarks. */
int ring_prove_with(uint8_t **proof, size_t *proof_len, struct ring_params p,
                    const struct ring_keys *ring, size_t index, const uint8_t sk[RING_SCALAR_BYTES],
                    const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                    struct err *e) WUR;

/* How far a proof has got, for a person waiting on it (a browser Worker
 * shows a progress bar). fn is called on the calling thread with done
 * rising from 0 to total (units of ring work, about one per n^2 keys);
 * returning nonzero stops the proof. */
struct ring_progress {
    int (*fn)(void *arg, size_t done, size_t total);
    void *arg;
};

/* As ring_prove, reporting to progress (NULL: as ring_prove). When the
 * callback asks to stop, fails with ERR_STATE and makes no proof (every
 * secret intermediate is wiped as on any failure). The bytes of a proof are
 * made exactly as by ring_prove. */
int ring_prove_progress(uint8_t **proof, size_t *proof_len, const struct ring_keys *ring,
                        size_t index, const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
                        size_t scope_len, const uint8_t *msg, size_t msg_len,
                        const struct ring_progress *progress, struct err *e) WUR;

/* The prover in phases, for provers whose first fold level (most of the
 * work) is split between processes without shared memory, such as the
 * browser's Web Workers (docs/protocol-ring.md §10, docs/architecture.md).
 * ring_prove is these phases with the level as one part; the same
 * randomness gives the same bytes however the level is split:
 *
 *   ring_prover_begin      checks, secrets, commitments A..D
 *   ring_prover_level      the first level's secret inputs (a blob)
 *   ring_fold_part         groups [r0, r1) of the first level, from the blob
 *                          and the ring only (any process holding the ring)
 *   ring_prover_finish     the parts, in order, then the rest of the proof
 *
 * The blob and the parts are as secret as the key: wipe them after use. */
struct ring_prover;

/* Size of the level blob ring_prover_level writes. */
#define RING_LEVEL_BYTES 1376

/* Starts a proof over ring (which must outlive *out) with parameters p, as
 * ring_prove_with checks them; draws all of the proof's randomness. *out is
 * freed with ring_prover_free. Returns 0, or -1 with e (nothing allocated). */
int ring_prover_begin(struct ring_prover **out, struct ring_params p, const struct ring_keys *ring,
                      size_t index, const uint8_t sk[RING_SCALAR_BYTES], const uint8_t *scope,
                      size_t scope_len, const uint8_t *msg, size_t msg_len, struct err *e) WUR;

/* Groups of the first fold level (parts cover [0, groups)), and rows of
 * progress of the whole fold (the units of struct ring_progress). */
size_t ring_prover_groups(const struct ring_prover *st);
size_t ring_prover_rows(const struct ring_prover *st);

/* Writes the first level's secret inputs and the proof's public header
 * (parameters, ring digest, an id from commitment A) to out. */
void ring_prover_level(const struct ring_prover *st, uint8_t out[RING_LEVEL_BYTES]);

/* Bytes of the part of groups [r0, r1) for a level blob; 0 if r1 <= r0. */
size_t ring_fold_part_len(const uint8_t level[RING_LEVEL_BYTES], size_t r0, size_t r1);

/* Folds groups [r0, r1) of the first level into out (exactly
 * ring_fold_part_len bytes), constant time in the blob's secrets; ring must
 * be the one the blob names (its digest). progress (or NULL) sees rows of
 * this part (done 0..r1-r0); asking to stop fails with ERR_STATE. Returns 0,
 * or -1 with e (ERR_INVALID: a blob of another ring or a bad range). */
int ring_fold_part(uint8_t *out, size_t out_len, const struct ring_keys *ring,
                   const uint8_t level[RING_LEVEL_BYTES], size_t r0, size_t r1,
                   const struct ring_progress *progress, struct err *e) WUR;

/* Completes the proof from parts: the parts' bytes one after another, in
 * order of their groups, covering [0, groups) once, each of this proof (the
 * id). progress (or NULL) sees rows of the whole fold from groups on.
 * Returns 0 and the proof (*proof malloc'd, free()), 1 if the proof drew a
 * zero response (probability about 2^-250: free st and begin again), or -1
 * with e (ERR_INVALID: a part missing, repeated, out of order or of another
 * proof; ERR_STATE: finished already, or cancelled). st is spent either way;
 * parts are not wiped (the caller's). */
int ring_prover_finish(struct ring_prover *st, uint8_t **proof, size_t *proof_len,
                       const uint8_t *parts, size_t parts_len, const struct ring_progress *progress,
                       struct err *e) WUR;

/* Wipes and frees a prover state (NULL: nothing). */
void ring_prover_free(struct ring_prover *st);

/* Reads the tag J out of a proof without verifying it (ERR_INVALID if the
 * proof is too short or J is not a canonical non-identity point). */
int ring_proof_tag(uint8_t j[RING_POINT_BYTES], const uint8_t *proof, size_t proof_len,
                   struct err *e) WUR;

/* Verifies one proof against ring, scope and msg. Returns 0 (and, if tag is
 * not NULL, copies the tag J to it) or -1: ERR_INVALID for a malformed proof
 * (length, parameters, non-canonical or identity points, non-canonical or
 * zero scalars), ERR_CRYPTO when it does not verify, ERR_NOMEM. */
int ring_verify(const struct ring_keys *ring, const uint8_t *proof, size_t proof_len,
                const uint8_t *scope, size_t scope_len, const uint8_t *msg, size_t msg_len,
                uint8_t tag[RING_POINT_BYTES], struct err *e) WUR;

/* One proof of a batch, with the message it signs. */
struct ring_batch_item {
    const uint8_t *proof;
    size_t proof_len;
    const uint8_t *msg;
    size_t msg_len;
};

/* Verifies count proofs on one ring and one scope together: one Pippenger
 * MSM with fresh random weights (docs/protocol-ring.md). Returns 0 if every
 * proof is valid, -1 otherwise (as ring_verify; ERR_CRYPTO does not say
 * which proof failed: verify them one by one to find it). count 0 is
 * valid. Uses both cores. */
int ring_verify_batch(const struct ring_keys *ring, const uint8_t *scope, size_t scope_len,
                      const struct ring_batch_item *items, size_t count, struct err *e) WUR;

/* Makes a ring key pair: sk random nonzero, pk = sk*G. Returns 0, or -1
 * (ERR_INTERNAL if libsodium cannot start). The caller wipes sk. */
int ring_keypair(uint8_t pk[RING_POINT_BYTES], uint8_t sk[RING_SCALAR_BYTES], struct err *e) WUR;

/* pk = sk*G. Returns 0, or -1 (ERR_INVALID: sk zero or not canonical). */
int ring_public_key(uint8_t pk[RING_POINT_BYTES], const uint8_t sk[RING_SCALAR_BYTES],
                    struct err *e) WUR;

#endif
