/* receipts.h — the receipts the anonymous endpoint signs (proto/receipt.h),
 * kept by the CLI and checked against the transparency log later: a
 * receipt whose publish_by has passed without its leaf in the log is a
 * broken promise, and the receipt is the evidence.
 *
 * The file is a JSON array of {server, receipt, signature, state} with
 * state "pending" or "kept", mode 0600 (client/files.h). */
#ifndef DISSENT_CLIENT_RECEIPTS_H
#define DISSENT_CLIENT_RECEIPTS_H

#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

/* How long after publish_by a leaf may still be missing (the server's
 * ticker runs every second; a minute covers a slow round). */
#define RECEIPTS_GRACE_S 60

/* Where the receipts are kept: $DISSENT_RECEIPTS, else $DISSENT_CONFIG
 * with ".receipts.json" appended (beside that session), else
 * ${XDG_CONFIG_HOME:-$HOME/.config}/dissent/receipts.json. */
int receipts_path(char *out, size_t n, struct err *e) WUR;

/* Reads the array at path (a missing file: an empty array). */
int receipts_load(const char *path, json_t **out, struct err *e) WUR;

/* Writes arr to path atomically, mode 0600. */
int receipts_save(const char *path, const json_t *arr, struct err *e) WUR;

/* Appends each result's {receipt, signature} of a reply of the anonymous
 * endpoint for server to arr as pending; *missing counts results without
 * one (a server that promises nothing: the caller warns). */
int receipts_add(json_t *arr, const char *server, const json_t *reply, size_t *missing,
                 struct err *e) WUR;

/* The sequence number the next action of tag on memo carries according to
 * the pending receipts (the public facts show only what is published):
 * the highest seq + 1, or -1 when there is none. */
int64_t receipts_next_seq(const json_t *arr, const char *server, const char *memo, const char *tag);

/* The pending receipt of tag on memo with the highest seq (its latest
 * accepted, unpublished action), or NULL. Borrowed from arr. */
const json_t *receipts_latest_pending(const json_t *arr, const char *server, const char *memo,
                                      const char *tag);

struct receipts_tally {
    size_t total, kept, pending, broken, invalid;
};

/* Checks the receipts of server (of memo only, unless NULL) against leaves
 * (a verified log: [{index, data, leaf_hash}], client/ringcheck.h), at time
 * now, with the log's public key pk: a bad signature is invalid, a receipt
 * whose anonymous-signature leaf (memo, tag, action, version, organization,
 * ring) is in the log, no earlier than the tag's (seq+1)-th leaf on the memo,
 * is kept (its state becomes "kept"), one past
 * publish_by + RECEIPTS_GRACE_S without it is broken. Each invalid or broken
 * receipt is printed to err with the receipt as evidence. */
void receipts_check(json_t *arr, const char *server, const char *memo, const json_t *leaves,
                    const unsigned char pk[32], int64_t now, FILE *err, struct receipts_tally *t);

#endif
