/* client.c — HTTP requests to a dissent server over libcurl. */
#include "client/client.h"
#include "base/util.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DISSENT_VERSION
#define DISSENT_VERSION "0.1.0-dev"
#endif

void client_init(struct client *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->server, sizeof c->server, "%s", CLIENT_DEFAULT_SERVER);
    c->max_response = CLIENT_MAX_RESPONSE;
    c->timeout = 60;
    c->connect_timeout = 10;
}

void client_release(struct client *c)
{
    sodium_memzero(c->token, sizeof c->token);
}

int client_normalize_server(const char *url, char *out, size_t n, struct err *e)
{
    int rc = 0;
    size_t len = strlen(url);
    const char *host;

    if (strncmp(url, "http://", 7) == 0) {
        host = url + 7;
    } else if (strncmp(url, "https://", 8) == 0) {
        host = url + 8;
    } else {
        rc = err_set(e, ERR_INVALID, "server URL must start with http:// or https://, not '%.80s'",
                     url);
        goto out;
    }
    for (const char *p = url; *p; p++) {
        if ((unsigned char)*p <= ' ' || *p == 0x7f) {
            rc = err_set(e, ERR_INVALID, "server URL contains a space or control character");
            goto out;
        }
    }
    if (*host == '\0' || *host == '/') {
        rc = err_set(e, ERR_INVALID, "server URL '%.80s' has no host", url);
        goto out;
    }
    if (strpbrk(url, "?#")) {
        rc = err_set(e, ERR_INVALID, "server URL must not have a query or fragment");
        goto out;
    }
    {
        const char *slash = strchr(host, '/');
        const char *at = strchr(host, '@');
        if (at && (!slash || at < slash)) {
            rc = err_set(e, ERR_INVALID, "server URL must not carry a user name or password");
            goto out;
        }
    }
    while (len > 0 && url[len - 1] == '/')
        len--;
    if (len + 1 > n || len + 1 > CLIENT_URL_MAX) {
        rc = err_set(e, ERR_INVALID, "server URL is longer than %d characters", CLIENT_URL_MAX - 1);
        goto out;
    }
    memcpy(out, url, len);
    out[len] = '\0';
out:
    return rc;
}

int client_set_server(struct client *c, const char *url, struct err *e)
{
    return client_normalize_server(url, c->server, sizeof c->server, e);
}

int client_set_token(struct client *c, const char *token, struct err *e)
{
    int rc = 0;
    size_t len = strlen(token);
    if (len == 0 || len >= sizeof c->token) {
        rc = err_set(e, ERR_INVALID, "token must be 1 to %zu characters", sizeof c->token - 1);
        goto out;
    }
    for (size_t i = 0; i < len; i++) {
        if (token[i] <= ' ' || token[i] > '~') {
            rc = err_set(e, ERR_INVALID, "token contains a character that is not printable ASCII");
            goto out;
        }
    }
    memcpy(c->token, token, len + 1);
out:
    return rc;
}

void client_set_anonymous(struct client *c)
{
    sodium_memzero(c->token, sizeof c->token);
    c->anonymous = 1;
}

int client_set_proxy(struct client *c, const char *url, struct err *e)
{
    static const char *const schemes[] = {"socks5h://", "http://"};
    const char *host = NULL;
    size_t len = strlen(url);

    for (size_t i = 0; i < ARRAY_LEN(schemes); i++)
        if (strncmp(url, schemes[i], strlen(schemes[i])) == 0)
            host = url + strlen(schemes[i]);
    if (strncmp(url, "socks5://", 9) == 0 || strncmp(url, "socks4", 6) == 0)
        return err_set(e, ERR_INVALID,
                       "use a socks5h:// proxy, which resolves host names itself "
                       "(socks5:// and socks4 would look them up here)");
    if (!host)
        return err_set(e, ERR_INVALID, "proxy must start with socks5h:// or http://, not '%.80s'",
                       url);
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f)
            return err_set(e, ERR_INVALID, "proxy contains a space or control character");
    if (*host == '\0' || *host == ':' || *host == '/')
        return err_set(e, ERR_INVALID, "proxy '%.80s' has no host", url);
    if (strchr(host, '@'))
        return err_set(e, ERR_INVALID, "proxy must not carry a user name or password");
    while (len > 0 && url[len - 1] == '/')
        len--;
    if (memchr(host, '/', len - (size_t)(host - url)) || strpbrk(url, "?#"))
        return err_set(e, ERR_INVALID, "proxy is HOST:PORT after the scheme, without a path");
    if (len + 1 > sizeof c->proxy)
        return err_set(e, ERR_INVALID, "proxy is longer than %zu characters", sizeof c->proxy - 1);
    memcpy(c->proxy, url, len);
    c->proxy[len] = '\0';
    return 0;
}

