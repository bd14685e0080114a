/* anon.h — the bytes the ring signatures of dissent sign: the message of an
 * anonymous co-signature and the context of a key's proof of possession.
 * The server checks, and the CLI signs, exactly these bytes
 * (docs/protocol-ring.md, "How dissent uses the ring library"). */
#ifndef DISSENT_PROTO_ANON_H
#define DISSENT_PROTO_ANON_H

#include <stddef.h>

/* Big enough for every message and context below with names of the
 * lengths the channel accepts. */
#define PROTO_ANON_MESSAGE_MAX 128
#define PROTO_POP_CONTEXT_MAX  256

/* The message an anonymous co-signature signs: "dissent-anon-v1\nsign\n" and
 * the version's hash (64 hex), or "dissent-anon-v1\nwithdraw\n" when
 * version_hash is NULL. Writes at most n bytes (snprintf rules) and returns
 * the message's length (>= n means it was cut: the caller's buffer is too
 * small). */
size_t proto_anon_message(char *buf, size_t n, const char *version_hash);

/* The context of the proof of possession that enrolls a ring key:
 * "dissent-enroll-v1\n" org "\n" username, no trailing newline. Same return
 * rules as proto_anon_message. */
size_t proto_pop_context(char *buf, size_t n, const char *org, const char *username);

#endif
