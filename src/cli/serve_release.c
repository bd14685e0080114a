/* serve_release.c — logging the web client release when serve starts. */
#include "cli/serve_release.h"

#include "channel/chan.h"
#include "http/static.h"

#include <stdio.h>

int serve_release_start(struct chan *c, const char *static_dir, const char *version,
                        struct web_release *r, int *appended, struct err *e)
{
    int rc = -1;
    char why[ERR_MSG_MAX];

    *appended = 0;
    static_clear_override();
    if (static_dir && static_set_override(static_dir, e)) {
        snprintf(why, sizeof why, "%s", e->msg);
        err_set(e, e->code, "--static-dir: %.200s", why);
        goto out;
    }
    /* The manifest is of what is served from now on; the leaf is committed
     * before the first request is answered. */
    if (web_release_build(r, version, e) ||
        chan_client_release(c, r->version, r->digest, r->files, &r->leaf_index, appended, e))
        goto out;
    rc = 0;
out:
    return rc;
}
