/* test_cache.c — ETag, Cache-Control and 304 for public reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/cache.h"
#include "http/request.h"

static const char *header_of(const struct http_response *res, const char *name)
{
    const char *v = NULL;
    for (const struct http_header_field *h = res->headers; h; h = h->next)
        if (strcasecmp(h->name, name) == 0)
            v = h->value;
    return v;
}

static int count_of(const struct http_response *res, const char *name)
{
    int n = 0;
    for (const struct http_header_field *h = res->headers; h; h = h->next)
        n += strcasecmp(h->name, name) == 0;
    return n;
}

/* res is a 304 under tag: no body, no Content-Type, one ETag, short-lived. */
static void assert_not_modified(const struct http_response *res, const char *tag)
{
    assert_int_equal(res->status, 304);
    assert_int_equal(res->body.len, 0);
    assert_null(res->content_type);
    assert_string_equal(header_of(res, "ETag"), tag);
    assert_string_equal(header_of(res, "Cache-Control"), "public, max-age=5");
    assert_int_equal(count_of(res, "ETag"), 1);
}

static void test_matches(void **state)
{
    (void)state;
    assert_true(http_etag_matches("\"ab12\"", "\"ab12\""));
    assert_true(http_etag_matches("\"x\", W/\"ab12\"", "\"ab12\""));
    assert_true(http_etag_matches("*", "\"ab12\""));
    assert_false(http_etag_matches(NULL, "\"ab12\""));
    assert_false(http_etag_matches("\"ab1\"", "\"ab12\""));
    assert_false(http_etag_matches("\"ab123\"", "\"ab12\""));
    assert_false(http_etag_matches("ab12", "\"ab12\"")); /* unquoted is not a tag */
    assert_false(http_etag_matches("", "\"ab12\""));
}

/* The tag is a hash of the body: equal bodies, equal tags; any change, a new one. */
static void test_etag_from_body(void **state)
{
    (void)state;
    struct pool p;
    struct http_response res;
    unsigned char h[32];
    char hex[65], want[40];
    pool_init(&p, 1 << 16);
    http_response_init(&res, &p);
    http_reply_bytes(&res, 200, "text/plain", "size 7", 6);
    assert_int_equal(http_cache_apply(&res, NULL, HTTP_CACHE_SHORT), 0);
    crypto_hash_sha256(h, (const unsigned char *)"size 7", 6);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(want, sizeof want, "\"%.32s\"", hex);
    assert_string_equal(header_of(&res, "ETag"), want);
    assert_string_equal(header_of(&res, "Cache-Control"), "public, max-age=5");
    assert_int_equal(res.status, 200);
    assert_int_equal(res.body.len, 6);
    http_response_release(&res);

    http_response_init(&res, &p);
    http_reply_bytes(&res, 200, "text/plain", "size 8", 6);
    assert_int_equal(http_cache_apply(&res, want, HTTP_CACHE_IMMUTABLE), 0);
    assert_string_not_equal(header_of(&res, "ETag"), want);
    assert_int_equal(res.status, 200); /* the old tag does not match the new body */
    assert_string_equal(header_of(&res, "Cache-Control"), "public, max-age=31536000, immutable");
    http_response_release(&res);
    pool_release(&p);
}

static void test_not_modified(void **state)
{
    (void)state;
    struct pool p;
    struct http_response res;
    char tag[40];
    pool_init(&p, 1 << 16);
    http_response_init(&res, &p);
    http_reply_json(&res, 200, json_pack("{s:i}", "size", 7));
    assert_int_equal(http_cache_apply(&res, NULL, HTTP_CACHE_SHORT), 0);
    snprintf(tag, sizeof tag, "%s", header_of(&res, "ETag"));
    http_response_release(&res);

    http_response_init(&res, &p);
    http_reply_json(&res, 200, json_pack("{s:i}", "size", 7));
    assert_int_equal(http_cache_apply(&res, tag, HTTP_CACHE_SHORT), 0);
    assert_not_modified(&res, tag);
    http_response_release(&res);
    pool_release(&p);
}

