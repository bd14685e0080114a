/* pagekey.h — the key of a page of a memo's signer list
 * (GET /api/v1/memos/:id/signatures: next_after, and the after a client
 * sends back): "SIGNED_AT-MEMBER", two decimal numbers, the last row's
 * signing time and member id. The server makes and reads it; the CLI reads
 * it to check that a server's pages go forward (docs/api.md). */
#ifndef DISSENT_PROTO_PAGEKEY_H
#define DISSENT_PROTO_PAGEKEY_H

#include "base/compat.h"

#include <stdint.h>

/* Room for a key and its NUL: two int64 in decimal and the dash. */
#define PROTO_PAGE_KEY_MAX 48

struct proto_page_key {
    int64_t at;     /* signed_at, seconds, >= 0 */
    int64_t member; /* member id, >= 1 */
};

/* Parses s into *k. Returns 0, or -1 when s is not such a key (*k is then
 * untouched). */
int proto_page_key_parse(const char *s, struct proto_page_key *k) WUR;

/* Writes the key k into out. */
void proto_page_key_format(const struct proto_page_key *k, char out[PROTO_PAGE_KEY_MAX]);

/* 1 when a comes strictly after b in the list's order (signing time, then
 * member id), else 0. */
int proto_page_key_after(const struct proto_page_key *a, const struct proto_page_key *b);

#endif
