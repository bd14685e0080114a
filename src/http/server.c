/* server.c — the libmicrohttpd daemon: dispatch, limits, security headers,
 * request logs and the /healthz and /metrics endpoints. Connection deadlines,
 * per-address limits and pressure are the guard's (http/guard.h); this file
 * wires it to the library's callbacks. */
#include "http/server.h"

#include "base/log.h"
#include "base/util.h"
#include "http/guard.h"
#include "http/request.h"
#include "http/router.h"
#include "http/static.h"
#include "http/workers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>

#define POOL_MAX   (64u * 1024u * 1024u)
#define GAUGES_MAX 64
#define NCLASSES   5
#define HIST_N     11
/* File descriptors kept free for everything but client connections: the
 * listening socket, epoll, the database, logs. */
#define FD_RESERVE 64

static const double hist_le[HIST_N] = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
static const char *const hist_le_text[HIST_N] = {"0.001", "0.005", "0.01", "0.025", "0.05", "0.1",
                                                 "0.25",  "0.5",   "1",    "2.5",   "10"};

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; "
                          "form-action 'self'";
static const char csp_wasm[] = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; "
                               "style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                               "base-uri 'none'; form-action 'self'";

struct gauge {
    char *name;
    char *help;
    http_gauge_fn fn;
    void *arg;
};

/* Counters of one route pattern (or of a builtin, or of unmatched requests). */
struct slot_stats {
    uint64_t by_class[NCLASSES]; /* 1xx .. 5xx */
    uint64_t hist[HIST_N + 1];   /* last is +Inf (non-cumulative here) */
    double sum;
    uint64_t count;
    uint64_t batches, batched, items, runs; /* http_batch_join */
};

struct http_server {
    struct MHD_Daemon *daemon;
    struct http_server_config cfg;
    unsigned short port;
    pthread_mutex_t gauge_lock; /* the gauge table */
    pthread_mutex_t metrics_lock;
    struct workers *workers;  /* run every handler but the builtins answered in place */
    struct slot_stats *stats; /* nroutes + NBUILTIN + 1 (unmatched) */
    struct gauge gauges[GAUGES_MAX];
    size_t ngauges;
    struct guard *guard;
    /* Batches of requests waiting for their window (http_batch_join). */
    pthread_mutex_t batch_lock;
    struct http_batch *batches;
    /* The library's own log lines, at most LOG_BURST a second (an attack
     * must not turn into a flood of log lines). */
    pthread_mutex_t log_lock;
    time_t log_second;
    unsigned log_count;
};

#define LOG_BURST 5

static void healthz(struct http_request *req, struct http_response *res, void *app);
static void metrics(struct http_request *req, struct http_response *res, void *app);

static const struct http_route builtins[] = {
    {.method = "GET", .pattern = "/healthz", .handler = healthz},
    {.method = "GET", .pattern = "/metrics", .handler = metrics},
    /* CORS: a signing page opened from disk loads its scripts and the
     * signing module from here. */
    {.method = "GET", .pattern = "/static/:file", .handler = static_serve, .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/static/anon/:file",
     .handler = static_serve_anon,
     .flags = ROUTE_CORS},
};
#define NBUILTIN ARRAY_LEN(builtins)

/* Slot numbers: app routes first, then builtins, then "unmatched". */
static size_t slot_unmatched(const struct http_server *s)
{
    return s->cfg.nroutes + NBUILTIN;
}

static const char *slot_pattern(const struct http_server *s, size_t slot)
{
    const char *p = "unmatched";
    if (slot < s->cfg.nroutes)
        p = s->cfg.routes[slot].pattern;
    else if (slot < s->cfg.nroutes + NBUILTIN)
        p = builtins[slot - s->cfg.nroutes].pattern;
    return p;
}

static int is_api(const char *path)
{
    return strncmp(path, "/api/", 5) == 0 || strcmp(path, "/api") == 0;
}

/* A method name safe to log: the known ones, else "OTHER". */
static const char *method_for_log(const char *m)
{
    static const char *const known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    const char *r = "OTHER";
    for (size_t i = 0; i < ARRAY_LEN(known); i++)
        if (strcmp(m, known[i]) == 0)
            r = known[i];
    return r;
}

/* ---- built-in endpoints ---------------------------------------------- */

static void healthz(struct http_request *req, struct http_response *res, void *app)
{
    (void)req;
    (void)app;
    http_reply_json(res, 200, json_pack("{s:s}", "status", "ok"));
}

/* Writes s escaped as a Prometheus label value. */
static int put_label(struct buf *b, const char *s, struct err *e)
{
    int rc = 0;
    for (; *s && rc == 0; s++) {
        if (*s == '\\' || *s == '"')
            rc = buf_printf(b, e, "\\%c", *s);
        else if (*s == '\n')
            rc = buf_puts(b, "\\n", e);
        else
            rc = buf_append(b, s, 1, e);
    }
    return rc;
}

/* The guard's counters: what an operator sizing the limits watches. */
static int guard_render(struct guard *g, struct buf *b, struct err *e)
{
    struct guard_stats st;
    guard_stats(g, &st);
    return buf_printf(
        b, e,
        "# HELP dissent_http_connections Open client connections.\n"
        "# TYPE dissent_http_connections gauge\ndissent_http_connections %llu\n"
        "# HELP dissent_http_pressure 1 while three quarters of the connection cap are in use.\n"
        "# TYPE dissent_http_pressure gauge\ndissent_http_pressure %d\n"
        "# HELP dissent_http_connections_ended_total Connections refused or closed to protect "
        "the others, by reason.\n"
        "# TYPE dissent_http_connections_ended_total counter\n"
        "dissent_http_connections_ended_total{reason=\"address_limit\"} %llu\n"
        "dissent_http_connections_ended_total{reason=\"header_deadline\"} %llu\n"
        "dissent_http_connections_ended_total{reason=\"body_deadline\"} %llu\n"
        "dissent_http_connections_ended_total{reason=\"pressure\"} %llu\n",
        (unsigned long long)st.open, st.pressure, (unsigned long long)st.refused_address,
        (unsigned long long)st.closed_head, (unsigned long long)st.closed_body,
        (unsigned long long)st.closed_pressure);
}

