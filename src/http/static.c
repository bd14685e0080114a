/* static.c — serving the embedded files of web/static/, files added at
 * start-up (the signing module), and the files of an operator's override
 * directory (--static-dir) in their place. */
#include "http/static.h"

#include "base/util.h"
#include "http/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.inc"

#define EMBEDDED_N      (sizeof static_files / sizeof static_files[0])
#define ADDED_MAX_BYTES (16u * 1024u * 1024u)

/* Files added at start-up; never freed (they live as long as the server). */
static struct static_file added[STATIC_ADDED_MAX];
static size_t nadded;

const struct static_file *static_find(const char *name)
{
    const struct static_file *f = NULL;
    for (size_t i = 0; i < EMBEDDED_N && !f; i++)
        if (static_files[i].name[0] && strcmp(static_files[i].name, name) == 0)
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

/* ---- the override directory ---- */

/* Set once before the server starts, read-only afterwards: the directory
 * (an open descriptor, so a rename of the path changes nothing) and the
 * names it held then. */
static int override_fd = -1;
static char **override_names;
static size_t override_n;

/* Names embed.sh accepts: letters, digits, '.', '_', '-', not starting with '.'. */
static int name_ok(const char *n)
{
    if (!n[0] || n[0] == '.' || strlen(n) > 128)
        return 0;
    for (const char *s = n; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return 0;
    return 1;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void static_clear_override(void)
{
    for (size_t i = 0; i < override_n; i++)
        free(override_names[i]);
    free(override_names);
    override_names = NULL;
    override_n = 0;
    if (override_fd >= 0)
        close(override_fd);
    override_fd = -1;
}

int static_set_override(const char *dir, struct err *e)
{
    int rc = -1, fd = -1;
    DIR *d = NULL;
    struct dirent *de;
    char **names = NULL;
    size_t n = 0;

    static_clear_override();
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        err_set(e, ERR_INVALID, "%.200s is not a directory we can read: %s", dir, strerror(errno));
        goto out;
    }
    d = fdopendir(dup(fd));
    if (!d) {
        err_set(e, ERR_IO, "cannot list %.200s: %s", dir, strerror(errno));
        goto out;
    }
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        char **more;
        if (!name_ok(de->d_name) || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            continue; /* dot files, links, folders and odd names are never served */
        more = realloc(names, (n + 1) * sizeof *names);
        if (!more || !(more[n] = strdup(de->d_name))) {
            names = more ? more : names;
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        names = more;
        n++;
    }
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    override_fd = fd;
    override_names = names;
    override_n = n;
    fd = -1;
    names = NULL;
    n = 0;
    rc = 0;
out:
    if (d)
        closedir(d);
    if (fd >= 0)
        close(fd);
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

static int in_override(const char *name)
{
    return override_n &&
           bsearch(&name, override_names, override_n, sizeof *override_names, cmp_names) != NULL;
}

/* Reads the override file name now (it may have changed since the start):
 * 1 with *data (malloc'd) and *len, 0 when there is none (or it is not a
 * regular file), -1 on an error. */
static int override_read(const char *name, unsigned char **data, size_t *len)
{
    int fd, rc = -1;
    struct stat st;
    unsigned char *buf = NULL;
    size_t got = 0;

    /* Any file of the directory now, not only those listed at the start:
     * what the operator puts there is served at once (and caught by
     * verify-web until a restart logs it). */
    if (override_fd < 0 || !name_ok(name))
        return 0;
    fd = openat(override_fd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (fstat(fd, &st) != 0 || st.st_size > STATIC_OVERRIDE_MAX)
        goto out;
    if (!S_ISREG(st.st_mode)) {
        rc = 0;
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (!buf)
        goto out;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    *data = buf;
    *len = got;
    buf = NULL;
    rc = 1;
out:
    free(buf);
    close(fd);
    return rc;
}

const char *static_content_type(const char *name)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
        {".woff2", "font/woff2"},
        {".html", "text/html; charset=utf-8"},
        {".wasm", "application/wasm"},
        {".json", "application/json"},
    };
    size_t n = strlen(name);
    for (size_t i = 0; i < ARRAY_LEN(types); i++) {
        size_t m = strlen(types[i].ext);
        if (n > m && strcmp(name + n - m, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}

int static_allows_wasm(const char *name)
{
    /* A Web Worker runs under the CSP of its own script's response, so the
     * scripts of the signing flow (web/static/anon/) need 'wasm-unsafe-eval'
     * on them; no other file does, and an override file never (its name
     * has no folder). */
    return strncmp(name, "anon/", 5) == 0;
}

/* ---- the list of served files, for the release manifest ---- */

/* Appends "<hex> /static/<name>\n" for name's content now. */
static int add_entry(struct buf *out, const char *name, struct err *e)
{
    unsigned char h[32], *data = NULL;
    size_t len = 0;
    char hex[65];
    const struct static_file *f = static_find(name);
    int r = override_read(name, &data, &len);
    if (r < 0)
        return err_set(e, ERR_IO, "cannot read the override of static file %.64s", name);
    if (r == 1)
        crypto_hash_sha256(h, data, len);
    else if (f)
        crypto_hash_sha256(h, f->data, f->len);
    free(data);
    if (r != 1 && !f)
        return 0; /* listed at the start, gone since: not served */
    hex_encode(hex, h, sizeof h);
    return buf_printf(out, e, "%s /static/%s\n", hex, name);
}

int static_manifest(struct buf *out, size_t *count, struct err *e)
{
    int rc = -1;
    size_t n = 0, before;
    const char **names = malloc((EMBEDDED_N + nadded + override_n + 1) * sizeof *names);

    *count = 0;
    if (!names)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* every name served, once, sorted (a name may be built in and overridden) */
    for (size_t i = 0; i < EMBEDDED_N; i++)
        if (static_files[i].name[0])
            names[n++] = static_files[i].name;
    for (size_t i = 0; i < nadded; i++)
        names[n++] = added[i].name; /* the signing module: the file most worth checking */
    for (size_t i = 0; i < override_n; i++)
        if (!static_find(override_names[i]))
            names[n++] = override_names[i];
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        before = out->len;
        if (add_entry(out, names[i], e))
            goto out;
        *count += out->len > before;
    }
    rc = 0;
out:
    free(names);
    return rc;
}

/* ---- serving ---- */

/* Sends the file called name (see static_serve): the override's, if the
 * override directory has one, else the embedded one. */
static void serve_named(struct http_request *req, struct http_response *res, const char *name)
{
    const struct static_file *f = static_find(name);
    const char *v = http_query(req, "v");
    const char *etag, *type;
    const unsigned char *body;
    unsigned char *data = NULL, h[32];
    size_t len;
    char quoted[24], hex[65];
    int r = override_read(name, &data, &len);

    if (r < 0) {
        http_reply_errorf(res, ERR_IO, "cannot read static file '%.64s'", name);
        goto out;
    }
    if (r == 0 && !f) {
        http_reply_errorf(res, ERR_NOT_FOUND, "no static file called '%.64s'", name);
        goto out;
    }
    if (r == 1) {
        crypto_hash_sha256(h, data, len);
        hex_encode(hex, h, sizeof h);
        hex[16] = '\0';
        etag = hex;
        type = static_content_type(name);
        body = data;
    } else {
        etag = f->etag;
        type = f->content_type;
        body = f->data;
        len = f->len;
    }
    snprintf(quoted, sizeof quoted, "\"%.16s\"", etag);
    if (http_set_header(res, "ETag", quoted) ||
        http_set_header(res, "Cache-Control",
                        v && strcmp(v, etag) == 0 ? "public, max-age=31536000, immutable"
                                                  : "public, max-age=3600")) {
        http_reply_errorf(res, ERR_NOMEM, "out of memory");
        goto out;
    }
    if (static_allows_wasm(name))
        res->csp = HTTP_CSP_WASM;
    if (http_etag_matches(http_header(req, "If-None-Match"), quoted)) {
        http_reply_bytes(res, 304, NULL, "", 0);
        goto out;
    }
    http_reply_bytes(res, 200, type, body, len);
out:
    free(data);
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
    /* An overridden file may change without a restart: no immutable URL. */
    if (f && !in_override(name))
        u = pool_printf(pool, "/static/%s?v=%s", f->name, f->etag);
    else
        u = pool_printf(pool, "/static/%s", name);
    return u;
}
