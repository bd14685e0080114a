/* witness_client.h — the log's side of C2SP tlog-witness: POST an
 * add-checkpoint request to a witness and read its answer (libcurl). */
#ifndef DISSENT_CLIENT_WITNESS_CLIENT_H
#define DISSENT_CLIENT_WITNESS_CLIENT_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"

#include <stddef.h>

/* Initializes libcurl once for the process; call it from the main thread
 * before any thread calls witness_client_post. Returns 0 or -1. */
int witness_client_global_init(struct err *e) WUR;

/* POSTs body[0..len) to url (http:// or https://, the witness's submission
 * prefix followed by "/add-checkpoint") with a timeout of timeout_s seconds
 * and appends at most 64 KiB of the reply to reply. *status gets the HTTP
 * status whatever it is. Returns 0 once an answer arrived, or -1 with
 * ERR_IO (no answer) or ERR_INVALID (a bad URL). */
int witness_client_post(const char *url, const char *body, size_t len, long timeout_s, long *status,
                        struct buf *reply, struct err *e) WUR;

#endif
