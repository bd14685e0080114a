/* evidence.h — a self-contained proof that a log forked or rewrote its
 * history: two checkpoints signed by the same log key that cannot both be
 * honest, and what anyone needs to check that with no server.
 *
 * File format (JSON, written by clients when they refuse a checkpoint,
 * checked by `dissent log evidence --check FILE`):
 *   {"format": "dissent-log-evidence/v1",
 *    "log_key": "<verifier key of the log: name+id+base64(0x01||pk)>",
 *    "notes": ["<signed checkpoint note A>", "<signed checkpoint note B>"],
 *                                  A's tree size <= B's; cosignatures kept
 *    "kind": "same-size" | "subtree" | "consistency",
 *    "subtree": {"frontier": [b64...], "leaf_index": S, "leaf_hash": b64,
 *                "proof": [b64...]},                       (kind subtree)
 *    "consistency": {"from": M, "to": N, "proof": [b64...]}, (kind consistency)
 *    "found": {"by": "...", "at": "<UTC time>"}}           (informational)
 *
 * What each kind proves, given that both notes verify with log_key:
 *   same-size    two roots for one tree size: conclusive.
 *   subtree      frontier is A's compact range (it hashes to A's root); the
 *                leaf at leaf_index starts one of its perfect subtrees, and
 *                its inclusion proof verifies against B's root; the subtree
 *                node that proof implies differs from A's: B is not an
 *                extension of A. Conclusive.
 *   consistency  the consistency proof the log served between A and B does
 *                not verify. Not conclusive alone (a proof can be damaged in
 *                transit), but an honest log can always give a valid one:
 *                anyone can ask it for /api/v1/log/proof/consistency?from=M&to=N.
 */
#ifndef DISSENT_CLIENT_EVIDENCE_H
#define DISSENT_CLIENT_EVIDENCE_H

#include "base/compat.h"
#include "base/err.h"
#include "client/logclient.h"
#include "tlog/checkpoint.h"
#include "tlog/note.h"
#include "tlog/policy.h"
#include "tlog/proof.h"

#include <jansson.h>
#include <stdint.h>

#define EVIDENCE_FORMAT "dissent-log-evidence/v1"
/* Largest evidence file read. */
#define EVIDENCE_FILE_MAX (256u * 1024u)

/* Builds the evidence object of two notes signed by v that contradict each
 * other (either order): kind same-size when their sizes are equal, else
 * kind consistency with the proof the log served from the smaller to the
 * larger (served may be NULL: the log gave none). by names who found it.
 * *out is a new reference. Returns 0, or -1 (ERR_INVALID: a note does not
 * open with v, or the two are the same checkpoint). */
int evidence_build(const struct tlog_verifier *v, const char *note_a, const char *note_b,
                   const struct tlog_proof *served, const char *by, json_t **out,
                   struct err *e) WUR;

/* Turns ev (from evidence_build, sizes m < n) into kind subtree: frontier is
 * the compact range of the smaller checkpoint's leaves; leaf_hash and incl
 * are the leaf leaf_index and its inclusion proof in the larger tree, as
 * the log served them. Returns 0, or -1 (ERR_INVALID) when these do not
 * prove a fork (ev is then unchanged). */
int evidence_add_subtree(json_t *ev, const struct logc_range *frontier, uint64_t leaf_index,
                         const unsigned char leaf_hash[TLOG_HASH_SIZE],
                         const struct tlog_proof *incl, struct err *e) WUR;

/* The subtrees of a compact range of size m, largest first: *start and
 * *height of subtree i (i < popcount(m)). */
void evidence_subtree_at(uint64_t m, size_t i, uint64_t *start, unsigned *height);

/* Most signature lines listed per note. */
#define EVIDENCE_SIGNERS_MAX 8

/* One signature line of a note in the evidence. */
struct evidence_signer {
    char name[TLOG_NAME_MAX + 1];
    char key_id[2 * TLOG_KEY_ID_SIZE + 1];
    int witness;   /* evidence_witnesses: a policy witness's cosignature, verified */
    uint64_t time; /* its time, when witness */
};

/* What evidence_check found. */
struct evidence_verdict {
    int conclusive;           /* 1: the log is proven to have forked */
    char kind[16];            /* same-size, subtree, consistency */
    struct tlog_checkpoint a; /* the smaller checkpoint */
    struct tlog_checkpoint b; /* the larger (or same-size) one */
    char log_key[TLOG_VERIFIER_KEY_MAX];
    char why[ERR_MSG_MAX]; /* one sentence: what the evidence shows */
    size_t nsigners[2];    /* of note A, note B */
    struct evidence_signer signers[2][EVIDENCE_SIGNERS_MAX];
};

/* Checks ev with no server: the format, the log key, both notes verify
 * with it (same origin, same key), and the kind's proof as described
 * above. Fills *vd. Returns 0 when ev is valid evidence of its kind
 * (vd->conclusive says whether it proves a fork by itself), or -1 with
 * ERR_INVALID saying what does not hold. */
int evidence_check(const json_t *ev, struct evidence_verdict *vd, struct err *e) WUR;

/* Marks, in vd (filled by evidence_check of ev), the signature lines that
 * are cosignatures of a witness of policy p that verify, with their time.
 * Returns how many witnesses of p cosigned both notes: each of them
 * vouched for two checkpoints that contradict each other. */
size_t evidence_witnesses(const json_t *ev, const struct tlog_policy *p,
                          struct evidence_verdict *vd);

/* Reads the evidence file at path into *out (new reference). Returns 0 or
 * -1 (ERR_IO, ERR_INVALID, ERR_TOO_LARGE). */
int evidence_load(const char *path, json_t **out, struct err *e) WUR;

/* Writes ev to path (0600, atomic). Returns 0 or -1. */
int evidence_save(const char *path, const json_t *ev, struct err *e) WUR;

/* Keeps ev beside the checkpoint history of v's origin
 * (loghist_evidence_path) and appends to e's message where it is, or why
 * none was written; e keeps its code. */
void evidence_keep(const struct tlog_verifier *v, const json_t *ev, struct err *e);

/* Builds the evidence of two NUL-terminated notes signed by v that
 * contradict each other (evidence_build; served: the consistency proof the
 * log gave, or NULL; by: who found it) and keeps it (evidence_keep). */
void evidence_keep_notes(const struct tlog_verifier *v, const char *old_note, const char *new_note,
                         const struct tlog_proof *served, const char *by, struct err *e);

#endif
