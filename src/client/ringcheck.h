/* ringcheck.h — checking a memo's rings against the transparency log
 * before trusting them (docs/protocol-ring.md §14, "Checking the rings").
 *
 * The rings a server publishes are only claims: a server that serves ring 1
 * = [bob's key × 5], or bob's key plus random points, would get a signature
 * that names bob. A client therefore proves nothing, and a verifier accepts
 * nothing, on a ring it has not recomputed: keys distinct; ring 1 of an
 * organization equal to its roster snapshot at the ring leaf's
 * roster_size, replayed from the roster leaves; keys added by a refresh
 * active roster keys; every leaf used included in a checkpoint signed by a
 * log key the client pinned. Everything is compared field by field, never
 * by searching text.
 *
 * ringck_log_verify and ringck_check take JSON the caller fetched and talk
 * to no server: the browser runs the same functions, compiled to
 * WebAssembly (tools/wasm/build.sh, dw_ring_check), over what its page
 * downloaded. ringck_fetch_log (ringfetch.c) is the CLI's fetching. */
#ifndef DISSENT_CLIENT_RINGCHECK_H
#define DISSENT_CLIENT_RINGCHECK_H

#include "base/compat.h"
#include "base/err.h"
#include "client/client.h"
#include "client/logclient.h"

#include <jansson.h>
#include <stdint.h>

/* The smallest anonymity set a client signs in unless told otherwise
 * (`--min-ring`): the channel default of the server side. */
#define RINGCK_MIN_DEFAULT 10

/* Fetches the log as of a checkpoint signed by v, asking what every client
 * asks at that moment: GET /api/v1/log/checkpoint, then its leaves from
 * leaf 0 (nothing in a request comes from this client's saved state, which
 * would link its anonymous actions to each other and to its named ones).
 * Checks the witness policy (loghist_policy_check: a frozen view fails),
 * that the root of all leaves is the signed root (ringck_log_verify), so
 * every leaf returned is included in that checkpoint, then locally that
 * the checkpoint extends what this client checked before: the checkpoint
 * history shared with every log command and the leaf cache (the first N
 * leaves hash to the root saved for size N; else "LOG INCONSISTENT", the
 * two notes kept as evidence; a checkpoint smaller than the history is
 * refused), and the history and cache are then updated. When st (a
 * monitor's state, logc_state_load) is not NULL, the saved tree must be a
 * prefix of the new one (root of the first st->size leaves equals the
 * saved root) and v should be st->verifier. *leaves (a new array of
 * {index, data, leaf_hash?}) and *size on success. Returns 0, or -1 with
 * ERR_CRYPTO when the log contradicts its checkpoint, the history or the
 * saved state. */
int ringck_fetch_log(struct client *c, const struct tlog_verifier *v, const struct logc_state *st,
                     json_t **leaves, uint64_t *size, struct err *e) WUR;

/* Opens the signed checkpoint note[0..note_len) against v (signature,
 * origin; cosignatures are not looked at) and checks that leaves, as GET
 * /api/v1/log/leaves gives them ({index, data, leaf_hash?}), are exactly
 * the leaves [0, size) of that checkpoint: in order from 0, each
 * leaf_hash sent the hash of its data, and the root of their hashes the
 * signed root, so every leaf is included in the checkpoint and none is
 * hidden. Fills *cp. Returns 0, or -1 with ERR_CRYPTO saying what the log
 * contradicts. */
int ringck_log_verify(const struct tlog_verifier *v, const char *note, size_t note_len,
                      const json_t *leaves, struct tlog_checkpoint *cp, struct err *e) WUR;

/* Checks the rings and versions of pub (GET /api/v1/public/memos/:id)
 * against leaves (ringck_fetch_log): every roster replayed from its roster
 * leaves (sizes consecutive, no key added twice, only active keys
 * retired); for each ring of pub: keys distinct, digest and count those of
 * its keys and of the memo's ring leaf, ring 1 equal to the active keys of
 * the roster at the leaf's roster_size (in roster order), ring n+1 = ring n
 * followed by active roster keys at its roster_size that ring n lacks; for
 * each version of pub: the hash of the memo's version leaf of that number.
 * Each failure is a sentence appended to problems. *sets (a new array) is
 * [{organization, ring, members, roster_size, checked}] for every ring of
 * pub: members is the number of distinct keys, checked true when nothing
 * was wrong with that ring. Returns 0, or -1 (ERR_NOMEM) with e. */
int ringck_check(const json_t *pub, const json_t *leaves, json_t *problems, json_t **sets,
                 struct err *e) WUR;

#endif
