/* store.c — opening the store, transactions, settings, shared row helpers. */
#include "store/store_internal.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int store_open(struct store **out, const char *url, struct err *e)
{
    return store_open_keys(out, url, NULL, 0, e);
}

int store_open_keys(struct store **out, const char *url, const char *keys, unsigned flags,
                    struct err *e)
{
    int rc = -1;
    struct store *s = calloc(1, sizeof *s);
    if (!s) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    keydir_init(&s->keys);
    if (sodium_init() < 0) {
        rc = err_set(e, ERR_INTERNAL, "libsodium failed to initialize");
        goto out;
    }
    /* The keys first: a key directory others may read stops everything
     * before the database is created or migrated. */
    if (store_keys_open(s, keys, url, e) || db_open(&s->db, url, e) || store_migrate(s, e) ||
        store_at_rest_open(s, (int)flags, e))
        goto out;
    *out = s;
    s = NULL;
    rc = 0;
out:
    store_close(s);
    return rc;
}

void store_close(struct store *s)
{
    if (s) {
        db_close(s->db);
        keydir_release(&s->keys);
        sodium_memzero(s->data_key, sizeof s->data_key);
        store_forget_new_key(s);
        free(s);
    }
}

void store_forget_new_key(struct store *s)
{
    if (s->new_key_memo) {
        sodium_memzero(s->new_key, sizeof s->new_key);
        s->new_key_memo = 0;
    }
}

uint64_t store_statements(const struct store *s)
{
    return db_statements(s->db);
}

int store_begin(struct store *s, struct err *e)
{
    store_forget_new_key(s);
    return db_begin(s->db, e);
}

int store_begin_read(struct store *s, struct err *e)
{
    store_forget_new_key(s);
    return db_begin_read(s->db, e);
}

int store_begin_unordered(struct store *s, struct err *e)
{
    store_forget_new_key(s);
    return db_begin_unordered(s->db, e);
}

int store_commit(struct store *s, struct err *e)
{
    store_forget_new_key(s);
    return db_commit(s->db, e);
}

void store_rollback(struct store *s)
{
    store_forget_new_key(s);
    db_rollback(s->db);
}

int store_group_begin(struct store *s, struct err *e)
{
    store_forget_new_key(s);
    return db_group_begin(s->db, e);
}

int store_group_end(struct store *s, int commit, struct err *e)
{
    store_forget_new_key(s);
    return db_group_end(s->db, commit, e);
}

char *store_col_dup(struct pool *p, struct db_stmt *st, int col)
{
    const char *t = db_text(st, col);
    return t ? pool_strdup(p, t) : NULL;
}

int store_meta_get(struct store *s, struct pool *p, const char *key, char **out, struct err *e)
{
    int rc = -1, r;
    struct db_stmt *st = db_query(s->db, e, "SELECT value FROM meta WHERE key = ?", "s", key);
    if (!st)
        goto out;
    r = db_next(st, e);
    if (r < 0)
        goto out;
    *out = r ? store_col_dup(p, st, 0) : NULL;
    if (r && !*out) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    rc = 0;
out:
    db_finish(st);
    return rc;
}

int store_meta_set(struct store *s, const char *key, const char *value, struct err *e)
{
    return db_exec(
        s->db, e,
        "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
        "excluded.value",
        "ss", key, value);
}

int store_col_text(struct pool *p, struct db_stmt *st, int col, char **out, struct err *e)
{
    int rc = 0;
    *out = NULL;
    if (!db_is_null(st, col) && !(*out = store_col_dup(p, st, col)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    return rc;
}

void *store_push(struct pool *p, struct store_vec *v, size_t size, struct err *e)
{
    unsigned char *item;
    if (v->n == v->cap) {
        /* Pools do not reallocate: double, copy, and leave the old array
         * to the pool (at most as much again as the list). */
        size_t cap = v->cap ? 2 * v->cap : 16;
        void *items = cap < SIZE_MAX / size ? pool_alloc(p, cap * size) : NULL;
        if (!items) {
            err_set(e, ERR_NOMEM, "out of memory");
            return NULL;
        }
        if (v->n)
            memcpy(items, v->items, v->n * size);
        v->items = items;
        v->cap = cap;
    }
    item = (unsigned char *)v->items + v->n++ * size;
    memset(item, 0, size);
    return item;
}

int store_rows(struct store *s, struct pool *p, struct store_vec *v, size_t size, store_row_fn fill,
               struct err *e, const char *sql, const char *types, ...)
{
    int rc = -1, r;
    struct db_stmt *st;
    va_list ap;

    va_start(ap, types);
    st = db_vquery(s->db, e, sql, types, ap);
    va_end(ap);
    if (!st)
        goto out;
    while ((r = db_next(st, e)) == 1) {
        void *item = store_push(p, v, size, e);
        if (!item || fill(p, st, item, e))
            goto out;
    }
    if (r < 0)
        goto out;
    rc = 0;
out:
    db_finish(st);
    return rc;
}

void store_state_in(char *buf, size_t n, const char *col, unsigned mask)
{
    size_t used;
    int k = snprintf(buf, n, "%s IN (", col);
    const char *sep = "";
    if (mask == 0) {
        snprintf(buf, n, "1 = 0");
        return;
    }
    used = k > 0 ? (size_t)k : 0;
    for (unsigned st = 0; st < 32 && used < n; st++) {
        if (!(mask & (1u << st)))
            continue;
        k = snprintf(buf + used, n - used, "%s%u", sep, st);
        used += k > 0 ? (size_t)k : 0;
        sep = ", ";
    }
    if (used < n)
        snprintf(buf + used, n - used, ")");
}
