/* release.c — the manifest of the web client release, and its endpoint. */
#include "http/release.h"

#include "base/util.h"
#include "http/api.h"
#include "http/static.h"
#include "http/tmpl.h"

#include <sodium.h>
#include <string.h>

void web_release_init(struct web_release *r)
{
    memset(r, 0, sizeof *r);
    buf_init(&r->manifest, 4u * 1024u * 1024u);
    r->leaf_index = -1;
}

void web_release_release(struct web_release *r)
{
    buf_release(&r->manifest);
    r->leaf_index = -1;
}

static int version_ok(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 64)
        return 0;
    for (; *v; v++)
        if (!((*v >= 'a' && *v <= 'z') || (*v >= 'A' && *v <= 'Z') || (*v >= '0' && *v <= '9') ||
              *v == '.' || *v == '_' || *v == '-'))
            return 0;
    return 1;
}

int web_release_build(struct web_release *r, const char *version, struct err *e)
{
    int rc = -1;
    size_t n = 0;
    unsigned char h[32];

    if (!version_ok(version)) {
        err_set(e, ERR_INVALID, "release version '%.64s' must be 1-64 of A-Za-z0-9 . _ -", version);
        goto out;
    }
    snprintf(r->version, sizeof r->version, "%s", version);
    buf_reset(&r->manifest);
    if (buf_printf(&r->manifest, e, "%s\nversion %s\n", WEB_RELEASE_HEADER, version) ||
        static_manifest(&r->manifest, &n, e))
        goto out;
    r->files = (int64_t)n;
    /* the templates, by name (embed.sh lists them sorted) */
    for (size_t i = 0; i < tmpl_builtin_count; i++) {
        char hex[65];
        crypto_hash_sha256(h, (const unsigned char *)tmpl_builtin[i].text,
                           strlen(tmpl_builtin[i].text));
        hex_encode(hex, h, sizeof h);
        if (buf_printf(&r->manifest, e, "%s template/%s.html\n", hex, tmpl_builtin[i].name))
            goto out;
        r->files++;
    }
    crypto_hash_sha256(h, (const unsigned char *)r->manifest.data, r->manifest.len);
    hex_encode(r->digest, h, sizeof h);
    rc = 0;
out:
    return rc;
}

static void h_release(struct http_request *req, struct http_response *res, void *app_)
{
    struct api_call c;
    const struct web_release *r;
    int rc = api_begin(&c, app_, req, API_PUBLIC);
    r = c.app->release;
    if (rc == 0 && !r)
        rc = err_set(&c.e, ERR_NOT_FOUND, "this server publishes no client release");
    if (rc == 0) {
        c.out = json_pack("{s:s,s:s%,s:s,s:I,s:I}", "version", r->version, "manifest",
                          r->manifest.data, r->manifest.len, "sha256", r->digest, "files",
                          (json_int_t)r->files, "leaf_index", (json_int_t)r->leaf_index);
        if (!c.out)
            rc = err_set(&c.e, ERR_NOMEM, "out of memory");
    }
    api_end(&c, res, rc, 200);
}

const struct http_route api_release_routes[] = {
    {.method = "GET",
     .pattern = "/api/v1/client/release",
     .handler = h_release,
     .flags = ROUTE_CORS},
};
const size_t api_release_routes_count = ARRAY_LEN(api_release_routes);
