/* static.c — serving the embedded files of web/static/. */
#include "http/static.h"

#include "http/cache.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/static.inc"

#define ADDED_MAX_BYTES (16u * 1024u * 1024u)

/* Files added at start-up; never freed (they live as long as the server). */
static struct static_file added[STATIC_ADDED_MAX];
static size_t nadded;

const struct static_file *static_find(const char *name)
{
    const struct static_file *f = NULL;
    for (size_t i = 0; i < sizeof static_files / sizeof static_files[0] && !f; i++)
        if (strcmp(static_files[i].name, name) == 0)
            f = &static_files[i];
    for (size_t i = 0; i < nadded && !f; i++)
        if (strcmp(added[i].name, name) == 0)
            f = &added[i];
    return f;
}

/* Reads all of path into *data (malloc'd, *len bytes). */
static int read_all(const char *path, unsigned char **data, size_t *len, struct err *e)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *d = NULL;
    size_t n = 0, cap = 0;
    int rc = -1;
    if (!fp)
        return err_set(e, errno == ENOENT ? ERR_NOT_FOUND : ERR_IO, "cannot open %s: %s", path,
                       strerror(errno));
    for (;;) {
        if (n == cap) {
            unsigned char *g = cap >= ADDED_MAX_BYTES ? NULL : realloc(d, cap ? 2 * cap : 65536);
            if (!g) {
                err_set(e, cap >= ADDED_MAX_BYTES ? ERR_TOO_LARGE : ERR_NOMEM,
                        "%s is larger than %u bytes or memory ran out", path, ADDED_MAX_BYTES);
                goto out;
            }
            d = g;
            cap = cap ? 2 * cap : 65536;
        }
        size_t k = fread(d + n, 1, cap - n, fp);
        n += k;
        if (k == 0) {
            if (ferror(fp)) {
                err_set(e, ERR_IO, "cannot read %s", path);
                goto out;
            }
            break;
        }
    }
    *data = d;
    *len = n;
    d = NULL;
    rc = 0;
out:
    free(d);
    fclose(fp);
    return rc;
}

int static_add_file(const char *name, const char *path, const char *content_type, struct err *e)
{
    unsigned char *data = NULL, h[32];
    size_t len = 0;
    char hex[65], *etag = NULL, *nm = NULL, *ct = NULL;
    if (static_find(name))
        return err_set(e, ERR_CONFLICT, "a static file called '%s' exists already", name);
    if (nadded == STATIC_ADDED_MAX)
        return err_set(e, ERR_TOO_LARGE, "at most %d static files can be added", STATIC_ADDED_MAX);
    if (read_all(path, &data, &len, e) != 0)
        return -1;
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    hex[16] = '\0'; /* as tools/embed.sh: the first 16 hex digits */
    etag = strdup(hex);
    nm = strdup(name);
    ct = strdup(content_type);
    if (!etag || !nm || !ct) {
        free(etag);
        free(nm);
        free(ct);
        free(data);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    added[nadded++] = (struct static_file){
        .name = nm, .content_type = ct, .etag = etag, .data = data, .len = len};
    return 0;
}

int static_allows_wasm(const char *name)
{
    return strncmp(name, "anon/", 5) == 0;
}

/* Sends the file called name (see static_serve). */
static void serve_named(struct http_request *req, struct http_response *res, const char *name)
{
    const struct static_file *f = static_find(name);
    const char *v = http_query(req, "v");
    char quoted[24];

    if (!f) {
        http_reply_errorf(res, ERR_NOT_FOUND, "no static file called '%.64s'", name);
        return;
    }
    if (static_allows_wasm(f->name))
        res->csp = HTTP_CSP_WASM;
    snprintf(quoted, sizeof quoted, "\"%s\"", f->etag);
    if (http_set_header(res, "ETag", quoted) ||
        http_set_header(res, "Cache-Control",
                        v && strcmp(v, f->etag) == 0 ? "public, max-age=31536000, immutable"
                                                     : "public, max-age=3600")) {
        http_reply_errorf(res, ERR_NOMEM, "out of memory");
        return;
    }
    if (http_etag_matches(http_header(req, "If-None-Match"), quoted)) {
        http_reply_bytes(res, 304, NULL, "", 0);
        return;
    }
    http_reply_bytes(res, 200, f->content_type, f->data, f->len);
}

void static_serve(struct http_request *req, struct http_response *res, void *app)
{
    (void)app;
    serve_named(req, res, req->params[0]);
}

void static_serve_anon(struct http_request *req, struct http_response *res, void *app)
{
    char name[128];
    (void)app;
    if ((size_t)snprintf(name, sizeof name, "anon/%s", req->params[0]) >= sizeof name) {
        http_reply_errorf(res, ERR_NOT_FOUND, "no static file called '%.64s'", req->params[0]);
        return;
    }
    serve_named(req, res, name);
}

const char *static_url(const char *name, struct pool *pool)
{
    const struct static_file *f = static_find(name);
    const char *u;
    if (f)
        u = pool_printf(pool, "/static/%s?v=%s", f->name, f->etag);
    else
        u = pool_printf(pool, "/static/%s", name);
    return u;
}
