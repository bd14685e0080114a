/* log_tiles.c — the log's tree as C2SP tlog-tiles, read from the stored
 * complete subtrees: a tile's hashes are exactly stored nodes, so a tile is
 * lookups, never rehashing (tlog/tree.h, tlog/tile.h). */
#include "channel/chan_internal.h"
#include "tlog/hash.h"
#include "tlog/tile.h"

#include <string.h>

/* Appends the leaves [start, start+n) as uint16-length-prefixed entries. */
static int entries(struct chan *c, uint64_t start, unsigned n, struct buf *out, struct err *e)
{
    int rc = -1;
    struct pool p;
    struct st_leaf *l = NULL;
    size_t got = 0;
    pool_init(&p, 64u << 20);
    if (store_tlog_leaves(c->st, &p, (int64_t)start, (int64_t)(start + n), &l, &got, e))
        goto out;
    if (got != n) {
        err_set(e, ERR_INTERNAL, "the log is missing leaves below its size");
        goto out;
    }
    for (size_t i = 0; i < got; i++) {
        unsigned char len[2] = {(unsigned char)(l[i].len >> 8), (unsigned char)l[i].len};
        if (l[i].len > 0xffff) {
            err_set(e, ERR_INTERNAL,
                    "leaf %lld is longer than an entry bundle allows (65535 bytes)",
                    (long long)l[i].index);
            goto out;
        }
        if (buf_append(out, len, 2, e) || buf_append(out, l[i].data, l[i].len, e))
            goto out;
    }
    rc = 0;
out:
    pool_release(&p);
    return rc;
}

int chan_log_tile(struct chan *c, const struct tlog_tile *t, struct buf *out, struct err *e)
{
    int rc = -1;
    int64_t size = 0;
    unsigned level = t->entries ? 0 : TLOG_TILE_HEIGHT * t->level;
    uint64_t have, first = t->index * TLOG_TILE_WIDTH;

    if (store_begin_read(c->st, e))
        return -1;
    if (store_tlog_size(c->st, &size, e))
        goto done;
    have = (uint64_t)size >> level; /* complete nodes at that level */
    if (t->width < 1 || t->width > TLOG_TILE_WIDTH || t->index >= (UINT64_C(1) << 54) ||
        first + t->width > have) {
        err_set(e, ERR_NOT_FOUND, "the log (%lld leaves) has no such tile yet", (long long)size);
        goto done;
    }
    if (t->entries) {
        rc = entries(c, first, t->width, out, e);
        goto done;
    }
    for (unsigned i = 0; i < t->width; i++) {
        unsigned char h[TLOG_HASH_SIZE];
        if (store_tlog_node_get(c->st, level, (int64_t)(first + i), h, e) ||
            buf_append(out, h, sizeof h, e))
            goto done;
    }
    rc = 0;
done:
    store_rollback(c->st);
    return rc;
}
