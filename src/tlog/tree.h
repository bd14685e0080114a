/* tree.h — the Merkle tree over stored complete subtrees: append, tree
 * heads, and inclusion / consistency proof generation (RFC 9162 §2.1).
 *
 * Storage scheme. A *node* (level, index) is the hash of the complete subtree
 * covering leaves [index·2^level, (index+1)·2^level); level 0 holds the leaf
 * hashes. Node (level, index) exists once the tree has at least
 * (index+1)·2^level leaves, and never changes afterwards. A tree of n leaves
 * stores fewer than 2n nodes. Every other hash (the root of any size, an
 * incomplete right edge) is derived from at most 2·63 stored nodes, so no
 * request rehashes the tree.
 *
 * The library does not own persistence. It reads nodes through a
 * struct tlog_node_source that the caller implements (the in-memory store of
 * tlog/memstore.h, or an SQL table (level, idx, hash)), and tlog_append
 * returns the new nodes for the caller to write.
 */
#ifndef DISSENT_TLOG_TREE_H
#define DISSENT_TLOG_TREE_H

#include "base/compat.h"
#include "base/err.h"
#include "tlog/hash.h"
#include "tlog/proof.h"

#include <stddef.h>
#include <stdint.h>

/* The coordinates of a stored node. level is 0..62. */
struct tlog_node_id {
    unsigned level;
    uint64_t index;
};

/* A stored node: coordinates and hash. */
struct tlog_node {
    unsigned level;
    uint64_t index;
    unsigned char hash[TLOG_HASH_SIZE];
};

/* Read access to stored nodes, implemented by the caller.
 *
 * get: writes the hash of node (level, index) into out and returns 0, or
 *   returns -1 and fills e (ERR_NOT_FOUND if the node was never stored,
 *   ERR_DB for a storage failure). Required.
 * get_many: optional (may be NULL). Writes the hashes of the n nodes ids[i]
 *   into out[i], in order, or returns -1 and fills e; the same node may be
 *   asked for twice. When present, each library call makes one get_many call
 *   (at most 192 ids) instead of several get calls, which lets an SQL store
 *   answer with one query.
 * ctx is passed back unchanged. The library never writes through a source and
 * holds no pointer to it after a call returns. */
struct tlog_node_source {
    void *ctx;
    int (*get)(void *ctx, unsigned level, uint64_t index, unsigned char out[TLOG_HASH_SIZE],
               struct err *e);
    int (*get_many)(void *ctx, size_t n, const struct tlog_node_id *ids,
                    unsigned char (*out)[TLOG_HASH_SIZE], struct err *e);
};

/* Most nodes one append creates: the leaf plus one per trailing 1-bit of the
 * old size (at most 62 for sizes below TLOG_MAX_SIZE). */
#define TLOG_APPEND_MAX 64

/* The nodes created by one append, lowest level first; nodes[0] is the leaf. */
struct tlog_appended {
    size_t count;
    struct tlog_node nodes[TLOG_APPEND_MAX];
};

/* Appends the leaf with hash leaf_hash as leaf number size (0-based) to the
 * tree of size leaves held by src, and fills out with the nodes that become
 * complete: (0, size) and, for every 1-bit at the bottom of size, one parent
 * (at most log2(size+1)+1 nodes). Reads the left siblings of those parents
 * (on average one node) from src. The caller must store all of out->nodes
 * before appending the next leaf or asking for any hash of size+1 leaves.
 * Nothing is written by the library. Returns 0 or -1 (ERR_INVALID if the tree
 * is full, or the source's error). */
int tlog_append(const struct tlog_node_source *src, uint64_t size,
                const unsigned char leaf_hash[TLOG_HASH_SIZE], struct tlog_appended *out,
                struct err *e) WUR;

/* Writes the RFC 9162 hash of leaves [start, end) into out, where [start,end)
 * is non-empty and lies within the first `stored` leaves of src (not checked:
 * a missing node is reported by the source). Reads at most 2·63 nodes.
 * Returns 0 or -1. */
int tlog_subtree_hash(const struct tlog_node_source *src, uint64_t start, uint64_t end,
                      unsigned char out[TLOG_HASH_SIZE], struct err *e) WUR;

/* Writes the root (tree head) of the first size leaves of src into out:
 * SHA-256("") for size 0, else reads one node per 1-bit of size.
 * Returns 0 or -1. */
int tlog_root(const struct tlog_node_source *src, uint64_t size, unsigned char out[TLOG_HASH_SIZE],
              struct err *e) WUR;

/* Fills out with the inclusion proof (RFC 9162 §2.1.3.1, PATH) of leaf index
 * in the tree of the first size leaves of src. Needs index < size.
 * Returns 0 or -1 (ERR_INVALID for bad arguments, or the source's error). */
int tlog_prove_inclusion(const struct tlog_node_source *src, uint64_t index, uint64_t size,
                         struct tlog_proof *out, struct err *e) WUR;

/* Fills out with the consistency proof (RFC 9162 §2.1.4.1, PROOF) from the
 * tree of size1 leaves to the tree of size2 leaves of src. Needs
 * 0 < size1 <= size2; the proof is empty when size1 == size2.
 * Returns 0 or -1 (ERR_INVALID for bad arguments, or the source's error). */
int tlog_prove_consistency(const struct tlog_node_source *src, uint64_t size1, uint64_t size2,
                           struct tlog_proof *out, struct err *e) WUR;

#endif
