/* witness.h — the HTTP face of a transparency log witness (C2SP
 * tlog-witness): POST /add-checkpoint over the core of tlog/witness.h.
 *
 * Served by the ordinary server (http/server.h), whose handler mutex makes
 * each request's check-and-update one atomic step, as the protocol needs.
 */
#ifndef DISSENT_HTTP_WITNESS_H
#define DISSENT_HTTP_WITNESS_H

#include "http/server.h"
#include "tlog/witness.h"

#include <stddef.h>

/* Largest add-checkpoint body: 63 proof lines and a note. */
#define HTTP_WITNESS_MAX_BODY (64u * 1024u + 64u * 45u + 32u)

/* The route table of a witness server. Its handlers take the struct
 * tlog_witness as the server's app pointer. *n gets the number of routes. */
const struct http_route *http_witness_routes(size_t *n);

#endif
