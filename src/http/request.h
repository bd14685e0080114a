/* request.h — the private per-connection state behind struct http_request
 * (internal to src/http; handlers use server.h). */
#ifndef DISSENT_HTTP_REQUEST_H
#define DISSENT_HTTP_REQUEST_H

#include "base/buf.h"
#include "base/form.h"
#include "base/pool.h"
#include "http/server.h"
#include "http/workers.h"

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
    /* Handed to a worker (http/workers.h): the connection is suspended
     * until the job is done; then the reply goes out from the poller. */
    struct workers_job job;
    const struct http_route *job_route; /* NULL: the HTML error page */
    int err_status;                     /* the HTML error page's status and text */
    const char *err_msg;
    const char *allow; /* the Allow header of a 405, or NULL */
    size_t slot;       /* the metrics slot */
    int queued;
    int job_done;
    int prepared;          /* the route's prepare step has run */
    int finishing;         /* the handler ran and its write committed: the finish step is next */
    const char *batch_key; /* http_batch_join: the batch it waits in (pool string), or NULL */
    size_t batch_weight;
    struct form form;
    struct err form_err;
};

/* Prepares a response whose headers and strings live in pool. */
void http_response_init(struct http_response *res, struct pool *pool);

/* Releases the response body. */
void http_response_release(struct http_response *res);

#endif
