/* memstore.h — an in-memory node store: one growable array of hashes per
 * level. For tests, benchmarks and tools; the channel persists nodes in SQL
 * through its own implementation of struct tlog_node_source.
 *
 * Level L holds nodes (L, 0), (L, 1), ... in order; a tree of n leaves has
 * n >> L of them at level L. Memory: under 64 bytes per leaf.
 */
#ifndef DISSENT_TLOG_MEMSTORE_H
#define DISSENT_TLOG_MEMSTORE_H

#include "base/compat.h"
#include "base/err.h"
#include "tlog/tree.h"

#include <stddef.h>
#include <stdint.h>

#define TLOG_MEMSTORE_LEVELS 63

struct tlog_memstore_level {
    unsigned char (*hash)[TLOG_HASH_SIZE]; /* owned; hash[i] is node (level, i) */
    uint64_t count;
    uint64_t cap;
};

struct tlog_memstore {
    uint64_t size; /* leaves appended through tlog_memstore_append */
    struct tlog_memstore_level level[TLOG_MEMSTORE_LEVELS];
};

/* Prepares an empty store. */
void tlog_memstore_init(struct tlog_memstore *ms);

/* Frees what the store holds; it is empty again and may be reused. */
void tlog_memstore_release(struct tlog_memstore *ms);

/* Stores one node. Nodes of a level must arrive in index order: index must
 * equal the number already stored at that level (a repeat of an existing
 * node with the same hash is accepted and changes nothing). Returns 0, or -1
 * with ERR_INVALID (out-of-order index, a different hash for an existing
 * node) or ERR_NOMEM. */
int tlog_memstore_put(struct tlog_memstore *ms, const struct tlog_node *node, struct err *e) WUR;

/* Appends a leaf by its hash: runs tlog_append on the store and stores the
 * new nodes. ms->size grows by one. Returns 0 or -1. */
int tlog_memstore_append(struct tlog_memstore *ms, const unsigned char leaf_hash[TLOG_HASH_SIZE],
                         struct err *e) WUR;

/* Returns a node source reading from ms (get only, no get_many). The source
 * holds a pointer to ms, which must outlive it. */
struct tlog_node_source tlog_memstore_source(struct tlog_memstore *ms);

#endif
