/* request.h — the private per-connection state behind struct http_request
 * (internal to src/http; handlers use server.h). */
#ifndef DISSENT_HTTP_REQUEST_H
#define DISSENT_HTTP_REQUEST_H

#include "base/buf.h"
#include "base/form.h"
#include "base/pool.h"
#include "http/server.h"

#include <microhttpd.h>
#include <time.h>

struct http_server;
struct guard_conn;

struct http_conn {
    struct http_server *server;
    struct MHD_Connection *mhd;
    struct pool pool;
    struct http_request req;
    struct http_response res;
    struct buf body;          /* request body being received */
    struct timespec start;    /* monotonic */
    long route;               /* index in the table, or a builtin (< 0) */
    struct guard_conn *guard; /* the connection's deadlines (http/guard.h), or NULL */
    size_t uri_len;           /* the request target as received (path and query) */
    int started;              /* the head is in and the request has begun */
    int head_status;          /* 414 or 431 when the head was over a limit, else 0 */
    int too_large;            /* body went over max_body */
    int form_state;           /* 0 not parsed, 1 parsed, -1 failed */
    struct form form;
    struct err form_err;
};

/* Prepares a response whose headers and strings live in pool. */
void http_response_init(struct http_response *res, struct pool *pool);

/* Releases the response body. */
void http_response_release(struct http_response *res);

#endif
