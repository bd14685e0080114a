/* Tests for requests batched across (http_batch_join, a route's batch
 * function; src/http/server.c) and the workers' delayed and held jobs
 * (src/http/workers.c), on the real server on 127.0.0.1 with reader
 * threads, driven by libcurl: requests of one route and key that arrive
 * together are run in one call of the batch function, requests of another
 * key never with them, each request gets its own answer (a refusal from
 * the batch, or its handler's reply from the writer), /metrics counts the
 * batches, and a batch that reaches batch_max runs at once. No timing is
 * asserted: windows are long enough that concurrent requests meet. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http/server.h"
#include "http/workers.h"

#define NREQ 24

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static size_t calls, max_n, total_n;
static int mixed_keys;

/* prepare, on a reader: joins the batch of its key, one item each */
static void p_item(struct http_request *req, struct http_response *res, void *app)
{
    struct err e;
    (void)app;
    err_init(&e);
    if (http_batch_join(req, req->params[0], 1, &e))
        http_reply_error(res, &e);
}

/* the batch: refuses bodies that say "bad", leaves the rest to the writer */
static size_t b_items(struct http_request *const *reqs, struct http_response *const *res, size_t n,
                      void *app)
{
    (void)app;
    pthread_mutex_lock(&mu);
    calls++;
    total_n += n;
    if (n > max_n)
        max_n = n;
    for (size_t i = 0; i < n; i++)
        if (strcmp(reqs[i]->params[0], reqs[0]->params[0]) != 0)
            mixed_keys = 1;
    pthread_mutex_unlock(&mu);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(reqs[i]->body, "bad", 3) == 0)
            http_reply_errorf(res[i], ERR_CRYPTO, "refused: %s", reqs[i]->body);
        else
            reqs[i]->prepared = (void *)reqs[i]->body;
    }
    return 1;
}

/* on the writer, with what the batch left */
static void h_item(struct http_request *req, struct http_response *res, void *app)
{
    (void)app;
    http_reply_json(res, 200, json_pack("{s:s}", "ok", (const char *)req->prepared));
}

static const struct http_route routes[] = {
    {.method = "POST",
     .pattern = "/v/:key",
     .handler = h_item,
     .prepare = p_item,
     .batch = b_items},
};

static int apps[3];
static void *const reader_apps[2] = {&apps[1], &apps[2]};

static struct http_server *start(unsigned window_ms, unsigned batch_max)
{
    struct http_server *s = NULL;
    struct err e;
    struct http_server_config cfg = {.routes = routes,
                                     .nroutes = 1,
                                     .app = &apps[0],
                                     .workers = 2,
                                     .worker_apps = reader_apps,
                                     .batch_window_ms = window_ms,
                                     .batch_max = batch_max};
    err_init(&e);
    assert_int_equal(http_server_start(&s, &cfg, &e), 0);
    pthread_mutex_lock(&mu);
    calls = max_n = total_n = 0;
    mixed_keys = 0;
    pthread_mutex_unlock(&mu);
    return s;
}

struct reply {
    char body[512];
    size_t len;
    long status;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct reply *r = arg;
    size_t k = size * n;
    if (k > sizeof r->body - 1 - r->len)
        k = sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, p, k);
    r->len += k;
    r->body[r->len] = 0;
    return size * n;
}

