/* server.h — the HTTP server of dissent: one libmicrohttpd daemon, a const
 * route table, per-request pools, JSON/HTML replies, security headers,
 * request logging, /healthz and /metrics.
 *
 * Routes are a const table with designated initializers:
 *
 *     static const struct http_route routes[] = {
 *         {.method = "GET", .pattern = "/api/v1/memos/:id", .handler = memo_get},
 *         {.method = "POST", .pattern = "/api/v1/sign", .handler = sign, .flags = ROUTE_ANON},
 *     };
 *
 * A pattern is a sequence of "/"-separated segments; a segment ":name"
 * captures one whole path segment (percent-decoded, valid UTF-8, never empty)
 * into req->params in order. A GET route also answers HEAD.
 *
 * Handlers run on worker threads (http/workers.h), never on the threads
 * that poll the sockets: GET and HEAD on `workers` readers side by side,
 * each with its own app (worker_apps[i]); every other method on the one
 * writer with `app`, in groups that one transaction commits (group_begin /
 * group_end around each group; a reply goes out only after its group
 * committed). Without worker_apps every handler runs on the writer's thread
 * with `app`, one at a time. A handler fills the response with one of the
 * http_reply_* functions; a response nobody filled is a 500 JSON error.
 *
 * Every response carries the security headers (CSP, nosniff, no-referrer;
 * Cache-Control: no-store unless the handler sets its own Cache-Control,
 * which only public reads do, through http/cache.h). Unknown paths get 404 (JSON
 * under /api/, HTML elsewhere); a known path with another method gets 405 with
 * an Allow header; a body over max_body gets 413, a request target over max_url
 * 414 and a request head over max_header 431, and the handler is not called.
 *
 * Slow and greedy clients: each request phase has an absolute deadline that
 * trickling bytes cannot extend, each address a connection limit, and near
 * the connection cap idle connections make room (http/guard.h). /healthz and
 * /static/ are answered in place by the polling threads, so busy workers
 * do not hold them up.
 */
#ifndef DISSENT_HTTP_SERVER_H
#define DISSENT_HTTP_SERVER_H

#include "base/buf.h"
#include "base/compat.h"
#include "base/err.h"
#include "base/pool.h"

#include <jansson.h>
#include <limits.h>
#include <stddef.h>

#define HTTP_MAX_PARAMS 8

struct http_request {
    struct pool *pool;  /* freed when the response is sent */
    const char *method; /* "GET", "POST", ... (HEAD for HEAD requests) */
    const char *path;   /* as received (still percent-encoded), without the query string */
    const char *params[HTTP_MAX_PARAMS]; /* captures of ":name" route segments, in order, decoded */
    size_t nparams;
    const char *body;          /* NUL-terminated (empty string when there is no body) */
    size_t body_len;           /* at most config max_body bytes */
    int anonymous;             /* route flag ROUTE_ANON: nothing identifying is logged */
    const char *route_pattern; /* the pattern of the matched route (for logs and metrics) */
    void *prepared; /* what the route's prepare left for its handler, or its handler for its
                       finish step, or NULL */
    void *conn;     /* private */
};

/* Value of request header `name` (case-insensitive), or NULL if absent. The
 * string lives as long as the request. */
const char *http_header(const struct http_request *r, const char *name);

/* Value of query-string argument `name`, percent-decoded ("+" is a space), or
 * NULL if absent, badly encoded or not valid UTF-8. */
const char *http_query(const struct http_request *r, const char *name);

/* Value of cookie `name` from the Cookie header, or NULL if absent. */
const char *http_cookie(const struct http_request *r, const char *name);

/* Field `name` of an application/x-www-form-urlencoded body (parsed once, on
 * first use), or NULL if absent, if the body is not such a form, or if the
 * body is badly encoded (see http_form_error). */
const char *http_form(const struct http_request *r, const char *name);

