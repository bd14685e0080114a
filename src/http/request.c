/* request.c — request accessors and response builders. */
#include "http/request.h"

#include "base/json_out.h"
#include "base/util.h"

#include <arpa/inet.h>
#include <sodium.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

static struct http_conn *conn_of(const struct http_request *r)
{
    return (struct http_conn *)r->conn;
}

const char *http_header(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(conn_of(r)->mhd, MHD_HEADER_KIND, name);
}

const char *http_query(const struct http_request *r, const char *name)
{
    const char *raw = MHD_lookup_connection_value(conn_of(r)->mhd, MHD_GET_ARGUMENT_KIND, name);
    char *v = NULL;
    /* The server installs a no-op unescape callback, so raw is still
     * percent-encoded ('+' was already turned into ' ' by MHD). */
    if (raw && form_decode(raw, strlen(raw), 1, r->pool, &v, NULL, NULL))
        v = NULL;
    return v;
}

const char *http_cookie(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(conn_of(r)->mhd, MHD_COOKIE_KIND, name);
}

static int form_ensure(const struct http_request *r)
{
    struct http_conn *c = conn_of(r);
    if (c->form_state == 0) {
        const char *ct = http_header(r, "Content-Type");
        size_t n = strlen("application/x-www-form-urlencoded");
        err_init(&c->form_err);
        if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", n) != 0 ||
            (ct[n] != '\0' && ct[n] != ';' && ct[n] != ' ')) {
            err_set(&c->form_err, ERR_UNSUPPORTED,
                    "the body must be application/x-www-form-urlencoded");
            c->form_state = -1;
        } else {
            struct form_limits lim = {.max_fields = 256, .max_name = 128, .max_value = r->body_len};
            c->form_state =
                form_parse(&c->form, r->body, r->body_len, &lim, r->pool, &c->form_err) ? -1 : 1;
        }
    }
    return c->form_state;
}

const char *http_form(const struct http_request *r, const char *name)
{
    const char *v = NULL;
    if (form_ensure(r) == 1)
        v = form_get(&conn_of(r)->form, name);
    return v;
}

int http_form_check(const struct http_request *r, struct err *e)
{
    int rc = 0;
    if (form_ensure(r) != 1) {
        struct http_conn *c = conn_of(r);
        rc = err_set(e, c->form_err.code, "%s", c->form_err.msg);
    }
    return rc;
}

const char *http_client_addr(const struct http_request *r)
{
    const char *s = NULL;
    const union MHD_ConnectionInfo *ci;
    char tmp[INET6_ADDRSTRLEN];

    if (r->anonymous)
        goto out;
    ci = MHD_get_connection_info(conn_of(r)->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        goto out;
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
        if (inet_ntop(AF_INET, &a->sin_addr, tmp, sizeof tmp))
            s = pool_strdup(r->pool, tmp);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        if (inet_ntop(AF_INET6, &a->sin6_addr, tmp, sizeof tmp))
            s = pool_strdup(r->pool, tmp);
    }
out:
    return s;
}

void http_client_addr_id(const struct http_request *r, const unsigned char key[32],
                         unsigned char *out, size_t out_len)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn_of(r)->mhd, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const unsigned char *a = (const unsigned char *)"";
    size_t len = 0;
    if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)(const void *)ci->client_addr;
        a = (const unsigned char *)&s4->sin_addr;
        len = sizeof s4->sin_addr;
    } else if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        /* a /64 is one client: an IPv6 host may hold many addresses */
        a = (const unsigned char *)&s6->sin6_addr;
        len = 8;
    }
    crypto_generichash(out, out_len, a, len, key, 32);
}

void http_response_init(struct http_response *res, struct pool *pool)
{
    res->status = 0;
    res->content_type = NULL;
    buf_init(&res->body, HTTP_RESPONSE_MAX);
    res->headers = NULL;
    res->pool = pool;
    res->cookie_secure = 0;
    res->csp = HTTP_CSP_DEFAULT;
    res->cors = 0;
    err_init(&res->failure);
}

void http_response_release(struct http_response *res)
{
    buf_release(&res->body);
}

static int is_token(const char *s)
{
    int ok = *s != '\0';
    for (; *s && ok; s++) {
        unsigned char c = (unsigned char)*s;
        ok = c > 32 && c < 127 && !strchr("\"(),/:;<=>?@[\\]{}", c);
    }
    return ok;
}

