/* router.c — segment-by-segment matching of "/a/:id/b" patterns. */
#include "http/router.h"

#include "base/form.h"

#include <stdio.h>
#include <string.h>

int router_validate(const struct http_route *routes, size_t n, struct err *e)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const struct http_route *r = &routes[i];
        size_t caps = 0;
        if (!r->method || !r->pattern || !r->handler || r->pattern[0] != '/') {
            rc = err_set(e, ERR_INVALID,
                         "route %zu: needs a method, a pattern starting with '/' "
                         "and a handler",
                         i);
            break;
        }
        for (const char *p = r->pattern; *p; p++) {
            if (p[0] == '/' && p[1] == ':') {
                caps++;
                if (p[2] == '\0' || p[2] == '/')
                    rc = err_set(e, ERR_INVALID, "route %s: a capture needs a name", r->pattern);
            }
        }
        if (rc == 0 && caps > HTTP_MAX_PARAMS)
            rc = err_set(e, ERR_INVALID, "route %s: more than %d captures", r->pattern,
                         HTTP_MAX_PARAMS);
    }
    return rc;
}

/* Length of the segment starting at s (up to '/' or the end). */
static size_t seg_len(const char *s)
{
    size_t n = 0;
    while (s[n] && s[n] != '/')
        n++;
    return n;
}

/* Does path match pattern? Returns 1 (captures as raw spans), 0, never fails. */
static int pattern_match(const char *pattern, const char *path, const char **spans, size_t *lens,
                         size_t *ncap)
{
    const char *p = pattern;
    const char *q = path;
    int ok = 0;

    *ncap = 0;
    while (*p == '/' && *q == '/') {
        size_t pl, ql;
        p++;
        q++;
        pl = seg_len(p);
        ql = seg_len(q);
        if (pl > 0 && p[0] == ':') {
            if (ql == 0 || *ncap >= HTTP_MAX_PARAMS)
                goto out;
            spans[*ncap] = q;
            lens[*ncap] = ql;
            (*ncap)++;
        } else if (pl != ql || memcmp(p, q, pl) != 0) {
            goto out;
        }
        p += pl;
        q += ql;
    }
    ok = *p == '\0' && *q == '\0';
out:
    return ok;
}

static void allow_add(char *allow, size_t allow_len, const char *method)
{
    size_t used = strlen(allow);
    const char *s = allow;
    size_t mlen = strlen(method);

    /* skip duplicates */
    while ((s = strstr(s, method)) != NULL) {
        if ((s == allow || s[-1] == ' ') && (s[mlen] == ',' || s[mlen] == '\0'))
            return;
        s += mlen;
    }
    if (used < allow_len)
        snprintf(allow + used, allow_len - used, "%s%s", used ? ", " : "", method);
}

enum router_result router_match(const struct http_route *routes, size_t n, const char *method,
                                const char *path, struct pool *pool, size_t *index,
                                const char **params, size_t *nparams, char *allow, size_t allow_len)
{
    enum router_result res = ROUTER_NO_PATH;
    const char *spans[HTTP_MAX_PARAMS];
    size_t lens[HTTP_MAX_PARAMS];
    size_t ncap = 0;
    int is_head = strcmp(method, "HEAD") == 0;

    if (allow_len)
        allow[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const struct http_route *r = &routes[i];
        if (!pattern_match(r->pattern, path, spans, lens, &ncap))
            continue;
        if (strcmp(r->method, method) == 0 || (is_head && strcmp(r->method, "GET") == 0)) {
            res = ROUTER_FOUND;
            *index = i;
            *nparams = ncap;
            for (size_t k = 0; k < ncap; k++) {
                char *v = NULL;
                if (form_decode(spans[k], lens[k], 0, pool, &v, NULL, NULL)) {
                    res = ROUTER_BAD_PATH;
                    break;
                }
                params[k] = v;
            }
            break;
        }
        res = ROUTER_NO_METHOD;
        allow_add(allow, allow_len, r->method);
        if (strcmp(r->method, "GET") == 0)
            allow_add(allow, allow_len, "HEAD");
    }
    return res;
}