/* Returns 0 if the body parsed as a form (or a form parse has not been
 * attempted yet and succeeds now); otherwise -1 and a description in e. Lets
 * a handler tell "field absent" from "body malformed". */
int http_form_check(const struct http_request *r, struct err *e) WUR;

/* Client address as text ("127.0.0.1"), or NULL on ROUTE_ANON routes, where
 * the server refuses to tell anyone the address. For rate limiting only;
 * never log it. */
const char *http_client_addr(const struct http_request *r);

/* A keyed hash (BLAKE2b, out_len bytes, 16..64) of the client's address
 * under key (32 bytes), also on anonymous routes: it tells one client from
 * another for a budget kept in memory, and cannot be turned back into the
 * address without the key. The address itself is never returned. An
 * unknown address hashes as the empty string. */
void http_client_addr_id(const struct http_request *r, const unsigned char key[32],
                         unsigned char *out, size_t out_len);

struct http_header_field {
    struct http_header_field *next;
    const char *name;
    const char *value;
};

struct http_response {
    int status;                        /* 0 until a reply function sets it */
    const char *content_type;          /* static or pool string */
    struct buf body;                   /* at most HTTP_RESPONSE_MAX bytes */
    struct http_header_field *headers; /* extra headers, in order (private: use http_set_*) */
    struct pool *pool;                 /* the request's pool (private) */
    int cookie_secure;                 /* private: from the server config */
    int csp;                           /* HTTP_CSP_DEFAULT or HTTP_CSP_WASM */
    int cors;                          /* private: the route has ROUTE_CORS */
    struct err failure; /* private: the error the request's log line tells (http_error_message) */
};

/* The Content-Security-Policy a response is sent with: the default one, or
 * the same with 'wasm-unsafe-eval' added to script-src (only for the pages
 * of the anonymous signing flow, ROUTE_WASM, and the scripts under
 * /static/anon/, whose Worker compiles the signing module). */
#define HTTP_CSP_DEFAULT 0
#define HTTP_CSP_WASM    1

#define HTTP_RESPONSE_MAX (32u * 1024u * 1024u)

/* Adds a response header (copied into the request pool). Refuses names that
 * are not HTTP tokens and values with CR, LF or NUL. Returns 0 or -1. */
int http_set_header(struct http_response *res, const char *name, const char *value);

/* Adds Set-Cookie: name=value; Path=/; HttpOnly; SameSite=Strict; Max-Age=max_age_s
 * (and "; Secure" when the server is configured with cookie_secure).
 * max_age_s 0 deletes the cookie; a negative max_age_s makes a session cookie.
 * The value must be cookie-octets (no spaces, quotes, commas, semicolons or
 * backslashes: use base64url or hex). Returns 0 or -1. */
int http_set_cookie(struct http_response *res, const char *name, const char *value, int max_age_s);

/* Serializes obj (compact) as the body, Content-Type application/json.
 * Steals the reference to obj (obj may be NULL: a 500 error is sent). */
void http_reply_json(struct http_response *res, int status, json_t *obj);

/* What a client is told of e, and what the operator is: every reply that
 * tells a client an error takes its text from here (http_reply_error, the
 * HTML pages). Returns e->msg, or, when e carries a database driver's text
 * (err_set_driver), e->told or a sentence of ours for the status (409: a
 * change made at the same moment; 5xx: HTTP_FAILED_MESSAGE), so that no
 * table, column, constraint or key value reaches a client. A 5xx error or
 * one with a driver's text is kept in res, and when the reply goes the
 * server logs it: method, route pattern, status, code and the message's
 * first line (PostgreSQL's DETAIL lines, which can hold key values, stay
 * out), at error level for a 5xx and warn otherwise; on ROUTE_ANON routes
 * only at debug, as their request lines. A 5xx reply with no error kept
 * is logged too. */
const char *http_error_message(struct http_response *res, const struct err *e);

/* What a client is told of a 5xx error that carries a driver's text. */
#define HTTP_FAILED_MESSAGE                                                                        \
    "the server could not do this: try again, and if it persists tell the administrators "         \
    "(the server's log says why)"

