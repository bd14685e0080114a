/* form.c — strict x-www-form-urlencoded parsing. */
#include "base/form.h"

#include "base/util.h"

#include <stdio.h>
#include <string.h>

static int hexval(char c)
{
    int v = -1;
    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v;
}

int form_decode(const char *s, size_t n, int plus_is_space, struct pool *pool, char **out,
                size_t *out_len, struct err *e)
{
    int rc = -1;
    size_t j = 0;
    char *d = pool_alloc(pool, n + 1);

    if (!d) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '%') {
            if (n - i < 3 || hexval(s[i + 1]) < 0 || hexval(s[i + 2]) < 0) {
                err_set(e, ERR_INVALID,
                        "bad percent-encoding: '%%' must be followed by two hex digits");
                goto out;
            }
            d[j++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            d[j++] = ' ';
        } else {
            d[j++] = c;
        }
    }
    d[j] = '\0';
    if (!utf8_valid(d, j)) {
        err_set(e, ERR_INVALID, "text is not valid UTF-8 (or contains a NUL byte)");
        goto out;
    }
    *out = d;
    if (out_len)
        *out_len = j;
    rc = 0;
out:
    return rc;
}

int form_parse(struct form *out, const char *s, size_t len, const struct form_limits *lim,
               struct pool *pool, struct err *e)
{
    int rc = -1;
    size_t max_fields = lim && lim->max_fields ? lim->max_fields : 64;
    size_t max_name = lim && lim->max_name ? lim->max_name : 128;
    size_t max_value = lim && lim->max_value ? lim->max_value : 65536;
    size_t pieces = 1;
    size_t i = 0;

    out->fields = NULL;
    out->n = 0;
    for (size_t k = 0; k < len; k++)
        if (s[k] == '&')
            pieces++;
    if (pieces > max_fields)
        pieces = max_fields + 1; /* enough room to notice one too many */
    out->fields = pool_alloc(pool, pieces * sizeof *out->fields);
    if (!out->fields) {
        err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    while (i < len) {
        const char *p = s + i;
        const char *amp = memchr(p, '&', len - i);
        size_t plen = amp ? (size_t)(amp - p) : len - i;
        const char *eq = memchr(p, '=', plen);
        size_t nlen = eq ? (size_t)(eq - p) : plen;
        char *name = NULL;
        char *value = NULL;
        size_t dn = 0;
        size_t dv = 0;

        i += plen + (amp ? 1 : 0);
        if (plen == 0)
            continue;
        if (nlen == 0) {
            err_set(e, ERR_INVALID, "form field with an empty name");
            goto out;
        }
        if (out->n >= max_fields) {
            err_set(e, ERR_TOO_LARGE, "too many form fields (at most %zu)", max_fields);
            goto out;
        }
        if (form_decode(p, nlen, 1, pool, &name, &dn, e))
            goto out;
        if (dn > max_name) {
            err_set(e, ERR_TOO_LARGE, "form field name longer than %zu bytes", max_name);
            goto out;
        }
        if (eq) {
            if (form_decode(eq + 1, plen - nlen - 1, 1, pool, &value, &dv, e)) {
                char msg[ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", e ? e->msg : "");
                err_set(e, ERR_INVALID, "form field '%.64s': %s", name, msg);
                goto out;
            }
        } else {
            value = "";
        }
        if (dv > max_value) {
            err_set(e, ERR_TOO_LARGE, "form field '%.64s' is longer than %zu bytes", name,
                    max_value);
            goto out;
        }
        out->fields[out->n].name = name;
        out->fields[out->n].value = value;
        out->n++;
    }
    rc = 0;
out:
    if (rc) {
        out->fields = NULL;
        out->n = 0;
    }
    return rc;
}

const char *form_get(const struct form *f, const char *name)
{
    const char *v = NULL;
    for (size_t i = 0; i < f->n && !v; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            v = f->fields[i].value;
    return v;
}

size_t form_count(const struct form *f, const char *name)
{
    size_t c = 0;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            c++;
    return c;
}

char *form_encode(const char *s, struct pool *pool)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(s);
    char *d = n <= ((size_t)-1) / 3 - 1 ? pool_alloc(pool, 3 * n + 1) : NULL;
    size_t j = 0;

    if (!d)
        goto out;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            d[j++] = (char)c;
        } else {
            d[j++] = '%';
            d[j++] = hex[c >> 4];
            d[j++] = hex[c & 15];
        }
    }
    d[j] = '\0';
out:
    return d;
}
