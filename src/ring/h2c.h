/* h2c.h — RFC 9380 hashing: expand_message_xmd with SHA-512, and
 * hash_to_ristretto255 (xmd to 64 bytes, then the RFC 9496 one-way map).
 *
 * Every use in dissent has its own domain-separation tag (docs/protocol-ring.md). */
#ifndef DISSENT_RING_H2C_H
#define DISSENT_RING_H2C_H

#include "base/compat.h"
#include "base/err.h"
#include <stddef.h>
#include <stdint.h>

/* Longest output expand_message_xmd(SHA-512) can produce: 255 blocks of 64 bytes. */
#define RING_XMD_MAX_OUT (255u * 64u)

/* RFC 9380 §5.3.1 expand_message_xmd with H = SHA-512. Writes out_len bytes
 * (1..RING_XMD_MAX_OUT) to out. A DST longer than 255 bytes is first replaced
 * by SHA-512("H2C-OVERSIZE-DST-" || DST) (§5.3.3). msg may be NULL when
 * msg_len is 0. Returns 0, or -1 (ERR_INVALID: out_len out of range). */
int ring_expand_message_xmd(uint8_t *out, size_t out_len, const uint8_t *msg, size_t msg_len,
                            const uint8_t *dst, size_t dst_len, struct err *e) WUR;

/* RFC 9380 hash_to_ristretto255: the canonical 32-byte encoding of
 * one_way_map(expand_message_xmd(msg, dst, 64)). Returns 0, or -1 (a DST of
 * length 0 is refused: ERR_INVALID). The result is never checked for the
 * identity here; callers that must not get it check (probability ~2^-252). */
int ring_hash_to_group(uint8_t out[32], const uint8_t *msg, size_t msg_len, const uint8_t *dst,
                       size_t dst_len, struct err *e) WUR;

#endif
