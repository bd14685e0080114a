/* tlog.c — rows of the transparency log: leaf data and stored tree nodes.
 * The tree logic lives in src/tlog/; the channel joins the two. */
#include "base/util.h"
#include "store/store_internal.h"

#include <stdlib.h>
#include <string.h>

int store_tlog_size(struct store *s, int64_t *size, struct err *e)
{
    return db_scalar(s->db, e, 0, size, "SELECT COALESCE(MAX(idx) + 1, 0) FROM tlog_leaves", NULL);
}

int store_tlog_leaf_insert(struct store *s, int64_t idx, const char *data, const char *memo,
                           const char *kind, int version, struct err *e)
{
    return db_exec_later(
        s->db, e, "INSERT INTO tlog_leaves(idx, data, memo, kind, version) VALUES(?, ?, ?, ?, ?)",
        "ibssi", idx, data, strlen(data), memo, kind, (int64_t)version);
}

/* The key a node is kept under: the index of the leaf whose append
 * completes it (the last leaf of its subtree), with its level (migration
 * 24, table tlog_tree). Nodes made together are neighbours in the table.
 * 0, or -1 for a node no log of 2^63 leaves has. */
static int node_key(unsigned level, int64_t idx, int64_t *completed_by)
{
    if (level > 62 || idx < 0 || idx >= (INT64_MAX >> level))
        return -1;
    *completed_by = ((idx + 1) << level) - 1;
    return 0;
}

int store_tlog_node_put(struct store *s, unsigned level, int64_t idx, const unsigned char hash[32],
                        struct err *e)
{
    int rc = -1;
    int64_t by = 0;
    if (node_key(level, idx, &by)) {
        rc = err_set(e, ERR_INTERNAL, "log node (%u, %lld) is out of range", level, (long long)idx);
        goto out;
    }
    rc = db_exec_later(s->db, e, "INSERT INTO tlog_tree(completed_by, level, hash) VALUES(?, ?, ?)",
                       "iib", by, (int64_t)level, hash, (size_t)32);
out:
    return rc;
}

int store_tlog_node_get(struct store *s, unsigned level, int64_t idx, unsigned char out[32],
                        struct err *e)
{
    int rc = -1, r;
    size_t len = 0;
    int64_t by = 0;
    const void *p;
    struct db_stmt *st = NULL;
    if (node_key(level, idx, &by)) {
        rc =
            err_set(e, ERR_NOT_FOUND, "log node (%u, %lld) is out of range", level, (long long)idx);
        goto out;
    }
    st = db_query(s->db, e, "SELECT hash FROM tlog_tree WHERE completed_by = ? AND level = ?", "ii",
                  by, (int64_t)level);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    p = r ? db_blob(st, 0, &len) : NULL;
    if (!p || len != 32) {
        rc = err_set(e, ERR_NOT_FOUND, "log node (%u, %lld) is missing", level, (long long)idx);
        goto out;
    }
    memcpy(out, p, 32);
    rc = 0;
out:
    db_finish(st);
    return rc;
}

/* Fills one leaf from a row of (idx, data blob). The leaf data is stored
 * as bytes and read back as such on both backends; it is UTF-8 JSON text,
 * which is checked here rather than cast in SQL. */
int store_leaf_row(struct pool *p, struct db_stmt *st, void *item, struct err *e)
{
    struct st_leaf *l = item;
    size_t len = 0;
    const void *data = db_blob(st, 1, &len);
    l->index = db_int(st, 0);
    if (!data)
        data = "";
    if (!utf8_valid(data, len) || memchr(data, '\0', len))
        return err_set(e, ERR_DB, "log leaf %lld is not UTF-8 text", (long long)l->index);
    l->data = pool_strndup(p, data, len);
    l->len = len;
    return l->data ? 0 : err_set(e, ERR_NOMEM, "out of memory");
}

int store_tlog_leaves(struct store *s, struct pool *p, int64_t start, int64_t end,
                      struct st_leaf **out, size_t *n, struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e,
                        "SELECT idx, data FROM tlog_leaves WHERE idx >= ? AND idx < ? ORDER BY idx",
                        "ii", start, end);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_tlog_memo_leaves(struct store *s, struct pool *p, const char *memo, const char *kind,
                           struct st_leaf **out, size_t *n, struct err *e)
{
    return store_tlog_memo_range(s, p, memo, kind, -1, INT64_MAX, out, n, e);
}