/* The workers' counters: how well group commit groups, and what waits. */
static int workers_render(struct workers *w, struct buf *b, struct err *e)
{
    struct workers_stats st;
    workers_stats(w, &st);
    return buf_printf(
        b, e,
        "# HELP dissent_http_write_groups_total Write transactions committed by the writer "
        "(group commit), and those that failed.\n"
        "# TYPE dissent_http_write_groups_total counter\n"
        "dissent_http_write_groups_total{result=\"any\"} %llu\n"
        "dissent_http_write_groups_total{result=\"failed\"} %llu\n"
        "# HELP dissent_http_writes_total Requests run by the writer.\n"
        "# TYPE dissent_http_writes_total counter\ndissent_http_writes_total %llu\n"
        "# HELP dissent_http_reads_total Requests run by the readers.\n"
        "# TYPE dissent_http_reads_total counter\ndissent_http_reads_total %llu\n"
        "# HELP dissent_http_queued Requests waiting for a worker, by kind.\n"
        "# TYPE dissent_http_queued gauge\n"
        "dissent_http_queued{kind=\"read\"} %u\ndissent_http_queued{kind=\"write\"} %u\n",
        (unsigned long long)st.groups, (unsigned long long)st.failed_groups,
        (unsigned long long)st.writes, (unsigned long long)st.reads, st.queued_reads,
        st.queued_writes);
}

static int metrics_render(struct http_server *s, void *app, struct buf *b, struct err *e)
{
    int rc = 0;
    size_t ngauges;
    size_t nslots = slot_unmatched(s) + 1;
    struct slot_stats *snap = calloc(nslots, sizeof *snap);

    if (!snap) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&s->metrics_lock);
    memcpy(snap, s->stats, nslots * sizeof *snap);
    pthread_mutex_unlock(&s->metrics_lock);

    rc = buf_puts(b,
                  "# HELP dissent_http_batches_total Batches of requests a route ran together "
                  "(anonymous proofs verified across requests); batched_requests, batched_items "
                  "(proofs) and batch_runs (batch verifications, with the halves of a failed one) "
                  "count what they held.\n",
                  e);
    rc = rc ? rc
            : buf_puts(
                  b,
                  "# HELP dissent_http_requests_total HTTP requests by route pattern and status "
                  "class.\n# TYPE dissent_http_requests_total counter\n",
                  e);
    for (size_t i = 0; i < nslots && rc == 0; i++) {
        for (int k = 0; k < NCLASSES && rc == 0; k++) {
            if (!snap[i].by_class[k])
                continue;
            rc = buf_puts(b, "dissent_http_requests_total{route=\"", e);
            rc = rc ? rc : put_label(b, slot_pattern(s, i), e);
            rc = rc ? rc
                    : buf_printf(b, e, "\",class=\"%dxx\"} %llu\n", k + 1,
                                 (unsigned long long)snap[i].by_class[k]);
        }
    }
    rc = rc ? rc
            : buf_puts(b,
                       "# HELP dissent_http_request_duration_seconds Time from request to "
                       "response, by route pattern.\n# TYPE dissent_http_request_duration_seconds "
                       "histogram\n",
                       e);
    for (size_t i = 0; i < nslots && rc == 0; i++) {
        uint64_t cum = 0;
        if (!snap[i].count)
            continue;
        for (int k = 0; k <= HIST_N && rc == 0; k++) {
            cum += snap[i].hist[k];
            rc = buf_puts(b, "dissent_http_request_duration_seconds_bucket{route=\"", e);
            rc = rc ? rc : put_label(b, slot_pattern(s, i), e);
            rc = rc ? rc
                    : buf_printf(b, e, "\",le=\"%s\"} %llu\n",
                                 k < HIST_N ? hist_le_text[k] : "+Inf", (unsigned long long)cum);
        }
        rc = rc ? rc : buf_puts(b, "dissent_http_request_duration_seconds_sum{route=\"", e);
        rc = rc ? rc : put_label(b, slot_pattern(s, i), e);
        rc = rc ? rc : buf_printf(b, e, "\"} %.6f\n", snap[i].sum);
        rc = rc ? rc : buf_puts(b, "dissent_http_request_duration_seconds_count{route=\"", e);
        rc = rc ? rc : put_label(b, slot_pattern(s, i), e);
        rc = rc ? rc : buf_printf(b, e, "\"} %llu\n", (unsigned long long)snap[i].count);
    }
    for (size_t i = 0; i < nslots && rc == 0; i++) {
        static const char *const names[4] = {
            "dissent_http_batches_total", "dissent_http_batched_requests_total",
            "dissent_http_batched_items_total", "dissent_http_batch_runs_total"};
        const uint64_t v[4] = {snap[i].batches, snap[i].batched, snap[i].items, snap[i].runs};
        if (!snap[i].batches)
            continue;
        for (int k = 0; k < 4 && rc == 0; k++) {
            rc = buf_printf(b, e, "%s{route=\"", names[k]);
            rc = rc ? rc : put_label(b, slot_pattern(s, i), e);
            rc = rc ? rc : buf_printf(b, e, "\"} %llu\n", (unsigned long long)v[k]);
        }
    }
    /* Gauges: called on a worker, with its app (its own connection). */
    pthread_mutex_lock(&s->gauge_lock);
    ngauges = s->ngauges;
    pthread_mutex_unlock(&s->gauge_lock);
    for (size_t i = 0; i < ngauges && rc == 0; i++) {
        const struct gauge *g = &s->gauges[i];
        rc = buf_printf(b, e, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", g->name, g->help,
                        g->name, g->name, g->fn(g->arg, app));
    }
    rc = rc ? rc : guard_render(s->guard, b, e);
    rc = rc ? rc : workers_render(s->workers, b, e);
out:
    free(snap);
    return rc;
}

