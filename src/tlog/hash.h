/* hash.h — RFC 9162 (RFC 6962) hashing over SHA-256.
 *
 *   leaf hash  = SHA-256(0x00 || leaf bytes)
 *   node hash  = SHA-256(0x01 || left hash || right hash)
 *   empty tree = SHA-256("")
 *
 * The library knows nothing about what a leaf means: callers hash their own
 * leaf encoding with tlog_hash_leaf and hand the 32-byte result to the tree.
 */
#ifndef DISSENT_TLOG_HASH_H
#define DISSENT_TLOG_HASH_H

#include <stddef.h>

#define TLOG_HASH_SIZE 32

/* Writes SHA-256(0x00 || leaf[0..len)) into out. leaf may be NULL when len is 0. */
void tlog_hash_leaf(unsigned char out[TLOG_HASH_SIZE], const void *leaf, size_t len);

/* Writes SHA-256(0x01 || left || right) into out. out may alias left or right. */
void tlog_hash_children(unsigned char out[TLOG_HASH_SIZE], const unsigned char left[TLOG_HASH_SIZE],
                        const unsigned char right[TLOG_HASH_SIZE]);

/* Writes the root of the empty tree, SHA-256(""), into out. */
void tlog_hash_empty(unsigned char out[TLOG_HASH_SIZE]);

#endif