void client_reply_init(struct client_reply *r)
{
    r->status = 0;
    buf_init(&r->raw, CLIENT_MAX_RESPONSE);
    r->json = NULL;
}

void client_reply_release(struct client_reply *r)
{
    buf_release(&r->raw);
    if (r->json)
        json_decref(r->json);
    r->json = NULL;
    r->status = 0;
}

enum err_code client_code_from_name(const char *name, long status)
{
    static const enum err_code codes[] = {
        ERR_INVALID,  ERR_TOO_LARGE, ERR_UNAUTHORIZED, ERR_FORBIDDEN, ERR_NOT_FOUND,
        ERR_CONFLICT, ERR_STATE,     ERR_RATE,         ERR_CRYPTO,    ERR_UNSUPPORTED,
        ERR_IO,       ERR_DB,        ERR_NOMEM,        ERR_INTERNAL,
    };
    if (name) {
        for (size_t i = 0; i < ARRAY_LEN(codes); i++)
            if (strcmp(name, err_code_name(codes[i])) == 0)
                return codes[i];
        if (strcmp(name, "method_not_allowed") == 0)
            return ERR_UNSUPPORTED;
    }
    switch (status) {
    case 400:
        return ERR_INVALID;
    case 401:
        return ERR_UNAUTHORIZED;
    case 403:
        return ERR_FORBIDDEN;
    case 404:
        return ERR_NOT_FOUND;
    case 409:
        return ERR_CONFLICT;
    case 413:
        return ERR_TOO_LARGE;
    case 415:
        return ERR_UNSUPPORTED;
    case 429:
        return ERR_RATE;
    default:
        return status >= 500 ? ERR_INTERNAL : ERR_INVALID;
    }
}

/* Copies a server-provided message for display: control characters (C0,
 * DEL and C1: text_control_len) become spaces so a reply cannot move the
 * cursor or fake other output. */
static void clean_copy(char *out, size_t n, const char *s)
{
    text_clean_copy(out, n, s, "", ' ');
}

int client_error_from_reply(long status, const char *body, size_t len, struct err *e)
{
    json_t *root = NULL;
    const char *code = NULL, *message = NULL;
    char msg[ERR_MSG_MAX];

    if (body && len > 0)
        root = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (root && json_is_object(root)) {
        json_t *eo = json_object_get(root, "error");
        if (json_is_object(eo)) {
            code = json_string_value(json_object_get(eo, "code"));
            message = json_string_value(json_object_get(eo, "message"));
        }
    }
    if (message && message[0]) {
        clean_copy(msg, sizeof msg, message);
        err_set(e, client_code_from_name(code, status), "%s", msg);
    } else if (code) {
        clean_copy(msg, sizeof msg, code);
        err_set(e, client_code_from_name(code, status), "the server refused the request (%ld %s)",
                status, msg);
    } else {
        err_set(e, client_code_from_name(NULL, status),
                "the server answered with status %ld and no error message", status);
    }
    if (root)
        json_decref(root);
    return -1;
}

int client_path_segment(struct buf *out, const char *s, struct err *e)
{
    static const char hex[] = "0123456789ABCDEF";
    int rc = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && rc == 0; p++) {
        if (isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
            rc = buf_append(out, p, 1, e);
        } else {
            char enc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            rc = buf_append(out, enc, 3, e);
        }
    }
    return rc;
}

/* libcurl write callback: appends to the bounded buffer; a short count makes
 * curl stop with CURLE_WRITE_ERROR. */
struct sink {
    struct buf *b;
    int too_large;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *arg)
{
    struct sink *s = arg;
    size_t n = size * nmemb;
    struct err e;
    if (buf_append(s->b, p, n, &e) != 0) {
        s->too_large = 1;
        return 0;
    }
    return n;
}

static int curl_ready;

static int ensure_curl(struct err *e)
{
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
            return err_set(e, ERR_INTERNAL, "cannot initialize libcurl");
        curl_ready = 1;
    }
    return 0;
}

/* Describes a transport failure for people. */
static int transport_error(const struct client *c, CURL *h, CURLcode cc, const char *detail,
                           int too_large, struct err *e)
{
    long os_errno = 0;
    char why[160];

    if (too_large)
        return err_set(e, ERR_TOO_LARGE, "the reply from %s is larger than %zu bytes", c->server,
                       c->max_response);
    curl_easy_getinfo(h, CURLINFO_OS_ERRNO, &os_errno);
    switch (cc) {
    case CURLE_COULDNT_CONNECT:
        if (os_errno) {
            snprintf(why, sizeof why, "%s", strerror((int)os_errno));
            why[0] = (char)tolower((unsigned char)why[0]);
        } else {
            snprintf(why, sizeof why, "connection failed");
        }
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
        snprintf(why, sizeof why, "unknown host");
        break;
    case CURLE_OPERATION_TIMEDOUT:
        snprintf(why, sizeof why, "no answer within %ld seconds", c->timeout);
        break;
    case CURLE_UNSUPPORTED_PROTOCOL:
        snprintf(why, sizeof why, "only http:// and https:// are supported");
        break;
    default:
        snprintf(why, sizeof why, "%.150s", detail && detail[0] ? detail : curl_easy_strerror(cc));
        break;
    }
    if (c->proxy[0])
        return err_set(e, ERR_IO, "cannot reach the server at %s through the proxy %s: %s",
                       c->server, c->proxy, why);
    return err_set(e, ERR_IO, "cannot reach the server at %s: %s", c->server, why);
}