int http_set_header(struct http_response *res, const char *name, const char *value)
{
    int rc = -1;
    struct http_header_field *h, **tail;

    if (!is_token(name) || strpbrk(value, "\r\n"))
        goto out;
    h = pool_alloc(res->pool, sizeof *h);
    if (!h || !(h->name = pool_strdup(res->pool, name)) ||
        !(h->value = pool_strdup(res->pool, value)))
        goto out;
    for (tail = &res->headers; *tail; tail = &(*tail)->next)
        ;
    *tail = h;
    rc = 0;
out:
    return rc;
}

static int cookie_value_ok(const char *s)
{
    int ok = 1;
    for (; *s && ok; s++) {
        unsigned char c = (unsigned char)*s;
        /* RFC 6265 cookie-octet */
        ok = c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
             (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
    }
    return ok;
}

int http_set_cookie(struct http_response *res, const char *name, const char *value, int max_age_s)
{
    int rc = -1;
    char *v;
    const char *secure = res->cookie_secure ? "; Secure" : "";

    if (!is_token(name) || !cookie_value_ok(value))
        goto out;
    if (max_age_s < 0)
        v = pool_printf(res->pool, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s", name, value,
                        secure);
    else
        v = pool_printf(res->pool, "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", name,
                        max_age_s ? value : "", max_age_s, secure);
    if (v)
        rc = http_set_header(res, "Set-Cookie", v);
out:
    return rc;
}

static void reply_internal(struct http_response *res)
{
    static const char msg[] =
        "{\"error\":{\"code\":\"internal_error\",\"message\":\"the response could not be built\"}}";
    err_set(&res->failure, ERR_INTERNAL, "the response could not be built");
    buf_reset(&res->body);
    res->status = 500;
    res->content_type = "application/json";
    if (buf_append(&res->body, msg, sizeof msg - 1, NULL))
        res->body.len = 0;
}

void http_reply_json(struct http_response *res, int status, json_t *obj)
{
    char *s = obj ? json_out_compact(obj, 0) : NULL;
    buf_reset(&res->body);
    if (!s || buf_puts(&res->body, s, NULL)) {
        reply_internal(res);
    } else {
        res->status = status;
        res->content_type = "application/json";
    }
    free(s);
    json_decref(obj);
}

const char *http_error_message(struct http_response *res, const struct err *e)
{
    int status = err_http_status(e->code);
    const char *told = e->msg;
    if (e->driver || status >= 500)
        res->failure = *e; /* for the log line of the request (server.c, record) */
    if (e->driver && e->told)
        told = e->told;
    else if (e->driver && status == 409)
        told = "this conflicts with a change made at the same moment: reload and try again";
    else if (e->driver && status >= 500)
        told = HTTP_FAILED_MESSAGE;
    else if (e->driver)
        told = "the server refused this: its log says why";
    return told;
}

void http_reply_error(struct http_response *res, const struct err *e)
{
    json_t *o = json_pack("{s:{s:s,s:s}}", "error", "code", err_code_name(e->code), "message",
                          http_error_message(res, e));
    http_reply_json(res, err_http_status(e->code), o);
}

void http_reply_errorf(struct http_response *res, enum err_code code, const char *fmt, ...)
{
    struct err e;
    va_list ap;
    err_init(&e);
    e.code = code;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    http_reply_error(res, &e);
}

void http_reply_bytes(struct http_response *res, int status, const char *content_type,
                      const void *data, size_t len)
{
    buf_reset(&res->body);
    if (buf_append(&res->body, data, len, NULL)) {
        reply_internal(res);
    } else {
        res->status = status;
        res->content_type = content_type;
    }
}

void http_reply_html(struct http_response *res, int status, const char *html, size_t len)
{
    http_reply_bytes(res, status, "text/html; charset=utf-8", html, len);
}

void http_redirect(struct http_response *res, const char *location)
{
    /* Only local paths: "/x" but not "//host" or "/\host" (open redirects). */
    if (location[0] != '/' || location[1] == '/' || location[1] == '\\' ||
        http_set_header(res, "Location", location)) {
        reply_internal(res);
        return;
    }
    buf_reset(&res->body);
    res->status = 303;
    res->content_type = "text/plain; charset=utf-8";
}
