/* cache.h — validators and freshness for public reads: a strong ETag made
 * from the response body, a Cache-Control that says how long a shared cache
 * may keep it, and 304 Not Modified when the client already holds it. One
 * rule for every public handler, so a cache in front of the server can absorb
 * a crowd reading the same checkpoint or memo facts (docs/operations.md). */
#ifndef DISSENT_HTTP_CACHE_H
#define DISSENT_HTTP_CACHE_H

#include "http/server.h"

/* How long a shared cache may reuse a public response. */
enum http_cache_kind {
    /* Never changes once served (a leaf range or proof below the tree size, a
     * full tile): "public, max-age=31536000, immutable". */
    HTTP_CACHE_IMMUTABLE,
    /* Changes as the log grows (checkpoint, memo facts, rosters): reusable for
     * HTTP_CACHE_SHORT_S seconds, then revalidated with If-None-Match. */
    HTTP_CACHE_SHORT,
};

/* Freshness of HTTP_CACHE_SHORT responses: short enough that a reader sees
 * a new leaf within seconds, long enough that a cache answers a crowd. */
#define HTTP_CACHE_SHORT_S 5

/* Room for a quoted tag: 32 hex digits, two quotes and a NUL. */
#define HTTP_ETAG_MAX 40

/* Writes into quoted the strong tag (with its quotes, 32 hex digits) of a
 * validator v[0..len) known before the body is built: the SHA-256 of domain,
 * a NUL and v. domain names the body's form (two forms of one resource, e.g.
 * JSON and a bare note, take two domains). The caller guarantees that equal
 * validators under one domain always give byte-equal bodies. */
void http_cache_tag(char quoted[HTTP_ETAG_MAX], const char *domain, const void *v, size_t len);

/* Does an If-None-Match header value (a list of quoted tags, maybe weak
 * "W/", or "*") name quoted (a tag with its quotes, e.g. "\"ab12\"")? A NULL
 * header matches nothing. Weak comparison, as RFC 9110 §13.1.2 asks. */
int http_etag_matches(const char *if_none_match, const char *quoted);

/* Marks a filled public response as cacheable. Only a 200 without Set-Cookie
 * is touched (errors, redirects and anything that carries a session keep the
 * server's "no-store"). Sets ETag to the first 32 hex digits of the SHA-256
 * of the body (quoted: strong, since equal bytes are equal responses) and
 * Cache-Control for kind; if if_none_match names that tag, the response
 * becomes 304 with no body and no Content-Type, keeping both headers.
 * Returns 0, or -1 when a header could not be added (the response is then
 * replaced with a 500 error). */
int http_cache_apply(struct http_response *res, const char *if_none_match,
                     enum http_cache_kind kind);

/* The cheap path for a handler that knows its tag (http_cache_tag) before
 * building the body: if if_none_match (the request's header, or NULL) names
 * quoted, makes res a 304 carrying ETag and the Cache-Control of kind, and
 * returns 1 (the handler is done and builds nothing). Returns 0 otherwise
 * (res untouched). */
int http_cache_precheck(struct http_response *res, const char *if_none_match, const char *quoted,
                        enum http_cache_kind kind);

/* After a handler built the body whose tag it knew (http_cache_tag): marks a
 * 200 without Set-Cookie as cacheable under quoted, as http_cache_apply
 * does with a tag from the body (304 if If-None-Match names it); anything
 * else stays untouched. */
void http_cache_reply_tag(struct http_response *res, const char *if_none_match, const char *quoted,
                          enum http_cache_kind kind);

/* http_cache_apply with the request's If-None-Match header; the call a
 * handler makes after its reply. */
void http_cache_reply(const struct http_request *req, struct http_response *res,
                      enum http_cache_kind kind);

#endif