static void metrics(struct http_request *req, struct http_response *res, void *app)
{
    struct http_conn *c = req->conn;
    struct err e;
    err_init(&e);
    buf_reset(&res->body);
    if (metrics_render(c->server, app, &res->body, &e)) {
        http_reply_error(res, &e);
        return;
    }
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static int metric_name_ok(const char *s)
{
    int ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_' || *s == ':';
    for (s++; ok && *s; s++)
        ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
             *s == '_' || *s == ':';
    return ok;
}

int http_metrics_add_gauge(struct http_server *s, const char *name, const char *help,
                           http_gauge_fn fn, void *arg, struct err *e)
{
    int rc = 0;
    struct gauge g = {0};

    if (!metric_name_ok(name) || !fn || strpbrk(help, "\n\\")) {
        rc = err_set(e, ERR_INVALID, "gauge '%.64s': bad name, help or function", name);
        goto out;
    }
    g.name = strdup(name);
    g.help = strdup(help);
    g.fn = fn;
    g.arg = arg;
    if (!g.name || !g.help) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    pthread_mutex_lock(&s->gauge_lock);
    if (s->ngauges >= GAUGES_MAX) {
        rc = err_set(e, ERR_TOO_LARGE, "at most %d gauges", GAUGES_MAX);
    } else {
        s->gauges[s->ngauges] = g; /* filled before it is counted: readers copy the count */
        s->ngauges++;
        g.name = NULL;
        g.help = NULL;
    }
    pthread_mutex_unlock(&s->gauge_lock);
out:
    free(g.name);
    free(g.help);
    return rc;
}

/* ---- responses ------------------------------------------------------- */

static const char *status_text(int status)
{
    switch (status) {
    case 400:
        return "Bad request";
    case 404:
        return "Not found";
    case 405:
        return "Method not allowed";
    case 413:
        return "Request too large";
    default:
        return "Error";
    }
}

/* The built-in HTML error page, when the application's left none. */
static void builtin_error_page(struct http_conn *c, int status, const char *msg)
{
    if (c->res.status == 0) {
        struct buf *b = &c->res.body;
        buf_reset(b);
        /* msg is ours (never user input), but escape it anyway by keeping it plain ASCII. */
        if (buf_printf(b, NULL,
                       "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                       "<title>%d %s</title><link rel=\"stylesheet\" href=\"/static/dissent.css\">"
                       "</head><body><main class=\"error-page\"><h1>%d %s</h1><p>%s</p>"
                       "<p><a href=\"/\">Home</a></p></main></body></html>\n",
                       status, status_text(status), status, status_text(status), msg) == 0) {
            c->res.status = status;
            c->res.content_type = "text/html; charset=utf-8";
        }
    }
}

/* Fills an error response: JSON under /api (and for builtins), HTML
 * elsewhere. Returns 1 when the application's HTML page is wanted: a job
 * for a reader (it may need the database), else 0. */
static int reply_failure(struct http_conn *c, enum err_code code, int status, const char *msg)
{
    struct http_server *s = c->server;
    if (is_api(c->req.path) || !c->req.path[0] || strcmp(c->req.path, "/metrics") == 0 ||
        strcmp(c->req.path, "/healthz") == 0) {
        struct err e;
        err_init(&e);
        err_set(&e, code, "%s", msg);
        http_reply_error(&c->res, &e);
        c->res.status = status;
        return 0;
    }
    c->err_status = status;
    c->err_msg = pool_strdup(&c->pool, msg);
    if (s->cfg.html_error && c->err_msg)
        return 1;
    builtin_error_page(c, status, msg);
    return 0;
}

static int add_header(struct MHD_Response *r, const char *name, const char *value)
{
    return MHD_add_response_header(r, name, value) == MHD_YES ? 0 : -1;
}

/* The failure behind a reply, for the operator (http_error_message says
 * which and how): the error kept in the response, whole but for the lines
 * after its first, or a 5xx without one. Never the concrete path, an
 * address or a cookie; on anonymous routes only at debug, like their
 * request lines. */
static void log_failure(struct http_conn *c, size_t slot, int status)
{
    const struct err *f = &c->res.failure;
    enum log_level level = LOG_WARN;
    size_t n = 0;

    if (f->code == ERR_OK && status < 500)
        return;
    if (status >= 500 || err_http_status(f->code) >= 500)
        level = LOG_ERROR;
    if (c->req.anonymous)
        level = LOG_DEBUG;
    /* up to the first control (C0, DEL or C1: base/util.h), which would
     * start a second line or a terminal sequence in the operator's log */
    while (f->msg[n] && text_control_len(f->msg + n, "") == 0)
        n++;
    if (f->code == ERR_OK)
        log_msg(level, "http %s %s %d: no error was recorded", method_for_log(c->req.method),
                slot_pattern(c->server, slot), status);
    else
        log_msg(level, "http %s %s %d %s: %.*s%s", method_for_log(c->req.method),
                slot_pattern(c->server, slot), status, err_code_name(f->code), (int)n, f->msg,
                f->msg[n] ? " (further lines not logged)" : "");
}

/* Whether requests to route r move /metrics (http_server_config
 * count_anonymous). */
static int route_counted(const struct http_server *s, const struct http_route *r)
{
    return !(r && (r->flags & ROUTE_ANON)) || s->cfg.count_anonymous;
}

static void record(struct http_conn *c, size_t slot, int status)
{
    struct http_server *s = c->server;
    struct timespec now;
    double secs;
    int cls = status / 100 - 1;

    clock_gettime(CLOCK_MONOTONIC, &now);
    secs = (double)(now.tv_sec - c->start.tv_sec) + (double)(now.tv_nsec - c->start.tv_nsec) / 1e9;
    if (cls < 0 || cls >= NCLASSES)
        cls = NCLASSES - 1;
    /* an anonymous request moves no counter (route_counted) */
    if (!c->req.anonymous || s->cfg.count_anonymous) {
        struct slot_stats *st = &s->stats[slot];
        int k = 0;
        while (k < HIST_N && secs > hist_le[k])
            k++;
        pthread_mutex_lock(&s->metrics_lock);
        st->by_class[cls]++;
        st->hist[k]++;
        st->sum += secs;
        st->count++;
        pthread_mutex_unlock(&s->metrics_lock);
    }

    /* Request log: never the concrete path, a body, an address or a cookie.
     * Anonymous routes are not logged at the default level at all: whatever
     * collects standard error stamps each line with the moment it arrived,
     * and that moment is what an anonymous signer must not leave behind. At
     * debug level they get a line without even the duration. */
    if (c->req.anonymous)
        log_debug("http %s %s %d anonymous", method_for_log(c->req.method), slot_pattern(s, slot),
                  status);
    else
        log_info("http %s %s %d %.1fms", method_for_log(c->req.method), slot_pattern(s, slot),
                 status, secs * 1000.0);
    log_failure(c, slot, status);
}

/* Sends c->res (or a 500 if nothing was set) with the security headers. */
static enum MHD_Result send_response(struct http_conn *c, size_t slot, const char *allow)
{
    struct http_response *res = &c->res;
    struct MHD_Response *mr;
    enum MHD_Result ret = MHD_NO;
    int have_cache = 0;
    int rc = 0;

    if (res->status < 100 || res->status > 599) /* logged as every 5xx (log_failure) */
        http_reply_errorf(res, ERR_INTERNAL, "the handler produced no response");
    mr = MHD_create_response_from_buffer(
        res->body.len, res->body.data ? res->body.data : (void *)"", MHD_RESPMEM_MUST_COPY);
    if (!mr)
        goto out;
    for (const struct http_header_field *h = res->headers; h && rc == 0; h = h->next) {
        rc = add_header(mr, h->name, h->value);
        if (strcasecmp(h->name, "Cache-Control") == 0)
            have_cache = 1;
    }
    if (res->content_type)
        rc = rc ? rc : add_header(mr, "Content-Type", res->content_type);
    rc = rc ? rc
            : add_header(mr, "Content-Security-Policy", res->csp == HTTP_CSP_WASM ? csp_wasm : csp);
    /* Any origin may read, none with credentials (no Allow-Credentials):
     * these routes read no cookie, so a cross-origin page learns nothing it
     * could not fetch itself. */
    if (res->cors)
        rc = rc ? rc : add_header(mr, "Access-Control-Allow-Origin", "*");
    rc = rc ? rc : add_header(mr, "X-Content-Type-Options", "nosniff");
    rc = rc ? rc : add_header(mr, "Referrer-Policy", "no-referrer");
    rc = rc ? rc : add_header(mr, "X-Frame-Options", "DENY");
    rc = rc ? rc : add_header(mr, "Cross-Origin-Opener-Policy", "same-origin");
    if (!have_cache) /* only public reads set their own (http/cache.h) */
        rc = rc ? rc : add_header(mr, "Cache-Control", "no-store");
    if (allow && *allow)
        rc = rc ? rc : add_header(mr, "Allow", allow);
    /* At the connection cap, each client gets one request per connection:
     * busy keep-alive connections then queue for accept() with everyone else. */
    if (guard_full(c->server->guard))
        rc = rc ? rc : add_header(mr, "Connection", "close");
    if (rc == 0)
        ret = MHD_queue_response(c->mhd, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    record(c, slot, res->status);
out:
    return ret;
}

/* Builtins answered in place on the poller: they touch no database, and
 * the health check must answer while every worker is busy. */
static int in_place(const struct http_route *route)
{
    return route->handler == healthz || route->handler == static_serve ||
           route->handler == static_serve_anon;
}

/* Writes go to the one writer (group commit), after a reader when they
 * have a prepare step; GET and HEAD to the readers. */
static int is_write(const struct http_conn *c)
{
    return strcmp(c->req.method, "GET") != 0 && strcmp(c->req.method, "HEAD") != 0 &&
           c->job_route != NULL && c->job_route->prepare == NULL;
}

static struct http_conn *conn_of_job(struct workers_job *j)
{
    return (struct http_conn *)((char *)j - offsetof(struct http_conn, job));
}

/* ---- requests batched across (http_batch_join) ---------------------- */

struct http_batch {
    struct workers_job job; /* runs batch_run on a reader when the window has passed */
    struct http_batch *next;
    struct http_server *server;
    const struct http_route *route;
    char *key;
    struct http_conn **conns;
    size_t n, cap, weight;
    int open; /* in server->batches: more may join */
};

int http_batch_join(struct http_request *req, const char *key, size_t weight, struct err *e)
{
    struct http_conn *c = req->conn;
    c->batch_key = pool_strdup(&c->pool, key);
    c->batch_weight = weight;
    return c->batch_key ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

static void batch_count(struct http_server *s, const struct http_route *r, size_t n, size_t weight,
                        size_t runs)
{
    size_t slot = (size_t)(r - s->cfg.routes);
    if (!route_counted(s, r))
        return;
    pthread_mutex_lock(&s->metrics_lock);
    s->stats[slot].batches++;
    s->stats[slot].batched += n;
    s->stats[slot].items += weight;
    s->stats[slot].runs += runs;
    pthread_mutex_unlock(&s->metrics_lock);
}

/* On a reader: the window has passed (or the batch is full). */
static int batch_run(struct workers_job *j, void *app)
{
    struct http_batch *b = (struct http_batch *)j;
    struct http_server *s = b->server;
    struct http_request **reqs = NULL;
    struct http_response **res = NULL;
    size_t runs = 0;

    pthread_mutex_lock(&s->batch_lock);
    if (b->open)
        for (struct http_batch **at = &s->batches; *at; at = &(*at)->next)
            if (*at == b) {
                *at = b->next;
                break;
            }
    b->open = 0;
    pthread_mutex_unlock(&s->batch_lock);
    reqs = malloc(b->n * sizeof *reqs);
    res = malloc(b->n * sizeof *res);
    if (reqs && res) {
        for (size_t i = 0; i < b->n; i++) {
            reqs[i] = &b->conns[i]->req;
            res[i] = &b->conns[i]->res;
        }
        runs = b->route->batch(reqs, res, b->n, app);
    } else {
        for (size_t i = 0; i < b->n; i++)
            http_reply_errorf(&b->conns[i]->res, ERR_NOMEM, "out of memory");
    }
    batch_count(s, b->route, b->n, b->weight, runs);
    /* Each on its way: to the writer, or its refusal out. */
    for (size_t i = 0; i < b->n; i++)
        workers_continue(s->workers, &b->conns[i]->job, b->conns[i]->res.status == 0);
    free(reqs);
    free(res);
    free(b->conns);
    free(b->key);
    free(b);
    return WORKERS_HELD; /* b is gone */
}

static void batch_job_done(struct workers_job *j)
{
    (void)j; /* never called: batch_run frees its batch */
}

static void batch_job_fail(struct workers_job *j, const struct err *e)
{
    (void)j;
    (void)e;
}

/* c joins the open batch of its route and key, or opens one. Returns 0 when
 * c waits in a batch (it is the batch's then), or -1 after running the
 * route's batch function for c alone here (no readers, batching off, out of
 * memory, stopping). */
static int batch_add(struct http_server *s, struct http_conn *c, void *app)
{
    const struct http_route *r = c->job_route;
    struct http_batch *b = NULL;
    struct http_request *req = &c->req;
    struct http_response *res = &c->res;
    unsigned max = s->cfg.batch_max ? s->cfg.batch_max : HTTP_BATCH_MAX;
    unsigned window = s->cfg.batch_window_ms ? s->cfg.batch_window_ms : HTTP_BATCH_WINDOW_MS;
    size_t runs;

    if (s->cfg.worker_apps && s->cfg.batch_window_ms != HTTP_BATCH_OFF) {
        pthread_mutex_lock(&s->batch_lock);
        for (b = s->batches; b; b = b->next)
            if (b->route == r && strcmp(b->key, c->batch_key) == 0)
                break;
        if (!b && (b = calloc(1, sizeof *b)) != NULL) {
            b->key = strdup(c->batch_key);
            b->server = s;
            b->route = r;
            b->job.run = batch_run;
            b->job.done = batch_job_done;
            b->job.fail = batch_job_fail;
            b->job.uncounted = !route_counted(s, r);
            if (!b->key || workers_submit_at(s->workers, &b->job,
                                             workers_now_ns() + (uint64_t)window * 1000000u)) {
                free(b->key);
                free(b);
                b = NULL;
            } else {
                b->open = 1;
                b->next = s->batches;
                s->batches = b;
            }
        }
        if (b && b->n == b->cap) {
            size_t cap = b->cap ? 2 * b->cap : 16;
            struct http_conn **more = realloc(b->conns, cap * sizeof *more);
            if (more) {
                b->conns = more;
                b->cap = cap;
            }
        }
        if (b && b->n < b->cap) {
            b->conns[b->n++] = c;
            b->weight += c->batch_weight;
            workers_hold(s->workers);
            if (b->weight >= max) {
                /* full: closed to newcomers, and due now */
                for (struct http_batch **at = &s->batches; *at; at = &(*at)->next)
                    if (*at == b) {
                        *at = b->next;
                        break;
                    }
                b->open = 0;
                (void)workers_expedite(s->workers, &b->job);
            }
            pthread_mutex_unlock(&s->batch_lock);
            return 0;
        }
        pthread_mutex_unlock(&s->batch_lock);
    }
    runs = r->batch(&req, &res, 1, app);
    batch_count(s, r, 1, c->batch_weight, runs);
    return -1;
}

/* On a worker, with its app. */
static int job_run(struct workers_job *j, void *app)
{
    struct http_conn *c = conn_of_job(j);
    struct http_server *s = c->server;
    const struct http_route *r = c->job_route;
    if (c->finishing) {
        /* the write committed; the reply is built from what it left */
        r->finish(&c->req, &c->res, app);
        return WORKERS_DONE;
    }
    if (r && r->prepare && !c->prepared) {
        c->prepared = 1;
        r->prepare(&c->req, &c->res, app);
        if (c->res.status == 0 && c->batch_key && r->batch && batch_add(s, c, app) == 0)
            return WORKERS_HELD; /* c is the batch's now: not a byte more of it here */
        /* In serial mode this already is the writer: go on here. */
        if (c->res.status == 0 && s->cfg.worker_apps)
            return WORKERS_THEN_WRITE;
    }
    if (r && c->res.status == 0) {
        r->handler(&c->req, &c->res, app);
        if (r->finish && c->res.status == 0) {
            c->finishing = 1;
            return WORKERS_THEN_READ;
        }
    } else if (!r) {
        s->cfg.html_error(&c->req, &c->res, c->err_status, c->err_msg, app);
        builtin_error_page(c, c->err_status, c->err_msg);
    }
    return WORKERS_DONE;
}

/* The group this write was in did not commit: whatever the handler
 * answered, nothing of it happened. */
static void job_fail(struct workers_job *j, const struct err *e)
{
    struct http_conn *c = conn_of_job(j);
    struct err why;
    err_init(&why);
    err_wrap(&why, ERR_DB, e, "the change could not be saved, nothing of it was kept: try again",
             "the change could not be saved, nothing of it was kept (%s): try again", e->msg);
    c->res.headers = NULL;
    c->res.content_type = NULL;
    buf_reset(&c->res.body);
    c->res.status = 0;
    http_reply_error(&c->res, &why);
}

/* The reply may go: the poller sends it when it resumes the connection. */
static void job_done(struct workers_job *j)
{
    struct http_conn *c = conn_of_job(j);
    struct MHD_Connection *mc = c->mhd; /* c is the poller's again once resumed */
    __atomic_store_n(&c->job_done, 1, __ATOMIC_RELEASE);
    MHD_resume_connection(mc);
}

/* Hands the request to a worker and suspends the connection until the job
 * is done (on_request sends the reply then). */
static enum MHD_Result queue_job(struct http_conn *c)
{
    struct http_server *s = c->server;
    c->job.run = job_run;
    c->job.fail = job_fail;
    c->job.done = job_done;
    c->job.uncounted = !route_counted(s, c->job_route);
    c->queued = 1;
    MHD_suspend_connection(c->mhd);
    if (workers_submit(s->workers, &c->job, is_write(c)) != 0) {
        /* stopping: the refusal goes out as any reply, on resumption */
        http_reply_errorf(&c->res, ERR_INTERNAL, "the server is stopping");
        job_done(&c->job);
    }
    return MHD_YES;
}

/* A CORS preflight (OPTIONS with Access-Control-Request-Method) for a
 * ROUTE_CORS route of the application: answers 204 with the one method and
 * the one header (Content-Type) a page without credentials needs. Returns
 * 1 when answered (slot: the route's), 0 to go on as without CORS (then
 * 405: the browser refuses the cross-origin request). */
static int preflight(struct http_conn *c, size_t *slot)
{
    struct http_server *s = c->server;
    const char *want = http_header(&c->req, "Access-Control-Request-Method");
    const char *params[HTTP_MAX_PARAMS];
    size_t idx = 0, np = 0;
    char allow[128];
    const struct http_route *route;

    if (!want || router_match(s->cfg.routes, s->cfg.nroutes, want, c->req.path, &c->pool, &idx,
                              params, &np, allow, sizeof allow) != ROUTER_FOUND)
        return 0;
    route = &s->cfg.routes[idx];
    if (!(route->flags & ROUTE_CORS))
        return 0;
    /* The preflight of the anonymous endpoint is as telling as the request. */
    c->req.anonymous = (route->flags & ROUTE_ANON) != 0;
    c->res.cors = 1;
    *slot = idx;
    if (http_set_header(&c->res, "Access-Control-Allow-Methods", route->method) ||
        http_set_header(&c->res, "Access-Control-Allow-Headers", "Content-Type") ||
        http_set_header(&c->res, "Access-Control-Max-Age", "600"))
        http_reply_errorf(&c->res, ERR_NOMEM, "out of memory");
    else
        http_reply_bytes(&c->res, 204, NULL, "", 0);
    return 1;
}

/* Decides what to do with the request now that headers (and maybe the
 * body) are in; the handler runs at most once, on a worker unless it is a
 * builtin answered in place. */
static enum MHD_Result finish(struct http_conn *c)
{
    struct http_server *s = c->server;
    const struct http_route *route = NULL;
    size_t slot = slot_unmatched(s);
    size_t idx = 0;
    char allow[128] = "";
    enum router_result rr;
    int queue = 0;

    rr = router_match(builtins, NBUILTIN, c->req.method, c->req.path, &c->pool, &idx, c->req.params,
                      &c->req.nparams, allow, sizeof allow);
    if (rr == ROUTER_FOUND) {
        route = &builtins[idx];
        slot = s->cfg.nroutes + idx;
    } else if (rr == ROUTER_NO_PATH) {
        rr = router_match(s->cfg.routes, s->cfg.nroutes, c->req.method, c->req.path, &c->pool, &idx,
                          c->req.params, &c->req.nparams, allow, sizeof allow);
        if (rr == ROUTER_FOUND) {
            route = &s->cfg.routes[idx];
            slot = idx;
        }
    }
    if (route) {
        c->req.anonymous = (route->flags & ROUTE_ANON) != 0;
        c->req.route_pattern = route->pattern;
        c->res.cors = (route->flags & ROUTE_CORS) != 0;
        if (route->flags & ROUTE_WASM)
            c->res.csp = HTTP_CSP_WASM;
    } else if (rr == ROUTER_NO_METHOD && strcmp(c->req.method, "OPTIONS") == 0 &&
               preflight(c, &slot)) {
        return send_response(c, slot, NULL);
    }
    c->slot = slot;
    c->allow = rr == ROUTER_NO_METHOD ? pool_strdup(&c->pool, allow) : NULL;

    if (c->head_status == 414) {
        char msg[200];
        snprintf(msg, sizeof msg, "the address is longer than the limit of %zu bytes",
                 s->cfg.max_url);
        queue = reply_failure(c, ERR_TOO_LARGE, 414, msg);
    } else if (c->head_status == 431) {
        char msg[200];
        snprintf(msg, sizeof msg, "the request headers are larger than the limit of %zu bytes",
                 s->cfg.max_header);
        queue = reply_failure(c, ERR_TOO_LARGE, 431, msg);
    } else if (rr == ROUTER_NO_PATH) {
        queue = reply_failure(c, ERR_NOT_FOUND, 404, "there is nothing at this address");
    } else if (rr == ROUTER_NO_METHOD) {
        char msg[200];
        snprintf(msg, sizeof msg, "this address accepts only %s", allow);
        queue = reply_failure(c, ERR_UNSUPPORTED, 405, msg);
    } else if (rr == ROUTER_BAD_PATH) {
        queue = reply_failure(c, ERR_INVALID, 400, "the address is badly encoded");
    } else if (c->too_large) {
        char msg[200];
        snprintf(msg, sizeof msg, "the request body is larger than the limit of %zu bytes",
                 s->cfg.max_body);
        queue = reply_failure(c, ERR_TOO_LARGE, 413, msg);
    } else {
        c->req.body = c->body.data ? c->body.data : "";
        c->req.body_len = c->body.len;
        if (in_place(route)) {
            route->handler(&c->req, &c->res, s->cfg.app);
        } else {
            c->job_route = route;
            queue = 1;
        }
    }
    if (queue)
        return queue_job(c);
    return send_response(c, slot, c->allow);
}

static void conn_free(struct http_conn *c)
{
    if (c) {
        http_response_release(&c->res);
        buf_release(&c->body);
        pool_release(&c->pool);
        free(c);
    }
}

/* The guard's record of connection mc (NULL if it has none). */
static struct guard_conn *guard_conn_of(struct MHD_Connection *mc)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* A request's state; uri_len is the request target's length as received. */
static struct http_conn *conn_new(struct http_server *s, struct MHD_Connection *mc, size_t uri_len)
{
    struct http_conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->server = s;
    c->mhd = mc;
    c->guard = guard_conn_of(mc);
    c->uri_len = uri_len;
    pool_init(&c->pool, POOL_MAX);
    buf_init(&c->body, s->cfg.max_body);
    http_response_init(&c->res, &c->pool);
    c->res.cookie_secure = s->cfg.cookie_secure;
    c->req.pool = &c->pool;
    c->req.conn = c;
    c->req.body = "";
    c->req.method = "";
    c->req.path = "";
    c->req.route_pattern = "unmatched";
    return c;
}

/* Called as soon as the request line is in: the only moment the whole
 * target (path and query) is seen, for the max_url limit. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
    struct http_server *s = cls;
    /* a request has begun: a deadline missed from here on gets a 408 */
    guard_line_done(s->guard, guard_conn_of(mc));
    return conn_new(cls, mc, strlen(uri));
}

/* The head is in (first call for a request): checks the limits the library
 * leaves to us. Returns 1 if the request is refused already. */
static int head_refused(struct http_conn *c, struct MHD_Connection *mc)
{
    struct http_server *s = c->server;
    const union MHD_ConnectionInfo *hs =
        MHD_get_connection_info(mc, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    const char *cl = MHD_lookup_connection_value(mc, MHD_HEADER_KIND, "Content-Length");
    int64_t n;

    if (c->uri_len > s->cfg.max_url)
        c->head_status = 414;
    else if (hs && hs->header_size > s->cfg.max_header)
        c->head_status = 431;
    else if (cl && (parse_i64(cl, 0, INT64_MAX, &n) || (uint64_t)n > s->cfg.max_body))
        c->too_large = 1; /* refuse before reading a byte of the body */
    return c->head_status || c->too_large;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *mc, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *s = cls;
    struct http_conn *c = *con_cls;
    enum MHD_Result ret = MHD_NO;
    (void)version;

    if (!c) {
        c = conn_new(s, mc, strlen(url));
        if (!c)
            goto out;
        *con_cls = c;
    }
    if (c->queued) {
        /* resumed: the worker is done with it */
        if (__atomic_load_n(&c->job_done, __ATOMIC_ACQUIRE))
            ret = send_response(c, c->slot, c->allow);
        else
            ret = MHD_YES;
        goto out;
    }
    if (!c->started) {
        c->started = 1;
        clock_gettime(CLOCK_MONOTONIC, &c->start);
        guard_head_done(s->guard, c->guard);
        c->req.method = pool_strdup(&c->pool, method);
        c->req.path = pool_strdup(&c->pool, url);
        if (!c->req.method || !c->req.path)
            goto out;
        if (head_refused(c, mc)) {
            guard_body_done(s->guard, c->guard);
            ret = finish(c);
            goto out;
        }
        ret = MHD_YES;
        goto out;
    }
    if (*upload_data_size) {
        if (!c->too_large && buf_append(&c->body, upload_data, *upload_data_size, NULL)) {
            c->too_large = 1;
            buf_release(&c->body);
        }
        *upload_data_size = 0;
        ret = MHD_YES;
        goto out;
    }
    guard_body_done(s->guard, c->guard);
    ret = finish(c);
out:
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *mc, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        guard_request_done(s->guard, guard_conn_of(mc));
    conn_free(*con_cls);
    *con_cls = NULL;
}

/* Connections come and go: the guard keeps their deadlines and counts. The
 * library calls CLOSED before it closes the socket, so the guard never shuts
 * down a descriptor that has been reused. */
static void on_connection(void *cls, struct MHD_Connection *mc, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ad =
            MHD_get_connection_info(mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        *socket_context =
            fd ? guard_open(s->guard, fd->connect_fd, ad ? ad->client_addr : NULL) : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        guard_close(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* Before the library accepts a connection: an address at its limit is
 * refused without costing a connection slot. */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct http_server *s = cls;
    (void)addrlen;
    return guard_admit(s->guard, addr) ? MHD_YES : MHD_NO;
}

/* Leave percent-encoding alone: the router decodes path segments one by one
 * (so "%2F" stays inside its segment) and http_query decodes arguments. */
static size_t no_unescape(void *cls, struct MHD_Connection *mc, char *s)
{
    (void)cls;
    (void)mc;
    return strlen(s);
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct http_server *s = cls;
    char msg[256];
    size_t n;
    time_t now = time(NULL);
    unsigned dropped = 0;
    int show;

    pthread_mutex_lock(&s->log_lock);
    if (now != s->log_second) {
        dropped = s->log_count > LOG_BURST ? s->log_count - LOG_BURST : 0;
        s->log_second = now;
        s->log_count = 0;
    }
    show = ++s->log_count <= LOG_BURST;
    pthread_mutex_unlock(&s->log_lock);
    if (dropped)
        log_warn("http server: %u more messages not shown", dropped);
    if (!show)
        return;
    vsnprintf(msg, sizeof msg, fmt, ap);
    n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_warn("http server: %s", msg);
}

/* Makes room for *cap client sockets under the open-file limit: raises the
 * soft limit as far as the hard one allows, else lowers *cap to fit. */
static void fit_fd_limit(unsigned *cap)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)*cap + FD_RESERVE;

    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return;
    {
        struct rlimit up = {.rlim_cur = want, .rlim_max = rl.rlim_max};
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
            up.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &up) == 0)
            rl.rlim_cur = up.rlim_cur;
    }
    if (rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > 2 * FD_RESERVE ? (unsigned)(rl.rlim_cur - FD_RESERVE) : 16;
        log_warn("http server: the open-file limit (%llu) leaves room for %u connections, not %u: "
                 "raise it (ulimit -n, LimitNOFILE=) or lower --max-connections",
                 (unsigned long long)rl.rlim_cur, fit, *cap);
        *cap = fit;
    }
}

/* Fills in the defaults and checks what cannot work. */
static int config_complete(struct http_server_config *c, struct err *e)
{
    if (!c->max_body)
        c->max_body = 1024 * 1024;
    if (!c->max_connections)
        c->max_connections = 1024;
    if (!c->per_ip_connections)
        c->per_ip_connections = 128;
    if (!c->header_timeout_ms)
        c->header_timeout_ms = 10000;
    if (!c->body_timeout_ms)
        c->body_timeout_ms = 30000;
    if (!c->timeout_s)
        c->timeout_s = 30;
    if (!c->max_header)
        c->max_header = 16 * 1024;
    if (!c->max_url)
        c->max_url = 8 * 1024;
    if (!c->threads)
        c->threads = 2;
    if (!c->worker_apps)
        c->workers = 0;
    if (c->worker_apps && (c->workers < 1 || c->workers > WORKERS_MAX))
        return err_set(e, ERR_INVALID, "1 to %d workers", WORKERS_MAX);
    if (c->threads > 64 || c->max_connections < c->threads)
        return err_set(e, ERR_INVALID,
                       "at most 64 threads, and at least one connection for each (%u threads, "
                       "%u connections)",
                       c->threads, c->max_connections);
    if (c->max_header > 1024 * 1024 || c->max_url > 1024 * 1024)
        return err_set(e, ERR_INVALID, "request heads and targets are limited to 1 MiB at most");
    fit_fd_limit(&c->max_connections);
    if (c->max_connections < c->threads)
        c->threads = c->max_connections;
    return 0;
}

int http_server_start(struct http_server **out, const struct http_server_config *cfg, struct err *e)
{
    int rc = -1;
    struct http_server *s = NULL;
    struct sockaddr_storage ss;
    const char *addr = cfg->listen_addr ? cfg->listen_addr : "127.0.0.1";
    /* epoll: thousands of idle connections cost each polling thread nothing. */
    unsigned flags =
        MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
        (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES ? MHD_USE_EPOLL_INTERNAL_THREAD
                                                                : MHD_USE_AUTO_INTERNAL_THREAD);
    const union MHD_DaemonInfo *di;
    struct guard_config gc = {0};
    size_t memory;
    int locks = 0;

    *out = NULL;
    memset(&ss, 0, sizeof ss);
    if (router_validate(cfg->routes, cfg->nroutes, e))
        goto out;
    if (strchr(addr, ':')) {
        struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(cfg->port);
        if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) {
            err_set(e, ERR_INVALID, "listen address '%.64s' is not an IPv6 address", addr);
            goto out;
        }
        flags |= MHD_USE_IPv6;
    } else {
        struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
        a4->sin_family = AF_INET;
        a4->sin_port = htons(cfg->port);
        if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) {
            err_set(e, ERR_INVALID, "listen address '%.64s' is not an IPv4 address", addr);
            goto out;
        }
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    s->cfg = *cfg;
    s->cfg.listen_addr = NULL; /* not kept: the caller owns the string */
    if (config_complete(&s->cfg, e))
        goto out;
    s->stats = calloc(slot_unmatched(s) + 1, sizeof *s->stats);
    if (!s->stats) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (pthread_mutex_init(&s->gauge_lock, NULL) == 0) {
        locks = 1;
        if (pthread_mutex_init(&s->metrics_lock, NULL) == 0) {
            locks = 2;
            if (pthread_mutex_init(&s->log_lock, NULL) == 0) {
                locks = 3;
                if (pthread_mutex_init(&s->batch_lock, NULL) == 0)
                    locks = 4;
            }
        }
    }
    if (locks != 4) {
        err_set(e, ERR_INTERNAL, "cannot create a mutex");
        goto out;
    }
    gc.max_connections = s->cfg.max_connections;
    gc.per_address = s->cfg.per_ip_connections == HTTP_UNLIMITED ? 0 : s->cfg.per_ip_connections;
    gc.head_ms = s->cfg.header_timeout_ms;
    gc.body_ms = s->cfg.body_timeout_ms;
    if (guard_start(&s->guard, &gc, e))
        goto out;
    {
        struct workers_config wc = {.readers = s->cfg.workers,
                                    .reader_apps = s->cfg.worker_apps,
                                    .writer_app = s->cfg.app,
                                    .group_begin = s->cfg.group_begin,
                                    .group_end = s->cfg.group_end,
                                    .group_max = s->cfg.group_max};
        if (workers_start(&s->workers, &wc, e))
            goto out;
    }
    /* The library's memory per connection holds the head and the reply's
     * headers. 16 KiB more than our limits: a head a little over them gets
     * our JSON 414 or 431; only one far over them meets the library's own
     * plain refusal. (32 KiB by default: the library takes that from malloc;
     * any more and it maps and unmaps memory for every connection, which
     * costs a fresh connection half as much time again.) */
    memory = (s->cfg.max_header > s->cfg.max_url ? s->cfg.max_header : s->cfg.max_url) + 16 * 1024;
    s->daemon = MHD_start_daemon(
        flags, 0, on_accept, s, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)s->cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)s->cfg.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, memory,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)s->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, s, MHD_OPTION_UNESCAPE_CALLBACK, no_unescape, s,
        MHD_OPTION_END);
    if (!s->daemon) {
        err_set(e, ERR_IO, "cannot listen on %.64s port %u (%s)", addr, (unsigned)cfg->port,
                strerror(errno));
        goto out;
    }
    di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di && di->port ? di->port : cfg->port;
    *out = s;
    s = NULL;
    rc = 0;
out:
    if (s) {
        workers_stop(s->workers);
        guard_stop(s->guard);
        if (locks >= 1)
            pthread_mutex_destroy(&s->gauge_lock);
        if (locks >= 2)
            pthread_mutex_destroy(&s->metrics_lock);
        if (locks >= 3)
            pthread_mutex_destroy(&s->log_lock);
        if (locks >= 4)
            pthread_mutex_destroy(&s->batch_lock);
        free(s->stats);
        free(s);
    }
    return rc;
}

unsigned short http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    /* The workers first: they finish what is queued and resume those
     * connections; requests that come in meanwhile are refused at once. */
    workers_stop(s->workers);
    MHD_stop_daemon(s->daemon); /* closes every connection: the guard forgets them all */
    guard_stop(s->guard);
    for (size_t i = 0; i < s->ngauges; i++) {
        free(s->gauges[i].name);
        free(s->gauges[i].help);
    }
    pthread_mutex_destroy(&s->gauge_lock);
    pthread_mutex_destroy(&s->metrics_lock);
    pthread_mutex_destroy(&s->log_lock);
    pthread_mutex_destroy(&s->batch_lock);
    free(s->stats);
    free(s);
}
