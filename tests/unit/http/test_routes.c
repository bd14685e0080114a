/* Tests for src/http/routes.c and the route tables it joins (api_*.c and
 * pages.c): every entry is well-formed, no route is listed twice (even under
 * other capture names), tables never claim the same path, API routes live
 * under /api/v1/, only the anonymous endpoint is anonymous, and the joined
 * table still answers as the single table did. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "http/api.h"
#include "http/release.h"
#include "http/router.h"

struct table {
    const char *name;
    const struct http_route *routes;
    const size_t *count;
};

static const struct table tables[] = {
    {.name = "api_session_routes",
     .routes = api_session_routes,
     .count = &api_session_routes_count},
    {.name = "api_account_routes",
     .routes = api_account_routes,
     .count = &api_account_routes_count},
    {.name = "api_totp_routes", .routes = api_totp_routes, .count = &api_totp_routes_count},
    {.name = "api_admin_routes", .routes = api_admin_routes, .count = &api_admin_routes_count},
    {.name = "api_notify_routes", .routes = api_notify_routes, .count = &api_notify_routes_count},
    {.name = "api_memo_routes", .routes = api_memo_routes, .count = &api_memo_routes_count},
    {.name = "api_review_routes", .routes = api_review_routes, .count = &api_review_routes_count},
    {.name = "api_sign_routes", .routes = api_sign_routes, .count = &api_sign_routes_count},
    {.name = "api_log_routes", .routes = api_log_routes, .count = &api_log_routes_count},
    {.name = "api_ring_routes", .routes = api_ring_routes, .count = &api_ring_routes_count},
    {.name = "api_release_routes",
     .routes = api_release_routes,
     .count = &api_release_routes_count},
    {.name = "log_tile_routes", .routes = log_tile_routes, .count = &log_tile_routes_count},
    {.name = "page_routes", .routes = page_routes, .count = &page_routes_count},
};
#define PAGE_TABLE (ARRAY_LEN(tables) - 1)
#define TILE_TABLE (ARRAY_LEN(tables) - 2)

/* Splits pattern into segments (pointers into it, with lengths); returns how many. */
static size_t segments(const char *pattern, const char **seg, size_t *len, size_t max)
{
    size_t n = 0;
    const char *p = pattern;
    while (*p == '/' && n < max) {
        p++;
        seg[n] = p;
        len[n] = strcspn(p, "/");
        p += len[n];
        n++;
    }
    return n;
}

static int is_capture(const char *seg, size_t len)
{
    return len > 0 && seg[0] == ':';
}

/* Do a and b have the same shape (the same literals, captures in the same
 * places, whatever the captures are called)? Then they are one route. */
static int same_shape(const char *a, const char *b)
{
    const char *sa[32], *sb[32];
    size_t la[32], lb[32];
    size_t na = segments(a, sa, la, 32), nb = segments(b, sb, lb, 32);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        int ca = is_capture(sa[i], la[i]), cb = is_capture(sb[i], lb[i]);
        if (ca != cb || (!ca && (la[i] != lb[i] || memcmp(sa[i], sb[i], la[i]) != 0)))
            return 0;
    }
    return 1;
}

/* Could one concrete path match both a and b? (Each segment pair is equal,
 * or one of the two is a capture.) */
static int may_overlap(const char *a, const char *b)
{
    const char *sa[32], *sb[32];
    size_t la[32], lb[32];
    size_t na = segments(a, sa, la, 32), nb = segments(b, sb, lb, 32);
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++) {
        if (is_capture(sa[i], la[i]) || is_capture(sb[i], lb[i]))
            continue;
        if (la[i] != lb[i] || memcmp(sa[i], sb[i], la[i]) != 0)
            return 0;
    }
    return 1;
}

/* The number of same-method routes in routes that are one route twice;
 * names them when say is set. */
static size_t duplicates(const struct http_route *routes, size_t n, int say)
{
    size_t dup = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(routes[i].method, routes[j].method) == 0 &&
                same_shape(routes[i].pattern, routes[j].pattern)) {
                if (say)
                    print_message("route listed twice: %s %s and %s\n", routes[i].method,
                                  routes[i].pattern, routes[j].pattern);
                dup++;
            }
    return dup;
}

static int known_method(const char *m)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    for (size_t i = 0; i < ARRAY_LEN(methods); i++)
        if (strcmp(m, methods[i]) == 0)
            return 1;
    return 0;
}

