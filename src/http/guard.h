/* guard.h — keeps slow and greedy clients from starving the others
 * (internal to src/http; server.c calls it from libmicrohttpd's callbacks).
 *
 * libmicrohttpd's own timeout is an idle timeout: every byte restarts it, so
 * a client sending one header line every few seconds keeps its connection
 * for ever. The guard gives each request phase an absolute deadline instead:
 *
 *   head  from the moment a connection is ready for a request (accepted, or
 *         the previous response sent) until the request head is complete;
 *   body  from the complete head until the complete body;
 *   work  the handler and the response: no guard deadline (the server's
 *         idle timeout covers a client that stops reading).
 *
 * A connection past its deadline is shut down (shutdown(2) on its socket;
 * the library then sees the end of the stream and closes it). Connections in
 * one phase sit in a list in deadline order, so each check costs only the
 * connections it closes. One thread (the reaper) sleeps until the next
 * deadline.
 *
 * Under pressure — at least three quarters of max_connections open — a
 * connection waiting for a request head more than GUARD_PRESSURE_MS is closed
 * too (slow clients and idle keep-alive connections make room for new ones).
 * At the cap, guard_full() tells the server to end keep-alive after each
 * response: a place frees up for the next client waiting to be accepted, so
 * busy clients queue for places with everyone else. (Not earlier: while
 * places are free a new client gets one at once, and making every busy
 * client reconnect only lengthens the queue.)
 *
 * Per address (IPv4 address, IPv6 /64; an IPv4-mapped IPv6 address counts as
 * IPv4) at most per_address connections are open at once. */
#ifndef DISSENT_HTTP_GUARD_H
#define DISSENT_HTTP_GUARD_H

#include "base/compat.h"
#include "base/err.h"

#include <stdint.h>
#include <sys/socket.h>

#define GUARD_PRESSURE_MS 1000u

struct guard_config {
    unsigned max_connections; /* the server's connection cap (>= 1) */
    unsigned per_address;     /* connections per address; 0 = no limit */
    unsigned head_ms;         /* head deadline (>= 1) */
    unsigned body_ms;         /* body deadline (>= 1) */
};

struct guard_stats {
    uint64_t open;            /* connections open now */
    uint64_t refused_address; /* refused at accept: per-address limit */
    uint64_t closed_head;     /* closed: head deadline */
    uint64_t closed_body;     /* closed: body deadline */
    uint64_t closed_pressure; /* closed: waiting for a head under pressure */
    int pressure;             /* 1 while under pressure */
};

struct guard;
struct guard_conn;

/* Starts the guard and its reaper thread. On success *out owns it
 * (guard_stop frees it). */
int guard_start(struct guard **out, const struct guard_config *cfg, struct err *e) WUR;

/* Stops the reaper and frees the guard. Every connection must have been
 * closed (guard_close) first. NULL is fine. */
void guard_stop(struct guard *g);

/* A cheap check before accepting a connection from addr: 1 to accept, 0 to
 * refuse (its address is at its limit; counted as refused). guard_open
 * decides for good. */
int guard_admit(struct guard *g, const struct sockaddr *addr);

/* Starts guarding an accepted connection (socket fd, client address addr):
 * it is in its head phase from now. A connection over its address's limit is
 * shut down at once. Returns the connection's record for the calls below
 * (NULL when out of memory: the socket was shut down and the calls below
 * accept NULL). */
struct guard_conn *guard_open(struct guard *g, int fd, const struct sockaddr *addr);

/* The request head is complete: the body phase begins. */
void guard_head_done(struct guard *g, struct guard_conn *c);
/* The request line of c's request is in: from now on, missing the head or
 * body deadline gets a 408 with the JSON error shape before the close (a
 * connection that sent nothing of a request is closed without a word). */
void guard_line_done(struct guard *g, struct guard_conn *c);

/* The body is complete: the handler runs, no guard deadline applies. */
void guard_body_done(struct guard *g, struct guard_conn *c);

/* The response has been sent: the connection waits for its next head. */
void guard_request_done(struct guard *g, struct guard_conn *c);

/* The connection is closing (before its socket is closed): forgets and frees
 * c. Must be called exactly once per guard_open. */
void guard_close(struct guard *g, struct guard_conn *c);

/* 1 while at least three quarters of max_connections are open. */
int guard_pressure(struct guard *g);

/* 1 while max_connections are open. */
int guard_full(struct guard *g);

/* A consistent copy of the counters. */
void guard_stats(struct guard *g, struct guard_stats *out);

#endif