int store_tlog_memo_leaves_before(struct store *s, struct pool *p, const char *memo,
                                  const char *kind, int64_t before, struct st_leaf **out, size_t *n,
                                  struct err *e)
{
    return store_tlog_memo_range(s, p, memo, kind, -1, before, out, n, e);
}

int store_tlog_memo_range(struct store *s, struct pool *p, const char *memo, const char *kind,
                          int64_t after, int64_t before, struct st_leaf **out, size_t *n,
                          struct err *e)
{
    struct store_vec v = {0};
    int rc = 0;
    *out = NULL;
    *n = 0;
    /* no index lies strictly between them (after can be INT64_MAX, from a
     * query string: after + 1 would overflow) */
    if (before <= 0 || after >= before - 1)
        return 0;
    if (kind)
        rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e, STORE_TLOG_MEMO_KIND_SQL,
                        "ssiii", memo, kind, after, before, (int64_t)STORE_MEMO_LEAVES_MAX);
    else
        rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e,
                        "SELECT idx, data FROM tlog_leaves WHERE memo = ? AND idx > ? AND idx < ? "
                        "ORDER BY idx LIMIT ?",
                        "siii", memo, after, before, (int64_t)STORE_MEMO_LEAVES_MAX);
    *out = v.items;
    *n = v.n;
    return rc;
}

static int by_index(const void *a, const void *b)
{
    const struct st_leaf *x = a, *y = b;
    return (x->index > y->index) - (x->index < y->index);
}

int store_tlog_memo_events(struct store *s, struct pool *p, const char *memo, struct st_leaf **out,
                           size_t *n, struct err *e)
{
    struct store_vec v = {0};
    /* every leaf that is not a signature first (a memo has few), then the
     * signatures up to the cap, then back in the log's order */
    int rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e,
                        "SELECT idx, data FROM tlog_leaves WHERE memo = ? ORDER BY kind IN "
                        "('signature', 'anonymous-signature'), idx LIMIT ?",
                        "si", memo, (int64_t)STORE_MEMO_LEAVES_MAX);
    if (rc == 0 && v.n > 1)
        qsort(v.items, v.n, sizeof **out, by_index);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_tlog_memo_review(struct store *s, struct pool *p, const char *memo, struct st_leaf **out,
                           size_t *n, struct err *e)
{
    struct store_vec v = {0};
    /* two seeks in the index on (memo, kind, version): a popular memo's
     * signatures are never read to be dropped */
    int rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e, STORE_TLOG_MEMO_REVIEW_SQL, "s",
                        memo);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_tlog_memo_signatures(struct store *s, struct pool *p, const char *memo, int64_t after,
                               int64_t before, int limit, struct st_leaf **out, size_t *n,
                               struct err *e)
{
    struct store_vec v = {0};
    int rc = store_rows(s, p, &v, sizeof **out, store_leaf_row, e,
                        "SELECT idx, data FROM tlog_leaves WHERE memo = ? AND kind IN ("
                        "'anonymous-signature', 'signature') AND idx > ? AND idx < ? ORDER BY idx "
                        "LIMIT ?",
                        "siii", memo, after, before, (int64_t)limit);
    *out = v.items;
    *n = v.n;
    return rc;
}

int store_tlog_last_of_kind(struct store *s, struct pool *p, const char *kind, struct st_leaf *out,
                            int *found, struct err *e)
{
    struct store_vec v = {0};
    /* Leaves about no memo: the index on (memo, kind, version) finds them. */
    int rc = store_rows(s, p, &v, sizeof *out, store_leaf_row, e,
                        "SELECT idx, data FROM tlog_leaves WHERE memo IS NULL AND kind = ? "
                        "ORDER BY idx DESC LIMIT 1",
                        "s", kind);
    *found = rc == 0 && v.n == 1;
    if (*found)
        *out = *(struct st_leaf *)v.items;
    return rc;
}
