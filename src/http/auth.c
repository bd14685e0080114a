/* auth.c — who is calling: bearer tokens, session cookies and CSRF tokens. */
#include "http/app.h"

#include <sodium.h>
#include <string.h>
#include <strings.h>

static int unsafe_method(const char *m)
{
    return strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0;
}

int app_authenticate(struct app *app, struct http_request *req, struct actor *a, struct err *e)
{
    int rc = -1;
    const char *authz = http_header(req, "Authorization");
    const char *cookie = http_cookie(req, APP_SESSION_COOKIE);

    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0) {
            rc = err_set(e, ERR_UNAUTHORIZED, "the Authorization header must be 'Bearer <token>'");
            goto out;
        }
        rc = chan_authenticate(app->chan, req->pool, authz + 7, a, e);
        goto out;
    }
    if (!cookie) {
        rc = err_set(e, ERR_UNAUTHORIZED, "log in first");
        goto out;
    }
    if (chan_authenticate(app->chan, req->pool, cookie, a, e))
        goto out;
    if (unsafe_method(req->method)) {
        const char *sent = http_header(req, "X-CSRF-Token");
        if (!sent)
            sent = http_form(req, "csrf");
        if (!sent || strlen(sent) != strlen(a->csrf) ||
            sodium_memcmp(sent, a->csrf, strlen(a->csrf)) != 0) {
            rc = err_set(e, ERR_FORBIDDEN,
                         "the form's security token is missing or stale: reload the page and try "
                         "again");
            goto out;
        }
    }
    rc = 0;
out:
    return rc;
}
