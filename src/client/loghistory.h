/* loghistory.h — what a client remembers of a log between runs, shared by
 * `dissent verify`, `log checkpoint`, `log proof` and `log monitor`: the
 * largest checkpoint it accepted per origin (the signed note, cosignatures
 * included, so it is evidence anyone can check), and the witness policy it
 * applies to new checkpoints.
 *
 * Files:
 *   history  $DISSENT_LOG_HISTORY, else checkpoints/ beside the pinned keys (logc_pins_path),
 *            one file per origin, <hex SHA-256 of the origin>.note (mode 0600, atomic);
 *            every note seen in <hex>.seen/, evidence in evidence-<hex[:16]>-<a>-<b>.json
 *   policy   $DISSENT_WITNESS_POLICY (no policy if unset): a C2SP tlog-policy
 *            (Sigsum) policy file, with our extensions and the old dissent form
 *            (tlog_policy_parse in tlog/policy.h; docs/protocol-tlog.md):
 *                witness NAME KEY [URL]      (KEY: 64 hex digits, or a witness vkey)
 *                group NAME k|any|all MEMBER...
 *                quorum NAME|none
 *                max-age SECONDS             (older cosignatures do not count: a frozen view)
 *                witness VKEY, quorum K      (the old form, still accepted)
 */
#ifndef DISSENT_CLIENT_LOGHISTORY_H
#define DISSENT_CLIENT_LOGHISTORY_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "client/client.h"
#include "client/logclient.h"
#include "tlog/checkpoint.h"
#include "tlog/policy.h"

/* Reads $DISSENT_WITNESS_POLICY into p (left empty, n = 0, when unset).
 * Returns 0, or -1 with ERR_INVALID naming the file and line. */
int loghist_policy_load(struct tlog_policy *p, struct err *e) WUR;

/* Checks the signed checkpoint note[0..len) of size `size` against the
 * witness policy of $DISSENT_WITNESS_POLICY (nothing to check when unset)
 * at the current time (and, when it lists logs, that one of them signed
 * it): cosignatures older than its max-age do not count,
 * so a frozen view fails ("the log's view may be frozen"). Returns 0, or -1
 * with ERR_CRYPTO (policy not met) or the policy file's error. */
int loghist_policy_check(const char *note, size_t len, uint64_t size, struct err *e) WUR;

/* Loads the last accepted note for origin into note and its checkpoint
 * into cp (opened with log key v). *found is 0 when there is none.
 * Returns 0 or -1 (a damaged file is an error, never ignored). */
int loghist_load(const struct tlog_verifier *v, struct tlog_checkpoint *cp, struct buf *note,
                 int *found, struct err *e) WUR;

/* Saves note (a checkpoint signed by v's origin) as the origin's last
 * accepted one, atomically. Returns 0 or -1. */
int loghist_save(const struct tlog_verifier *v, const char *note, size_t len, struct err *e) WUR;

/* Records note[0..len) (a checkpoint opened with v, cosignatures
 * included) among the notes seen for its origin: one file per checkpoint,
 * <hex>.seen/<size>-<first 8 bytes of the root in hex>.note, kept as first
 * seen (a note with the same size and root is not written again). Two
 * notes there that contradict each other are evidence (client/evidence.h).
 * Returns 0 or -1. */
int loghist_seen_add(const struct tlog_verifier *v, const char *note, size_t len,
                     struct err *e) WUR;

/* Appends to note the seen note of v's origin with this size and root.
 * *found is 0 when there is none. Returns 0 or -1. */
int loghist_seen_find(const struct tlog_verifier *v, uint64_t size,
                      const unsigned char root[TLOG_HASH_SIZE], struct buf *note, int *found,
                      struct err *e) WUR;

/* Writes where the evidence of a contradiction between the checkpoints of
 * sizes a and b of v's origin goes: evidence-<first 16 hex>-<a>-<b>.json
 * beside the history. Returns 0 or -1. */
int loghist_evidence_path(const struct tlog_verifier *v, uint64_t a, uint64_t b, char *path,
                          size_t n, struct err *e) WUR;

/* The checks every log client makes on a new checkpoint cp (its signed
 * note note[0..len), NUL-terminated): keeps the note among those seen
 * (loghist_seen_add), refuses (ERR_CRYPTO) a checkpoint not consistent with
 * the largest one accepted before (same size and another root, or a
 * consistency proof from c that fails either way), keeping the evidence
 * (evidence_keep_notes), and records a larger one as the new history.
 * When prev is not NULL it receives the checkpoint cp was checked against
 * (size 0 when there was none). Returns 0 or -1. */
int loghist_check(struct client *c, const struct tlog_verifier *v, const struct tlog_checkpoint *cp,
                  const char *note, size_t len, struct tlog_checkpoint *prev, struct err *e) WUR;

/* ---- the leaf cache ----------------------------------------------------
 * The leaves a client already checked against a signed checkpoint, which
 * the ring checks (client/ringcheck.h, ringck_fetch_log) compare, locally,
 * with the whole log they fetch every time (fetching only the new ones
 * would tell the server the cached size):
 * <hex>.leaves beside the history (mode 0600, atomic), the line
 * "dissent-leaf-cache/v1 SIZE" then the data of leaves 0..SIZE-1, one a
 * line (leaf data is canonical JSON: no newline). Nothing in it is taken on
 * trust: the root of its leaves must be the root of a signed note of that
 * size kept among the notes seen, or the cache is not used. */

/* Largest leaf cache read. */
#define LOGHIST_LEAVES_MAX (1024u * 1024u * 1024u)

/* Loads the leaf cache of v's origin: *leaves (a new array of {index,
 * data}), range their compact range, note the seen note of range->size
 * leaves with their root. *found is 0 (leaves empty, range empty) when
 * there is no cache or no seen note vouches for it. Returns 0, or -1 (a
 * cache that does not parse is an error naming the file). */
int loghist_leaves_load(const struct tlog_verifier *v, json_t **leaves, struct logc_range *range,
                        struct buf *note, int *found, struct err *e) WUR;

/* Saves leaves (an array of {index, data} from 0, in order) as the leaf
 * cache of v's origin. Returns 0 or -1. */
int loghist_leaves_save(const struct tlog_verifier *v, const json_t *leaves, struct err *e) WUR;

#endif
