/* witness.h — the core of a C2SP tlog-witness (c2sp.org/tlog-witness):
 * checks an add-checkpoint request against the last checkpoint it cosigned
 * for that log and, if the new one is a consistent extension, records it and
 * returns a cosignature/v1 line (tlog/cosignature.h).
 *
 * The request body is
 *     "old " <size> "\n"  0..63 lines of base64 proof hashes  "\n"  <signed checkpoint note>
 * and the outcome is an HTTP status, as the protocol defines it:
 *   200 cosigned (the reply is the cosignature line);
 *   400 malformed request, or old size larger than the checkpoint's size;
 *   403 no signature by the log's trusted key verifies;
 *   404 the checkpoint's origin is not a log this witness follows;
 *   409 old size differs from the last cosigned size (the reply body is that
 *       size and "\n", content type text/x.tlog.size), or same size with a
 *       different root (a fork: nothing is recorded);
 *   422 the consistency proof does not verify (a rewritten or forked log);
 *   500 the state could not be read or written (nothing was cosigned).
 *
 * Persistence is the caller's: a struct tlog_witness_store loads and saves
 * one signed checkpoint note per origin. save must replace the old note
 * atomically and durably before it returns (the witness cosigns only after a
 * successful save). The witness is not thread-safe: callers serialize calls
 * (the check and the update must be one atomic step, see the C2SP text).
 */
#ifndef DISSENT_TLOG_WITNESS_H
#define DISSENT_TLOG_WITNESS_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "tlog/note.h"
#include "tlog/proof.h"

#include <stdint.h>

/* Most logs one witness follows. */
#define TLOG_WITNESS_LOGS_MAX 32

/* Storage of the last cosigned checkpoint per origin, implemented by the
 * caller. load appends the stored note to out and returns 1, returns 0 if
 * none was ever stored for origin, or -1 with e. save replaces it with
 * note[0..len) atomically, or returns -1 with e. */
struct tlog_witness_store {
    void *ctx;
    int (*load)(void *ctx, const char *origin, struct buf *out, struct err *e);
    int (*save)(void *ctx, const char *origin, const char *note, size_t len, struct err *e);
};

/* A witness: its own key (type 0x04), the logs it follows and its store. */
struct tlog_witness {
    struct tlog_signer key;
    struct tlog_witness_store store;
    size_t nlogs;
    struct tlog_verifier logs[TLOG_WITNESS_LOGS_MAX];
};

/* What one add-checkpoint request came to. */
struct tlog_witness_result {
    int status;           /* 200, 400, 403, 404, 409, 422 or 500 */
    int size_conflict;    /* 409 because the old size is stale: latest_size is set */
    uint64_t latest_size; /* the size of the last cosigned checkpoint */
};

/* Fills w with a copy of the witness key and the store; no log yet. */
void tlog_witness_init(struct tlog_witness *w, const struct tlog_signer *key,
                       const struct tlog_witness_store *store);

/* Wipes the witness key held by w. */
void tlog_witness_release(struct tlog_witness *w);

/* Follows the log whose checkpoints are signed by log (its name is the
 * origin). Returns 0, or -1 with ERR_INVALID (an origin already followed,
 * or more than TLOG_WITNESS_LOGS_MAX logs). */
int tlog_witness_add_log(struct tlog_witness *w, const struct tlog_verifier *log,
                         struct err *e) WUR;

/* Handles the add-checkpoint request body[0..len) at time now (POSIX
 * seconds). On success (status 200) appends the cosignature line to out,
 * after saving the checkpoint note as the origin's latest, and returns 0.
 * Otherwise fills res, leaves the store untouched, and returns -1 with a
 * message in e naming what was refused (and key ids, for signatures). */
int tlog_witness_add_checkpoint(struct tlog_witness *w, const char *body, size_t len, uint64_t now,
                                struct tlog_witness_result *res, struct buf *out,
                                struct err *e) WUR;

/* Parses the old size and proof of an add-checkpoint request body[0..len):
 * fills *old_size, proof and *note_off (where the checkpoint note starts).
 * Exposed for tests and for clients that build requests.
 * Returns 0, or -1 with ERR_INVALID. */
int tlog_witness_parse_request(const char *body, size_t len, uint64_t *old_size,
                               struct tlog_proof *proof, size_t *note_off, struct err *e) WUR;

/* Appends an add-checkpoint request body to out: "old N", the proof lines,
 * a blank line and the signed note[0..note_len). Returns 0 or -1. */
int tlog_witness_format_request(uint64_t old_size, const struct tlog_proof *proof, const char *note,
                                size_t note_len, struct buf *out, struct err *e) WUR;

#endif
