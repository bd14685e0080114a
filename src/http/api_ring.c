/* api_ring.c — rosters of ring keys, the public facts of a memo, and the
 * anonymous co-signature endpoint (ROUTE_ANON: no login, no cookie read, no
 * address or precise time logged). docs/api.md, docs/protocol-ring.md. */
#include "http/api.h"
#include "http/cache.h"
#include "http/work_budget.h"

#include "base/util.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void h_rosters(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = chan_roster_list(c.app->chan, &c.out, &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_SHORT);
}

static void h_roster(struct http_request *req, struct http_response *res, void *app_)
{
    const char *q = http_query(req, "size");
    int64_t size = 0;
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0 && q && parse_i64(q, 1, INT64_MAX, &size))
        rc = err_set(&c.e, ERR_INVALID, "query parameter 'size' must be a positive whole number");
    if (rc == 0)
        rc = chan_roster_get(c.app->chan, req->pool, req->params[0], size, &c.out, &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_SHORT);
}

static void h_enroll(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "public_key",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .min_len = 64,
         .max_len = 64},
        {.name = "proof", .type = JSON_FIELD_STRING, .required = 1, .min_len = 128, .max_len = 128},
        {.name = "challenge",
         .type = JSON_FIELD_STRING,
         .required = 1,
         .min_len = 64,
         .max_len = 64},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_roster_enroll(c.app->chan, req->pool, &c.actor, v[0].s, v[1].s, v[2].s, &c.out,
                                &c.e);
    api_end(&c, res, rc, 201);
}

static void h_enroll_challenge(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc = chan_roster_challenge(c.app->chan, &c.actor, &c.out, &c.e);
    api_end(&c, res, rc, 201);
}

static void h_refresh(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_MEMBER);
    if (rc == 0)
        rc =
            chan_memo_refresh_rings(c.app->chan, req->pool, &c.actor, req->params[0], &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* GET /api/v1/public/memos/:id[?keys=omit]: with keys=omit the rings carry
 * their digests and counts but not their keys, which the browser fetches
 * once by digest (h_public_ring) and keeps. */
static void h_public_memo(struct http_request *req, struct http_response *res, void *app_)
{
    const char *keys = http_query(req, "keys");
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0 && keys && strcmp(keys, "omit") != 0)
        rc = err_set(&c.e, ERR_INVALID, "query parameter 'keys' can only be 'omit'");
    if (rc == 0)
        rc = chan_public_memo_keys(c.app->chan, req->pool, req->params[0], keys == NULL, &c.out,
                                   &c.e);
    api_end(&c, res, rc, 200);
    http_cache_reply(req, res, HTTP_CACHE_SHORT);
}

/* GET /api/v1/public/rings/:digest: a memo ring's keys in binary, 32 bytes
 * each in ring order (a ring of 2^16 members is 2 MiB, against 4.4 MB as hex
 * in JSON). Named by its digest, it never changes: immutable, so a browser
 * keeps it between signatures and across memos with the same ring. Whoever
 * uses it checks it against the log (the digest and count of its ring leaf,
 * the roster the leaves rebuild); the server's word is not trusted. Nothing
 * about the caller is read: a public read like the memo's facts. */
static void h_public_ring(struct http_request *req, struct http_response *res, void *app_)
{
    struct app *app = app_;
    struct buf keys;
    struct err e;
    err_init(&e);
    buf_init(&keys, HTTP_RESPONSE_MAX);
    if (chan_public_ring(app->chan, req->params[0], &keys, &e) == 0)
        http_reply_bytes(res, 200, "application/octet-stream", keys.data, keys.len);
    else
        http_reply_error(res, &e);
    http_cache_reply(req, res, HTTP_CACHE_IMMUTABLE);
    buf_release(&keys);
}

/* POST /api/v1/public/find {"query"}: a memo's public facts by its id or a
 * copy's verification line. A POST, so the line's key stays out of URLs
 * (proxies' logs): with it, one could test guesses of the memo's text. */
