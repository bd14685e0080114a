/* memstore.c — growable per-level arrays of node hashes. */
#include "tlog/memstore.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void tlog_memstore_init(struct tlog_memstore *ms)
{
    memset(ms, 0, sizeof *ms);
}

void tlog_memstore_release(struct tlog_memstore *ms)
{
    for (size_t l = 0; l < TLOG_MEMSTORE_LEVELS; l++)
        free(ms->level[l].hash);
    tlog_memstore_init(ms);
}

int tlog_memstore_put(struct tlog_memstore *ms, const struct tlog_node *node, struct err *e)
{
    if (node->level >= TLOG_MEMSTORE_LEVELS)
        return err_set(e, ERR_INVALID, "node level %u is over the limit of %d", node->level,
                       TLOG_MEMSTORE_LEVELS - 1);
    struct tlog_memstore_level *lv = &ms->level[node->level];
    if (node->index < lv->count) {
        if (memcmp(lv->hash[node->index], node->hash, TLOG_HASH_SIZE) != 0)
            return err_set(e, ERR_INVALID,
                           "node (%u, %" PRIu64 ") is already stored with another hash",
                           node->level, node->index);
        return 0;
    }
    if (node->index > lv->count)
        return err_set(e, ERR_INVALID,
                       "node (%u, %" PRIu64 ") is out of order: level %u has %" PRIu64 " nodes",
                       node->level, node->index, node->level, lv->count);
    if (lv->count == lv->cap) {
        uint64_t cap = lv->cap ? lv->cap * 2 : 64;
        if (cap > SIZE_MAX / TLOG_HASH_SIZE)
            return err_set(e, ERR_NOMEM, "node store level %u cannot grow", node->level);
        void *p = realloc(lv->hash, (size_t)cap * TLOG_HASH_SIZE);
        if (!p)
            return err_set(e, ERR_NOMEM, "out of memory growing node store level %u", node->level);
        lv->hash = p;
        lv->cap = cap;
    }
    memcpy(lv->hash[lv->count], node->hash, TLOG_HASH_SIZE);
    lv->count++;
    return 0;
}

static int memstore_get(void *ctx, unsigned level, uint64_t index,
                        unsigned char out[TLOG_HASH_SIZE], struct err *e)
{
    const struct tlog_memstore *ms = ctx;
    if (level >= TLOG_MEMSTORE_LEVELS || index >= ms->level[level].count)
        return err_set(e, ERR_NOT_FOUND, "node (%u, %" PRIu64 ") is not stored", level, index);
    memcpy(out, ms->level[level].hash[index], TLOG_HASH_SIZE);
    return 0;
}

struct tlog_node_source tlog_memstore_source(struct tlog_memstore *ms)
{
    struct tlog_node_source src = {.ctx = ms, .get = memstore_get, .get_many = NULL};
    return src;
}

int tlog_memstore_append(struct tlog_memstore *ms, const unsigned char leaf_hash[TLOG_HASH_SIZE],
                         struct err *e)
{
    struct tlog_node_source src = tlog_memstore_source(ms);
    struct tlog_appended added;
    if (tlog_append(&src, ms->size, leaf_hash, &added, e) != 0)
        return -1;
    for (size_t i = 0; i < added.count; i++)
        if (tlog_memstore_put(ms, &added.nodes[i], e) != 0)
            return -1;
    ms->size++;
    return 0;
}
