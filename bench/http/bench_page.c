/* bench_page — how fast a memo page is served at scale (printed, never asserted).
 *
 * Seeds a real SQLite file with 10,000 memos, 1,000 members and 100,000
 * named co-signatures (through the store, in one transaction: seeding is not
 * what is measured), starts the real server on loopback, logs in, and times
 * GET /memos/:id (the HTML page) and GET /api/v1/memos/:id (its JSON) with
 * keep-alive over libcurl. Baselines measured in the same run: the same pages
 * on a database holding one memo, and GET /healthz (the HTTP floor).
 * Goal on the 2-core machine: a memo page in <= 5 ms of server time; the
 * client round trip printed here is an upper bound of it.
 *
 * Usage: bench_page [dir] (default: a temporary directory under $TMPDIR, removed after).
 */
#include "base/log.h"
#include "base/util.h"
#include "channel/chan.h"
#include "channel/chan_internal.h"
#include "channel/roles.h"
#include "http/app.h"
#include "http/pages.h"
#include "proto/events.h"
#include "store/store.h"
#include "unit/test_tmp.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define N_MEMOS        10000
#define N_MEMBERS      1000
#define SIGS_PER_MEMO  10
#define N_REQUESTS     400
#define POPULAR_LEAVES 50000 /* signature leaves of the popular memo */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_page: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

static size_t sink(char *p, size_t size, size_t n, void *u)
{
    (void)p;
    (void)u;
    return size * n;
}

/* Appends n signature leaves to memo m (public id id), their totals
 * rising by one from the memo's count, through the channel's log as the
 * writer appends them (so the memo's milestones are kept as they would be). */
static void seed_leaves(struct chan *c, const struct st_memo *m, int n)
{
    struct err e;
    json_t *counts = NULL;
    char commitment[65];
    err_init(&e);
    memset(commitment, 'c', 64);
    commitment[64] = '\0';
    if (chan_counts_combined(c, m->id, &counts, &e))
        die("counts", &e);
    for (int i = 0; i < n; i++) {
        json_t *k = json_deep_copy(counts);
        if (!k)
            die("counts", NULL);
        json_object_set_new(k, "total", json_integer(i + 1));
        if (chan_log_append(c, proto_leaf_signature("add", 1, commitment, k), m->public_id,
                            "signature", 1, &e))
            die("signature leaf", &e);
    }
    json_decref(counts);
}

/* Seeds n_memos memos (all circulating, 3 versions each) and their
 * signatures, and `leaves` signature leaves on the memo in the middle;
 * returns that memo's id (owned by p). */
static char *seed(struct chan *c, struct pool *p, int n_memos, int n_members, int sigs, int leaves)
{
    struct store *st = chan_store(c);
    struct err e;
    json_t *out = NULL;
    int64_t org = 0, chan_id, *members = calloc((size_t)n_members, sizeof *members);
    struct st_channel ch;
    char hash[128], *mid = NULL;
    struct chan_member_input in = {
        .username = "reader", .display_name = "Reader", .org = "org", .roles = CHAN_ROLE_MEMBER};
    struct chan_channel_input ci = {.slug = "dissent",
                                    .name = "Dissent",
                                    .preset = "state-dissent",
                                    .ceiling = "SECRET",
                                    .timezone = "UTC"};
    err_init(&e);
    if (!members || chan_org_create(c, NULL, "org", "Org", &out, &e))
        die("org", &e);
    json_decref(out);
    if (chan_member_create(c, p, NULL, &in, &out, &e) ||
        chan_local_set_password(c, p, "reader", "reader-bench-pass", &e) ||
        chan_channel_create(c, p, NULL, &ci, &out, &e))
        die("member/channel", &e);
    json_decref(out);
    if (chan_password_hash("bench-member-pass", hash, &e) || store_begin(st, &e) ||
        store_org_by_slug(st, "org", &org, &e) || store_channel_by_slug(st, p, "dissent", &ch, &e))
        die("seed", &e);
    chan_id = ch.id;
    for (int i = 0; i < n_members; i++) {
        char name[32];
        struct st_member m = {.username = name,
                              .display_name = name,
                              .org_id = org,
                              .roles = CHAN_ROLE_MEMBER,
                              .password_hash = hash};
        snprintf(name, sizeof name, "member%d", i);
        if (store_member_insert(st, &m, 1, &members[i], &e))
            die("member", &e);
    }
    for (int i = 0; i < n_memos; i++) {
        struct st_memo m = {0};
        char id[RANDOM_ID_LEN + 1];
        random_id(id);
        m.public_id = id;
        m.channel_id = chan_id;
        m.state = 1;
        m.created_by = members[i % n_members];
        m.created_at = 1;
        m.latest_version = 3;
        if (store_memo_insert(st, &m, &e) || store_drafter_add(st, m.id, m.created_by, &e))
            die("memo", &e);
        for (int v = 1; v <= 3; v++) {
            struct st_version ver = {.memo_id = m.id,
                                     .number = v,
                                     .hash = id,
                                     .title = "A memo",
                                     .marking = 1,
                                     .author_id = m.created_by,
                                     .created_at = v,
                                     .verify_key = id,
                                     .body = "## Summary\n\nWe disagree with the decision, for "
                                             "three reasons.\n\n## Recommendation\n\nReview "
                                             "it in 90 days.\n"};
            if (store_version_insert(st, &ver, &e))
                die("version", &e);
        }
        for (int s = 0; s < sigs; s++) {
            int64_t who = members[(i * 7 + s * 13) % n_members];
            if (store_signature_put(st, m.id, who, 1 + s % 3, "00", 2, &e) ||
                store_count_adjust(st, m.id, 1 + s % 3, org, 1, 2, &e))
                die("signature", &e);
        }
        if (i == n_memos / 2) {
            mid = pool_strdup(p, id);
            m.public_id = mid;
            seed_leaves(c, &m, leaves);
        }
    }
    if (store_commit(st, &e))
        die("commit", &e);
    free(members);
    return mid;
}

