/* tlog.c — rows of the transparency log: leaf data and stored tree nodes.
 * The tree logic lives in src/tlog/; the channel joins the two. */
#include "store/store_internal.h"

#include <string.h>

int store_tlog_size(struct store *s, int64_t *size, struct err *e)
{
    return db_scalar(s->db, e, 0, size, "SELECT COALESCE(MAX(idx) + 1, 0) FROM tlog_leaves", NULL);
}

int store_tlog_leaf_insert(struct store *s, int64_t idx, const char *data, const char *memo,
                           const char *kind, int version, struct err *e)
{
    return db_exec(s->db, e,
                   "INSERT INTO tlog_leaves(idx, data, memo, kind, version) VALUES(?, ?, ?, ?, ?)",
                   "ibssi", idx, data, strlen(data), memo, kind, (int64_t)version);
}

int store_tlog_node_put(struct store *s, unsigned level, int64_t idx, const unsigned char hash[32],
                        struct err *e)
{
    return db_exec(s->db, e, "INSERT INTO tlog_nodes(level, idx, hash) VALUES(?, ?, ?)", "iib",
                   (int64_t)level, idx, hash, (size_t)32);
}

int store_tlog_node_get(struct store *s, unsigned level, int64_t idx, unsigned char out[32],
                        struct err *e)
{
    int rc = -1, r;
    size_t len = 0;
    const void *p;
    struct db_stmt *st =
        db_query(s->db, e, "SELECT hash FROM tlog_nodes WHERE level = ? AND idx = ?", "ii",
                 (int64_t)level, idx);
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

/* Collects rows of (idx, data blob) into [{index, data}]. The leaf data is
 * stored as bytes and read back as such on both backends; it is UTF-8 JSON
 * text, which is checked here rather than cast in SQL. */
static int leaf_rows(struct db_stmt *st, json_t **out, struct err *e)
{
    int rc = -1, r = -1;
    json_t *arr = json_array();
    if (!st || !arr) {
        if (!arr)
            err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    while ((r = db_next(st, e)) == 1) {
        size_t len = 0;
        const void *p = db_blob(st, 1, &len);
        json_t *data = json_stringn(p ? p : "", len);
        json_t *row;
        if (!data) {
            err_set(e, ERR_DB, "log leaf %lld is not UTF-8 text", (long long)db_int(st, 0));
            goto out;
        }
        row = json_pack("{s:I,s:o}", "index", (json_int_t)db_int(st, 0), "data", data);
        if (!row || json_array_append_new(arr, row)) {
            err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
    }
    if (r < 0)
        goto out;
    *out = arr;
    arr = NULL;
    rc = 0;
out:
    json_decref(arr);
    return rc;
}

int store_tlog_leaves(struct store *s, int64_t start, int64_t end, json_t **out, struct err *e)
{
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT idx, data FROM tlog_leaves WHERE idx >= ? AND idx < ? "
                                  "ORDER BY idx",
                                  "ii", start, end);
    int rc = leaf_rows(st, out, e);
    db_finish(st);
    return rc;
}

int store_tlog_memo_leaves(struct store *s, const char *memo, const char *kind, json_t **out,
                           struct err *e)
{
    struct db_stmt *st = db_query(s->db, e,
                                  "SELECT idx, data FROM tlog_leaves WHERE memo = ? AND "
                                  "(? IS NULL OR kind = ?) ORDER BY idx LIMIT 10000",
                                  "sss", memo, kind, kind);
    int rc = leaf_rows(st, out, e);
    db_finish(st);
    return rc;
}
