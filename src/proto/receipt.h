/* receipt.h — the signed receipt of an anonymous action (protocol v2,
 * docs/protocol-ring.md "Receipts"): the server's promise that what it
 * accepted is in the transparency log by a given batch time.
 *
 * A receipt is a JSON object {v:2, kind:"receipt", origin, memo, tag, seq,
 * action, version, organization, ring, publish_by}; the signed bytes are
 * "dissent-receipt-v2\n" followed by the object in canonical form (compact,
 * keys sorted, ASCII), signed with Ed25519 by the log key. The prefix keeps
 * a receipt from ever reading as a checkpoint note (whose first line is the
 * log's origin). */
#ifndef DISSENT_PROTO_RECEIPT_H
#define DISSENT_PROTO_RECEIPT_H

#include "base/compat.h"
#include "base/err.h"

#include <jansson.h>
#include <stdint.h>

#define PROTO_RECEIPT_SIG_B64 89 /* base64 of 64 bytes, with the NUL */

/* Signs receipt (not changed) with the Ed25519 secret key sk (libsodium
 * layout) into sig (base64, standard). Returns 0 or -1. */
int proto_receipt_sign(const json_t *receipt, const unsigned char sk[64],
                       char sig[PROTO_RECEIPT_SIG_B64], struct err *e) WUR;

/* Checks sig over receipt with the Ed25519 public key pk and the shape of
 * the receipt (v 2, kind "receipt", a publish_by time). Returns 0, or -1
 * with ERR_CRYPTO ("does not verify") or ERR_INVALID. */
int proto_receipt_verify(const json_t *receipt, const char *sig, const unsigned char pk[32],
                         struct err *e) WUR;

#endif