/* Mean round-trip milliseconds of n GETs of url with the cookie. */
static double time_get(CURL *h, const char *url, const char *cookie, int n)
{
    double t0;
    long status = 0;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_COOKIE, cookie);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    if (curl_easy_perform(h) != CURLE_OK) /* warm up */
        die("GET", NULL);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    if (status != 200) {
        fprintf(stderr, "bench_page: %s answered %ld\n", url, status);
        exit(1);
    }
    t0 = now_s();
    for (int i = 0; i < n; i++)
        if (curl_easy_perform(h) != CURLE_OK)
            die("GET", NULL);
    return (now_s() - t0) * 1000.0 / n;
}

struct figures {
    double page, api, health;
};

static struct figures run(const char *dir, const char *label, int n_memos, int n_members, int sigs,
                          int leaves)
{
    char path[512], url[256], cookie[128];
    struct chan *c = NULL;
    struct pool p;
    struct err e;
    struct http_server *srv = NULL;
    struct http_route *routes = NULL;
    size_t nroutes = 0;
    struct app app = {0};
    struct actor a;
    char *token = NULL, *mid;
    struct figures f;
    CURL *h = curl_easy_init();
    double t0;
    struct http_server_config cfg = {0};

    err_init(&e);
    pool_init(&p, 64u << 20);
    snprintf(path, sizeof path, "%s/bench-%s.db", dir, label);
    unlink(path);
    if (chan_open(&c, path, &e))
        die("open", &e);
    t0 = now_s();
    mid = seed(c, &p, n_memos, n_members, sigs, leaves);
    printf("  %-7s seeded %d memos, %d members, %d signatures, %d signature leaves in %.1f s\n",
           label, n_memos, n_members, n_memos * sigs, leaves, now_s() - t0);
    if (chan_login(c, &p, "reader", "reader-bench-pass", "local", &token, &a, &e))
        die("login", &e);
    app.chan = c;
    if (app_routes(&routes, &nroutes, &e))
        die("routes", &e);
    cfg.listen_addr = "127.0.0.1";
    cfg.routes = routes;
    cfg.nroutes = nroutes;
    cfg.app = &app;
    cfg.max_body = APP_MAX_BODY;
    cfg.html_error = pages_html_error;
    if (http_server_start(&srv, &cfg, &e))
        die("server", &e);
    snprintf(cookie, sizeof cookie, "dissent_session=%s", token);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/memos/%s", http_server_port(srv), mid);
    f.page = time_get(h, url, cookie, N_REQUESTS);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/api/v1/memos/%s", http_server_port(srv), mid);
    f.api = time_get(h, url, cookie, N_REQUESTS);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/healthz", http_server_port(srv));
    f.health = time_get(h, url, "", N_REQUESTS);
    http_server_stop(srv);
    free(routes);
    curl_easy_cleanup(h);
    chan_close(c);
    pool_release(&p);
    return f;
}

int main(int argc, char **argv)
{
    char dir[TT_PATH_MAX];
    int own = argc <= 1;
    struct figures small, big, popular;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
        return 1;
    log_set_level(LOG_WARN); /* one log line per request would swamp the figures */
    if (argc > 1)
        snprintf(dir, sizeof dir, "%s", argv[1]);
    else if (!mkdtemp(tt_template(dir, sizeof dir, "dissent-bench")))
        return 1;
    printf("bench_page: memo pages served over loopback HTTP (%d requests each, keep-alive)\n",
           N_REQUESTS);
    small = run(dir, "small", 1, 10, 5, 0);
    big = run(dir, "large", N_MEMOS, N_MEMBERS, SIGS_PER_MEMO, 0);
    popular = run(dir, "popular", 1, 10, 5, POPULAR_LEAVES);
    printf("  %-34s %10s %10s %8s\n", "", "1 memo", "10^4 memos", "ratio");
    printf("  %-34s %8.3f ms %8.3f ms %7.2fx\n", "memo page (HTML), round trip", small.page,
           big.page, big.page / small.page);
    printf("  %-34s %8.3f ms %8.3f ms %7.2fx\n", "memo JSON (API), round trip", small.api, big.api,
           big.api / small.api);
    printf("  %-34s %8.3f ms %8.3f ms\n", "GET /healthz (HTTP floor)", small.health, big.health);
    printf("  a memo with %d signature leaves (its timeline's milestones): page %.3f ms (%.2fx "
           "1 memo), JSON %.3f ms (%.2fx)\n",
           POPULAR_LEAVES, popular.page, popular.page / small.page, popular.api,
           popular.api / small.api);
    printf("  memo page server time at 10^4 memos / 10^5 signatures: <= %.3f ms (goal 5 ms)\n",
           big.page - big.health > 0 ? big.page - big.health : big.page);
    curl_global_cleanup();
    if (own && tt_rm_tree(dir) != 0)
        fprintf(stderr, "bench_page: could not remove %s\n", dir);
    return 0;
}
