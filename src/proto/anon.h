/* anon.h — the bytes the ring signatures of dissent sign: the scope and the
 * message of an anonymous co-signature and the context of a key's proof of
 * possession. The server checks, and the CLI signs, exactly these bytes
 * (docs/protocol-ring.md, "In the channel", protocol v2). */
#ifndef DISSENT_PROTO_ANON_H
#define DISSENT_PROTO_ANON_H

#include <stddef.h>
#include <stdint.h>

/* Big enough for every scope, message and context below with names of the
 * lengths the channel accepts (origins are at most TLOG_NAME_MAX bytes). */
#define PROTO_ANON_SCOPE_MAX   384
#define PROTO_ANON_MESSAGE_MAX 160
#define PROTO_POP_CONTEXT_MAX  512

/* The name of a memo's coalition ring (every organization's members in
 * one ring) wherever an organization slug goes: the rings and signatures of
 * the public facts, a request item, a receipt, the ring and
 * anonymous-signature leaves. An organization slug starts with a letter or
 * a digit, so no organization can take it (docs/protocol-ring.md §14, "The
 * coalition ring"). */
#define PROTO_COALITION "_coalition"

/* The scope of every anonymous co-signature on a memo:
 * "dissent-anon-v2\n" origin "\n" memo, where origin is the installation's
 * transparency-log origin and memo the memo's public id. Binding the origin
 * means a copied installation (another origin) accepts none of this one's
 * proofs; the tag base depends on it too. Writes at most n bytes (snprintf
 * rules) and returns the scope's length (>= n: cut, the buffer is too
 * small). */
size_t proto_anon_scope(char *buf, size_t n, const char *origin, const char *memo);

/* The message of one anonymous action of a tag, made when the tag's
 * sequence number (the count of its actions the server has accepted on
 * this memo) is seq:
 *   sign:     "dissent-anon-v2\nsign\n" seq "\n" version "\n" version_hash
 *   withdraw: "dissent-anon-v2\nwithdraw\n" seq          (version_hash NULL)
 * seq and version in decimal without leading zeros. The sequence number
 * makes every action usable once and only next (no replay after a move or a
 * withdrawal); the version number with its hash makes versions with the
 * same text distinct. Same return rules as proto_anon_scope. */
size_t proto_anon_message(char *buf, size_t n, uint64_t seq, int version, const char *version_hash);

/* Protocol v1's bytes, for recognizing signatures stored before v2 (never
 * for making one): the scope was the memo's public id alone, and the
 * message of signing "dissent-anon-v1\nsign\n" version_hash (docs/protocol-
 * ring.md §15). Same return rules as proto_anon_scope. */
size_t proto_anon_scope_v1(char *buf, size_t n, const char *memo);
size_t proto_anon_message_v1(char *buf, size_t n, const char *version_hash);

/* The context of the proof of possession that enrolls a ring key:
 *   "dissent-enroll-v2\n" origin "\n" org "\n" username "\n" challenge
 * no trailing newline; challenge is the server's single-use enrollment
 * challenge (64 hex digits, POST /api/v1/rosters/challenge), so a proof is
 * good for one enrollment on one installation. Same return rules as
 * proto_anon_scope. */
size_t proto_pop_context(char *buf, size_t n, const char *origin, const char *org,
                         const char *username, const char *challenge);

#endif