static void test_every_entry_well_formed(void **state)
{
    struct http_route *all = NULL;
    size_t nall = 0, total = 0;
    struct err e;
    (void)state;
    err_init(&e);
    for (size_t t = 0; t < ARRAY_LEN(tables); t++) {
        assert_true(*tables[t].count > 0);
        for (size_t i = 0; i < *tables[t].count; i++) {
            const struct http_route *r = &tables[t].routes[i];
            if (!r->method || !known_method(r->method) || !r->pattern || r->pattern[0] != '/' ||
                !r->handler || (r->flags & ~(unsigned)(ROUTE_ANON | ROUTE_CORS | ROUTE_WASM)) != 0)
                fail_msg("%s[%zu] (%s) is malformed", tables[t].name, i,
                         r->pattern ? r->pattern : "no pattern");
        }
        assert_int_equal(router_validate(tables[t].routes, *tables[t].count, &e), 0);
        total += *tables[t].count;
    }
    /* the joined table is exactly these tables, nothing dropped or added */
    assert_int_equal(app_routes(&all, &nall, &e), 0);
    assert_int_equal(nall, total);
    for (size_t t = 0, at = 0; t < ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < *tables[t].count; i++, at++)
            assert_memory_equal(&all[at], &tables[t].routes[i], sizeof all[at]);
    assert_int_equal(router_validate(all, nall, &e), 0);
    free(all);
}

static void test_no_route_twice(void **state)
{
    static const struct http_route bad[] = {
        {.method = "GET", .pattern = "/a/:id/b", .handler = NULL},
        {.method = "POST", .pattern = "/a/:id/b", .handler = NULL},
        {.method = "GET", .pattern = "/a/:other/b", .handler = NULL},
    };
    struct http_route *all = NULL;
    size_t nall = 0;
    struct err e;
    (void)state;
    err_init(&e);
    /* the check itself finds a route listed twice under other capture names */
    assert_int_equal(duplicates(bad, ARRAY_LEN(bad), 0), 1);
    assert_int_equal(app_routes(&all, &nall, &e), 0);
    assert_int_equal(duplicates(all, nall, 1), 0);
    free(all);
}

/* Tables never claim the same path: then the order in which app_routes
 * joins them cannot change which route answers, or the Allow header. */
static void test_tables_disjoint(void **state)
{
    (void)state;
    assert_true(may_overlap("/rosters/:org", "/rosters/keys"));
    assert_false(may_overlap("/memos/:id/versions/:n", "/memos/:id/rings/refresh"));
    for (size_t t = 0; t < ARRAY_LEN(tables); t++)
        for (size_t u = t + 1; u < ARRAY_LEN(tables); u++)
            for (size_t i = 0; i < *tables[t].count; i++)
                for (size_t j = 0; j < *tables[u].count; j++) {
                    const char *a = tables[t].routes[i].pattern;
                    const char *b = tables[u].routes[j].pattern;
                    if (may_overlap(a, b))
                        fail_msg("%s has %s and %s has %s: one path may match both", tables[t].name,
                                 a, tables[u].name, b);
                }
}

static void test_api_prefix_and_anonymity(void **state)
{
    static const char anon[] = "/api/v1/anonymous/";
    size_t nanon = 0;
    (void)state;
    for (size_t t = 0; t < ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < *tables[t].count; i++) {
            const struct http_route *r = &tables[t].routes[i];
            int is_anon = strncmp(r->pattern, anon, sizeof anon - 1) == 0;
            if (t == PAGE_TABLE || t == TILE_TABLE)
                assert_true(strncmp(r->pattern, "/api/", 5) != 0);
            else
                assert_true(strncmp(r->pattern, "/api/v1/", 8) == 0);
            /* anonymous endpoints, and only they, keep out of the logs */
            if (is_anon != ((r->flags & ROUTE_ANON) != 0))
                fail_msg("%s %s: ROUTE_ANON must be set exactly under %s", r->method, r->pattern,
                         anon);
            nanon += is_anon;
        }
    assert_int_equal(nanon, 1);
}

/* CORS (any origin, no credentials) exactly on the public reads and the
 * anonymous endpoint, which read no cookie; never on a page or a route a
 * session authenticates. 'wasm-unsafe-eval' only on the pages of the
 * anonymous flow. */
