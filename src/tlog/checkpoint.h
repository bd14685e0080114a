/* checkpoint.h — tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint),
 * signed as C2SP signed notes (tlog/note.h).
 *
 * The note text of a dissent checkpoint is exactly three lines:
 *     <origin>\n
 *     <tree size in decimal, no leading zero unless it is 0>\n
 *     <standard padded base64 of the 32-byte root hash>\n
 * Dissent never writes extension lines and its parser rejects them (they are
 * optional in C2SP and cannot be audited). The origin follows the key name
 * rules and must equal the name of the log's signing key.
 */
#ifndef DISSENT_TLOG_CHECKPOINT_H
#define DISSENT_TLOG_CHECKPOINT_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "tlog/hash.h"
#include "tlog/note.h"

#include <stdint.h>

/* A tree head. Plain data. */
struct tlog_checkpoint {
    char origin[TLOG_NAME_MAX + 1];
    uint64_t size;
    unsigned char root[TLOG_HASH_SIZE];
};

/* Checks origin (a C string) as the origin of a new log: C2SP
 * tlog-checkpoint requires it non-empty and recommends a schema-less URL
 * with neither Unicode spaces nor '+' (it is also the log key's name, see
 * tlog/note.h); dissent requires that form: host[:port][/path], the host a
 * lowercase DNS name with at least one dot (labels of 1..63 letters, digits
 * or '-', not starting or ending with '-'), the path of printable ASCII
 * without spaces, '+', '\\', '?' or '#', not ending in '/'; at most
 * TLOG_NAME_MAX bytes. Existing logs' origins are only held to the key name
 * rules. Returns 0, or -1 with ERR_INVALID saying what is wrong. */
int tlog_origin_check(const char *origin, struct err *e) WUR;

/* Fills c from its parts. origin is a C string following the key name rules;
 * size is at most TLOG_MAX_SIZE. Returns 0, or -1 with ERR_INVALID. */
int tlog_checkpoint_init(struct tlog_checkpoint *c, const char *origin, uint64_t size,
                         const unsigned char root[TLOG_HASH_SIZE], struct err *e) WUR;

/* Appends the three-line note text of c to out. Returns 0 or -1. */
int tlog_checkpoint_format(const struct tlog_checkpoint *c, struct buf *out, struct err *e) WUR;

/* Parses a checkpoint note text text[0..len) (the signed part, final newline
 * included) into c. Strict: exactly three lines, valid origin, canonical
 * decimal size <= TLOG_MAX_SIZE, canonical base64 of exactly 32 bytes.
 * Returns 0, or -1 with ERR_INVALID. */
int tlog_checkpoint_parse(struct tlog_checkpoint *c, const char *text, size_t len,
                          struct err *e) WUR;

/* Appends to out the signed checkpoint note of c, signed by s. The origin of
 * c must equal the key name of s. Returns 0 or -1. */
int tlog_checkpoint_sign(const struct tlog_checkpoint *c, const struct tlog_signer *s,
                         struct buf *out, struct err *e) WUR;

/* Opens a signed checkpoint note msg[0..len): parses the note strictly,
 * verifies it against v (tlog_note_verify), parses its text and checks that
 * its origin equals v's name. Fills c only on success.
 * Returns 0, or -1 with ERR_INVALID, ERR_TOO_LARGE or ERR_CRYPTO. */
int tlog_checkpoint_open(struct tlog_checkpoint *c, const char *msg, size_t len,
                         const struct tlog_verifier *v, struct err *e) WUR;

#endif
