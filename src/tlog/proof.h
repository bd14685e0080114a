/* proof.h — verification of RFC 9162 inclusion and consistency proofs.
 *
 * Verification needs no storage: it works on the proof, the sizes and the
 * roots alone, which is what an outside monitor has. Generation (which needs
 * the tree's stored nodes) is in tlog/tree.h.
 */
#ifndef DISSENT_TLOG_PROOF_H
#define DISSENT_TLOG_PROOF_H

#include "base/compat.h"
#include "base/err.h"
#include "tlog/hash.h"

#include <stddef.h>
#include <stdint.h>

/* Largest tree size the library handles: sizes and indices fit in a signed
 * 64-bit SQL integer. */
#define TLOG_MAX_SIZE ((uint64_t)INT64_MAX)

/* Most hashes in any proof for a tree of at most TLOG_MAX_SIZE leaves:
 * an inclusion proof has at most 63, a consistency proof at most 64. */
#define TLOG_PROOF_MAX 64

/* An inclusion or consistency proof: len hashes, in RFC 9162 order
 * (from the leaf or the old tree's edge upward to the root). */
struct tlog_proof {
    size_t len;
    unsigned char hash[TLOG_PROOF_MAX][TLOG_HASH_SIZE];
};

/* Computes the root implied by an inclusion proof (RFC 9162 §2.1.3.2) for
 * leaf_hash at index in a tree of size leaves, into root_out.
 * Fails (ERR_INVALID) if index >= size or the proof length is not exactly
 * the one this index and size require. */
int tlog_root_from_inclusion(uint64_t index, uint64_t size,
                             const unsigned char leaf_hash[TLOG_HASH_SIZE],
                             const struct tlog_proof *proof, unsigned char root_out[TLOG_HASH_SIZE],
                             struct err *e) WUR;

/* Verifies that leaf_hash is the leaf at index in the tree of size leaves
 * whose root is root. Returns 0, or -1 with ERR_INVALID (malformed: index out
 * of range, wrong proof length) or ERR_CRYPTO (the root does not match). */
int tlog_verify_inclusion(uint64_t index, uint64_t size,
                          const unsigned char leaf_hash[TLOG_HASH_SIZE],
                          const struct tlog_proof *proof, const unsigned char root[TLOG_HASH_SIZE],
                          struct err *e) WUR;

/* Verifies that the tree of size1 leaves with root root1 is a prefix of the
 * tree of size2 leaves with root root2 (RFC 9162 §2.1.4.2), with the rules of
 * docs/protocol-tlog.md: size1 == 0 is always an error (nothing to prove),
 * size1 > size2 is an error, size1 == size2 needs an empty proof and equal
 * roots, otherwise the proof must be non-empty and of the exact length.
 * Returns 0, or -1 with ERR_INVALID or ERR_CRYPTO. */
int tlog_verify_consistency(uint64_t size1, uint64_t size2,
                            const unsigned char root1[TLOG_HASH_SIZE],
                            const unsigned char root2[TLOG_HASH_SIZE],
                            const struct tlog_proof *proof, struct err *e) WUR;

#endif
