/* webcheck.c — the manifest, the release leaves and the verdict of
 * `dissent verify-web`. */
#include "client/webcheck.h"

#include "base/util.h"
#include "client/logclient.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void webck_manifest_init(struct webck_manifest *m)
{
    memset(m, 0, sizeof *m);
}

void webck_manifest_release(struct webck_manifest *m)
{
    json_decref(m->entries);
    webck_manifest_init(m);
}

void webck_sha256_hex(const void *data, size_t len, char out[65])
{
    unsigned char h[32];
    crypto_hash_sha256(h, data, len);
    hex_encode(out, h, sizeof h);
}

static int name_char(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-';
}

/* n bytes of s are 1-max name characters. */
static int name_ok(const char *s, size_t n, size_t max)
{
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!name_char(s[i]))
            return 0;
    return 1;
}

static int hex64_ok(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* n bytes of s are a name that does not start with a dot. */
static int file_ok(const char *s, size_t n)
{
    return n > 0 && s[0] != '.' && name_ok(s, n, 128);
}

/* A manifest path: "/static/<name>", "/static/<folder>/<name>" or
 * "template/<name>.html". *served is 1 for the first two. */
static int path_ok(const char *p, size_t n, int *served)
{
    static const char st[] = "/static/", tp[] = "template/", html[] = ".html";
    size_t a = sizeof st - 1, b = sizeof tp - 1, h = sizeof html - 1;
    *served = n > a && memcmp(p, st, a) == 0;
    if (*served) {
        const char *rest = p + a, *slash = memchr(rest, '/', n - a);
        size_t len = n - a;
        if (!slash)
            return file_ok(rest, len);
        return file_ok(rest, (size_t)(slash - rest)) &&
               file_ok(slash + 1, len - (size_t)(slash - rest) - 1);
    }
    return n > b + h && memcmp(p, tp, b) == 0 && memcmp(p + n - h, html, h) == 0 &&
           name_ok(p + b, n - b - h, 128);
}

int webck_manifest_parse(const char *text, size_t len, struct webck_manifest *m, struct err *e)
{
    int rc = -1;
    size_t at = 0, line = 0;
    json_t *seen = json_object();

    webck_manifest_release(m);
    m->entries = json_array();
    if (!seen || !m->entries) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    webck_sha256_hex(text, len, m->sha256);
    while (at < len) {
        const char *s = text + at, *nl = memchr(s, '\n', len - at);
        size_t n;
        int served = 0;
        char path[160];
        line++;
        if (!nl) {
            err_set(e, ERR_INVALID, "manifest line %zu does not end with a line feed", line);
            goto out;
        }
        n = (size_t)(nl - s);
        at += n + 1;
        if (line == 1) {
            if (n != strlen(WEBCK_HEADER) || memcmp(s, WEBCK_HEADER, n) != 0) {
                err_set(e, ERR_INVALID, "the manifest does not start with '%s'", WEBCK_HEADER);
                goto out;
            }
            continue;
        }
        if (line == 2) {
            if (n < 9 || memcmp(s, "version ", 8) != 0 || !name_ok(s + 8, n - 8, 64)) {
                err_set(e, ERR_INVALID,
                        "manifest line 2 is not 'version V' (V: 1-64 of A-Za-z0-9 . _ -)");
                goto out;
            }
            memcpy(m->version, s + 8, n - 8);
            m->version[n - 8] = '\0';
            continue;
        }
        if (n < 66 || s[64] != ' ' || !hex64_ok(s) || !path_ok(s + 65, n - 65, &served) ||
            n - 65 >= sizeof path) {
            err_set(e, ERR_INVALID,
                    "manifest line %zu is not '<sha256 hex> /static/NAME' or "
                    "'<sha256 hex> template/NAME.html'",
                    line);
            goto out;
        }
        memcpy(path, s + 65, n - 65);
        path[n - 65] = '\0';
        if (json_object_get(seen, path)) {
            err_set(e, ERR_INVALID, "manifest line %zu lists %s a second time", line, path);
            goto out;
        }
        json_object_set_new(seen, path, json_true());
        if (json_array_append_new(m->entries, json_pack("{s:s,s:s%,s:b}", "path", path, "sha256", s,
                                                        (size_t)64, "served", served))) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (line < 2) {
        err_set(e, ERR_INVALID, "the manifest has no version line");
        goto out;
    }
    rc = 0;
out:
    if (rc)
        webck_manifest_release(m);
    json_decref(seen);
    return rc;
}

int webck_releases(const json_t *leaves, const char *digest, json_t **latest, int64_t *match,
                   struct err *e)
{
    size_t i;
    json_t *row;
    *latest = NULL;
    *match = -1;
    json_array_foreach(leaves, i, row)
    {
        const char *data = json_string_value(json_object_get(row, "data"));
        json_int_t index = json_integer_value(json_object_get(row, "index"));
        json_t *leaf = NULL;
        struct err why;
        /* cheap test first: only release leaves are parsed */
        if (!data || !strstr(data, "\"kind\":\"client-release\""))
            continue;
        err_init(&why);
        if (logc_leaf_check(data, strlen(data), &leaf, &why)) {
            json_decref(*latest);
            *latest = NULL;
            return err_set(e, ERR_CRYPTO, "log leaf %lld is a malformed client release: %s",
                           (long long)index, why.msg);
        }
        if (strcmp(json_string_value(json_object_get(leaf, "kind")), "client-release") != 0) {
            json_decref(leaf);
            continue; /* the words were inside another leaf's field */
        }
        json_object_set_new(leaf, "index", json_integer(index));
        if (strcmp(json_string_value(json_object_get(leaf, "manifest")), digest) == 0)
            *match = index;
        json_decref(*latest);
        *latest = leaf;
    }
    return 0;
}

static void problem(json_t *problems, size_t *n, const char *fmt, ...) PRINTF_LIKE(3, 4);
static void problem(json_t *problems, size_t *n, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_array_append_new(problems, json_string(text));
    (*n)++;
}

size_t webck_release_problems(const json_t *latest, int64_t match, const struct webck_manifest *m,
                              json_t *problems)
{
    size_t n = 0;
    long long li;
    if (!latest) {
        problem(problems, &n,
                "the log records no client release: nothing says which files this server "
                "should serve");
        return n;
    }
    li = (long long)json_integer_value(json_object_get(latest, "index"));
    if (match < 0) {
        problem(problems, &n,
                "the release this server describes (manifest sha256 %s) is in no client-release "
                "leaf of the log; the latest logged release is leaf %lld",
                m->sha256, li);
        return n;
    }
    if (match != li) {
        problem(problems, &n,
                "this server describes the release of log leaf %lld, but a later release was "
                "logged at leaf %lld: the server is not serving its latest release",
                (long long)match, li);
        return n;
    }
    if (strcmp(json_string_value(json_object_get(latest, "version")), m->version) != 0)
        problem(problems, &n, "the manifest says version %s, the log's leaf %lld says %s",
                m->version, li, json_string_value(json_object_get(latest, "version")));
    if (json_integer_value(json_object_get(latest, "files")) !=
        (json_int_t)json_array_size(m->entries))
        problem(problems, &n, "the manifest lists %zu files, the log's leaf %lld says %lld",
                json_array_size(m->entries), li,
                (long long)json_integer_value(json_object_get(latest, "files")));
    return n;
}
