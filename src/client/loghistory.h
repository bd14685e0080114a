/* loghistory.h — what a client remembers of a log between runs, shared by
 * `dissent verify`, `log checkpoint`, `log proof` and `log monitor`: the
 * largest checkpoint it accepted per origin (the signed note, cosignatures
 * included, so it is evidence anyone can check), and the witness policy it
 * applies to new checkpoints.
 *
 * Files:
 *   history  $DISSENT_LOG_HISTORY, else checkpoints/ beside the pinned keys (logc_pins_path),
 *            one file per origin, <hex SHA-256 of the origin>.note (mode 0600, atomic)
 *   policy   $DISSENT_WITNESS_POLICY (no policy if unset): lines
 *                witness NAME+KEYID+KEY      (a witness key, type 0x04; repeatable)
 *                quorum K                    (cosignatures needed; default: all)
 *                max-age SECONDS             (older cosignatures do not count: a frozen view)
 *            blank lines and lines starting with '#' are ignored.
 */
#ifndef DISSENT_CLIENT_LOGHISTORY_H
#define DISSENT_CLIENT_LOGHISTORY_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "tlog/checkpoint.h"
#include "tlog/policy.h"

/* Reads $DISSENT_WITNESS_POLICY into p (left empty, n = 0, when unset).
 * Returns 0, or -1 with ERR_INVALID naming the file and line. */
int loghist_policy_load(struct tlog_policy *p, struct err *e) WUR;

/* Loads the last accepted note for origin into note and its checkpoint
 * into cp (opened with log key v). *found is 0 when there is none.
 * Returns 0 or -1 (a damaged file is an error, never ignored). */
int loghist_load(const struct tlog_verifier *v, struct tlog_checkpoint *cp, struct buf *note,
                 int *found, struct err *e) WUR;

/* Saves note (a checkpoint signed by v's origin) as the origin's last
 * accepted one, atomically. Returns 0 or -1. */
int loghist_save(const struct tlog_verifier *v, const char *note, size_t len, struct err *e) WUR;

/* Saves a note refused as inconsistent with the history beside it
 * (<hex>.refused.note): with the history's note, two notes signed by the
 * same log key that contradict each other, evidence anyone can check. The
 * path written goes to path (n bytes). Returns 0 or -1. */
int loghist_save_refused(const struct tlog_verifier *v, const char *note, size_t len, char *path,
                         size_t n, struct err *e) WUR;

#endif
