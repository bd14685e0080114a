/* cache.c — ETag, Cache-Control and 304 for public reads (http/cache.h). */
#include "http/cache.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int http_etag_matches(const char *if_none_match, const char *quoted)
{
    int m = 0;
    if (if_none_match) {
        /* quoted carries its quotes, so a substring hit is a whole tag (with
         * or without a W/ before it) and never a prefix of a longer one */
        m = strstr(if_none_match, quoted) != NULL || strcmp(if_none_match, "*") == 0;
    }
    return m;
}

static int has_cookie(const struct http_response *res)
{
    int found = 0;
    for (const struct http_header_field *h = res->headers; h && !found; h = h->next)
        found = strcasecmp(h->name, "Set-Cookie") == 0;
    return found;
}

/* Sets ETag quoted and the Cache-Control of kind on res; turns it into a
 * 304 if if_none_match names quoted. Returns 0, or -1 (res is then a 500). */
static int apply_tag(struct http_response *res, const char *if_none_match, const char *quoted,
                     enum http_cache_kind kind)
{
    int rc = 0;
    char cc[64];
    if (kind == HTTP_CACHE_IMMUTABLE)
        snprintf(cc, sizeof cc, "public, max-age=31536000, immutable");
    else
        snprintf(cc, sizeof cc, "public, max-age=%d", HTTP_CACHE_SHORT_S);
    if (http_set_header(res, "ETag", quoted) || http_set_header(res, "Cache-Control", cc)) {
        http_reply_errorf(res, ERR_NOMEM, "out of memory");
        rc = -1;
        goto out;
    }
    if (http_etag_matches(if_none_match, quoted))
        http_reply_bytes(res, 304, NULL, "", 0);
out:
    return rc;
}

void http_cache_tag(char quoted[HTTP_ETAG_MAX], const char *domain, const void *v, size_t len)
{
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1];
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    /* the domain and its NUL keep the tags of different bodies apart */
    crypto_hash_sha256_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_hash_sha256_update(&st, (const unsigned char *)(v ? v : ""), len);
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(quoted, HTTP_ETAG_MAX, "\"%.32s\"", hex);
}

int http_cache_apply(struct http_response *res, const char *if_none_match,
                     enum http_cache_kind kind)
{
    int rc = 0;
    unsigned char h[crypto_hash_sha256_BYTES];
    char hex[2 * crypto_hash_sha256_BYTES + 1], quoted[HTTP_ETAG_MAX];

    if (res->status != 200 || has_cookie(res))
        goto out;
    crypto_hash_sha256(h, (const unsigned char *)(res->body.data ? res->body.data : ""),
                       res->body.len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(quoted, sizeof quoted, "\"%.32s\"", hex);
    rc = apply_tag(res, if_none_match, quoted, kind);
out:
    return rc;
}

int http_cache_precheck(struct http_response *res, const char *inm, const char *quoted,
                        enum http_cache_kind kind)
{
    int hit = 0;
    if (http_etag_matches(inm, quoted)) {
        http_reply_bytes(res, 304, NULL, "", 0);
        (void)apply_tag(res, inm, quoted, kind);
        hit = 1;
    }
    return hit;
}

void http_cache_reply_tag(struct http_response *res, const char *if_none_match, const char *quoted,
                          enum http_cache_kind kind)
{
    if (res->status == 200 && !has_cookie(res))
        (void)apply_tag(res, if_none_match, quoted, kind);
}

void http_cache_reply(const struct http_request *req, struct http_response *res,
                      enum http_cache_kind kind)
{
    (void)http_cache_apply(res, http_header(req, "If-None-Match"), kind);
}