/* POSTs bodies[i] to /v/keys[i], all at once; fills replies. */
static void post_all(struct http_server *s, const char *const *keys, char (*bodies)[32], size_t n,
                     struct reply *replies)
{
    CURLM *m = curl_multi_init();
    CURL *easy[NREQ];
    char url[128];
    int running = 0;
    assert_true(n <= NREQ);
    for (size_t i = 0; i < n; i++) {
        easy[i] = curl_easy_init();
        snprintf(url, sizeof url, "http://127.0.0.1:%u/v/%s", http_server_port(s), keys[i]);
        curl_easy_setopt(easy[i], CURLOPT_URL, url);
        curl_easy_setopt(easy[i], CURLOPT_POSTFIELDS, bodies[i]);
        curl_easy_setopt(easy[i], CURLOPT_WRITEFUNCTION, on_body);
        memset(&replies[i], 0, sizeof replies[i]);
        curl_easy_setopt(easy[i], CURLOPT_WRITEDATA, &replies[i]);
        curl_multi_add_handle(m, easy[i]);
    }
    do {
        curl_multi_perform(m, &running);
        curl_multi_poll(m, NULL, 0, 100, NULL);
    } while (running);
    for (size_t i = 0; i < n; i++) {
        curl_easy_getinfo(easy[i], CURLINFO_RESPONSE_CODE, &replies[i].status);
        curl_multi_remove_handle(m, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(m);
}

static char metrics_buf[65536];
static size_t metrics_len;

static size_t on_metrics(char *p, size_t size, size_t n, void *arg)
{
    size_t k = size * n;
    (void)arg;
    if (k > sizeof metrics_buf - 1 - metrics_len)
        k = sizeof metrics_buf - 1 - metrics_len;
    memcpy(metrics_buf + metrics_len, p, k);
    metrics_len += k;
    metrics_buf[metrics_len] = 0;
    return size * n;
}

static char *get_metrics(struct http_server *s)
{
    char url[128];
    CURL *c = curl_easy_init();
    snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", http_server_port(s));
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_metrics);
    metrics_len = 0;
    metrics_buf[0] = 0;
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    return metrics_buf;
}

/* Mixed keys, good and bad items: batched, never across keys, each
 * answered with its own result. */
static void test_batched_mixed(void **state)
{
    /* a long window: on a busy machine the requests still meet */
    struct http_server *s = start(1000, 0);
    const char *keys[NREQ];
    char bodies[NREQ][32];
    struct reply replies[NREQ];
    (void)state;
    for (size_t i = 0; i < NREQ; i++) {
        keys[i] = i % 3 == 2 ? "b" : "a";
        snprintf(bodies[i], sizeof bodies[i], "%s-%zu", i % 5 == 1 ? "bad" : "good", i);
    }
    post_all(s, keys, bodies, NREQ, replies);
    for (size_t i = 0; i < NREQ; i++) {
        char want[1024];
        if (i % 5 == 1) {
            assert_int_equal(replies[i].status, 400);
            snprintf(want, sizeof want, "refused: %s", bodies[i]);
        } else {
            assert_int_equal(replies[i].status, 200);
            snprintf(want, sizeof want, "{\"ok\":\"%s\"}", bodies[i]);
        }
        assert_non_null(strstr(replies[i].body, want));
    }
    pthread_mutex_lock(&mu);
    assert_int_equal(total_n, NREQ);
    assert_true(calls < NREQ); /* batched */
    assert_true(max_n > 1);
    assert_false(mixed_keys);
    pthread_mutex_unlock(&mu);
    {
        char *m = get_metrics(s);
        char want[128];
        assert_non_null(strstr(m, "dissent_http_batched_requests_total{route=\"/v/:key\"} 24\n"));
        assert_non_null(strstr(m, "dissent_http_batched_items_total{route=\"/v/:key\"} 24\n"));
        snprintf(want, sizeof want, "dissent_http_batches_total{route=\"/v/:key\"} %zu\n", calls);
        assert_non_null(strstr(m, want));
    }
    http_server_stop(s);
}

/* A batch that reaches batch_max runs at once, not after its window
 * (10 s here: the test would only be slow, but the count says it). */
static void test_batch_max(void **state)
{
    struct http_server *s = start(10000, 4);
    const char *keys[8];
    char bodies[8][32];
    struct reply replies[8];
    (void)state;
    for (size_t i = 0; i < 8; i++) {
        keys[i] = "k";
        snprintf(bodies[i], sizeof bodies[i], "good-%zu", i);
    }
    post_all(s, keys, bodies, 8, replies);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(replies[i].status, 200);
    pthread_mutex_lock(&mu);
    assert_int_equal(calls, 2);
    assert_int_equal(max_n, 4);
    pthread_mutex_unlock(&mu);
    http_server_stop(s);
}

/* Batching off: each request alone, answered the same way. */
static void test_batch_off(void **state)
{
    struct http_server *s = start(HTTP_BATCH_OFF, 0);
    const char *keys[6];
    char bodies[6][32];
    struct reply replies[6];
    (void)state;
    for (size_t i = 0; i < 6; i++) {
        keys[i] = "k";
        snprintf(bodies[i], sizeof bodies[i], "%s-%zu", i == 3 ? "bad" : "good", i);
    }
    post_all(s, keys, bodies, 6, replies);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(replies[i].status, i == 3 ? 400 : 200);
    pthread_mutex_lock(&mu);
    assert_int_equal(calls, 6);
    assert_int_equal(max_n, 1);
    pthread_mutex_unlock(&mu);
    http_server_stop(s);
}

/* ---- the workers' delayed and held jobs ---- */

struct wjob {
    struct workers_job base;
    int held;  /* run hands it to another thread, which continues it */
    int write; /* continued to the writer */
    int runs;  /* times run */
    void *last_app;
    int done;
};

static struct workers *held_w;
static pthread_mutex_t wmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wcv = PTHREAD_COND_INITIALIZER;

static void *continue_later(void *arg)
{
    struct wjob *j = arg;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    workers_continue(held_w, &j->base, j->write);
    return NULL;
}

static int wrun(struct workers_job *j_, void *app)
{
    struct wjob *j = (struct wjob *)j_;
    pthread_t t;
    j->runs++;
    j->last_app = app;
    if (j->held && j->runs == 1) {
        workers_hold(held_w);
        assert_int_equal(pthread_create(&t, NULL, continue_later, j), 0);
        pthread_detach(t);
        return WORKERS_HELD;
    }
    return WORKERS_DONE;
}

static void wdone(struct workers_job *j_)
{
    struct wjob *j = (struct wjob *)j_;
    pthread_mutex_lock(&wmu);
    j->done = 1;
    pthread_cond_broadcast(&wcv);
    pthread_mutex_unlock(&wmu);
}

static void wfail(struct workers_job *j, const struct err *e)
{
    (void)j;
    (void)e;
}

static void wjob_init(struct wjob *j)
{
    memset(j, 0, sizeof *j);
    j->base.run = wrun;
    j->base.done = wdone;
    j->base.fail = wfail;
}

/* A delayed job made due at once runs; one still waiting runs when the
 * workers stop; a held job keeps workers_stop waiting until it is
 * continued, to the writer or handed back. */
static void test_workers_delayed_and_held(void **state)
{
    struct workers *w = NULL;
    struct err e;
    struct wjob soon, waiting, held_write, held_done;
    struct workers_config cfg = {.readers = 2, .reader_apps = reader_apps, .writer_app = &apps[0]};
    (void)state;
    err_init(&e);
    assert_int_equal(workers_start(&w, &cfg, &e), 0);
    held_w = w;
    wjob_init(&soon);
    wjob_init(&waiting);
    wjob_init(&held_write);
    wjob_init(&held_done);
    held_write.held = held_write.write = 1;
    held_done.held = 1;
    /* an hour away, then expedited: runs now */
    assert_int_equal(workers_submit_at(w, &soon.base, workers_now_ns() + 3600ull * 1000000000ull),
                     0);
    assert_int_equal(workers_expedite(w, &soon.base), 0);
    pthread_mutex_lock(&wmu);
    while (!soon.done)
        pthread_cond_wait(&wcv, &wmu);
    pthread_mutex_unlock(&wmu);
    assert_int_equal(workers_expedite(w, &soon.base), -1); /* not waiting any more */
    assert_true(soon.last_app == &apps[1] || soon.last_app == &apps[2]);
    /* an hour away: stopping runs it */
    assert_int_equal(
        workers_submit_at(w, &waiting.base, workers_now_ns() + 3600ull * 1000000000ull), 0);
    assert_int_equal(workers_submit(w, &held_write.base, 0), 0);
    assert_int_equal(workers_submit(w, &held_done.base, 0), 0);
    workers_stop(w);
    assert_true(waiting.done);
    assert_int_equal(waiting.runs, 1);
    assert_true(held_write.done);
    assert_int_equal(held_write.runs, 2); /* on a reader, then on the writer */
    assert_ptr_equal(held_write.last_app, &apps[0]);
    assert_true(held_done.done);
    assert_int_equal(held_done.runs, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_batched_mixed),
        cmocka_unit_test(test_batch_max),
        cmocka_unit_test(test_batch_off),
        cmocka_unit_test(test_workers_delayed_and_held),
    };
    int rc;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
