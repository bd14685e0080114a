/* origin.c — where this site is, and whether a browser's request comes from
 * it: the defence against cross-site writes that a cookie would otherwise
 * authenticate (and against login CSRF), besides the CSRF tokens. */
#include "http/app.h"

#include <string.h>
#include <strings.h>

/* A Host header we would put in a link: host[:port] of safe characters. */
static int host_ok(const char *h)
{
    if (!h || !*h || strlen(h) > 255)
        return 0;
    for (const char *s = h; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']'))
            return 0;
    }
    return 1;
}

const char *app_origin(const struct app *app, struct http_request *req)
{
    const char *host = http_header(req, "Host");
    if (app->public_url)
        return app->public_url;
    if (!host_ok(host))
        return NULL;
    return pool_printf(req->pool, "http://%s", host);
}

/* The part of an origin after "scheme://". */
static const char *authority(const char *origin)
{
    const char *s = strstr(origin, "://");
    return s ? s + 3 : NULL;
}

int app_check_origin(const struct app *app, struct http_request *req, struct err *e)
{
    const char *site = http_header(req, "Sec-Fetch-Site");
    const char *origin = http_header(req, "Origin");
    const char *host = http_header(req, "Host");
    int same = 1;

    /* A browser says where a request comes from; other clients send neither. */
    if (site && strcasecmp(site, "same-origin") != 0 && strcasecmp(site, "none") != 0)
        same = 0;
    /* Under our Referrer-Policy (no-referrer) browsers send "Origin: null"
     * even on same-origin form posts: then Sec-Fetch-Site decides. */
    if (origin && strcmp(origin, "null") != 0) {
        if (app->public_url)
            same = same && strcasecmp(origin, app->public_url) == 0;
        else
            /* Behind a proxy the scheme may differ: the host and port must not. */
            same = same && authority(origin) && host && strcasecmp(authority(origin), host) == 0;
    }
    if (!same)
        return err_set(e, ERR_FORBIDDEN,
                       "this request came from another site, so it was refused: use this "
                       "site's own pages");
    return 0;
}

const char *app_client_addr(const struct app *app, struct http_request *req)
{
    const char *peer = http_client_addr(req), *xff, *last, *end;
    size_t n;
    char *out;

    if (!peer || !app->trusted_proxy || strcmp(peer, app->trusted_proxy) != 0)
        return peer;
    xff = http_header(req, "X-Forwarded-For");
    if (!xff)
        return peer;
    /* Earlier entries are whatever the client claimed; the last is the proxy's. */
    last = strrchr(xff, ',');
    last = last ? last + 1 : xff;
    while (*last == ' ' || *last == '\t')
        last++;
    end = last + strlen(last);
    while (end > last && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    n = (size_t)(end - last);
    if (n == 0 || n > 45 || strspn(last, "0123456789abcdefABCDEF:.") < n)
        return peer;
    out = pool_alloc(req->pool, n + 1);
    if (!out)
        return peer;
    memcpy(out, last, n);
    out[n] = '\0';
    return out;
}
