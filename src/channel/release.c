/* release.c — the web client's releases in the transparency log: when the
 * server starts serving a set of static files and templates that differs
 * from the last release the log records, it appends a "client-release"
 * leaf (docs/protocol-tlog.md), so what browsers run is on the record. */
#include "base/util.h"
#include "channel/chan_internal.h"
#include "proto/events.h"

#include <string.h>

/* Does the leaf text record this release (same manifest and version)? */
static int same_release(const struct st_leaf *l, const char *version, const char *manifest)
{
    json_error_t je;
    json_t *o = json_loadb(l->data, l->len, 0, &je);
    const char *m = json_string_value(json_object_get(o, "manifest"));
    const char *v = json_string_value(json_object_get(o, "version"));
    int same = m && v && strcmp(m, manifest) == 0 && strcmp(v, version) == 0;
    json_decref(o);
    return same;
}

int chan_client_release(struct chan *c, const char *version, const char *manifest, int64_t files,
                        int64_t *index, int *appended, struct err *e)
{
    int rc = -1, found = 0;
    int64_t size = 0;
    struct pool p;
    struct st_leaf last = {0};

    pool_init(&p, 1u << 20);
    *appended = 0;
    /* One write transaction: two servers starting on one database at once
     * see each other's leaf and append it once. */
    if (store_begin(c->st, e))
        goto out;
    if (store_tlog_last_of_kind(c->st, &p, "client-release", &last, &found, e))
        goto fail;
    if (found && same_release(&last, version, manifest)) {
        *index = last.index;
        rc = chan_tx_end(c, 0, NULL, e);
        goto out;
    }
    if (store_tlog_size(c->st, &size, e) ||
        chan_log_append(c, proto_leaf_client_release(version, manifest, files), NULL,
                        "client-release", 0, e))
        goto fail;
    rc = chan_tx_end(c, 0, NULL, e);
    if (rc == 0) {
        *index = size;
        *appended = 1;
    }
    goto out;
fail:
    rc = chan_tx_end(c, -1, NULL, e);
out:
    pool_release(&p);
    return rc;
}
