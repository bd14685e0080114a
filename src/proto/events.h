/* events.h — the leaves of the transparency log: one table of leaf kinds
 * (their fields, types, time granularity) that both sides use. The channel
 * builds every leaf with the proto_leaf_* builders and encodes it with
 * proto_leaf_encode, which refuses a leaf the table does not allow; the
 * monitor checks every leaf it reads with proto_leaf_check over the same
 * table. Byte layout: docs/protocol-tlog.md ("Leaf format of channel
 * events"). A leaf holds hashes and public facts only: never memo text,
 * never a named signer in clear. */
#ifndef DISSENT_PROTO_EVENTS_H
#define DISSENT_PROTO_EVENTS_H

#include "base/compat.h"
#include "base/err.h"
#include "proto/copycheck.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* What a field's value must be. */
enum proto_type {
    PROTO_TIME,         /* a UTC time "YYYY-MM-DDTHH:MM:SSZ" */
    PROTO_TIME_OR_NULL, /* the same, or null */
    PROTO_DAY,          /* a UTC day "YYYY-MM-DD" */
    PROTO_MEMO_ID,      /* 26 of a-z0-9 */
    PROTO_NUMBER,       /* an integer 1 … 1000000: versions, rings, key counts */
    PROTO_COUNT,        /* an integer >= 0 */
    PROTO_SLUG,         /* 1-64 of A-Za-z0-9 - _ . */
    PROTO_HEX64,        /* 64 lowercase hex digits */
    PROTO_HEX128,       /* 128 lowercase hex digits */
    PROTO_DIGESTS,      /* a non-empty array of PROTO_HEX64 */
    PROTO_OBJECT,       /* any JSON object */
    PROTO_NAME,         /* one of the field's names */
};

struct proto_field {
    const char *name;
    enum proto_type type;
    const char *const *names; /* PROTO_NAME: the values allowed */
    const char *what;         /* the rule in words, for error messages */
    /* The field's name in leaves written before it was renamed, or NULL.
     * A leaf already in a log never changes: a checker accepts a leaf with
     * either name (never both); builders write the new name. */
    const char *old_name;
};

/* Extra fields that one value of a kind's selector field brings. */
struct proto_variant {
    const char *value;
    const struct proto_field *fields; /* terminated by a NULL name */
};

/* How precise the common field "at" is. */
enum proto_at {
    PROTO_AT_SECOND, /* "YYYY-MM-DDTHH:MM:SSZ" */
    PROTO_AT_DAY,    /* "YYYY-MM-DD": anonymous events carry no time of day */
};

struct proto_kind {
    const char *kind;
    enum proto_at at;
    int memo;                             /* 1: the leaf names a memo ("memo"); 0: it must not */
    const struct proto_field *fields;     /* terminated by a NULL name */
    const char *selector;                 /* a field whose value may bring more fields, or NULL */
    const struct proto_variant *variants; /* terminated by a NULL value */
};

/* Every leaf kind, terminated by a NULL kind. */
extern const struct proto_kind proto_kinds[];

/* The kind called name, or NULL. */
const struct proto_kind *proto_kind_find(const char *name);

/* Checks one leaf as read from a log: the canonical JSON encoding (compact,
 * keys sorted, ASCII), "v": 1, a known kind, exactly that kind's fields
 * with values of their types. 0, with the parsed leaf in *parsed when
 * parsed is not NULL (caller decrefs); -1 with ERR_INVALID naming the first
 * problem. */
int proto_leaf_check(const char *data, size_t len, json_t **parsed, struct err *e) WUR;

/* Encodes a leaf built by a proto_leaf_* builder (steals fields; NULL is
 * out of memory): adds "v", "kind", "at" (from now, at the kind's precision,
 * unless the builder set it) and "memo" (when not NULL), serializes it
 * canonically and checks the result with proto_leaf_check. *data is
 * malloc'd (caller frees). -1 with ERR_INTERNAL when the leaf does not fit
 * the table (a bug: nothing should be logged then). */
int proto_leaf_encode(json_t *fields, const char *kind, int64_t now, const char *memo, char **data,
                      struct err *e) WUR;

/* ---- builders: each returns a new object of the kind's own fields (NULL
 * when out of memory); pass it to proto_leaf_encode. ---- */

/* "version": a version was recorded. Computes the keyed digests of the
 * text (copycheck.h) under the version's verification key. NULL also when
 * the text is not valid UTF-8. */
json_t *proto_leaf_version(int version, const char *hash, const char *marking, const char *channel,
                           const unsigned char key[COPY_KEY_SIZE], const char *title,
                           const char *body);

/* "signature": a named co-signature was added, moved or withdrawn; counts
 * (stolen) as in the memo JSON; commitment from proto_signer_commitment. */
json_t *proto_leaf_signature(const char *action, int version, const char *commitment,
                             json_t *counts);

/* The commitment that hides a named signer: SHA-256 hex of
 * "dissent-signer-v1\n" salt "\n" memo "\n" username. */
void proto_signer_commitment(const char *salt, const char *memo, const char *username,
                             char out[65]);

/* "state": the memo moved in its review. The extra fields of the event
 * (proto_kinds) are taken from the arguments: the deadlines (0: null) for
 * "submitted", answer_due and the extension's reason for "extended", the
 * answer for "answered"; the others are ignored. The reason and the answer
 * are committed to (proto/commit.h, protocol v2), never hashed bare:
 * reason_commitment / answer_commitment = proto_text_commitment(salt,
 * "reason" / "answer", text) (reason_hash / answer_hash in leaves written
 * before the rename). salt (PROTO_SALT_BYTES, private) is required for
 * "extended" and "answered" (NULL then gives NULL). */
json_t *proto_leaf_state(const char *event, const char *state, int latest_version,
                         int64_t acknowledge_due, int64_t answer_due, const char *reason,
                         const char *answer, const unsigned char *salt);

/* "roster": an organization's roster of ring keys changed (about no memo). */
json_t *proto_leaf_roster(const char *organization, const char *action, const char *public_key,
                          int64_t size);

/* "ring": a memo was bound to a roster snapshot (digest: 128 hex). */
json_t *proto_leaf_ring(const char *organization, int ring, int64_t roster_size, const char *digest,
                        int64_t count);

/* "anonymous-signature": at is the time of the signature, logged as its
 * day only; counts stolen. */
json_t *proto_leaf_anon_signature(int64_t at, const char *action, int version,
                                  const char *organization, int ring, const char *tag,
                                  json_t *counts);

/* "client-release": the web client the server started serving: its
 * version (PROTO_SLUG), the SHA-256 hex of its manifest (64 lowercase hex)
 * and the number of entries the manifest lists. */
json_t *proto_leaf_client_release(const char *version, const char *manifest, int64_t files);

/* "deadline-missed": the policy office's deadline (the name
 * "acknowledgement" or "answer"), due at due, passed unmet; written by the
 * server at time at (its tick). NULL for an unknown name or no due time. */
json_t *proto_leaf_deadline_missed(const char *deadline, int64_t due, int64_t at);

/* "role": a privileged role (proto_privileged_roles) was granted
 * ("grant") or removed ("revoke") on some account, at time at (logged as
 * its day only). The leaf names neither the account nor its organization. */
json_t *proto_leaf_role(int64_t at, const char *action, const char *role);

#endif