/* A tag known before the body: tags of one validator are equal within a
 * form and differ across forms and validators; a matching If-None-Match
 * gives a 304 with both headers and no body before any body is built; a
 * built 200 carries the same tag. */
static void test_tag_before_body(void **state)
{
    (void)state;
    struct pool p;
    struct http_response res;
    char a[HTTP_ETAG_MAX], b[HTTP_ETAG_MAX], c[HTTP_ETAG_MAX], d[HTTP_ETAG_MAX];
    pool_init(&p, 1 << 16);
    http_cache_tag(a, "checkpoint json", "size 7", 6);
    http_cache_tag(b, "checkpoint json", "size 7", 6);
    http_cache_tag(c, "checkpoint note", "size 7", 6);
    http_cache_tag(d, "checkpoint json", "size 8", 6);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    assert_string_not_equal(a, d);
    assert_int_equal(strlen(a), 34);
    assert_int_equal(a[0], '"');

    /* no header, another tag: nothing done */
    http_response_init(&res, &p);
    assert_int_equal(http_cache_precheck(&res, NULL, a, HTTP_CACHE_SHORT), 0);
    assert_int_equal(http_cache_precheck(&res, d, a, HTTP_CACHE_SHORT), 0);
    assert_null(header_of(&res, "ETag"));
    /* a stale tag, then the body: 200 under the current tag */
    http_reply_json(&res, 200, json_pack("{s:i}", "size", 8));
    http_cache_reply_tag(&res, a, d, HTTP_CACHE_SHORT);
    assert_int_equal(res.status, 200);
    assert_true(res.body.len > 0);
    assert_string_equal(header_of(&res, "ETag"), d);
    assert_string_equal(header_of(&res, "Cache-Control"), "public, max-age=5");
    http_response_release(&res);

    /* the matching tag: 304 at once, no body */
    http_response_init(&res, &p);
    assert_int_equal(http_cache_precheck(&res, a, a, HTTP_CACHE_SHORT), 1);
    assert_not_modified(&res, a);
    http_response_release(&res);

    /* an error is never tagged */
    http_response_init(&res, &p);
    http_reply_errorf(&res, ERR_NOT_FOUND, "no checkpoint yet");
    http_cache_reply_tag(&res, NULL, a, HTTP_CACHE_SHORT);
    assert_null(header_of(&res, "ETag"));
    http_response_release(&res);
    pool_release(&p);
}

/* Errors and responses that carry a cookie are never made public. */
static void test_leaves_private_alone(void **state)
{
    (void)state;
    struct pool p;
    struct http_response res;
    pool_init(&p, 1 << 16);
    http_response_init(&res, &p);
    http_reply_errorf(&res, ERR_NOT_FOUND, "no such memo");
    assert_int_equal(http_cache_apply(&res, "*", HTTP_CACHE_IMMUTABLE), 0);
    assert_int_equal(res.status, 404);
    assert_null(header_of(&res, "ETag"));
    assert_null(header_of(&res, "Cache-Control"));
    http_response_release(&res);

    http_response_init(&res, &p);
    assert_int_equal(http_set_cookie(&res, "sid", "abc", 60), 0);
    http_reply_json(&res, 200, json_pack("{s:i}", "size", 7));
    assert_int_equal(http_cache_apply(&res, "*", HTTP_CACHE_SHORT), 0);
    assert_int_equal(res.status, 200);
    assert_null(header_of(&res, "ETag"));
    assert_null(header_of(&res, "Cache-Control"));
    http_response_release(&res);
    pool_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_etag_from_body),
        cmocka_unit_test(test_not_modified),
        cmocka_unit_test(test_tag_before_body),
        cmocka_unit_test(test_leaves_private_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