/* Sends one request (see client_request); when want_json is 0 a 2xx body is
 * kept as raw bytes and not parsed. */
static int perform(struct client *c, const char *method, const char *path, const json_t *body,
                   int want_json, struct client_reply *r, struct err *e)
{
    int rc = -1;
    CURL *h = NULL;
    struct curl_slist *hdrs = NULL;
    char *payload = NULL;
    size_t payload_len = 0;
    char auth[CLIENT_TOKEN_MAX + 32];
    char errbuf[CURL_ERROR_SIZE];
    char *url = NULL;
    size_t url_len;
    struct sink sink;
    CURLcode cc;
    const char *ctype = NULL;

    auth[0] = '\0';
    errbuf[0] = '\0';
    client_reply_release(r);
    buf_init(&r->raw, c->max_response);
    sink.b = &r->raw;
    sink.too_large = 0;
    if (path[0] != '/') {
        err_set(e, ERR_INTERNAL, "request path must start with '/'");
        goto out;
    }
    if (ensure_curl(e) != 0)
        goto out;
    url_len = strlen(c->server) + strlen(path) + 1;
    url = malloc(url_len);
    if (!url) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    snprintf(url, url_len, "%s%s", c->server, path);
    if (body) {
        payload = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
        if (!payload) {
            err_set(e, ERR_NOMEM, "cannot encode the request as JSON");
            goto out;
        }
        payload_len = strlen(payload);
    }
    h = curl_easy_init();
    if (!h) {
        err_set(e, ERR_INTERNAL, "cannot create a libcurl handle");
        goto out;
    }
    hdrs = curl_slist_append(hdrs, want_json ? "Accept: application/json"
                                             : "Accept: text/plain, application/json");
    if (hdrs && (body || (strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)))
        hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    if (hdrs)
        hdrs = curl_slist_append(hdrs, "Expect:");
    if (hdrs && c->token[0] && !c->anonymous) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", c->token);
        hdrs = curl_slist_append(hdrs, auth);
    }
    if (!hdrs) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, c->timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->connect_timeout);
    curl_easy_setopt(h, CURLOPT_USERAGENT,
                     c->anonymous ? "dissent-cli" : "dissent-cli/" DISSENT_VERSION);
    if (c->proxy[0])
        curl_easy_setopt(h, CURLOPT_PROXY, c->proxy);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->max_response);
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (!payload && strcmp(method, "DELETE") == 0) {
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    } else {
        /* POST and PATCH always carry a JSON object, "{}" when there is nothing to say. */
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, payload ? payload : "{}");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(payload ? payload_len : 2));
        if (strcmp(method, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    }
    cc = curl_easy_perform(h);
    if (cc == CURLE_FILESIZE_EXCEEDED)
        sink.too_large = 1;
    if (cc != CURLE_OK) {
        transport_error(c, h, cc, errbuf, sink.too_large, e);
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
    if (r->status < 200 || r->status > 299) {
        client_error_from_reply(r->status, r->raw.data, r->raw.len, e);
        goto out;
    }
    if (want_json && r->raw.len > 0) {
        json_error_t je;
        r->json = json_loadb(r->raw.data, r->raw.len, JSON_REJECT_DUPLICATES, &je);
        if (!r->json) {
            /* the Content-Type is the server's text too */
            char type[128] = "";
            if (ctype)
                clean_copy(type, sizeof type, ctype);
            err_set(e, ERR_IO,
                    "the server at %s answered %ld with something that is not JSON%s%s%s",
                    c->server, r->status, ctype ? " (" : "", type, ctype ? ")" : "");
            goto out;
        }
    }
    rc = 0;
out:
    if (payload) {
        sodium_memzero(payload, payload_len);
        free(payload);
    }
    sodium_memzero(auth, sizeof auth);
    curl_slist_free_all(hdrs);
    if (h)
        curl_easy_cleanup(h);
    free(url);
    return rc;
}

int client_request(struct client *c, const char *method, const char *path, const json_t *body,
                   struct client_reply *r, struct err *e)
{
    return perform(c, method, path, body, 1, r, e);
}

int client_get_text(struct client *c, const char *path, struct client_reply *r, struct err *e)
{
    return perform(c, "GET", path, NULL, 0, r, e);
}