static void h_public_find(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "query", .type = JSON_FIELD_STRING, .required = 1, .max_len = 2 * CHAN_BODY_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc = chan_public_find(c.app->chan, req->pool, v[0].s, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

/* The anonymous endpoint's budget of verification work (work_budget.h):
 * per client, known by a keyed hash of its address held in memory only, and
 * global. DISSENT_ANON_BUDGET="PER_CLIENT,GLOBAL,WINDOW_S[,REQUESTS]"
 * changes the defaults (tests use small ones). Handlers run on several
 * workers at once, so every use of it holds anon_budget_lock. */
static struct work_budget anon_budget;
static int anon_budget_ready;
static pthread_mutex_t anon_budget_lock = PTHREAD_MUTEX_INITIALIZER;

/* Call with anon_budget_lock held. */
static int anon_budget_get(struct work_budget **out, struct err *e)
{
    if (!anon_budget_ready) {
        struct work_budget_config cfg;
        const char *env = getenv("DISSENT_ANON_BUDGET");
        if (env && env[0]) {
            if (work_budget_parse(env, &cfg, e))
                return -1;
        } else {
            work_budget_defaults(&cfg);
        }
        work_budget_init(&anon_budget, &cfg);
        anon_budget_ready = 1;
    }
    *out = &anon_budget;
    return 0;
}

struct anon_spender {
    struct work_budget *b;
    unsigned char id[WORK_BUDGET_ID];
};

static int anon_spend(void *ctx, uint64_t cost, struct err *e)
{
    struct anon_spender *s = ctx;
    int rc;
    pthread_mutex_lock(&anon_budget_lock);
    rc = work_budget_spend(s->b, s->id, cost, (int64_t)time(NULL), e);
    pthread_mutex_unlock(&anon_budget_lock);
    return rc;
}

/* Anonymous: reads nothing that identifies the sender (no cookie, no header
 * other than Content-Type: API_PUBLIC); the route flag keeps it out of the
 * logs. Two steps: every check and the batch verification on a reader,
 * outside every write lock (h_anon_verify); counting and logging on the
 * writer (h_anon_sign). */
static void h_anon_verify(struct http_request *req, struct http_response *res, void *app_)
{
    static const struct json_field f[] = {
        {.name = "signatures",
         .type = JSON_FIELD_ARRAY,
         .required = 1,
         .min_len = 1,
         .max_len = CHAN_ANON_BATCH_MAX},
    };
    struct json_value v[ARRAY_LEN(f)] = {0};
    struct api_call c;
    struct anon_spender sp = {0};
    struct chan_work work = {.spend = anon_spend, .ctx = &sp};
    struct chan_anon_verified *verified = NULL;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    /* Only a request count before parsing; the work budget is spent by
     * chan_anon_submit once the request passed every cheap check. */
    if (rc == 0) {
        pthread_mutex_lock(&anon_budget_lock);
        rc = anon_budget_get(&sp.b, &c.e);
        if (rc == 0) {
            http_client_addr_id(req, sp.b->key, sp.id, sizeof sp.id);
            rc = work_budget_request(sp.b, sp.id, (int64_t)time(NULL), &c.e);
        }
        pthread_mutex_unlock(&anon_budget_lock);
    }
    if (rc == 0)
        rc = api_body(&c, req, f, ARRAY_LEN(f), v);
    if (rc == 0)
        rc =
            chan_anon_check(c.app->chan, req->pool, req->params[0], v[0].j, &work, &verified, &c.e);
    sodium_memzero(sp.id, sizeof sp.id);
    /* The arithmetic in a batch with the proofs of other requests on the
     * same ring (h_anon_verify_batch), then the handler on the writer. */
    if (rc == 0) {
        rc = http_batch_join(req, chan_anon_batch_key(verified), chan_anon_proofs(verified), &c.e);
        if (rc)
            chan_anon_checked_release(verified);
    }
    if (rc == 0) {
        req->prepared = verified;
        api_release(&c);
    } else {
        api_end(&c, res, rc, 200);
    }
}

/* The proofs of every request in the batch (one ring, one scope) in one
 * batch verification, on a reader; a request whose proofs fail is refused
 * alone (chan_anon_verify_checked splits a failed batch). */
static size_t h_anon_verify_batch(struct http_request *const *reqs,
                                  struct http_response *const *res, size_t n, void *app_)
{
    struct chan_anon_verified **v = calloc(n, sizeof *v);
    int *rcs = calloc(n, sizeof *rcs);
    struct err *errs = calloc(n, sizeof *errs);
    size_t runs = 0;
    (void)app_;

    if (!v || !rcs || !errs) {
        for (size_t i = 0; i < n; i++) {
            chan_anon_checked_release(reqs[i]->prepared);
            reqs[i]->prepared = NULL;
            http_reply_errorf(res[i], ERR_NOMEM, "out of memory");
        }
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        v[i] = reqs[i]->prepared;
    runs = chan_anon_verify_checked(v, n, rcs, errs);
    for (size_t i = 0; i < n; i++)
        if (rcs[i]) {
            reqs[i]->prepared = NULL;
            http_reply_error(res[i], &errs[i]);
        }
out:
    free(v);
    free(rcs);
    free(errs);
    return runs;
}

static void h_anon_sign(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    if (rc == 0 && !req->prepared)
        rc = err_set(&c.e, ERR_INTERNAL, "the proofs were not verified");
    if (rc == 0)
        rc = chan_anon_commit(c.app->chan, req->pool, req->prepared, &c.out, &c.e);
    api_end(&c, res, rc, 200);
}

const struct http_route api_ring_routes[] = {
    {.method = "GET", .pattern = "/api/v1/rosters", .handler = h_rosters, .flags = ROUTE_CORS},
    {.method = "GET", .pattern = "/api/v1/rosters/:org", .handler = h_roster, .flags = ROUTE_CORS},
    {.method = "POST", .pattern = "/api/v1/rosters/keys", .handler = h_enroll},
    {.method = "POST", .pattern = "/api/v1/rosters/challenge", .handler = h_enroll_challenge},
    {.method = "POST", .pattern = "/api/v1/memos/:id/rings/refresh", .handler = h_refresh},
    {.method = "GET",
     .pattern = "/api/v1/public/memos/:id",
     .handler = h_public_memo,
     .flags = ROUTE_CORS},
    {.method = "GET",
     .pattern = "/api/v1/public/rings/:digest",
     .handler = h_public_ring,
     .flags = ROUTE_CORS},
    {.method = "POST", .pattern = "/api/v1/public/find", .handler = h_public_find},
    {.method = "POST",
     .pattern = "/api/v1/anonymous/memos/:id/signatures",
     .handler = h_anon_sign,
     .prepare = h_anon_verify,
     .batch = h_anon_verify_batch,
     .flags = ROUTE_ANON | ROUTE_CORS},
};
const size_t api_ring_routes_count = ARRAY_LEN(api_ring_routes);