/* {"error":{"code":"<err_code_name>","message":"<http_error_message>"}}
 * with the status err_http_status(e->code). */
void http_reply_error(struct http_response *res, const struct err *e);

/* Like http_reply_error, from a code and a printf message. */
void http_reply_errorf(struct http_response *res, enum err_code code, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

/* Copies len bytes of HTML as the body, Content-Type text/html; charset=utf-8. */
void http_reply_html(struct http_response *res, int status, const char *html, size_t len);

/* Copies len bytes of body with the given content type (static string). */
void http_reply_bytes(struct http_response *res, int status, const char *content_type,
                      const void *data, size_t len);

/* 303 See Other to location (a path on this site, e.g. "/memos/abc"). */
void http_redirect(struct http_response *res, const char *location);

typedef void (*http_handler_fn)(struct http_request *req, struct http_response *res, void *app);

enum {
    ROUTE_ANON = 1, /* anonymous endpoint: log no address, cookie or precise time */
    /* Readable from any origin without credentials (a signing page saved to
     * disk has origin "null"): responses carry Access-Control-Allow-Origin: *
     * (never Allow-Credentials), and an OPTIONS preflight for the route's
     * method is answered with that method and the Content-Type header only.
     * Only for routes that read no cookie or token: the public reads and the
     * anonymous endpoint. */
    ROUTE_CORS = 2,
    ROUTE_WASM = 4, /* a page that may compile WebAssembly (HTTP_CSP_WASM) */
};

struct http_route {
    const char *method;  /* "GET", "POST", "PUT", "DELETE", ... */
    const char *pattern; /* e.g. "/api/v1/memos/:id/versions/:n" */
    http_handler_fn handler;
    unsigned flags;
    /* Optional, for writes with costly checks (proof verification): runs
     * first on a reader, with the reader's app, outside every write
     * transaction. If it sets a response, that is the reply; else the
     * handler runs on the writer, in a group, and finds in req->prepared
     * what prepare left there (from the request pool). */
    http_handler_fn prepare;
    /* Optional, with prepare: requests whose prepare called http_batch_join
     * with the same key wait together (up to the server's batch window) and
     * this runs once for all of them on a reader, with its app: it sets
     * res[i] to refuse request i, or leaves it unset (and reqs[i]->prepared
     * ready) for the handler to run on the writer. Returns how many units
     * of work it ran (counted on /metrics: batch verifications). */
    size_t (*batch)(struct http_request *const *reqs, struct http_response *const *res, size_t n,
                    void *app);
    /* Optional, for writes whose reply is costly to build (a memo's view):
     * when the handler, on the writer, sets no response, this runs once the
     * handler's group has committed, on a reader with the reader's app (on
     * the writer when none is left), and sets the reply; req->prepared holds
     * what the handler left for it. The one writer then only writes. If
     * the group fails, the reply is the failure and this never runs. */
    http_handler_fn finish;
};

/* From a route's prepare (the route has a batch function): instead of going
 * on alone, req joins the open batch of its route and key (a string,
 * copied), which weight (e.g. proofs carried) adds to; the batch runs when
 * the window has passed since it opened or when its weight reaches the
 * server's batch_max. Without readers, or with batching off, the batch
 * function runs at once for req alone. Returns 0, or -1 (ERR_NOMEM). */
int http_batch_join(struct http_request *req, const char *key, size_t weight, struct err *e) WUR;

/* Renders an HTML error page for non-/api paths (404, 405, 413, ...). The
 * server calls it on a reader, with the reader's app; if NULL or if it
 * leaves the response unset, a minimal built-in page is sent. */
typedef void (*http_html_error_fn)(struct http_request *req, struct http_response *res, int status,
                                   const char *message, void *app);

struct http_server_config {
    const char *listen_addr; /* "127.0.0.1" (IPv4 or IPv6 literal); NULL = 127.0.0.1 */
    unsigned short port;     /* 0 = pick a free port */
    size_t max_body; /* bytes; larger bodies get 413 and the handler is not called; 0 = 1 MiB */
    const struct http_route *routes;
    size_t nroutes;
    void *app; /* the writer's (and, without worker_apps, every handler's) */

    /* Optional (0 = default). See docs/operations.md ("Sizing") for how to choose. */
    unsigned max_connections;    /* open connections at once, default 1024 (the process's
                                    open-file limit is raised to fit, or the cap lowered) */
    unsigned per_ip_connections; /* per client address (IPv6: per /64), default 128;
                                    HTTP_UNLIMITED for no limit */
    unsigned header_timeout_ms;  /* a request head must be complete this long after the
                                    connection is ready for it (accepted, or the previous
                                    response sent), however it trickles in; default 10 s */
    unsigned body_timeout_ms;    /* a body must be complete this long after its head; 30 s */
    unsigned timeout_s;          /* idle timeout per connection, default 30 */
    size_t max_header;           /* request line and headers, bytes; more gets 431; 16 KiB */
    size_t max_url;              /* request target (path and query), bytes; more gets 414;
                                    8 KiB */
    unsigned threads;            /* polling threads (epoll), default 2 */
    int cookie_secure;           /* add "Secure" to cookies (behind TLS) */
    http_html_error_fn html_error;

    /* Workers (docs/architecture.md, "Threads"; docs/operations.md, "Sizing"). */
    unsigned workers;                             /* readers, 1..64, each with worker_apps[i] */
    void *const *worker_apps;                     /* NULL: every handler on one thread, with app */
    int (*group_begin)(void *app, struct err *e); /* around each group of writes; NULL: none */
    int (*group_end)(void *app, int commit, struct err *e);
    unsigned group_max; /* writes per commit at most; 1: a commit per request; 0: 256 */
    /* Requests batched across (http_batch_join): how long a batch stays open
     * for more, in ms (0: HTTP_BATCH_WINDOW_MS; HTTP_BATCH_OFF: each request
     * alone), and the weight that closes it at once (0: HTTP_BATCH_MAX). */
    unsigned batch_window_ms;
    unsigned batch_max;
    /* Anonymous routes (ROUTE_ANON) leave /metrics unmoved: no request
     * count, duration, batch or worker count, since a counter polled every
     * second says when each anonymous request arrived. Non-zero counts them
     * too, for benchmarks only (serve reads DISSENT_BENCH_COUNT_ANONYMOUS). */
    int count_anonymous;
};

#define HTTP_BATCH_WINDOW_MS 50
#define HTTP_BATCH_MAX       256
#define HTTP_BATCH_OFF       UINT_MAX

#define HTTP_UNLIMITED UINT_MAX

struct http_server;

/* Starts listening and serving in background threads. Validates the route
 * table (patterns start with "/", at most HTTP_MAX_PARAMS captures). On
 * success *out owns the server (http_server_stop frees it). */
int http_server_start(struct http_server **out, const struct http_server_config *cfg,
                      struct err *e) WUR;

/* The port actually bound (useful with port 0). */
unsigned short http_server_port(const struct http_server *s);

/* Stops accepting, waits for running handlers, frees the server. NULL is fine. */
void http_server_stop(struct http_server *s);

/* A gauge exported on /metrics: fn(arg, app) is called on every scrape, on
 * the worker answering it, with that worker's app (so it may use the
 * worker's own database connection). */
typedef double (*http_gauge_fn)(void *arg, void *app);

/* Registers a gauge named `name` (Prometheus metric name, [a-zA-Z_:][a-zA-Z0-9_:]*)
 * with a one-line help text; strings are copied. At most 64 gauges. Returns 0
 * or -1. May be called at any time after start. */
int http_metrics_add_gauge(struct http_server *s, const char *name, const char *help,
                           http_gauge_fn fn, void *arg, struct err *e) WUR;

#endif