static void test_cors_and_wasm(void **state)
{
    static const char *const public_reads[] = {"/api/v1/log/", "/api/v1/public/", "/api/v1/client/",
                                               "/api/v1/rosters"};
    static const char *const wasm_pages[] = {"/memos/:id/sign-anonymously", "/account/ring-key"};
    size_t ncors = 0;
    (void)state;
    for (size_t t = 0; t < ARRAY_LEN(tables); t++)
        for (size_t i = 0; i < *tables[t].count; i++) {
            const struct http_route *r = &tables[t].routes[i];
            int want = (r->flags & ROUTE_ANON) != 0, wasm_ok = 0;
            for (size_t k = 0; k < ARRAY_LEN(public_reads); k++)
                want = want || (strcmp(r->method, "GET") == 0 &&
                                strncmp(r->pattern, public_reads[k], strlen(public_reads[k])) == 0);
            if (want != ((r->flags & ROUTE_CORS) != 0))
                fail_msg("%s %s: ROUTE_CORS must be set exactly on public reads and the "
                         "anonymous endpoint",
                         r->method, r->pattern);
            for (size_t k = 0; k < ARRAY_LEN(wasm_pages); k++)
                wasm_ok = wasm_ok || (t == PAGE_TABLE && strcmp(r->method, "GET") == 0 &&
                                      strcmp(r->pattern, wasm_pages[k]) == 0);
            if ((r->flags & ROUTE_WASM) && !wasm_ok)
                fail_msg("%s %s: only the anonymous signing pages may run WebAssembly", r->method,
                         r->pattern);
            ncors += want;
        }
    /* log: key, checkpoint, leaves, memo, 2 proofs; rosters 2; public memo;
     * a ring by digest; client release; the anonymous endpoint; public
     * channels and their stats */
    assert_int_equal(ncors, 14);
}

static void test_joined_table_matches(void **state)
{
    struct http_route *all = NULL;
    size_t nall = 0, index = 0, nparams = 0;
    const char *params[HTTP_MAX_PARAMS];
    char allow[128];
    struct pool p;
    struct err e;
    (void)state;
    err_init(&e);
    pool_init(&p, 1 << 16);
    assert_int_equal(app_routes(&all, &nall, &e), 0);

    assert_int_equal(router_match(all, nall, "DELETE", "/api/v1/memos/m%201/signatures", &p, &index,
                                  params, &nparams, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_string_equal(all[index].method, "DELETE");
    assert_string_equal(all[index].pattern, "/api/v1/memos/:id/signatures");
    assert_int_equal(nparams, 1);
    assert_string_equal(params[0], "m 1");

    assert_int_equal(router_match(all, nall, "PUT", "/api/v1/memos/x/signatures", &p, &index,
                                  params, &nparams, allow, sizeof allow),
                     ROUTER_NO_METHOD);
    assert_string_equal(allow, "GET, HEAD, POST, DELETE");

    /* the first route listed whose path and method match answers */
    assert_int_equal(router_match(all, nall, "POST", "/api/v1/rosters/keys", &p, &index, params,
                                  &nparams, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_string_equal(all[index].pattern, "/api/v1/rosters/keys");
    assert_int_equal(router_match(all, nall, "GET", "/api/v1/rosters/keys", &p, &index, params,
                                  &nparams, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_string_equal(all[index].pattern, "/api/v1/rosters/:org");

    assert_int_equal(router_match(all, nall, "HEAD", "/api/v1/memos/x/versions/2/rendering", &p,
                                  &index, params, &nparams, allow, sizeof allow),
                     ROUTER_FOUND);
    assert_string_equal(all[index].pattern, "/api/v1/memos/:id/versions/:n/rendering");
    assert_int_equal(nparams, 2);

    assert_int_equal(router_match(all, nall, "GET", "/api/v1/nothing", &p, &index, params, &nparams,
                                  allow, sizeof allow),
                     ROUTER_NO_PATH);
    pool_release(&p);
    free(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_well_formed),
        cmocka_unit_test(test_no_route_twice),
        cmocka_unit_test(test_tables_disjoint),
        cmocka_unit_test(test_api_prefix_and_anonymity),
        cmocka_unit_test(test_cors_and_wasm),
        cmocka_unit_test(test_joined_table_matches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
